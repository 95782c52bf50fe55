"""Cancelling a call at any await point leaves the session (and its transport) usable.

Two families of tests, over both transports, against the fake Janus:

* *walks*: a call is started and cancelled after 1, 2, 3, ... event-loop iterations,
  up to the number it needs to complete, so that every await point on its way
  (connect, send, waiting for the ack, for the event, the close steps) sees a
  cancellation once;
* *moments*: the fake holds the reply (``delay``) or sends only the ack, and the call
  is cancelled while it waits for the reply or between the ack and the event.

After each cancellation no call is left pending, local state is consistent, and a new
request works. The autouse leak checker (tests/conftest.py) then checks that no task
or socket outlives the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest

from janus_client import JanusSession, JanusTransport, SessionState, Timeouts
from janus_client.handle import JanusHandle
from janus_client.testing import FakeJanus, FakeRequest

pytestmark = pytest.mark.cancellation

ECHO = "janus.plugin.echotest"
TIMEOUTS = Timeouts(request=5, close=2)
MAX_POINTS = 40  # cancellation points tried per walk
WALK_BUDGET = 6.0  # seconds per walk, whatever the machine's load
HOLD = 30.0  # a delay the fake never gets to the end of (it stops first)


def url(fake: FakeJanus, kind: str) -> str:
    return fake.ws_url if kind == "ws" else fake.http_url


class Env:
    """A shared, connected transport with one session and one echotest handle."""

    def __init__(self, fake: FakeJanus, kind: str) -> None:
        self.fake = fake
        self.kind = kind
        self.url = url(fake, kind)
        self.transport = JanusTransport.create_transport(self.url, timeouts=TIMEOUTS)
        self.session = JanusSession(transport=self.transport)
        self.handle: JanusHandle

    async def start(self) -> None:
        self.handle = await self.session.attach(ECHO)

    async def stop(self) -> None:
        await self.session.destroy()
        await self.transport.close()

    async def works(self) -> None:
        """The shared session still answers, and nothing is left pending."""
        assert self.transport.pending_count == 0
        assert self.session.state is SessionState.ACTIVE
        assert await self.session.ping() >= 0
        reply = await self.handle.send({"audio": True})
        assert reply.kind == "event"
        assert self.transport.pending_count == 0


@pytest.fixture
async def env(fake_janus: FakeJanus, kind: str) -> Any:
    e = Env(fake_janus, kind)
    await e.start()
    try:
        yield e
    finally:
        await e.stop()


async def _iterations(task: asyncio.Task[Any], limit: int = 20_000) -> int:
    """Count the event-loop iterations until ``task`` is done."""
    count = 0
    while not task.done():
        await asyncio.sleep(0)
        count += 1
        assert count < limit, "the call did not complete"
    return count


def _points(total: int) -> list[int]:
    """At most MAX_POINTS cancellation points in 1..total: all early ones, then spread."""
    if total <= MAX_POINTS:
        return list(range(1, total + 1))
    early = list(range(1, MAX_POINTS // 2 + 1))
    rest = MAX_POINTS - len(early)
    stride = (total - early[-1]) / rest
    return early + sorted({early[-1] + max(1, round(stride * (i + 1))) for i in range(rest)})


async def walk(
    prepare: Callable[[], Awaitable[Any]],
    call: Callable[[Any], Coroutine[Any, Any, Any]],
    check: Callable[[Any, bool], Awaitable[None]],
) -> int:
    """Cancel ``call(ctx)`` after n loop iterations for n over every await point.

    ``prepare()`` makes a fresh context for each try; ``check(ctx, cancelled)`` runs
    after each (``cancelled`` False when the call had already completed).
    Returns how many cancellations were made.
    """
    loop = asyncio.get_running_loop()
    ctx = await prepare()
    total = await _iterations(asyncio.create_task(call(ctx)))
    await check(ctx, False)
    end = loop.time() + WALK_BUDGET
    made = 0
    for steps in _points(total):
        if loop.time() > end:
            break
        ctx = await prepare()
        task = asyncio.create_task(call(ctx))
        for _ in range(steps):
            if task.done():
                break
            await asyncio.sleep(0)
        if task.done():
            task.result()
            await check(ctx, False)
            continue
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        # The cancellation reached the caller: it was neither swallowed nor
        # turned into another error.
        assert task.cancelled(), f"cancel after {steps} iterations was swallowed"
        made += 1
        await check(ctx, True)
    return made


# --------------------------------------------------------------------------- walks
async def test_walk_create_on_a_shared_transport(env: Env) -> None:
    async def prepare() -> JanusSession:
        return JanusSession(transport=env.transport)

    async def check(session: JanusSession, cancelled: bool) -> None:
        assert env.transport.pending_count == 0
        if cancelled:
            assert session.state is SessionState.NEW
            assert session not in env.transport.sessions.values()
        await session.create()  # a new request works
        assert session.state is SessionState.ACTIVE
        await session.destroy()
        assert env.transport.connected

    assert await walk(prepare, lambda s: s.create(), check) > 0
    await env.works()


async def test_walk_create_with_its_own_transport(fake_janus: FakeJanus, kind: str) -> None:
    # The first request connects: cancellations land in the connect too.
    async def prepare() -> JanusSession:
        return JanusSession(url(fake_janus, kind), timeouts=TIMEOUTS)

    async def check(session: JanusSession, cancelled: bool) -> None:
        assert session.transport.pending_count == 0
        if cancelled:
            assert session.state is SessionState.NEW
        await session.destroy()
        assert session.transport.closed
        async with JanusSession(url(fake_janus, kind), timeouts=TIMEOUTS) as fresh:
            assert await fresh.ping() >= 0

    assert await walk(prepare, lambda s: s.create(), check) > 0


@pytest.mark.parametrize(
    "transport_kind",
    [
        "ws",
        "http",
    ],
)
async def test_create_again_after_a_cancelled_connect(
    fake_janus: FakeJanus, transport_kind: str
) -> None:
    async def prepare() -> JanusSession:
        return JanusSession(url(fake_janus, transport_kind), timeouts=TIMEOUTS)

    async def check(session: JanusSession, cancelled: bool) -> None:
        assert session.transport.pending_count == 0
        await session.create()  # the same session (and transport) connects again
        assert await session.ping() >= 0
        await session.destroy()
        gc.collect()  # a leaked client shows up here, in this test

    assert await walk(prepare, lambda s: s.create(), check) > 0


async def test_walk_attach(env: Env) -> None:
    async def prepare() -> dict[str, Any]:
        return {"handles": set(env.session.handles)}

    async def attach(ctx: dict[str, Any]) -> None:
        ctx["handle"] = await env.session.attach(ECHO)

    async def check(ctx: dict[str, Any], cancelled: bool) -> None:
        if cancelled:
            # A cancelled attach whose request went out still reads the reply and
            # detaches the handle Janus made: wait for that to finish.
            for _ in range(2000):
                if env.transport.pending_count == 0 and not env.session._cleanups:
                    break
                await asyncio.sleep(0.001)
            sid = env.session.session_id
            assert sid is not None
            on_server = set(env.fake.sessions[sid].handles)
            assert on_server == set(env.session.handles), "an orphan handle stayed on Janus"
        assert env.transport.pending_count == 0
        new = set(env.session.handles) - ctx["handles"]
        if cancelled:
            assert not new
        else:
            assert new == {ctx["handle"].handle_id}
            await ctx["handle"].detach()

    assert await walk(prepare, attach, check) > 0
    handle = await env.session.attach(ECHO)
    await handle.detach()
    await env.works()


@pytest.mark.parametrize("wait", ["event", "ack"])
async def test_walk_message(env: Env, wait: str) -> None:
    async def prepare() -> None:
        return None

    async def check(_: None, cancelled: bool) -> None:
        assert env.transport.pending_count == 0
        assert not env.handle.closed
        assert env.session.state is SessionState.ACTIVE

    made = await walk(prepare, lambda _: env.handle.send({"audio": True}, wait=wait), check)
    assert made > 0
    await env.works()


async def test_walk_large_message(env: Env) -> None:
    # A 1 MB body: the WebSocket write has to wait for the socket to drain.
    body = {"audio": True, "pad": "x" * 1_000_000}

    async def prepare() -> None:
        return None

    async def check(_: None, cancelled: bool) -> None:
        assert env.transport.pending_count == 0
        assert env.session.state is SessionState.ACTIVE

    assert await walk(prepare, lambda _: env.handle.send(body), check) > 0
    await env.works()


@pytest.mark.parametrize("verb", ["ping", "info", "keepalive", "claim", "hangup", "trickle"])
async def test_walk_other_requests(env: Env, verb: str) -> None:
    calls: dict[str, Callable[[], Coroutine[Any, Any, Any]]] = {
        "ping": lambda: env.session.ping(),
        "info": lambda: env.session.info(),
        "keepalive": lambda: env.session.keepalive(),
        "claim": lambda: env.session.claim(),
        "hangup": lambda: env.handle.hangup(),
        "trickle": lambda: env.handle.trickle(completed=True),
    }

    async def prepare() -> None:
        return None

    async def check(_: None, cancelled: bool) -> None:
        assert env.transport.pending_count == 0
        assert env.session.state is SessionState.ACTIVE
        assert not env.handle.closed

    assert await walk(prepare, lambda _: calls[verb](), check) > 0
    await calls[verb]()  # a new request of the same kind works
    await env.works()


async def test_walk_detach(env: Env) -> None:
    async def prepare() -> JanusHandle:
        return await env.session.attach(ECHO)

    async def check(handle: JanusHandle, cancelled: bool) -> None:
        assert env.transport.pending_count == 0
        # A started detach always releases the handle locally, cancelled or not.
        assert handle.closed
        assert handle.handle_id not in env.session.handles
        assert env.session.state is SessionState.ACTIVE

    assert await walk(prepare, lambda h: h.detach(), check) > 0
    await env.works()


async def _destroyed(session: JanusSession, *, owned: bool) -> None:
    """A destroy that was started (cancelled or not) released everything."""
    assert session.state is SessionState.CLOSED
    assert not session.handles
    assert session.transport.pending_count == 0
    if owned:
        assert session.transport.closed
        assert not session.transport.connected
    else:
        assert session not in session.transport.sessions.values()
    assert session._closing is None, "destroy() left its closing future unresolved"
    # Destroying again is a quick no-op, never a hang.
    await asyncio.wait_for(session.destroy(), 2)
    assert session.state is SessionState.CLOSED


async def _force_close(sessions: list[JanusSession]) -> None:
    """Release what a failed destroy left behind, so that nothing leaks into other tests."""
    for session in sessions:
        closing = session._closing
        if closing is not None and not closing.done():
            closing.set_result(None)
            session._closing = None
        transport = session.transport
        timer, transport._keepalive_timer = transport._keepalive_timer, None
        if timer is not None:
            timer.cancel()
        keepalive, transport._keepalive_task = transport._keepalive_task, None
        if keepalive is not None:
            keepalive.cancel()
            await asyncio.gather(keepalive, return_exceptions=True)
        transport._closed = True
        transport._connected = False
        await transport._close_connection()


async def test_walk_destroy_with_its_own_transport(fake_janus: FakeJanus, kind: str) -> None:
    made: list[JanusSession] = []

    async def prepare() -> JanusSession:
        session = JanusSession(url(fake_janus, kind), timeouts=TIMEOUTS)
        made.append(session)
        handle = await session.attach(ECHO)
        await handle.send({"audio": True})  # over HTTP this starts the long-poll too
        return session

    async def check(session: JanusSession, cancelled: bool) -> None:
        await _destroyed(session, owned=True)

    try:
        assert await walk(prepare, lambda s: s.destroy(), check) > 0
    finally:
        await _force_close(made)


async def test_walk_destroy_on_a_shared_transport(env: Env) -> None:
    async def prepare() -> JanusSession:
        session = JanusSession(transport=env.transport)
        await session.attach(ECHO)
        return session

    async def check(session: JanusSession, cancelled: bool) -> None:
        await _destroyed(session, owned=False)
        assert env.transport.connected
        assert not env.transport.closed

    assert await walk(prepare, lambda s: s.destroy(), check) > 0
    await env.works()


# --------------------------------------------------------------------------- moments
async def _new_request(
    fake: FakeJanus, verb: str, seen: int, timeout: float = 3.0
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        for request in fake.requests[seen:]:
            if request.get("janus") == verb:
                return request
        assert loop.time() < end, f"no {verb!r} request reached the fake"
        await asyncio.sleep(0.005)


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.parametrize("verb", ["create", "attach", "message", "detach", "destroy"])
async def test_cancel_while_waiting_for_the_reply(env: Env, verb: str) -> None:
    fake = env.fake
    extra = JanusSession(transport=env.transport)  # the session that creates / is destroyed
    if verb in ("detach", "destroy"):
        handle = await extra.attach(ECHO)
    calls: dict[str, Callable[[], Coroutine[Any, Any, Any]]] = {
        "create": lambda: extra.create(),
        # A cancelled attach keeps listening for its reply (to detach the orphan)
        # until its own deadline: keep that short.
        "attach": lambda: env.session.attach(ECHO, timeout=0.5),
        "message": lambda: env.handle.send({"video": True}),
        "detach": lambda: handle.detach(),
        "destroy": lambda: extra.destroy(),
    }
    handles_before = set(env.session.handles)
    fake.delay(verb, HOLD)
    seen = len(fake.requests)
    task = asyncio.create_task(calls[verb]())
    await _new_request(fake, verb, seen)
    await asyncio.sleep(0.02)  # the request is out; its reply is held
    assert not task.done()
    await _cancel(task)
    fake.delay(verb, 0)

    if verb == "attach":
        for _ in range(400):
            if env.transport.pending_count == 0 and not env.session._cleanups:
                break
            await asyncio.sleep(0.01)
    assert env.transport.pending_count == 0
    assert set(env.session.handles) == handles_before
    if verb == "create":
        assert extra.state is SessionState.NEW
    if verb == "detach":
        assert handle.closed
    if verb == "destroy":
        await _destroyed(extra, owned=False)
    await extra.destroy()
    # New requests of every kind work (create, attach, message, detach, destroy).
    again = JanusSession(transport=env.transport)
    extra_handle = await again.attach(ECHO)
    assert (await extra_handle.send({"audio": True})).kind == "event"
    await extra_handle.detach()
    await again.destroy()
    await env.works()


async def test_cancel_between_ack_and_event(env: Env) -> None:
    held: list[FakeRequest] = []

    def ack_only(req: FakeRequest) -> dict[str, Any]:
        held.append(req)
        return req.ack()

    env.fake.on_request("message", ack_only)
    task = asyncio.create_task(env.handle.send({"video": True}))
    loop = asyncio.get_running_loop()
    end = loop.time() + 3
    table = env.transport._table
    while not any(p.acked for p in table._pending.values()):
        assert loop.time() < end, "the ack never arrived"
        assert not task.done()
        await asyncio.sleep(0.005)
    await _cancel(task)
    assert env.transport.pending_count == 0
    env.fake.on_request("message", None)
    # The event for the cancelled call arrives late: it is only news for the handle.
    stream = env.handle.events()
    await env.fake.push(held[0].event(ECHO, {"echotest": "event", "result": "late"}))
    late = await stream.get(timeout=3)
    assert late.data == {"echotest": "event", "result": "late"}  # type: ignore[attr-defined]
    await stream.aclose()
    await env.works()


@pytest.mark.parametrize("phase", ["detach", "destroy"])
async def test_cancel_destroy_while_the_server_is_slow(
    fake_janus: FakeJanus, kind: str, phase: str
) -> None:
    session = JanusSession(url(fake_janus, kind), timeouts=TIMEOUTS)
    try:
        handle = await session.attach(ECHO)
        await handle.send({"audio": True})
        fake_janus.delay(phase, HOLD)
        seen = len(fake_janus.requests)
        task = asyncio.create_task(session.destroy())
        await _new_request(fake_janus, phase, seen)
        await _cancel(task)
        assert handle.closed
        await _destroyed(session, owned=True)
    finally:
        await _force_close([session])


async def test_cancelled_async_with_block_closes_its_connection(
    fake_janus: FakeJanus, kind: str
) -> None:
    # The everyday form of the bug above: a deadline around a session block.
    sessions: list[JanusSession] = []

    async def work() -> None:
        async with JanusSession(url(fake_janus, kind), timeouts=TIMEOUTS) as session:
            sessions.append(session)
            handle = await session.attach(ECHO)
            await handle.send({"audio": True})
            await asyncio.sleep(HOLD)

    try:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(work(), 0.3)
        await _destroyed(sessions[0], owned=True)
        assert fake_janus.connection_count == 0
    finally:
        await _force_close(sessions)
