"""`FakeJanus`: the public face of the fake (lifecycle, behaviour knobs, pushes)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from aiohttp import web

from ..._lifecycle import AsyncContext
from ..._serve import serve_app
from ._model import Handler, logger, positive_int
from ._wire import FakeWire

__all__ = ["FakeJanus"]


class FakeJanus(FakeWire, AsyncContext):
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

    _closes_with = "stop"

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
        super().__init__(
            list(plugins), api_secret, poll_timeout, session_timeout, reclaim_timeout
        )

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
        self._runner, self._port = await serve_app(app, "127.0.0.1", 0, shutdown_timeout=1.0)
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
            sid = positive_int(message.get("session_id"))
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

    def __repr__(self) -> str:
        where = f"127.0.0.1:{self._port}" if self._port is not None else "stopped"
        return (
            f"<FakeJanus {where} sessions={len(self.sessions)} "
            f"ws={self.connection_count} frozen={self._frozen}>"
        )
