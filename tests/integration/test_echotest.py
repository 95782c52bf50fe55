"""EchoTest with real WebRTC media between aiortc and the real Janus."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from janus_client import (
    EchoTestError,
    InvalidStateError,
    JanusEchoTestPlugin,
    JanusSession,
    WebRTCUpEvent,
)
from janus_client.webrtc import (
    FrameCounterVideoTrack,
    ToneAudioTrack,
    TrackStats,
    open_peer_connections,
)

pytestmark = pytest.mark.usefixtures("media_address")


async def test_echo_frames_are_the_ones_sent(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        echo = JanusEchoTestPlugin()
        await echo.attach(session)
        video = FrameCounterVideoTrack(640, 480, fps=30)
        audio = ToneAudioTrack()
        reply = await echo.start(tracks=[audio, video], read_counters=True)
        assert reply.data == {"echotest": "event", "result": "ok"}
        await echo.wait_webrtcup(timeout=10)
        assert echo.webrtc_up
        pc = echo.peer
        video_stats: TrackStats = await _stats(pc, "video")
        await video_stats.wait_first_frame(timeout=10)
        await asyncio.sleep(5)
        audio_stats = pc.stats["audio"]
        assert video_stats.frames >= 50, video_stats.frames
        assert audio_stats.frames > 0
        assert (video_stats.width, video_stats.height) == (640, 480)
        counters = video_stats.counters
        # The numbers read back are numbers we sent, mostly in order.
        assert len(set(counters)) >= 50
        assert max(counters) < video.frames_sent
        in_order = sum(1 for a, b in itertools.pairwise(counters) if b > a)
        assert in_order >= 0.9 * (len(counters) - 1)
        # The data channel echoes text.
        await echo.send_data("hello janus")
        answer = await echo.receive_data(timeout=5)
        assert isinstance(answer, str) and "hello janus" in answer
        await echo.close_stream()
        assert echo.peer_connection is None
        assert open_peer_connections() == []
        await echo.destroy()


async def _stats(pc: object, kind: str) -> TrackStats:
    for _ in range(200):
        stats = pc.stats.get(kind)  # type: ignore[attr-defined]
        if stats is not None:
            return stats  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {kind} track received")


async def test_record_to_file(janus_ws_url: str, tmp_path: Path) -> None:
    import av

    target = tmp_path / "echo.mp4"
    async with JanusSession(janus_ws_url) as session:
        echo = await session.attach(JanusEchoTestPlugin())
        await echo.start(record_to=str(target))
        await echo.wait_webrtcup()
        await asyncio.sleep(3)
        await echo.close_stream()
    assert target.exists() and target.stat().st_size > 0
    with av.open(str(target)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert frames >= 20


async def test_twenty_calls_in_a_row(janus_ws_url: str) -> None:
    async with JanusSession(janus_ws_url) as session:
        successes = 0
        for _ in range(20):
            echo = JanusEchoTestPlugin()
            await echo.attach(session)
            reply = await echo.start(read_counters=True, data_channel=False)
            assert reply.jsep is not None and reply.jsep["type"] == "answer"
            stats = await _stats(echo.peer, "video")
            await stats.wait_first_frame(timeout=10)
            await echo.close_stream()
            await echo.destroy()
            successes += 1
        assert successes == 20
        assert session.handles == {}


async def test_configure_mid_call_and_events(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        echo = JanusEchoTestPlugin()
        ups: list[WebRTCUpEvent] = []
        echo.on_event(WebRTCUpEvent, ups.append)
        await echo.attach(session)
        await echo.start(data_channel=False)
        await echo.wait_webrtcup()
        reply = await echo.configure(bitrate=256_000, audio=False)
        assert reply.data["result"] == "ok"
        reply = await echo.configure(video=True, record=False)
        assert reply.data["result"] == "ok"
        for _ in range(50):
            if ups:
                break
            await asyncio.sleep(0.02)
        assert len(ups) == 1
        with pytest.raises(ValueError, match="at least one"):
            await echo.configure()
        with pytest.raises(TypeError, match="bitrate"):
            await echo.configure(bitrate="fast")  # type: ignore[arg-type]
        await echo.destroy()
        assert echo.peer_connection is None


async def test_plugin_error_code(janus_ws_url: str) -> None:
    async with JanusSession(janus_ws_url) as session:
        echo = await session.attach(JanusEchoTestPlugin())
        with pytest.raises(EchoTestError) as info:
            await echo.message({"audio": "yes please"})
        assert info.value.code == 413
        assert info.value.code_name == "JANUS_ECHOTEST_ERROR_INVALID_ELEMENT"


async def test_session_close_closes_peer_connection(janus_ws_url: str) -> None:
    session = JanusSession(janus_ws_url)
    echo = await session.attach(JanusEchoTestPlugin())
    await echo.start(data_channel=False)
    await echo.wait_webrtcup()
    await session.destroy()
    # The handle is gone with the session, and the plugin's media with it.
    assert open_peer_connections() == []
    assert echo.peer_connection is None
    await echo.destroy()  # idempotent
    with pytest.raises(InvalidStateError):
        echo.peer  # noqa: B018
