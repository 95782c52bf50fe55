"""Record received WebRTC media without decoding it: `PassthroughRecorder`.

aiortc's `MediaRecorder` decodes every received frame and encodes it again for
the file, which costs about as much CPU as the call itself. `PassthroughRecorder`
writes the encoded frames as they arrive (VP8, VP9, H.264 video; Opus audio) into
a Matroska/WebM or MP4 file with PyAV's muxer: nothing is decoded and nothing is
encoded, so a process records many more streams.

How it gets the encoded frames: aiortc's `RTCRtpReceiver` depacketizes RTP, puts
the packets of each frame back together in its jitter buffer, maps the RTP
timestamps to a clock that starts at zero and hands each complete frame to its
decoder thread through a queue. The recorder stands in for that queue (an object
with the same ``put``/``get``), so it receives every complete encoded frame with
its codec and timestamp; by default nothing goes on to the decoder (the track
then delivers no decoded frames). This uses a private attribute of aiortc's
receiver; `check_aiortc_support` says whether the installed aiortc has it, and
the recorder raises `RecordingUnsupportedError` (naming the fallback,
``transcode=True``) rather than record nothing.

Which codecs go in which file (chosen from the file name, or ``format=``):

| file | video | audio |
|---|---|---|
| ``.mkv``, ``.mka`` (Matroska) | VP8, VP9, H.264 | Opus |
| ``.webm`` | VP8, VP9 | Opus |
| ``.mp4``, ``.m4a``, ``.mov`` | H.264, VP9 | Opus |

aiortc 1.16 negotiates VP8 and H.264 (not VP9) and Opus, G.711 and G.722 audio.
For anything outside the table (a ``.wav`` file, VP8 in ``.mp4``, G.711 audio),
`can_passthrough` answers False and `janus_client.webrtc.JanusPeerConnection`
records with aiortc's `MediaRecorder` instead (re-encoding), as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .bitstream import h264_frame_size, is_keyframe, video_frame_size
from .errors import InvalidStateError, JanusError, MediaUnavailableError

try:
    import aiortc
    import av
    from aiortc import MediaStreamTrack, RTCRtpReceiver
except ImportError as exc:  # pragma: no cover - exercised in a venv without the extra
    raise MediaUnavailableError("janus_client.recording") from exc

__all__ = [
    "PASSTHROUGH_CODECS",
    "PassthroughRecorder",
    "RecordedTrack",
    "RecordingUnsupportedError",
    "can_passthrough",
    "check_aiortc_support",
    "container_format",
    "h264_frame_size",
    "is_keyframe",
    "negotiated_codec",
    "video_frame_size",
]

logger = logging.getLogger("janus_client")

#: The codecs each container format takes without re-encoding (FFmpeg names).
PASSTHROUGH_CODECS: dict[str, frozenset[str]] = {
    "matroska": frozenset({"vp8", "vp9", "h264", "opus"}),
    "webm": frozenset({"vp8", "vp9", "opus"}),
    "mp4": frozenset({"h264", "vp9", "opus"}),
    "mov": frozenset({"h264", "vp9", "opus"}),
}

_EXTENSIONS = {
    ".mkv": "matroska",
    ".mka": "matroska",
    ".webm": "webm",
    ".mp4": "mp4",
    ".m4a": "mp4",
    ".mov": "mov",
}

#: aiortc's codec names (``RTCRtpCodecParameters.name``) to FFmpeg's.
_CODEC_NAMES = {"vp8": "vp8", "vp9": "vp9", "h264": "h264", "opus": "opus"}

# The private attribute of aiortc's RTCRtpReceiver through which complete encoded
# frames go to its decoder thread (name-mangled ``__decoder_queue``).
_QUEUE_ATTR = "_RTCRtpReceiver__decoder_queue"
# How the receiver asks the sender for a keyframe (RTCP PLI), a private method.
_PLI_METHOD = "_send_rtcp_pli"


class RecordingUnsupportedError(JanusError):
    """The installed aiortc does not let the recorder read encoded frames.

    Record with ``transcode=True`` (aiortc's `MediaRecorder`) instead, or install
    an aiortc version this janus-client supports.
    """


def check_aiortc_support() -> None:
    """Check that aiortc's receiver has the seam `PassthroughRecorder` uses.

    Raises:
        RecordingUnsupportedError: The installed aiortc changed the way its
            receiver hands encoded frames to its decoder.
    """
    if not hasattr(RTCRtpReceiver, "_handle_rtp_packet"):
        raise RecordingUnsupportedError(
            f"aiortc {aiortc.__version__}: RTCRtpReceiver has no _handle_rtp_packet; "
            "transcode-free recording is not available, record with transcode=True"
        )


def _check_receiver(receiver: Any) -> queue.Queue[Any]:
    check_aiortc_support()
    original = getattr(receiver, _QUEUE_ATTR, None)
    if isinstance(original, _ReceiverTap):
        raise ValueError("this receiver is already being recorded by a PassthroughRecorder")
    if not isinstance(original, queue.Queue):
        raise RecordingUnsupportedError(
            f"aiortc {aiortc.__version__}: RTCRtpReceiver has no decoder queue "
            f"({_QUEUE_ATTR}); transcode-free recording is not available, record with "
            "transcode=True"
        )
    return original


# ------------------------------------------------------------------ bitstreams
def container_format(file: str | os.PathLike[str], format: str | None = None) -> str | None:
    """The container format a file is recorded in without re-encoding, or None.

    Args:
        file: The file's path; its extension chooses the format.
        format: An FFmpeg format name that overrides the extension
            (``"matroska"``, ``"webm"``, ``"mp4"``, ``"mov"``).

    Returns:
        A key of `PASSTHROUGH_CODECS`, or None when the format takes no encoded
        payload as is (then record with aiortc's `MediaRecorder`).
    """
    if format is not None:
        return format if format in PASSTHROUGH_CODECS else None
    return _EXTENSIONS.get(os.path.splitext(os.fspath(file))[1].lower())


def can_passthrough(
    file: str | os.PathLike[str], codecs: Iterable[str], format: str | None = None
) -> bool:
    """Whether every codec can be written to ``file`` without re-encoding.

    Args:
        file: The file to record to.
        codecs: Codec names, as aiortc or FFmpeg spell them (``"VP8"``,
            ``"H264"``, ``"opus"``, ...).
        format: Overrides the format the file's extension implies.
    """
    chosen = container_format(file, format)
    if chosen is None:
        return False
    allowed = PASSTHROUGH_CODECS[chosen]
    return all(_CODEC_NAMES.get(name.lower()) in allowed for name in codecs)


def negotiated_codec(transceiver: Any) -> str | None:
    """The codec negotiated for an aiortc transceiver (``"VP8"``, ``"opus"``, ...).

    aiortc keeps the negotiated codecs in a private list (``_codecs``, preferred
    first, retransmission entries included); None when it is missing or empty.
    """
    for codec in getattr(transceiver, "_codecs", None) or ():
        name = getattr(codec, "name", None)
        if isinstance(name, str) and name.lower() != "rtx":
            return name
    return None


# -------------------------------------------------------------------- tapping
class _ReceiverTap:
    """Stands in for an `RTCRtpReceiver`'s decoder queue.

    ``put`` is called on the event loop by the receiver with ``(codec, frame)``
    for each complete encoded frame, and with None when the receiver stops; the
    decoder thread, if any, keeps reading the original queue through ``get``.
    """

    def __init__(
        self,
        original: queue.Queue[Any],
        on_frame: Callable[[Any, Any], None],
        on_end: Callable[[], None],
        decode: bool,
    ) -> None:
        self.original = original
        self.on_frame = on_frame
        self.on_end = on_end
        self.decode = decode

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is None:
            self.original.put(None)
            self.on_end()
            return
        try:
            self.on_frame(*item)
        except Exception:  # never break aiortc's receive path
            logger.exception("recording a received frame failed")
        if self.decode:
            self.original.put(item)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        return self.original.get(block, timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.original, name)


@dataclass
class RecordedTrack:
    """What `PassthroughRecorder` did with one received track.

    Attributes:
        kind: ``"audio"`` or ``"video"``.
        codec: FFmpeg codec name (``"vp8"``, ``"h264"``, ``"opus"``, ...) once
            the first frame arrived, else None.
        frames_received: Complete encoded frames aiortc's receiver assembled.
        frames_written: Frames written to the file.
        keyframes_written: Of those, keyframes.
        frames_skipped: Frames received before the first keyframe (not written).
        keyframe_requests: Picture loss indications sent to ask for a keyframe.
        width: Picture width read from the first keyframe (video).
        height: Picture height read from the first keyframe (video).
        duration: Seconds between the first and the last frame written.
        error: Why the track is not in the file, if it is not.
    """

    kind: str
    codec: str | None = None
    frames_received: int = 0
    frames_written: int = 0
    keyframes_written: int = 0
    frames_skipped: int = 0
    keyframe_requests: int = 0
    width: int = 0
    height: int = 0
    duration: float = 0.0
    error: str | None = None


class _Track:
    def __init__(
        self,
        receiver: Any,
        track: MediaStreamTrack,
        on_frame: Callable[[bytes], None] | None = None,
    ) -> None:
        self.receiver = receiver
        self.track = track
        self.on_frame = on_frame
        self.info = RecordedTrack(kind=track.kind)
        self.tap: _ReceiverTap | None = None
        self.clock = 90000 if track.kind == "video" else 48000
        self.began = False
        self.ended = False
        self.stream: Any = None
        self.pending: list[tuple[bytes, int, bool]] = []
        self.base_ts = 0
        self.offset = 0
        self.first_pts: int | None = None
        self.last_pts: int | None = None
        self.last_arrival = 0.0
        self.last_pli = -1.0


class PassthroughRecorder:
    """Write received tracks to a file as they were encoded (no decoding).

    Add the receivers to record, then `start`; `stop` finishes the file. The file
    is opened when every added track has its first frame to write (for video, its
    first keyframe: earlier frames are skipped and a keyframe is requested from
    the sender), or ``start_timeout`` seconds after the first frame arrived;
    a track without a frame by then is left out of the file.

    Timestamps: each frame's pts is its RTP timestamp (90 kHz video, 48 kHz Opus)
    from the track's first written frame, plus the time that track started after
    the first track of the file, so audio and video stay aligned. A timestamp that
    goes backwards or jumps by more than ten seconds (a new source) is replaced by
    the arrival time. Keyframes are marked in the file.

    `janus_client.webrtc.JanusPeerConnection` uses this recorder for ``record_to=``
    paths by default (``transcode=False``); use it directly with any aiortc
    `RTCRtpReceiver`:

    ```python
    recorder = PassthroughRecorder("call.mkv")
    for transceiver in pc.getTransceivers():
        recorder.add_receiver(transceiver.receiver)
    await recorder.start()
    ...
    await recorder.stop()
    ```

    Args:
        file: The file to write; its extension chooses the container (see
            `container_format`).
        format: An FFmpeg format name overriding the extension.
        decode: Also hand each frame on to aiortc's decoder, so that the remote
            tracks still deliver decoded frames (costs the decoding CPU).
        start_timeout: Seconds to wait, from the first frame, for every track's
            first frame before the file is opened without the missing ones.
        keyframe_interval: Seconds between two keyframe requests while a video
            track waits for its first keyframe.

    Raises:
        ValueError: The file's container takes no encoded payload (see
            `container_format`).
    """

    def __init__(
        self,
        file: str | os.PathLike[str],
        format: str | None = None,
        *,
        decode: bool = False,
        start_timeout: float = 2.0,
        keyframe_interval: float = 0.5,
    ) -> None:
        chosen = container_format(file, format)
        if chosen is None:
            raise ValueError(
                f"file: cannot record {os.fspath(file)!r} without re-encoding; use a .mkv, "
                ".webm or .mp4 file, or aiortc's MediaRecorder"
            )
        self.file = os.fspath(file)
        self.format = chosen
        self.decode = decode
        self.start_timeout = start_timeout
        self.keyframe_interval = keyframe_interval
        self._tracks: list[_Track] = []
        self._container: Any = None
        self._started = False
        self._stopped = False
        self._t0: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "recording" if self._started else "new"
        return f"<PassthroughRecorder {self.format} {state} tracks={len(self._tracks)}>"

    @property
    def tracks(self) -> list[RecordedTrack]:
        """One `RecordedTrack` per added receiver, in the order they were added."""
        self._update_durations()
        return [state.info for state in self._tracks]

    def _update_durations(self) -> None:
        for state in self._tracks:
            if state.first_pts is not None and state.last_pts is not None:
                state.info.duration = (state.last_pts - state.first_pts) / state.clock

    @property
    def opened(self) -> bool:
        """Whether the file was opened (its header written)."""
        return self._container is not None

    def add_receiver(
        self, receiver: RTCRtpReceiver, *, on_frame: Callable[[bytes], None] | None = None
    ) -> None:
        """Record the track an aiortc receiver receives.

        Args:
            receiver: An `aiortc.RTCRtpReceiver` (``transceiver.receiver``).
            on_frame: Called with each encoded frame received (also those before the
                first keyframe), e.g. to count frames while recording; an exception
                it raises is logged and stops nothing.

        Raises:
            RecordingUnsupportedError: The installed aiortc hides its encoded frames.
            InvalidStateError: The recorder was stopped.
        """
        if self._stopped:
            raise InvalidStateError("the recorder is stopped")
        _check_receiver(receiver)
        if any(state.receiver is receiver for state in self._tracks):
            return
        state = _Track(receiver, receiver.track, on_frame)
        self._tracks.append(state)
        if self._container is not None:
            state.info.error = "added after the file was opened"
            logger.warning("recorder: a %s track added after the file was opened", state.info.kind)
            return
        if self._started:
            self._install(state)

    def addTrack(self, track: MediaStreamTrack) -> None:
        """Not supported: the recorder reads from the receiver, see `add_receiver`.

        Raises:
            TypeError: Always, with the hint.
        """
        raise TypeError(
            "PassthroughRecorder records from the receiver, not the track: call "
            "add_receiver(transceiver.receiver)"
        )

    async def start(self) -> None:
        """Start recording the added receivers (idempotent)."""
        if self._started or self._stopped:
            return
        self._started = True
        for state in self._tracks:
            if state.tap is None and state.info.error is None:
                self._install(state)

    async def stop(self) -> None:
        """Stop recording and finish the file (idempotent).

        Tracks are released (aiortc's decoder gets its queue back) and the file
        is closed; if it was never opened because a track was still missing, it
        is opened now with the tracks that have frames.
        """
        if self._stopped:
            return
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for state in self._tracks:
            self._uninstall(state)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._container is None and any(
            state.began and state.info.error is None for state in self._tracks
        ):
            self._open()
        container, self._container = self._container, None
        if container is not None:
            try:
                container.close()
            except av.FFmpegError as exc:
                logger.warning("recorder: finishing %s failed: %s", self.format, exc)
        self._update_durations()

    # ------------------------------------------------------------- internals
    def _install(self, state: _Track) -> None:
        original = _check_receiver(state.receiver)
        tap = _ReceiverTap(
            original,
            lambda codec, frame: self._on_frame(state, codec, frame),
            lambda: self._on_end(state),
            self.decode,
        )
        setattr(state.receiver, _QUEUE_ATTR, tap)
        state.tap = tap

    def _uninstall(self, state: _Track) -> None:
        tap = state.tap
        state.tap = None
        if tap is None:
            return
        original = tap.original
        if getattr(state.receiver, _QUEUE_ATTR, None) is tap:
            setattr(state.receiver, _QUEUE_ATTR, original)

    def _on_end(self, state: _Track) -> None:
        state.ended = True

    def _on_frame(self, state: _Track, codec: Any, frame: Any) -> None:
        info = state.info
        info.frames_received += 1
        if state.on_frame is not None:
            try:
                state.on_frame(frame.data)
            except Exception:
                logger.exception("recorder: the on_frame callback raised")
        if self._stopped or info.error is not None:
            return
        now = time.monotonic()
        if info.codec is None:
            name = _CODEC_NAMES.get(str(codec.name).lower())
            if name is None or name not in PASSTHROUGH_CODECS[self.format]:
                info.codec = name or str(codec.name).lower()
                info.error = f"{codec.name} cannot be written to {self.format} without re-encoding"
                logger.warning("recorder: %s", info.error)
                return
            info.codec = name
            state.clock = int(codec.clockRate) or state.clock
        data: bytes = frame.data
        keyframe = is_keyframe(info.codec, data)
        if not state.began:
            if not keyframe:
                info.frames_skipped += 1
                self._request_keyframe(state, now)
                return
            if not self._begin(state, data, frame.timestamp, now):
                return
        pts = self._pts(state, frame.timestamp, now)
        if self._container is None:
            state.pending.append((data, pts, keyframe))
            if all(s.began or s.info.error is not None for s in self._tracks):
                self._open()
        else:
            self._write(state, data, pts, keyframe)

    def _begin(self, state: _Track, data: bytes, timestamp: int, now: float) -> bool:
        info = state.info
        assert info.codec is not None
        if info.kind == "video":
            size = video_frame_size(info.codec, data)
            if size is None:
                info.frames_skipped += 1
                self._request_keyframe(state, now)
                return False
            info.width, info.height = size
        if self._t0 is None:
            self._t0 = now
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.start_timeout, self._open_late)
        state.began = True
        state.base_ts = timestamp
        state.offset = round((now - self._t0) * state.clock)
        return True

    def _pts(self, state: _Track, timestamp: int, now: float) -> int:
        pts = timestamp - state.base_ts + state.offset
        last = state.last_pts
        if last is not None and (pts <= last or pts - last > 10 * state.clock):
            # A new source or a broken clock: continue from the arrival time.
            pts = last + max(1, round((now - state.last_arrival) * state.clock))
            state.base_ts = timestamp - (pts - state.offset)
        state.last_pts = pts
        state.last_arrival = now
        if state.first_pts is None:
            state.first_pts = pts
        return pts

    def _request_keyframe(self, state: _Track, now: float) -> None:
        if state.info.kind != "video" or now - state.last_pli < self.keyframe_interval:
            return
        send = getattr(state.receiver, _PLI_METHOD, None)
        sources = state.receiver.getSynchronizationSources()
        if send is None or not sources:
            return
        state.last_pli = now
        state.info.keyframe_requests += 1
        task = asyncio.get_running_loop().create_task(
            send(sources[0].source), name="janus-recorder-pli"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _open_late(self) -> None:
        self._timer = None
        if self._container is None and not self._stopped:
            self._open()

    def _open(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for state in self._tracks:
            if state.info.error is None and not state.began:
                state.info.error = f"no frame within {self.start_timeout:g} s of the first"
                logger.warning("recorder: %s track left out: %s", state.info.kind, state.info.error)
                self._uninstall(state)
        writing = [state for state in self._tracks if state.info.error is None]
        if not writing:
            return
        # The header is written with the first packets (PyAV takes the H.264
        # parameter sets Matroska needs from them), so a file that cannot be
        # written may only fail there: `_write` then calls `_fail`.
        try:
            container = av.open(self.file, mode="w", format=self.format)
            for state in writing:
                state.stream = self._add_stream(container, state)
        except (av.FFmpegError, OSError, ValueError) as exc:
            self._fail(f"opening the file failed: {exc}")
            return
        self._container = container
        for state in writing:
            pending, state.pending = state.pending, []
            for data, pts, keyframe in pending:
                self._write(state, data, pts, keyframe)

    def _fail(self, error: str) -> None:
        """Give up the file: every track not yet failed gets ``error``."""
        logger.error("recorder: %s", error)
        for state in self._tracks:
            if state.info.error is None:
                state.info.error = error
            state.stream = None
            state.pending.clear()
            self._uninstall(state)
        container, self._container = self._container, None
        if container is not None:
            with contextlib.suppress(av.FFmpegError, OSError):
                container.close()

    def _add_stream(self, container: Any, state: _Track) -> Any:
        info = state.info
        time_base = Fraction(1, state.clock)
        if info.kind == "video":
            stream = container.add_mux_stream(info.codec, width=info.width, height=info.height)
        elif self.format in ("mp4", "mov"):
            # MP4 needs Opus' channel setup (dOps), which comes from an opened codec
            # context; the encoder is opened once and never fed.
            stream = container.add_stream("libopus", rate=state.clock, layout="stereo")
        else:
            stream = container.add_mux_stream(info.codec, rate=state.clock)
        stream.time_base = time_base
        return stream

    def _write(self, state: _Track, data: bytes, pts: int, keyframe: bool) -> None:
        if state.stream is None:
            return
        packet = av.Packet(data)
        packet.stream = state.stream
        packet.time_base = Fraction(1, state.clock)
        packet.pts = packet.dts = pts
        packet.is_keyframe = keyframe
        try:
            self._container.mux(packet)
        except av.FFmpegError as exc:
            if isinstance(exc, OSError) or not any(s.info.frames_written for s in self._tracks):
                self._fail(f"writing the file failed: {exc}")
            else:
                logger.warning("recorder: writing a %s frame failed: %s", state.info.kind, exc)
            return
        state.info.frames_written += 1
        if keyframe:
            state.info.keyframes_written += 1
