"""The VideoRoom plugin: an SFU where publishers send media and subscribers receive it.

One `JanusVideoRoomPlugin` object is one Janus handle, and (as in Janus) one handle
is either a *publisher* or a *subscriber*:

* A publisher joins a room (`join_as_publisher`), then may `publish` media from
  aiortc tracks or a player, `configure` it, `unpublish` it and `leave`. Its
  handle receives the room's events: new publishers, who left, talking, ...
* A subscriber receives media from one or more publishers on one peer connection
  (`join_as_subscriber`, or the 0.9.x `subscribe_to_publisher`). Janus sends the
  offer; this class answers it with a ``start`` request. Later `subscribe`,
  `unsubscribe` and `update_subscription` change the streams on the same peer
  connection: Janus sends a new offer, answered the same way, automatically.
  `pause` and `start` stop and resume the media, `switch_publisher` changes the
  source of a stream without renegotiation.

Room management (`create_room`, `edit_room`, `destroy_room`, `list_rooms`,
`list_participants`, `allowed`, `kick_participant`, `moderate_participant`,
`enable_recording`, `rtp_forward`, ...) works from any handle, joined or not.

Examples:
    ```python
    admin = await session.attach(JanusVideoRoomPlugin())
    room = await admin.create_room(description="demo", secret="s3cret")

    publisher = await session.attach(JanusVideoRoomPlugin())
    await publisher.join_as_publisher(room, display="alice")
    await publisher.publish(tracks=[ToneAudioTrack(), FrameCounterVideoTrack()])

    viewer = await session.attach(JanusVideoRoomPlugin())
    await viewer.join_as_subscriber(room, [{"feed": publisher.publisher_id}])
    await viewer.wait_webrtcup()
    print(viewer.peer.stats_by_mid)
    ```
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import inspect
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .._dispatch import Callback, EventDispatcher, EventStream
from ..config import resolve_timeout
from ..errors import CompatPluginError, InvalidStateError, JanusError
from ..events import HangupEvent, JanusEvent, PluginEvent
from ..handle import PluginResponse
from .media import JanusMediaPlugin, load_webrtc

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack, RTCConfiguration
    from aiortc.contrib.media import MediaPlayer, MediaRecorder

    from ..session import JanusSession
    from ..webrtc import JanusPeerConnection

__all__ = [
    "JanusVideoRoomPlugin",
    "ParticipantType",
    "VideoRoomError",
    "VideoRoomEvent",
    "VideoRoomEventType",
    "VideoRoomPublisher",
    "VideoRoomRemotePublisher",
    "VideoRoomRemotization",
    "VideoRoomStateError",
    "VideoRoomStream",
    "remote_streams",
]

logger = logging.getLogger("janus_client")

_PLUGIN = "janus.plugin.videoroom"

#: A room, participant or publisher id: a number, or a string when Janus runs
#: with ``string_ids``.
RoomId = int | str


_ID_KEYS = ("room", "new_room", "id", "feed", "publisher_id", "secret_room")


def _check_ids(body: Mapping[str, Any], string_ids: bool) -> None:
    """Refuse room and participant ids that Janus would reject with error 430."""
    for key in _ID_KEYS:
        if key not in body or body[key] is None:
            continue
        value = body[key]
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(f"{key} must be an int (or a str with string_ids), got {value!r}")
        if isinstance(value, int) and value <= 0:
            raise ValueError(f"{key} must be a positive number, got {value}")
        if isinstance(value, str):
            if not value:
                raise ValueError(f"{key} must not be empty")
            if value.isdigit() and not string_ids:
                raise ValueError(
                    f"{key} {value!r} is a string: pass the number {int(value)} (VideoRoom ids "
                    "are numbers unless Janus runs with string_ids; then set "
                    "plugin.string_ids = True)"
                )


# ------------------------------------------------------------------------ errors
class VideoRoomError(CompatPluginError):
    """An error reported by the VideoRoom plugin (``JANUS_VIDEOROOM_ERROR_*``).

    Errors Janus reports carry its code (`code`, `code_name`). Requests refused
    before reaching Janus because of this object's state raise `VideoRoomStateError`,
    a subclass, with code ``-1`` as janus-client 0.9.x did. Both construction forms
    work:

    ```python
    VideoRoomError("No such room (1234)", code=426)   # library form
    VideoRoomError(426, "No such room (1234)")        # 0.9.x form
    ```

    Attributes:
        error_code: The code (0.9.x name of `code`; 0 when there is none).
        error_message: The error text (0.9.x name of `reason`).
    """

    plugin_package: ClassVar[str] = _PLUGIN
    plugin_label: ClassVar[str] = "VideoRoom"
    code_names: ClassVar[dict[int, str]] = {
        421: "JANUS_VIDEOROOM_ERROR_NO_MESSAGE",
        422: "JANUS_VIDEOROOM_ERROR_INVALID_JSON",
        423: "JANUS_VIDEOROOM_ERROR_INVALID_REQUEST",
        424: "JANUS_VIDEOROOM_ERROR_JOIN_FIRST",
        425: "JANUS_VIDEOROOM_ERROR_ALREADY_JOINED",
        426: "JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM",
        427: "JANUS_VIDEOROOM_ERROR_ROOM_EXISTS",
        428: "JANUS_VIDEOROOM_ERROR_NO_SUCH_FEED",
        429: "JANUS_VIDEOROOM_ERROR_MISSING_ELEMENT",
        430: "JANUS_VIDEOROOM_ERROR_INVALID_ELEMENT",
        431: "JANUS_VIDEOROOM_ERROR_INVALID_SDP_TYPE",
        432: "JANUS_VIDEOROOM_ERROR_PUBLISHERS_FULL",
        433: "JANUS_VIDEOROOM_ERROR_UNAUTHORIZED",
        434: "JANUS_VIDEOROOM_ERROR_ALREADY_PUBLISHED",
        435: "JANUS_VIDEOROOM_ERROR_NOT_PUBLISHED",
        436: "JANUS_VIDEOROOM_ERROR_ID_EXISTS",
        437: "JANUS_VIDEOROOM_ERROR_INVALID_SDP",
        499: "JANUS_VIDEOROOM_ERROR_UNKNOWN_ERROR",
    }


class VideoRoomStateError(VideoRoomError, InvalidStateError):
    """A request this object cannot make in its state (not joined, wrong role, ...).

    It is both a `VideoRoomError` with code ``-1`` (as janus-client 0.9.x raised)
    and an `InvalidStateError`.
    """

    def __init__(self, message: str) -> None:
        super().__init__(-1, message)


# ------------------------------------------------------------------------ events
class VideoRoomEventType(str, enum.Enum):
    """The kinds of VideoRoom events.

    Use them with ``plugin.on_event(VideoRoomEventType.PUBLISHERS, handler)`` (the
    handler gets the plugin's data dict, as in janus-client 0.9.x) or compare
    `VideoRoomEvent.type`.
    """

    #: We joined a room as a publisher (``videoroom: joined``).
    JOINED = "joined"
    #: New publishers are active in the room.
    PUBLISHERS = "publishers"
    #: A publisher stopped publishing (or we did, for our own ``unpublish``).
    UNPUBLISHED = "unpublished"
    #: A participant left the room (or we did, or were kicked: ``reason``).
    LEAVING = "leaving"
    #: The room was destroyed.
    DESTROYED = "destroyed"
    #: Our publisher or subscriber settings were applied.
    CONFIGURED = "configured"
    #: Our subscription was created; the event carries Janus' offer.
    ATTACHED = "attached"
    #: Our subscription changed; the event may carry a new offer.
    UPDATED = "updated"
    #: Media delivery to our subscription (re)started.
    STARTED = "started"
    #: Streams of our subscription now come from other publishers.
    SWITCHED = "switched"
    #: A publisher started talking (audio level events).
    TALKING = "talking"
    #: A publisher stopped talking.
    STOPPED_TALKING = "stopped-talking"
    #: The plugin reported an error in an event.
    ERROR = "error"
    #: Media delivery to our subscription was paused.
    PAUSED = "paused"
    #: Our subscription was closed (``leave`` of a subscriber).
    LEFT = "left"
    #: A participant was kicked out of the room.
    KICKED = "kicked"
    #: A moderator muted or unmuted a stream of a publisher.
    MODERATION = "moderation"
    #: A participant joined (rooms with ``notify_joining``).
    JOINING = "joining"
    #: A participant changed its display name.
    DISPLAY = "display"
    #: A subscription update was queued; its offer comes later, in ``updated``.
    UPDATING = "updating"
    #: Janus lowered the bitrate it asks us to send (``slow_link``).
    SLOW_LINK = "slow_link"
    #: Any other VideoRoom event.
    EVENT = "event"


class ParticipantType(str, enum.Enum):
    """What a VideoRoom handle is in its room."""

    PUBLISHER = "publisher"
    SUBSCRIBER = "subscriber"


# In a ``videoroom: event``, the first of these keys present tells its kind (the
# first six in janus-client 0.9.x's order).
_EVENT_KEYS: tuple[tuple[str, VideoRoomEventType], ...] = (
    ("publishers", VideoRoomEventType.PUBLISHERS),
    ("unpublished", VideoRoomEventType.UNPUBLISHED),
    ("leaving", VideoRoomEventType.LEAVING),
    ("configured", VideoRoomEventType.CONFIGURED),
    ("started", VideoRoomEventType.STARTED),
    ("switched", VideoRoomEventType.SWITCHED),
    ("paused", VideoRoomEventType.PAUSED),
    ("left", VideoRoomEventType.LEFT),
    ("kicked", VideoRoomEventType.KICKED),
    ("moderation", VideoRoomEventType.MODERATION),
    ("joining", VideoRoomEventType.JOINING),
    ("display", VideoRoomEventType.DISPLAY),
)


def _id(value: Any) -> RoomId | None:
    if isinstance(value, bool):
        return None
    return value if isinstance(value, (int, str)) else None


def _opt_s(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _opt_i(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _opt_b(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


@dataclass(frozen=True, kw_only=True)
class VideoRoomStream:
    """One stream of a publisher, or one m-line of a subscription.

    Publisher streams (in ``publishers`` lists and ``configured`` events) have
    ``type``, ``mindex``, ``mid``, ``codec`` and the flags; subscription streams
    (``attached``, ``updated``, ``switched``) also say where their media comes from
    (``feed_id``, ``feed_mid``) and whether it flows (``send``, ``ready``,
    ``active``).

    Attributes:
        mid: The stream's mid (the publisher's, or the subscription's m-line).
        mindex: Its m-line index.
        type: ``"audio"``, ``"video"`` or ``"data"``.
        codec: The negotiated codec.
        description: The publisher's text description of the stream.
        disabled: The stream is inactive.
        moderated: A moderator muted it.
        simulcast: The publisher sends simulcast.
        svc: The publisher sends SVC.
        talking: Audio activity, when the room reports audio levels.
        feed_id: The publisher a subscription stream comes from.
        feed_mid: The mid of that publisher's stream.
        feed_display: That publisher's display name.
        send: Whether Janus is configured to relay this subscription stream.
        ready: Whether the subscription stream is ready to send media.
        active: Whether the subscription m-line is in use (False after unsubscribe).
        raw: The stream object as Janus sent it.
    """

    mid: str | None = None
    mindex: int | None = None
    type: str | None = None
    codec: str | None = None
    description: str | None = None
    disabled: bool = False
    moderated: bool = False
    simulcast: bool = False
    svc: bool = False
    talking: bool | None = None
    feed_id: RoomId | None = None
    feed_mid: str | None = None
    feed_display: str | None = None
    send: bool | None = None
    ready: bool | None = None
    active: bool | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VideoRoomStream:
        """Build a stream from its JSON object."""
        return cls(
            mid=_opt_s(data.get("mid")),
            mindex=_opt_i(data.get("mindex")),
            type=_opt_s(data.get("type")),
            codec=_opt_s(data.get("codec")),
            description=_opt_s(data.get("description")),
            disabled=data.get("disabled") is True,
            moderated=data.get("moderated") is True,
            simulcast=data.get("simulcast") is True,
            svc=data.get("svc") is True,
            talking=_opt_b(data.get("talking")),
            feed_id=_id(data.get("feed_id")),
            feed_mid=_opt_s(data.get("feed_mid")),
            feed_display=_opt_s(data.get("feed_display")),
            send=_opt_b(data.get("send")),
            ready=_opt_b(data.get("ready")),
            active=_opt_b(data.get("active")),
            raw=dict(data),
        )


def _streams_of(value: Any) -> tuple[VideoRoomStream, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(VideoRoomStream.from_dict(s) for s in value if isinstance(s, Mapping))


@dataclass(frozen=True, kw_only=True)
class VideoRoomPublisher:
    """An active publisher of a room, as announced in ``joined``/``publishers``.

    Attributes:
        id: The publisher's id.
        display: Its display name.
        dummy: Whether it is the room's dummy publisher (placeholder streams).
        streams: The streams it publishes.
        talking: Whether it is talking (deprecated in Janus; see the streams).
        audio_codec: Its audio codec (older field Janus still sends).
        video_codec: Its video codec.
        raw: The publisher object as Janus sent it.
    """

    id: RoomId
    display: str | None = None
    dummy: bool = False
    streams: tuple[VideoRoomStream, ...] = ()
    talking: bool | None = None
    audio_codec: str | None = None
    video_codec: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VideoRoomPublisher | None:
        """Build a publisher from its JSON object (None when it has no id)."""
        pid = _id(data.get("id"))
        if pid is None:
            return None
        return cls(
            id=pid,
            display=_opt_s(data.get("display")),
            dummy=data.get("dummy") is True,
            streams=_streams_of(data.get("streams")),
            talking=_opt_b(data.get("talking")),
            audio_codec=_opt_s(data.get("audio_codec")),
            video_codec=_opt_s(data.get("video_codec")),
            raw=dict(data),
        )

    def stream(self, mid: str) -> VideoRoomStream | None:
        """Return the stream with this mid, or None."""
        for s in self.streams:
            if s.mid == mid:
                return s
        return None

    def mids(self, kind: str | None = None) -> list[str]:
        """Return the mids of the streams (of ``kind``: ``"audio"``, ``"video"``, ...)."""
        return [s.mid for s in self.streams if s.mid is not None and kind in (None, s.type)]


def _publishers_of(value: Any) -> tuple[VideoRoomPublisher, ...]:
    if not isinstance(value, list):
        return ()
    found = (VideoRoomPublisher.from_dict(p) for p in value if isinstance(p, Mapping))
    return tuple(p for p in found if p is not None)


def _event_type(data: Mapping[str, Any]) -> VideoRoomEventType:
    kind = data.get("videoroom")
    if kind == "event":
        if "error_code" in data or "error" in data:
            return VideoRoomEventType.ERROR
        for key, event_type in _EVENT_KEYS:
            if key in data:
                return event_type
        return VideoRoomEventType.EVENT
    try:
        return VideoRoomEventType(kind)
    except ValueError:
        return VideoRoomEventType.EVENT


@dataclass(frozen=True, kw_only=True)
class VideoRoomEvent(PluginEvent):
    """A VideoRoom plugin event, typed.

    It is a `PluginEvent`, so ``data`` and ``jsep`` are there as Janus sent them;
    the fields below are parsed from ``data`` and are None (or empty) when the
    event does not carry them.

    Attributes:
        type: The kind of event.
        room: The room it concerns.
        id: The participant it concerns: our id for ``joined``; the publisher for
            ``unpublished``, ``leaving``, ``kicked``, ``talking``, ``moderation``,
            ``display`` and ``joining``; None when the event is about us
            (``"unpublished": "ok"``, ``"leaving": "ok"``).
        private_id: Our private id (``joined``).
        display: The display name (``display``, ``joining``).
        description: The room's description (``joined``).
        publishers: Active publishers (``joined``, ``publishers``).
        attendees: Participants not publishing (``joined`` with ``notify_joining``).
        streams: The streams: of the subscription (``attached``, ``updated``,
            ``switched``) or of our publication (``configured``); None when absent.
        mid: The stream concerned (``talking``, ``moderation``).
        muted: For ``moderation``: whether the stream is now muted.
        talking: True for ``talking``, False for ``stopped-talking``.
        audio_level: The average audio level of a talking event (dBov).
        reason: Why we left (``"kicked"``), when Janus says.
        changes: For ``switched``: how many streams changed source.
        error_code: For ``error``: the plugin's error code.
        error: For ``error``: the error text.
    """

    type: VideoRoomEventType = VideoRoomEventType.EVENT
    room: RoomId | None = None
    id: RoomId | None = None
    private_id: int | None = None
    display: str | None = None
    description: str | None = None
    publishers: tuple[VideoRoomPublisher, ...] = ()
    attendees: tuple[dict[str, Any], ...] = ()
    streams: tuple[VideoRoomStream, ...] | None = None
    mid: str | None = None
    muted: bool | None = None
    talking: bool | None = None
    audio_level: float | None = None
    reason: str | None = None
    changes: int | None = None
    error_code: int | None = None
    error: str | None = None

    @classmethod
    def from_data(
        cls, data: Mapping[str, Any], jsep: Mapping[str, Any] | None = None, **common: Any
    ) -> VideoRoomEvent:
        """Build the typed event from the plugin's data (and its JSEP, if any).

        ``common`` are `PluginEvent` fields (``plugin``, ``session_id``, ...).
        """
        kind = _event_type(data)
        pid: RoomId | None = None
        display = _opt_s(data.get("display"))
        if kind in (
            VideoRoomEventType.JOINED,
            VideoRoomEventType.TALKING,
            VideoRoomEventType.STOPPED_TALKING,
            VideoRoomEventType.MODERATION,
            VideoRoomEventType.DISPLAY,
        ):
            pid = _id(data.get("id"))
        elif kind in (
            VideoRoomEventType.UNPUBLISHED,
            VideoRoomEventType.LEAVING,
            VideoRoomEventType.KICKED,
        ):
            value = data.get(kind.value)
            pid = None if value == "ok" else _id(value)
        elif kind is VideoRoomEventType.JOINING:
            joining = data.get("joining")
            if isinstance(joining, Mapping):
                pid = _id(joining.get("id"))
                display = _opt_s(joining.get("display"))
        level = data.get("audio-level-dBov-avg")
        moderation = data.get("moderation")
        attendees = data.get("attendees")
        has_streams = kind is not VideoRoomEventType.JOINED and isinstance(
            data.get("streams"), list
        )
        return cls(
            type=kind,
            room=_id(data.get("room")),
            id=pid,
            private_id=_opt_i(data.get("private_id")),
            display=display,
            description=_opt_s(data.get("description")),
            publishers=_publishers_of(data.get("publishers")),
            attendees=tuple(dict(a) for a in attendees if isinstance(a, Mapping))
            if isinstance(attendees, list)
            else (),
            streams=_streams_of(data.get("streams")) if has_streams else None,
            mid=_opt_s(data.get("mid")),
            muted=None if not isinstance(moderation, str) else moderation == "muted",
            talking={
                VideoRoomEventType.TALKING: True,
                VideoRoomEventType.STOPPED_TALKING: False,
            }.get(kind),
            audio_level=float(level)
            if isinstance(level, (int, float)) and not isinstance(level, bool)
            else None,
            reason=_opt_s(data.get("reason")),
            changes=_opt_i(data.get("changes")),
            error_code=_opt_i(data.get("error_code")),
            error=_opt_s(data.get("error")),
            data=dict(data),
            jsep=dict(jsep) if jsep is not None else None,
            **common,
        )

    @classmethod
    def from_plugin_event(cls, event: PluginEvent) -> VideoRoomEvent | None:
        """Return the typed form of a VideoRoom plugin event (None if it is not one)."""
        if "videoroom" not in event.data:
            return None
        return cls.from_data(
            event.data,
            event.jsep,
            plugin=event.plugin,
            transaction=event.transaction,
            session_id=event.session_id,
            handle_id=event.handle_id,
            raw=event.raw,
        )


# -------------------------------------------------------------------- validation
def _check_id(name: str, value: object) -> RoomId:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"{name} must be an int (or a str id), got {type(value).__name__}")
    if isinstance(value, int) and value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    if isinstance(value, str) and not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _check(name: str, value: object, kind: type) -> Any:
    """Check an optional value's type; None passes."""
    if value is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{name} must be {kind.__name__}, got {type(value).__name__}")
    if kind is int and value < 0:  # type: ignore[operator]
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def _put(body: dict[str, Any], **values: tuple[object, type]) -> dict[str, Any]:
    """Add each checked value that is not None to ``body``."""
    for key, (value, kind) in values.items():
        if _check(key, value, kind) is not None:
            body[key] = value
    return body


def _check_timeout(timeout: object) -> None:
    resolve_timeout(timeout, 1.0)  # raises TypeError / ValueError naming ``timeout``


def _check_objects(
    name: str,
    value: object,
    *,
    required: Sequence[str] = (),
    any_of: Sequence[str] = (),
    empty_ok: bool = False,
) -> list[dict[str, Any]]:
    """Check a list of stream-like objects and return plain copies."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of dicts, got {type(value).__name__}")
    items: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise TypeError(f"{name}[{i}] must be a dict, got {type(item).__name__}")
        entry = dict(item)
        for key in required:
            if key not in entry:
                raise ValueError(f"{name}[{i}] needs {key!r}")
        if any_of and not any(key in entry for key in any_of):
            raise ValueError(f"{name}[{i}] needs one of {', '.join(map(repr, any_of))}")
        for key in ("feed", "publisher_id"):
            if key in entry:
                _check_id(f"{name}[{i}][{key!r}]", entry[key])
        for key in ("mid", "sub_mid", "host", "description"):
            if key in entry and not isinstance(entry[key], str):
                raise TypeError(
                    f"{name}[{i}][{key!r}] must be str, got {type(entry[key]).__name__}"
                )
        items.append(entry)
    if not items and not empty_ok:
        raise ValueError(f"{name} must not be empty")
    return items


def _check_extra(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Check extra room settings (``**kwargs``): JSON values only."""
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            raise TypeError(f"{key} must be a JSON value, got {type(value).__name__}")
        out[key] = value
    return out


# ------------------------------------------------------------- cascading types
#: The media types a remote publisher stream may have.
_REMOTE_TYPES = ("audio", "video", "data")
#: Optional keys of a remote publisher stream, with their JSON types.
_REMOTE_STREAM_KEYS: dict[str, type] = {
    "codec": str,
    "description": str,
    "disabled": bool,
    "stereo": bool,
    "fec": bool,
    "dtx": bool,
    "simulcast": bool,
    "svc": bool,
    "h264_profile": str,
    "vp9_profile": str,
    "audiolevel_ext_id": int,
    "videoorient_ext_id": int,
    "playoutdelay_ext_id": int,
}


@dataclass(frozen=True, kw_only=True)
class VideoRoomRemotePublisher:
    """A remote publisher created with `JanusVideoRoomPlugin.add_remote_publisher`.

    The instance that shows it has opened one UDP socket for its RTP and one for
    RTCP; the instance that holds the real publisher sends there with
    ``publish_remotely`` (``host`` = `ip`, ``port`` = `port`, ``rtcp_port`` =
    `rtcp_port`).

    Attributes:
        room: The room it is in.
        id: Its publisher id there (subscribe to it as to any publisher).
        ip: The address its sockets are bound to, when an ``iface`` was given.
        port: The UDP port that receives its RTP (every stream, told apart by SSRC).
        rtcp_port: The UDP port that receives RTCP (and sends keyframe requests back).
        raw: The reply as Janus sent it.
    """

    room: RoomId
    id: RoomId
    ip: str | None
    port: int
    rtcp_port: int | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class VideoRoomRemotization:
    """One ``publish_remotely`` of a local publisher, as ``listremotes`` lists it.

    Attributes:
        remote_id: The name given to this remotization.
        host: Where its RTP goes.
        port: The RTP port there.
        rtcp_port: The RTCP port there, if one was given.
    """

    remote_id: str
    host: str | None
    port: int | None
    rtcp_port: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VideoRoomRemotization:
        """Build it from one ``listremotes`` entry."""
        return cls(
            remote_id=str(data.get("remote_id", "")),
            host=_opt_s(data.get("host")),
            port=_opt_i(data.get("port")),
            rtcp_port=_opt_i(data.get("rtcp_port")),
        )


def _check_port(name: str, value: object, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be int, got {type(value).__name__}")
    if not 0 < value < 65536:
        raise ValueError(f"{name} must be 1..65535, got {value}")
    return value


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _stream_list(name: str, streams: object) -> list[object]:
    if isinstance(streams, (str, bytes, Mapping)) or not isinstance(streams, Iterable):
        raise TypeError(f"{name} must be a list of streams, got {type(streams).__name__}")
    return list(streams)


def _remote_stream(where: str, stream: object) -> dict[str, Any]:
    """Check one remote publisher stream and return it as a plain dict."""
    if isinstance(stream, VideoRoomStream):
        entry: dict[str, Any] = {"mid": stream.mid, "mindex": stream.mindex, "type": stream.type}
        if stream.codec is not None:
            entry["codec"] = stream.codec
        if stream.description is not None:
            entry["description"] = stream.description
        if stream.disabled:
            entry["disabled"] = True
        if stream.simulcast:
            entry["simulcast"] = True
        if stream.svc:
            entry["svc"] = True
    elif isinstance(stream, Mapping):
        entry = {k: v for k, v in stream.items() if v is not None}
    else:
        raise TypeError(f"{where} must be a stream or a dict, got {type(stream).__name__}")
    mid = entry.get("mid")
    if not isinstance(mid, str) or not mid:
        raise ValueError(f"{where} needs a 'mid' (a non-empty str), got {mid!r}")
    mindex = entry.get("mindex")
    if isinstance(mindex, bool) or not isinstance(mindex, int) or mindex < 0:
        raise ValueError(f"{where} needs a 'mindex' (an int >= 0), got {mindex!r}")
    kind = entry.get("type")
    if kind not in _REMOTE_TYPES:
        raise ValueError(f"{where}['type'] must be one of {_REMOTE_TYPES}, got {kind!r}")
    if kind != "data" and not isinstance(entry.get("codec"), str):
        raise ValueError(f"{where} is {kind} and needs a 'codec' (e.g. opus, vp8)")
    for key, kind_of in _REMOTE_STREAM_KEYS.items():
        value = entry.get(key)
        if value is None:
            continue
        if not isinstance(value, kind_of) or (kind_of is int and isinstance(value, bool)):
            raise TypeError(
                f"{where}[{key!r}] must be {kind_of.__name__}, got {type(value).__name__}"
            )
    unknown = set(entry) - set(_REMOTE_STREAM_KEYS) - {"mid", "mindex", "type"}
    if unknown:
        raise ValueError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
    return entry


def remote_streams(
    streams: Iterable[VideoRoomStream | Mapping[str, Any]], name: str = "streams"
) -> list[dict[str, Any]]:
    """Check and convert a publisher's streams for ``add_remote_publisher``.

    Accepts `VideoRoomStream` objects (the ``streams`` of a `VideoRoomPublisher` or
    of a ``configured`` reply) or dicts with ``mid``, ``mindex``, ``type`` and, for
    audio and video, ``codec``. Janus tells the streams of a remote publisher apart
    by SSRC, derived from the *source* publisher's m-line index, and numbers the
    remote streams by their position: so the streams are sorted by ``mindex``,
    which must run 0, 1, 2, ... with no gap.

    Args:
        streams: The source publisher's streams.
        name: The argument name used in error messages.

    Returns:
        Plain dicts ready for the request, sorted by ``mindex``.

    Raises:
        TypeError: A stream or one of its fields has the wrong type.
        ValueError: No stream, a missing field, an unknown type, or mindexes that
            do not run 0, 1, 2, ...
    """
    items = [_remote_stream(f"{name}[{i}]", s) for i, s in enumerate(_stream_list(name, streams))]
    if not items:
        raise ValueError(f"{name} must not be empty")
    items.sort(key=lambda s: int(s["mindex"]))
    indexes = [s["mindex"] for s in items]
    if indexes != list(range(len(items))):
        raise ValueError(
            f"{name} must have the mindexes 0..{len(items) - 1} once each, got {indexes} "
            "(Janus numbers a remote publisher's streams by position)"
        )
    return items


class _DataHandler:
    """Adapts a 0.9.x handler: it receives the event's plugin data dict."""

    __slots__ = ("wrapped",)

    def __init__(self, wrapped: Callback) -> None:
        self.wrapped = wrapped

    def __call__(self, event: JanusEvent) -> object:
        if isinstance(event, VideoRoomEvent):
            return self.wrapped(event.data)
        return None

    def __repr__(self) -> str:
        return f"<0.9.x handler {self.wrapped!r}>"


# ------------------------------------------------------------------------ plugin
class JanusVideoRoomPlugin(JanusMediaPlugin):
    """Client of ``janus.plugin.videoroom``: rooms, publishers and subscribers.

    One object is one handle: a publisher (`join_as_publisher`, `publish`, ...) or
    a subscriber (`join_as_subscriber` or `subscribe_to_publisher`, `subscribe`,
    ...), never both. Room management methods work on any handle.

    Requests Janus answers at once (``create``, ``list``, ``kick``, ...) return the
    useful part of the answer. Asynchronous requests wait for their event and
    return it as a `VideoRoomEvent`, except the methods that keep janus-client
    0.9.x's return values (`join_as_publisher`, `publish` and
    `subscribe_to_publisher` return the plugin's data dict).

    Events: ``on_event(VideoRoomEvent, cb)`` and ``events(VideoRoomEvent)`` give the
    typed events Janus sends on its own (new publishers, leaving, talking, offers
    of a subscription update, ...), after this object has acted on them;
    replies to our own requests are returned by the methods instead.
    ``on_event(VideoRoomEventType.X, cb)`` calls ``cb`` with the event's data dict
    as in 0.9.x, and, as in 0.9.x, also for the replies to our requests.

    Args:
        pc_config: An `aiortc.RTCConfiguration` for the peer connection.
    """

    name = _PLUGIN
    error_class = VideoRoomError
    #: The VideoRoom requests and the methods that send them (``join`` is also sent
    #: by `join_as_subscriber` and `subscribe_to_publisher`).
    requests: ClassVar[dict[str, str]] = {
        "create": "create_room",
        "destroy": "destroy_room",
        "edit": "edit_room",
        "exists": "exists",
        "list": "list_rooms",
        "allowed": "allowed",
        "kick": "kick_participant",
        "moderate": "moderate_participant",
        "enable_recording": "enable_recording",
        "listparticipants": "list_participants",
        "listforwarders": "list_forwarders",
        "rtp_forward": "rtp_forward",
        "stop_rtp_forward": "stop_rtp_forward",
        "publish_remotely": "publish_remotely",
        "unpublish_remotely": "unpublish_remotely",
        "listremotes": "list_remotes",
        "add_remote_publisher": "add_remote_publisher",
        "update_remote_publisher": "update_remote_publisher",
        "remove_remote_publisher": "remove_remote_publisher",
        "join": "join_as_publisher",
        "joinandconfigure": "join_and_configure",
        "configure": "configure",
        "publish": "publish",
        "unpublish": "unpublish",
        "start": "start",
        "pause": "pause",
        "switch": "switch_publisher",
        "leave": "leave",
        "subscribe": "subscribe",
        "unsubscribe": "unsubscribe",
        "update": "update_subscription",
    }

    #: Set to True when the server's VideoRoom runs with ``string_ids``: then ids
    #: made of digits (``"4242"``) are sent as given instead of being refused.
    string_ids: bool = False

    def __init__(self, pc_config: RTCConfiguration | None = None, **kwargs: Any) -> None:
        super().__init__(pc_config, **kwargs)
        self._hub: EventDispatcher[JanusEvent] | None = None
        self._negotiating = asyncio.Lock()
        self._ptype: ParticipantType | None = None
        self._room: RoomId | None = None
        self._publisher_id: RoomId | None = None
        self._private_id: int | None = None
        self._display: str | None = None
        self._publishing = False
        self._publishers: dict[RoomId, VideoRoomPublisher] = {}
        self._streams: tuple[VideoRoomStream, ...] = ()
        self._record_to: str | MediaRecorder | None = None
        self._read_counters = False

    async def request(
        self, body: Mapping[str, Any], *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Send a synchronous VideoRoom request; ids are checked before sending.

        Raises:
            TypeError: A room or participant id is neither an int nor a str.
            ValueError: An id is not positive, empty, or a string of digits while
                `string_ids` is False (Janus would answer error 430).
        """
        _check_ids(body, self.string_ids)
        return await super().request(body, timeout=timeout)

    async def message(
        self,
        body: Mapping[str, Any],
        jsep: Mapping[str, Any] | None = None,
        *,
        wait: Literal["event", "ack"] = "event",
        timeout: float | None = None,
    ) -> PluginResponse:
        """Send a VideoRoom message (``join``, ``configure``, ...); ids are checked first.

        Raises:
            TypeError: A room or participant id is neither an int nor a str.
            ValueError: An id is not positive, empty, or a string of digits while
                `string_ids` is False.
        """
        _check_ids(body, self.string_ids)
        return await super().message(body, jsep, wait=wait, timeout=timeout)

    # ------------------------------------------------------------------ state
    @property
    def room_id(self) -> RoomId | None:
        """The room this handle joined, or None."""
        return self._room

    @property
    def publisher_id(self) -> RoomId | None:
        """Our publisher id in the room (publishers only), or None."""
        return self._publisher_id

    @property
    def private_id(self) -> int | None:
        """Our private id (publishers only): give it to subscriptions we make."""
        return self._private_id

    @property
    def display_name(self) -> str | None:
        """Our display name in the room, when we set one."""
        return self._display

    @property
    def participant_type(self) -> ParticipantType | None:
        """Whether this handle is a publisher or a subscriber (None before joining)."""
        return self._ptype

    @property
    def is_publishing(self) -> bool:
        """Whether we publish media (between `publish` and `unpublish`)."""
        return self._publishing

    @property
    def webrtcup_event(self) -> asyncio.Event:
        """Set when Janus reports the peer connection up (0.9.x; see `wait_webrtcup`)."""
        return self._webrtcup

    @property
    def publishers(self) -> dict[RoomId, VideoRoomPublisher]:
        """The room's active publishers as this publisher handle knows them, by id.

        Filled from ``joined`` and kept up to date by ``publishers``,
        ``unpublished``, ``leaving``, ``kicked``, ``display`` and ``moderation``
        events. Empty for subscribers.
        """
        return dict(self._publishers)

    @property
    def streams(self) -> tuple[VideoRoomStream, ...]:
        """The streams of our subscription (subscribers), as Janus last described them."""
        return self._streams

    def _reset(self) -> None:
        self._ptype = None
        self._room = None
        self._publisher_id = None
        self._private_id = None
        self._display = None
        self._publishing = False
        self._publishers = {}
        self._streams = ()

    def _require(self, ptype: ParticipantType | None, what: str) -> None:
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        if ptype is None:
            if self._ptype is None:
                raise VideoRoomStateError(f"cannot {what}: not in a room (join first)")
        elif self._ptype is not ptype:
            now = self._ptype.value if self._ptype is not None else "not in a room"
            if what == "publish":  # 0.9.x's message first, so its regexes still match
                raise VideoRoomStateError(
                    f"Must join as publisher before publishing (this handle is {now})"
                )
            raise VideoRoomStateError(f"cannot {what}: this handle is {now}, not a {ptype.value}")

    def _require_free(self, what: str) -> None:
        self.handle  # noqa: B018
        if self._ptype is not None and what == "subscribe":
            raise VideoRoomStateError(
                "Can only be either publisher or subscriber. "
                f"Now ParticipantType.{self._ptype.name} "
                f"(this handle already joined room {self._room!r}; attach another)",
            )
        if self._ptype is not None:
            raise VideoRoomStateError(
                f"cannot {what}: this handle already joined room {self._room!r} as a "
                f"{self._ptype.value} (one handle per role; attach another)"
            )

    # -------------------------------------------------------------- lifecycle
    async def attach(
        self, session: JanusSession, *, opaque_id: str | None = None, timeout: float | None = None
    ) -> None:
        """Attach to ``session`` (created on the server first if needed).

        Raises:
            InvalidStateError: Already attached.
            PluginNotFoundError: The server does not have the VideoRoom plugin.
        """
        await super().attach(session, opaque_id=opaque_id, timeout=timeout)
        self._reset()
        self._hub = EventDispatcher(f"videoroom-{self.handle.handle_id}")
        self.handle._add_close_hook(self._handle_closed)

    async def _handle_closed(self) -> None:
        # Janus drops the participant or subscription with the handle.
        self._reset()
        hub, self._hub = self._hub, None
        if hub is not None:
            await hub.aclose()

    # ------------------------------------------------------- sync: rooms
    async def create_room(
        self,
        room_id: RoomId | None = None,
        description: str | None = None,
        secret: str | None = None,
        pin: str | None = None,
        is_private: bool = False,
        publishers: int = 3,
        bitrate: int | None = None,
        fir_freq: int = 0,
        audiocodec: str | None = None,
        videocodec: str | None = None,
        record: bool = False,
        rec_dir: str | None = None,
        permanent: bool = False,
        admin_key: str | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> RoomId:
        """Create a room (``create``) and return its id.

        Args:
            room_id: The id to give it; Janus picks one when None.
            description: A pretty name.
            secret: The password needed to edit or destroy the room, kick, ...
            pin: The password needed to join it.
            is_private: Hide it from `list_rooms`.
            publishers: How many participants may publish at once.
            bitrate: The video bitrate cap for publishers (bit/s).
            fir_freq: Ask publishers for a keyframe every this many seconds (0: never).
            audiocodec: Allowed audio codecs, comma separated (``"opus,pcmu"``).
            videocodec: Allowed video codecs, comma separated (``"vp8,h264"``).
            record: Record every publisher.
            rec_dir: Folder for the recordings (as Janus sees it).
            permanent: Also save the room in Janus' configuration file.
            admin_key: The plugin's ``admin_key``, when it is configured.
            timeout: Deadline in seconds.
            **kwargs: Any other room setting of Janus' documentation
                (``audiolevel_event=True``, ``notify_joining=True``, ``allowed=[...]``,
                ``lock_record``, ``require_pvtid``, ...).

        Raises:
            VideoRoomError: The plugin refused (427 room exists, 433 unauthorized, ...).
        """
        body: dict[str, Any] = {"request": "create"}
        if room_id is not None:
            body["room"] = _check_id("room_id", room_id)
        _put(
            body,
            is_private=(is_private, bool),
            publishers=(publishers, int),
            fir_freq=(fir_freq, int),
            record=(record, bool),
            permanent=(permanent, bool),
            description=(description, str),
            secret=(secret, str),
            pin=(pin, str),
            bitrate=(bitrate, int),
            audiocodec=(audiocodec, str),
            videocodec=(videocodec, str),
            rec_dir=(rec_dir, str),
            admin_key=(admin_key, str),
        )
        body.update(_check_extra(kwargs))
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        room = _id(data.get("room"))
        if room is None:
            raise VideoRoomError(
                "the VideoRoom answered create without a room id",
                plugin=self.plugin_name,
                request="create",
                data=data,
            )
        return room

    async def edit_room(
        self,
        room_id: RoomId,
        *,
        secret: str | None = None,
        new_description: str | None = None,
        new_secret: str | None = None,
        new_pin: str | None = None,
        new_is_private: bool | None = None,
        new_require_pvtid: bool | None = None,
        new_bitrate: int | None = None,
        new_fir_freq: int | None = None,
        new_publishers: int | None = None,
        new_lock_record: bool | None = None,
        new_rec_dir: str | None = None,
        permanent: bool | None = None,
        timeout: float | None = None,
    ) -> None:
        """Change some properties of a room (``edit``).

        Args:
            room_id: The room.
            secret: The room's secret, when it has one.
            new_description: The new pretty name.
            new_secret: The new secret.
            new_pin: The new PIN to join.
            new_is_private: Hide the room from `list_rooms` or not.
            new_require_pvtid: Whether subscriptions must give a private id.
            new_bitrate: The new bitrate cap for publishers.
            new_fir_freq: The new keyframe request period (seconds).
            new_publishers: The new number of concurrent publishers.
            new_lock_record: Whether changing the recording state needs the secret.
            new_rec_dir: The folder for the next recordings.
            permanent: Also change Janus' configuration file.
            timeout: Deadline in seconds.

        Raises:
            ValueError: Nothing to change.
            VideoRoomError: The plugin refused (426 no such room, 433 wrong secret, ...).
        """
        body: dict[str, Any] = {"request": "edit", "room": _check_id("room_id", room_id)}
        _put(
            body,
            new_description=(new_description, str),
            new_secret=(new_secret, str),
            new_pin=(new_pin, str),
            new_is_private=(new_is_private, bool),
            new_require_pvtid=(new_require_pvtid, bool),
            new_bitrate=(new_bitrate, int),
            new_fir_freq=(new_fir_freq, int),
            new_publishers=(new_publishers, int),
            new_lock_record=(new_lock_record, bool),
            new_rec_dir=(new_rec_dir, str),
        )
        if len(body) == 2:
            raise ValueError("edit_room needs at least one new_* setting")
        _put(body, secret=(secret, str), permanent=(permanent, bool))
        _check_timeout(timeout)
        await self.request(body, timeout=timeout)

    async def destroy_room(
        self,
        room_id: RoomId,
        secret: str | None = None,
        permanent: bool = False,
        timeout: float | None = None,
    ) -> None:
        """Destroy a room (``destroy``); its participants get a ``destroyed`` event.

        Raises:
            VideoRoomError: The plugin refused (426 no such room, 433 wrong secret, ...).
        """
        body: dict[str, Any] = {
            "request": "destroy",
            "room": _check_id("room_id", room_id),
            "permanent": _check("permanent", permanent, bool),
        }
        _put(body, secret=(secret, str))
        _check_timeout(timeout)
        await self.request(body, timeout=timeout)

    async def exists(self, room_id: RoomId, timeout: float | None = None) -> bool:
        """Return whether a room exists (``exists``)."""
        body = {"request": "exists", "room": _check_id("room_id", room_id)}
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        return data.get("exists") is True

    async def list_rooms(
        self, admin_key: str | None = None, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Return the public rooms (``list``; private ones too with the ``admin_key``).

        Each room is Janus' dict: ``room``, ``description``, ``pin_required``,
        ``max_publishers``, ``num_participants``, ``record``, ...
        """
        body = _put({"request": "list"}, admin_key=(admin_key, str))
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        rooms = data.get("list")
        return list(rooms) if isinstance(rooms, list) else []

    async def list_participants(
        self, room_id: RoomId, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Return the participants of a room (``listparticipants``).

        Each is Janus' dict: ``id``, ``display``, ``publisher`` (whether publishing),
        ``talking``.

        Raises:
            VideoRoomError: 426 when there is no such room.
        """
        body = {"request": "listparticipants", "room": _check_id("room_id", room_id)}
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        found = data.get("participants")
        return list(found) if isinstance(found, list) else []

    async def allowed(
        self,
        room_id: RoomId,
        action: str,
        allowed: Iterable[str] | None = None,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> list[str]:
        """Manage the tokens that may join a room (``allowed``).

        Args:
            room_id: The room.
            action: ``"enable"`` or ``"disable"`` the token check, or ``"add"`` or
                ``"remove"`` tokens.
            allowed: The tokens to add or remove.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Returns:
            The complete list of allowed tokens after the change (empty for
            ``"disable"``).

        Raises:
            ValueError: Unknown action, or ``add``/``remove`` without tokens.
        """
        if action not in ("enable", "disable", "add", "remove"):
            raise ValueError(f"action must be enable, disable, add or remove, got {action!r}")
        body: dict[str, Any] = {
            "request": "allowed",
            "room": _check_id("room_id", room_id),
            "action": action,
        }
        if allowed is not None:
            if isinstance(allowed, str) or not isinstance(allowed, Iterable):
                raise TypeError(f"allowed must be a list of str, got {type(allowed).__name__}")
            tokens = list(allowed)
            if not all(isinstance(t, str) for t in tokens):
                raise TypeError("allowed must hold only str tokens")
            body["allowed"] = tokens
        elif action in ("add", "remove"):
            raise ValueError(f"action {action!r} needs the allowed tokens")
        _put(body, secret=(secret, str))
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        tokens_now = data.get("allowed")
        return [t for t in tokens_now if isinstance(t, str)] if isinstance(tokens_now, list) else []

    async def kick_participant(
        self,
        room_id: RoomId,
        participant_id: RoomId,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Kick a participant out of a room (``kick``).

        The participant gets a ``leaving`` event with ``reason == "kicked"``, the
        others a ``kicked`` event. It may join again unless removed from the
        room's `allowed` tokens.

        Raises:
            VideoRoomError: 433 wrong secret, 428 no such participant, ...
        """
        body: dict[str, Any] = {
            "request": "kick",
            "room": _check_id("room_id", room_id),
            "id": _check_id("participant_id", participant_id),
        }
        _put(body, secret=(secret, str))
        _check_timeout(timeout)
        await self.request(body, timeout=timeout)

    async def moderate_participant(
        self,
        room_id: RoomId,
        participant_id: RoomId,
        mid: str,
        mute: bool,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Mute or unmute a publisher's stream as a moderator (``moderate``).

        The room's publishers get a ``moderation`` event; the stream shows
        ``moderated`` in later publisher lists.

        Args:
            room_id: The room.
            participant_id: The publisher.
            mid: The publisher's stream to mute or unmute.
            mute: Mute (True) or lift the moderation (False).
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.
        """
        if not isinstance(mid, str):
            raise TypeError(f"mid must be str, got {type(mid).__name__}")
        if not isinstance(mute, bool):
            raise TypeError(f"mute must be bool, got {type(mute).__name__}")
        body: dict[str, Any] = {
            "request": "moderate",
            "room": _check_id("room_id", room_id),
            "id": _check_id("participant_id", participant_id),
            "mid": mid,
            "mute": mute,
        }
        _put(body, secret=(secret, str))
        _check_timeout(timeout)
        await self.request(body, timeout=timeout)

    async def enable_recording(
        self,
        room_id: RoomId,
        record: bool = True,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> bool:
        """Start or stop recording every publisher of a room (``enable_recording``).

        Returns:
            The room's recording state after the change.
        """
        if not isinstance(record, bool):
            raise TypeError(f"record must be bool, got {type(record).__name__}")
        body: dict[str, Any] = {
            "request": "enable_recording",
            "room": _check_id("room_id", room_id),
            "record": record,
        }
        _put(body, secret=(secret, str))
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        return data.get("record", record) is True

    async def list_forwarders(
        self, room_id: RoomId, secret: str | None = None, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Return a room's RTP forwarders (``listforwarders``).

        Returns:
            One dict per publisher with forwarders: ``publisher_id``, ``display``
            and ``forwarders`` (each with ``stream_id``, ``type``, ``host``,
            ``port``, ...).
        """
        body: dict[str, Any] = {"request": "listforwarders", "room": _check_id("room_id", room_id)}
        _put(body, secret=(secret, str))
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        found = data.get("publishers")
        return list(found) if isinstance(found, list) else []

    async def rtp_forward(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        streams: Iterable[Mapping[str, Any]],
        *,
        host: str | None = None,
        host_family: str | None = None,
        secret: str | None = None,
        admin_key: str | None = None,
        srtp_suite: int | None = None,
        srtp_crypto: str | None = None,
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        """Forward a publisher's streams as plain (or SRTP) RTP (``rtp_forward``).

        Args:
            room_id: The room.
            publisher_id: The publisher.
            streams: One dict per stream: ``mid`` and ``port``, optionally ``host``,
                ``ssrc``, ``pt``, ``rtcp_port``, simulcast ports, ...
            host: Where to send, for streams that do not say.
            host_family: ``"ipv4"`` or ``"ipv6"`` to resolve ``host``.
            secret: The room's secret, when it has one.
            admin_key: The plugin's ``admin_key``, when RTP forwarding needs it.
            srtp_suite: SRTP authentication tag length (32 or 80).
            srtp_crypto: The SRTP key (base64, as in SDES).
            timeout: Deadline in seconds.

        Returns:
            The new forwarders (``stream_id``, ``type``, ``host``, ``port``, ...):
            stop one with `stop_rtp_forward` and its ``stream_id``.

        Raises:
            ValueError: A stream without port or host.
        """
        items = _check_objects("streams", streams, required=("mid", "port"))
        for i, item in enumerate(items):
            port = item["port"]
            if isinstance(port, bool) or not isinstance(port, int):
                raise TypeError(f"streams[{i}]['port'] must be int, got {type(port).__name__}")
            if not 0 < port < 65536:
                raise ValueError(f"streams[{i}]['port'] must be 1..65535, got {port}")
            if host is None and "host" not in item:
                raise ValueError(f"streams[{i}] has no host, and no host= was given")
        body: dict[str, Any] = {
            "request": "rtp_forward",
            "room": _check_id("room_id", room_id),
            "publisher_id": _check_id("publisher_id", publisher_id),
            "streams": items,
        }
        _put(
            body,
            host=(host, str),
            host_family=(host_family, str),
            secret=(secret, str),
            admin_key=(admin_key, str),
            srtp_suite=(srtp_suite, int),
            srtp_crypto=(srtp_crypto, str),
        )
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        found = data.get("forwarders")
        return list(found) if isinstance(found, list) else []

    async def stop_rtp_forward(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        stream_id: int,
        secret: str | None = None,
        admin_key: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Stop an RTP forwarder (``stop_rtp_forward``).

        Raises:
            VideoRoomError: No such publisher or forwarder, wrong secret, ...
        """
        if isinstance(stream_id, bool) or not isinstance(stream_id, int):
            raise TypeError(f"stream_id must be int, got {type(stream_id).__name__}")
        body: dict[str, Any] = {
            "request": "stop_rtp_forward",
            "room": _check_id("room_id", room_id),
            "publisher_id": _check_id("publisher_id", publisher_id),
            "stream_id": stream_id,
        }
        _put(body, secret=(secret, str), admin_key=(admin_key, str))
        _check_timeout(timeout)
        await self.request(body, timeout=timeout)

    # ------------------------------------------------ sync: cascading (PR 3014)
    async def publish_remotely(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        remote_id: str,
        host: str,
        port: int,
        *,
        rtcp_port: int | None = None,
        host_family: str | None = None,
        secret: str | None = None,
        admin_key: str | None = None,
        timeout: float | None = None,
    ) -> str:
        """Send a local publisher's media to another Janus too (``publish_remotely``).

        Every stream of the publisher goes as plain RTP to ``host:port`` (told
        apart by SSRC), where the other instance's VideoRoom has a remote
        publisher for it (`add_remote_publisher`). With ``rtcp_port`` the other
        instance can ask for keyframes. `cascade_publisher` does both sides in one
        call.

        Args:
            room_id: The room of the publisher (on this instance).
            publisher_id: The publisher (a local one: remote publishers cannot be
                remotized again in Janus 1.1.2).
            remote_id: A name for this remotization, unique for the publisher
                (used by `unpublish_remotely`).
            host: The address of the other instance's remote publisher sockets.
            port: Its RTP port.
            rtcp_port: Its RTCP port, for keyframe requests.
            host_family: ``"ipv4"`` or ``"ipv6"`` to resolve ``host``.
            secret: The room's secret, when it has one.
            admin_key: The plugin's ``admin_key``, when RTP forwarding needs it.
            timeout: Deadline in seconds.

        Returns:
            The ``remote_id``.

        Raises:
            VideoRoomError: No such room (426) or publisher (428), a remote
                publisher (430: only local ones can be remotized), a ``remote_id``
                in use (436), a host Janus cannot resolve (430), wrong secret
                (433), ...
        """
        body: dict[str, Any] = {
            "request": "publish_remotely",
            "room": _check_id("room_id", room_id),
            "publisher_id": _check_id("publisher_id", publisher_id),
            "remote_id": _check_text("remote_id", remote_id),
            "host": _check_text("host", host),
            "port": _check_port("port", port),
        }
        if _check_port("rtcp_port", rtcp_port, optional=True) is not None:
            body["rtcp_port"] = rtcp_port
        if host_family is not None and host_family not in ("ipv4", "ipv6"):
            raise ValueError(f"host_family must be 'ipv4' or 'ipv6', got {host_family!r}")
        _put(body, host_family=(host_family, str), secret=(secret, str), admin_key=(admin_key, str))
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        found = data.get("remote_id")
        return found if isinstance(found, str) else remote_id

    async def unpublish_remotely(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        remote_id: str,
        *,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Stop sending a local publisher's media to another Janus (``unpublish_remotely``).

        The remote publisher on the other instance stays until
        `remove_remote_publisher` there; it just gets no more media.

        Raises:
            VideoRoomError: No such room (426), publisher or remotization (428), ...
        """
        body: dict[str, Any] = {
            "request": "unpublish_remotely",
            "room": _check_id("room_id", room_id),
            "publisher_id": _check_id("publisher_id", publisher_id),
            "remote_id": _check_text("remote_id", remote_id),
        }
        _put(body, secret=(secret, str))
        _check_timeout(timeout)
        await self.request(body, timeout=timeout)

    async def list_remotes(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        *,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> list[VideoRoomRemotization]:
        """Return where a local publisher is remotized (``listremotes``).

        Raises:
            VideoRoomError: No such room (426) or publisher (428), ...
        """
        body: dict[str, Any] = {
            "request": "listremotes",
            "room": _check_id("room_id", room_id),
            "publisher_id": _check_id("publisher_id", publisher_id),
        }
        _put(body, secret=(secret, str))
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        found = data.get("list")
        if not isinstance(found, list):
            return []
        return [VideoRoomRemotization.from_dict(r) for r in found if isinstance(r, Mapping)]

    async def add_remote_publisher(
        self,
        room_id: RoomId,
        streams: Iterable[VideoRoomStream | Mapping[str, Any]],
        *,
        publisher_id: RoomId | None = None,
        display: str | None = None,
        iface: str | None = None,
        port: int | None = None,
        rtcp_port: int | None = None,
        mcast: str | None = None,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> VideoRoomRemotePublisher:
        """Show a publisher of another Janus in a room here (``add_remote_publisher``).

        Janus opens a UDP socket for its RTP and one for RTCP and starts relaying
        what arrives there to subscribers, as for a local publisher. The other
        instance sends there with `publish_remotely`.

        Args:
            room_id: The room (on this instance).
            streams: The source publisher's streams (see `remote_streams`):
                `VideoRoomStream` objects or dicts with ``mid``, ``mindex``,
                ``type`` and ``codec``.
            publisher_id: The id to give it (default: Janus picks one). Using the
                source publisher's id keeps ids the same on both instances.
            display: Its display name.
            iface: The local address to bind the sockets to (default: every
                interface). Give one: Janus then reports it as `ip`.
            port: The RTP port (default: Janus picks one in 10000-60000).
            rtcp_port: The RTCP port (default: Janus picks one).
            mcast: A multicast group to join instead.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Returns:
            Its id and where to send its media.

        Raises:
            VideoRoomError: No such room (426), id in use (436), an unknown
                ``iface`` or a port in use (499), wrong secret (433), ...
        """
        body: dict[str, Any] = {
            "request": "add_remote_publisher",
            "room": _check_id("room_id", room_id),
            "streams": remote_streams(streams),
        }
        if publisher_id is not None:
            body["id"] = _check_id("publisher_id", publisher_id)
        for name, value in (("port", port), ("rtcp_port", rtcp_port)):
            if _check_port(name, value, optional=True) is not None:
                body[name] = value
        _put(body, display=(display, str), iface=(iface, str), mcast=(mcast, str))
        _put(body, secret=(secret, str))
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        pid = _id(data.get("id"))
        got_port = _opt_i(data.get("port"))
        if pid is None or got_port is None:
            raise VideoRoomError(
                "add_remote_publisher: Janus replied without the publisher's id or port",
                plugin=_PLUGIN,
                request="add_remote_publisher",
            )
        return VideoRoomRemotePublisher(
            room=_id(data.get("room")) or room_id,
            id=pid,
            ip=_opt_s(data.get("ip")),
            port=got_port,
            rtcp_port=_opt_i(data.get("rtcp_port")),
            raw=dict(data),
        )

    async def update_remote_publisher(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        streams: Iterable[VideoRoomStream | Mapping[str, Any]],
        *,
        display: str | None = None,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Change a remote publisher's streams or display (``update_remote_publisher``).

        A stream whose ``mid`` exists gets the new ``description`` and
        ``disabled``; other streams are added (at the next ``mindex``). When
        something changed, the room's participants get a ``publishers`` event.

        Args:
            room_id: The room (on this instance).
            publisher_id: The remote publisher.
            streams: Streams as for `add_remote_publisher` (any mindexes here).
            display: A new display name.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Raises:
            VideoRoomError: No such room (426) or remote publisher (428), ...
        """
        checked = [
            _remote_stream(f"streams[{i}]", item)
            for i, item in enumerate(_stream_list("streams", streams))
        ]
        if not checked:
            raise ValueError("streams must not be empty")
        body: dict[str, Any] = {
            "request": "update_remote_publisher",
            "room": _check_id("room_id", room_id),
            "id": _check_id("publisher_id", publisher_id),
            "streams": checked,
        }
        _put(body, display=(display, str), secret=(secret, str))
        _check_timeout(timeout)
        await self.request(body, timeout=timeout)

    async def remove_remote_publisher(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        *,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Remove a remote publisher from a room (``remove_remote_publisher``).

        Its sockets close; its subscribers get an offer without its streams and
        the room's participants see it leave (``unpublished`` / ``leaving``).

        Raises:
            VideoRoomError: No such room (426) or remote publisher (428), ...
        """
        body: dict[str, Any] = {
            "request": "remove_remote_publisher",
            "room": _check_id("room_id", room_id),
            "id": _check_id("publisher_id", publisher_id),
        }
        _put(body, secret=(secret, str))
        _check_timeout(timeout)
        await self.request(body, timeout=timeout)

    # ---------------------------------------------------------- publishers
    def _joined(self, data: Mapping[str, Any], room_id: RoomId, display: str | None) -> None:
        event = VideoRoomEvent.from_data(data, plugin=self.plugin_name)
        self._ptype = ParticipantType.PUBLISHER
        self._room = event.room if event.room is not None else room_id
        self._publisher_id = event.id
        self._private_id = event.private_id
        self._display = display
        self._publishers = {p.id: p for p in event.publishers}

    def _join_body(
        self,
        room_id: RoomId,
        publisher_id: RoomId | None,
        display: str | None,
        token: str | None,
        pin: str | None,
        request: str = "join",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "request": request,
            "ptype": "publisher",
            "room": _check_id("room_id", room_id),
        }
        if publisher_id is not None:
            body["id"] = _check_id("publisher_id", publisher_id)
        return _put(body, display=(display, str), token=(token, str), pin=(pin, str))

    async def join_as_publisher(
        self,
        room_id: RoomId,
        publisher_id: RoomId | None = None,
        display: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        *,
        pin: str | None = None,
    ) -> dict[str, Any]:
        """Join a room as a participant that may publish (``join``, ``ptype: publisher``).

        Joining does not publish anything yet (see `publish`), but the handle then
        receives the room's events.

        Args:
            room_id: The room.
            publisher_id: The id to take in the room; Janus picks one when None.
            display: Our display name.
            token: An invitation token, when the room checks them (`allowed`).
            timeout: Deadline in seconds.
            pin: The room's PIN, when it has one.

        Returns:
            The plugin's ``joined`` data: ``room``, ``description``, ``id``,
            ``private_id``, ``publishers`` (see also the properties `publisher_id`,
            `private_id` and `publishers`).

        Raises:
            VideoRoomStateError: This handle already joined.
            VideoRoomError: 426 no such room, 433 wrong PIN or token, 436 the id is
                taken, ...
        """
        body = self._join_body(room_id, publisher_id, display, token, pin)
        _check_timeout(timeout)
        self._require_free("join as a publisher")
        reply = await self.message(body, timeout=timeout)
        self._joined(reply.data, room_id, display)
        await self._echo(reply)
        return reply.data

    async def _offer_media(
        self,
        body: dict[str, Any],
        *,
        player: Any,
        tracks: Iterable[MediaStreamTrack] | None,
        audio: bool,
        video: bool,
        data: bool,
        timeout: float | None,
    ) -> PluginResponse:
        """Create our peer connection, send ``body`` with its offer, apply the answer."""
        webrtc = load_webrtc()
        pc = await self._new_pc()
        try:
            if tracks is not None:
                for track in tracks:
                    pc.add_track(track)
            elif player is not None:
                pc.add_player(player)
            else:
                if audio:
                    pc.add_track(webrtc.ToneAudioTrack())
                if video:
                    pc.add_track(webrtc.FrameCounterVideoTrack())
            if data:
                pc.create_data_channel("JanusDataChannel")
            offer = await pc.create_offer()
            reply = await self.message(body, offer, timeout=timeout)
            if reply.jsep is None or reply.jsep.get("type") != "answer":
                raise VideoRoomError(
                    f"the VideoRoom answered {body['request']!r} without a JSEP answer",
                    plugin=self.plugin_name,
                    request=str(body["request"]),
                    data=reply.data,
                )
            await pc.apply(reply.jsep)
        except BaseException:
            await self._close_pc()
            raise
        return reply

    @staticmethod
    def _publish_settings(
        *,
        audiocodec: str | None,
        videocodec: str | None,
        bitrate: int | None,
        record: bool | None,
        filename: str | None,
        display: str | None,
        descriptions: Iterable[Mapping[str, str]] | None,
        audio_level_average: int | None,
        audio_active_packets: int | None,
        media: tuple[bool, bool, bool],
    ) -> dict[str, Any]:
        for key, value in zip(("audio", "video", "data"), media, strict=True):
            if not isinstance(value, bool):
                raise TypeError(f"{key} must be bool, got {type(value).__name__}")
        body = _put(
            {},
            audiocodec=(audiocodec, str),
            videocodec=(videocodec, str),
            bitrate=(bitrate, int),
            record=(record, bool),
            filename=(filename, str),
            display=(display, str),
            audio_level_average=(audio_level_average, int),
            audio_active_packets=(audio_active_packets, int),
        )
        if descriptions is not None:
            items = _check_objects(
                "descriptions", descriptions, required=("mid", "description"), empty_ok=True
            )
            if items:
                body["descriptions"] = items
        return body

    async def publish(
        self,
        player: MediaPlayer | None = None,
        audiocodec: str | None = None,
        videocodec: str | None = None,
        bitrate: int | None = None,
        record: bool | None = None,
        filename: str | None = None,
        descriptions: Iterable[Mapping[str, str]] | None = None,
        trickle: bool = False,
        timeout: float | None = None,
        *,
        tracks: Iterable[MediaStreamTrack] | None = None,
        audio: bool = True,
        video: bool = True,
        data: bool = False,
        display: str | None = None,
        audio_level_average: int | None = None,
        audio_active_packets: int | None = None,
    ) -> dict[str, Any]:
        """Publish media in the room (``publish`` with our offer); apply Janus' answer.

        Media comes from ``tracks`` if given, else from ``player`` (a `MediaPlayer`
        or anything with ``audio``/``video`` tracks), else from synthetic sources (a
        tone and a 640x480 frame counter video, as ``audio``/``video`` say). The
        other participants get a ``publishers`` event once the peer connection is
        up (see `wait_webrtcup`).

        Args:
            player: A media player (0.9.x).
            audiocodec: The audio codec to prefer among the negotiated ones.
            videocodec: The video codec to prefer.
            bitrate: The bitrate cap Janus asks us to respect (REMB, bit/s).
            record: Record this publisher on the server.
            filename: Base name of the recording files (Janus adds
                ``-audio-<mindex>.mjr``, ...). In a room with a ``rec_dir`` it is
                relative to that folder (an absolute path then fails, on the
                server only); otherwise absolute, or relative to Janus' working
                directory.
            descriptions: ``[{"mid": ..., "description": ...}]`` texts for streams.
            trickle: Ignored: offers carry every candidate (0.9.x argument).
            timeout: Deadline in seconds.
            tracks: aiortc tracks to send (they stop when the connection closes).
            audio: With no tracks nor player: send a tone.
            video: With no tracks nor player: send a frame counter video.
            data: Also open a data channel.
            display: A new display name.
            audio_level_average: This publisher's audio level threshold.
            audio_active_packets: This publisher's audio level packet count.

        Returns:
            The plugin's ``configured`` data (``streams``, codecs, ...).

        Raises:
            VideoRoomStateError: Not joined as a publisher.
            VideoRoomError: The plugin refused (434 already published, ...).
            MediaUnavailableError: The ``media`` extra is not installed.
        """
        body = self._publish_settings(
            audiocodec=audiocodec,
            videocodec=videocodec,
            bitrate=bitrate,
            record=record,
            filename=filename,
            display=display,
            descriptions=descriptions,
            audio_level_average=audio_level_average,
            audio_active_packets=audio_active_packets,
            media=(audio, video, data),
        )
        _check("trickle", trickle, bool)
        _check_timeout(timeout)
        self._require(ParticipantType.PUBLISHER, "publish")
        reply = await self._offer_media(
            {"request": "publish", **body},
            player=player,
            tracks=tracks,
            audio=audio,
            video=video,
            data=data,
            timeout=timeout,
        )
        self._publishing = True
        if display is not None:
            self._display = display
        await self._echo(reply)
        return reply.data

    async def join_and_configure(
        self,
        room_id: RoomId,
        player: MediaPlayer | None = None,
        *,
        tracks: Iterable[MediaStreamTrack] | None = None,
        audio: bool = True,
        video: bool = True,
        data: bool = False,
        publisher_id: RoomId | None = None,
        display: str | None = None,
        token: str | None = None,
        pin: str | None = None,
        audiocodec: str | None = None,
        videocodec: str | None = None,
        bitrate: int | None = None,
        record: bool | None = None,
        filename: str | None = None,
        descriptions: Iterable[Mapping[str, str]] | None = None,
        timeout: float | None = None,
    ) -> VideoRoomEvent:
        """Join a room and publish at once (``joinandconfigure`` with our offer).

        The arguments are those of `join_as_publisher` and `publish`.

        Returns:
            The ``joined`` event (its JSEP answer already applied).

        Raises:
            VideoRoomStateError: This handle already joined.
            VideoRoomError: The plugin refused.
        """
        body = self._join_body(room_id, publisher_id, display, token, pin, "joinandconfigure")
        body.update(
            self._publish_settings(
                audiocodec=audiocodec,
                videocodec=videocodec,
                bitrate=bitrate,
                record=record,
                filename=filename,
                display=None,
                descriptions=descriptions,
                audio_level_average=None,
                audio_active_packets=None,
                media=(audio, video, data),
            )
        )
        _check_timeout(timeout)
        self._require_free("join and publish")
        reply = await self._offer_media(
            body,
            player=player,
            tracks=tracks,
            audio=audio,
            video=video,
            data=data,
            timeout=timeout,
        )
        self._joined(reply.data, room_id, display)
        self._publishing = True
        return await self._echo(reply)

    async def unpublish(self, timeout: float | None = None) -> None:
        """Stop publishing (``unpublish``) and close our peer connection.

        We stay in the room and may `publish` again.

        Raises:
            VideoRoomStateError: Not joined as a publisher.
            VideoRoomError: 435 when not publishing.
        """
        _check_timeout(timeout)
        self._require(ParticipantType.PUBLISHER, "unpublish")
        reply = await self.message({"request": "unpublish"}, timeout=timeout)
        self._publishing = False
        await self._close_pc()
        await self._echo(reply)

    async def configure(
        self,
        bitrate: int | None = None,
        keyframe: bool = False,
        record: bool | None = None,
        filename: str | None = None,
        display: str | None = None,
        streams: Iterable[Mapping[str, Any]] | None = None,
        descriptions: Iterable[Mapping[str, str]] | None = None,
        timeout: float | None = None,
        *,
        audio_active_packets: int | None = None,
        audio_level_average: int | None = None,
        restart: bool | None = None,
    ) -> VideoRoomEvent:
        """Change our publisher or subscriber settings (``configure``).

        Publishers: ``bitrate``, ``keyframe``, ``record``/``filename`` (as in
        `publish`), ``display``,
        ``descriptions`` and per-stream ``streams`` (``mid`` with ``send``,
        ``keyframe``, ``min_delay``, ``max_delay``). Subscribers: ``streams``
        (``mid`` with ``send``, ``substream``, ``temporal``, ``spatial_layer``, ...)
        and ``restart`` (an ICE restart: Janus sends a new offer, answered here).

        Returns:
            The ``configured`` event.

        Raises:
            VideoRoomStateError: Not in a room.
        """
        body: dict[str, Any] = {"request": "configure"}
        _put(
            body,
            bitrate=(bitrate, int),
            record=(record, bool),
            filename=(filename, str),
            display=(display, str),
            audio_active_packets=(audio_active_packets, int),
            audio_level_average=(audio_level_average, int),
            restart=(restart, bool),
        )
        if _check("keyframe", keyframe, bool):
            body["keyframe"] = True
        if streams is not None:
            body["streams"] = _check_objects("streams", streams, required=("mid",))
        if descriptions is not None:
            body["descriptions"] = _check_objects(
                "descriptions", descriptions, required=("mid", "description"), empty_ok=True
            )
        _check_timeout(timeout)
        self._require(None, "configure")
        reply = await self.message(body, timeout=timeout)
        if display is not None:
            self._display = display
        if reply.jsep is not None and reply.jsep.get("type") == "offer":
            await self._answer_offer(reply.jsep, timeout=timeout)
        return await self._echo(reply)

    # ---------------------------------------------------------- subscribers
    async def join_as_subscriber(
        self,
        room_id: RoomId,
        streams: Iterable[Mapping[str, Any]],
        *,
        private_id: int | None = None,
        use_msid: bool = False,
        autoupdate: bool = True,
        pin: str | None = None,
        record_to: str | MediaRecorder | None = None,
        read_counters: bool = False,
        timeout: float | None = None,
    ) -> VideoRoomEvent:
        """Subscribe to streams of publishers (``join``, ``ptype: subscriber``).

        Janus answers with an ``attached`` event and its offer; this method creates
        the peer connection, answers, and sends the answer with ``start``. The
        media is then counted in ``pc.stats_by_mid`` (per subscription mid), or
        recorded to ``record_to``.

        Args:
            room_id: The room.
            streams: What to receive: ``[{"feed": publisher_id}]`` for all the
                publisher's streams, ``{"feed": id, "mid": "1"}`` for one; items may
                also carry ``crossrefid`` and simulcast/SVC targets.
            private_id: Our publisher handle's private id (rooms with
                ``require_pvtid``).
            use_msid: Have the offer's msid name the publisher.
            autoupdate: Let Janus renegotiate when a subscribed publisher leaves.
            pin: The room's PIN, when it has one.
            record_to: A file path or `MediaRecorder` for the received media.
            read_counters: Decode `FrameCounterVideoTrack` numbers from the video.
            timeout: Deadline in seconds for each of the two requests.

        Returns:
            The ``attached`` event; `streams` holds the subscription's layout.

        Raises:
            VideoRoomStateError: This handle already joined.
            VideoRoomError: 426 no such room, 428 no such feed, ...
        """
        body: dict[str, Any] = {
            "request": "join",
            "ptype": "subscriber",
            "room": _check_id("room_id", room_id),
            "streams": _check_objects("streams", streams, required=("feed",)),
            "use_msid": _check("use_msid", use_msid, bool),
            "autoupdate": _check("autoupdate", autoupdate, bool),
        }
        _put(body, private_id=(private_id, int), pin=(pin, str))
        _check("read_counters", read_counters, bool)
        if (
            record_to is not None
            and not isinstance(record_to, str)
            and not callable(getattr(record_to, "addTrack", None))
        ):
            raise TypeError(
                f"record_to must be a path or a MediaRecorder, got {type(record_to).__name__}"
            )
        _check_timeout(timeout)
        self._require_free("subscribe")
        reply = await self.message(body, timeout=timeout)
        event = self._event(reply)
        self._ptype = ParticipantType.SUBSCRIBER
        self._room = event.room if event.room is not None else room_id
        self._record_to = record_to
        self._read_counters = read_counters
        if event.streams is not None:
            self._streams = event.streams
        if reply.jsep is not None:
            try:
                await self._answer_offer(reply.jsep, timeout=timeout)
            except BaseException:
                await self._close_pc()
                raise
        return await self._echo(reply, event)

    async def subscribe_to_publisher(
        self,
        room_id: RoomId,
        streams: RoomId | Iterable[Mapping[str, Any]],
        recorder: MediaRecorder | None = None,
        private_id: int | None = None,
        use_msid: bool = False,
        autoupdate: bool = True,
        trickle: bool = False,
        timeout: float | None = None,
        *,
        pin: str | None = None,
        read_counters: bool = False,
    ) -> dict[str, Any]:
        """Subscribe to publishers, 0.9.x style (see `join_as_subscriber`).

        Args:
            room_id: The room.
            streams: ``[{"feed": id[, "mid": ...]}, ...]``, or just a publisher id
                for all its streams.
            recorder: A `MediaRecorder` for the received media.
            private_id: Our publisher handle's private id.
            use_msid: Have the offer's msid name the publisher.
            autoupdate: Let Janus renegotiate when a subscribed publisher leaves.
            trickle: Ignored: answers carry every candidate.
            timeout: Deadline in seconds.
            pin: The room's PIN, when it has one.
            read_counters: Decode `FrameCounterVideoTrack` numbers from the video.

        Returns:
            The plugin's ``attached`` data.
        """
        if isinstance(streams, (int, str)) and not isinstance(streams, bool):
            items: Iterable[Mapping[str, Any]] = [{"feed": _check_id("streams", streams)}]
        else:
            items = streams  # type: ignore[assignment]
        _check("trickle", trickle, bool)
        event = await self.join_as_subscriber(
            room_id,
            items,
            private_id=private_id,
            use_msid=use_msid,
            autoupdate=autoupdate,
            pin=pin,
            record_to=recorder,
            read_counters=read_counters,
            timeout=timeout,
        )
        return event.data

    async def start(
        self,
        trickle: bool = False,
        timeout: float | None = None,
        *,
        answer: Mapping[str, Any] | None = None,
    ) -> VideoRoomEvent:
        """Start (or resume after `pause`) the media of our subscription (``start``).

        The answers to Janus' offers are sent by this class already (with
        ``start``); call this to resume a paused subscription, or give ``answer``
        to send an answer you made yourself.

        Args:
            trickle: Ignored (0.9.x argument).
            timeout: Deadline in seconds.
            answer: A JSEP answer to send with the request.

        Returns:
            The ``started`` event.

        Raises:
            VideoRoomStateError: Not a subscriber.
        """
        _check("trickle", trickle, bool)
        if answer is not None and (
            not isinstance(answer, Mapping) or answer.get("type") != "answer"
        ):
            raise ValueError("answer must be a JSEP answer ({'type': 'answer', 'sdp': ...})")
        _check_timeout(timeout)
        self._require(ParticipantType.SUBSCRIBER, "start")
        reply = await self.message({"request": "start"}, answer, timeout=timeout)
        return await self._echo(reply)

    async def pause(self, timeout: float | None = None) -> VideoRoomEvent:
        """Pause the media of our subscription (``pause``); `start` resumes it.

        Returns:
            The ``paused`` event.
        """
        _check_timeout(timeout)
        self._require(ParticipantType.SUBSCRIBER, "pause")
        reply = await self.message({"request": "pause"}, timeout=timeout)
        return await self._echo(reply)

    async def _update(self, body: dict[str, Any], timeout: float | None) -> VideoRoomEvent:
        _check_timeout(timeout)
        self._require(ParticipantType.SUBSCRIBER, str(body["request"]))
        reply = await self.message(body, timeout=timeout)
        event = self._event(reply)
        if event.streams is not None:
            self._streams = event.streams
        if reply.jsep is not None:
            await self._answer_offer(reply.jsep, timeout=timeout)
        return await self._echo(reply, event)

    async def subscribe(
        self, streams: Iterable[Mapping[str, Any]], timeout: float | None = None
    ) -> VideoRoomEvent:
        """Add streams to our subscription (``subscribe``), on the same peer connection.

        Janus' new offer is answered here. When Janus is still busy with a previous
        update it answers ``updating`` and sends the offer later, in an ``updated``
        event: that one is answered automatically too.

        Args:
            streams: ``[{"feed": id[, "mid": ...]}, ...]`` as for `join_as_subscriber`.
            timeout: Deadline in seconds.

        Returns:
            The ``updated`` (or ``updating``) event.
        """
        items = _check_objects("streams", streams, required=("feed",))
        return await self._update({"request": "subscribe", "streams": items}, timeout)

    async def unsubscribe(
        self, streams: Iterable[Mapping[str, Any]], timeout: float | None = None
    ) -> VideoRoomEvent:
        """Remove streams from our subscription (``unsubscribe``); renegotiates like `subscribe`.

        Args:
            streams: Items with ``feed`` (all its streams), ``feed`` and ``mid`` (one
                publisher stream) or ``sub_mid`` (one m-line of our subscription).
            timeout: Deadline in seconds.

        Returns:
            The ``updated`` (or ``updating``) event.
        """
        items = _check_objects("streams", streams, any_of=("feed", "sub_mid"))
        return await self._update({"request": "unsubscribe", "streams": items}, timeout)

    async def update_subscription(
        self,
        subscribe: Iterable[Mapping[str, Any]] | None = None,
        unsubscribe: Iterable[Mapping[str, Any]] | None = None,
        *,
        timeout: float | None = None,
    ) -> VideoRoomEvent:
        """Add and remove streams in one renegotiation (``update``).

        Args:
            subscribe: Streams to add, as for `subscribe`.
            unsubscribe: Streams to remove, as for `unsubscribe`.
            timeout: Deadline in seconds.

        Returns:
            The ``updated`` (or ``updating``) event.

        Raises:
            ValueError: Neither list given.
        """
        body: dict[str, Any] = {"request": "update"}
        if subscribe is not None:
            body["subscribe"] = _check_objects(
                "subscribe", subscribe, required=("feed",), empty_ok=True
            )
        if unsubscribe is not None:
            body["unsubscribe"] = _check_objects(
                "unsubscribe", unsubscribe, any_of=("feed", "sub_mid"), empty_ok=True
            )
        if not body.get("subscribe") and not body.get("unsubscribe"):
            raise ValueError("update_subscription needs streams to subscribe or unsubscribe")
        return await self._update(body, timeout)

    async def switch_publisher(
        self, streams: Iterable[Mapping[str, Any]], timeout: float | None = None
    ) -> VideoRoomEvent:
        """Feed m-lines of our subscription from other publishers (``switch``).

        No renegotiation: the new source must use the same codec.

        Args:
            streams: ``[{"feed": new_publisher, "mid": its_mid, "sub_mid": our_mid}]``.
            timeout: Deadline in seconds.

        Returns:
            The ``switched`` event (``changes``, and the new `streams`).
        """
        items = _check_objects("streams", streams, required=("feed", "mid", "sub_mid"))
        return await self._update({"request": "switch", "streams": items}, timeout)

    # ----------------------------------------------------------------- both
    async def leave(self, timeout: float | None = None) -> None:
        """Leave the room (``leave``): unpublish and close our peer connection.

        For a subscriber this ends the subscription. The handle stays attached and
        may join again.
        """
        _check_timeout(timeout)
        self.handle  # noqa: B018
        try:
            reply = await self.message({"request": "leave"}, timeout=timeout)
        finally:
            await self._close_pc()
            self._reset()
        await self._echo(reply)

    # ---------------------------------------------------------- negotiation
    async def _subscriber_pc(self) -> JanusPeerConnection:
        pc = self._pc
        if pc is not None and not pc.closed:
            return pc
        if not self.attached:
            raise InvalidStateError(f"{type(self).__name__} is not attached to a session")
        return await self._new_pc(record_to=self._record_to, read_counters=self._read_counters)

    async def _answer_offer(
        self, offer: Mapping[str, Any], *, timeout: float | None
    ) -> VideoRoomEvent:
        """Answer an offer of Janus on our (new if needed) peer connection, with ``start``."""
        async with self._negotiating:
            try:
                pc = await self._subscriber_pc()
                answer = await pc.apply(offer)
                if answer is None:  # pragma: no cover - callers pass offers only
                    raise ValueError("expected an offer from Janus")
                reply = await self.message({"request": "start"}, answer, timeout=timeout)
            except BaseException:
                if not self.attached:
                    await self._close_pc()
                raise
            if not self.attached:  # the handle closed meanwhile: do not leak the pc
                await self._close_pc()
        return await self._echo(reply)

    def _answer_body(self, event: PluginEvent) -> dict[str, Any]:
        return {"request": "start"}

    async def _handle_jsep(self, event: PluginEvent, jsep: Mapping[str, Any]) -> None:
        if jsep.get("type") != "offer" or self._ptype is not ParticipantType.SUBSCRIBER:
            await super()._handle_jsep(event, jsep)
            return
        try:
            await self._answer_offer(jsep, timeout=None)
        except JanusError as exc:
            if self.attached:
                logger.warning("VideoRoom: answering Janus' new offer failed: %s", exc)
        except ValueError as exc:
            logger.warning("VideoRoom: Janus' new offer is unusable: %s", exc)

    # ---------------------------------------------------------------- events
    def _event(self, reply: PluginResponse) -> VideoRoomEvent:
        common: dict[str, Any] = {"plugin": reply.plugin or self.plugin_name, "raw": reply.raw}
        if self._handle is not None:
            common["session_id"] = self._handle.session.session_id
            common["handle_id"] = self._handle.handle_id
        return VideoRoomEvent.from_data(reply.data, reply.jsep, **common)

    async def _echo(
        self, reply: PluginResponse, event: VideoRoomEvent | None = None
    ) -> VideoRoomEvent:
        """Run the 0.9.x handlers on a reply event (0.9.x did); return the typed event."""
        if event is None:
            event = self._event(reply)
        if reply.kind != "event":
            return event
        for event_type, handler in list(self._callbacks):
            if not isinstance(event_type, VideoRoomEventType):
                continue
            if not self._matches(event_type, event):
                continue
            try:
                result = handler(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("VideoRoom event handler %r raised", handler)
        return event

    def events(self, *types: type[JanusEvent]) -> EventStream[JanusEvent]:
        """Async iterator over this plugin's events (optionally of the given classes).

        VideoRoom events come as `VideoRoomEvent`, after this object has acted on
        them (state updated, offers answered):

        ```python
        async for event in plugin.events(VideoRoomEvent):
            if event.type is VideoRoomEventType.PUBLISHERS: ...
        ```

        Raises:
            InvalidStateError: Not attached.
        """
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        hub = self._hub
        if hub is None:  # pragma: no cover - set by attach
            hub = self._hub = EventDispatcher("videoroom")
        return hub.stream(types)

    def on_event(self, event_type: Any, handler: Callback | None = None) -> None:
        """Register a callback, for every event or for one kind.

        * ``on_event(handler)``: every event (typed as in `events`).
        * ``on_event(VideoRoomEvent, handler)`` (or any event class): those events.
        * ``on_event(VideoRoomEventType.PUBLISHERS, handler)`` (or the string
          ``"publishers"``): as in janus-client 0.9.x, ``handler`` gets the event's
          plugin data dict, for events and for replies to our requests.

        Handlers may be coroutine functions; an exception they raise is logged.

        Raises:
            ValueError: A string that names no VideoRoom event type.
            TypeError: ``handler`` is not callable.
        """
        if handler is None or event_type is None or isinstance(event_type, type):
            super().on_event(event_type, handler)
            return
        if isinstance(event_type, str) and not isinstance(event_type, VideoRoomEventType):
            try:
                event_type = VideoRoomEventType(event_type)
            except ValueError:
                raise ValueError(f"unknown VideoRoom event type {event_type!r}") from None
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {handler!r}")
        if isinstance(event_type, VideoRoomEventType):
            super().on_event(event_type, _DataHandler(handler))
            return
        super().on_event(event_type, handler)

    def _matches(self, event_type: Any, event: JanusEvent) -> bool:
        if isinstance(event_type, VideoRoomEventType):
            return isinstance(event, VideoRoomEvent) and event.type is event_type
        return super()._matches(event_type, event)

    async def _dispatch(self, event: JanusEvent) -> None:
        if isinstance(event, PluginEvent) and not isinstance(event, VideoRoomEvent):
            event = VideoRoomEvent.from_plugin_event(event) or event
        await super()._dispatch(event)

    async def _process_event(self, event: JanusEvent) -> None:
        try:
            if isinstance(event, VideoRoomEvent):
                await self._track_room(event)
            elif isinstance(event, HangupEvent):
                self._publishing = False
            await super()._process_event(event)
        finally:
            hub = self._hub
            if hub is not None:
                hub.publish(event)

    async def _track_room(self, event: VideoRoomEvent) -> None:
        """Keep the room state (publishers, subscription streams, ...) up to date."""
        kind = event.type
        known = self._publishers
        if kind is VideoRoomEventType.PUBLISHERS:
            for publisher in event.publishers:
                known[publisher.id] = publisher
        elif kind in (
            VideoRoomEventType.UNPUBLISHED,
            VideoRoomEventType.LEAVING,
            VideoRoomEventType.KICKED,
        ):
            if event.id is not None:
                known.pop(event.id, None)
            elif kind is VideoRoomEventType.LEAVING and event.reason == "kicked":
                logger.info("VideoRoom: kicked out of room %s", self._room)
                await self._close_pc()
                self._reset()
        elif kind is VideoRoomEventType.DESTROYED:
            await self._close_pc()
            self._reset()
        elif kind is VideoRoomEventType.DISPLAY and event.id in known:
            assert event.id is not None
            known[event.id] = dataclasses.replace(known[event.id], display=event.display)
        elif kind is VideoRoomEventType.MODERATION and event.id in known and event.mid:
            assert event.id is not None
            publisher = known[event.id]
            streams = tuple(
                dataclasses.replace(s, moderated=bool(event.muted)) if s.mid == event.mid else s
                for s in publisher.streams
            )
            known[event.id] = dataclasses.replace(publisher, streams=streams)
        elif event.streams is not None and kind in (
            VideoRoomEventType.ATTACHED,
            VideoRoomEventType.UPDATED,
            VideoRoomEventType.SWITCHED,
        ):
            self._streams = event.streams
