"""The fake's data model: its sessions and handles, one received request, reply types.

Private to `janus_client.testing.fake`; the public names are re-exported there.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

from aiohttp import web

if TYPE_CHECKING:
    from .server import FakeJanus

logger = logging.getLogger("janus_client.testing")

# The WebSocket subprotocol Janus requires.
SUBPROTOCOL: Final = "janus-protocol"

# Default reasons, as janus_get_api_error() in Janus's apierror.c.
ERROR_REASONS: Final[Mapping[int, str]] = {
    403: "Unauthorized request (wrong or missing secret/token)",
    405: "Unauthorized access to plugin (token is not allowed to)",
    450: "Transport specific error",
    452: "Missing request",
    453: "Unknown request",
    454: "Invalid JSON",
    455: "Invalid JSON Object",
    456: "Missing mandatory element",
    457: "Invalid path for this request",
    458: "Session not found",
    459: "Handle not found",
    460: "Plugin not found",
    461: "Error attaching plugin",
    462: "Error sending message to plugin",
    463: "Error detaching from plugin",
    464: "Unsupported JSEP type",
    465: "Invalid SDP",
    466: "Invalid stream",
    467: "Invalid element type",
    468: "Session ID already in use",
    469: "Unexpected ANSWER (no OFFER)",
    470: "Token not found",
    471: "Wrong WebRTC state",
    472: "Currently not accepting new sessions",
    490: "Unknown error",
}

PLUGIN_INFO: Final[Mapping[str, tuple[str, int, str]]] = {
    "janus.plugin.echotest": ("JANUS EchoTest plugin", 7, "0.0.7"),
    "janus.plugin.videoroom": ("JANUS VideoRoom plugin", 9, "0.0.9"),
    "janus.plugin.videocall": ("JANUS VideoCall plugin", 6, "0.0.6"),
    "janus.plugin.textroom": ("JANUS TextRoom plugin", 2, "0.0.2"),
    "janus.plugin.streaming": ("JANUS Streaming plugin", 8, "0.0.8"),
    "janus.plugin.audiobridge": ("JANUS AudioBridge plugin", 12, "0.0.12"),
    "janus.plugin.sip": ("JANUS SIP plugin", 8, "0.0.8"),
    "janus.plugin.recordplay": ("JANUS Record&Play plugin", 4, "0.0.4"),
}

#: The SDP carried by the default ``answer`` to a ``message`` with an offer.
FAKE_ANSWER_SDP: Final = (
    "v=0\r\n"
    "o=- 4242424242 1 IN IP4 127.0.0.1\r\n"
    "s=Fake Janus\r\n"
    "t=0 0\r\n"
    "a=msid-semantic: WMS janus\r\n"
)

MAX_ID: Final = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER


class DropType(enum.Enum):
    """The type of `DROP`."""

    DROP = "DROP"

    def __repr__(self) -> str:
        return "DROP"

    def __str__(self) -> str:
        return "DROP"


#: Returned by an :meth:`FakeJanus.on_request` handler to send nothing at all.
DROP: Final = DropType.DROP

#: One outgoing message: a JSON object, or a raw ``str``/``bytes`` frame/body
#: sent as is (it need not be JSON).
ReplyItem: TypeAlias = dict[str, Any] | str | bytes

#: What an :meth:`FakeJanus.on_request` handler may return: one
#: :data:`ReplyItem`, a sequence of them (sent in order), or :data:`DROP`.
Reply: TypeAlias = ReplyItem | Sequence[ReplyItem] | DropType

#: An :meth:`FakeJanus.on_request` handler: sync or async, returning a
#: :data:`Reply`, or ``None`` to fall back to the default behaviour.
Handler: TypeAlias = Callable[["FakeRequest"], Reply | Awaitable[Reply | None] | None]

Transport: TypeAlias = Literal["ws", "http"]


@dataclass
class FakeHandle:
    """A plugin handle living in a :class:`FakeSession`.

    Attributes:
        id: The handle identifier (``sender`` in events).
        plugin: The package name of the plugin it is attached to.
        opaque_id: The ``opaque_id`` given in the ``attach`` request, if any.
    """

    id: int
    plugin: str
    opaque_id: str | None = None


@dataclass
class FakeSession:
    """A live Janus session of a :class:`FakeJanus`, as found in ``sessions``.

    Attributes:
        id: The session identifier.
        transport: The transport that currently owns the session (``"ws"`` or
            ``"http"``): the one that created or last claimed it. Events and
            pushes for the session go to the owning WebSocket connection, or to
            the session's long-poll queue for ``"http"``.
        handles: The session's handles, by handle identifier.
        last_activity: ``loop.time()`` of the last request that referred to the
            session (or long-poll, over HTTP); drives ``session_timeout``.
    """

    id: int
    transport: Transport
    handles: dict[int, FakeHandle] = field(default_factory=dict)
    last_activity: float = 0.0


class HttpOwner:
    """Marker owner for sessions whose events go to the HTTP long-poll queue."""

    def __repr__(self) -> str:
        return "<http>"


HTTP_OWNER: Final = HttpOwner()


@dataclass
class Pong:
    """A WebSocket pong to write, in order with the other frames."""

    data: bytes


class WsConn:
    """One server-side WebSocket connection with its ordered writer."""

    def __init__(self, number: int, request: web.Request, ws: web.WebSocketResponse) -> None:
        self.number = number
        self.request = request
        self.ws = ws
        self.closed = False
        self.queue: asyncio.Queue[tuple[ReplyItem | Pong, asyncio.Future[None]]] = asyncio.Queue()
        self.writer: asyncio.Task[None] | None = None

    def send(self, item: ReplyItem | Pong) -> asyncio.Future[None]:
        """Queue ``item``; the returned future resolves once it was written."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.closed:
            fut.set_result(None)
        else:
            self.queue.put_nowait((item, fut))
        return fut

    async def write(self, item: ReplyItem | Pong) -> None:
        if isinstance(item, Pong):
            await self.ws.pong(item.data)
        elif isinstance(item, bytes):
            await self.ws.send_bytes(item)
        elif isinstance(item, str):
            await self.ws.send_str(item)
        else:
            await self.ws.send_str(dumps(item))

    def discard_pending(self) -> None:
        while not self.queue.empty():
            _, fut = self.queue.get_nowait()
            if not fut.done():
                fut.set_result(None)

    def __repr__(self) -> str:
        return f"<ws#{self.number}>"


# None: orphaned (its WebSocket closed), waiting to be reclaimed.
Owner: TypeAlias = WsConn | HttpOwner | None


def dumps(obj: Any) -> str:
    # Janus pretty-prints its JSON (JSON_INDENT(3)); so do we, so that clients
    # never come to rely on one message per line.
    return json.dumps(obj, indent=3)


def positive_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


class FakeRequest:
    """One decoded request received by a :class:`FakeJanus`.

    Handlers registered with :meth:`FakeJanus.on_request` receive one and use
    its helpers to build replies that look like Janus's (they fill in
    ``transaction``, ``session_id`` and ``sender`` from the request).

    Attributes:
        message: The decoded request. Over HTTP the ``session_id`` and
            ``handle_id`` taken from the URL path are merged in, as Janus does,
            so the same assertions work for both transports.
        transport: ``"ws"`` or ``"http"``.
        raw: The request text exactly as received (empty for the requests
            synthesised from ``GET /janus/info`` and ``GET /janus/ping``).
        server: The :class:`FakeJanus` that received it.
    """

    def __init__(
        self,
        server: FakeJanus,
        message: dict[str, Any],
        transport: Transport,
        raw: str,
        conn: WsConn | None = None,
    ) -> None:
        self.server = server
        self.message = message
        self.transport: Transport = transport
        self.raw = raw
        self._conn = conn

    @property
    def janus(self) -> str | None:
        """The request verb (``"create"``, ``"message"``...), if a string."""
        verb = self.message.get("janus")
        return verb if isinstance(verb, str) else None

    @property
    def transaction(self) -> str | None:
        """The request's ``transaction``, if it is a string."""
        transaction = self.message.get("transaction")
        return transaction if isinstance(transaction, str) else None

    @property
    def session_id(self) -> int | None:
        """The request's ``session_id`` (from the body or the URL path), if any."""
        return positive_int(self.message.get("session_id"))

    @property
    def handle_id(self) -> int | None:
        """The request's ``handle_id`` (from the body or the URL path), if any."""
        return positive_int(self.message.get("handle_id"))

    @property
    def session(self) -> FakeSession | None:
        """The live session the request refers to, if it exists."""
        sid = self.session_id
        return None if sid is None else self.server.sessions.get(sid)

    @property
    def handle(self) -> FakeHandle | None:
        """The live handle the request refers to, if it exists."""
        session = self.session
        hid = self.handle_id
        if session is None or hid is None:
            return None
        return session.handles.get(hid)

    def _base(self, janus: str, *, sender: bool = False) -> dict[str, Any]:
        reply: dict[str, Any] = {"janus": janus}
        if self.session_id is not None:
            reply["session_id"] = self.session_id
        if self.transaction is not None:
            reply["transaction"] = self.transaction
        if sender and self.handle_id is not None:
            reply["sender"] = self.handle_id
        return reply

    def success(
        self,
        data: Mapping[str, Any] | None = None,
        plugindata: Mapping[str, Any] | None = None,
        *,
        plugin: str | None = None,
    ) -> dict[str, Any]:
        """Build a ``success`` reply.

        Args:
            data: Goes in ``data`` (e.g. ``{"id": 123}`` for create/attach).
            plugindata: The plugin's own payload for a synchronous plugin reply;
                it is wrapped as ``{"plugin": ..., "data": plugindata}`` and the
                reply gets a ``sender``.
            plugin: The plugin name for ``plugindata``; defaults to the plugin
                of the handle the request addresses.

        Returns:
            The reply dictionary.
        """
        reply = self._base("success", sender=plugindata is not None)
        if data is not None:
            reply["data"] = dict(data)
        if plugindata is not None:
            reply["plugindata"] = {"plugin": self._plugin(plugin), "data": dict(plugindata)}
        return reply

    def error(self, code: int, reason: str | None = None) -> dict[str, Any]:
        """Build an ``error`` reply.

        Args:
            code: The Janus error code (e.g. 458).
            reason: The human readable reason; defaults to Janus's generic
                text for ``code``.

        Returns:
            The reply dictionary.
        """
        reply = self._base("error")
        reply["error"] = {
            "code": code,
            "reason": reason if reason is not None else ERROR_REASONS.get(code, "Unknown error"),
        }
        return reply

    def ack(self) -> dict[str, Any]:
        """Build an ``ack`` reply.

        Returns:
            The reply dictionary.
        """
        return self._base("ack")

    def event(
        self,
        plugin: str | None = None,
        data: Mapping[str, Any] | None = None,
        jsep: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Build a plugin ``event`` tied to this request's transaction.

        Args:
            plugin: The plugin package name; defaults to the plugin of the
                handle the request addresses.
            data: The plugin's payload (``plugindata.data``).
            jsep: An optional JSEP (``{"type": ..., "sdp": ...}``).

        Returns:
            The event dictionary (with ``sender`` set to the request's handle).
        """
        reply = self._base("event", sender=True)
        reply["plugindata"] = {"plugin": self._plugin(plugin), "data": dict(data or {})}
        if jsep is not None:
            reply["jsep"] = dict(jsep)
        return reply

    def default(self) -> list[dict[str, Any]]:
        """Run the fake's default behaviour for this request.

        This applies the default side effects (creating the session, the
        handle...) and returns the messages the fake would send, so that a
        handler can tweak or reorder them before returning them.

        Returns:
            The default messages: the direct reply first, then any later
            events (e.g. ``[ack, event]`` for ``message``).
        """
        return self.server._default(self)

    def _plugin(self, plugin: str | None) -> str:
        if plugin is not None:
            return plugin
        handle = self.handle
        return handle.plugin if handle is not None else ""

    def __repr__(self) -> str:
        return f"<FakeRequest {self.transport} {self.message!r}>"


def owner_of(req: FakeRequest) -> WsConn | HttpOwner:
    """Where the events of a session created or claimed by ``req`` go."""
    return req._conn if req._conn is not None else HTTP_OWNER
