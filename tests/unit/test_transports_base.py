"""Unit tests for the transport reader (janus_client.transports.base): whatever comes off
the wire, the reader never raises and the session survives."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from _strategies import CI, ECHO, LIVE, janus_field, json_values, json_values_nan, safe_text
from hypothesis import assume, given
from hypothesis import strategies as st

from janus_client import JanusSession, SessionState, Timeouts
from janus_client.handle import JanusHandle
from janus_client.testing import FakeJanus
from janus_client.transports.websocket import JanusTransportWebsocket


# --------------------------------------------------------------------------- reader entry point
class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
async def offline() -> Any:
    """A WebSocket transport that never connects, and a collector of error logs."""
    transport = JanusTransportWebsocket("ws://127.0.0.1:9")
    errors = _Collect()
    logging.getLogger("janus_client").addHandler(errors)
    try:
        yield transport, errors
    finally:
        logging.getLogger("janus_client").removeHandler(errors)
        await transport.close()


def _routed_session(transport: JanusTransportWebsocket) -> tuple[JanusSession, JanusHandle]:
    """Session 4242 with handle 77 routed on ``transport`` (not connected: no keepalive)."""
    session = JanusSession(transport=transport)
    session._activate(4242)
    handle = JanusHandle(session, 77, ECHO)
    session._handles[77] = handle
    return session, handle


def _message_shaped(sid: int, hid: int) -> st.SearchStrategy[dict[str, Any]]:
    ids = st.sampled_from([sid, hid, 1, 2**53]) | st.integers() | json_values
    return st.fixed_dictionaries(
        {"janus": janus_field},
        optional={
            "transaction": st.none() | safe_text | json_values,
            "session_id": ids,
            "sender": ids,
            "plugindata": json_values,
            "jsep": json_values,
            "data": json_values,
            "error": json_values,
            "candidate": json_values,
            "type": json_values,
            "receiving": json_values,
            "seconds": json_values,
            "lost": json_values,
        },
    )


reader_input = (
    st.binary(max_size=200)
    | st.text(max_size=200)
    | json_values_nan.map(json.dumps)
    | st.lists(_message_shaped(4242, 77), max_size=4).map(json.dumps)
    | _message_shaped(4242, 77).map(json.dumps)
)


@CI
@given(data=reader_input)
@pytest.mark.property
async def test_receive_never_raises(offline: Any, data: Any) -> None:
    transport, errors = offline
    session, _ = _routed_session(transport)
    try:
        transport._receive(data)
        transport._receive(data.encode() if isinstance(data, str) else data)
    finally:
        session._release(RuntimeError("example over"), SessionState.CLOSED)
    # Malformed events are dropped quietly, never by the catch-all of the router.
    assert not errors.records, [r.getMessage() for r in errors.records]
    assert transport.pending_count == 0
    assert not transport.sessions


# --------------------------------------------------------------------------- live reader
OURS, OUR_HANDLE = "<our session>", "<our handle>"


def _substitute(value: Any, sid: int, hid: int) -> Any:
    if value == OURS:
        return sid
    if value == OUR_HANDLE:
        return hid
    if isinstance(value, dict):
        return {k: _substitute(v, sid, hid) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, sid, hid) for v in value]
    return value


def _kills_session(item: Any, sid: int, hid: int, kind: str) -> bool:
    """Whether ``item`` is a legitimate way for Janus to end the session or handle."""
    messages: list[Any] = []
    if isinstance(item, dict):
        messages = [item]
    elif isinstance(item, (str, bytes)):
        try:
            value = json.loads(item)
        except (ValueError, RecursionError):
            return False
        messages = value if isinstance(value, list) else [value]
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        janus = msg.get("janus")
        if janus == "timeout" and msg.get("session_id") == sid:
            return True
        if janus == "detached" and msg.get("sender") == hid:
            return True
        if kind == "http" and janus == "error":  # the long-poll's "no such session"
            err = msg.get("error")
            if isinstance(err, dict) and err.get("code") == 458:
                return True
    return False


live_ids = (
    st.sampled_from([OURS, OUR_HANDLE]) | st.integers(min_value=1, max_value=2**53) | (json_values)
)
live_message = st.fixed_dictionaries(
    {"janus": janus_field},
    optional={
        "transaction": st.none() | safe_text | json_values,
        "session_id": live_ids,
        "sender": live_ids,
        "plugindata": json_values,
        "jsep": json_values,
        "error": json_values,
        "candidate": json_values,
    },
)


def _huge(size: int, shape: str) -> str:
    if shape == "event":
        return json.dumps({"janus": "event", "session_id": 1, "sender": 2, "pad": "x" * size})
    if shape == "truncated":
        return '{"janus": "event", "pad": "' + "x" * size
    count = max(1, size // 64)
    return json.dumps([{"janus": "webrtcup", "session_id": 3, "n": i} for i in range(count)])


garbage = (
    st.binary(min_size=1, max_size=200)
    | st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200)
    | json_values.map(json.dumps)
    | live_message
    | st.lists(live_message, min_size=1, max_size=4).map(json.dumps)
    | st.builds(
        _huge,
        st.sampled_from([50_000, 300_000, 1_000_000]),
        st.sampled_from(["event", "truncated", "list"]),
    )
)


def _url(fake: FakeJanus, kind: str) -> str:
    return fake.ws_url if kind == "ws" else fake.http_url


async def _until(predicate: Any, timeout: float = 2.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)


@LIVE
@given(
    batch=st.lists(garbage, min_size=1, max_size=5),
    late=st.sampled_from([None, "pong", "success", "ack", "event", "error"]),
)
@pytest.mark.property
async def test_live_reader_survives_garbage(
    fake_janus: FakeJanus, kind: str, batch: list[Any], late: str | None
) -> None:
    async with JanusSession(_url(fake_janus, kind), timeouts=Timeouts(request=3)) as session:
        handle = await session.attach(ECHO)
        assert (await handle.send({"audio": True})).kind == "event"  # HTTP: starts the poll
        sid, hid = session.session_id, handle.handle_id
        assert sid is not None
        items = [_substitute(item, sid, hid) for item in batch]
        assume(not any(_kills_session(item, sid, hid, kind) for item in items))

        if late is not None:
            # A call cancelled while waiting; its reply comes afterwards.
            fake_janus.drop("message", 1)
            seen = len(fake_janus.requests)
            task = asyncio.create_task(handle.send({"video": True}))
            await _until(
                lambda: any(r.get("janus") == "message" for r in fake_janus.requests[seen:])
            )
            request = next(r for r in fake_janus.requests[seen:] if r.get("janus") == "message")
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert session.transport.pending_count == 0
            reply: dict[str, Any] = {
                "janus": late,
                "transaction": request["transaction"],
                "session_id": sid,
            }
            if late == "event":
                reply.update(sender=hid, plugindata={"plugin": ECHO, "data": {"late": True}})
            if late == "error":
                reply["error"] = {"code": 490, "reason": "late"}
            items.append(reply)

        for item in items:
            await fake_janus.push(item, session_id=sid)
        # Over HTTP the garbage is in the long-poll queue before the event below, so
        # the event proves the poll went through all of it.
        reply_after = await handle.send({"audio": False})
        assert reply_after.kind == "event"
        assert reply_after.data["echo"] == {"audio": False}
        assert await session.ping() >= 0
        assert session.transport.connected
        assert session.state is SessionState.ACTIVE
        assert not handle.closed
        assert session.transport.pending_count == 0


@pytest.mark.property
async def test_receive_survives_deeply_nested_json(
    offline: Any, caplog: pytest.LogCaptureFixture
) -> None:
    transport, errors = offline
    session, _ = _routed_session(transport)
    try:
        with caplog.at_level(logging.WARNING, logger="janus_client"):
            transport._receive("[" * 5_000)
            transport._receive(b"{" * 5_000)
    finally:
        session._release(RuntimeError("example over"), SessionState.CLOSED)
    # Dropped with a warning that says why, twice, and never by the router's catch-all.
    dropped = [r for r in caplog.records if "undecodable" in r.getMessage()]
    assert len(dropped) == 2, [r.getMessage() for r in caplog.records]
    assert not errors.records, [r.getMessage() for r in errors.records]
    assert transport.pending_count == 0
