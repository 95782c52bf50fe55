"""Streaming plugin against the real Janus, fed by a GStreamer RTP sender (VP8 + Opus)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from janus_client import JanusSession
from janus_client.plugins.streaming import (
    JanusStreamingPlugin,
    RtpMedia,
    StreamingError,
    StreamingEvent,
    StreamingEventType,
)
from janus_client.testing import RtpFeed, live_mountpoint, mean_luma
from janus_client.webrtc import TrackStats, open_peer_connections

pytestmark = [
    pytest.mark.usefixtures("media_address"),
    pytest.mark.skipif(not RtpFeed.available(), reason="GStreamer (gst-launch-1.0) missing"),
]


async def _frames_after(stats: TrackStats, seconds: float) -> int:
    before = stats.frames
    await asyncio.sleep(seconds)
    return stats.frames - before


async def _wait_frames(stats: TrackStats, more: int, limit: float = 10.0) -> int:
    """Wait (bounded) until ``stats`` counts ``more`` frames; return how many came."""
    start = stats.frames
    for _ in range(int(limit / 0.05)):
        if stats.frames - start >= more:
            break
        await asyncio.sleep(0.05)
    return stats.frames - start


async def _first_of(events: object, kind: StreamingEventType) -> StreamingEvent:
    async for event in events:  # type: ignore[attr-defined]
        if event.type is kind:
            return event  # type: ignore[no-any-return]
    raise AssertionError(f"the event stream ended before {kind}")


async def test_watch_counts_frames_pause_and_start(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        streaming = await session.attach(JanusStreamingPlugin())
        async with live_mountpoint(streaming) as mp:
            listed = await streaming.list_mountpoints()
            assert mp.id in [m.id for m in listed]
            info = await streaming.info(mp.id)
            assert info.id == mp.id and {m.mid for m in info.media} == {"v1", "a1"}
            event = await streaming.watch(mp.id)
            assert event.type in (StreamingEventType.STARTING, StreamingEventType.STARTED)
            assert streaming.watching == mp.id
            await streaming.wait_webrtcup(timeout=10)
            video = await streaming.wait_track("video")
            audio = await streaming.wait_track("audio")
            await video.wait_first_frame(timeout=10)
            assert set(streaming.track_stats) == {"v1", "a1"}
            assert streaming.track_stats["v1"] is video
            assert (video.width, video.height) == (320, 240)
            before_v, before_a = video.frames, audio.frames
            await asyncio.sleep(5)
            assert video.frames - before_v >= 120, video.frames - before_v
            assert audio.frames - before_a >= 200, audio.frames - before_a

            paused = await streaming.pause()
            assert paused.type is StreamingEventType.PAUSED
            await asyncio.sleep(0.5)  # what was in flight
            assert await _frames_after(video, 1.5) <= 1
            started = await streaming.start()
            assert started.type in (StreamingEventType.STARTING, StreamingEventType.STARTED)
            assert await _wait_frames(video, 30) >= 30
            assert await _wait_frames(audio, 50) >= 50

            stopping = await streaming.stop()
            assert stopping is not None and stopping.type is StreamingEventType.STOPPING
            assert streaming.watching is None and streaming.peer_connection is None
            assert await streaming.stop() is None  # idempotent, nothing sent
        assert open_peer_connections() == []


async def test_switch_changes_the_picture(janus_ws_url: str) -> None:
    async with JanusSession(janus_ws_url) as session:
        streaming = await session.attach(JanusStreamingPlugin())
        async with (
            live_mountpoint(streaming, pattern="white") as white,
            live_mountpoint(streaming, pattern="black", frequency=880) as black,
        ):
            await streaming.watch(white.id)
            await streaming.wait_webrtcup(timeout=10)
            video = await streaming.wait_track("video")
            await _wait_frames(video, 10)
            assert mean_luma(video.last_frame) > 200
            switched = await streaming.switch(black.id)
            assert switched.type is StreamingEventType.SWITCHED and switched.id == black.id
            assert streaming.watching == black.id
            for _ in range(200):  # bounded: until a dark frame arrives
                await asyncio.sleep(0.05)
                if mean_luma(video.last_frame) < 50:
                    break
            assert mean_luma(video.last_frame) < 50
            await streaming.stop()


async def test_recording_writes_mjr_files(janus_ws_url: str, tmp_path: Path) -> None:
    async with JanusSession(janus_ws_url) as session:
        streaming = await session.attach(JanusStreamingPlugin())
        async with live_mountpoint(streaming) as mp:
            files = {"v1": str(tmp_path / "cam-video"), "a1": str(tmp_path / "cam-audio")}
            started = await streaming.start_recording(mp.id, files)
            assert started.result == "ok"
            await asyncio.sleep(2)
            await streaming.stop_recording(mp.id, ["v1", "a1"])
    _check_mjr(tmp_path, "cam-video.mjr", "cam-audio.mjr")


def _check_mjr(folder: Path, *names: str) -> None:
    for name in names:
        path = folder / name
        assert path.exists(), sorted(p.name for p in folder.iterdir())
        assert path.read_bytes()[:8] == b"MJR00002"
        assert path.stat().st_size > 10_000


async def test_destroy_ends_the_viewer(janus_ws_url: str) -> None:
    async with JanusSession(janus_ws_url) as session:
        streaming = await session.attach(JanusStreamingPlugin())
        admin = await session.attach(JanusStreamingPlugin())
        async with live_mountpoint(admin) as mp:
            events = streaming.events(StreamingEvent)
            await streaming.watch(mp.id)
            await streaming.wait_webrtcup(timeout=10)
            destroyed = await admin.destroy_mountpoint(mp.id)
            assert destroyed.result == "destroyed" and destroyed.id == mp.id
            stopped = await asyncio.wait_for(_first_of(events, StreamingEventType.STOPPED), 10)
            assert stopped.raw["plugindata"]["data"]["result"]["status"] == "stopped"
            for _ in range(100):  # the hangup follows
                if streaming.peer_connection is None:
                    break
                await asyncio.sleep(0.05)
            assert streaming.watching is None and streaming.peer_connection is None
            with pytest.raises(StreamingError) as caught:
                await streaming.info(mp.id)
            assert caught.value.code == 455
            assert caught.value.code_name == "JANUS_STREAMING_ERROR_NO_SUCH_MOUNTPOINT"


async def test_management_requests(janus_ws_url: str) -> None:
    async with JanusSession(janus_ws_url) as session:
        streaming = await session.attach(JanusStreamingPlugin())
        created = await streaming.create_mountpoint(
            media=[RtpMedia("audio", "a1", pt=111, codec="opus", iface="127.0.0.1")],
            name="mgmt",
            description="before",
            secret="s3cret",
        )
        assert created.id is not None and created.port_of("a1") > 0
        mid = created.id
        with pytest.raises(StreamingError) as caught:
            await streaming.edit_mountpoint(mid, secret="wrong", new_description="x")
        assert caught.value.code == 457 and "s3cret" not in str(caught.value)
        edited = await streaming.edit_mountpoint(mid, secret="s3cret", new_description="after")
        assert edited.result == "edited"
        assert (await streaming.info(mid)).description == "after"
        assert (await streaming.disable_mountpoint(mid, secret="s3cret")).result == "ok"
        assert (await streaming.info(mid)).enabled is False
        assert (await streaming.enable_mountpoint(mid, secret="s3cret")).result == "ok"
        assert (await streaming.info(mid)).enabled is True
        assert (await streaming.kick_all(mid, secret="s3cret")).result == "kicked_all"
        with pytest.raises(StreamingError) as caught:
            await streaming.configure(send=True)
        assert caught.value.code == 455  # not watching anything
        assert (await streaming.destroy_mountpoint(mid, secret="s3cret")).result == "destroyed"


async def test_watch_records_to_a_file(janus_ws_url: str, tmp_path: Path) -> None:
    target = tmp_path / "watched.mp4"
    async with JanusSession(janus_ws_url) as session:
        streaming = await session.attach(JanusStreamingPlugin())
        async with live_mountpoint(streaming, keyframe_interval=30) as mp:
            await streaming.watch(mp.id, record_to=str(target))
            await streaming.wait_webrtcup(timeout=10)
            await asyncio.sleep(3)
            await streaming.stop()
    kinds, video_frames = _read_media(target)
    # The viewer waits up to a second for a keyframe: the audio is held until then,
    # so that the file has the video stream too.
    assert kinds == ["audio", "video"] or kinds == ["video", "audio"], kinds
    assert video_frames >= 30, video_frames


def _read_media(path: Path) -> tuple[list[str], int]:
    import av

    with av.open(str(path)) as container:
        kinds = [s.type for s in container.streams]
        frames = sum(1 for _ in container.decode(video=0))
    return kinds, frames


async def test_stop_right_after_watch_ends_the_viewer(janus_ws_url: str) -> None:
    async with JanusSession(janus_ws_url) as session:
        streaming = await session.attach(JanusStreamingPlugin())
        async with live_mountpoint(streaming) as mp:
            for _ in range(5):  # before webrtcup Janus ignores stop: a hangup ends it
                await streaming.watch(mp.id)
                await streaming.stop(timeout=5)
                assert streaming.watching is None and streaming.peer_connection is None
            for _ in range(100):
                if (await streaming.info(mp.id)).viewers == 0:
                    break
                await asyncio.sleep(0.05)
            assert (await streaming.info(mp.id)).viewers == 0


@pytest.fixture
def opus_file(tmp_path: Path) -> Path:
    import subprocess

    path = tmp_path / "tone.opus"
    subprocess.run(
        ["gst-launch-1.0", "-q", "audiotestsrc", "num-buffers=100", "!",
         "audio/x-raw,rate=48000,channels=2", "!", "opusenc", "!", "oggmux", "!",
         "filesink", f"location={path}"],
        check=True, timeout=30,
    )  # fmt: skip
    return path


async def test_file_and_rtsp_mountpoints(janus_ws_url: str, opus_file: Path) -> None:
    async with JanusSession(janus_ws_url) as session:
        streaming = await session.attach(JanusStreamingPlugin())
        for kind, label in (("ondemand", "on demand"), ("live", "live")):
            created = await streaming.create_mountpoint(
                type=kind, filename=str(opus_file), audio=True, audiocodec="opus", audiopt=111
            )
            assert created.type == label and created.id is not None
            info = await streaming.info(created.id)
            assert [(m.type, m.codec) for m in info.media] == [("audio", "opus")]
            await streaming.destroy_mountpoint(created.id)
        # Nothing listens there: Janus cannot connect, and says so with its code.
        with pytest.raises(StreamingError) as caught:
            await streaming.create_mountpoint(
                type="rtsp", url="rtsp://127.0.0.1:9/cam", video=True, rtsp_pwd="hunter2"
            )
        assert caught.value.code_name == "JANUS_STREAMING_ERROR_CANT_CREATE"
        assert "hunter2" not in str(caught.value)
