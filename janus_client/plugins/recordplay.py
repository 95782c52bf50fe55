"""The Record&Play plugin: record a WebRTC session to .mjr files, play recordings back.

```python
recorder = JanusRecordPlayPlugin()
await recorder.attach(session)
started = await recorder.record("demo")         # synthetic tone + frame counter
await recorder.wait_webrtcup()
await asyncio.sleep(3)
await recorder.stop()                            # Janus closes the recording
recordings = await recorder.list_recordings()

player = JanusRecordPlayPlugin()
await player.attach(session)
await player.play(started.id)
done = await player.wait_done()                  # the recording has been played
```
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

from ..errors import InvalidStateError, PluginError
from ..events import HangupEvent, JanusEvent, TypedPluginEvent, TypedResult
from ..validate import (
    enforce_bool,
    enforce_id,
    enforce_str,
    enforce_timeout,
    put,
)
from ._playback import _Playback
from .declare import request, sends
from .media import load_webrtc, wait_set

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack, RTCConfiguration
    from aiortc.contrib.media import MediaRecorder

    from ..webrtc import TrackStats

__all__ = [
    "JanusRecordPlayPlugin",
    "RecordPlayError",
    "RecordPlayEvent",
    "RecordPlayEventType",
    "RecordPlaySettings",
    "Recording",
]

_PLUGIN = "janus.plugin.recordplay"
#: The keys of the ``configure`` settings, in the request and in its reply.
_SETTINGS_KEYS: dict[str, str] = {
    "video_bitrate_max": "video-bitrate-max",
    "video_keyframe_interval": "video-keyframe-interval",
}


class RecordPlayError(PluginError):
    """An error reported by the Record&Play plugin (``JANUS_RECORDPLAY_ERROR_*``)."""

    code_names: ClassVar[dict[int, str]] = {
        411: "JANUS_RECORDPLAY_ERROR_NO_MESSAGE",
        412: "JANUS_RECORDPLAY_ERROR_INVALID_JSON",
        413: "JANUS_RECORDPLAY_ERROR_INVALID_REQUEST",
        414: "JANUS_RECORDPLAY_ERROR_INVALID_ELEMENT",
        415: "JANUS_RECORDPLAY_ERROR_MISSING_ELEMENT",
        416: "JANUS_RECORDPLAY_ERROR_NOT_FOUND",
        417: "JANUS_RECORDPLAY_ERROR_INVALID_RECORDING",
        418: "JANUS_RECORDPLAY_ERROR_INVALID_STATE",
        419: "JANUS_RECORDPLAY_ERROR_INVALID_SDP",
        420: "JANUS_RECORDPLAY_ERROR_RECORDING_EXISTS",
        499: "JANUS_RECORDPLAY_ERROR_UNKNOWN_ERROR",
    }


class RecordPlayEventType(str, enum.Enum):
    """The kinds of Record&Play events (``result.status``, or ``result: "done"``)."""

    #: Our ``record`` was accepted (with Janus' answer); ``id`` is the recording.
    RECORDING = "recording"
    #: Our ``play`` was accepted: Janus sends its offer.
    PREPARING = "preparing"
    #: A ``play`` with ``restart``: a new offer.
    RESTARTING = "restarting"
    #: Our ``start`` (with the answer) was accepted: the playout runs.
    PLAYING = "playing"
    #: Our ``pause`` was accepted.
    PAUSED = "paused"
    #: Our ``resume`` was accepted.
    RESUMED = "resumed"
    #: Our ``stop`` was accepted; Janus closes the PeerConnection.
    STOPPED = "stopped"
    #: The recording or playout is over (the PeerConnection went away).
    DONE = "done"
    #: Janus saw many losses on the connection.
    SLOW_LINK = "slow_link"
    #: An error event with no request waiting for it.
    ERROR = "error"


@dataclass(frozen=True, kw_only=True)
class RecordPlayEvent(TypedPluginEvent):
    """A Record&Play event (or the event answering one of our requests), typed.

    Build one with `from_data` (plugin data) or `from_plugin_event`.

    Attributes:
        type: The kind of event.
        id: The recording the event names, when it names one.
        error_code: The plugin's error code of an ``ERROR`` event.
        error: The error text of an ``ERROR`` event.
        result: The ``result`` object (empty for ``DONE``).
    """

    plugin_package: ClassVar[str] = _PLUGIN
    plugin_label: ClassVar[str] = "Record&Play"
    kinds: ClassVar[type[enum.Enum]] = RecordPlayEventType
    kind_key: ClassVar[str] = "status"
    error_kind: ClassVar[enum.Enum] = RecordPlayEventType.ERROR

    type: RecordPlayEventType
    id: int | None = None
    error_code: int | None = None
    error: str | None = None
    result: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def kind_of(cls, data: Mapping[str, Any]) -> RecordPlayEventType | None:
        """Tell the kind of a Record&Play event: an error, ``result.status``, or ``DONE``.

        Args:
            data: The plugin's data (``result: "done"`` is ``DONE``).
        """
        kind = cast("RecordPlayEventType | None", super().kind_of(data))
        if kind is None and data.get("result") == "done":
            return RecordPlayEventType.DONE
        return kind


@dataclass(frozen=True)
class Recording(TypedResult):
    """A completed recording, as ``list`` describes it.

    Attributes:
        id: The recording id (give it to `JanusRecordPlayPlugin.play`).
        name: Its name.
        date: When it was made (Janus' text form).
        audio: Whether it has audio.
        audio_codec: The audio codec (``"opus"``).
        audio_red: Whether the audio was recorded with RED.
        video: Whether it has video.
        video_codec: The video codec (``"vp8"``).
        data: Whether it has data.
        raw: The entry as Janus sent it.
    """

    id: int | None
    name: str | None = None
    date: str | None = None
    audio: bool = False
    audio_codec: str | None = None
    audio_red: bool = False
    video: bool = False
    video_codec: str | None = None
    data: bool = False

    @classmethod
    def list_from_data(cls, data: Mapping[str, Any]) -> list[Recording]:
        """The recordings of a ``list`` reply."""
        items = data.get("list")
        if not isinstance(items, list):
            return []
        return [cls.from_data(i) for i in items if isinstance(i, Mapping)]


@dataclass(frozen=True)
class RecordPlaySettings(TypedResult):
    """The reply to ``configure``: this handle's recording settings now.

    Attributes:
        video_bitrate_max: The video bitrate cap (bit/s) asked of the sender.
        video_keyframe_interval: Milliseconds between keyframe requests.
        raw: The plugin data as Janus sent it.
    """

    source_key: ClassVar[str | None] = "settings"
    field_keys: ClassVar[Mapping[str, str | tuple[str, ...]]] = _SETTINGS_KEYS

    video_bitrate_max: int | None
    video_keyframe_interval: int | None


class JanusRecordPlayPlugin(_Playback):
    """Client of ``janus.plugin.recordplay``: record our media, play recordings back.

    One handle does one thing at a time: `record` (we offer our tracks, Janus
    answers and writes them to .mjr files) or `play` (Janus offers the recorded
    tracks; they are counted per mid in `track_stats`, or written to
    ``record_to``). `stop` ends either; Janus then sends ``DONE`` (`wait_done`),
    which it also sends when a playout reaches the end of the recording.

    Args:
        pc_config: An `aiortc.RTCConfiguration` for the peer connections.
    """

    name = _PLUGIN
    error_class = RecordPlayError
    event_class = RecordPlayEvent
    event_types = RecordPlayEventType

    def __init__(self, pc_config: RTCConfiguration | None = None, **kwargs: Any) -> None:
        super().__init__(pc_config, **kwargs)
        self._done = asyncio.Event()
        self._done_event: RecordPlayEvent | None = None
        self._active = False

    # --------------------------------------------------------------- sync
    @request("list", result=Recording.list_from_data)
    async def list_recordings(self, *, timeout: float | None = None) -> list[Recording]:
        """List the completed recordings (``list``).

        Args:
            timeout: Deadline in seconds.
        """
        ...

    @request("update")
    async def update_recordings(self, *, timeout: float | None = None) -> dict[str, Any]:
        """Have Janus scan its recordings folder again (``update``).

        Args:
            timeout: Deadline in seconds.

        Returns:
            The plugin's data (``{"recordplay": "ok"}``).
        """
        ...

    @request("configure", keys=_SETTINGS_KEYS, result=RecordPlaySettings.from_data)
    async def configure(
        self,
        *,
        video_bitrate_max: int | None = None,
        video_keyframe_interval: int | None = None,
        timeout: float | None = None,
    ) -> RecordPlaySettings:
        """Set this handle's recording settings (``configure``).

        Args:
            video_bitrate_max: Cap the sender's video bitrate (bit/s, via REMB).
            video_keyframe_interval: Ask the sender for a keyframe every so many ms.
            timeout: Deadline in seconds.

        Returns:
            The settings now in force.
        """
        ...

    # -------------------------------------------------------------- state
    @property
    def track_stats(self) -> dict[str, TrackStats]:
        """The `TrackStats` of each track received while playing, by mid.

        Kept once the playout ends (``DONE`` closes the connection), until the next `play`.
        """
        return self._received_stats()

    @property
    def active(self) -> bool:
        """Whether a recording or playout runs on this handle."""
        return self._active

    def _begin(self, what: str) -> None:
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        if self._active:
            raise InvalidStateError(f"cannot {what}: this handle is busy (stop it first)")
        self._done.clear()
        self._done_event = None
        self._janus_hangup.clear()

    # ------------------------------------------------------------- record
    @sends("record")
    async def record(
        self,
        name: str,
        *,
        recording_id: int | None = None,
        filename: str | None = None,
        tracks: Iterable[MediaStreamTrack] | None = None,
        play_from: str | None = None,
        audio: bool = True,
        video: bool = True,
        audiocodec: str | None = None,
        videocodec: str | None = None,
        videoprofile: str | None = None,
        opusred: bool | None = None,
        textdata: bool | None = None,
        timeout: float | None = None,
    ) -> RecordPlayEvent:
        """Record our media (``record`` with our offer).

        Media comes from ``tracks``, else from ``play_from`` (a file or device),
        else from synthetic sources (a frame-counter video and a tone; ``audio``
        and ``video`` choose which).

        Args:
            name: The recording's name (non-empty).
            recording_id: Its id; Janus picks one when None.
            filename: Base name of the files (Janus adds ``-audio.mjr``...).
            tracks: Tracks to send.
            play_from: A media file or device to send.
            audio: With synthetic sources, send a tone.
            video: With synthetic sources, send a frame-counter video.
            audiocodec: Preferred audio codec for the recording.
            videocodec: Preferred video codec for the recording.
            videoprofile: Video codec profile (VP9, H.264).
            opusred: Negotiate RED for audio when offered.
            textdata: Record data channels as text (True) or binary.
            timeout: Deadline in seconds.

        Returns:
            The ``RECORDING`` event; ``id`` is the recording's id.

        Raises:
            InvalidStateError: The handle already records or plays.
            RecordPlayError: 420 the id exists, 419 bad SDP, ...
        """
        body: dict[str, Any] = {"request": "record", "name": enforce_str(name, name="name")}
        if recording_id is not None:
            body["id"] = enforce_id(recording_id, name="recording_id", string_ids=False)
        put(
            body,
            filename=(filename, str),
            audiocodec=(audiocodec, str),
            videocodec=(videocodec, str),
            videoprofile=(videoprofile, str),
            opusred=(opusred, bool),
            textdata=(textdata, bool),
        )
        enforce_bool(audio, name="audio")
        enforce_bool(video, name="video")
        limit = enforce_timeout(timeout)
        self._begin("record")
        webrtc = load_webrtc()
        if tracks is None and play_from is None:
            if not audio and not video:
                raise ValueError("record needs audio or video")
            synthetic = (
                webrtc.ToneAudioTrack() if audio else None,
                webrtc.FrameCounterVideoTrack(320, 240, fps=30) if video else None,
            )
            tracks = [track for track in synthetic if track is not None]
        reply = await self._offer_media(body, play_from, tracks, timeout=limit)
        self._active = True
        return self._typed_reply(RecordPlayEvent, reply)

    # --------------------------------------------------------------- play
    @sends("play", "start")
    async def play(
        self,
        recording_id: int,
        *,
        record_to: str | MediaRecorder | None = None,
        read_counters: bool = False,
        timeout: float | None = None,
    ) -> RecordPlayEvent:
        """Play a recording back (``play``, then ``start`` with our answer).

        Args:
            recording_id: The recording (`Recording.id`).
            record_to: A file path or `MediaRecorder` for the received media
                (instead of counting it in `track_stats`).
            read_counters: Decode `FrameCounterVideoTrack` numbers from the video.
            timeout: Deadline in seconds for each of the two requests.

        Returns:
            The ``PLAYING`` event.

        Raises:
            InvalidStateError: The handle already records or plays.
            RecordPlayError: 416 no such recording.
        """
        body = {"request": "play", "id": enforce_id(recording_id, name="recording_id")}
        enforce_bool(read_counters, name="read_counters")
        limit = enforce_timeout(timeout)
        self._begin("play")
        started = await self._answer_and_start(body, record_to, read_counters, timeout=limit)
        self._active = True
        return self._typed_reply(RecordPlayEvent, started)

    @request("pause", mode="async", result=RecordPlayEvent.from_data)
    async def pause(self, *, timeout: float | None = None) -> RecordPlayEvent:
        """Pause the recording or playout (``pause``).

        Args:
            timeout: Deadline in seconds.

        Returns:
            The ``PAUSED`` event.
        """
        ...

    @request("resume", mode="async", result=RecordPlayEvent.from_data)
    async def resume(self, *, timeout: float | None = None) -> RecordPlayEvent:
        """Resume a paused recording or playout (``resume``).

        Args:
            timeout: Deadline in seconds.

        Returns:
            The ``RESUMED`` event.
        """
        ...

    @sends("stop")
    async def stop(self, *, timeout: float | None = None) -> RecordPlayEvent | None:
        """End the recording or playout (``stop``); Janus closes the files.

        Idempotent: nothing is sent when nothing runs (None is returned). Returns
        once Janus reports the PeerConnection closed (its ``hangup`` event, waited
        for at most ``timeout`` or 5 s).

        Returns:
            The ``STOPPED`` event, or None.
        """
        reply = await self._stop_run(enforce_timeout(timeout))
        return None if reply is None else self._typed_reply(RecordPlayEvent, reply)

    async def wait_done(self, timeout: float = 30.0) -> RecordPlayEvent:
        """Wait for the ``DONE`` event (the recording or playout is over).

        Then waits (at most 5 s more) for Janus' hangup that follows, so that the
        peer connection and a ``record_to`` file are closed when this returns.

        Args:
            timeout: Seconds to wait.

        Raises:
            TimeoutError: No ``DONE`` within ``timeout`` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await wait_set(self._done, timeout, f"no Record&Play 'done' event within {timeout:g} s")
        assert self._done_event is not None
        # Janus' hangup follows 'done'; once it is processed our peer connection (and
        # a record_to file) is closed too.
        if self._pc is not None or self._last_pc is not None:
            await self._wait_janus_hangup(min(max(deadline - loop.time(), 0.1), 5.0))
        return self._done_event

    def _running(self) -> bool:
        return self._active

    def _forget(self) -> None:
        self._active = False

    async def _process_event(self, event: JanusEvent) -> None:
        if isinstance(event, RecordPlayEvent) and event.type is RecordPlayEventType.DONE:
            self._forget()
            self._done_event = event
            self._done.set()
        elif isinstance(event, HangupEvent):
            self._forget()
        await super()._process_event(event)  # a hangup closes the peer connection

    async def close_stream(self, *, timeout: float | None = None) -> None:
        """Stop and release the media, ignoring errors (best effort)."""
        await self._close_run(timeout)
