"""Media tracks of janus-client: synthetic sources and the statistics of received tracks.

Needs the ``media`` extra (aiortc and av); `janus_client.webrtc` re-exports every
name.

* `FrameCounterVideoTrack` stamps a frame number into each frame and
  `read_frame_counter` reads it back after the round trip; `ToneAudioTrack` plays a
  sine tone. Both are for tests and demos.
* `TrackStats` counts the frames of a received track (first frame, rate, size,
  frame counters, audio level).
"""

from __future__ import annotations

import asyncio
import fractions
import math
import operator
import time
from array import array
from collections import deque
from typing import Any

from .errors import MediaUnavailableError

try:
    import av
    from aiortc import MediaStreamTrack
    from aiortc.mediastreams import MediaStreamError
except ImportError as exc:  # pragma: no cover - exercised in a venv without the extra
    raise MediaUnavailableError("janus_client.tracks") from exc

__all__ = [
    "AUDIO_PTIME",
    "AUDIO_RATE",
    "VIDEO_CLOCK",
    "FrameCounterVideoTrack",
    "ToneAudioTrack",
    "TrackStats",
    "read_frame_counter",
]

VIDEO_CLOCK = 90000
AUDIO_RATE = 48000
AUDIO_PTIME = 0.020

# --------------------------------------------------------------------- synthetic
_GRID_COLS = 8
_GRID_ROWS = 2
_BITS = _GRID_COLS * _GRID_ROWS
_DARK = 16
_LIGHT = 235


class FrameCounterVideoTrack(MediaStreamTrack):
    """A video source whose frames carry their own number.

    The top of each frame holds a 8x2 grid of black or white blocks spelling the
    frame number (16 bits), robust to video compression; `read_frame_counter`
    decodes it from a received frame. The rest of the frame is flat grey.

    Args:
        width: Frame width in pixels (at least 64, a multiple of 16 is best).
        height: Frame height in pixels (at least 32).
        fps: Frames per second; frames are paced in real time.
        limit: Stop after this many frames (the track then ends), or None.
    """

    kind = "video"

    def __init__(
        self, width: int = 640, height: int = 480, fps: float = 30.0, limit: int | None = None
    ) -> None:
        super().__init__()
        if width < 64 or height < 32 or width % 2 or height % 2:
            raise ValueError("width and height must be even, at least 64x32")
        if fps <= 0:
            raise ValueError("fps must be positive")
        self.width = width
        self.height = height
        self.fps = fps
        self.limit = limit
        self.frames_sent = 0
        self._start: float | None = None
        self._time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self._block_w = width // _GRID_COLS
        self._block_h = min(height // (2 * _GRID_ROWS), self._block_w)
        self._rest = bytes([128]) * width
        self._chroma = bytes([128]) * (width // 2) * (height // 2)

    def _luma(self, number: int) -> bytes:
        rows: list[bytes] = []
        for r in range(_GRID_ROWS):
            row = b"".join(
                bytes([_LIGHT if number >> (r * _GRID_COLS + c) & 1 else _DARK]) * self._block_w
                for c in range(_GRID_COLS)
            )
            row += bytes([128]) * (self.width - len(row))
            rows.append(row * self._block_h)
        body = b"".join(rows)
        return body + self._rest * (self.height - _GRID_ROWS * self._block_h)

    async def recv(self) -> av.VideoFrame:
        """Return the next frame, waiting until its time has come."""
        if self.readyState != "live":
            raise MediaStreamError
        if self.limit is not None and self.frames_sent >= self.limit:
            self.stop()
            raise MediaStreamError
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        due = self._start + self.frames_sent / self.fps
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        number = self.frames_sent & 0xFFFF
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        _fill_plane(frame.planes[0], self._luma(number), self.width, self.height)
        _fill_plane(frame.planes[1], self._chroma, self.width // 2, self.height // 2)
        _fill_plane(frame.planes[2], self._chroma, self.width // 2, self.height // 2)
        frame.pts = int(self.frames_sent * VIDEO_CLOCK / self.fps)
        frame.time_base = self._time_base
        self.frames_sent += 1
        return frame


def _fill_plane(plane: Any, data: bytes, width: int, height: int) -> None:
    stride = plane.line_size
    if stride == width:
        plane.update(data)
        return
    padded = bytearray(stride * height)
    for y in range(height):
        padded[y * stride : y * stride + width] = data[y * width : (y + 1) * width]
    plane.update(bytes(padded))


def read_frame_counter(frame: av.VideoFrame) -> int | None:
    """Read the number a `FrameCounterVideoTrack` stamped into a (received) frame.

    Returns None when the frame does not carry a readable number (wrong size,
    another source, too damaged).
    """
    width, height = frame.width, frame.height
    if width < 64 or height < 32:
        return None
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    plane = frame.planes[0]
    stride = plane.line_size
    data = bytes(plane)
    block_w = width // _GRID_COLS
    block_h = min(height // (2 * _GRID_ROWS), block_w)
    number = 0
    for r in range(_GRID_ROWS):
        for c in range(_GRID_COLS):
            cx = c * block_w + block_w // 2
            cy = r * block_h + block_h // 2
            total = 0
            samples = 0
            for dy in (-block_h // 4, 0, block_h // 4):
                base = (cy + dy) * stride
                for dx in (-block_w // 4, 0, block_w // 4):
                    total += data[base + cx + dx]
                    samples += 1
            mean = total / samples
            if mean > 170:
                number |= 1 << (r * _GRID_COLS + c)
            elif mean > 80:
                return None  # neither dark nor light: not our pattern
    return number


class ToneAudioTrack(MediaStreamTrack):
    """An audio source playing a sine tone (mono, 48 kHz, 20 ms frames).

    Args:
        frequency: Tone frequency in Hz.
        volume: Amplitude from 0.0 to 1.0.
    """

    kind = "audio"

    def __init__(self, frequency: float = 440.0, volume: float = 0.3) -> None:
        super().__init__()
        self.frequency = frequency
        self.frames_sent = 0
        self._start: float | None = None
        samples = int(AUDIO_RATE * AUDIO_PTIME)
        self._samples = samples
        self._time_base = fractions.Fraction(1, AUDIO_RATE)
        amplitude = int(32767 * max(0.0, min(volume, 1.0)))
        # One period-aligned buffer long enough to slice any frame out of.
        period = AUDIO_RATE / frequency
        total = samples + int(period) + 2
        self._wave = array(
            "h", (int(amplitude * math.sin(2 * math.pi * i / period)) for i in range(total))
        )
        self._period = period

    async def recv(self) -> av.AudioFrame:
        """Return the next 20 ms of tone, waiting until its time has come."""
        if self.readyState != "live":
            raise MediaStreamError
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        due = self._start + self.frames_sent * AUDIO_PTIME
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        offset = int((self.frames_sent * self._samples) % self._period)
        chunk = self._wave[offset : offset + self._samples]
        frame = av.AudioFrame(format="s16", layout="mono", samples=self._samples)
        frame.planes[0].update(chunk.tobytes())
        frame.sample_rate = AUDIO_RATE
        frame.pts = self.frames_sent * self._samples
        frame.time_base = self._time_base
        self.frames_sent += 1
        return frame


# --------------------------------------------------------------------- receiving
class TrackStats:
    """Counts what a received track delivers (frames, and the numbers they carry).

    Attributes:
        kind: ``"audio"`` or ``"video"``.
        mid: The mid of the m-line the track arrived on, when known.
        frames: Frames received.
        first_frame_at: `time.monotonic` of the first frame, or None.
        last_frame_at: `time.monotonic` of the latest frame, or None.
        counters: For video, the numbers read with `read_frame_counter`, in order
            of arrival (only when ``read_counters`` is on).
        width: Width of the latest video frame.
        height: Height of the latest video frame.
        last_frame: The latest video frame (an ``av.VideoFrame``), to look at its
            pixels; None before the first one and for audio.
        measure_level: For audio, whether the level of each frame is measured
            (`rms`, `sum_squares`, `samples`); off by default (it costs CPU).
        sum_squares: With ``measure_level``: the sum of the squared s16 samples
            received so far (all channels).
        samples: With ``measure_level``: how many samples that sum covers; the RMS
            between two readings is ``sqrt(Δsum_squares / Δsamples)``.
    """

    #: How many recent frames `rms` averages over (20 ms each: 0.5 s).
    LEVEL_WINDOW = 25

    def __init__(
        self,
        kind: str,
        *,
        read_counters: bool = False,
        mid: str | None = None,
        measure_level: bool = False,
    ) -> None:
        self.kind = kind
        self.mid = mid
        self.frames = 0
        self.first_frame_at: float | None = None
        self.last_frame_at: float | None = None
        self.counters: list[int] = []
        self.read_counters = read_counters
        self.width = 0
        self.height = 0
        self.last_frame: Any = None
        self.measure_level = measure_level and kind == "audio"
        self.sum_squares = 0
        self.samples = 0
        self._recent: deque[tuple[int, int]] = deque(maxlen=self.LEVEL_WINDOW)
        self._first = asyncio.Event()

    def _add_encoded(self, data: bytes) -> None:
        """Count a frame that a recorder writes without decoding it.

        Such frames are counted (``frames``, first and last frame times), but
        their size, frame counters and audio level are not read (that needs the
        decoded picture or samples).
        """
        self._count_frame()

    def _count_frame(self) -> None:
        """Count one frame now: ``frames`` and the first and last frame times."""
        now = time.monotonic()
        self.frames += 1
        self.last_frame_at = now
        if self.first_frame_at is None:
            self.first_frame_at = now
            self._first.set()

    def _add(self, frame: Any) -> None:
        self._count_frame()
        if self.kind == "video":
            self.width, self.height = frame.width, frame.height
            self.last_frame = frame
            if self.read_counters:
                number = read_frame_counter(frame)
                if number is not None:
                    self.counters.append(number)
        elif self.measure_level:
            squares, count = _s16_squares(frame)
            self.sum_squares += squares
            self.samples += count
            self._recent.append((squares, count))

    @property
    def rms(self) -> float:
        """RMS of the latest half second of audio (s16 scale, 0 to 32768; 0 if none).

        Only measured for audio stats created with ``measure_level``.
        """
        count = sum(n for _, n in self._recent)
        return math.sqrt(sum(s for s, _ in self._recent) / count) if count else 0.0

    async def wait_first_frame(self, timeout: float = 10.0) -> float:
        """Wait for the first frame; return its `time.monotonic` time."""
        await asyncio.wait_for(self._first.wait(), timeout)
        assert self.first_frame_at is not None
        return self.first_frame_at

    def fps(self) -> float:
        """Average frames per second between the first and the latest frame."""
        if self.first_frame_at is None or self.last_frame_at is None or self.frames < 2:
            return 0.0
        span = self.last_frame_at - self.first_frame_at
        return (self.frames - 1) / span if span > 0 else 0.0


def _s16_squares(frame: Any) -> tuple[int, int]:
    """Return the sum of the squared samples of a packed s16 audio frame, and their count."""
    if frame.format.name != "s16":  # planar or float: measure the first plane as s16p
        if frame.format.name != "s16p":
            return 0, 0
        count = frame.samples
    else:
        count = frame.samples * len(frame.layout.channels)
    samples = array("h")
    samples.frombytes(bytes(frame.planes[0])[: 2 * count])
    return sum(map(operator.mul, samples, samples)), len(samples)


class _RecordedTrack(MediaStreamTrack):
    """A remote track as given to a `MediaRecorder`: audio waits for the video's first frame.

    `MediaRecorder` sizes a video stream from its first frame, and the container's
    header is written with the first packet of any stream: when audio comes first
    (a viewer waiting for a keyframe, as Streaming viewers do), the file gets no
    video at all. The audio track here drops frames until the video track delivered
    its first one (at most `AUDIO_HOLD` seconds), so that the header has the video.
    """

    #: The longest time audio waits for the video's first frame, in seconds.
    AUDIO_HOLD = 5.0

    def __init__(
        self, source: MediaStreamTrack, video_started: asyncio.Event, stats: TrackStats
    ) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source
        self._video_started = video_started
        self._stats = stats  # every frame received is counted, also those dropped

    async def _next(self) -> Any:
        frame = await self._source.recv()
        self._stats._add(frame)
        return frame

    async def recv(self) -> Any:
        if self.kind == "video":
            frame = await self._next()
            self._video_started.set()
            return frame
        if not self._video_started.is_set():
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.AUDIO_HOLD
            while not self._video_started.is_set() and loop.time() < deadline:
                await self._next()  # dropped: the video has not started yet
        return await self._next()
