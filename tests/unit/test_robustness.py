"""Bad wire input, dropped replies and dropped connections, against the fake Janus."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from janus_client import (
    ConnectionClosedError,
    InvalidStateError,
    JanusSession,
    JanusTransport,
    PluginEvent,
    ProtocolError,
    RequestTimeoutError,
    SessionLost,
    SessionState,
    SessionTimeoutEvent,
    Timeouts,
)
from janus_client.testing import DROP, FakeJanus, FakeRequest

pytestmark = pytest.mark.robustness

ECHO = "janus.plugin.echotest"

GARBAGE: list[Any] = [
    "this is not json",
    b"\xff\xfe\x00 binary junk",
    "[1, 2, 3]",
    "42",
    "{}",
    {"janus": 17},
    {"nojanus": True},
    {"janus": "success", "transaction": "never-sent"},
    {"janus": "ack", "transaction": "never-sent"},
    {"janus": "error", "transaction": "nope", "error": {"code": "x"}},
    {"janus": "event", "session_id": 1, "sender": 2},
    {"janus": "event", "session_id": "one", "sender": [2]},
    {"janus": "webrtcup", "session_id": 99999},
    {"janus": "brand-new-kind", "session_id": 1},
    {"janus": "event", "transaction": None, "plugindata": "not an object"},
    {"janus": "x" * 100_000},
]


def url(fake: FakeJanus, kind: str) -> str:
    return fake.ws_url if kind == "ws" else fake.http_url


async def test_reader_survives_garbage(fake_janus: FakeJanus, kind: str) -> None:
    async with JanusSession(url(fake_janus, kind)) as session:
        handle = await session.attach(ECHO)
        for item in GARBAGE:
            await fake_janus.push(item, session_id=session.session_id)
        # Garbage shaped like events for our own session and handle, too.
        await fake_janus.push(
            {
                "janus": "media",
                "session_id": session.session_id,
                "sender": handle.handle_id,
                "type": ["bad"],
                "receiving": "?",
            }
        )
        reply = await handle.send({"audio": True})
        assert reply.kind == "event"
        assert session.transport.connected
        assert session.transport.pending_count == 0


async def test_garbage_reply_to_a_request(fake_janus: FakeJanus, kind: str) -> None:
    fake_janus.on_request("attach", lambda req: "}{ not json")
    async with JanusSession(url(fake_janus, kind), timeouts=Timeouts(request=0.5)) as session:
        # Over HTTP the reply is the POST body: a clear ProtocolError at once.
        # Over WS a frame cannot be tied to its request: the deadline applies.
        expected = ProtocolError if kind == "http" else RequestTimeoutError
        with pytest.raises(expected):
            await session.attach(ECHO)
        fake_janus.on_request("attach", None)
        handle = await session.attach(ECHO)
        assert handle.handle_id > 0
        assert session.transport.pending_count == 0


async def test_dropped_reply_times_out_and_cleans_up(fake_janus: FakeJanus, kind: str) -> None:
    async with JanusSession(url(fake_janus, kind)) as session:
        handle = await session.attach(ECHO)
        fake_janus.drop("message", count=1)
        start = time.monotonic()
        with pytest.raises(RequestTimeoutError) as info:
            await handle.send({"audio": True}, timeout=0.3)
        assert time.monotonic() - start < 2
        assert isinstance(info.value, TimeoutError)
        assert "message" in str(info.value)
        assert session.transport.pending_count == 0
        assert (await handle.send({"audio": True})).kind == "event"


async def test_cancelled_call_removes_its_entry(fake_janus: FakeJanus, kind: str) -> None:
    async with JanusSession(url(fake_janus, kind)) as session:
        handle = await session.attach(ECHO)
        fake_janus.delay("message", 5)
        task = asyncio.create_task(handle.send({"audio": True}))
        await fake_janus.wait_for_request("message")
        await asyncio.sleep(0.05)
        assert session.transport.pending_count == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert session.transport.pending_count == 0
        fake_janus.delay("message", 0)
        assert (await handle.send({"audio": True})).kind == "event"


async def test_event_before_ack_is_not_lost(fake_janus: FakeJanus, kind: str) -> None:
    def event_first(req: FakeRequest) -> list[dict[str, Any]]:
        event = req.event(
            ECHO,
            {"echotest": "event", "result": "first"},
            jsep={"type": "answer", "sdp": "v=0\r\n"},
        )
        if kind == "http":  # the POST body is the ack; the event must go to the poll
            return [req.ack(), event]
        return [event, req.ack()]

    fake_janus.on_request("message", event_first)
    async with JanusSession(url(fake_janus, kind)) as session:
        handle = await session.attach(ECHO)
        for _ in range(20):
            reply = await handle.send({"audio": True}, {"type": "offer", "sdp": "v=0\r\n"})
            assert reply.data["result"] == "first"
            assert reply.jsep == {"type": "answer", "sdp": "v=0\r\n"}


async def test_ack_only_then_event_via_stream(fake_janus: FakeJanus, kind: str) -> None:
    async with JanusSession(url(fake_janus, kind)) as session:
        handle = await session.attach(ECHO)
        stream = handle.events(PluginEvent)
        reply = await handle.send({"video": True}, wait="ack")
        assert reply.kind in ("ack", "event")
        event = await stream.get(timeout=2)
        assert event.data["echo"] == {"video": True}
        await stream.aclose()


async def test_close_during_pending_call_fails_fast(fake_janus: FakeJanus) -> None:
    session = JanusSession(fake_janus.ws_url, timeouts=Timeouts(request=30))
    handle = await session.attach(ECHO)
    fake_janus.drop("message")
    task = asyncio.create_task(handle.send({"audio": True}))
    await fake_janus.wait_for_request("message")
    start = time.monotonic()
    await fake_janus.close_connections()
    with pytest.raises(ConnectionClosedError) as info:
        await task
    assert time.monotonic() - start < 3
    assert fake_janus.ws_url.replace("ws://", "") in str(info.value)
    assert session.state is SessionState.LOST
    assert isinstance(session.lost_reason, SessionLost)
    assert handle.closed
    with pytest.raises(InvalidStateError):
        await handle.send({"audio": True})
    await session.destroy()


async def test_abort_during_pending_call_fails_fast(fake_janus: FakeJanus) -> None:
    session = JanusSession(fake_janus.ws_url)
    handle = await session.attach(ECHO)
    fake_janus.drop("message")
    task = asyncio.create_task(handle.send({"audio": True}))
    await fake_janus.wait_for_request("message")
    await fake_janus.abort_connections()
    with pytest.raises(ConnectionClosedError):
        await asyncio.wait_for(task, 5)
    await session.destroy()
    assert session.transport.closed


async def test_transport_close_fails_pending_calls(fake_janus: FakeJanus, kind: str) -> None:
    transport = JanusTransport.create_transport(url(fake_janus, kind))
    session = JanusSession(transport=transport)
    handle = await session.attach(ECHO)
    fake_janus.drop("message")
    task = asyncio.create_task(handle.send({"audio": True}))
    await fake_janus.wait_for_request("message")
    await transport.close()
    with pytest.raises((ConnectionClosedError, SessionLost, InvalidStateError)):
        await task
    assert transport.pending_count == 0
    assert session.state is SessionState.LOST
    await session.destroy()


async def test_unanswered_keepalive_marks_session_lost(fake_janus: FakeJanus, kind: str) -> None:
    fake_janus.drop("keepalive")
    session = JanusSession(url(fake_janus, kind), timeouts=Timeouts(keepalive=0.2, request=0.3))
    handle = await session.attach(ECHO)
    fake_janus.drop("message")
    task = asyncio.create_task(handle.send({"audio": True}, timeout=10))
    for _ in range(100):
        if session.state is SessionState.LOST:
            break
        await asyncio.sleep(0.05)
    assert session.state is SessionState.LOST
    assert "keepalive" in str(session.lost_reason)
    # Over WS the silent connection is aborted as dead: the call fails with the
    # connection; over HTTP the session alone is lost.
    with pytest.raises((SessionLost, ConnectionClosedError)):
        await task
    await session.destroy()


async def test_server_timeout_event_marks_session_lost(fake_janus: FakeJanus, kind: str) -> None:
    session = JanusSession(url(fake_janus, kind))
    handle = await session.attach(ECHO)
    timeouts = session.events(SessionTimeoutEvent)  # over HTTP this starts the long-poll
    await fake_janus.push(
        {"janus": "timeout", "session_id": session.session_id}, session_id=session.session_id
    )
    event = await timeouts.get(timeout=5)
    assert event.session_id == session.session_id
    assert session.state is SessionState.LOST
    assert handle.closed
    await session.destroy()


async def test_http_polls_only_when_events_are_wanted(fake_janus: FakeJanus) -> None:
    async with JanusSession(fake_janus.http_url) as session:
        handle = await session.attach(ECHO)
        await asyncio.sleep(0.1)
        assert session.session_id not in session.transport._pollers  # type: ignore[attr-defined]
        # A plugin message needs its event: the long-poll starts and delivers it.
        assert (await handle.send({"audio": True})).kind == "event"
        assert session.session_id in session.transport._pollers  # type: ignore[attr-defined]


async def test_destroy_is_bounded_when_server_is_silent(fake_janus: FakeJanus, kind: str) -> None:
    session = JanusSession(url(fake_janus, kind), timeouts=Timeouts(close=0.5))
    await session.attach(ECHO)
    fake_janus.drop("detach")
    fake_janus.drop("destroy")
    start = time.monotonic()
    await session.destroy()
    assert time.monotonic() - start < 2
    assert session.state is SessionState.CLOSED
    assert session.transport.closed


async def test_drop_sentinel_handler(fake_janus: FakeJanus) -> None:
    fake_janus.on_request("ping", lambda req: DROP)
    async with JanusSession(fake_janus.ws_url) as session:
        with pytest.raises(RequestTimeoutError):
            await session.ping(timeout=0.2)
        fake_janus.on_request("ping", None)
        assert await session.ping() >= 0
