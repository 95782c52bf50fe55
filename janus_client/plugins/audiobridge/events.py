"""AudioBridge errors, typed events and the data types of its replies.

Import them from `janus_client.plugins.audiobridge`, whose ``__all__`` lists them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...errors import InvalidStateError, PluginError
from ...events import PluginEvent, plugin_event_fields, plugin_event_type, read_fields
from ...validate import RoomId, opt_bool, opt_id, opt_int, opt_objects, opt_str
from ..rooms import Participant, RoomInfo

_PLUGIN = "janus.plugin.audiobridge"


# ------------------------------------------------------------------------ errors
class AudioBridgeError(PluginError):
    """An error reported by the AudioBridge plugin (``JANUS_AUDIOBRIDGE_ERROR_*``).

    `code` is the plugin's error code and `code_name` its symbolic name, for
    example ``485`` / ``"JANUS_AUDIOBRIDGE_ERROR_NO_SUCH_ROOM"``.
    """

    code_names: ClassVar[dict[int, str]] = {
        480: "JANUS_AUDIOBRIDGE_ERROR_NO_MESSAGE",
        481: "JANUS_AUDIOBRIDGE_ERROR_INVALID_JSON",
        482: "JANUS_AUDIOBRIDGE_ERROR_INVALID_REQUEST",
        483: "JANUS_AUDIOBRIDGE_ERROR_MISSING_ELEMENT",
        484: "JANUS_AUDIOBRIDGE_ERROR_INVALID_ELEMENT",
        485: "JANUS_AUDIOBRIDGE_ERROR_NO_SUCH_ROOM",
        486: "JANUS_AUDIOBRIDGE_ERROR_ROOM_EXISTS",
        487: "JANUS_AUDIOBRIDGE_ERROR_NOT_JOINED",
        488: "JANUS_AUDIOBRIDGE_ERROR_LIBOPUS_ERROR",
        489: "JANUS_AUDIOBRIDGE_ERROR_UNAUTHORIZED",
        490: "JANUS_AUDIOBRIDGE_ERROR_ID_EXISTS",
        491: "JANUS_AUDIOBRIDGE_ERROR_ALREADY_JOINED",
        492: "JANUS_AUDIOBRIDGE_ERROR_NO_SUCH_USER",
        493: "JANUS_AUDIOBRIDGE_ERROR_INVALID_SDP",
        494: "JANUS_AUDIOBRIDGE_ERROR_NO_SUCH_GROUP",
        499: "JANUS_AUDIOBRIDGE_ERROR_UNKNOWN_ERROR",
    }

    def __init__(
        self,
        reason: str,
        *,
        plugin: str | None = _PLUGIN,
        code: int | None = None,
        request: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(reason, plugin=plugin, code=code, request=request, data=data)


class AudioBridgeStateError(AudioBridgeError, InvalidStateError):
    """A request this object cannot make in its state (not in a room, already in one)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


# ------------------------------------------------------------------------ events
class AudioBridgeEventType(str, enum.Enum):
    """The kinds of AudioBridge events (`AudioBridgeEvent.type`)."""

    #: We joined a room (``id`` is ours), or another participant did (``id`` is
    #: None, the newcomer is the only entry of ``participants``).
    JOINED = "joined"
    #: We moved to another room with ``changeroom`` (``id`` is ours there).
    ROOM_CHANGED = "roomchanged"
    #: Participants changed: set up their media, muted or unmuted, renamed.
    PARTICIPANTS = "participants"
    #: Our ``configure`` was applied (``result: ok``).
    CONFIGURED = "configured"
    #: A participant left the room (``id``).
    LEAVING = "leaving"
    #: We left the room (our own ``leave``).
    LEFT = "left"
    #: A participant was kicked (``id``; ours when it is us).
    KICKED = "kicked"
    #: We were kicked out with everybody else (``kick_all``).
    KICKED_ALL = "kicked_all"
    #: The whole room was muted or unmuted (``muted``).
    ROOM_MUTED = "room_muted"
    #: A participant started talking (rooms with ``audiolevel_event``).
    TALKING = "talking"
    #: A participant stopped talking.
    STOPPED_TALKING = "stopped-talking"
    #: A file started playing in the room (``file_id``).
    ANNOUNCEMENT_STARTED = "announcement-started"
    #: A file stopped playing (ended, or ``stop_file``).
    ANNOUNCEMENT_STOPPED = "announcement-stopped"
    #: Our PeerConnection is being closed (our ``hangup`` request).
    HANGING_UP = "hangingup"
    #: The room was destroyed.
    DESTROYED = "destroyed"
    #: The plugin reported an error in an event.
    ERROR = "error"
    #: Any other AudioBridge event.
    EVENT = "event"


# In an ``audiobridge: event``, the first of these keys present tells its kind.
_EVENT_KEYS: tuple[tuple[str, AudioBridgeEventType], ...] = (
    ("participants", AudioBridgeEventType.PARTICIPANTS),
    ("leaving", AudioBridgeEventType.LEAVING),
    ("kicked", AudioBridgeEventType.KICKED),
    ("kicked_all", AudioBridgeEventType.KICKED_ALL),
    ("result", AudioBridgeEventType.CONFIGURED),
    ("muted", AudioBridgeEventType.ROOM_MUTED),
)


@dataclass(frozen=True, kw_only=True)
class AudioBridgeParticipant(Participant):
    """A participant of a room, as ``joined``, ``event`` and ``listparticipants`` list it.

    Attributes:
        id: The participant's id.
        display: Its display name.
        setup: Whether its media is up (WebRTC negotiated, or plain RTP flowing).
        muted: Whether it is muted.
        talking: Whether it is talking (only when audio levels are used).
        spatial_position: Its panning in spatial-audio rooms (0 left, 50 centre, 100 right).
        raw: The participant object as Janus sent it.
    """

    setup: bool | None = None
    muted: bool | None = None
    talking: bool | None = None
    spatial_position: int | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> AudioBridgeParticipant:
        """Build a participant from its JSON object."""
        return cls(**read_fields(cls, data, raw=dict(data)))


def participants_of(value: Any) -> tuple[AudioBridgeParticipant, ...]:
    """Read a ``participants`` array (entries without an id are skipped)."""
    found = (AudioBridgeParticipant.from_data(p) for p in opt_objects(value))
    return tuple(p for p in found if p.id is not None)


@dataclass(frozen=True, kw_only=True)
class AudioBridgeRtp:
    """Where a plain-RTP participant's media goes (the ``rtp`` object of ``joined``).

    Attributes:
        ip: The address the AudioBridge receives the participant's RTP on.
        port: The UDP port it receives on (send RTP there, from the address and
            port given in ``join``: the plugin's socket is connected to them).
        payload_type: The payload type of the RTP packets both ways.
        raw: The object as Janus sent it.
    """

    ip: str | None
    port: int | None
    payload_type: int | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Any) -> AudioBridgeRtp | None:
        """Build it from the ``rtp`` object (None when absent)."""
        if not isinstance(data, Mapping):
            return None
        return cls(
            ip=opt_str(data.get("ip")),
            port=opt_int(data.get("port")),
            payload_type=opt_int(data.get("payload_type")),
            raw=dict(data),
        )


_ID_FROM_KEY = {
    AudioBridgeEventType.LEAVING: "leaving",
    AudioBridgeEventType.KICKED: "kicked",
    AudioBridgeEventType.KICKED_ALL: "kicked_all",
}


@dataclass(frozen=True, kw_only=True)
class AudioBridgeEvent(PluginEvent):
    """An AudioBridge plugin event, typed.

    It is a `PluginEvent` (``data`` and ``jsep`` as Janus sent them, ``raw``); the
    fields below are read from ``data`` and are None (or empty) when absent.

    Attributes:
        type: The kind of event.
        room: The room it concerns.
        id: The participant it concerns: ours for our ``joined``/``roomchanged``/
            ``left``; the one leaving, kicked or talking; None for others' ``joined``
            (see ``participants``).
        participants: Participants listed by the event (``joined``, ``roomchanged``,
            ``participants`` updates).
        muted: For ``room_muted``: whether the room is now muted.
        file_id: For announcements: the playback's id.
        result: For ``configured``: Janus' ``result`` (``"ok"``).
        rtp: For our ``joined`` as a plain-RTP participant: where to send media.
        error_code: For ``error``: the plugin's error code.
        error: For ``error``: the error text.
    """

    type: AudioBridgeEventType = AudioBridgeEventType.EVENT
    room: RoomId | None = None
    id: RoomId | None = None
    participants: tuple[AudioBridgeParticipant, ...] = ()
    muted: bool | None = None
    file_id: str | None = None
    result: str | None = None
    rtp: AudioBridgeRtp | None = None
    error_code: int | None = None
    error: str | None = None

    @classmethod
    def from_data(
        cls, data: Mapping[str, Any], jsep: Mapping[str, Any] | None = None, **common: Any
    ) -> AudioBridgeEvent:
        """Build the typed event from the plugin's data (and its JSEP, if any).

        ``common`` are `PluginEvent` fields (``plugin``, ``session_id``, ``raw``, ...).
        """
        kind = plugin_event_type(data, "audiobridge", AudioBridgeEventType, _EVENT_KEYS)
        key = _ID_FROM_KEY.get(kind, "id")
        return cls(
            type=kind,
            room=opt_id(data.get("room")),
            id=opt_id(data.get(key)),
            participants=participants_of(data.get("participants")),
            muted=opt_bool(data.get("muted")) if kind is AudioBridgeEventType.ROOM_MUTED else None,
            file_id=opt_str(data.get("file_id")),
            result=opt_str(data.get("result")),
            rtp=AudioBridgeRtp.from_dict(data.get("rtp")),
            error_code=opt_int(data.get("error_code")),
            error=opt_str(data.get("error")),
            data=dict(data),
            jsep=dict(jsep) if jsep is not None else None,
            **common,
        )

    @classmethod
    def from_plugin_event(cls, event: PluginEvent) -> AudioBridgeEvent | None:
        """Return the typed form of an AudioBridge plugin event (None if it is not one)."""
        if "audiobridge" not in event.data:
            return None
        return cls.from_data(event.data, event.jsep, **plugin_event_fields(event))

    @property
    def talking(self) -> bool | None:
        """True for ``talking``, False for ``stopped-talking``, else None."""
        if self.type is AudioBridgeEventType.TALKING:
            return True
        if self.type is AudioBridgeEventType.STOPPED_TALKING:
            return False
        return None


# -------------------------------------------------------------------- replies
@dataclass(frozen=True, kw_only=True)
class AudioBridgeRoomCreated:
    """The answer to `JanusAudioBridgePlugin.create_room`.

    Attributes:
        room: The new room's id (the one asked for, or the one Janus picked).
        permanent: Whether Janus saved it in its configuration file.
        raw: The reply's data as Janus sent it.
    """

    room: RoomId
    permanent: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> AudioBridgeRoomCreated:
        """Build it from the ``created`` reply.

        Raises:
            AudioBridgeError: The reply has no room id.
        """
        room = opt_id(data.get("room"))
        if room is None:
            raise AudioBridgeError(
                "the AudioBridge answered create without a room id",
                request="create",
                data=dict(data),
            )
        return cls(**read_fields(cls, data, room=room, raw=dict(data)))


@dataclass(frozen=True, kw_only=True)
class AudioBridgeRoom(RoomInfo):
    """A room as ``list`` describes it.

    Attributes:
        room: The room id.
        description: Its pretty name.
        pin_required: Whether joining needs a PIN.
        num_participants: How many participants it has.
        sampling_rate: The mixer's sampling rate (Hz).
        spatial_audio: Whether the mix is stereo with spatial positions.
        record: Whether the mix is being recorded.
        muted: Whether the room is muted.
        raw: The room object as Janus sent it.
    """

    sampling_rate: int | None = None
    spatial_audio: bool | None = None
    record: bool | None = None
    muted: bool | None = None


def rooms_of(data: Mapping[str, Any]) -> tuple[AudioBridgeRoom, ...]:
    """Read the ``list`` reply's rooms."""
    return tuple(AudioBridgeRoom.from_data(r) for r in opt_objects(data.get("list")))


@dataclass(frozen=True, kw_only=True)
class AudioBridgeForwarder:
    """An RTP forwarder of a room's mix (``rtp_forward`` and ``listforwarders``).

    Attributes:
        stream_id: The forwarder's id (give it to ``stop_rtp_forward``).
        host: Where the RTP goes (``ip`` in ``listforwarders``, ``host`` in
            ``rtp_forward``'s answer).
        port: The UDP port there.
        group: The group of participants it forwards, if any.
        ssrc: The SSRC of its packets (the stream id unless one was set).
        codec: ``opus``, ``pcma`` or ``pcmu``.
        ptype: The payload type.
        srtp: Whether the stream is SRTP.
        always_on: Whether it sends silence when the room is empty.
        raw: The object as Janus sent it.
    """

    stream_id: int
    host: str | None = None
    port: int | None = None
    group: str | None = None
    ssrc: int | None = None
    codec: str | None = None
    ptype: int | None = None
    srtp: bool = False
    always_on: bool | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AudioBridgeForwarder:
        """Build it from a forwarder object or the ``rtp_forward`` reply.

        Raises:
            AudioBridgeError: The object has no ``stream_id``.
        """
        stream_id = opt_int(data.get("stream_id"))
        if stream_id is None:
            raise AudioBridgeError(
                "the AudioBridge described a forwarder without a stream_id", data=dict(data)
            )
        host = opt_str(data.get("ip")) or opt_str(data.get("host"))
        return cls(**read_fields(cls, data, stream_id=stream_id, host=host, raw=dict(data)))


def forwarders_of(data: Mapping[str, Any]) -> list[AudioBridgeForwarder]:
    """Read the ``listforwarders`` reply's forwarders."""
    found = opt_objects(data.get("rtp_forwarders"))
    return [
        AudioBridgeForwarder.from_dict(f) for f in found if opt_int(f.get("stream_id")) is not None
    ]
