"""`JanusAdminMonitorClient`: the Janus Admin/Monitor API.

The Admin API inspects and steers a running Janus: server settings, stored
tokens, sessions and handles (with their ICE/DTLS state), packet captures,
plugin, transport and event handler requests, and a few helpers. It is served
on its own endpoints (``http://host:7088/admin``, or a WebSocket with the
``janus-admin-protocol`` subprotocol) and every request but ``info`` and
``ping`` carries the ``admin_secret``.

Examples:
    ```python
    async with JanusAdminMonitorClient("http://127.0.0.1:7088/admin", "janusoverlord") as admin:
        for session_id in await admin.list_sessions():
            for handle_id in await admin.list_handles(session_id):
                info = await admin.handle_info(session_id, handle_id)
                print(info.plugin, info.ice_state, info.dtls_state)
    ```
"""

from __future__ import annotations

import logging
import ssl as _ssl
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from .config import Timeouts
from .coverage import JANUS_REQUESTS
from .errors import InvalidStateError, ProtocolError, ServerError
from .protocol import RedactedReprDict, plugin_error
from .transports.base import JanusTransport
from .transports.websocket import JanusTransportWebsocket

__all__ = [
    "ADMIN_SUBPROTOCOL",
    "ComponentInfo",
    "HandleInfo",
    "JanusAdminMonitorClient",
    "ServerInfo",
    "StatusInfo",
]

logger = logging.getLogger("janus_client")

#: The WebSocket subprotocol of the Admin API.
ADMIN_SUBPROTOCOL = "janus-admin-protocol"
# Broker transports, whose default topics / queues differ for the Admin API.
_BROKER_SCHEMES = ("mqtt", "mqtts", "amqp", "amqps")

# Requests Janus answers without the admin secret.
_PUBLIC = frozenset({"info", "ping"})

# Hints that fit the Admin API better than the Janus API ones of `errors`.
_ADMIN_HINTS: dict[int, str] = {
    403: "pass the server's admin_secret to JanusAdminMonitorClient",
    458: "no such session on the server: it was destroyed or expired",
    459: "no such handle in this session: it was detached",
}


# --------------------------------------------------------------------- helpers
def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _check_id(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return value


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return value


def _check_int(name: str, value: object, low: int = 0, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {bounds}, got {value}")
    return value


def _check_str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _check_plugins(name: str, value: object, *, allow_empty: bool) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of plugin package names, got {value!r}")
    plugins = list(value)
    for i, item in enumerate(plugins):
        if not isinstance(item, str) or not item:
            raise TypeError(f"{name}[{i}] must be a plugin package name, got {item!r}")
    if not plugins and not allow_empty:
        raise ValueError(f"{name} must name at least one plugin")
    return plugins


def _check_mapping(name: str, value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(value).__name__}")
    return dict(value)


def _expect(body: dict[str, Any], key: str, request: str) -> Any:
    if key not in body:
        raise ProtocolError(f"Janus replied to {request!r} without {key!r}: {body!r}")
    return body[key]


def _id_list(body: dict[str, Any], key: str, request: str) -> list[int]:
    value = _expect(body, key, request)
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise ProtocolError(f"Janus replied to {request!r} with a bad {key!r} list: {value!r}")
    return list(value)


# --------------------------------------------------------------------- results
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
        d = _dict(data)
        return cls(
            package=package,
            name=_str(d.get("name")),
            author=_str(d.get("author")),
            description=_str(d.get("description")),
            version=_opt_int(d.get("version")),
            version_string=_str(d.get("version_string")),
        )


def _components(value: Any) -> dict[str, ComponentInfo]:
    return {k: ComponentInfo.from_json(k, v) for k, v in _dict(value).items()}


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
        deps = _dict(body.get("dependencies"))
        return cls(
            name=_str(body.get("name")),
            version=_int(body.get("version")),
            version_string=_str(body.get("version_string")),
            author=_str(body.get("author")),
            server_name=_str(body.get("server-name")),
            local_ip=_str(body.get("local-ip")),
            session_timeout=_opt_int(body.get("session-timeout")),
            reclaim_session_timeout=_opt_int(body.get("reclaim-session-timeout")),
            candidates_timeout=_opt_int(body.get("candidates-timeout")),
            accepting_new_sessions=body.get("accepting-new-sessions") is not False,
            data_channels=body.get("data_channels") is True,
            api_secret_required=body.get("api_secret") is True,
            token_auth=body.get("auth_token") is True,
            event_handlers=body.get("event_handlers") is True,
            plugins=_components(body.get("plugins")),
            transports=_components(body.get("transports")),
            event_handler_modules=_components(body.get("events")),
            loggers=_components(body.get("loggers")),
            dependencies={k: v for k, v in deps.items() if isinstance(v, str)},
            raw=dict(body),
        )

    def __getitem__(self, key: str) -> Any:
        """Read a field of the raw reply (janus-client 0.9.x returned the dict)."""
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Read a field of the raw reply, or ``default`` (0.9.x compatibility)."""
        return self.raw.get(key, default)


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
        return cls(
            token_auth=status.get("token_auth") is True,
            session_timeout=_opt_int(status.get("session_timeout")),
            reclaim_session_timeout=_opt_int(status.get("reclaim_session_timeout")),
            candidates_timeout=_opt_int(status.get("candidates_timeout")),
            log_level=_opt_int(status.get("log_level")),
            log_timestamps=status.get("log_timestamps") is True,
            log_colors=status.get("log_colors") is True,
            locking_debug=status.get("locking_debug") is True,
            refcount_debug=status.get("refcount_debug") is True,
            libnice_debug=status.get("libnice_debug") is True,
            min_nack_queue=_opt_int(status.get("min_nack_queue")),
            nack_optimizations=status.get("nack-optimizations", status.get("nack_optimizations"))
            is True,
            no_media_timer=_opt_int(status.get("no_media_timer")),
            slowlink_threshold=_opt_int(status.get("slowlink_threshold")),
            raw=dict(status),
        )


@dataclass(frozen=True)
class HandleInfo:
    """A snapshot of one handle, from ``handle_info``.

    Attributes:
        session_id: The session the handle belongs to.
        handle_id: The handle.
        plugin: The plugin package it is attached to.
        opaque_id: The opaque id given at attach, if any.
        session_transport: The transport the session came in on
            (``janus.transport.websockets``, ...).
        session_timeout: The session's timeout in seconds.
        created: When the handle was created (Janus' monotonic clock, microseconds).
        current_time: Janus' monotonic clock when the snapshot was taken.
        plugin_specific: The plugin's own view of the handle.
        flags: The WebRTC flags of the handle (``negotiated``, ``ready``, ...); empty
            with ``plugin_only``.
        ice_mode: ``"full"`` or ``"lite"``, once a PeerConnection exists.
        ice_role: ``"controlling"`` or ``"controlled"``, once a PeerConnection exists.
        ice_state: The ICE state (``"connecting"``, ``"connected"``, ``"ready"``,
            ``"failed"``, ...), or None without a PeerConnection.
        dtls_state: The DTLS state (``"trying"``, ``"connected"``, ...), or None.
        selected_pair: The selected ICE candidate pair, as Janus describes it.
        local_candidates: Janus' ICE candidates.
        remote_candidates: The peer's ICE candidates.
        media: Per m-line details (type, mid, codecs, SSRCs, RTCP and stats) by index.
        sdps: The local and remote SDP (``local``, ``remote``, ``profile``).
        dump_file: The file a pcap/text2pcap capture of the handle writes to, if any.
        webrtc: The whole ``webrtc`` object (empty without a PeerConnection).
        raw: The ``info`` object as Janus sent it.
    """

    session_id: int
    handle_id: int
    plugin: str | None = None
    opaque_id: str | None = None
    session_transport: str | None = None
    session_timeout: int | None = None
    created: int | None = None
    current_time: int | None = None
    plugin_specific: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)
    ice_mode: str | None = None
    ice_role: str | None = None
    ice_state: str | None = None
    dtls_state: str | None = None
    selected_pair: str | None = None
    local_candidates: tuple[str, ...] = ()
    remote_candidates: tuple[str, ...] = ()
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    sdps: dict[str, Any] = field(default_factory=dict)
    dump_file: str | None = None
    webrtc: dict[str, Any] = field(default_factory=dict, repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # repr() (tracebacks, log lines) shows the SDPs' sizes, never their bodies.
        if type(self.sdps) is not RedactedReprDict:
            object.__setattr__(self, "sdps", RedactedReprDict(self.sdps))

    @property
    def webrtc_ready(self) -> bool:
        """Whether the PeerConnection is up (the ``ready`` flag)."""
        return self.flags.get("ready") is True

    @classmethod
    def from_json(cls, info: Mapping[str, Any], session_id: int, handle_id: int) -> HandleInfo:
        """Build it from the ``info`` object of a ``handle_info`` reply."""
        webrtc = _dict(info.get("webrtc"))
        ice = _dict(webrtc.get("ice"))
        dtls = _dict(webrtc.get("dtls"))
        flags = {k: v for k, v in _dict(info.get("flags")).items() if isinstance(v, bool)}
        media = {str(k): _dict(v) for k, v in _dict(webrtc.get("media")).items()}
        dump = _str(info.get("pcap-file")) or _str(info.get("text2pcap-file"))
        return cls(
            session_id=_int(info.get("session_id"), session_id),
            handle_id=_int(info.get("handle_id"), handle_id),
            plugin=_str(info.get("plugin")),
            opaque_id=_str(info.get("opaque_id")),
            session_transport=_str(info.get("session_transport")),
            session_timeout=_opt_int(info.get("session_timeout")),
            created=_opt_int(info.get("created")),
            current_time=_opt_int(info.get("current_time")),
            plugin_specific=_dict(info.get("plugin_specific")),
            flags=flags,
            ice_mode=_str(info.get("ice-mode")),
            ice_role=_str(info.get("ice-role")),
            ice_state=_str(ice.get("state")),
            dtls_state=_str(dtls.get("dtls-state")),
            selected_pair=_str(ice.get("selected-pair")),
            local_candidates=tuple(
                c for c in ice.get("local-candidates") or () if isinstance(c, str)
            ),
            remote_candidates=tuple(
                c for c in ice.get("remote-candidates") or () if isinstance(c, str)
            ),
            media=media,
            sdps=_dict(info.get("sdps")),
            dump_file=dump,
            webrtc=webrtc,
            raw=dict(info),
        )


# ---------------------------------------------------------------------- client
class JanusAdminMonitorClient:
    """Client of the Janus Admin/Monitor API.

    No Janus session is involved: requests go straight to the admin endpoint.
    The connection opens on first use (or with `connect`); close it with
    `disconnect` / `close`, or use the client as an async context manager.
    Every method takes ``timeout=`` (seconds; default ``timeouts.request``) and
    raises the typed `ServerError` Janus answers with, for example
    `UnauthorizedError` (403) for a wrong or missing admin secret.

    Args:
        base_url: The admin endpoint: ``http(s)://host:7088/admin`` or
            ``ws(s)://host:7188`` (the WebSocket uses the ``janus-admin-protocol``
            subprotocol). Not needed when ``transport`` is given.
        admin_secret: The server's ``admin_secret`` (None sends none; only
            ``info`` and ``ping`` then work on a server that has one).
        api_secret: Kept for janus-client 0.9.x compatibility; the Admin API
            authenticates with ``admin_secret`` only, so it is not sent.
        token: Kept for 0.9.x compatibility, not sent (see ``api_secret``).
        transport: A transport to the admin endpoint to use instead of creating
            one; the client never closes a transport it was given.
        timeouts: Deadlines (default: the transport's).
        ssl: TLS context for ``https://`` / ``wss://``.

    Raises:
        ValueError: Neither ``base_url`` nor ``transport``, an unknown scheme, or a
            WebSocket transport without the admin subprotocol.
    """

    #: Admin API requests and the methods that send them (see `janus_client.coverage`).
    # Every admin request is sent by the method of the same name.
    requests: ClassVar[dict[str, str]] = {name: name for name in JANUS_REQUESTS["admin"]}

    def __init__(
        self,
        base_url: str | None,
        admin_secret: str | None,
        api_secret: str | None = None,
        token: str | None = None,
        *,
        transport: JanusTransport | None = None,
        timeouts: Timeouts | None = None,
        ssl: _ssl.SSLContext | None = None,
    ) -> None:
        for name, value in (
            ("admin_secret", admin_secret),
            ("api_secret", api_secret),
            ("token", token),
        ):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a string or None, got {type(value).__name__}")
        if timeouts is not None and not isinstance(timeouts, Timeouts):
            raise TypeError(f"timeouts must be a Timeouts instance, got {type(timeouts).__name__}")
        self.admin_secret = admin_secret
        self.api_secret = api_secret
        self.token = token
        self._timeouts = timeouts
        self._ssl = ssl
        if transport is None:
            if base_url is None:
                raise ValueError("JanusAdminMonitorClient needs a base_url or a transport")
            self.base_url = base_url
            self._transport = self._new_transport()
            self._owns_transport = True
        else:
            if not isinstance(transport, JanusTransport):
                raise TypeError(
                    f"transport must be a JanusTransport, got {type(transport).__name__}"
                )
            if (
                isinstance(transport, JanusTransportWebsocket)
                and transport.subprotocol != ADMIN_SUBPROTOCOL
            ):
                raise ValueError(
                    f"the Admin API over WebSocket needs subprotocol {ADMIN_SUBPROTOCOL!r}, "
                    f"the transport uses {transport.subprotocol!r}"
                )
            self.base_url = transport.base_url
            self._transport = transport
            self._owns_transport = False
        self._closed = False

    def _new_transport(self) -> JanusTransport:
        kwargs: dict[str, Any] = {"timeouts": self._timeouts, "ssl": self._ssl}
        if urlsplit(self.base_url).scheme.lower() in JanusTransportWebsocket.schemes:
            kwargs["subprotocol"] = ADMIN_SUBPROTOCOL
        elif urlsplit(self.base_url).scheme.lower() in _BROKER_SCHEMES:
            kwargs["admin"] = True  # the admin topics / queues by default
        return JanusTransport.create_transport(self.base_url, self.api_secret, self.token, **kwargs)

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self.connected else "idle")
        return f"<JanusAdminMonitorClient {self.base_url} {state}>"

    # -------------------------------------------------------------- lifecycle
    @property
    def transport(self) -> JanusTransport:
        """The transport requests go through."""
        return self._transport

    @property
    def timeouts(self) -> Timeouts:
        """The deadlines in use."""
        return self._transport.timeouts

    @property
    def connected(self) -> bool:
        """Whether the connection to the admin endpoint is open."""
        return self._transport.connected

    async def connect(self) -> None:
        """Open the connection (requests also open it on first use).

        After `disconnect`, this opens a new connection.

        Raises:
            ConnectError: The admin endpoint cannot be reached.
        """
        if self._owns_transport and self._transport.closed:
            self._transport = self._new_transport()
        self._closed = False
        await self._transport.connect()
        logger.debug("admin client connected to %s", self.base_url)

    async def disconnect(self) -> None:
        """Close the connection (idempotent); `connect` opens a new one.

        A transport given to the constructor is left open.
        """
        self._closed = True
        if self._owns_transport:
            await self._transport.close()

    async def close(self) -> None:
        """Same as `disconnect`."""
        await self.disconnect()

    async def __aenter__(self) -> JanusAdminMonitorClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.disconnect()

    # ---------------------------------------------------------------- requests
    async def send(
        self,
        request: str,
        /,
        *,
        session_id: int | None = None,
        handle_id: int | None = None,
        timeout: float | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Send any Admin API request and return Janus' reply.

        The transaction and ``admin_secret`` are added. ``session_id`` (and
        ``handle_id``) address session- and handle-level requests; over HTTP
        they also choose the path (``/admin/<session>/<handle>``).

        Args:
            request: The request name (``"get_status"``, ...).
            session_id: The session the request is about.
            handle_id: The handle the request is about (needs ``session_id``).
            timeout: Deadline in seconds.
            **fields: The request's fields (None values are left out).

        Returns:
            The whole reply (``{"janus": "success", ...}``).

        Raises:
            ServerError: Janus answered with an error (typed by code).
            RequestTimeoutError: No reply in time.
            TransportError: The connection failed.
            InvalidStateError: The client was disconnected.
        """
        _check_str("request", request)
        if session_id is not None:
            _check_id("session_id", session_id)
        if handle_id is not None:
            _check_id("handle_id", handle_id)
            if session_id is None:
                raise ValueError("handle_id needs session_id")
        return await self._call(
            request, fields, session_id=session_id, handle_id=handle_id, timeout=timeout
        )

    async def _call(
        self,
        request: str,
        fields: Mapping[str, Any],
        *,
        session_id: int | None = None,
        handle_id: int | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        if self._closed:
            raise InvalidStateError(
                f"cannot send {request!r}: the admin client was disconnected (call connect())"
            )
        transport = self._transport
        msg: dict[str, Any] = {"janus": request, "transaction": transport.new_transaction()}
        if session_id is not None:
            msg["session_id"] = session_id
        if handle_id is not None:
            msg["handle_id"] = handle_id
        for key, value in fields.items():
            if value is not None:
                msg[key] = value
        if self.admin_secret is not None and request not in _PUBLIC:
            msg["admin_secret"] = self.admin_secret
        try:
            reply = await transport.request(msg, owner=self, timeout=timeout)
        except ServerError as exc:
            hint = _ADMIN_HINTS.get(exc.code)
            if hint is None:
                raise
            raise type(exc)(
                exc.reason, code=exc.code, request=exc.request, url=exc.url, hint=hint
            ) from None
        return reply.body

    # ---------------------------------------------------------------- generic
    async def info(self, *, timeout: float | None = None) -> ServerInfo:
        """Return the server's information (needs no admin secret).

        Returns:
            A `ServerInfo`; ``info["key"]`` still reads the raw reply as in 0.9.x.
        """
        return ServerInfo.from_json(await self._call("info", {}, timeout=timeout))

    async def ping(self, *, timeout: float | None = None) -> dict[str, Any]:
        """Send ``ping`` (needs no admin secret) and return the ``pong`` reply."""
        return await self._call("ping", {}, timeout=timeout)

    async def loops_info(self, *, timeout: float | None = None) -> list[dict[str, Any]]:
        """Return how many handles each static event loop serves.

        Returns:
            One object per loop (``id``, ``handles``); empty when Janus uses no
            static event loops (the default).
        """
        body = await self._call("loops_info", {}, timeout=timeout)
        loops = _expect(body, "loops", "loops_info")
        return [dict(loop) for loop in loops if isinstance(loop, Mapping)]

    # ---------------------------------------------------------- configuration
    async def get_status(self, *, timeout: float | None = None) -> StatusInfo:
        """Return the settings that can be changed at runtime."""
        body = await self._call("get_status", {}, timeout=timeout)
        return StatusInfo.from_json(_dict(_expect(body, "status", "get_status")))

    async def get_settings(self, *, timeout: float | None = None) -> dict[str, Any]:
        """Return ``get_status``' raw ``status`` object (the janus-client 0.9.x name)."""
        return (await self.get_status(timeout=timeout)).raw

    async def _set(
        self, request: str, field_name: str, value: Any, reply_key: str, **kw: Any
    ) -> Any:
        body = await self._call(request, {field_name: value}, **kw)
        return _expect(body, reply_key, request)

    async def set_session_timeout(
        self, session_timeout: int, *, timeout: float | None = None
    ) -> int:
        """Set the global session timeout in seconds (0 disables it); return it."""
        _check_int("session_timeout", session_timeout)
        value = await self._set(
            "set_session_timeout", "timeout", session_timeout, "timeout", timeout=timeout
        )
        return _int(value)

    async def set_log_level(self, log_level: int, *, timeout: float | None = None) -> int:
        """Set the log level (0 none to 7 huge); return it."""
        _check_int("log_level", log_level, 0, 7)
        return _int(await self._set("set_log_level", "level", log_level, "level", timeout=timeout))

    async def set_log_timestamps(
        self, log_timestamps: bool, *, timeout: float | None = None
    ) -> bool:
        """Turn timestamps in log lines on or off; return the new setting."""
        _check_bool("log_timestamps", log_timestamps)
        value = await self._set(
            "set_log_timestamps", "timestamps", log_timestamps, "log_timestamps", timeout=timeout
        )
        return value is True

    async def set_log_colors(self, log_colors: bool, *, timeout: float | None = None) -> bool:
        """Turn colours in log lines on or off; return the new setting."""
        _check_bool("log_colors", log_colors)
        value = await self._set(
            "set_log_colors", "colors", log_colors, "log_colors", timeout=timeout
        )
        return value is True

    async def set_locking_debug(self, locking_debug: bool, *, timeout: float | None = None) -> bool:
        """Turn live lock debugging on or off; return the new setting."""
        _check_bool("locking_debug", locking_debug)
        value = await self._set(
            "set_locking_debug", "debug", locking_debug, "locking_debug", timeout=timeout
        )
        return value is True

    async def set_refcount_debug(
        self, refcount_debug: bool, *, timeout: float | None = None
    ) -> bool:
        """Turn live reference counter debugging on or off; return the new setting."""
        _check_bool("refcount_debug", refcount_debug)
        value = await self._set(
            "set_refcount_debug", "debug", refcount_debug, "refcount_debug", timeout=timeout
        )
        return value is True

    async def set_libnice_debug(self, libnice_debug: bool, *, timeout: float | None = None) -> bool:
        """Turn libnice debugging on or off; return the new setting."""
        _check_bool("libnice_debug", libnice_debug)
        value = await self._set(
            "set_libnice_debug", "debug", libnice_debug, "libnice_debug", timeout=timeout
        )
        return value is True

    async def set_min_nack_queue(self, min_nack_queue: int, *, timeout: float | None = None) -> int:
        """Set the minimum NACK queue window in milliseconds; return it."""
        _check_int("min_nack_queue", min_nack_queue)
        value = await self._set(
            "set_min_nack_queue",
            "min_nack_queue",
            min_nack_queue,
            "min_nack_queue",
            timeout=timeout,
        )
        return _int(value)

    async def set_no_media_timer(self, no_media_timer: int, *, timeout: float | None = None) -> int:
        """Set the seconds without media before a ``media`` event reports it; return it."""
        _check_int("no_media_timer", no_media_timer)
        value = await self._set(
            "set_no_media_timer",
            "no_media_timer",
            no_media_timer,
            "no_media_timer",
            timeout=timeout,
        )
        return _int(value)

    async def set_slowlink_threshold(
        self, slowlink_threshold: int, *, timeout: float | None = None
    ) -> int:
        """Set the NACKs per second that trigger ``slowlink`` (0 disables); return it."""
        _check_int("slowlink_threshold", slowlink_threshold)
        value = await self._set(
            "set_slowlink_threshold",
            "slowlink_threshold",
            slowlink_threshold,
            "slowlink_threshold",
            timeout=timeout,
        )
        return _int(value)

    async def set_nack_optimizations(
        self, nack_optimizations: bool, *, timeout: float | None = None
    ) -> bool:
        """Turn the NACK optimizations on or off; return the new setting.

        With them on, Janus does not retransmit a packet it retransmitted very
        recently (``media.nack_optimizations`` in ``janus.jcfg``). The request is
        missing from 1.1.2's HTML documentation; the current value is also in
        `info` and `get_status` as ``nack-optimizations``.

        Args:
            nack_optimizations: Whether to enable them.
            timeout: Deadline in seconds.
        """
        _check_bool("nack_optimizations", nack_optimizations)
        value = await self._set(
            "set_nack_optimizations",
            "nack_optimizations",
            nack_optimizations,
            "nack-optimizations",
            timeout=timeout,
        )
        return value is True

    # ------------------------------------------------------------------ tokens
    async def add_token(
        self,
        token: str | None = None,
        plugins: Iterable[str] | None = None,
        *,
        timeout: float | None = None,
    ) -> str:
        """Add a stored token (the server needs ``token_auth``).

        Args:
            token: The token; a random one is made when None.
            plugins: The plugins it may attach to; none or empty means all of them.
                Janus silently leaves out unknown plugin names.
            timeout: Deadline in seconds.

        Returns:
            The token.

        Raises:
            UnknownJanusError: Stored-token authentication is disabled (490).
        """
        token = uuid.uuid4().hex if token is None else _check_str("token", token)
        names = _check_plugins("plugins", plugins if plugins is not None else [], allow_empty=True)
        await self._call("add_token", {"token": token, "plugins": names or None}, timeout=timeout)
        return token

    async def allow_token(
        self, token: str, plugins: Iterable[str], *, timeout: float | None = None
    ) -> list[str]:
        """Let a stored token attach to more plugins; return all the plugins it may use.

        Raises:
            ValueError: ``plugins`` is empty.
            TokenNotFoundError: No such token (470).
        """
        return await self._token_plugins("allow_token", token, plugins, timeout)

    async def disallow_token(
        self, token: str, plugins: Iterable[str], *, timeout: float | None = None
    ) -> list[str]:
        """Stop a stored token from attaching to plugins; return the plugins it may still use.

        Raises:
            ValueError: ``plugins`` is empty.
            TokenNotFoundError: No such token (470).
        """
        return await self._token_plugins("disallow_token", token, plugins, timeout)

    async def _token_plugins(
        self, request: str, token: str, plugins: Iterable[str], timeout: float | None
    ) -> list[str]:
        _check_str("token", token)
        names = _check_plugins("plugins", plugins, allow_empty=False)
        body = await self._call(request, {"token": token, "plugins": names}, timeout=timeout)
        allowed = _dict(body.get("data")).get("plugins")
        if not isinstance(allowed, list):
            raise ProtocolError(f"Janus replied to {request!r} without data.plugins: {body!r}")
        return [p for p in allowed if isinstance(p, str)]

    async def list_tokens(self, *, timeout: float | None = None) -> list[dict[str, Any]]:
        """Return the stored tokens, each as ``{"token": ..., "allowed_plugins": [...]}``.

        Raises:
            UnknownJanusError: Stored-token authentication is disabled (490).
        """
        body = await self._call("list_tokens", {}, timeout=timeout)
        tokens = _dict(body.get("data")).get("tokens")
        if not isinstance(tokens, list):
            raise ProtocolError(f"Janus replied to 'list_tokens' without data.tokens: {body!r}")
        return [dict(t) for t in tokens if isinstance(t, Mapping)]

    async def remove_token(self, token: str, *, timeout: float | None = None) -> bool:
        """Remove a stored token; return True.

        Raises:
            UnknownJanusError: No such token: Janus answers 490, not 470.
        """
        _check_str("token", token)
        await self._call("remove_token", {"token": token}, timeout=timeout)
        return True

    # ---------------------------------------------------------------- sessions
    async def accept_new_sessions(self, accept: bool, *, timeout: float | None = None) -> bool:
        """Make Janus accept new sessions or refuse them (472); return the setting."""
        _check_bool("accept", accept)
        body = await self._call("accept_new_sessions", {"accept": accept}, timeout=timeout)
        return body.get("accept", accept) is True

    async def list_sessions(self, *, timeout: float | None = None) -> list[int]:
        """Return the ids of the sessions alive on the server."""
        body = await self._call("list_sessions", {}, timeout=timeout)
        return _id_list(body, "sessions", "list_sessions")

    async def destroy_session(self, session_id: int, *, timeout: float | None = None) -> None:
        """Destroy a session, as its owner's ``destroy`` would.

        Janus does not tell the session's client: it finds out on its next
        request or keepalive (`SessionNotFoundError`).

        Raises:
            SessionNotFoundError: No such session (458).
        """
        _check_id("session_id", session_id)
        await self._call("destroy_session", {}, session_id=session_id, timeout=timeout)

    async def list_handles(self, session_id: int, *, timeout: float | None = None) -> list[int]:
        """Return the ids of a session's handles.

        Raises:
            SessionNotFoundError: No such session (458).
        """
        _check_id("session_id", session_id)
        body = await self._call("list_handles", {}, session_id=session_id, timeout=timeout)
        return _id_list(body, "handles", "list_handles")

    # ----------------------------------------------------------------- handles
    async def handle_info(
        self,
        session_id: int,
        handle_id: int,
        *,
        plugin_only: bool = False,
        timeout: float | None = None,
    ) -> HandleInfo:
        """Return a snapshot of a handle: plugin state and WebRTC (ICE, DTLS, media).

        Args:
            session_id: The session.
            handle_id: The handle.
            plugin_only: Only the plugin's information, without the WebRTC details.
            timeout: Deadline in seconds.

        Raises:
            SessionNotFoundError: No such session (458).
            HandleNotFoundError: No such handle (459).
        """
        _check_id("session_id", session_id)
        _check_id("handle_id", handle_id)
        _check_bool("plugin_only", plugin_only)
        body = await self._call(
            "handle_info",
            {"plugin_only": True if plugin_only else None},
            session_id=session_id,
            handle_id=handle_id,
            timeout=timeout,
        )
        info = _dict(_expect(body, "info", "handle_info"))
        return HandleInfo.from_json(info, session_id, handle_id)

    async def _capture(
        self,
        request: str,
        session_id: int,
        handle_id: int,
        folder: str | None,
        filename: str | None,
        truncate: int | None,
        timeout: float | None,
    ) -> None:
        _check_id("session_id", session_id)
        _check_id("handle_id", handle_id)
        if folder is not None:
            _check_str("folder", folder)
        if filename is not None:
            _check_str("filename", filename)
        if truncate is not None:
            _check_int("truncate", truncate)
        await self._call(
            request,
            {"folder": folder, "filename": filename, "truncate": truncate},
            session_id=session_id,
            handle_id=handle_id,
            timeout=timeout,
        )

    async def start_pcap(
        self,
        session_id: int,
        handle_id: int,
        *,
        folder: str | None = None,
        filename: str | None = None,
        truncate: int | None = None,
        timeout: float | None = None,
    ) -> None:
        """Dump the handle's unencrypted RTP/RTCP to a pcap file on the server.

        Args:
            session_id: The session.
            handle_id: The handle.
            folder: Folder on the server (Janus creates it; default: its current folder).
            filename: File name (default: a random one); `HandleInfo.dump_file`
                tells the full path.
            truncate: Cut packets at this many bytes (0 or None: whole packets).
            timeout: Deadline in seconds.

        Raises:
            UnknownJanusError: A capture (pcap or text2pcap) already runs (490).
        """
        await self._capture(
            "start_pcap", session_id, handle_id, folder, filename, truncate, timeout
        )

    async def stop_pcap(
        self, session_id: int, handle_id: int, *, timeout: float | None = None
    ) -> None:
        """Stop the handle's pcap dump.

        Raises:
            UnknownJanusError: No capture runs (490).
        """
        await self._capture("stop_pcap", session_id, handle_id, None, None, None, timeout)

    async def start_text2pcap(
        self,
        session_id: int,
        handle_id: int,
        *,
        folder: str | None = None,
        filename: str | None = None,
        truncate: int | None = None,
        timeout: float | None = None,
    ) -> None:
        """Dump the handle's RTP/RTCP as text for ``text2pcap`` (see `start_pcap`).

        A handle has one capture at a time, pcap or text2pcap.
        """
        await self._capture(
            "start_text2pcap", session_id, handle_id, folder, filename, truncate, timeout
        )

    async def stop_text2pcap(
        self, session_id: int, handle_id: int, *, timeout: float | None = None
    ) -> None:
        """Stop the handle's text2pcap dump.

        Raises:
            UnknownJanusError: No capture runs (490).
        """
        await self._capture("stop_text2pcap", session_id, handle_id, None, None, None, timeout)

    async def hangup_webrtc(
        self, session_id: int, handle_id: int, *, timeout: float | None = None
    ) -> None:
        """Close a handle's PeerConnection; its client gets a ``hangup`` (reason "Admin API")."""
        _check_id("session_id", session_id)
        _check_id("handle_id", handle_id)
        await self._call(
            "hangup_webrtc", {}, session_id=session_id, handle_id=handle_id, timeout=timeout
        )

    async def detach_handle(
        self, session_id: int, handle_id: int, *, timeout: float | None = None
    ) -> None:
        """Detach a handle from its plugin; its client gets a ``detached`` event."""
        _check_id("session_id", session_id)
        _check_id("handle_id", handle_id)
        await self._call(
            "detach_handle", {}, session_id=session_id, handle_id=handle_id, timeout=timeout
        )

    # --------------------------------------------------- plugins and transports
    async def message_plugin(
        self,
        plugin: str,
        request: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a synchronous request to a plugin, outside any session or handle.

        Args:
            plugin: The plugin package (``"janus.plugin.videoroom"``).
            request: The plugin request (``{"request": "list"}``).
            timeout: Deadline in seconds.

        Returns:
            The plugin's response.

        Raises:
            PluginNotFoundError: No such plugin (460).
            PluginError: The plugin answered with an error of its own.
        """
        _check_str("plugin", plugin)
        body = await self._call(
            "message_plugin",
            {"plugin": plugin, "request": _check_mapping("request", request)},
            timeout=timeout,
        )
        return self._response(body, "message_plugin", plugin, request)

    async def query_transport(
        self,
        transport: str,
        request: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a request to a transport plugin (``{"request": "connections"}``, ...).

        Raises:
            PluginNotFoundError: No such transport (460).
            PluginError: The transport answered with an error of its own.
        """
        _check_str("transport", transport)
        body = await self._call(
            "query_transport",
            {"transport": transport, "request": _check_mapping("request", request)},
            timeout=timeout,
        )
        return self._response(body, "query_transport", transport, request)

    async def query_eventhandler(
        self,
        handler: str,
        request: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a request to an event handler plugin.

        Raises:
            PluginNotFoundError: No such event handler loaded, or event handlers
                are disabled (460).
            PluginError: The event handler answered with an error of its own.
        """
        _check_str("handler", handler)
        body = await self._call(
            "query_eventhandler",
            {"handler": handler, "request": _check_mapping("request", request)},
            timeout=timeout,
        )
        return self._response(body, "query_eventhandler", handler, request)

    async def query_logger(
        self,
        logger: str,
        request: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a request to a logger plugin (``query_logger``).

        The request is missing from 1.1.2's HTML documentation. Janus' own JSON
        logger (``janus.logger.jsonlog``) answers ``{"request": "info"}`` with
        ``{"result": 200}``.

        Args:
            logger: The logger's package name, e.g. ``"janus.logger.jsonlog"``.
            request: The request for the logger (None: an empty one).
            timeout: Deadline in seconds.

        Returns:
            The logger's response object.

        Raises:
            PluginNotFoundError: No such logger loaded (460, "Invalid logger").
            UnknownJanusError: The logger takes no queries (490).
            PluginError: The logger answered with an error of its own.
        """
        _check_str("logger", logger)
        body = await self._call(
            "query_logger",
            {"logger": logger, "request": _check_mapping("request", request)},
            timeout=timeout,
        )
        return self._response(body, "query_logger", logger, request)

    @staticmethod
    def _response(
        body: dict[str, Any], what: str, target: str, request: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        response = _dict(body.get("response"))
        name = request.get("request") if request is not None else None
        err = plugin_error(target, response, request=name if isinstance(name, str) else what)
        if err is not None:
            raise err
        return response

    async def custom_event(
        self, schema: str, data: Mapping[str, Any], *, timeout: float | None = None
    ) -> None:
        """Push a custom event to the event handlers (accepted even when none is enabled).

        Args:
            schema: The event's schema name, for the handlers.
            data: The event's content.
            timeout: Deadline in seconds.
        """
        _check_str("schema", schema)
        if not isinstance(data, Mapping):
            raise TypeError(f"data must be a dict, got {type(data).__name__}")
        await self._call("custom_event", {"schema": schema, "data": dict(data)}, timeout=timeout)

    async def custom_logline(
        self, line: str, level: int | None = None, *, timeout: float | None = None
    ) -> None:
        """Write a line into Janus' log, at ``level`` (0 to 7; Janus' default is 4, info)."""
        _check_str("line", line)
        if level is not None:
            _check_int("level", level, 0, 7)
        await self._call("custom_logline", {"line": line, "level": level}, timeout=timeout)

    # ----------------------------------------------------------------- helpers
    async def resolve_address(
        self, address: str, *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Ask Janus to resolve a host name.

        Returns:
            The reply's fields: ``ip`` (the address found) and ``elapsed`` (how
            long it took, in microseconds).
        """
        _check_str("address", address)
        body = await self._call("resolve_address", {"address": address}, timeout=timeout)
        return {k: v for k, v in body.items() if k not in ("janus", "transaction")}

    async def test_stun(
        self,
        address: str,
        port: int,
        *,
        localport: int | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Ask Janus to send a STUN binding request to a server.

        Janus waits up to about 5 seconds for the answer.

        Args:
            address: The STUN server's address.
            port: Its UDP port.
            localport: The local UDP port Janus sends from (default: any).
            timeout: Deadline in seconds.

        Returns:
            The reply's fields: ``public_ip``, ``public_port`` (the mapped address
            the server saw) and ``elapsed`` (microseconds).

        Raises:
            UnknownJanusError: No answer, or an unusable one (490).
        """
        _check_str("address", address)
        _check_int("port", port, 1, 65535)
        if localport is not None:
            _check_int("localport", localport, 1, 65535)
        body = await self._call(
            "test_stun", {"address": address, "port": port, "localport": localport}, timeout=timeout
        )
        return {k: v for k, v in body.items() if k not in ("janus", "transaction")}
