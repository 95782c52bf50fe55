"""Transcode-free recording (`PassthroughRecorder`) against the real Janus."""

from __future__ import annotations

import asyncio
from pathlib import Path

import av
import pytest

from janus_client import JanusEchoTestPlugin, JanusSession
from janus_client.recording import PassthroughRecorder
from janus_client.webrtc import FrameCounterVideoTrack, MediaRecorder, ToneAudioTrack

pytestmark = pytest.mark.usefixtures("media_address")


def _probe(path: Path) -> dict[str, tuple[str, int, float]]:
    """Per stream kind: codec, packets (frames) and duration in seconds, by demuxing."""
    found: dict[str, tuple[str, int, float]] = {}
    with av.open(str(path)) as container:
        streams = {s.index: s for s in container.streams}
        counts = dict.fromkeys(streams, 0)
        first: dict[int, float] = {}
        last: dict[int, float] = {}
        for packet in container.demux():
            if packet.size == 0 or packet.pts is None:
                continue
            index = packet.stream.index
            counts[index] += 1
            t = float(packet.pts * packet.time_base)
            first.setdefault(index, t)
            last[index] = t
        for index, stream in streams.items():
            span = last.get(index, 0.0) - first.get(index, 0.0)
            found[stream.type] = (stream.codec_context.name, counts[index], span)
    return found


def _decoded_video_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


@pytest.mark.parametrize(
    ("suffix", "videocodec", "expected"),
    [(".mkv", None, "vp8"), (".webm", None, "vp8"), (".mp4", "h264", "h264")],
)
async def test_echotest_records_without_reencoding(
    janus_ws_url: str, tmp_path: Path, suffix: str, videocodec: str | None, expected: str
) -> None:
    target = tmp_path / f"echo{suffix}"
    async with JanusSession(janus_ws_url) as session:
        echo = await session.attach(JanusEchoTestPlugin())
        video = FrameCounterVideoTrack(640, 480, fps=30)
        await echo.start(
            tracks=[ToneAudioTrack(), video], record_to=str(target), videocodec=videocodec
        )
        await echo.wait_webrtcup()
        recorder = echo.peer.recorder
        assert isinstance(recorder, PassthroughRecorder)
        await asyncio.sleep(4)
        await echo.close_stream()
    info = {t.kind: t for t in recorder.tracks}
    assert info["video"].codec == expected and info["audio"].codec == "opus"
    assert (info["video"].width, info["video"].height) == (640, 480)
    assert info["video"].frames_received >= 60, info["video"]
    probe = _probe(target)
    codec, frames, span = probe["video"]
    assert codec == expected
    received = info["video"].frames_received
    # Every received frame is in the file (the first is a keyframe: none skipped).
    assert abs(frames - received) <= 0.02 * received, (frames, received)
    assert frames == info["video"].frames_written
    # The timestamps say how long it lasted: frames at 30 fps.
    assert span == pytest.approx((frames - 1) / 30, rel=0.1), (span, frames)
    # A frame damaged in transit is written as received; the decoder may skip it.
    assert abs(_decoded_video_frames(target) - frames) <= 0.02 * frames
    acodec, aframes, aspan = probe["audio"]
    assert acodec == "opus" and aframes == info["audio"].frames_written
    assert aspan == pytest.approx(span, abs=0.5)


async def test_videoroom_subscriber_records_without_reencoding(
    janus_ws_url: str, tmp_path: Path
) -> None:
    from janus_client import JanusVideoRoomPlugin

    async with JanusSession(janus_ws_url) as session:
        admin = await session.attach(JanusVideoRoomPlugin())
        room = await admin.create_room(description="recording", publishers=2)
        pub = await session.attach(JanusVideoRoomPlugin())
        await pub.join_as_publisher(room, display="pub")
        await pub.publish(tracks=[ToneAudioTrack(), FrameCounterVideoTrack(640, 480, fps=30)])
        await pub.wait_webrtcup()
        # One subscriber records to a path, one to a recorder object (0.9.x call).
        first = tmp_path / "sub.mkv"
        sub1 = await session.attach(JanusVideoRoomPlugin())
        await sub1.join_as_subscriber(room, [{"feed": pub.publisher_id}], record_to=str(first))
        second = tmp_path / "sub.webm"
        given = PassthroughRecorder(second)
        sub2 = await session.attach(JanusVideoRoomPlugin())
        await sub2.subscribe_to_publisher(room, pub.publisher_id, recorder=given)  # type: ignore[arg-type]
        await sub1.wait_webrtcup()
        await sub2.wait_webrtcup()
        await asyncio.sleep(4)
        recorder = sub1.peer.recorder
        assert isinstance(recorder, PassthroughRecorder)
        assert sub2.peer.recorder is given
        await sub1.leave()
        await sub2.leave()
        await pub.leave()
        await admin.destroy_room(room)
    for path, rec in ((first, recorder), (second, given)):
        info = {t.kind: t for t in rec.tracks}
        video = info["video"]
        assert video.codec == "vp8" and (video.width, video.height) == (640, 480)
        assert video.frames_received >= 60, video
        codec, frames, span = _probe(path)["video"]
        assert codec == "vp8"
        assert abs(frames - video.frames_received) <= 0.02 * video.frames_received
        assert span == pytest.approx((frames - 1) / 30, rel=0.1), (span, frames)
        assert abs(_decoded_video_frames(path) - frames) <= 0.02 * frames
        assert _probe(path)["audio"][1] == info["audio"].frames_written > 0


async def test_codec_the_file_cannot_take_falls_back_to_media_recorder(
    janus_ws_url: str, tmp_path: Path
) -> None:
    # aiortc sends VP8, which MP4 does not take: record_to re-encodes, as before.
    target = tmp_path / "echo.mp4"
    async with JanusSession(janus_ws_url) as session:
        echo = await session.attach(JanusEchoTestPlugin())
        await echo.start(record_to=str(target), data_channel=False)
        await echo.wait_webrtcup()
        assert isinstance(echo.peer.recorder, MediaRecorder)
        await asyncio.sleep(2)
        await echo.close_stream()
    assert _decoded_video_frames(target) >= 20
    assert _probe(target)["video"][0] == "h264"  # MediaRecorder's MP4 encoder


def test_cli_echotest_record_writes_without_reencoding(
    janus_ws_url: str, media_address: str, tmp_path: Path
) -> None:
    import json
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("JANUS_")}
    env.update(PYTHONPATH=str(root), JANUS_ICE_ADDRESS=media_address)

    def echotest(target: Path, *more: str) -> dict[str, object]:
        run = subprocess.run(
            [sys.executable, "-m", "janus_client", "echotest", "--url", janus_ws_url,
             "--seconds", "2", "--record", str(target), "--json", *more],
            capture_output=True, text=True, timeout=120, env=env, check=False,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        summary = json.loads(run.stdout)
        assert isinstance(summary, dict)
        return summary

    kept = echotest(tmp_path / "echo.mkv")
    assert kept["recorder"] == "PassthroughRecorder"
    frames = kept["video_frames_recorded"]
    assert isinstance(frames, int) and frames >= 45, kept
    assert _probe(tmp_path / "echo.mkv")["video"][0] == "vp8"
    again = echotest(tmp_path / "again.mkv", "--transcode")
    assert again["recorder"] == "MediaRecorder"
    assert _probe(tmp_path / "again.mkv")["video"][0] == "h264"  # Matroska's default encoder


async def test_videocall_records_both_sides_without_reencoding(
    janus_ws_url: str, tmp_path: Path
) -> None:
    import secrets

    from janus_client import JanusVideoCallPlugin

    a_name, b_name = f"rec-a-{secrets.token_hex(3)}", f"rec-b-{secrets.token_hex(3)}"
    async with JanusSession(janus_ws_url) as session:
        alice = await session.attach(JanusVideoCallPlugin())
        bob = await session.attach(JanusVideoCallPlugin())
        await alice.register(a_name)
        await bob.register(b_name)
        a_file, b_file = tmp_path / "alice.webm", tmp_path / "bob.mkv"
        tracks = [ToneAudioTrack(), FrameCounterVideoTrack(320, 240, fps=30)]
        await alice.call(b_name, tracks=tracks, recorder=str(a_file))
        await bob.wait_incoming_call(timeout=10)
        tracks = [ToneAudioTrack(880), FrameCounterVideoTrack(320, 240, fps=30)]
        await bob.accept(tracks=tracks, recorder=str(b_file))
        await alice.wait_accepted(timeout=10)
        await asyncio.gather(alice.wait_webrtcup(), bob.wait_webrtcup())
        await asyncio.sleep(3)
        recorders = [alice.peer.recorder, bob.peer.recorder]
        await alice.hangup()
        await alice.destroy()
        await bob.destroy()
    for path, recorder in zip((a_file, b_file), recorders, strict=True):
        assert isinstance(recorder, PassthroughRecorder)
        video = next(t for t in recorder.tracks if t.kind == "video")
        assert (video.width, video.height) == (320, 240)
        codec, frames, _ = _probe(path)["video"]
        assert codec == "vp8" and frames >= 45
        # The callee's side may get delta frames first (Janus relays once both are
        # up): they are skipped until the keyframe the recorder asks for; all the
        # frames from there on are in the file.
        assert frames == video.frames_written == video.frames_received - video.frames_skipped
        assert video.frames_skipped <= 15, video
        assert video.frames_skipped == 0 or video.keyframe_requests >= 1
