"""VideoRoom errors, typed events and data types (streams, publishers, remotes)."""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...errors import CompatPluginError, InvalidStateError
from ...events import PluginEvent, plugin_event_fields, plugin_event_type, read_fields
from ...validate import (
    RoomId,
    enforce_id,
    enforce_objects,
    opt_id,
    opt_int,
    opt_objects,
    opt_str,
)

__all__ = [
    "ParticipantType",
    "VideoRoomError",
    "VideoRoomEvent",
    "VideoRoomEventType",
    "VideoRoomForwarder",
    "VideoRoomForwarders",
    "VideoRoomPublisher",
    "VideoRoomRemotePublisher",
    "VideoRoomRemotization",
    "VideoRoomStateError",
    "VideoRoomStream",
    "remote_streams",
]

logger = logging.getLogger("janus_client")

_PLUGIN = "janus.plugin.videoroom"


_ID_KEYS = ("room", "new_room", "id", "feed", "publisher_id", "secret_room")


def _check_ids(body: Mapping[str, Any], string_ids: bool) -> None:
    """Refuse room and participant ids that Janus would reject with error 430."""
    for key in _ID_KEYS:
        if body.get(key) is not None:
            enforce_id(body[key], name=key, string_ids=string_ids)


#: The id keys and the string keys `_check_objects` checks in stream and feed lists.
_OBJECT_IDS = ("feed", "publisher_id")
_OBJECT_STRINGS = ("mid", "sub_mid", "host", "description")


def _check_objects(
    name: str,
    value: object,
    *,
    required: Sequence[str] = (),
    any_of: Sequence[str] = (),
    empty_ok: bool = False,
) -> list[dict[str, Any]]:
    """Check a list of stream-like objects and return plain copies."""
    return enforce_objects(
        value,
        name=name,
        required=required,
        any_of=any_of,
        ids=_OBJECT_IDS,
        strings=_OBJECT_STRINGS,
        empty_ok=empty_ok,
    )


# ------------------------------------------------------------------------ errors
class VideoRoomError(CompatPluginError):
    """An error reported by the VideoRoom plugin (``JANUS_VIDEOROOM_ERROR_*``).

    Errors Janus reports carry its code (`code`, `code_name`). Requests refused
    before reaching Janus because of this object's state raise `VideoRoomStateError`,
    a subclass, with code ``-1`` as janus-client 0.9.x did. It takes both constructor forms of
    `CompatPluginError` (the 0.9.x one: ``VideoRoomError(code, message)``) and has
    its `error_code` and `error_message`.
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
        return cls(**read_fields(cls, data, raw=dict(data)))


def _streams_of(value: Any) -> tuple[VideoRoomStream, ...]:
    return tuple(VideoRoomStream.from_dict(s) for s in opt_objects(value))


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
        pid = opt_id(data.get("id"))
        if pid is None:
            return None
        streams = _streams_of(data.get("streams"))
        return cls(**read_fields(cls, data, id=pid, streams=streams, raw=dict(data)))

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
    found = (VideoRoomPublisher.from_dict(p) for p in opt_objects(value))
    return tuple(p for p in found if p is not None)


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
        kind = plugin_event_type(data, "videoroom", VideoRoomEventType, _EVENT_KEYS)
        pid: RoomId | None = None
        display = opt_str(data.get("display"))
        if kind in (
            VideoRoomEventType.JOINED,
            VideoRoomEventType.TALKING,
            VideoRoomEventType.STOPPED_TALKING,
            VideoRoomEventType.MODERATION,
            VideoRoomEventType.DISPLAY,
        ):
            pid = opt_id(data.get("id"))
        elif kind in (
            VideoRoomEventType.UNPUBLISHED,
            VideoRoomEventType.LEAVING,
            VideoRoomEventType.KICKED,
        ):
            value = data.get(kind.value)
            pid = None if value == "ok" else opt_id(value)
        elif kind is VideoRoomEventType.JOINING:
            joining = data.get("joining")
            if isinstance(joining, Mapping):
                pid = opt_id(joining.get("id"))
                display = opt_str(joining.get("display"))
        level = data.get("audio-level-dBov-avg")
        moderation = data.get("moderation")
        has_streams = kind is not VideoRoomEventType.JOINED and isinstance(
            data.get("streams"), list
        )
        return cls(
            type=kind,
            room=opt_id(data.get("room")),
            id=pid,
            private_id=opt_int(data.get("private_id")),
            display=display,
            description=opt_str(data.get("description")),
            publishers=_publishers_of(data.get("publishers")),
            attendees=tuple(dict(a) for a in opt_objects(data.get("attendees"))),
            streams=_streams_of(data.get("streams")) if has_streams else None,
            mid=opt_str(data.get("mid")),
            muted=None if not isinstance(moderation, str) else moderation == "muted",
            talking={
                VideoRoomEventType.TALKING: True,
                VideoRoomEventType.STOPPED_TALKING: False,
            }.get(kind),
            audio_level=float(level)
            if isinstance(level, (int, float)) and not isinstance(level, bool)
            else None,
            reason=opt_str(data.get("reason")),
            changes=opt_int(data.get("changes")),
            error_code=opt_int(data.get("error_code")),
            error=opt_str(data.get("error")),
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
            **plugin_event_fields(event),
        )

    def compat_dict(self) -> dict[str, Any]:
        """Return what janus-client 0.9.x gave event handlers: the plugin data dict."""
        return self.data


# ------------------------------------------------------------------- forwarders
@dataclass(frozen=True, kw_only=True)
class VideoRoomForwarder:
    """One RTP forwarder of a publisher's stream (``rtp_forward``, ``listforwarders``).

    Attributes:
        stream_id: Its id (give it to `JanusVideoRoomPlugin.stop_rtp_forward`).
        type: ``"audio"``, ``"video"`` or ``"data"``.
        mid: The publisher's stream it forwards, when Janus says.
        host: Where the RTP goes.
        port: The RTP port there.
        srtp: Whether it is encrypted (SRTP).
        raw: The forwarder as Janus sent it (``ssrc``, ``pt``, ``local_rtcp_port``, ...).
    """

    stream_id: int | None
    type: str | None = None
    mid: str | None = None
    host: str | None = None
    port: int | None = None
    srtp: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VideoRoomForwarder:
        """Read one forwarder's dict."""
        return cls(**read_fields(cls, data, raw=dict(data)))


@dataclass(frozen=True, kw_only=True)
class VideoRoomForwarders:
    """A publisher's RTP forwarders, as ``listforwarders`` lists them.

    Attributes:
        publisher_id: The publisher.
        display: Its display name.
        forwarders: Its forwarders.
        raw: The entry as Janus sent it.
    """

    publisher_id: RoomId | None
    display: str | None = None
    forwarders: tuple[VideoRoomForwarder, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VideoRoomForwarders:
        """Read one ``listforwarders`` entry."""
        found = tuple(VideoRoomForwarder.from_dict(f) for f in opt_objects(data.get("forwarders")))
        return cls(**read_fields(cls, data, forwarders=found, raw=dict(data)))


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
        return cls(**read_fields(cls, data, remote_id=str(data.get("remote_id", ""))))


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
