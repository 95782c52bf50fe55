"""janus-client 0.9.x import path for media names, kept for existing code.

Importing it needs the ``media`` extra (it loads aiortc and av). New code should use
`janus_client.webrtc`, whose `MediaPlayer` also accepts 0.9.x's arguments
(``event_loop``, ``loop_playback``) and has its ``stream_tracks``.

Besides those names, 0.9.x exposed the pieces of its own threaded player:
`PlayerStreamTrack` (a track fed with frames through a queue) and `stream_media`
(the thread function that decodes a container into such tracks). They are kept
here for code that built its own players from them.
"""

from __future__ import annotations

import asyncio
import errno
import fractions
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

import av
from aiortc.mediastreams import MediaStreamError
from av.frame import Frame
from av.packet import Packet

from .events import MediaKind
from .tracks import AUDIO_PTIME
from .webrtc import MediaPlayer, MediaRecorder, MediaStreamTrack

__all__ = [
    "MediaKind",
    "MediaPlayer",
    "MediaRecorder",
    "MediaStreamTrack",
    "PlayerStreamTrack",
    "async_do_nothing",
    "do_nothing",
    "stream_media",
]

logger = logging.getLogger("janus_client")


async def async_do_nothing() -> None:
    """A coroutine that does nothing (0.9.x helper, a default callback)."""


def do_nothing() -> None:
    """A function that does nothing (0.9.x helper, a default callback)."""


class PlayerStreamTrack(MediaStreamTrack):
    """A track whose frames are pushed into it with `put_frame` (0.9.x).

    `recv` returns the queued frames in order; a ``None`` frame ends the track.
    ``on_start`` runs (once) when the track is first read, ``on_stop`` when it
    stops: 0.9.x's player started its decoding thread from ``on_start``.

    Args:
        kind: `MediaKind.AUDIO` or `MediaKind.VIDEO`.
        on_start: Called once, on the first `recv`.
        on_stop: Called once, when the track stops.
    """

    class Event:
        """Names of the events the track emits."""

        START = "start"
        STOP = "stop"

    def __init__(
        self,
        kind: MediaKind,
        on_start: Callable[[], object] | None = None,
        on_stop: Callable[[], object] | None = None,
    ) -> None:
        super().__init__()
        self.kind = MediaKind(kind).value
        self._frames: asyncio.Queue[Any] = asyncio.Queue()
        self.once(self.Event.START, on_start if callable(on_start) else do_nothing)
        self.once(self.Event.STOP, on_stop if callable(on_stop) else do_nothing)

    async def recv(self) -> Frame | Packet[Any]:
        """Return the next frame (waiting for one).

        Raises:
            MediaStreamError: The track ended (stopped, or a ``None`` frame).
        """
        if self.readyState != "live":
            raise MediaStreamError
        self.emit(self.Event.START)
        frame = await self._frames.get()
        if frame is None:
            self.stop()
            raise MediaStreamError
        result: Frame | Packet[Any] = frame
        return result

    def stop(self) -> None:
        """End the track; runs ``on_stop`` the first time."""
        live = self.readyState == "live"
        super().stop()
        if live:
            self.emit(self.Event.STOP)

    async def put_frame(self, frame: Any) -> None:
        """Queue a frame for `recv`; ``None`` ends the track after the frames before it."""
        self._frames.put_nowait(frame)

    async def clear_queue(self) -> None:
        """Drop the frames not read yet."""
        while not self._frames.empty():
            self._frames.get_nowait()


def stream_media(
    event_loop: asyncio.AbstractEventLoop,
    container: Any,
    streams: Sequence[Any],
    audio_stream_track: PlayerStreamTrack | None,
    video_stream_track: PlayerStreamTrack | None,
    thread_start_event: threading.Event,
    thread_quit_event: threading.Event,
    throttle_playback: bool,
    loop_playback: bool,
) -> None:
    """Decode ``container`` into the tracks; the body of 0.9.x's player thread.

    Runs in a thread: it waits for ``thread_start_event``, then decodes
    ``streams`` and hands audio (resampled to 48 kHz stereo s16, 20 ms frames) and
    video frames to the tracks through ``event_loop``, until the end of the file
    (from the start again with ``loop_playback``) or ``thread_quit_event``. At the
    end each track gets a ``None`` frame, and the container is closed.

    Args:
        event_loop: The loop the tracks are read in.
        container: An open `av` input container.
        streams: The container's streams to decode.
        audio_stream_track: Receives the audio frames, or None.
        video_stream_track: Receives the video frames, or None.
        thread_start_event: Decoding starts when it is set.
        thread_quit_event: Decoding stops when it is set.
        throttle_playback: Pace decoding to real time (files); False for live
            sources.
        loop_playback: Start again at the end (seekable files).
    """
    rate = 48000
    resampler = av.AudioResampler(
        format="s16", layout="stereo", rate=rate, frame_size=int(rate * AUDIO_PTIME)
    )
    time_base = fractions.Fraction(1, rate)
    samples = 0
    first_video_pts: int | None = None
    pending: list[Future[None]] = []
    thread_start_event.wait()
    started = time.monotonic()

    def hand(track: PlayerStreamTrack, frame: Any) -> None:
        pending.append(asyncio.run_coroutine_threadsafe(track.put_frame(frame), event_loop))
        if len(pending) > 64:
            del pending[:32]

    try:
        while not thread_quit_event.is_set():
            ahead = 0.0
            try:
                frame = next(container.decode(*streams))
            except StopIteration:
                if loop_playback:
                    container.seek(0)
                    continue
                break
            except av.FFmpegError as exc:
                if getattr(exc, "errno", None) == errno.EAGAIN:
                    time.sleep(0.01)
                    continue
                logger.warning("stream_media: decoding stopped: %s", exc)
                break
            if isinstance(frame, av.AudioFrame) and audio_stream_track is not None:
                for out in resampler.resample(frame):
                    out.pts = samples
                    out.time_base = time_base
                    samples += out.samples
                    hand(audio_stream_track, out)
                    ahead = samples / rate - (time.monotonic() - started)
            elif isinstance(frame, av.VideoFrame) and video_stream_track is not None:
                if frame.pts is None:
                    continue
                if first_video_pts is None:
                    first_video_pts = frame.pts
                frame.pts -= first_video_pts
                hand(video_stream_track, frame)
                ahead = float(frame.time or 0) - (time.monotonic() - started)
            else:
                continue
            if throttle_playback and ahead > 1:
                time.sleep(min(ahead - 1, 0.1))
    finally:
        for track in (audio_stream_track, video_stream_track):
            if track is not None and not event_loop.is_closed():
                pending.append(
                    asyncio.run_coroutine_threadsafe(track.put_frame(None), event_loop)
                )
        for future in pending:
            try:
                future.result(timeout=5)
            except Exception:  # the loop stopped: nothing to deliver to
                break
        container.close()
