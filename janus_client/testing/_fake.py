"""An in-process fake Janus server for unit tests.

:class:`FakeJanus` speaks the Janus core API over both transports a client
normally uses, on one ``aiohttp`` application bound to ``127.0.0.1`` on an
ephemeral port:

* **WebSocket** at ``/`` (and ``/janus``). The ``janus-protocol`` subprotocol
  is required; an upgrade that does not offer it is refused with HTTP 400.
  Requests and replies are JSON text frames.
* **HTTP (REST)**: ``POST /janus``, ``POST /janus/<session>`` and
  ``POST /janus/<session>/<handle>`` answer in the response body (for a plugin
  ``message`` that is the ``ack``; the later ``event`` is queued for the
  long-poll); ``GET /janus/<session>[?maxev=N]`` is the long-poll;
  ``GET /janus/info`` and ``GET /janus/ping`` work as in Janus.

Out of the box it behaves like a small but faithful Janus (sessions, handles,
echoing plugins, the real error codes). Its point, though, is to produce what
a real server can't produce on demand: malformed JSON, unknown transactions,
dropped or delayed replies, abrupt closes, half-open connections. See
:meth:`FakeJanus.on_request`, :meth:`FakeJanus.drop`, :meth:`FakeJanus.delay`,
:meth:`FakeJanus.push`, :meth:`FakeJanus.close_connections`,
:meth:`FakeJanus.abort_connections` and :meth:`FakeJanus.freeze`.

Example:
    A test that checks how a client copes with garbage in reply to ``attach``:

    ```python
    from janus_client.testing._fake import DROP, FakeJanus

    async def test_garbage_attach() -> None:
        async with FakeJanus() as fake:
            fake.on_request("attach", lambda req: "}{ not json")
            fake.on_request("hangup", lambda req: DROP)  # never answered
            fake.drop("keepalive", 2)  # ignore the next two keepalives
            ...  # connect a client to fake.ws_url or fake.http_url
            request = await fake.wait_for_request("attach")
            assert request["plugin"] == "janus.plugin.echotest"
    ```
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import hmac
import inspect
import json
import logging
import random
import string
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Literal, TypeAlias

from aiohttp import WSMsgType, web

from ..protocol import CORE_REQUESTS

__all__ = [
    "DROP",
    "FAKE_ANSWER_SDP",
    "FakeHandle",
    "FakeJanus",
    "FakeRequest",
    "FakeSession",
    "Handler",
    "Reply",
    "ReplyItem",
]

logger = logging.getLogger("janus_client.testing")

# The WebSocket subprotocol Janus requires.
_SUBPROTOCOL: Final = "janus-protocol"

_KNOWN_VERBS: Final = frozenset(CORE_REQUESTS)

# Default reasons, as janus_get_api_error() in Janus's apierror.c.
_ERROR_REASONS: Final[Mapping[int, str]] = {
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

_PLUGIN_INFO: Final[Mapping[str, tuple[str, int, str]]] = {
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

_MAX_ID: Final = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER


class _DropType(enum.Enum):
    DROP = "DROP"

    def __repr__(self) -> str:
        return "DROP"

    def __str__(self) -> str:
        return "DROP"


#: Returned by an :meth:`FakeJanus.on_request` handler to send nothing at all.
DROP: Final = _DropType.DROP

#: One outgoing message: a JSON object, or a raw ``str``/``bytes`` frame/body
#: sent as is (it need not be JSON).
ReplyItem: TypeAlias = dict[str, Any] | str | bytes

#: What an :meth:`FakeJanus.on_request` handler may return: one
#: :data:`ReplyItem`, a sequence of them (sent in order), or :data:`DROP`.
Reply: TypeAlias = ReplyItem | Sequence[ReplyItem] | _DropType

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


class _HttpOwner:
    """Marker owner for sessions whose events go to the HTTP long-poll queue."""

    def __repr__(self) -> str:
        return "<http>"


_HTTP: Final = _HttpOwner()


@dataclass
class _Pong:
    data: bytes


class _WsConn:
    """One server-side WebSocket connection with its ordered writer."""

    def __init__(self, number: int, request: web.Request, ws: web.WebSocketResponse) -> None:
        self.number = number
        self.request = request
        self.ws = ws
        self.closed = False
        self.queue: asyncio.Queue[tuple[ReplyItem | _Pong, asyncio.Future[None]]] = asyncio.Queue()
        self.writer: asyncio.Task[None] | None = None

    def send(self, item: ReplyItem | _Pong) -> asyncio.Future[None]:
        """Queue ``item``; the returned future resolves once it was written."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.closed:
            fut.set_result(None)
        else:
            self.queue.put_nowait((item, fut))
        return fut

    async def write(self, item: ReplyItem | _Pong) -> None:
        if isinstance(item, _Pong):
            await self.ws.pong(item.data)
        elif isinstance(item, bytes):
            await self.ws.send_bytes(item)
        elif isinstance(item, str):
            await self.ws.send_str(item)
        else:
            await self.ws.send_str(_dumps(item))

    def discard_pending(self) -> None:
        while not self.queue.empty():
            _, fut = self.queue.get_nowait()
            if not fut.done():
                fut.set_result(None)

    def __repr__(self) -> str:
        return f"<ws#{self.number}>"


# None: orphaned (its WebSocket closed), waiting to be reclaimed.
_Owner: TypeAlias = _WsConn | _HttpOwner | None


def _dumps(obj: Any) -> str:
    # Janus pretty-prints its JSON (JSON_INDENT(3)); so do we, so that clients
    # never come to rely on one message per line.
    return json.dumps(obj, indent=3)


def _positive_int(value: Any) -> int | None:
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
        conn: _WsConn | None = None,
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
        return _positive_int(self.message.get("session_id"))

    @property
    def handle_id(self) -> int | None:
        """The request's ``handle_id`` (from the body or the URL path), if any."""
        return _positive_int(self.message.get("handle_id"))

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
            "reason": reason if reason is not None else _ERROR_REASONS.get(code, "Unknown error"),
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


class FakeJanus:
    """An in-process fake Janus server (WebSocket + HTTP) for tests.

    Use it as an async context manager (or call :meth:`start` and
    :meth:`stop`):

    ```python
    async with FakeJanus(api_secret="s3cr3t") as fake:
        client = connect(fake.ws_url)      # or fake.http_url
        ...
        await fake.wait_for_request("attach")
    ```

    **Default behaviour** (a faithful mini-Janus): ``info`` returns
    ``server_info``; ``ping`` returns ``pong``; ``create`` returns ``success``
    with a random 53-bit-safe ``data.id`` (or the ``id`` the client asked for,
    error 468 if taken); ``attach`` returns the handle id (460 for an unknown
    plugin); ``keepalive`` and ``trickle`` return ``ack``; ``claim``,
    ``destroy`` and ``hangup`` return ``success``; ``detach`` returns
    ``success`` and then an unsolicited ``detached``; ``message`` returns
    ``ack`` and then an ``event`` with the same transaction whose
    ``plugindata.data`` is ``{"<short plugin name>": "event", "result": "ok",
    "echo": <body>}`` plus a JSEP answer (:data:`FAKE_ANSWER_SDP`) when the
    request carried an offer. Verbs are matched case-insensitively, as Janus
    does.

    Errors follow Janus (``{"janus": "error", "session_id": ...,
    "transaction": ..., "error": {"code": ..., "reason": ...}}``): non-JSON 454
    and a non-object 455 (both without transaction), missing ``transaction`` or
    ``janus`` 456 (without transaction), unknown verb 453, a verb used at the
    wrong level (e.g. ``attach`` without ``session_id``, ``message`` without
    ``handle_id``) 457, unknown session 458 ``"No such session <id>"``, unknown
    handle 459, unknown plugin 460, missing/wrong ``apisecret`` 403 (except for
    ``info`` and ``ping``), malformed ``body``/``jsep`` 455/456/464/467.

    **Transports.** A session belongs to the transport that created (or last
    claimed) it; its asynchronous events go there: to that WebSocket
    connection, or to its long-poll queue for HTTP. When a WebSocket closes its
    sessions are destroyed, unless ``reclaim_timeout`` is set, in which case
    they wait that long for a ``claim``. Over HTTP the long-poll
    ``GET /janus/<session>`` returns one event as a JSON object, or, when
    ``maxev`` > 1, a JSON array of up to ``maxev`` events (as Janus: ``maxev=1``
    gives an object). After ``poll_timeout`` idle seconds it returns
    ``{"janus": "keepalive"}`` (``[{"janus": "keepalive"}]`` with ``maxev`` >
    1). A poll for a session the HTTP side doesn't know gets an empty HTTP 404,
    a poll with a wrong ``?apisecret=`` an empty HTTP 403, like Janus. A poll
    counts as activity for ``session_timeout`` when it starts.

    **Session timeout.** With ``session_timeout`` set, a session that sees no
    request for that long gets ``{"janus": "timeout", "session_id": ...}`` (on
    its WebSocket, or queued for its long-poll: a queue outlives its timed-out
    session until drained) and is forgotten.

    Attributes:
        requests: Every decoded request received (JSON objects only), in order
            of arrival, over both transports, including dropped ones and ones
            received while frozen. HTTP requests have the path's
            ``session_id``/``handle_id`` merged in (see :class:`FakeRequest`).
            Long-polls are not requests and are not listed. It is kept across
            :meth:`stop`/:meth:`start`; clearing it is allowed and doesn't
            affect :meth:`wait_for_request`.
        sessions: The live sessions by id (:class:`FakeSession`, with their
            :class:`FakeHandle`). It is the fake's own state: deleting an entry
            makes the fake forget the session (458 from then on).
        plugins: The plugin package names ``attach`` accepts.
        api_secret: The required ``apisecret``, or ``None``.
        poll_timeout: Seconds an idle long-poll waits before its keepalive.
        session_timeout: Seconds of inactivity after which a session times
            out, or ``None`` (never).
        reclaim_timeout: Seconds the sessions of a closed WebSocket can still
            be claimed, or ``None`` (they die with the connection).
    """

    def __init__(
        self,
        *,
        plugins: Iterable[str] = (
            "janus.plugin.echotest",
            "janus.plugin.videoroom",
            "janus.plugin.videocall",
            "janus.plugin.textroom",
        ),
        api_secret: str | None = None,
        poll_timeout: float = 30.0,
        session_timeout: float | None = None,
        reclaim_timeout: float | None = None,
    ) -> None:
        """Configure the fake; nothing listens until :meth:`start`.

        Args:
            plugins: Plugin package names that ``attach`` accepts and ``info``
                lists.
            api_secret: When set, every request but ``info``/``ping`` must
                carry this ``apisecret`` (and long-polls ``?apisecret=``).
            poll_timeout: Seconds an idle HTTP long-poll waits before answering
                ``{"janus": "keepalive"}``.
            session_timeout: Seconds without requests after which a session
                times out; ``None`` disables timeouts.
            reclaim_timeout: Seconds the sessions of a closed WebSocket survive
                waiting for a ``claim``; ``None`` destroys them right away (the
                Janus default).
        """
        self.plugins: list[str] = list(plugins)
        self.api_secret = api_secret
        self.poll_timeout = poll_timeout
        self.session_timeout = session_timeout
        self.reclaim_timeout = reclaim_timeout
        self.requests: list[dict[str, Any]] = []
        self.sessions: dict[int, FakeSession] = {}

        self._handlers: dict[str, Handler] = {}
        self._drops: dict[str, int | None] = {}
        self._delays: dict[str, float] = {}
        self._unclaimed: dict[str, deque[dict[str, Any]]] = {}
        self._waiters: dict[str, deque[asyncio.Future[dict[str, Any]]]] = {}

        self._owners: dict[int, _Owner] = {}
        self._orphaned: dict[int, float] = {}
        self._queues: dict[int, deque[ReplyItem]] = {}
        self._conns: list[_WsConn] = []
        self._conn_counter = 0
        # id(request) -> (request, its handler task); aiohttp requests aren't hashable.
        self._http_inflight: dict[int, tuple[web.BaseRequest, asyncio.Task[Any] | None]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._rng = random.Random()

        self._frozen = False
        self._discard_while_frozen = False
        self._stopping = False
        self._changed: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start listening on ``127.0.0.1`` on an ephemeral port.

        Raises:
            RuntimeError: If the fake is already running.
        """
        if self._runner is not None:
            raise RuntimeError("FakeJanus is already running")
        self._stopping = False
        self._frozen = False
        self._changed = asyncio.Event()
        app = web.Application()
        app.router.add_get("/", self._handle_ws_root)
        app.router.add_get("/janus", self._handle_ws_janus)
        app.router.add_post("/janus", self._handle_post)
        app.router.add_route("*", "/janus/info", self._handle_info_ping)
        app.router.add_route("*", "/janus/ping", self._handle_info_ping)
        app.router.add_post(r"/janus/{session_id:\d+}", self._handle_post)
        app.router.add_get(r"/janus/{session_id:\d+}", self._handle_long_poll)
        app.router.add_post(r"/janus/{session_id:\d+}/{handle_id:\d+}", self._handle_post)
        app.router.add_get(r"/janus/{session_id:\d+}/{handle_id:\d+}", self._handle_get_handle)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self._port = int(runner.addresses[0][1])
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._spawn(self._reaper())
        logger.debug("FakeJanus listening on 127.0.0.1:%d", self._port)

    async def stop(self) -> None:
        """Stop the server, close every connection and cancel every task.

        Pending long-polls and unanswered HTTP requests are answered with an
        empty HTTP 503. Live sessions are forgotten. Safe to call twice; the
        fake can be started again afterwards (on a new port).
        """
        runner = self._runner
        if runner is None or self._stopping:
            return
        self._stopping = True
        self._notify()
        closes = [self._close_conn(conn, 1001, grace=0.5) for conn in list(self._conns)]
        if closes:
            await asyncio.gather(*closes, return_exceptions=True)
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        http_tasks = [
            task
            for _, task in self._http_inflight.values()
            if task is not None and task is not current and not task.done()
        ]
        if http_tasks:
            _, pending = await asyncio.wait(http_tasks, timeout=2.0)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1.0)
        await runner.cleanup()
        self._runner = None
        self._port = None
        for conn in self._conns:
            conn.closed = True
            conn.discard_pending()
        self._conns.clear()
        self.sessions.clear()
        self._owners.clear()
        self._orphaned.clear()
        self._queues.clear()
        self._http_inflight.clear()
        self._frozen = False
        logger.debug("FakeJanus stopped")

    async def __aenter__(self) -> FakeJanus:
        """Start the fake.

        Returns:
            The running fake.
        """
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the fake."""
        await self.stop()

    # ----------------------------------------------------------------- addresses

    @property
    def port(self) -> int:
        """The TCP port the fake listens on.

        Raises:
            RuntimeError: If the fake is not running.
        """
        if self._port is None:
            raise RuntimeError("FakeJanus is not running; call start() first")
        return self._port

    @property
    def ws_url(self) -> str:
        """The WebSocket URL, ``ws://127.0.0.1:<port>``."""
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        """The REST base URL, ``http://127.0.0.1:<port>/janus``."""
        return f"http://127.0.0.1:{self.port}/janus"

    @property
    def connection_count(self) -> int:
        """The number of open WebSocket connections."""
        return sum(1 for conn in self._conns if not conn.closed)

    @property
    def frozen(self) -> bool:
        """Whether the fake is frozen (see :meth:`freeze`)."""
        return self._frozen

    # ---------------------------------------------------------- behaviour knobs

    def on_request(self, janus: str, handler: Handler | None) -> None:
        """Override the fake's behaviour for one request verb.

        The handler is called with a :class:`FakeRequest` for every request
        whose ``janus`` is ``janus`` (case-insensitive), instead of the default
        behaviour (no validation, no state change: call
        :meth:`FakeRequest.default` for that). It may be sync or async and
        returns:

        * a reply ``dict`` (sent as JSON);
        * a ``str`` or ``bytes``, sent as is even if it isn't JSON (over
          WebSocket ``bytes`` go out as a binary frame);
        * a sequence of those, sent in order: over HTTP the first is the POST
          response body and the others go where the session's events go (its
          long-poll queue, or its WebSocket);
        * :data:`DROP` (or an empty sequence) to send nothing: over HTTP the
          POST is then left unanswered until the client gives up or the fake
          stops;
        * ``None`` to fall back to the default behaviour (handy for handlers
          that only observe).

        A handler that raises is logged and answered with error 490.
        :meth:`drop` and :meth:`delay` apply before the handler is called.

        Args:
            janus: The request verb, e.g. ``"attach"``.
            handler: The handler, or ``None`` to restore the default.
        """
        key = janus.lower()
        if handler is None:
            self._handlers.pop(key, None)
        else:
            self._handlers[key] = handler

    def drop(self, janus: str, count: int | None = None) -> None:
        """Ignore the next ``count`` requests with verb ``janus``.

        Dropped requests are still recorded in :attr:`requests` but never
        processed (no reply, no state change, no handler call, no session
        activity). Over HTTP the POST stays unanswered until the client gives
        up or the fake stops.

        Args:
            janus: The request verb (case-insensitive).
            count: How many to drop; ``None`` drops all of them until
                ``drop(janus, 0)`` is called, which cancels dropping.
        """
        key = janus.lower()
        if count is not None and count <= 0:
            self._drops.pop(key, None)
        else:
            self._drops[key] = count

    def delay(self, janus: str, seconds: float) -> None:
        """Wait ``seconds`` before processing and answering requests with verb ``janus``.

        Applies to every later request of that verb (each one is delayed
        independently, so later requests of other verbs may overtake it).
        ``delay(janus, 0)`` cancels it.

        Args:
            janus: The request verb (case-insensitive).
            seconds: The delay.
        """
        key = janus.lower()
        if seconds <= 0:
            self._delays.pop(key, None)
        else:
            self._delays[key] = seconds

    def freeze(self, *, discard: bool = False) -> None:
        """Simulate a half-open connection: stop answering anything.

        TCP connections stay open and requests keep being read (and recorded),
        but nothing is written back: no replies, no events, no pushes, no
        long-poll answers or keepalives, no WebSocket pongs. By default the
        requests are queued and processed on :meth:`thaw` (like TCP delivering
        data once a network path heals); with ``discard=True`` requests
        received while frozen are thrown away. Messages produced while frozen
        are held and sent on :meth:`thaw`; pings received while frozen are never
        answered. Sessions can time out while frozen.

        Args:
            discard: Throw away requests received while frozen instead of
                queueing them.
        """
        self._frozen = True
        self._discard_while_frozen = discard
        self._notify()

    def thaw(self) -> None:
        """Undo :meth:`freeze`: process queued requests and flush held messages."""
        self._frozen = False
        self._notify()

    # ------------------------------------------------------------ active stuff

    async def push(
        self, message: dict[str, Any] | str | bytes, *, session_id: int | None = None
    ) -> None:
        """Send an unsolicited message (or raw frame/body) to the client(s).

        With a session id (``session_id``, or the ``session_id`` of ``message``
        when it's a dict) of a live session, the message goes where that
        session's events go: its WebSocket connection or its HTTP long-poll
        queue. Otherwise it goes to every open WebSocket connection (and, for
        an unknown ``session_id``, also to a long-poll queue for that id, so a
        ``GET /janus/<id>`` can fetch it).

        Unless the fake is frozen, this returns once the message was written to
        the WebSocket(s) or queued for the long-poll.

        Args:
            message: A dict (sent as JSON) or a raw ``str``/``bytes``.
            session_id: The target session, if any.
        """
        sid = session_id
        if sid is None and isinstance(message, dict):
            sid = _positive_int(message.get("session_id"))
        futures: list[asyncio.Future[None]] = []
        if sid is not None and sid in self.sessions:
            fut = self._route(sid, message, None)
            if fut is not None:
                futures.append(fut)
        else:
            if sid is not None:
                logger.debug("push for unknown session %d: broadcasting", sid)
                self._queues.setdefault(sid, deque()).append(message)
                self._notify()
            futures.extend(conn.send(message) for conn in self._conns if not conn.closed)
        if futures and not self._frozen:
            await asyncio.gather(*futures)

    async def push_event(
        self,
        session_id: int,
        handle_id: int,
        plugin: str,
        data: Mapping[str, Any],
        jsep: Mapping[str, Any] | None = None,
        transaction: str | None = None,
    ) -> None:
        """Push a plugin ``event`` as a plugin would on its own account.

        Args:
            session_id: The session the event belongs to.
            handle_id: The handle it comes from (``sender``).
            plugin: The plugin package name.
            data: The plugin payload (``plugindata.data``).
            jsep: An optional JSEP offer/answer.
            transaction: An optional transaction (Janus sets it when the
                event answers a request).
        """
        event: dict[str, Any] = {"janus": "event", "session_id": session_id}
        if transaction is not None:
            event["transaction"] = transaction
        event["sender"] = handle_id
        event["plugindata"] = {"plugin": plugin, "data": dict(data)}
        if jsep is not None:
            event["jsep"] = dict(jsep)
        await self.push(event, session_id=session_id)

    async def close_connections(self, code: int = 1011) -> None:
        """Close every WebSocket connection from the server side.

        A close frame with ``code`` is sent (the closing handshake waits at
        most one second for the client). Their sessions are destroyed (or
        orphaned, with ``reclaim_timeout``). HTTP is not affected.

        Args:
            code: The WebSocket close code.
        """
        closes = [self._close_conn(conn, code, grace=1.0) for conn in list(self._conns)]
        if closes:
            await asyncio.gather(*closes, return_exceptions=True)

    async def abort_connections(self) -> None:
        """Drop every connection at the TCP level, without a WebSocket close frame.

        Affects every WebSocket connection and every in-flight HTTP request
        (pending long-polls, unanswered POSTs). Note that aiohttp's client
        transparently retries an idempotent request (such as a long-poll GET)
        once when the server disconnects, so an aborted long-poll may simply
        come back as a new one.
        """
        for conn in list(self._conns):
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
        for request, _ in list(self._http_inflight.values()):
            transport = request.transport
            if transport is not None:
                transport.abort()
        self._notify()
        await asyncio.sleep(0)

    async def wait_for_request(self, janus: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for a request with verb ``janus`` and return it.

        Each verb has its own cursor: a call returns the oldest request with
        that verb not returned by an earlier ``wait_for_request`` for the same
        verb, whether it arrived before or after this call. So if a client sent
        two keepalives, two calls return them both, in order, without waiting;
        a third one waits for the next. Dropped requests and requests received
        while frozen count (they were received).

        Args:
            janus: The request verb (case-insensitive).
            timeout: Seconds to wait.

        Returns:
            The request (the same object as in :attr:`requests`).

        Raises:
            TimeoutError: If no such request arrives in time.
        """
        key = janus.lower()
        unclaimed = self._unclaimed.get(key)
        if unclaimed:
            return unclaimed.popleft()
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key, deque()).append(fut)
        try:
            return await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            seen = [r.get("janus") for r in self.requests[-10:]]
            raise TimeoutError(
                f"no {janus!r} request within {timeout}s (last requests seen: {seen})"
            ) from None

    # ================================================================ internals

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("FakeJanus task failed", exc_info=task.exception())

    def _notify(self) -> None:
        """Wake every coroutine waiting in :meth:`_wait_change`."""
        event = self._changed
        if event is not None:
            self._changed = asyncio.Event()
            event.set()

    async def _wait_change(self, timeout: float | None) -> None:
        """Wait until :meth:`_notify` is called or ``timeout`` elapses."""
        event = self._changed
        if event is None:
            event = self._changed = asyncio.Event()
        if timeout is None:
            await event.wait()
            return
        if timeout <= 0:
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    async def _wait_thawed(self) -> bool:
        """Wait until not frozen; return False if the fake stops meanwhile."""
        while self._frozen and not self._stopping:
            await self._wait_change(None)
        return not self._stopping

    async def _sleep(self, seconds: float) -> bool:
        """Sleep, waking early on stop; return False if the fake stops."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._stopping:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return True
            await self._wait_change(remaining)
        return False

    def _new_id(self) -> int:
        taken = self.sessions.keys() | self._queues.keys()
        handles = {hid for s in self.sessions.values() for hid in s.handles}
        while True:
            candidate = self._rng.randint(1, _MAX_ID)
            if candidate not in taken and candidate not in handles:
                return candidate

    def _record(self, message: dict[str, Any]) -> None:
        self.requests.append(message)
        verb = message.get("janus")
        if not isinstance(verb, str):
            return
        key = verb.lower()
        waiters = self._waiters.get(key)
        while waiters:
            fut = waiters.popleft()
            if not fut.done():
                fut.set_result(message)
                return
        self._unclaimed.setdefault(key, deque()).append(message)

    # ------------------------------------------------------------- processing

    async def _process(self, req: FakeRequest, frozen_on_arrival: bool) -> list[ReplyItem] | None:
        """Apply freeze/drop/delay/handler; return what to send, None for nothing."""
        if frozen_on_arrival and self._discard_while_frozen:
            logger.debug("discarding %r (frozen)", req)
            return None
        if not await self._wait_thawed():
            return None
        key = (req.janus or "").lower()
        if key in self._drops:
            remaining = self._drops[key]
            if remaining is not None:
                if remaining <= 1:
                    del self._drops[key]
                else:
                    self._drops[key] = remaining - 1
            logger.debug("dropping %r", req)
            return None
        delay = self._delays.get(key)
        if delay is not None and not await self._sleep(delay):
            return None
        handler = self._handlers.get(key)
        result: Reply | None
        if handler is None:
            result = self._default(req)
        else:
            try:
                outcome = handler(req)
                if inspect.isawaitable(outcome):
                    outcome = await outcome
                result = outcome
                if result is None:
                    result = self._default(req)
            except Exception as exc:
                logger.exception("FakeJanus handler for %r raised", key)
                result = req.error(490, f"FakeJanus handler raised {exc!r}")
        return self._normalise(req, result)

    def _normalise(self, req: FakeRequest, result: Reply) -> list[ReplyItem] | None:
        if result is DROP:
            return None
        if isinstance(result, (dict, str, bytes)):
            return [result]
        if isinstance(result, Sequence):
            items: list[ReplyItem] = []
            for item in result:
                if not isinstance(item, (dict, str, bytes)):
                    return self._bad_reply(req, item)
                items.append(item)
            return items or None
        return self._bad_reply(req, result)

    def _bad_reply(self, req: FakeRequest, value: object) -> list[ReplyItem]:
        logger.error("FakeJanus handler returned an unsupported reply: %r", value)
        return [req.error(490, f"FakeJanus handler returned an unsupported reply: {value!r}")]

    def _route(
        self, session_id: int | None, item: ReplyItem, fallback: _WsConn | None
    ) -> asyncio.Future[None] | None:
        """Send an asynchronous message where the session's events go."""
        if session_id is not None:
            if session_id in self.sessions:
                owner = self._owners.get(session_id)
                if isinstance(owner, _WsConn):
                    return owner.send(item)
                if owner is _HTTP:
                    self._queues.setdefault(session_id, deque()).append(item)
                    self._notify()
                    return None
                logger.debug("session %d has no transport, dropping %r", session_id, item)
                return None
            queue = self._queues.get(session_id)
            if queue is not None:
                queue.append(item)
                self._notify()
                return None
        if fallback is not None:
            return fallback.send(item)
        logger.debug("nowhere to send %r (session %s)", item, session_id)
        return None

    def _bind(self, session_id: int, owner: _WsConn | _HttpOwner) -> None:
        previous = self._owners.get(session_id)
        self._orphaned.pop(session_id, None)
        self._owners[session_id] = owner
        session = self.sessions[session_id]
        session.transport = "ws" if isinstance(owner, _WsConn) else "http"
        if owner is _HTTP:
            self._queues.setdefault(session_id, deque())
        elif previous is _HTTP:
            # The HTTP side forgets the session: its pending long-polls end.
            self._queues.pop(session_id, None)
            self._notify()

    def _forget(self, session_id: int, *, keep_queue: bool = False) -> None:
        self.sessions.pop(session_id, None)
        self._owners.pop(session_id, None)
        self._orphaned.pop(session_id, None)
        if not keep_queue or not self._queues.get(session_id):
            self._queues.pop(session_id, None)
        self._notify()

    def _check_secret(self, message: Mapping[str, Any]) -> bool:
        if self.api_secret is None:
            return True
        given = message.get("apisecret")
        return isinstance(given, str) and hmac.compare_digest(
            given.encode(), self.api_secret.encode()
        )

    def _server_info(self, transaction: str | None) -> dict[str, Any]:
        plugins: dict[str, Any] = {}
        for name in self.plugins:
            short = name.rsplit(".", 1)[-1]
            title, version, version_string = _PLUGIN_INFO.get(
                name, (f"Fake {short} plugin", 1, "0.0.1")
            )
            plugins[name] = {
                "name": title,
                "author": "Meetecho s.r.l.",
                "description": f"{title} (as faked by janus_client.testing)",
                "version_string": version_string,
                "version": version,
            }
        info: dict[str, Any] = {"janus": "server_info"}
        if transaction is not None:
            info["transaction"] = transaction
        info.update(
            {
                "name": "Fake Janus",
                "version": 1102,
                "version_string": "1.1.2",
                "author": "janus_client.testing",
                "commit-hash": "not-a-real-janus",
                "compile-time": "",
                "log-to-stdout": False,
                "log-to-file": False,
                "data_channels": True,
                "accepting-new-sessions": True,
                "session-timeout": int(self.session_timeout or 0),
                "reclaim-session-timeout": int(self.reclaim_timeout or 0),
                "candidates-timeout": 45,
                "server-name": "FakeJanus",
                "local-ip": "127.0.0.1",
                "ipv6": False,
                "ice-lite": False,
                "ice-tcp": False,
                "full-trickle": False,
                "mdns-enabled": False,
                "api_secret": self.api_secret is not None,
                "auth_token": False,
                "event_handlers": False,
                "opaqueid_in_api": False,
                "dependencies": {},
                "transports": {
                    "janus.transport.http": {
                        "name": "JANUS REST (HTTP/HTTPS) transport plugin",
                        "author": "Meetecho s.r.l.",
                        "description": "Fake REST transport",
                        "version_string": "0.0.2",
                        "version": 2,
                    },
                    "janus.transport.websockets": {
                        "name": "JANUS WebSockets transport plugin",
                        "author": "Meetecho s.r.l.",
                        "description": "Fake WebSockets transport",
                        "version_string": "0.0.1",
                        "version": 1,
                    },
                },
                "events": {},
                "loggers": {},
                "plugins": plugins,
            }
        )
        return info

    def _default(self, req: FakeRequest) -> list[dict[str, Any]]:
        """The default (mini-Janus) behaviour; see the class docstring."""
        msg = req.message
        raw_sid = msg.get("session_id")
        sid = raw_sid if isinstance(raw_sid, int) and not isinstance(raw_sid, bool) else 0
        raw_hid = msg.get("handle_id")
        hid = raw_hid if isinstance(raw_hid, int) and not isinstance(raw_hid, bool) else 0

        def error(code: int, reason: str | None = None, *, with_tx: bool = True) -> dict[str, Any]:
            reply: dict[str, Any] = {"janus": "error"}
            if sid > 0:
                reply["session_id"] = sid
            if with_tx and isinstance(msg.get("transaction"), str):
                reply["transaction"] = msg["transaction"]
            reply["error"] = {
                "code": code,
                "reason": reason if reason is not None else _ERROR_REASONS[code],
            }
            return reply

        for name in ("transaction", "janus"):
            if name not in msg:
                return [error(456, f"Missing mandatory element ({name})", with_tx=False)]
            if not isinstance(msg[name], str):
                return [
                    error(467, f"Invalid element type ({name} should be a string)", with_tx=False)
                ]
        tx: str = msg["transaction"]
        verb: str = msg["janus"]
        key = verb.lower()
        if key not in _KNOWN_VERBS:
            return [error(453, f"Unknown request '{verb}'")]

        if key == "info":
            return [self._server_info(tx)]
        if key == "ping":
            return [{"janus": "pong", "transaction": tx}]

        if sid == 0 and raw_hid is None:
            if key != "create":
                return [error(457, f"Unhandled request '{verb}' at this path")]
            if not self._check_secret(msg):
                return [error(403)]
            wanted = msg.get("id")
            if wanted is not None:
                new_id = _positive_int(wanted)
                if new_id is None:
                    return [error(467, "Invalid element type (id should be a positive integer)")]
                if new_id in self.sessions:
                    return [error(468, "Session ID already in use")]
            else:
                new_id = self._new_id()
            loop = asyncio.get_running_loop()
            self.sessions[new_id] = FakeSession(
                id=new_id, transport=req.transport, last_activity=loop.time()
            )
            self._bind(new_id, req._conn if req._conn is not None else _HTTP)
            logger.debug("created session %d over %s", new_id, req.transport)
            return [{"janus": "success", "transaction": tx, "data": {"id": new_id}}]

        if sid < 1:
            return [error(458)]
        if raw_hid is not None and hid < 1:
            return [error(459)]
        if key == "create":
            return [error(457, f"Unhandled request '{verb}' at this path")]
        if not self._check_secret(msg):
            return [error(403)]
        session = self.sessions.get(sid)
        if session is None:
            return [error(458, f"No such session {sid}")]
        session.last_activity = asyncio.get_running_loop().time()
        handle: FakeHandle | None = None
        if hid > 0:
            handle = session.handles.get(hid)
            if handle is None:
                return [error(459, f"No such handle {hid} in session {sid}")]

        base: dict[str, Any] = {"session_id": sid, "transaction": tx}
        if key == "keepalive":
            return [{"janus": "ack", **base}]
        if key == "claim":
            self._bind(sid, req._conn if req._conn is not None else _HTTP)
            return [{"janus": "success", **base}]
        if key in ("attach", "destroy"):
            if handle is not None:
                return [error(457, f"Unhandled request '{verb}' at this path")]
            if key == "destroy":
                self._forget(sid)
                return [{"janus": "success", **base}]
            plugin = msg.get("plugin")
            if plugin is None:
                return [error(456, "Missing mandatory element (plugin)")]
            if not isinstance(plugin, str):
                return [error(467, "Invalid element type (plugin should be a string)")]
            if plugin not in self.plugins:
                return [error(460, f"No such plugin '{plugin}'")]
            opaque = msg.get("opaque_id")
            new_hid = self._new_id()
            session.handles[new_hid] = FakeHandle(
                id=new_hid, plugin=plugin, opaque_id=opaque if isinstance(opaque, str) else None
            )
            return [{"janus": "success", **base, "data": {"id": new_hid}}]
        # Handle-level requests.
        if handle is None:
            return [error(457, f"Unhandled request '{verb}' at this path")]
        if key == "detach":
            del session.handles[handle.id]
            return [
                {"janus": "success", **base},
                {"janus": "detached", "session_id": sid, "sender": handle.id},
            ]
        if key == "hangup":
            return [{"janus": "success", **base}]
        if key == "trickle":
            if "candidate" not in msg and "candidates" not in msg:
                return [error(456, "Missing mandatory element (candidate|candidates)")]
            return [{"janus": "ack", **base}]
        # key == "message"
        if "body" not in msg:
            return [error(456, "Missing mandatory element (body)")]
        body = msg["body"]
        if not isinstance(body, dict):
            return [error(467, "Invalid element type (body should be an object)")]
        answer: dict[str, Any] | None = None
        if "jsep" in msg:
            jsep = msg["jsep"]
            if not isinstance(jsep, dict):
                return [error(455, "Invalid jsep object")]
            for name in ("type", "sdp"):
                if name not in jsep:
                    return [error(456, f"JSEP error: missing mandatory element ({name})")]
                if not isinstance(jsep[name], str):
                    return [
                        error(467, f"JSEP error: invalid element type ({name} should be a string)")
                    ]
            jsep_type = jsep["type"].lower()
            if jsep_type not in ("offer", "answer"):
                return [error(464, f"JSEP error: unknown message type '{jsep['type']}'")]
            if jsep_type == "offer":
                answer = {"type": "answer", "sdp": FAKE_ANSWER_SDP}
        short = handle.plugin.rsplit(".", 1)[-1]
        event: dict[str, Any] = {
            "janus": "event",
            **base,
            "sender": handle.id,
            "plugindata": {
                "plugin": handle.plugin,
                "data": {short: "event", "result": "ok", "echo": body},
            },
        }
        if answer is not None:
            event["jsep"] = answer
        return [{"janus": "ack", **base}, event]

    # ------------------------------------------------------------- WebSocket

    async def _handle_ws_root(self, request: web.Request) -> web.StreamResponse:
        if not _is_upgrade(request):
            return web.Response(status=400, text="Expected a WebSocket upgrade\n")
        return await self._serve_ws(request)

    async def _handle_ws_janus(self, request: web.Request) -> web.StreamResponse:
        if not _is_upgrade(request):
            return web.Response(status=404)  # a bare GET /janus: no session
        return await self._serve_ws(request)

    async def _serve_ws(self, request: web.Request) -> web.StreamResponse:
        offered = [
            p.strip()
            for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")
            if p.strip()
        ]
        if _SUBPROTOCOL not in offered or self._stopping:
            logger.debug("refusing WebSocket upgrade with subprotocols %r", offered)
            return web.Response(
                status=400, text=f"The {_SUBPROTOCOL!r} WebSocket subprotocol is required\n"
            )
        ws = web.WebSocketResponse(
            protocols=(_SUBPROTOCOL,), autoping=False, compress=False, timeout=1.0
        )
        await ws.prepare(request)
        self._conn_counter += 1
        conn = _WsConn(self._conn_counter, request, ws)
        conn.writer = self._spawn(self._run_writer(conn))
        self._conns.append(conn)
        logger.debug("%r opened", conn)
        try:
            while True:
                msg = await ws.receive()
                if msg.type is WSMsgType.TEXT:
                    self._on_ws_frame(conn, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    try:
                        text = msg.data.decode()
                    except UnicodeDecodeError:
                        conn.send(self._invalid_json("binary frame is not UTF-8"))
                    else:
                        self._on_ws_frame(conn, text)
                elif msg.type is WSMsgType.PING:
                    if not self._frozen:
                        conn.send(_Pong(msg.data))
                elif msg.type is WSMsgType.PONG:
                    pass
                else:  # CLOSE, CLOSING, CLOSED, ERROR
                    break
        finally:
            await self._conn_gone(conn)
        return ws

    async def _conn_gone(self, conn: _WsConn) -> None:
        conn.closed = True
        if conn in self._conns:
            self._conns.remove(conn)
        writer = conn.writer
        if writer is not None and writer is not asyncio.current_task():
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
        conn.discard_pending()
        loop = asyncio.get_running_loop()
        for sid, owner in list(self._owners.items()):
            if owner is conn:
                if self.reclaim_timeout and not self._stopping:
                    self._owners[sid] = None
                    self._orphaned[sid] = loop.time()
                else:
                    self._forget(sid)
        logger.debug("%r closed", conn)

    async def _run_writer(self, conn: _WsConn) -> None:
        try:
            while True:
                item, fut = await conn.queue.get()
                try:
                    if await self._wait_thawed() and not conn.closed:
                        await conn.write(item)
                except (ConnectionError, RuntimeError) as exc:
                    logger.debug("%r: could not send: %r", conn, exc)
                finally:
                    if not fut.done():
                        fut.set_result(None)
        finally:
            conn.discard_pending()

    async def _close_conn(self, conn: _WsConn, code: int, grace: float) -> None:
        try:
            await asyncio.wait_for(conn.ws.close(code=code), grace)
        except (asyncio.TimeoutError, ConnectionError, RuntimeError) as exc:
            logger.debug("%r: close did not complete: %r", conn, exc)
            transport = conn.request.transport
            if transport is not None:
                transport.abort()

    def _invalid_json(self, detail: str) -> dict[str, Any]:
        return {"janus": "error", "error": {"code": 454, "reason": f"JSON error: {detail}"}}

    def _on_ws_frame(self, conn: _WsConn, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError as exc:
            reason = (
                f"on line {exc.lineno}: {exc.msg}"
                if isinstance(exc, json.JSONDecodeError)
                else str(exc)
            )
            conn.send(self._invalid_json(reason))
            return
        if not isinstance(message, dict):
            conn.send(
                {"janus": "error", "error": {"code": 455, "reason": "JSON error: not an object"}}
            )
            return
        req = FakeRequest(self, message, "ws", text, conn)
        self._record(message)
        self._spawn(self._answer_ws(conn, req, self._frozen))

    async def _answer_ws(self, conn: _WsConn, req: FakeRequest, frozen: bool) -> None:
        out = await self._process(req, frozen)
        if not out:
            return
        conn.send(out[0])
        for item in out[1:]:
            self._route(req.session_id, item, conn)

    # ------------------------------------------------------------------ HTTP

    def _track_http(self, request: web.BaseRequest) -> None:
        self._http_inflight[id(request)] = (request, asyncio.current_task())

    async def _handle_post(self, request: web.Request) -> web.StreamResponse:
        self._track_http(request)
        try:
            return await self._serve_post(request)
        finally:
            self._http_inflight.pop(id(request), None)

    async def _serve_post(self, request: web.Request) -> web.StreamResponse:
        payload = await request.read()
        if not payload:
            return _json_response(self._invalid_json("request payload missing"))
        try:
            text = payload.decode()
            message = json.loads(text)
        except UnicodeDecodeError:
            return _json_response(self._invalid_json("payload is not UTF-8"))
        except json.JSONDecodeError as exc:
            return _json_response(self._invalid_json(f"on line {exc.lineno}: {exc.msg}"))
        if not isinstance(message, dict):
            return _json_response(
                {"janus": "error", "error": {"code": 455, "reason": "JSON error: not an object"}}
            )
        for name in ("session_id", "handle_id"):
            path_value = request.match_info.get(name)
            if path_value is None:
                continue
            from_path = int(path_value)
            in_body = _positive_int(message.get(name))
            if in_body is not None and in_body != from_path:
                what = "session" if name == "session_id" else "handle"
                return _json_response(
                    {
                        "janus": "error",
                        "error": {
                            "code": 457,
                            "reason": f"Conflicting {what} ID (payload and path)",
                        },
                    }
                )
            if in_body is None and from_path > 0:
                message[name] = from_path
        req = FakeRequest(self, message, "http", text)
        self._record(message)
        return await self._answer_http(request, req)

    async def _answer_http(self, request: web.Request, req: FakeRequest) -> web.StreamResponse:
        out = await self._process(req, self._frozen)
        if not out:
            # Dropped: leave the request hanging until the client goes away,
            # the connection is aborted, or the fake stops.
            while not self._stopping and not _gone(request):
                await self._wait_change(None)
            return web.Response(status=503)
        for item in out[1:]:
            self._route(req.session_id, item, None)
        return _json_response(out[0])

    async def _handle_info_ping(self, request: web.Request) -> web.StreamResponse:
        if request.method != "GET":
            return web.Response(status=400)
        self._track_http(request)
        try:
            verb = request.path.rsplit("/", 1)[-1]
            transaction = "".join(self._rng.choices(string.ascii_letters + string.digits, k=12))
            message: dict[str, Any] = {"janus": verb, "transaction": transaction}
            req = FakeRequest(self, message, "http", "")
            self._record(message)
            return await self._answer_http(request, req)
        finally:
            self._http_inflight.pop(id(request), None)

    async def _handle_get_handle(self, request: web.Request) -> web.StreamResponse:
        # Janus redirects a long-poll on a handle endpoint to the session one.
        raise web.HTTPFound(f"/janus/{request.match_info['session_id']}")

    async def _handle_long_poll(self, request: web.Request) -> web.StreamResponse:
        self._track_http(request)
        try:
            return await self._serve_long_poll(request)
        finally:
            self._http_inflight.pop(id(request), None)

    async def _serve_long_poll(self, request: web.Request) -> web.StreamResponse:
        sid = int(request.match_info["session_id"])
        if self.api_secret is not None and not self._check_secret(
            {"apisecret": request.query.get("apisecret")}
        ):
            return web.Response(status=403)
        try:
            maxev = max(1, int(request.query.get("maxev", "1")))
        except ValueError:
            maxev = 1
        session = self.sessions.get(sid)
        queue = self._queues.get(sid)
        if queue is None:
            return web.Response(status=404)
        loop = asyncio.get_running_loop()
        if session is not None:
            session.last_activity = loop.time()
        deadline = loop.time() + self.poll_timeout
        while True:
            if self._stopping or _gone(request):
                return web.Response(status=503)
            queue = self._queues.get(sid)
            if not self._frozen:
                if queue:
                    return self._poll_batch(sid, queue, maxev)
                if queue is None or loop.time() >= deadline:
                    # Timed out, or the session is over for the HTTP side.
                    keepalive: dict[str, Any] = {"janus": "keepalive"}
                    return _json_response(keepalive if maxev == 1 else [keepalive])
            await self._wait_change(None if self._frozen else deadline - loop.time())

    def _poll_batch(self, sid: int, queue: deque[ReplyItem], maxev: int) -> web.StreamResponse:
        first = queue.popleft()
        if maxev == 1 or not isinstance(first, dict):
            response = _json_response(first)
        else:
            batch: list[Any] = [first]
            while queue and len(batch) < maxev and isinstance(queue[0], dict):
                batch.append(queue.popleft())
            response = _json_response(batch)
        if not queue and sid not in self.sessions:
            self._queues.pop(sid, None)  # a timed-out session's queue, now drained
        return response

    # ---------------------------------------------------------------- reaper

    async def _reaper(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            limits = [t for t in (self.session_timeout, self.reclaim_timeout) if t]
            await asyncio.sleep(min(0.2, max(0.01, min(limits) / 5)) if limits else 0.2)
            now = loop.time()
            if self.session_timeout:
                for sid, session in list(self.sessions.items()):
                    if now - session.last_activity >= self.session_timeout:
                        logger.debug("session %d timed out", sid)
                        self._route(sid, {"janus": "timeout", "session_id": sid}, None)
                        self._forget(sid, keep_queue=True)
            if self.reclaim_timeout:
                for sid, since in list(self._orphaned.items()):
                    if now - since >= self.reclaim_timeout:
                        logger.debug("session %d was not reclaimed", sid)
                        self._forget(sid)

    def __repr__(self) -> str:
        where = f"127.0.0.1:{self._port}" if self._port is not None else "stopped"
        return (
            f"<FakeJanus {where} sessions={len(self.sessions)} "
            f"ws={self.connection_count} frozen={self._frozen}>"
        )


def _is_upgrade(request: web.BaseRequest) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def _gone(request: web.BaseRequest) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _json_response(item: Any) -> web.Response:
    if isinstance(item, bytes):
        return web.Response(body=item, content_type="application/json")
    if isinstance(item, str):
        return web.Response(text=item, content_type="application/json")
    return web.Response(text=_dumps(item), content_type="application/json")
