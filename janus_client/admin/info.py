"""Typed results of the server-level Admin API requests: ``info`` and ``get_status``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..events import read_fields
from ._util import as_dict, as_int, opt_int, opt_str

__all__ = ["ComponentInfo", "ServerInfo", "StatusInfo"]


@dataclass(frozen=True)
class ComponentInfo:
    """A plugin, transport, event handler or logger loaded by Janus.

    Attributes:
        package: Its package name (``janus.plugin.echotest``).
        name: Its descriptive name.
        author: Its author.
        description: What it does.
        version: Its version number.
        version_string: Its version as text.
    """

    package: str
    name: str | None = None
    author: str | None = None
    description: str | None = None
    version: int | None = None
    version_string: str | None = None

    @classmethod
    def from_json(cls, package: str, data: Any) -> ComponentInfo:
        """Build it from one entry of ``info``'s ``plugins``/``transports``/... objects."""
        return cls(**read_fields(cls, as_dict(data), package=package))


def components(value: Any) -> dict[str, ComponentInfo]:
    return {k: ComponentInfo.from_json(k, v) for k, v in as_dict(value).items()}


@dataclass(frozen=True)
class ServerInfo:
    """What ``info`` says about the server.

    For code written against janus-client 0.9.x, whose ``info()`` returned the raw
    dict, ``info["version"]`` and ``info.get(...)`` read the raw reply.

    Attributes:
        name: The server's name (``"Janus WebRTC Server"``).
        version: The version as a number (``1102`` for 1.1.2).
        version_string: The version as text (``"1.1.2"``).
        author: The author.
        server_name: The instance name from the configuration (``server_name``).
        local_ip: The local IP address Janus uses.
        session_timeout: Seconds without activity before a session expires (0: never).
        reclaim_session_timeout: Seconds a session can be reclaimed after its
            transport went away.
        candidates_timeout: Seconds trickled candidates are kept.
        accepting_new_sessions: Whether new sessions are accepted (see
            `JanusAdminMonitorClient.accept_new_sessions`).
        data_channels: Whether Janus was built with data channels.
        api_secret_required: Whether the Janus API requires an ``apisecret``.
        token_auth: Whether token authentication is enabled.
        event_handlers: Whether event handlers are enabled.
        plugins: The loaded plugins, by package name.
        transports: The loaded transports, by package name.
        event_handler_modules: The loaded event handlers, by package name.
        loggers: The loaded external loggers, by package name.
        dependencies: Library versions (``glib2``, ``libnice``, ...).
        raw: The whole reply.
    """

    name: str | None
    version: int
    version_string: str | None
    author: str | None = None
    server_name: str | None = None
    local_ip: str | None = None
    session_timeout: int | None = None
    reclaim_session_timeout: int | None = None
    candidates_timeout: int | None = None
    accepting_new_sessions: bool = True
    data_channels: bool = False
    api_secret_required: bool = False
    token_auth: bool = False
    event_handlers: bool = False
    plugins: dict[str, ComponentInfo] = field(default_factory=dict)
    transports: dict[str, ComponentInfo] = field(default_factory=dict)
    event_handler_modules: dict[str, ComponentInfo] = field(default_factory=dict)
    loggers: dict[str, ComponentInfo] = field(default_factory=dict)
    dependencies: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> ServerInfo:
        """Build it from a ``server_info`` reply."""
        deps = as_dict(body.get("dependencies"))
        return cls(
            name=opt_str(body.get("name")),
            version=as_int(body.get("version")),
            version_string=opt_str(body.get("version_string")),
            author=opt_str(body.get("author")),
            server_name=opt_str(body.get("server-name")),
            local_ip=opt_str(body.get("local-ip")),
            session_timeout=opt_int(body.get("session-timeout")),
            reclaim_session_timeout=opt_int(body.get("reclaim-session-timeout")),
            candidates_timeout=opt_int(body.get("candidates-timeout")),
            accepting_new_sessions=body.get("accepting-new-sessions") is not False,
            data_channels=body.get("data_channels") is True,
            api_secret_required=body.get("api_secret") is True,
            token_auth=body.get("auth_token") is True,
            event_handlers=body.get("event_handlers") is True,
            plugins=components(body.get("plugins")),
            transports=components(body.get("transports")),
            event_handler_modules=components(body.get("events")),
            loggers=components(body.get("loggers")),
            dependencies={k: v for k, v in deps.items() if isinstance(v, str)},
            raw=dict(body),
        )

    def __getitem__(self, key: str) -> Any:
        """Read a field of the raw reply (janus-client 0.9.x returned the dict)."""
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Read a field of the raw reply, or ``default`` (0.9.x compatibility)."""
        return self.raw.get(key, default)


#: The `StatusInfo` flags whose key is their name.
_STATUS_FLAGS = (
    "token_auth",
    "log_timestamps",
    "log_colors",
    "locking_debug",
    "refcount_debug",
    "libnice_debug",
)


@dataclass(frozen=True)
class StatusInfo:
    """The settings ``get_status`` reports, most of them changeable at runtime.

    Attributes:
        token_auth: Whether stored-token authentication is enabled.
        session_timeout: Seconds without activity before a session expires (0: never).
        reclaim_session_timeout: Seconds a session can be reclaimed after its
            transport went away.
        candidates_timeout: Seconds trickled candidates are kept.
        log_level: The log level (0 to 7).
        log_timestamps: Whether log lines carry a timestamp.
        log_colors: Whether log lines are coloured.
        locking_debug: Whether lock debugging is on.
        refcount_debug: Whether reference counter debugging is on.
        libnice_debug: Whether libnice debugging is on.
        min_nack_queue: The minimum NACK queue window, in milliseconds.
        nack_optimizations: Whether NACK optimizations are on.
        no_media_timer: Seconds without media before a ``media`` event says so.
        slowlink_threshold: NACKs per second that trigger a ``slowlink`` event
            (0: disabled).
        raw: The ``status`` object as Janus sent it.
    """

    token_auth: bool = False
    session_timeout: int | None = None
    reclaim_session_timeout: int | None = None
    candidates_timeout: int | None = None
    log_level: int | None = None
    log_timestamps: bool = False
    log_colors: bool = False
    locking_debug: bool = False
    refcount_debug: bool = False
    libnice_debug: bool = False
    min_nack_queue: int | None = None
    nack_optimizations: bool = False
    no_media_timer: int | None = None
    slowlink_threshold: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, status: Mapping[str, Any]) -> StatusInfo:
        """Build it from the ``status`` object of a ``get_status`` reply."""
        # The numbers are read by their annotation; a flag is on only when Janus
        # sent ``true`` (``nack-optimizations`` is the name 1.1.x uses).
        flags = {name: status.get(name) is True for name in _STATUS_FLAGS}
        nacks = status.get("nack-optimizations", status.get("nack_optimizations")) is True
        return cls(
            **read_fields(cls, status, **flags, nack_optimizations=nacks, raw=dict(status))
        )
