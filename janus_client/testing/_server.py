"""Run a real, throw-away Janus gateway on loopback for tests.

:class:`JanusServer` generates a complete configuration in a temporary
directory (nothing is read from ``/etc/janus``), starts ``janus`` as a child
process bound to ``127.0.0.1`` on free TCP ports, and waits until its HTTP
and WebSocket transports answer. Its parts: the configuration files
(``_configs``), the ports and URLs (``_endpoints``) and the process
(``_process``).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from janus_client._lifecycle import SyncContext
from janus_client.testing._configs import (
    OPTIONAL_PLUGINS,
    ConfigWriter,
    find_janus_lib_dir,
    normalise_plugin,
)
from janus_client.testing._endpoints import (
    PORT_NAMES,
    Endpoints,
    broker_address,
    check_fixed_ports,
)
from janus_client.testing._jcfg import render_jcfg
from janus_client.testing._network import IceAddressLease
from janus_client.testing._process import LIVE_SERVERS as _LIVE_SERVERS
from janus_client.testing._process import JanusServerError, ProcessControl

__all__ = [
    "OPTIONAL_PLUGINS",
    "PORT_NAMES",
    "JanusServer",
    "JanusServerError",
    "find_janus_lib_dir",
    "render_jcfg",
]


class JanusServer(ConfigWriter, Endpoints, ProcessControl, SyncContext):
    """A real Janus gateway started as a child process, for tests.

    Every configuration file is generated in a work directory; all TCP
    listeners (HTTP, admin HTTP, WebSocket, admin WebSocket and, with TLS,
    HTTPS and secure WebSocket) bind to ``host`` on ports that are free at
    start. ICE is restricted to ``ice_address``: when that address is
    missing, it is created if the process runs as root (a veth pair,
    removed again by :meth:`stop`); otherwise Janus gathers candidates on
    every interface and one warning on the ``janus_client.testing`` logger
    says which ``ip`` commands would fix it (or, with ``require_ice``,
    :meth:`start` raises with that advice). The process
    runs with the recordings folder as its current directory, so relative
    recording paths end up there too.

    Example:
        ```python
        with JanusServer() as janus:
            url = janus.ws_url  # "ws://127.0.0.1:<port>"
        ```

    Args:
        workdir: Folder for configs, log and recordings. Created if needed
            and kept at :meth:`stop`; by default a temporary folder is
            created and removed at :meth:`stop`.
        binary: The Janus executable (a name looked up on ``PATH`` or a path).
        host: Address every TCP listener binds to; must be in 127.0.0.0/8.
        ice_address: The only address Janus gathers ICE candidates on
            (``nat.ice_enforce_list``), or None for no restriction. Created
            at :meth:`start` when missing and the process is root.
        require_ice: Raise at :meth:`start` instead of falling back to
            unrestricted ICE when ``ice_address`` is missing and cannot be
            created.
        ports: Fixed TCP ports by name (``http``, ``admin_http``, ``ws``,
            ``admin_ws``, ``https``, ``wss``); names left out, or given 0,
            get a free port. A fixed port that is taken fails the start.
        plugins: Load only these plugins (short or package names, e.g.
            ``["echotest", "janus.plugin.videoroom"]``); by default every
            installed plugin but the optional ones is loaded.
        api_secret: ``api_secret`` all Janus API requests must carry.
        admin_secret: ``admin_secret`` Admin API requests must carry.
        token_auth: Enable stored-token authentication (``token_auth``).
        token_auth_secret: Secret for HMAC-signed tokens; implies
            ``token_auth``.
        session_timeout: Seconds without keepalive before a session dies
            (0 disables the timeout).
        reclaim_session_timeout: Seconds during which a session whose
            transport went away can still be claimed.
        debug_level: Janus log level, 0 to 7.
        enable_plugins: Plugins to enable among those disabled by default
            (``voicemail``, ``duktape``, ``lua``); names may be short
            (``voicemail``), package (``janus.plugin.voicemail``) or library
            (``libjanus_voicemail.so``) names.
        plugin_configs: Extra settings per configuration file, merged over
            the generated defaults section by section, e.g.
            ``{"janus.plugin.videoroom": {"general": {"admin_key": "k"}}}``
            writes ``janus.plugin.videoroom.jcfg``. Any file name works,
            including ``"janus"`` and transports (changing their ports or
            addresses breaks the URL properties). A value of None removes a
            default setting.
        extra_general: Extra settings for the ``general`` section of
            ``janus.jcfg``.
        tls_cert: PEM certificate; with ``tls_key``, also enables HTTPS and
            secure WebSockets on ``host``.
        tls_key: PEM private key for ``tls_cert``.
        unix_sockets: Also enable the Unix-socket transport (``pfunix``),
            Janus API and Admin API, in the work directory.
        unix_socket_type: ``"SOCK_SEQPACKET"`` (default) or ``"SOCK_DGRAM"``
            for both Unix sockets (see `unix_url`).
        mqtt_broker: Also enable Janus' MQTT transport (Janus API and Admin
            API) on this broker, ``mqtt://host:port`` or ``tcp://host:port``
            (e.g. ``mosquitto_broker.url``). Topics are unique to this server
            (see `mqtt_url`).
        mqtt_version: ``"3.1.1"`` (Janus' default) or ``"5"``.
        rabbitmq_broker: Also enable Janus' RabbitMQ transport on this broker,
            ``amqp://user:pass@host:port/vhost`` (e.g. ``rabbitmq_broker.url``),
            with queues and a direct exchange unique to this server (see
            `amqp_url`). The broker must be up before `start`: Janus does not
            retry a broker that was down when it started.
        lib_dir: Folder holding Janus' ``plugins``, ``transports``,
            ``events`` and ``loggers`` folders; found automatically by
            default.

    """

    def __init__(
        self,
        *,
        workdir: str | os.PathLike[str] | None = None,
        binary: str = "janus",
        host: str = "127.0.0.1",
        ice_address: str | None = "127.0.0.2",
        require_ice: bool = False,
        ports: Mapping[str, int] | None = None,
        plugins: Iterable[str] | None = None,
        api_secret: str | None = None,
        admin_secret: str = "janusoverlord",
        token_auth: bool = False,
        token_auth_secret: str | None = None,
        session_timeout: int = 60,
        reclaim_session_timeout: int = 30,
        debug_level: int = 3,
        enable_plugins: Iterable[str] = (),
        plugin_configs: Mapping[str, Mapping[str, Mapping[str, object]]] | None = None,
        extra_general: Mapping[str, object] | None = None,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        unix_sockets: bool = False,
        unix_socket_type: str = "SOCK_SEQPACKET",
        mqtt_broker: str | None = None,
        mqtt_version: str = "3.1.1",
        rabbitmq_broker: str | None = None,
        lib_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        try:
            loopback = ipaddress.IPv4Address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ValueError(f"the test Janus only binds to 127.0.0.0/8, not {host!r}")
        if not 0 <= debug_level <= 7:
            raise ValueError(f"debug_level must be 0..7, got {debug_level}")
        if (tls_cert is None) != (tls_key is None):
            raise ValueError("tls_cert and tls_key go together")
        enabled = {normalise_plugin(p) for p in enable_plugins}
        unknown = enabled - set(OPTIONAL_PLUGINS)
        if unknown:
            raise ValueError(
                f"enable_plugins only knows {', '.join(OPTIONAL_PLUGINS)}; got {sorted(unknown)}"
            )
        self._fixed_ports = check_fixed_ports(ports)
        self._only_plugins = (
            frozenset(normalise_plugin(p) for p in plugins) if plugins is not None else None
        )
        if self._only_plugins is not None and not self._only_plugins:
            raise ValueError("plugins must name at least one plugin")
        self._require_ice = require_ice
        self._ice_lease: IceAddressLease | None = None
        self._user_workdir = Path(workdir) if workdir is not None else None
        self._binary = binary
        self._host = host
        self._ice_address = ice_address
        self._wanted_ice_address = ice_address
        self._api_secret = api_secret
        self._admin_secret = admin_secret
        self._token_auth = token_auth or token_auth_secret is not None
        self._token_auth_secret = token_auth_secret
        self._session_timeout = session_timeout
        self._reclaim_session_timeout = reclaim_session_timeout
        self._debug_level = debug_level
        self._enabled_plugins = frozenset(enabled)
        self._plugin_configs = {
            name: {section: dict(settings) for section, settings in sections.items()}
            for name, sections in (plugin_configs or {}).items()
        }
        self._extra_general = dict(extra_general or {})
        self._tls = (tls_cert, tls_key) if tls_cert is not None and tls_key is not None else None
        self._unix_sockets = unix_sockets
        if unix_socket_type not in ("SOCK_SEQPACKET", "SOCK_DGRAM"):
            raise ValueError(
                f"unix_socket_type must be SOCK_SEQPACKET or SOCK_DGRAM, got {unix_socket_type!r}"
            )
        if mqtt_version not in ("3.1.1", "5"):
            raise ValueError(f"mqtt_version must be '3.1.1' or '5', got {mqtt_version!r}")
        self._unix_socket_type = unix_socket_type
        self._mqtt_broker = broker_address(mqtt_broker, ("mqtt", "tcp"), 1883)
        self._mqtt_version = mqtt_version
        self._rabbitmq_broker = rabbitmq_broker
        self._rabbitmq = broker_address(rabbitmq_broker, ("amqp",), 5672)
        # Topic, queue and client names unique to this server, so that several
        # test Janus instances share one broker.
        self._broker_tag = secrets.token_hex(4)
        self._lib_dir = Path(lib_dir) if lib_dir is not None else None

        self._workdir: Path | None = None
        self._temp_workdir = False
        self._ports: dict[str, int] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stdout: IO[bytes] | None = None
        self._paused = False
        self._log_offset = 0

    # ------------------------------------------------------------------ #
    # Folders, settings and state

    def _need_workdir(self) -> Path:
        if self._workdir is None:
            self._workdir = self._make_workdir()
        return self._workdir

    def _make_workdir(self) -> Path:
        if self._user_workdir is not None:
            path = self._user_workdir.resolve()
            path.mkdir(parents=True, exist_ok=True)
            self._temp_workdir = False
        else:
            path = Path(tempfile.mkdtemp(prefix="janus-testbed-"))
            self._temp_workdir = True
            _LIVE_SERVERS.add(self)  # so that the folder goes away at exit at the latest
        (path / "conf").mkdir(exist_ok=True)
        (path / "recordings").mkdir(exist_ok=True)
        return path

    @property
    def workdir(self) -> Path:
        """Folder holding ``conf/``, ``recordings/`` and the logs (created on first use)."""
        return self._need_workdir()

    @property
    def config_dir(self) -> Path:
        """Folder holding the generated ``.jcfg`` files."""
        return self.workdir / "conf"

    @property
    def recordings_dir(self) -> Path:
        """Folder for recordings (``workdir/recordings``); Janus' current directory."""
        path = self.workdir / "recordings"
        path.mkdir(exist_ok=True)
        return path

    @property
    def log_path(self) -> Path:
        """The Janus log file (written by Janus itself with ``-L``)."""
        return self.workdir / "janus.log"

    @property
    def output_path(self) -> Path:
        """File catching the process' own stdout and stderr (normally almost empty)."""
        return self.workdir / "janus.out"

    @property
    def host(self) -> str:
        """The address all TCP listeners bind to."""
        return self._host

    @property
    def ice_address(self) -> str | None:
        """The only address Janus gathers ICE candidates on, if restricted.

        None after a :meth:`start` that fell back to unrestricted ICE.
        """
        return self._ice_address

    @property
    def ice_created(self) -> bool:
        """True while this server holds an ICE address it created (removed at stop)."""
        return self._ice_lease is not None and self._ice_lease.created

    @property
    def api_secret(self) -> str | None:
        """The ``api_secret`` the Janus API requires, if any."""
        return self._api_secret

    @property
    def admin_secret(self) -> str:
        """The ``admin_secret`` the Admin API requires."""
        return self._admin_secret

    @property
    def token_auth_secret(self) -> str | None:
        """The HMAC secret for signed tokens, if any."""
        return self._token_auth_secret

    def read_log(self) -> str:
        """Return the whole Janus log so far ("" if there is none yet).

        Returns:
            The log text (undecodable bytes replaced).

        """
        try:
            return self.log_path.read_text(errors="replace")
        except (FileNotFoundError, JanusServerError):
            return ""

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        where = self.ws_url if self._ports is not None else "no ports"
        return f"<JanusServer {state} {where} pid={self.pid}>"
