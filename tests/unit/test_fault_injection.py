"""Regression tests for the defects of issue 11 (an independent fault-injection run).

One section per point of the issue; each test failed before its fix. The long-poll
hammer runs against a tiny aiohttp server of its own that answers polls as told and
counts them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import ssl
import sys
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web

from janus_client import (
    ConnectionState,
    ConnectionStateEvent,
    HandleInfo,
    InvalidStateError,
    JanusSession,
    JanusTransport,
    JanusTransportHTTP,
    JanusTransportWebsocket,
    PluginEvent,
    PluginResponse,
    ReconnectPolicy,
    RequestTimeoutError,
    SessionLost,
    SessionState,
    Timeouts,
    UnauthorizedError,
)
from janus_client.logs import RedactingFilter, RedactingLoggerAdapter, redact_text
from janus_client.plugins.videoroom import VideoRoomEvent
from janus_client.protocol import encode, redact
from janus_client.testing import DROP, FakeJanus, FakeRequest
from janus_client.transports import core as transport_core
from janus_client.transports import websocket as ws_module

pytestmark = pytest.mark.fault_injection

ECHO = "janus.plugin.echotest"
SDP = (
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "a=ice-ufrag:abcd\r\na=ice-pwd:PWDMARKER0123456789abcdef\r\n"
)


def url(fake: FakeJanus, kind: str) -> str:
    return fake.ws_url if kind == "ws" else fake.http_url


async def _until(predicate: Callable[[], bool], limit: float = 5.0) -> None:
    """Wait (bounded) until ``predicate()`` is true; fail the test otherwise."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while not predicate():
        assert loop.time() < end, "condition not reached in time"
        await asyncio.sleep(0.005)


# ---------------------------------------------------------------------------
# 1. HTTP long-poll busy loop: a tiny server that answers polls as told.
# ---------------------------------------------------------------------------
class PollServer:
    """A minimal Janus HTTP endpoint whose long-poll answer is configurable."""

    SID = 4242

    def __init__(self, status: int, body: bytes = b"") -> None:
        self.status = status
        self.body = body
        self.polls = 0
        self.posts: list[dict[str, Any]] = []
        self._polled = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _info(self, request: web.Request) -> web.Response:
        return web.json_response({"janus": "server_info", "name": "poll-server"})

    async def _post(self, request: web.Request) -> web.Response:
        msg = await request.json()
        self.posts.append(msg)
        if msg.get("janus") == "create":
            self._polled.clear()
        elif msg.get("janus") == "attach":
            # Answer only once the session's long-poll was answered (and a little
            # later): its verdict (a refusal) comes first, whichever request the
            # client sent first.
            await asyncio.wait_for(self._polled.wait(), 5.0)
            await asyncio.sleep(0.1)
        reply: dict[str, Any] = {"janus": "success", "transaction": msg.get("transaction")}
        if msg.get("janus") == "create":
            reply["data"] = {"id": self.SID}
        else:
            reply["session_id"] = self.SID
        return web.json_response(reply)

    async def _poll(self, request: web.Request) -> web.Response:
        self.polls += 1
        asyncio.get_running_loop().call_soon(self._polled.set)  # after this answer
        return web.Response(status=self.status, body=self.body)

    async def __aenter__(self) -> PollServer:
        app = web.Application()
        app.router.add_get("/janus/info", self._info)
        app.router.add_post("/janus", self._post)
        app.router.add_post("/janus/{sid}", self._post)
        app.router.add_get("/janus/{sid}", self._poll)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/janus"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


POLICY = ReconnectPolicy(
    attempts=None, initial_delay=0.05, max_delay=0.1, multiplier=2.0, jitter=0.0, deadline=1.0
)


def _max_polls(policy: ReconnectPolicy) -> int:
    """The most polls the policy allows: the first, then one after each delay."""
    total, polls = 0.0, 1
    for delay in dataclasses.replace(policy, jitter=0.0).delays():
        total += delay * (1 - policy.jitter)  # the shortest each jittered delay can be
        if total > policy.deadline:
            break
        polls += 1
    return polls


async def _lost_session(server: PollServer, policy: ReconnectPolicy | None) -> JanusSession:
    session = JanusSession(server.url, reconnect=policy)
    await session.create()
    session.events()  # events wanted: the long-poll starts
    await _until(lambda: session.state is not SessionState.ACTIVE, 4.0)
    return session


@pytest.mark.parametrize("status", [403, 401])
async def test_longpoll_refused_is_unauthorized_within_one_poll(status: int) -> None:
    async with PollServer(status) as server:
        session = await _lost_session(server, POLICY)
        try:
            assert server.polls == 1
            assert session.state is SessionState.LOST
            assert isinstance(session.lost_reason, SessionLost)
            assert isinstance(session.lost_reason.__cause__, UnauthorizedError)
            with pytest.raises(SessionLost):
                await session.attach(ECHO)
        finally:
            await session.destroy()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, b""),
        (200, b'{"janus":"error","error":{"code":458,"reason":"No such session"}}'),
        (200, b'[{"janus":"error","error":{"code":458,"reason":"No such session"}}]'),
    ],
)
async def test_longpoll_unknown_session_is_lost_within_one_poll(status: int, body: bytes) -> None:
    async with PollServer(status, body) as server:
        session = await _lost_session(server, POLICY)
        try:
            assert server.polls == 1
            assert session.state is SessionState.LOST
            assert "no longer exists" in str(session.lost_reason)
        finally:
            await session.destroy()


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, b""), (502, b"Bad Gateway"), (200, b"}{ not json"), (200, b""), (200, b"[]")],
)
async def test_longpoll_hammer_stays_within_the_backoff(
    status: int, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Every poll answered at once with an error: the polls follow the policy's delays."""
    async with PollServer(status, body) as server:
        with caplog.at_level(logging.DEBUG, logger="janus_client"):
            session = await _lost_session(server, POLICY)
        try:
            assert session.state is SessionState.LOST
            assert 2 <= server.polls <= _max_polls(POLICY), server.polls
        finally:
            await session.destroy()  # closing the transport lets the destroy go out
        # Janus may still hold the session (only its long-poll failed): destroyed.
        assert [p["session_id"] for p in server.posts if p.get("janus") == "destroy"] == [
            PollServer.SID
        ]
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and "long-poll" in r.getMessage()
    ]
    # One warning for the run of failures, one for the session given up.
    assert len(warnings) <= 2, [r.getMessage() for r in warnings]


async def test_longpoll_without_policy_backs_off_too() -> None:
    async with PollServer(500) as server:
        session = JanusSession(server.url, timeouts=Timeouts(request=1.0))
        await session.create()
        session.events()
        await _until(lambda: session.state is not SessionState.ACTIVE, 4.0)
        try:
            # Default delays 0.2, 0.4 (+/- 20 %) within the 1 s request budget.
            assert 2 <= server.polls <= 4, server.polls
        finally:
            await session.destroy()


# ---------------------------------------------------------------------------
# 2. A caller's cancellation in the same loop iteration as the deadline.
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("order", ["deadline-first", "cancel-first"])
async def test_cancel_at_the_deadline_is_a_cancellation(
    fake_janus: FakeJanus, kind: str, order: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kind == "http" and sys.version_info < (3, 11):
        pytest.skip(
            "Python 3.10 cannot count cancellations: a caller's cancel in the same loop "
            "iteration as the deadline, while the POST is in flight, looks like the library's"
        )
    real_expire = transport_core._expire

    def expire_and_cancel(future: asyncio.Future[Any], state: Any) -> None:
        # The caller cancels its task in the same callback as the library's timer.
        if order == "cancel-first":
            state.task.cancel()
        real_expire(future, state)
        if order == "deadline-first":
            state.task.cancel()

    async with JanusSession(url(fake_janus, kind)) as session:
        handle = await session.attach(ECHO)
        fake_janus.on_request("message", lambda req: DROP)
        monkeypatch.setattr(transport_core, "_expire", expire_and_cancel)
        task = asyncio.create_task(handle.send({"audio": True}, timeout=0.1))
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled()
        monkeypatch.setattr(transport_core, "_expire", real_expire)
        assert session.transport.pending_count == 0
        # The library's own deadline alone is still a timeout, with a balanced count.
        task = asyncio.create_task(handle.send({"audio": True}, timeout=0.1))
        with pytest.raises(RequestTimeoutError):
            await task
        fake_janus.on_request("message", None)
        assert (await handle.send({"audio": True})).kind == "event"


async def test_own_timeout_leaves_the_cancel_count_balanced(
    fake_janus: FakeJanus, kind: str
) -> None:
    async with JanusSession(url(fake_janus, kind)) as session:
        handle = await session.attach(ECHO)
        fake_janus.on_request("message", lambda req: DROP)

        async def call() -> int:
            with pytest.raises(RequestTimeoutError):
                await handle.send({"audio": True}, timeout=0.1)
            task = asyncio.current_task()
            assert task is not None
            cancelling = getattr(task, "cancelling", None)  # Python 3.11+
            return int(cancelling()) if cancelling is not None else 0

        assert await asyncio.create_task(call()) == 0
        fake_janus.on_request("message", None)


# ---------------------------------------------------------------------------
# 3. Secrets and SDP in logs.
# ---------------------------------------------------------------------------
async def test_websockets_frame_log_is_redacted(
    fake_janus: FakeJanus, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):  # root DEBUG: websockets logs every frame
        async with JanusSession(
            fake_janus.ws_url, api_secret="apisecret-LEAK", token="token-LEAK"
        ) as session:
            handle = await session.attach(ECHO)
            await handle.send({"audio": True}, {"type": "offer", "sdp": SDP})
    frames = [r for r in caplog.records if r.name.startswith("websockets")]
    assert any("TEXT" in r.getMessage() for r in frames), "websockets logged its frames"
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("apisecret-LEAK", "token-LEAK", "PWDMARKER"):
        assert secret not in text
    assert '"apisecret":"***"' in text


def test_websocket_transport_redacts_by_default_and_takes_a_logger() -> None:
    transport = JanusTransportWebsocket("ws://127.0.0.1:1")
    assert isinstance(transport.logger, RedactingLoggerAdapter)
    assert transport.logger.logger.name == "websockets.client"
    mine = logging.getLogger("my.websockets")
    assert JanusTransportWebsocket("ws://127.0.0.1:1", logger=mine).logger is mine
    with pytest.raises(TypeError):
        JanusTransportWebsocket("ws://127.0.0.1:1", logger="websockets")  # type: ignore[arg-type]


def test_redact_hides_handle_info_sdps() -> None:
    reply = {
        "janus": "success",
        "info": {"sdps": {"profile": "x", "local": SDP, "remote": SDP}, "webrtc": {}},
    }
    cleaned = redact(reply)
    assert "PWDMARKER" not in repr(cleaned)
    assert cleaned["info"]["sdps"]["local"] == f"<sdp, {len(SDP)} chars>"
    assert cleaned["info"]["sdps"]["profile"] == "x"
    assert redact({"ice-pwd": "p", "pwd": "q"}) == {"ice-pwd": "***", "pwd": "***"}


def test_redacting_filter_rewrites_any_record() -> None:
    record = logging.LogRecord(
        "aiortc", logging.DEBUG, __file__, 1, "offer %s, secret=%s", (SDP, "s3cr3t"), None
    )
    assert RedactingFilter().filter(record) is True
    text = record.getMessage()
    assert "PWDMARKER" not in text and "s3cr3t" not in text
    assert "<sdp," in text


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ('{"apisecret":"A1","token":"T1"}', ("A1", "T1")),
        ("{'admin_secret': 'A2', 'pin': '1234'}", ("A2", "1234")),
        ("GET /janus/1?maxev=10&apisecret=A3&token=T3", ("A3", "T3")),
        ('{"tokens":["T4","T5"],"allowed":["T6"]}', ("T4", "T5", "T6")),
        ('"local":"v=0\\r\\no=- 1\\r\\na=ice-pwd:P1\\r\\n"', ("P1", "o=- 1")),
        ("a=ice-pwd:P2 and ice-pwd=P3", ("P2", "P3")),
        ('{"secret":"S1","new_pin":"9","sdp":"v=0\\r\\na=ice-pwd:P4', ("S1", "P4")),
    ],
)
def test_redact_text(text: str, leak: tuple[str, ...]) -> None:
    cleaned = redact_text(text)
    for value in leak:
        assert value not in cleaned, cleaned
    assert redact_text("nothing to hide") == "nothing to hide"


def test_adapter_renders_frames_from_the_whole_payload(caplog: pytest.LogCaptureFixture) -> None:
    from websockets.frames import Frame, Opcode

    payload = '{"janus":"message","body":{"padding":"' + "x" * 500 + '"},"apisecret":"A9"}'
    frame = Frame(Opcode.TEXT, payload.encode())
    assert "A9" in str(frame)  # websockets shows the end of the frame, where the secret is
    adapter = RedactingLoggerAdapter(logging.getLogger("test.ws"))
    with caplog.at_level(logging.DEBUG, logger="test.ws"):
        adapter.debug("> %s", frame)
    (record,) = caplog.records
    assert "A9" not in record.getMessage()
    assert record.getMessage().startswith("> TEXT ")


def test_cli_debug_logging_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    from janus_client.logs import enable_debug_logging

    root = logging.getLogger()
    level = root.level
    handler = enable_debug_logging()
    try:
        assert enable_debug_logging() is handler  # added once
        logging.getLogger("aiortc.rtcpeerconnection").debug("remote description %s", SDP)
        logging.getLogger("websockets.client").debug('> TEXT \'{"admin_secret":"AS7"}\'')
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "remote description <sdp," in err
    assert "PWDMARKER" not in err and "AS7" not in err


# ---------------------------------------------------------------------------
# 4. SDP in repr().
# ---------------------------------------------------------------------------
def test_repr_shows_the_sdp_size_only() -> None:
    jsep = {"type": "offer", "sdp": SDP}
    shown = f"<sdp, {len(SDP)} chars>"
    values = [
        PluginEvent(plugin=ECHO, jsep=jsep),
        VideoRoomEvent(plugin="janus.plugin.videoroom", jsep=jsep),
        PluginResponse(kind="event", plugin=ECHO, jsep=jsep),
        HandleInfo.from_json({"sdps": {"local": SDP, "remote": SDP}}, 1, 2),
    ]
    for value in values:
        text = repr(value)
        assert "PWDMARKER" not in text and "a=ice-ufrag" not in text, text
        assert shown in text
    event = values[0]
    assert isinstance(event, PluginEvent)
    assert event.jsep == jsep and event.jsep is not None and event.jsep["sdp"] == SDP
    assert isinstance(event.jsep, dict)
    info = values[3]
    assert isinstance(info, HandleInfo)
    assert info.sdps["local"] == SDP
    assert PluginEvent(plugin=ECHO).jsep is None


async def test_received_jsep_is_hidden_in_repr(fake_janus: FakeJanus, kind: str) -> None:
    async with JanusSession(url(fake_janus, kind)) as session:
        handle = await session.attach(ECHO)

        def answer(req: FakeRequest) -> list[dict[str, Any]]:
            jsep = {"type": "answer", "sdp": SDP}
            return [req.ack(), req.event(ECHO, {"echotest": "event"}, jsep=jsep)]

        fake_janus.on_request("message", answer)
        reply = await handle.send({"audio": True}, {"type": "offer", "sdp": SDP})
        assert reply.jsep is not None and reply.jsep["sdp"] == SDP
        assert "PWDMARKER" not in repr(reply)


# ---------------------------------------------------------------------------
# 5. NaN / Infinity in a body.
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
async def test_non_finite_numbers_fail_before_sending(
    fake_janus: FakeJanus, kind: str, value: float
) -> None:
    async with JanusSession(url(fake_janus, kind)) as session:
        handle = await session.attach(ECHO)
        seen = len(fake_janus.requests)
        with pytest.raises(ValueError, match=r"'body\.bitrate'"):
            await handle.send({"audio": True, "bitrate": value}, timeout=5)
        with pytest.raises(ValueError, match=r"'body\.layers\[1\]\.fps'"):
            await handle.send({"layers": [{"fps": 1}, {"fps": value}]})
        assert not [r for r in fake_janus.requests[seen:] if r.get("janus") == "message"]
        assert session.transport.pending_count == 0
        assert (await handle.send({"audio": True})).kind == "event"


def test_encode_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"'jsep\.x'"):
        encode({"janus": "message", "jsep": {"x": math.nan}})
    assert encode({"a": 1.5}) == '{"a":1.5}'


# ---------------------------------------------------------------------------
# 6. Validation gaps.
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("timeout", "error"),
    [(math.nan, ValueError), (-1, ValueError), (0, ValueError), ("5", TypeError)],
)
async def test_create_validates_its_timeout_when_active(
    fake_janus: FakeJanus, timeout: Any, error: type[Exception]
) -> None:
    async with JanusSession(fake_janus.ws_url) as session:
        with pytest.raises(error, match="timeout"):
            await session.create(timeout=timeout)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_size": -1},
        {"max_size": 0},
        {"max_size": True},
        {"max_size": 1.5},
        {"ping_interval": -5},
        {"ping_interval": 0},
        {"ping_interval": math.nan},
        {"ping_interval": math.inf},
        {"subprotocol": ""},
    ],
)
def test_websocket_options_are_validated(kwargs: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        JanusTransportWebsocket("ws://127.0.0.1:8188", **kwargs)


@pytest.mark.parametrize("base", ["ws://127.0.0.1:8188", "WS://127.0.0.1:8188", "http://h/janus"])
def test_ssl_with_a_plain_url_is_refused(base: str) -> None:
    context = ssl.create_default_context()
    with pytest.raises(ValueError, match="TLS"):
        JanusTransport.create_transport(base, ssl=context)
    with pytest.raises(ValueError, match="TLS"):
        JanusSession(base, ssl=context)


@pytest.mark.parametrize("base", ["wss://127.0.0.1:1", "WSS://127.0.0.1:1", "Wss://127.0.0.1:1"])
async def test_wss_url_keeps_the_users_context(base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    async def fake_connect(uri: str, **kwargs: Any) -> Any:
        seen.update(kwargs)
        raise OSError("not connecting in this test")

    monkeypatch.setattr(ws_module, "ws_connect", fake_connect)
    context = ssl.create_default_context()
    transport = JanusTransportWebsocket(base, ssl=context)
    with pytest.raises(Exception, match="not connecting"):
        await transport.connect()
    await transport.close()
    assert seen.get("ssl") is context
    assert isinstance(seen.get("logger"), RedactingLoggerAdapter)


# ---------------------------------------------------------------------------
# 7. create() after destroy() on a session that owns its transport.
# ---------------------------------------------------------------------------
async def test_create_after_destroy_opens_a_new_transport(fake_janus: FakeJanus, kind: str) -> None:
    session = JanusSession(url(fake_janus, kind), api_secret=None)
    first = await session.create()
    old = session.transport
    await session.destroy()
    assert old.closed
    second = await session.create()
    try:
        assert second != first
        assert session.state is SessionState.ACTIVE
        assert session.transport is not old and not session.transport.closed
        handle = await session.attach(ECHO)
        assert (await handle.send({"audio": True})).kind == "event"
        assert set(fake_janus.sessions) == {second}
    finally:
        await session.destroy()
    assert session.transport.closed
    # And through `async with` again.
    async with session:
        assert session.state is SessionState.ACTIVE
    assert session.transport.closed


async def test_create_after_destroy_never_reopens_a_given_transport(fake_janus: FakeJanus) -> None:
    transport = JanusTransport.create_transport(fake_janus.ws_url)
    session = JanusSession(transport=transport)
    await session.create()
    await session.destroy()
    await transport.close()
    with pytest.raises(InvalidStateError, match="closed"):
        await session.create()
    assert session.transport is transport


# ---------------------------------------------------------------------------
# 8. Orphans on the server: cancelled attach, lingering keepalive task.
# ---------------------------------------------------------------------------
async def test_cancelled_attach_detaches_the_late_handle(fake_janus: FakeJanus, kind: str) -> None:
    async with JanusSession(url(fake_janus, kind)) as session:
        await session.create()
        sid = session.session_id
        assert sid is not None
        fake_janus.delay("attach", 0.2)
        task = asyncio.create_task(session.attach(ECHO))
        await fake_janus.wait_for_request("attach")
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        detach = await fake_janus.wait_for_request("detach")
        await _until(lambda: not fake_janus.sessions[sid].handles and not session._cleanups)
        assert detach["session_id"] == sid
        assert session.handles == {}
        fake_janus.delay("attach", 0)
        assert (await session.attach(ECHO)).handle_id in fake_janus.sessions[sid].handles


async def test_cancelled_attach_then_destroy_leaves_nothing(
    fake_janus: FakeJanus, kind: str
) -> None:
    session = JanusSession(url(fake_janus, kind))
    await session.create()
    fake_janus.delay("attach", 0.3)
    task = asyncio.create_task(session.attach(ECHO))
    await fake_janus.wait_for_request("attach")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await session.destroy()  # fails the attach still listening; the leak checker watches
    assert not fake_janus.sessions


def _keepalive_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("janus-keepalive")]


async def test_keepalive_task_stops_with_the_last_session(fake_janus: FakeJanus, kind: str) -> None:
    quick = Timeouts(keepalive=0.05, request=2.0, close=2.0)
    async with JanusTransport.create_transport(url(fake_janus, kind), timeouts=quick) as transport:
        one = JanusSession(transport=transport)
        two = JanusSession(transport=transport)
        await one.create()
        # Until the first interval has passed, a timer stands for the loop (no
        # loop iteration ran since the session was added): a short-lived
        # session costs no task.
        assert _keepalive_tasks() == []
        assert transport._keepalive_timer is not None
        await two.create()
        await fake_janus.wait_for_request("keepalive")
        assert len(_keepalive_tasks()) == 1
        await one.destroy()
        assert len(_keepalive_tasks()) == 1  # still needed by `two`
        await two.destroy()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert _keepalive_tasks() == []
        assert transport._keepalive_task is None
        assert transport._keepalive_timer is None
        # A new session schedules a new loop; a session shorter than one interval
        # leaves neither a task nor a timer behind.
        async with JanusSession(transport=transport):
            assert transport._keepalive_timer is not None
        assert transport._keepalive_timer is None
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert _keepalive_tasks() == []


# ---------------------------------------------------------------------------
# 9. HTTP frozen server: keepalive failures follow the ReconnectPolicy.
# ---------------------------------------------------------------------------
FAST = Timeouts(keepalive=0.15, request=0.15, close=1.0)


async def _states(stream: Any, wanted: set[ConnectionState], limit: float = 5.0) -> ConnectionState:
    async def first() -> ConnectionState:
        async for event in stream:
            if isinstance(event, ConnectionStateEvent) and event.state in wanted:
                return event.state
        raise AssertionError("the event stream ended")

    return await asyncio.wait_for(first(), limit)


async def test_http_keepalive_outage_within_the_policy_recovers(fake_janus: FakeJanus) -> None:
    policy = ReconnectPolicy(attempts=None, initial_delay=0.05, max_delay=0.1, deadline=5.0)
    transport = JanusTransportHTTP(fake_janus.http_url, timeouts=FAST, reconnect=policy)
    async with transport, JanusSession(transport=transport) as session:
        stream = session.events(ConnectionStateEvent)
        fake_janus.freeze()
        state = await _states(stream, {ConnectionState.RECONNECTING, ConnectionState.LOST})
        assert state is ConnectionState.RECONNECTING
        fake_janus.thaw()
        state = await _states(stream, {ConnectionState.RECONNECTED, ConnectionState.LOST})
        assert state is ConnectionState.RECONNECTED
        assert session.state is SessionState.ACTIVE
        assert (await (await session.attach(ECHO)).send({"audio": True})).kind == "event"
        await stream.aclose()


async def test_http_keepalive_given_up_destroys_the_session(fake_janus: FakeJanus) -> None:
    policy = ReconnectPolicy(attempts=None, initial_delay=0.05, max_delay=0.1, deadline=0.5)
    transport = JanusTransportHTTP(fake_janus.http_url, timeouts=FAST, reconnect=policy)
    async with transport:
        session = JanusSession(transport=transport)
        sid = await session.create()
        stream = session.events(ConnectionStateEvent)
        fake_janus.freeze()
        state = await _states(stream, {ConnectionState.LOST})
        assert state is ConnectionState.LOST
        assert session.state is SessionState.LOST
        fake_janus.thaw()  # the queued destroy now reaches the server
        await _until(lambda: sid not in fake_janus.sessions)
        assert any(
            r.get("janus") == "destroy" and r.get("session_id") == sid for r in fake_janus.requests
        )
        await session.destroy()


async def test_http_keepalive_without_policy_still_loses_the_session(
    fake_janus: FakeJanus,
) -> None:
    transport = JanusTransportHTTP(fake_janus.http_url, timeouts=FAST)
    async with transport, JanusSession(transport=transport) as session:
        fake_janus.drop("keepalive")
        await _until(lambda: session.state is SessionState.LOST)
        fake_janus.drop("keepalive", 0)


async def test_longpoll_answer_over_max_size_is_dropped_and_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A poll body over the transport's ``max_size`` is not read: logged, retried, never busy."""
    event = b'[{"janus":"event","session_id":4242,"sender":1,"plugindata":{"data":{"x":"%s"}}}]'
    async with PollServer(200, event % (b"y" * 2000)) as server:
        transport = JanusTransportHTTP(server.url, reconnect=POLICY, max_size=1000)
        session = JanusSession(transport=transport)
        with caplog.at_level(logging.DEBUG, logger="janus_client"):
            await session.create()
            session.events()
            await _until(lambda: session.state is not SessionState.ACTIVE, 4.0)
        try:
            assert session.state is SessionState.LOST
            assert 2 <= server.polls <= _max_polls(POLICY), server.polls
        finally:
            await session.destroy()
            await transport.close()
    assert any("larger than 1000" in r.getMessage() for r in caplog.records)
