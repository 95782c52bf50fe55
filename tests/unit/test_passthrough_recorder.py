"""`PassthroughRecorder` without a server: aiortc's receiver fed RTP packets by hand."""

from __future__ import annotations

import asyncio
import fractions
import queue
from pathlib import Path
from typing import Any

import av
import pytest
from aiortc import RTCPeerConnection, RTCRtpReceiver
from aiortc.codecs import get_encoder
from aiortc.rtcrtpparameters import (
    RTCRtpCodecParameters,
    RTCRtpDecodingParameters,
    RTCRtpReceiveParameters,
)
from aiortc.rtcrtpreceiver import RemoteStreamTrack
from aiortc.rtp import RtpPacket

from janus_client import recording
from janus_client.recording import (
    PassthroughRecorder,
    RecordingUnsupportedError,
    can_passthrough,
    container_format,
    h264_frame_size,
    is_keyframe,
    video_frame_size,
)

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=97)
H264 = RTCRtpCodecParameters(
    mimeType="video/H264",
    clockRate=90000,
    payloadType=99,
    parameters={"packetization-mode": "1", "profile-level-id": "42e01f"},
)
OPUS = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2, payloadType=96)
SSRC = 4321


class FakeDtlsTransport:
    """What `RTCRtpReceiver` needs of its DTLS transport; records the RTCP sent."""

    state = "connected"
    _stats_id = "transport"

    def __init__(self) -> None:
        self.rtcp: list[bytes] = []

    def _register_rtp_receiver(self, receiver: Any, parameters: Any) -> None:
        pass

    def _unregister_rtp_receiver(self, receiver: Any) -> None:
        pass

    async def _send_rtp(self, data: bytes) -> None:
        self.rtcp.append(data)


async def _receiver(codec: RTCRtpCodecParameters, transport: FakeDtlsTransport) -> Any:
    receiver = RTCRtpReceiver(codec.mimeType.split("/")[0], transport)  # type: ignore[arg-type]
    receiver._track = RemoteStreamTrack(kind=receiver._RTCRtpReceiver__kind)  # type: ignore[attr-defined]
    receiver._set_rtcp_ssrc(1)
    await receiver.receive(
        RTCRtpReceiveParameters(
            codecs=[codec],
            encodings=[RTCRtpDecodingParameters(ssrc=SSRC, payloadType=codec.payloadType)],
        )
    )
    return receiver


class Sender:
    """Encodes synthetic frames with aiortc's encoder and feeds the RTP to a receiver."""

    def __init__(self, codec: RTCRtpCodecParameters, receiver: Any) -> None:
        self.codec = codec
        self.encoder = get_encoder(codec)
        self.receiver = receiver
        self.seq = 1000
        self.count = 0

    def _frame(self) -> Any:
        if self.codec.name == "opus":
            frame = av.AudioFrame(format="s16", layout="stereo", samples=960)
            frame.planes[0].update(bytes(960 * 4))
            frame.sample_rate = 48000
            frame.pts = self.count * 960
            frame.time_base = fractions.Fraction(1, 48000)
            return frame
        frame = av.VideoFrame(320, 240, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes([(self.count * 7) % 256]) * plane.buffer_size)
        frame.pts = self.count * 3000
        frame.time_base = fractions.Fraction(1, 90000)
        return frame

    async def send(self, frames: int, *, keyframe_at: int | None = None) -> None:
        for _ in range(frames):
            force = self.count == keyframe_at
            payloads, timestamp = self.encoder.encode(self._frame(), force_keyframe=force)
            for index, payload in enumerate(payloads):
                packet = RtpPacket(
                    payload_type=self.codec.payloadType,
                    marker=int(index == len(payloads) - 1),
                    sequence_number=self.seq & 0xFFFF,
                    timestamp=timestamp & 0xFFFFFFFF,
                    ssrc=SSRC,
                    payload=payload,
                )
                self.seq += 1
                await self.receiver._handle_rtp_packet(packet, arrival_time_ms=0)
            self.count += 1
            await asyncio.sleep(0)  # as between packets from the network


def _file_frames(path: Path) -> dict[str, tuple[str, int, list[int]]]:
    found: dict[str, tuple[str, int, list[int]]] = {}
    with av.open(str(path)) as container:
        for stream in container.streams:
            found[stream.type] = (stream.codec_context.name, 0, [])
        for packet in container.demux():
            if packet.size == 0:
                continue
            name, count, keys = found[packet.stream.type]
            if packet.is_keyframe:
                keys.append(count)
            found[packet.stream.type] = (name, count + 1, keys)
    return found


# ----------------------------------------------------------- the aiortc seam
async def test_aiortc_still_has_the_seam_the_recorder_uses() -> None:
    # Fails when an aiortc upgrade renames what PassthroughRecorder relies on.
    pc = RTCPeerConnection()
    try:
        transceiver = pc.addTransceiver("video", direction="recvonly")
        receiver = transceiver.receiver
        assert isinstance(getattr(receiver, "_RTCRtpReceiver__decoder_queue", None), queue.Queue)
        assert callable(getattr(receiver, "_send_rtcp_pli", None))
        assert callable(getattr(receiver, "_handle_rtp_packet", None))
        recording.check_aiortc_support()
        await pc.setLocalDescription(await pc.createOffer())
        assert recording.negotiated_codec(transceiver) == "VP8"
    finally:
        await pc.close()


async def test_a_receiver_without_the_seam_fails_with_the_fallback_named(tmp_path: Path) -> None:
    class Changed:
        track = RemoteStreamTrack(kind="video")

    recorder = PassthroughRecorder(tmp_path / "x.mkv")
    with pytest.raises(RecordingUnsupportedError, match="transcode=True"):
        recorder.add_receiver(Changed())  # type: ignore[arg-type]


# -------------------------------------------------------- recording RTP frames
@pytest.mark.parametrize(
    ("codec", "suffix", "name"),
    [(VP8, ".webm", "vp8"), (VP8, ".mkv", "vp8"), (H264, ".mp4", "h264"), (H264, ".mkv", "h264")],
)
async def test_frames_go_to_the_file_as_received(
    tmp_path: Path, codec: RTCRtpCodecParameters, suffix: str, name: str
) -> None:
    transport = FakeDtlsTransport()
    receiver = await _receiver(codec, transport)
    target = tmp_path / f"video{suffix}"
    recorder = PassthroughRecorder(target)
    recorder.add_receiver(receiver)
    await recorder.start()
    sender = Sender(codec, receiver)
    await sender.send(61, keyframe_at=30)
    await recorder.stop()
    await receiver.stop()
    (track,) = recorder.tracks
    # The jitter buffer hands a frame over when the next one starts: 60 of 61.
    assert track.frames_received == track.frames_written == 60
    assert track.codec == name and (track.width, track.height) == (320, 240)
    assert track.frames_skipped == 0
    assert track.duration == pytest.approx(59 / 30)
    codec_name, frames, keys = _file_frames(target)["video"]
    assert (codec_name, frames) == (name, 60)
    # The keyframes are marked: the first, the forced one (and the encoder's own).
    assert {0, 30} <= set(keys) and len(keys) == track.keyframes_written < 10
    with av.open(str(target)) as container:
        decoded = list(container.decode(video=0))
    assert len(decoded) == 60 and decoded[0].width == 320
    assert float(decoded[-1].time - decoded[0].time) == pytest.approx(59 / 30, abs=0.002)
    # The receiver got its own queue back.
    assert isinstance(receiver._RTCRtpReceiver__decoder_queue, queue.Queue)


async def test_writing_starts_at_the_first_keyframe_and_asks_for_one(tmp_path: Path) -> None:
    transport = FakeDtlsTransport()
    receiver = await _receiver(VP8, transport)
    sender = Sender(VP8, receiver)
    await sender.send(5)  # before recording: the keyframe goes to the decoder
    recorder = PassthroughRecorder(tmp_path / "late.mkv", keyframe_interval=0)
    recorder.add_receiver(receiver)
    await recorder.start()
    await sender.send(20, keyframe_at=10)
    await recorder.stop()
    await receiver.stop()
    (track,) = recorder.tracks
    assert track.frames_received == 20
    # Frame 4 left the jitter buffer when frame 5 came: frames 4-9 are skipped.
    assert track.frames_skipped == 6
    assert track.frames_written == 14 and track.keyframes_written == 1
    assert track.keyframe_requests == 6
    # Each request is an RTCP PLI (payload-specific feedback, FMT 1) for the sender.
    assert sum(1 for p in transport.rtcp if p[0] & 0x1F == 1 and p[1] == 206) == 6
    _, frames, keys = _file_frames(tmp_path / "late.mkv")["video"]
    assert (frames, keys) == (14, [0])


@pytest.mark.parametrize("suffix", [".mkv", ".webm", ".mp4"])
async def test_opus_and_video_in_one_file(tmp_path: Path, suffix: str) -> None:
    transport = FakeDtlsTransport()
    video_codec = H264 if suffix == ".mp4" else VP8
    video = await _receiver(video_codec, transport)
    audio = await _receiver(OPUS, transport)
    target = tmp_path / f"av{suffix}"
    recorder = PassthroughRecorder(target)
    recorder.add_receiver(video)
    recorder.add_receiver(audio)
    await recorder.start()
    video_sender, audio_sender = Sender(video_codec, video), Sender(OPUS, audio)
    for _ in range(15):
        await video_sender.send(2)
        await audio_sender.send(3)
    await recorder.stop()
    await video.stop()
    await audio.stop()
    tracks = {t.kind: t for t in recorder.tracks}
    assert tracks["audio"].codec == "opus"
    assert tracks["audio"].frames_written == tracks["audio"].frames_received > 30
    found = _file_frames(target)
    assert found["audio"][0] == "opus" and found["audio"][1] == tracks["audio"].frames_written
    assert found["video"][1] == tracks["video"].frames_written == 29
    with av.open(str(target)) as container:
        samples = sum(f.samples for f in container.decode(audio=0))
    assert samples >= 960 * (tracks["audio"].frames_written - 1)


async def test_a_track_without_frames_is_left_out_after_the_timeout(tmp_path: Path) -> None:
    transport = FakeDtlsTransport()
    video = await _receiver(VP8, transport)
    audio = await _receiver(OPUS, transport)
    recorder = PassthroughRecorder(tmp_path / "video-only.mkv", start_timeout=0.05)
    recorder.add_receiver(video)
    recorder.add_receiver(audio)
    await recorder.start()
    sender = Sender(VP8, video)
    await sender.send(3)
    assert not recorder.opened  # waiting for the audio track's first frame
    await asyncio.sleep(0.1)
    assert recorder.opened
    await sender.send(3)
    await recorder.stop()
    await video.stop()
    await audio.stop()
    tracks = {t.kind: t for t in recorder.tracks}
    assert tracks["video"].frames_written == 5
    assert tracks["audio"].error is not None and "no frame" in tracks["audio"].error
    assert set(_file_frames(tmp_path / "video-only.mkv")) == {"video"}


async def test_decode_true_keeps_the_track_delivering_frames(tmp_path: Path) -> None:
    transport = FakeDtlsTransport()
    receiver = await _receiver(VP8, transport)
    recorder = PassthroughRecorder(tmp_path / "both.mkv", decode=True)
    recorder.add_receiver(receiver)
    await recorder.start()
    await Sender(VP8, receiver).send(4)
    frame = await asyncio.wait_for(receiver.track.recv(), 5)
    assert frame.width == 320
    await recorder.stop()
    await receiver.stop()
    assert recorder.tracks[0].frames_written == 3


# --------------------------------------------------------------- bitstreams
def _encode(codec: str, width: int, height: int, frames: int = 3, **options: str) -> list[Any]:
    encoder = av.CodecContext.create(codec, "w")
    encoder.width, encoder.height = width, height
    encoder.pix_fmt = "yuv420p"
    encoder.time_base = fractions.Fraction(1, 30)
    encoder.options = options
    packets = []
    for index in range(frames):
        frame = av.VideoFrame(width, height, "yuv420p")
        frame.pts = index
        packets += encoder.encode(frame)
    packets += encoder.encode(None)
    return packets


@pytest.mark.parametrize(
    ("codec", "name", "options"),
    [
        ("libvpx", "vp8", {}),
        ("libvpx-vp9", "vp9", {"deadline": "realtime", "cpu-used": "8"}),
        ("libx264", "h264", {"preset": "ultrafast", "tune": "zerolatency"}),
        ("libx264", "h264", {"preset": "ultrafast", "profile": "high", "x264-params": "keyint=2"}),
    ],
)
@pytest.mark.parametrize(("width", "height"), [(320, 240), (642, 362), (1280, 720)])
def test_keyframes_and_sizes_are_read_without_decoding(
    codec: str, name: str, options: dict[str, str], width: int, height: int
) -> None:
    packets = _encode(codec, width, height, frames=4, **options)
    assert packets
    for packet in packets:
        data = bytes(packet)
        assert is_keyframe(name, data) is packet.is_keyframe
        if packet.is_keyframe:
            assert video_frame_size(name, data) == (width, height)
        elif name != "h264":
            assert video_frame_size(name, data) is None


def test_bitstream_readers_refuse_garbage() -> None:
    assert video_frame_size("vp8", b"\x00\x01") is None
    assert video_frame_size("vp9", b"") is None
    assert h264_frame_size(b"\x00\x00\x01\x67") is None  # SPS cut short
    assert h264_frame_size(b"no start code") is None
    assert not is_keyframe("h264", b"\x00\x00\x01\x41\x9a")
    assert is_keyframe("opus", b"\xfc")
    assert video_frame_size("opus", b"\xfc") is None


# ------------------------------------------------------------------ formats
def test_which_codecs_each_file_takes() -> None:
    assert container_format("a.MKV") == "matroska"
    assert container_format("a.webm") == "webm"
    assert container_format("a.mp4") == container_format("a.m4a") == "mp4"
    assert container_format("a.wav") is None
    assert container_format("a.bin", format="matroska") == "matroska"
    assert container_format("a.mkv", format="avi") is None
    assert can_passthrough("a.webm", ["VP8", "opus"])
    assert not can_passthrough("a.webm", ["H264"])
    assert can_passthrough("a.mp4", ["H264", "opus"])
    assert not can_passthrough("a.mp4", ["VP8"])
    assert not can_passthrough("a.mkv", ["PCMU"])
    assert not can_passthrough("a.ogg", ["opus"])


def test_recorder_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"file: .*without re-encoding"):
        PassthroughRecorder(tmp_path / "a.wav")
    recorder = PassthroughRecorder(tmp_path / "a.mkv")
    assert "matroska" in repr(recorder) and "new" in repr(recorder)
    with pytest.raises(TypeError, match="add_receiver"):
        recorder.addTrack(RemoteStreamTrack(kind="video"))


async def test_a_codec_the_file_cannot_take_is_reported_not_written(tmp_path: Path) -> None:
    transport = FakeDtlsTransport()
    video = await _receiver(H264, transport)
    audio = await _receiver(OPUS, transport)
    recorder = PassthroughRecorder(tmp_path / "a.webm")  # WebM takes no H.264
    recorder.add_receiver(video)
    recorder.add_receiver(audio)
    await recorder.start()
    await Sender(H264, video).send(3)
    await Sender(OPUS, audio).send(20)
    await recorder.stop()
    await video.stop()
    await audio.stop()
    tracks = {t.kind: t for t in recorder.tracks}
    assert tracks["video"].error is not None and "H264" in tracks["video"].error
    assert tracks["video"].frames_written == 0
    # The audio jitter buffer keeps 4 frames back.
    assert tracks["audio"].frames_written == tracks["audio"].frames_received == 16
    assert set(_file_frames(tmp_path / "a.webm")) == {"audio"}


async def test_a_file_that_cannot_be_opened_is_reported(tmp_path: Path) -> None:
    transport = FakeDtlsTransport()
    receiver = await _receiver(VP8, transport)
    recorder = PassthroughRecorder(tmp_path / "missing" / "a.mkv")
    recorder.add_receiver(receiver)
    await recorder.start()
    await Sender(VP8, receiver).send(3)
    await recorder.stop()
    await receiver.stop()
    (track,) = recorder.tracks
    assert track.error is not None and "the file failed" in track.error
    assert track.frames_written == 0 and not recorder.opened
    assert isinstance(receiver._RTCRtpReceiver__decoder_queue, queue.Queue)
