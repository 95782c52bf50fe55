"""The TCP ports of the test Janus and the URLs that reach it (a base of `JanusServer`).

Private to `janus_client.testing`.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from janus_client.testing._brokers import free_ports
from janus_client.testing._process import JanusServerError
from janus_client.testing._state import ServerState

__all__ = ["PORT_NAMES", "Endpoints", "broker_address", "check_fixed_ports"]

#: Port names, as in :attr:`JanusServer.ports`.
PORT_NAMES: tuple[str, ...] = ("http", "admin_http", "ws", "admin_ws", "https", "wss")


def check_fixed_ports(ports: Mapping[str, int] | None) -> dict[str, int]:
    """Check ``JanusServer(ports=...)``; return the fixed ones (0 = any free port, left out).

    Raises:
        ValueError: An unknown name, a value that is not a port, or one port twice.

    """
    fixed = dict(ports or {})
    bad = sorted(set(fixed) - set(PORT_NAMES))
    if bad:
        raise ValueError(f"unknown port name(s) {bad}; known: {', '.join(PORT_NAMES)}")
    for name, port in fixed.items():
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port {name} must be an integer 0..65535, got {port!r}")
    chosen = {name: port for name, port in fixed.items() if port}
    if len(set(chosen.values())) != len(chosen):
        raise ValueError(f"the same port is given twice: {chosen}")
    return chosen


def broker_address(
    url: str | None, schemes: tuple[str, ...], default_port: int
) -> tuple[str, int] | None:
    """Return ``(host, port)`` of a broker URL, or None for no broker."""
    if url is None:
        return None
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in schemes or parts.hostname is None:
        raise ValueError(
            f"broker URL {url!r} must be {' or '.join(s + '://host:port' for s in schemes)}"
        )
    return parts.hostname, parts.port or default_port


class Endpoints(ServerState):
    """The ports `JanusServer` listens on and the URLs of every transport."""

    def _need_ports(self) -> dict[str, int]:
        if self._ports is None:
            raise JanusServerError("the Janus server has not been started")
        return self._ports

    @property
    def ports(self) -> dict[str, int]:
        """The TCP ports in use, by name (``http``, ``admin_http``, ``ws``, ...)."""
        return dict(self._need_ports())

    @property
    def http_url(self) -> str:
        """Janus API over HTTP, e.g. ``http://127.0.0.1:8088/janus``."""
        return f"http://{self._host}:{self._need_ports()['http']}/janus"

    @property
    def ws_url(self) -> str:
        """Janus API over WebSocket (subprotocol ``janus-protocol``)."""
        return f"ws://{self._host}:{self._need_ports()['ws']}"

    @property
    def admin_http_url(self) -> str:
        """Admin API over HTTP, e.g. ``http://127.0.0.1:7088/admin``."""
        return f"http://{self._host}:{self._need_ports()['admin_http']}/admin"

    @property
    def admin_ws_url(self) -> str:
        """Admin API over WebSocket (subprotocol ``janus-admin-protocol``)."""
        return f"ws://{self._host}:{self._need_ports()['admin_ws']}"

    @property
    def https_url(self) -> str | None:
        """Janus API over HTTPS, or None without TLS."""
        ports = self._need_ports()
        return f"https://{self._host}:{ports['https']}/janus" if "https" in ports else None

    @property
    def wss_url(self) -> str | None:
        """Janus API over secure WebSocket, or None without TLS."""
        ports = self._need_ports()
        return f"wss://{self._host}:{ports['wss']}" if "wss" in ports else None

    @property
    def unix_socket_path(self) -> Path | None:
        """Janus API Unix socket (``SOCK_SEQPACKET``), or None if not enabled."""
        return self.workdir / "janus-api.sock" if self._unix_sockets else None

    @property
    def admin_unix_socket_path(self) -> Path | None:
        """Admin API Unix socket (``SOCK_SEQPACKET``), or None if not enabled."""
        return self.workdir / "janus-admin.sock" if self._unix_sockets else None

    @property
    def unix_url(self) -> str | None:
        """Janus API over the Unix socket (``unix://`` or ``unix+dgram://``), or None."""
        path = self.unix_socket_path
        return f"{self._unix_scheme}://{path}" if path is not None else None

    @property
    def admin_unix_url(self) -> str | None:
        """Admin API over the Unix socket, or None if not enabled."""
        path = self.admin_unix_socket_path
        return f"{self._unix_scheme}://{path}" if path is not None else None

    @property
    def _unix_scheme(self) -> str:
        return "unix+dgram" if self._unix_socket_type == "SOCK_DGRAM" else "unix"

    def _topic(self, name: str) -> str:
        return f"{name}-{self._broker_tag}"

    @property
    def mqtt_url(self) -> str | None:
        """Janus API over MQTT (topics and version in the query), or None."""
        return self._mqtt_client_url(admin=False)

    @property
    def admin_mqtt_url(self) -> str | None:
        """Admin API over MQTT, or None if MQTT is not enabled."""
        return self._mqtt_client_url(admin=True)

    def _mqtt_client_url(self, *, admin: bool) -> str | None:
        if self._mqtt_broker is None:
            return None
        host, port = self._mqtt_broker
        suffix = "-admin" if admin else ""
        return (
            f"mqtt://{host}:{port}?request_topic={self._topic('to-janus' + suffix)}"
            f"&reply_topic={self._topic('from-janus' + suffix)}"
            f"&mqtt_version={self._mqtt_version}"
        )

    @property
    def amqp_url(self) -> str | None:
        """Janus API over RabbitMQ (queues and exchange in the query), or None."""
        return self._amqp_client_url(admin=False)

    @property
    def admin_amqp_url(self) -> str | None:
        """Admin API over RabbitMQ, or None if RabbitMQ is not enabled."""
        return self._amqp_client_url(admin=True)

    def _amqp_client_url(self, *, admin: bool) -> str | None:
        if self._rabbitmq_broker is None:
            return None
        base = self._rabbitmq_broker.split("?", 1)[0]
        if urllib.parse.urlsplit(base).path in ("", "/"):
            base = base.rstrip("/") + "/"
        suffix = "-admin" if admin else ""
        return (
            f"{base}?to_janus={self._topic('to-janus' + suffix)}"
            f"&from_janus={self._topic('from-janus' + suffix)}"
            f"&exchange={self._topic('janus-exchange')}"
        )

    def _choose_ports(self) -> dict[str, int]:
        names = ["http", "admin_http", "ws", "admin_ws"]
        if self._tls is not None:
            names += ["https", "wss"]
        free = [n for n in names if n not in self._fixed_ports]
        chosen = dict(zip(free, free_ports(len(free), self._host), strict=True))
        chosen.update({n: p for n, p in self._fixed_ports.items() if n in names})
        return {n: chosen[n] for n in names}
