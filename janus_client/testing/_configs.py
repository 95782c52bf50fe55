"""The configuration files of the test Janus: what `JanusServer` writes before a start.

Private to `janus_client.testing`. A plugin's default settings are one entry of
`plugin_configs`; everything can be overridden with ``JanusServer(plugin_configs=...)``.
"""

from __future__ import annotations

import glob
import os
import shutil
import urllib.parse
from pathlib import Path

from janus_client.testing._jcfg import merge, render_jcfg
from janus_client.testing._process import JanusServerError
from janus_client.testing._state import ServerState

__all__ = [
    "OPTIONAL_PLUGINS",
    "ConfigWriter",
    "Sections",
    "find_janus_lib_dir",
    "normalise_plugin",
    "plugin_configs",
]

#: One configuration file: section name to settings.
Sections = dict[str, dict[str, object]]

#: Plugins that the test bed disables unless asked for (``enable_plugins``).
OPTIONAL_PLUGINS: tuple[str, ...] = ("voicemail", "duktape", "lua")
#: Transports that are never useful here (they need external brokers).
_DISABLED_TRANSPORTS: tuple[str, ...] = ("mqtt", "rabbitmq", "nanomsg")

# Separate UDP port ranges, so that plugins never compete with the core.
_CORE_RTP_RANGE = "20000-29999"
_PLUGIN_RTP_RANGES: dict[str, str] = {
    "janus.plugin.sip": "30000-32999",
    "janus.plugin.nosip": "33000-35999",
    "janus.plugin.audiobridge": "36000-38999",
    "janus.plugin.streaming": "39000-39999",
}

# Folders Janus must never write recordings into (checked by prefix).
_PROTECTED_FOLDERS: tuple[str, ...] = (
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib32",
    "/lib64",
    "/proc",
    "/sbin",
    "/sys",
    "/usr",
)


def find_janus_lib_dir(binary: str | None = None) -> Path:
    """Find the folder holding Janus' ``plugins``, ``transports``, ... folders.

    Looks next to the binary first (``<prefix>/lib/janus``,
    ``<prefix>/lib/<multiarch>/janus``, ``<prefix>/lib64/janus``), then in
    the usual system places.

    Args:
        binary: Path of the ``janus`` executable, if known.

    Returns:
        The folder, e.g. ``/usr/lib/x86_64-linux-gnu/janus``.

    Raises:
        JanusServerError: If no folder with a ``plugins`` subfolder is found.

    """
    prefixes: list[Path] = []
    if binary:
        prefixes.append(Path(binary).resolve().parent.parent)
    prefixes += [Path("/usr"), Path("/usr/local"), Path("/opt/janus")]
    patterns = ("lib/janus", "lib/*/janus", "lib64/janus")
    for prefix in prefixes:
        for pattern in patterns:
            for found in sorted(glob.glob(str(prefix / pattern / "plugins"))):
                return Path(found).parent
    raise JanusServerError(
        "cannot find the Janus plugins folder (looked for <prefix>/lib[/<arch>]/janus/plugins)"
    )


def normalise_plugin(name: str) -> str:
    """Map ``janus.plugin.voicemail`` or ``libjanus_voicemail.so`` to ``voicemail``."""
    short = name.strip()
    for prefix in ("janus.plugin.", "libjanus_"):
        if short.startswith(prefix):
            short = short[len(prefix) :]
    return short.removesuffix(".so")


def plugin_configs(host: str, recordings: Path, enabled: frozenset[str]) -> dict[str, Sections]:
    """The default file of every plugin: loopback addresses, own RTP ports, folders.

    Args:
        host: The loopback address Janus binds to.
        recordings: The recordings folder (Janus' current directory).
        enabled: The optional plugins asked for (short names, see `OPTIONAL_PLUGINS`).

    Returns:
        File name without ``.jcfg`` (``janus.plugin.NAME``) to its sections.

    """
    configs: dict[str, Sections] = {
        "janus.plugin.echotest": {"general": {}},
        "janus.plugin.videocall": {"general": {}},
        "janus.plugin.videoroom": {"general": {}},
        "janus.plugin.textroom": {"general": {"json": "plain"}},
        "janus.plugin.streaming": {"general": {}},
        "janus.plugin.audiobridge": {"general": {"local_ip": host}},
        "janus.plugin.sip": {
            "general": {
                "local_ip": host,
                "local_media_ip": host,
                "sdp_ip": host,
                # No OPTIONS keep-alives: a test registrar (SIPp) does not expect them.
                "keepalive_interval": 0,
                "behind_nat": False,
                "register_ttl": 3600,
            }
        },
        "janus.plugin.nosip": {"general": {"local_ip": host, "sdp_ip": host}},
        "janus.plugin.recordplay": {"general": {"path": str(recordings)}},
    }
    for name, ports in _PLUGIN_RTP_RANGES.items():
        configs[name]["general"]["rtp_port_range"] = ports
    if "voicemail" in enabled:
        voicemail_dir = recordings / "voicemail"
        voicemail_dir.mkdir(exist_ok=True)
        configs["janus.plugin.voicemail"] = {
            "general": {"path": str(voicemail_dir), "base": "/voicemail", "events": False}
        }
    for engine, ext in (("duktape", "js"), ("lua", "lua")):
        if engine in enabled:
            scripts = Path("/usr/share/janus") / engine
            configs[f"janus.plugin.{engine}"] = {
                "general": {"path": str(scripts), "script": str(scripts / f"echotest.{ext}")}
            }
    return configs


def _api_and_admin(
    general: dict[str, object], admin: dict[str, object], **more: dict[str, object]
) -> Sections:
    """A transport's file: the Janus API and Admin API sections, plus others."""
    return {"general": general, "admin": admin, **more}


class ConfigWriter(ServerState):
    """Renders and writes every ``.jcfg`` file of a `JanusServer` (a base of it)."""

    def _resolve_binary(self) -> str:
        found = shutil.which(self._binary)
        if found is None:
            raise JanusServerError(f"Janus executable {self._binary!r} not found on PATH")
        return found

    def build_configs(self) -> dict[str, str]:
        """Render every configuration file for the current ports.

        Returns:
            File name (e.g. ``janus.jcfg``) to content.

        Raises:
            JanusServerError: If the server has no ports yet or Janus'
                library folder cannot be found.

        """
        ports = self._need_ports()
        workdir = self._need_workdir()
        lib_dir = self._lib_dir or find_janus_lib_dir(shutil.which(self._binary))
        configs: dict[str, Sections] = {
            "janus": self._core_config(lib_dir, workdir),
            **self._transport_configs(ports, workdir),
            **plugin_configs(self._host, self.recordings_dir, self._enabled_plugins),
            **self._broker_configs(),
        }
        for name, extra in self._plugin_configs.items():
            configs[name] = merge(configs.get(name, {}), extra)
        return {f"{name}.jcfg": render_jcfg(sections) for name, sections in configs.items()}

    def _core_config(self, lib_dir: Path, workdir: Path) -> Sections:
        """``janus.jcfg``: folders, logging, secrets, ICE, what is loaded."""
        real_workdir = os.path.realpath(workdir)
        protected = [
            p
            for p in _PROTECTED_FOLDERS
            if not (real_workdir + "/").startswith(p.rstrip("/") + "/")
        ]
        general: dict[str, object] = {
            "configs_folder": str(self.config_dir),
            "plugins_folder": str(lib_dir / "plugins"),
            "transports_folder": str(lib_dir / "transports"),
            "events_folder": str(lib_dir / "events"),
            "loggers_folder": str(lib_dir / "loggers"),
            "log_to_stdout": False,
            "debug_level": self._debug_level,
            "debug_timestamps": True,
            "debug_colors": False,
            "interface": self._host,
            "server_name": "janus-client-testbed",
            "session_timeout": self._session_timeout,
            "reclaim_session_timeout": self._reclaim_session_timeout,
            "admin_secret": self._admin_secret,
            "api_secret": self._api_secret,
            "token_auth": True if self._token_auth else None,
            "token_auth_secret": self._token_auth_secret,
            "protected_folders": protected,
        }
        general.update(self._extra_general)
        nat: dict[str, object] = {"nice_debug": False, "ignore_mdns": True}
        if self._ice_address is not None:
            nat["ice_enforce_list"] = self._ice_address
        return {
            "general": general,
            "certificates": {},
            "media": {"rtp_port_range": _CORE_RTP_RANGE},
            "nat": nat,
            "plugins": {"disable": ",".join(self._disabled_plugins(lib_dir)) or None},
            "transports": {"disable": ",".join(self._disabled_transports())},
            "loggers": {"disable": "libjanus_jsonlog.so"},
            "events": {"broadcast": False},
        }

    def _disabled_plugins(self, lib_dir: Path) -> list[str]:
        if self._only_plugins is None:
            return [f"libjanus_{p}.so" for p in OPTIONAL_PLUGINS if p not in self._enabled_plugins]
        installed = {
            path.name[len("libjanus_") : -len(".so")]
            for path in (lib_dir / "plugins").glob("libjanus_*.so")
        }
        missing = sorted(self._only_plugins - installed)
        if missing:
            raise JanusServerError(
                f"plugin(s) {missing} are not installed in {lib_dir / 'plugins'}; "
                f"installed: {', '.join(sorted(installed))}"
            )
        return [f"libjanus_{p}.so" for p in sorted(installed - self._only_plugins)]

    def _disabled_transports(self) -> list[str]:
        disabled = [f"libjanus_{t}.so" for t in _DISABLED_TRANSPORTS]
        if not self._unix_sockets:
            disabled.append("libjanus_pfunix.so")
        if self._mqtt_broker is not None:
            disabled.remove("libjanus_mqtt.so")
        if self._rabbitmq is not None:
            disabled.remove("libjanus_rabbitmq.so")
        return disabled

    def _transport_configs(self, ports: dict[str, int], workdir: Path) -> dict[str, Sections]:
        """The HTTP, WebSocket and Unix-socket transport files."""
        host = self._host
        http = _api_and_admin(
            {
                "json": "plain",
                "base_path": "/janus",
                "http": True,
                "port": ports["http"],
                "ip": host,
                "https": False,
            },
            {
                "admin_base_path": "/admin",
                "admin_http": True,
                "admin_port": ports["admin_http"],
                "admin_ip": host,
                "admin_https": False,
            },
            cors={},
        )
        ws = _api_and_admin(
            {"json": "plain", "ws": True, "ws_port": ports["ws"], "ws_ip": host, "wss": False},
            {
                "admin_ws": True,
                "admin_ws_port": ports["admin_ws"],
                "admin_ws_ip": host,
                "admin_wss": False,
            },
            cors={},
        )
        if self._tls is not None:
            cert, key = (os.path.abspath(p) for p in self._tls)
            http["general"].update(https=True, secure_port=ports["https"], secure_ip=host)
            http["certificates"] = {"cert_pem": cert, "cert_key": key}
            ws["general"].update(wss=True, wss_port=ports["wss"], wss_ip=host)
            ws["certificates"] = {"cert_pem": cert, "cert_key": key}
        unix = _api_and_admin(
            {
                "enabled": self._unix_sockets,
                "json": "plain",
                "path": str(workdir / "janus-api.sock"),
                "type": self._unix_socket_type,
            },
            {
                "admin_enabled": self._unix_sockets,
                "admin_path": str(workdir / "janus-admin.sock"),
                "admin_type": self._unix_socket_type,
            },
        )
        return {
            "janus.transport.http": http,
            "janus.transport.websockets": ws,
            "janus.transport.pfunix": unix,
        }

    def _broker_configs(self) -> dict[str, Sections]:
        """The MQTT and RabbitMQ transport files, when those brokers are given."""
        configs: dict[str, Sections] = {}
        topic = self._topic
        if self._mqtt_broker is not None:
            host, port = self._mqtt_broker
            configs["janus.transport.mqtt"] = _api_and_admin(
                {
                    "enabled": True,
                    "json": "plain",
                    "url": f"tcp://{host}:{port}",
                    "client_id": topic("janus"),
                    "subscribe_topic": topic("to-janus"),
                    "publish_topic": topic("from-janus"),
                    "mqtt_version": self._mqtt_version,
                    "keep_alive_interval": 20,
                    "cleansession": True,
                },
                {
                    "admin_enabled": True,
                    "subscribe_topic": topic("to-janus-admin"),
                    "publish_topic": topic("from-janus-admin"),
                },
            )
        if self._rabbitmq is not None and self._rabbitmq_broker is not None:
            host, port = self._rabbitmq
            parts = urllib.parse.urlsplit(self._rabbitmq_broker)
            vhost = urllib.parse.unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
            configs["janus.transport.rabbitmq"] = _api_and_admin(
                {
                    "enabled": True,
                    "json": "plain",
                    "host": host,
                    "port": port,
                    "username": urllib.parse.unquote(parts.username or "guest"),
                    "password": urllib.parse.unquote(parts.password or "guest"),
                    "vhost": vhost,
                    "janus_exchange": topic("janus-exchange"),
                    "janus_exchange_type": "direct",
                    "to_janus": topic("to-janus"),
                    "from_janus": topic("from-janus"),
                    "declare_outgoing_queue": False,
                    "queue_autodelete": True,
                },
                {
                    "admin_enabled": True,
                    "to_janus_admin": topic("to-janus-admin"),
                    "from_janus_admin": topic("from-janus-admin"),
                    "declare_outgoing_queue_admin": False,
                    "queue_autodelete_admin": True,
                },
            )
        return configs

    def _write_configs(self) -> None:
        conf = self.config_dir
        conf.mkdir(parents=True, exist_ok=True)
        for stale in conf.glob("*.jcfg"):
            stale.unlink()
        for name, content in self.build_configs().items():
            (conf / name).write_text(content)
