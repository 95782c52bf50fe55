"""The fake's state and request processing, below the wire (see `FakeJanus`).

Private to `janus_client.testing.fake`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import inspect
import random
from collections import deque
from collections.abc import Awaitable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from aiohttp import web

from ._model import (
    DROP,
    HTTP_OWNER,
    MAX_ID,
    FakeRequest,
    FakeSession,
    Handler,
    HttpOwner,
    Owner,
    Reply,
    ReplyItem,
    WsConn,
    logger,
)
from .verbs import answer

if TYPE_CHECKING:
    from .server import FakeJanus


class FakeCore:
    """State, the freeze/drop/delay/handler pipeline and event routing of the fake."""

    def __init__(
        self,
        plugins: list[str],
        api_secret: str | None,
        poll_timeout: float,
        session_timeout: float | None,
        reclaim_timeout: float | None,
    ) -> None:
        """Set up the state; see `FakeJanus` for the arguments."""
        self.plugins: list[str] = plugins
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

        self._owners: dict[int, Owner] = {}
        self._orphaned: dict[int, float] = {}
        self._queues: dict[int, deque[ReplyItem]] = {}
        self._conns: list[WsConn] = []
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
            candidate = self._rng.randint(1, MAX_ID)
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
        self, session_id: int | None, item: ReplyItem, fallback: WsConn | None
    ) -> asyncio.Future[None] | None:
        """Send an asynchronous message where the session's events go."""
        if session_id is not None:
            if session_id in self.sessions:
                owner = self._owners.get(session_id)
                if isinstance(owner, WsConn):
                    return owner.send(item)
                if owner is HTTP_OWNER:
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

    def _bind(self, session_id: int, owner: WsConn | HttpOwner) -> None:
        previous = self._owners.get(session_id)
        self._orphaned.pop(session_id, None)
        self._owners[session_id] = owner
        session = self.sessions[session_id]
        session.transport = "ws" if isinstance(owner, WsConn) else "http"
        if owner is HTTP_OWNER:
            self._queues.setdefault(session_id, deque())
        elif previous is HTTP_OWNER:
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

    def _default(self, req: FakeRequest) -> list[dict[str, Any]]:
        """The default (mini-Janus) behaviour: the verb table of `verbs`."""
        return answer(self._fake, req)

    @property
    def _fake(self) -> FakeJanus:
        """This object as the `FakeJanus` it always is (requests and verbs name that type)."""
        return cast("FakeJanus", self)

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
