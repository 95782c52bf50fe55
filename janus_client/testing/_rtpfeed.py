"""A local RTP feed (GStreamer) and a Streaming mountpoint fed by it, for tests and demos.

`RtpFeed` runs ``gst-launch-1.0`` as a child process that sends a VP8 test
pattern and an Opus tone as RTP to ports on 127.0.0.1; `live_mountpoint` creates
an RTP mountpoint through the Streaming plugin (Janus picks its ports), starts a
feed to it, and removes both on exit.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from .._lifecycle import EitherContext
from ..validate import RoomId, enforce_int, enforce_str
from ._process import ChildProcess

if TYPE_CHECKING:
    from ..plugins.streaming import JanusStreamingPlugin
    from ..plugins.streaming_events import MountpointCreated

__all__ = ["LiveMountpoint", "RtpFeed", "RtpFeedError", "live_mountpoint", "mean_luma"]

logger = logging.getLogger("janus_client.testing")

#: The test patterns of GStreamer's ``videotestsrc`` that `RtpFeed` accepts.
PATTERNS = (
    "smpte",
    "snow",
    "black",
    "white",
    "red",
    "green",
    "blue",
    "checkers-1",
    "circular",
    "ball",
    "smpte75",
    "zone-plate",
    "gamut",
    "chroma-zone-plate",
    "solid-color",
    "bar",
    "pinwheel",
    "spokes",
    "gradient",
    "colors",
)


def mean_luma(frame: Any, *, step: int = 4) -> float:
    """The mean brightness (Y plane, 0-255) of a decoded video frame.

    Samples every ``step``-th row and column, so it is cheap enough to call on
    each frame; tells apart test patterns such as ``"white"`` (about 235) and
    ``"black"`` (about 16) without numpy.

    Args:
        frame: An ``av.VideoFrame`` (as `TrackStats.last_frame` keeps it).
        step: Sampling step in pixels.

    Raises:
        ValueError: The frame has no pixels.
    """
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    plane = frame.planes[0]
    data = bytes(plane)
    width, height, stride = frame.width, frame.height, plane.line_size
    total = count = 0
    for row in range(0, height, step):
        line = data[row * stride : row * stride + width : step]
        total += sum(line)
        count += len(line)
    if not count:
        raise ValueError("the frame has no pixels")
    return total / count


class RtpFeedError(RuntimeError):
    """The GStreamer feed cannot start (no ``gst-launch-1.0``, or it exited at once)."""


class RtpFeed(ChildProcess, EitherContext):
    """A GStreamer child process sending VP8 video and Opus audio as RTP.

    The process is bounded: it ends by itself after ``max_seconds`` (its sources
    stop producing), and `stop` (or leaving ``with``) terminates and reaps it.

    Args:
        video_port: UDP port for the video RTP (None: no video).
        audio_port: UDP port for the audio RTP (None: no audio).
        host: Where to send (loopback by default).
        pattern: The ``videotestsrc`` pattern (``"smpte"``, ``"white"``, ``"black"``...).
        width: Video width.
        height: Video height.
        fps: Video frame rate.
        video_pt: RTP payload type of the video.
        audio_pt: RTP payload type of the audio.
        frequency: Tone frequency in Hz.
        keyframe_interval: Frames between VP8 keyframes (a viewer waits for one).
        max_seconds: The feed's longest life.
        binary: The ``gst-launch-1.0`` program (found on ``PATH`` by default).
    """

    def __init__(
        self,
        video_port: int | None,
        audio_port: int | None,
        *,
        host: str = "127.0.0.1",
        pattern: str = "smpte",
        width: int = 320,
        height: int = 240,
        fps: int = 30,
        video_pt: int = 100,
        audio_pt: int = 111,
        frequency: float = 440.0,
        keyframe_interval: int = 10,
        max_seconds: int = 300,
        binary: str | None = None,
    ) -> None:
        if video_port is None and audio_port is None:
            raise ValueError("RtpFeed needs a video_port or an audio_port")
        for name, port in (("video_port", video_port), ("audio_port", audio_port)):
            if port is not None:
                enforce_int(port, name=name, low=1, high=65535)
        if pattern not in PATTERNS:
            raise ValueError(f"pattern must be one of {', '.join(PATTERNS)}; got {pattern!r}")
        enforce_str(host, name="host")
        for name, value in (
            ("width", width),
            ("height", height),
            ("fps", fps),
            ("keyframe_interval", keyframe_interval),
            ("max_seconds", max_seconds),
        ):
            enforce_int(value, name=name, low=1)
        enforce_int(video_pt, name="video_pt", low=0, high=127)
        enforce_int(audio_pt, name="audio_pt", low=0, high=127)
        if isinstance(frequency, bool) or not isinstance(frequency, (int, float)) or frequency <= 0:
            raise ValueError(f"frequency must be a positive number, got {frequency!r}")
        self.video_port = video_port
        self.audio_port = audio_port
        self.host = host
        self.pattern = pattern
        self.width, self.height, self.fps = width, height, fps
        self.video_pt, self.audio_pt = video_pt, audio_pt
        self.frequency = float(frequency)
        self.keyframe_interval = keyframe_interval
        self.max_seconds = max_seconds
        self._binary = binary
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return (
            f"<RtpFeed {state} video={self.host}:{self.video_port} "
            f"audio={self.host}:{self.audio_port} pattern={self.pattern}>"
        )

    @staticmethod
    def available(binary: str | None = None) -> bool:
        """Whether ``gst-launch-1.0`` (or ``binary``) can be found."""
        return shutil.which(binary or "gst-launch-1.0") is not None

    def pipeline(self) -> list[str]:
        """The ``gst-launch-1.0`` arguments of this feed (one process, two branches)."""
        args: list[str] = ["-q"]
        if self.video_port is not None:
            frames = self.fps * self.max_seconds
            args += [
                "videotestsrc", "is-live=true", f"pattern={self.pattern}", f"num-buffers={frames}",
                "!", f"video/x-raw,width={self.width},height={self.height},"
                f"framerate={self.fps}/1",
                "!", "vp8enc", "deadline=1", f"keyframe-max-dist={self.keyframe_interval}",
                "!", "rtpvp8pay", f"pt={self.video_pt}",
                "!", "udpsink", f"host={self.host}", f"port={self.video_port}",
            ]  # fmt: skip
        if self.audio_port is not None:
            buffers = 50 * self.max_seconds  # 20 ms buffers
            args += [
                "audiotestsrc", "is-live=true", f"freq={self.frequency:g}",
                "samplesperbuffer=960", f"num-buffers={buffers}",
                "!", "audio/x-raw,rate=48000,channels=2",
                "!", "opusenc",
                "!", "rtpopuspay", f"pt={self.audio_pt}",
                "!", "udpsink", f"host={self.host}", f"port={self.audio_port}",
            ]  # fmt: skip
        return args

    def start(self) -> None:
        """Start the GStreamer process (it sends at once).

        Raises:
            RtpFeedError: ``gst-launch-1.0`` is missing, or the pipeline exited
                at once (its error output is in the message).
            RuntimeError: Already started.
        """
        if self._process is not None:
            raise RuntimeError("the RtpFeed is already started")
        program = shutil.which(self._binary or "gst-launch-1.0")
        if program is None:
            raise RtpFeedError(
                "gst-launch-1.0 not found: install gstreamer1.0-tools, "
                "gstreamer1.0-plugins-base and gstreamer1.0-plugins-good"
            )
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed when reaped
        self._process = subprocess.Popen(
            [program, *self.pipeline()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        try:
            code = self._process.wait(0.2)
        except subprocess.TimeoutExpired:
            logger.debug("RtpFeed started (pid %d)", self._process.pid)
            return
        message = self._error_text()
        self._reap()
        raise RtpFeedError(f"gst-launch-1.0 exited with {code}: {message}")

    def _error_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()[-2000:].decode("utf-8", "replace").strip()

    def _reap(self) -> None:
        self._process = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the process and wait for it (killed if it does not end). Idempotent."""
        process = self._process
        if process is None:
            return
        try:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout)
        finally:
            self._reap()


@dataclass(frozen=True)
class LiveMountpoint:
    """A mountpoint made by `live_mountpoint`, and its running feed.

    Attributes:
        id: The mountpoint id (give it to `JanusStreamingPlugin.watch`).
        created: Janus' reply to ``create`` (ports, host).
        feed: The GStreamer feed sending to it.
    """

    id: RoomId
    created: MountpointCreated
    feed: RtpFeed


@contextlib.asynccontextmanager
async def live_mountpoint(
    streaming: JanusStreamingPlugin,
    mountpoint_id: RoomId | None = None,
    *,
    pattern: str = "smpte",
    frequency: float = 440.0,
    description: str | None = None,
    video: bool = True,
    audio: bool = True,
    timeout: float | None = None,
    **feed_options: Any,
) -> AsyncIterator[LiveMountpoint]:
    """Create an RTP mountpoint (VP8 ``v1`` + Opus ``a1`` on 127.0.0.1) and feed it.

    Janus picks the ports in its ``rtp_port_range``; a `RtpFeed` sends to them.
    On exit the feed is stopped and reaped, then the mountpoint destroyed (if it
    still exists and the handle is attached).

    Args:
        streaming: An attached `JanusStreamingPlugin` (used to create and destroy).
        mountpoint_id: The id to use; Janus picks one when None.
        pattern: The video test pattern (see `RtpFeed`).
        frequency: The tone frequency.
        description: The mountpoint's description.
        video: Include the VP8 stream.
        audio: Include the Opus stream.
        timeout: Deadline of the create/destroy requests.
        **feed_options: More `RtpFeed` arguments (``fps``, ``width``, ``max_seconds``...).

    Yields:
        The mountpoint and its feed.
    """
    from ..errors import JanusError
    from ..plugins.streaming import RtpMedia

    media: list[RtpMedia] = []
    if video:
        media.append(RtpMedia("video", "v1", pt=100, codec="vp8", iface="127.0.0.1"))
    if audio:
        media.append(RtpMedia("audio", "a1", pt=111, codec="opus", iface="127.0.0.1"))
    created = await streaming.create_mountpoint(
        mountpoint_id,
        media=media,
        description=description or f"janus-client test feed ({pattern})",
        timeout=timeout,
    )
    if created.id is None:  # pragma: no cover - Janus always names it
        raise RtpFeedError("Janus created the mountpoint without an id")
    try:
        feed = RtpFeed(
            created.port_of("v1") if video else None,
            created.port_of("a1") if audio else None,
            host=created.host or "127.0.0.1",
            pattern=pattern,
            frequency=frequency,
            **feed_options,
        )
        with feed:
            yield LiveMountpoint(created.id, created, feed)
    finally:
        if streaming.attached:
            with contextlib.suppress(JanusError):
                await streaming.destroy_mountpoint(created.id, timeout=timeout)
