"""The Admin/Monitor API client against the real Janus, over both admin transports."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest

import janus_client.coverage
from janus_client import (
    DetachedEvent,
    HandleInfo,
    HangupEvent,
    InvalidStateError,
    JanusAdminMonitorClient,
    JanusEchoTestPlugin,
    JanusEvent,
    JanusSession,
    PluginError,
    PluginNotFoundError,
    ServerInfo,
    SessionLost,
    SessionNotFoundError,
    SessionState,
    StatusInfo,
    UnauthorizedError,
)
from janus_client.admin import MediumStats
from janus_client.errors import (
    HandleNotFoundError,
    NotAcceptingSessionsError,
    TokenNotFoundError,
    UnauthorizedPluginError,
    UnknownJanusError,
)
from janus_client.testing import JanusServer

SECRET = "janusoverlord"
ECHOTEST = "janus.plugin.echotest"
VIDEOROOM = "janus.plugin.videoroom"


@pytest.fixture(params=["http", "ws"])
def admin_kind(request: pytest.FixtureRequest) -> str:
    """Which admin transport the test uses."""
    return str(request.param)


@pytest.fixture
def admin_url(admin_kind: str, janus_admin_http_url: str, janus_admin_ws_url: str) -> str:
    """The shared test Janus' admin URL, once per admin transport."""
    return janus_admin_http_url if admin_kind == "http" else janus_admin_ws_url


@pytest.fixture
def api_url(admin_kind: str, janus_ws_url: str, janus_http_url: str) -> str:
    """The Janus API URL of the other transport, so that both API transports are used too."""
    return janus_ws_url if admin_kind == "http" else janus_http_url


@pytest.fixture
async def admin(admin_url: str) -> AsyncIterator[JanusAdminMonitorClient]:
    """A connected admin client of the shared test Janus."""
    async with JanusAdminMonitorClient(admin_url, SECRET) as client:
        yield client


async def _wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


E = TypeVar("E", bound=JanusEvent)


async def _first(events: AsyncIterator[JanusEvent], kind: type[E]) -> E:
    async for event in events:
        if isinstance(event, kind):
            return event
    raise AssertionError(f"the events ended without a {kind.__name__}")


# ----------------------------------------------------------------- generic
async def test_info_ping_and_secret(admin_url: str) -> None:
    # info and ping need no secret.
    async with JanusAdminMonitorClient(admin_url, None) as anonymous:
        info = await anonymous.info()
        assert isinstance(info, ServerInfo)
        assert info.name == "Janus WebRTC Server"
        assert info.version >= 1000 and info.version_string is not None
        assert info.version_string.startswith("1.")
        assert ECHOTEST in info.plugins and info.plugins[ECHOTEST].package == ECHOTEST
        assert {"janus.transport.http", "janus.transport.websockets"} <= set(info.transports)
        assert info.accepting_new_sessions
        assert info.raw["version"] == info.version == info["version"]  # 0.9.x dict access
        pong = await anonymous.ping()
        assert pong["janus"] == "pong"
        # Everything else needs it.
        with pytest.raises(UnauthorizedError) as missing:
            await anonymous.get_status()
        assert missing.value.code == 403 and "admin_secret" in str(missing.value)
    async with JanusAdminMonitorClient(admin_url, "not-the-secret") as wrong:
        with pytest.raises(UnauthorizedError):
            await wrong.list_sessions()
        with pytest.raises(UnauthorizedError):
            await wrong.send("get_status")
        assert (await wrong.info()).version == info.version


async def test_generic_send_and_loops(admin: JanusAdminMonitorClient) -> None:
    reply = await admin.send("get_status")
    assert reply["janus"] == "success" and "status" in reply
    assert await admin.loops_info() == []  # no static event loops configured
    # A field named "request" goes through send() too.
    reply = await admin.send(
        "query_transport", transport="janus.transport.http", request={"request": "connections"}
    )
    assert reply["response"]["result"] == 200


async def test_secret_never_logged(
    admin: JanusAdminMonitorClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="janus_client"):
        await admin.get_status()
        token = await admin.send("list_sessions")
    assert token["janus"] == "success"
    assert "get_status" in caplog.text
    assert SECRET not in caplog.text


# ------------------------------------------------------------ configuration
async def test_runtime_settings(admin: JanusAdminMonitorClient) -> None:
    before = await admin.get_status()
    assert isinstance(before, StatusInfo)
    assert before.session_timeout is not None and before.log_level is not None
    timeout = before.session_timeout + 7
    assert before.raw == await admin.get_settings()
    try:
        assert await admin.set_session_timeout(timeout) == timeout
        assert await admin.set_log_level(5) == 5
        assert await admin.set_log_timestamps(not before.log_timestamps) is (
            not before.log_timestamps
        )
        assert await admin.set_log_colors(True) is True
        assert await admin.set_locking_debug(True) is True
        assert await admin.set_refcount_debug(True) is True
        assert await admin.set_libnice_debug(True) is True
        assert await admin.set_min_nack_queue(321) == 321
        assert await admin.set_no_media_timer(3) == 3
        assert await admin.set_slowlink_threshold(4) == 4
        now = await admin.get_status()
        assert now.session_timeout == timeout
        assert now.log_level == 5
        assert now.log_timestamps is (not before.log_timestamps)
        assert now.log_colors and now.locking_debug and now.refcount_debug and now.libnice_debug
        assert (now.min_nack_queue, now.no_media_timer, now.slowlink_threshold) == (321, 3, 4)
        # The session timeout shows in info too.
        assert (await admin.info()).session_timeout == now.session_timeout
    finally:
        # Restore: the test Janus is shared by the whole test session.
        await admin.set_locking_debug(before.locking_debug)
        await admin.set_refcount_debug(before.refcount_debug)
        await admin.set_libnice_debug(before.libnice_debug)
        await admin.set_session_timeout(before.session_timeout)
        await admin.set_log_level(before.log_level)
        await admin.set_log_timestamps(before.log_timestamps)
        await admin.set_log_colors(before.log_colors)
        await admin.set_min_nack_queue(before.min_nack_queue or 0)
        await admin.set_no_media_timer(before.no_media_timer or 0)
        await admin.set_slowlink_threshold(before.slowlink_threshold or 0)
    assert await admin.get_status() == before


async def test_arguments_checked_before_sending() -> None:
    # Nothing listens there: a request would fail to connect, a bad argument never gets there.
    admin = JanusAdminMonitorClient("http://127.0.0.1:9/admin", SECRET)
    cases = [
        (admin.set_log_level(8), ValueError, "log_level"),
        (admin.set_log_timestamps("yes"), TypeError, "log_timestamps"),  # type: ignore[arg-type]
        (admin.set_session_timeout(-1), ValueError, "session_timeout"),
        (admin.set_min_nack_queue(1.5), TypeError, "min_nack_queue"),  # type: ignore[arg-type]
        (admin.list_handles(0), ValueError, "session_id"),
        (admin.handle_info(1, True), TypeError, "handle_id"),
        (admin.allow_token("t", []), ValueError, "plugins"),
        (admin.add_token("t", "janus.plugin.echotest"), TypeError, "plugins"),
        (admin.remove_token(""), ValueError, "token"),
        (admin.message_plugin(VIDEOROOM, ["list"]), TypeError, "request"),  # type: ignore[arg-type]
        (admin.custom_logline("x", level=9), ValueError, "level"),
        (admin.test_stun("127.0.0.1", 70000), ValueError, "port"),
        (admin.start_pcap(1, 2, truncate=-1), ValueError, "truncate"),
        (admin.send("list_handles", handle_id=3), ValueError, "session_id"),
        (admin.accept_new_sessions(1), TypeError, "accept"),  # type: ignore[arg-type]
    ]
    for call, error, name in cases:
        with pytest.raises(error, match=name):
            await call
    assert not admin.connected
    await admin.close()
    with pytest.raises(TypeError, match="admin_secret"):
        JanusAdminMonitorClient("http://127.0.0.1:9/admin", 42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="base_url"):
        JanusAdminMonitorClient(None, SECRET)


async def test_connect_disconnect_cycle(admin_url: str) -> None:
    admin = JanusAdminMonitorClient(admin_url, SECRET)
    await admin.connect()
    assert admin.connected
    await admin.disconnect()
    assert not admin.connected
    with pytest.raises(InvalidStateError, match="connect"):
        await admin.get_status()
    await admin.connect()  # a new connection
    assert (await admin.get_status()).log_level is not None
    await admin.close()
    await admin.close()  # idempotent


# ------------------------------------------------------------------- tokens
async def test_stored_token_auth(
    janus_server_factory: Callable[..., JanusServer],
    admin_kind: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="janus_client")
    server = janus_server_factory(token_auth=True)
    url = server.admin_http_url if admin_kind == "http" else server.admin_ws_url
    api = server.ws_url if admin_kind == "http" else server.http_url
    async with JanusAdminMonitorClient(url, server.admin_secret) as admin:
        assert (await admin.get_status()).token_auth
        assert await admin.list_tokens() == []
        token = await admin.add_token(plugins=[ECHOTEST])
        assert await admin.list_tokens() == [{"token": token, "allowed_plugins": [ECHOTEST]}]

        # Without a token: refused.
        with pytest.raises(UnauthorizedError):
            async with JanusSession(api):
                pass
        async with JanusSession(api, token=token) as session:
            await session.attach(ECHOTEST)
            with pytest.raises(UnauthorizedPluginError) as refused:
                await session.attach(VIDEOROOM)
            assert refused.value.code == 405

            assert sorted(await admin.allow_token(token, [VIDEOROOM])) == [ECHOTEST, VIDEOROOM]
            room = await session.attach(VIDEOROOM)
            assert (await room.request({"request": "list"}))["videoroom"] == "success"
            await room.detach()

            assert await admin.disallow_token(token, [VIDEOROOM]) == [ECHOTEST]
            assert await admin.list_tokens() == [{"token": token, "allowed_plugins": [ECHOTEST]}]
            with pytest.raises(UnauthorizedPluginError):
                await session.attach(VIDEOROOM)

        assert await admin.remove_token(token) is True
        assert await admin.list_tokens() == []
        with pytest.raises(UnauthorizedError) as locked_out:
            async with JanusSession(api, token=token):
                pass
        assert locked_out.value.code == 403
        # Stored tokens are secrets: the DEBUG log of all this never shows them.
        assert "list_tokens" in caplog.text and token not in caplog.text

        # Errors on tokens that do not exist (Janus answers 490 to remove_token). Janus
        # names the unknown token in its 470 reason, so from here it is in the log.
        with pytest.raises(TokenNotFoundError):
            await admin.allow_token(token, [ECHOTEST])
        with pytest.raises(UnknownJanusError):
            await admin.remove_token(token)

        # No plugin list: every plugin.
        other = await admin.add_token("all-plugins-token")
        assert other == "all-plugins-token"
        tokens = await admin.list_tokens()
        assert {ECHOTEST, VIDEOROOM} <= set(tokens[0]["allowed_plugins"])
        await admin.remove_token(other)


async def test_token_requests_need_token_auth(admin: JanusAdminMonitorClient) -> None:
    with pytest.raises(UnknownJanusError, match="Stored-Token"):
        await admin.list_tokens()


# ----------------------------------------------------- sessions and handles
async def test_list_sessions_and_handles(admin: JanusAdminMonitorClient, api_url: str) -> None:
    opaque = f"admin-test-{uuid.uuid4().hex[:8]}"
    async with JanusSession(api_url) as session:
        handle = await session.attach(ECHOTEST, opaque_id=opaque)
        sid = session.session_id
        assert sid is not None
        assert sid in await admin.list_sessions()
        assert await admin.list_handles(sid) == [handle.handle_id]
        info = await admin.handle_info(sid, handle.handle_id)
        assert isinstance(info, HandleInfo)
        assert (info.session_id, info.handle_id) == (sid, handle.handle_id)
        assert info.plugin == ECHOTEST and info.opaque_id == opaque
        assert info.session_transport in ("janus.transport.http", "janus.transport.websockets")
        assert info.flags["negotiated"] is False and not info.webrtc_ready
        assert info.ice_state is None and info.dtls_state is None  # no PeerConnection yet
        brief = await admin.handle_info(sid, handle.handle_id, plugin_only=True)
        assert brief.flags == {} and brief.plugin_specific == info.plugin_specific
        with pytest.raises(HandleNotFoundError):
            await admin.handle_info(sid, handle.handle_id + 1)
    assert sid not in await admin.list_sessions()
    with pytest.raises(SessionNotFoundError):
        await admin.list_handles(sid)


async def test_destroy_session(admin: JanusAdminMonitorClient, api_url: str) -> None:
    async with JanusSession(api_url) as session:
        await session.attach(ECHOTEST)
        sid = session.session_id
        assert sid is not None
        await admin.destroy_session(sid)
        assert sid not in await admin.list_sessions()
        # Janus does not tell the client: its next request finds out.
        with pytest.raises(SessionNotFoundError):
            await session.keepalive()
        assert session.state is SessionState.LOST
        assert isinstance(session.lost_reason, SessionLost)
        assert session.handles == {}
    with pytest.raises(SessionNotFoundError):
        await admin.destroy_session(sid)


async def test_detach_handle(admin: JanusAdminMonitorClient, api_url: str) -> None:
    async with JanusSession(api_url) as session:
        handle = await session.attach(ECHOTEST)
        keep = await session.attach(ECHOTEST)
        events = handle.events()
        sid = session.session_id
        assert sid is not None
        await admin.detach_handle(sid, handle.handle_id)
        event = await asyncio.wait_for(_first(events, DetachedEvent), 5)
        assert event.handle_id == handle.handle_id  # after the echotest's "done" event
        await _wait_for(lambda: handle.closed)
        assert list(session.handles) == [keep.handle_id]
        assert await admin.list_handles(sid) == [keep.handle_id]
        await events.aclose()


@pytest.mark.usefixtures("media_address")
async def test_call_info_capture_and_hangup(
    admin: JanusAdminMonitorClient, api_url: str, tmp_path: Path
) -> None:
    async with JanusSession(api_url) as session:
        echo = await session.attach(JanusEchoTestPlugin())
        await echo.start(data_channel=False)
        await echo.wait_webrtcup()
        sid, hid = session.session_id, echo.id
        assert sid is not None

        info = await admin.handle_info(sid, hid)
        assert info.plugin == ECHOTEST
        assert info.ice_state in ("connected", "ready")
        assert info.dtls_state == "connected"
        assert info.flags["negotiated"] and info.webrtc_ready
        assert info.selected_pair and info.local_candidates and info.remote_candidates
        assert {m["type"] for m in info.media.values()} == {"audio", "video"}
        assert info.sdps["local"].startswith("v=0")
        assert info.plugin_specific["video_codec"]

        # Packet captures into the test's folder.
        await admin.start_pcap(sid, hid, folder=str(tmp_path), filename="call.pcap")
        assert (await admin.handle_info(sid, hid)).dump_file == str(tmp_path / "call.pcap")
        with pytest.raises(UnknownJanusError, match="already"):
            await admin.start_text2pcap(sid, hid, folder=str(tmp_path), filename="no.txt")
        await asyncio.sleep(0.5)
        await admin.stop_pcap(sid, hid)
        with pytest.raises(UnknownJanusError, match="not started"):
            await admin.stop_pcap(sid, hid)
        await admin.start_text2pcap(sid, hid, folder=str(tmp_path), filename="call.txt")
        await asyncio.sleep(0.5)
        await admin.stop_text2pcap(sid, hid)
        assert (tmp_path / "call.pcap").stat().st_size > 24  # more than the pcap header
        assert (tmp_path / "call.txt").stat().st_size > 0
        assert (await admin.handle_info(sid, hid)).dump_file is None

        # Hang up from the Admin API: the handle sees it.
        events = echo.events()
        await admin.hangup_webrtc(sid, hid)
        hangup = await asyncio.wait_for(_first(events, HangupEvent), 5)
        assert hangup.reason == "Admin API"
        await events.aclose()
        await _wait_for(lambda: echo.peer_connection is None)
        assert echo.attached
        after = await admin.handle_info(sid, hid)
        assert not after.webrtc_ready and after.ice_state is None
        await echo.destroy()


# ----------------------------------------------------------------- sessions
async def test_accept_new_sessions(admin: JanusAdminMonitorClient, api_url: str) -> None:
    try:
        assert await admin.accept_new_sessions(False) is False
        assert not (await admin.info()).accepting_new_sessions
        with pytest.raises(NotAcceptingSessionsError) as refused:
            async with JanusSession(api_url):
                pass
        assert refused.value.code == 472
    finally:
        assert await admin.accept_new_sessions(True) is True
    async with JanusSession(api_url) as session:
        assert session.state is SessionState.ACTIVE


# ------------------------------------------------- plugins, transports, ...
async def test_message_plugin(admin: JanusAdminMonitorClient) -> None:
    room = 700_000 + uuid.uuid4().int % 100_000
    created = await admin.message_plugin(VIDEOROOM, {"request": "create", "room": room})
    assert created["videoroom"] == "created" and created["room"] == room
    try:
        listed = await admin.message_plugin(VIDEOROOM, {"request": "list"})
        assert listed["videoroom"] == "success"
        assert room in [r["room"] for r in listed["list"]]
        # A plugin error is raised, with the plugin's code.
        with pytest.raises(PluginError) as failed:
            await admin.message_plugin(VIDEOROOM, {"request": "exists"})
        assert failed.value.plugin == VIDEOROOM and failed.value.code == 429
    finally:
        await admin.message_plugin(VIDEOROOM, {"request": "destroy", "room": room})
    with pytest.raises(PluginNotFoundError):
        await admin.message_plugin("janus.plugin.nope", {"request": "list"})


async def test_transports_and_event_handlers(
    admin: JanusAdminMonitorClient, janus_server: JanusServer
) -> None:
    http = await admin.query_transport("janus.transport.http", {"request": "connections"})
    assert http["result"] == 200 and "admin_http" in http["connections"]
    ws = await admin.query_transport("janus.transport.websockets", {"request": "connections"})
    assert ws["result"] == 200
    with pytest.raises(PluginError) as bad:
        await admin.query_transport("janus.transport.http")  # no request: the transport's error
    assert bad.value.code == 412
    with pytest.raises(PluginNotFoundError):
        await admin.query_transport("janus.transport.nope", {"request": "connections"})
    # No event handler is loaded on the test Janus.
    assert (await admin.info()).event_handler_modules == {}
    with pytest.raises(PluginNotFoundError, match="event handler"):
        await admin.query_eventhandler("janus.eventhandler.sampleevh", {"request": "x"})
    # custom_event is accepted anyway (there is no one to deliver it to).
    await admin.custom_event("janus-client.test", {"hello": "world"})
    marker = f"admin-logline-{uuid.uuid4().hex}"
    await admin.custom_logline(marker, level=2)
    await _wait_for(lambda: marker in janus_server.read_log())


async def test_resolve_address(admin: JanusAdminMonitorClient) -> None:
    resolved = await admin.resolve_address("127.0.0.1")
    assert resolved["ip"] == "127.0.0.1" and resolved["elapsed"] >= 0
    assert (await admin.resolve_address("localhost"))["ip"] in ("127.0.0.1", "::1")


class _StunResponder(asyncio.DatagramProtocol):
    """Answers STUN binding requests with the sender's address (RFC 5389)."""

    COOKIE = 0x2112A442

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.requests = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) < 20 or self.transport is None:
            return
        kind, _, cookie = struct.unpack("!HHI", data[:8])
        if kind != 0x0001 or cookie != self.COOKIE:
            return
        self.requests += 1
        host = struct.unpack("!I", bytes(int(part) for part in addr[0].split(".")))[0]
        mapped = struct.pack(
            "!HHBBHI", 0x0020, 8, 0, 1, addr[1] ^ (self.COOKIE >> 16), host ^ self.COOKIE
        )
        header = struct.pack("!HHI", 0x0101, len(mapped), self.COOKIE)
        self.transport.sendto(header + data[8:20] + mapped, addr)


async def test_stun_against_a_loopback_responder(admin: JanusAdminMonitorClient) -> None:
    loop = asyncio.get_running_loop()
    transport, responder = await loop.create_datagram_endpoint(
        _StunResponder, local_addr=("127.0.0.1", 0)
    )
    try:
        port = transport.get_extra_info("sockname")[1]
        result = await admin.test_stun("127.0.0.1", port)
        assert result["public_ip"] == "127.0.0.1"
        assert isinstance(result["public_port"], int) and result["elapsed"] >= 0
        assert responder.requests == 1
    finally:
        transport.close()


async def test_stun_without_answer(janus_admin_ws_url: str) -> None:
    # A UDP port on loopback that never answers: Janus gives up after about 5 s.
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
    )
    try:
        port = transport.get_extra_info("sockname")[1]
        async with JanusAdminMonitorClient(janus_admin_ws_url, SECRET) as admin:
            with pytest.raises(UnknownJanusError, match="STUN request failed"):
                await admin.test_stun("127.0.0.1", port, timeout=10)
    finally:
        transport.close()


# ---------------------------------------------------------------- coverage
def test_every_admin_request_has_a_method() -> None:
    assert janus_client.coverage.missing("admin") == []
    requests = janus_client.coverage.JANUS_REQUESTS["admin"]
    assert set(JanusAdminMonitorClient.requests) == set(requests)
    for method in JanusAdminMonitorClient.requests.values():
        assert callable(getattr(JanusAdminMonitorClient, method))


# ----------------------------------------------------------------- typed stats, snapshot


async def _counters(
    admin: JanusAdminMonitorClient, sid: int, hid: int, kind: str, least: int
) -> MediumStats:
    """Poll handle_info until ``kind`` has carried ``least`` packets each way."""
    loop = asyncio.get_running_loop()
    end = loop.time() + 15
    while True:
        medium = (await admin.handle_info(sid, hid)).medium(kind)
        assert medium is not None, kind
        if (medium.packets_in or 0) >= least and (medium.packets_out or 0) >= least:
            return medium
        if loop.time() > end:
            raise AssertionError(f"{kind}: only {medium.packets_in}/{medium.packets_out} packets")
        await asyncio.sleep(0.2)


@pytest.mark.usefixtures("media_address")
async def test_typed_media_stats_of_a_real_call(
    admin: JanusAdminMonitorClient, api_url: str, media_address: str
) -> None:
    async with JanusSession(api_url) as session:
        echo = await session.attach(JanusEchoTestPlugin())
        await echo.start(data_channel=False)
        await echo.wait_webrtcup()
        sid, hid = session.session_id, echo.id
        assert sid is not None

        audio = await _counters(admin, sid, hid, "audio", 20)
        video = await _counters(admin, sid, hid, "video", 10)
        info = await admin.handle_info(sid, hid)
        assert info.ice_state in ("connected", "ready") and info.dtls_state == "connected"
        assert info.dtls_role in ("active", "passive") and info.srtp_profile
        # The selected pair, parsed: both ends on the test bed's ICE address.
        assert info.pair is not None
        assert info.pair.local.address == media_address
        assert info.pair.remote.address == media_address
        assert info.pair.local.protocol == "udp" and 0 < info.pair.remote.port < 65536
        assert [m.type for m in info.media_stats] == ["audio", "video"]
        assert (audio.codec, audio.send, audio.recv) == ("opus", True, True)
        assert video.codec in ("vp8", "vp9", "h264") and video.nacks_enabled is True
        for medium in (audio, video):
            # The echo sends back what it receives: counters move both ways.
            assert medium.bytes_in and medium.bytes_out and medium.bytes_in > medium.packets_in
            assert medium.ssrc and medium.peer_ssrc
            assert medium.rtt is not None and medium.rtt >= 0
            assert medium.nacks_out is not None and medium.nacks_out >= 0
            assert medium.in_link_quality is not None and 0 <= medium.in_link_quality <= 100
            assert medium.raw["stats"]["in"]["packets"] == medium.packets_in
        assert video.nacks_in is not None and video.retransmissions_in is not None
        # The dict view of 0.9.x is still there, unchanged.
        assert {m["type"] for m in info.media.values()} == {"audio", "video"}
        # Counters only grow.
        later = await _counters(admin, sid, hid, "audio", (audio.packets_in or 0) + 5)
        assert (later.bytes_in or 0) > (audio.bytes_in or 0)
        await echo.destroy()


async def test_snapshot_and_watch_of_the_real_server(
    admin: JanusAdminMonitorClient, api_url: str
) -> None:
    async with JanusSession(api_url) as one, JanusSession(api_url) as two:
        a = await one.attach(ECHOTEST)
        b = await one.attach(VIDEOROOM)
        c = await two.attach(ECHOTEST)
        sid1, sid2 = one.session_id, two.session_id
        assert sid1 is not None and sid2 is not None

        snap = await admin.snapshot()
        assert {sid1, sid2} <= set(snap.session_ids)
        first = snap.session(sid1)
        assert first is not None
        assert {(h.handle_id, h.plugin) for h in first.handles} == {
            (a.handle_id, ECHOTEST),
            (b.handle_id, VIDEOROOM),
        }
        assert c.handle_id in {h.handle_id for h in snap.by_plugin(ECHOTEST)}
        assert all(isinstance(h, HandleInfo) for h in snap.handles())

        # Real races: the second session is destroyed between being listed and being
        # walked, and a handle detaches between being listed and being asked about.
        real_list_handles = admin.list_handles
        real_handle_info = admin.handle_info

        async def list_handles(session_id: int, *, timeout: float | None = None) -> list[int]:
            if session_id == sid2:
                await admin.destroy_session(sid2)
            return await real_list_handles(session_id, timeout=timeout)

        async def handle_info(session_id: int, handle_id: int, **kw: Any) -> HandleInfo:
            if handle_id == b.handle_id:
                await admin.detach_handle(session_id, handle_id)
            return await real_handle_info(session_id, handle_id, **kw)

        admin.list_handles = list_handles  # type: ignore[method-assign]
        admin.handle_info = handle_info  # type: ignore[method-assign]
        try:
            raced = await admin.snapshot(concurrency=1)
        finally:
            del admin.list_handles, admin.handle_info
        assert sid2 in raced.vanished_sessions and sid2 not in raced.session_ids
        assert (sid1, b.handle_id) in raced.vanished_handles
        survivor = raced.session(sid1)
        assert survivor is not None
        assert [h.handle_id for h in survivor.handles] == [a.handle_id]

        # watch(): a fresh walk each time, the first at once.
        seen: list[set[int]] = []
        async with contextlib.aclosing(admin.watch(0.05, plugin_only=True)) as snapshots:
            async for each in snapshots:
                seen.append(set(each.session_ids))
                if len(seen) == 1:
                    await two.destroy()  # already gone on the server: a clean close
                    extra = await one.attach(ECHOTEST)
                if len(seen) == 2:
                    break
        assert sid1 in seen[0] and sid1 in seen[1] and sid2 not in seen[1]
        again = (await admin.snapshot(plugin_only=True)).session(sid1)
        assert again is not None and extra.handle_id in {h.handle_id for h in again.handles}
