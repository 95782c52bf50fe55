"""The AudioBridge handle's state and the room events that keep it up to date."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from typing import TYPE_CHECKING, Any

from ...errors import JanusError
from ...events import HangupEvent, JanusEvent
from ...handle import PluginResponse
from ...validate import RoomId
from ..media import JanusMediaPlugin
from ..rooms import RoomManagement, _RoomMember
from .events import (
    _PLUGIN,
    AudioBridgeError,
    AudioBridgeEvent,
    AudioBridgeEventType,
    AudioBridgeParticipant,
    AudioBridgeRtp,
    AudioBridgeStateError,
)

if TYPE_CHECKING:
    from aiortc import RTCConfiguration

    from ...webrtc import TrackStats

logger = logging.getLogger("janus_client")

_Kind = AudioBridgeEventType


class _AudioBridgeBase(RoomManagement, _RoomMember, JanusMediaPlugin):
    """State shared by the AudioBridge request groups."""

    name = _PLUGIN
    error_class = AudioBridgeError
    event_class = AudioBridgeEvent
    event_types = AudioBridgeEventType

    #: Set to True when the server's AudioBridge runs with ``string_ids``: then ids
    #: made of digits (``"4242"``) are sent as given instead of being refused.
    string_ids: bool = False

    def __init__(self, pc_config: RTCConfiguration | None = None, **kwargs: Any) -> None:
        super().__init__(pc_config, **kwargs)
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self._participant_id: RoomId | None = None
        self._muted = False
        self._room_muted = False
        self._participants: dict[RoomId, AudioBridgeParticipant] = {}
        self._rtp: AudioBridgeRtp | None = None

    # ------------------------------------------------------------------ state
    @property
    def room_id(self) -> RoomId | None:
        """The room this handle is in, or None."""
        return self._room

    @property
    def participant_id(self) -> RoomId | None:
        """Our participant id in the room, or None."""
        return self._participant_id

    @property
    def display_name(self) -> str | None:
        """Our display name, when we set one."""
        return self._display

    @property
    def muted(self) -> bool:
        """Whether we are muted (by ourselves with `configure`, or by a moderator)."""
        return self._muted

    @property
    def room_muted(self) -> bool:
        """Whether the whole room was muted (``mute_room``), as our events said."""
        return self._room_muted

    @property
    def room_participants(self) -> dict[RoomId, AudioBridgeParticipant]:
        """The other participants of our room, by id, kept up to date by the events."""
        return dict(self._participants)

    @property
    def rtp(self) -> AudioBridgeRtp | None:
        """For a plain-RTP participant: where the AudioBridge receives our RTP."""
        return self._rtp

    @property
    def mix_stats(self) -> TrackStats | None:
        """The counters of the mix we receive (frames, `TrackStats.rms`), or None."""
        pc = self._pc
        if pc is None:
            return None
        return pc.stats.get("audio")

    @property
    def audio_level(self) -> float:
        """The RMS of the last half second of the mix we receive (0.0 when none)."""
        stats = self.mix_stats
        return stats.rms if stats is not None else 0.0

    def _require_joined(self, what: str) -> RoomId:
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        if self._room is None:
            raise AudioBridgeStateError(f"cannot {what}: not in a room (join first)")
        return self._room

    # ---------------------------------------------------------------- events
    def _event(self, reply: PluginResponse) -> AudioBridgeEvent:
        """Type the event that answered one of our requests."""
        return AudioBridgeEvent.from_data(reply.data, reply.jsep, **self._reply_fields(reply))

    def _entered(self, event: AudioBridgeEvent, display: str | None) -> None:
        """Take the room state from our ``joined`` or ``roomchanged``."""
        self._room = event.room
        self._participant_id = event.id
        self._display = display
        self._participants = {p.id: p for p in event.participants if p.id is not None}
        self._rtp = event.rtp

    async def _process_event(self, event: JanusEvent) -> None:
        if isinstance(event, AudioBridgeEvent):
            await self._track_room(event)
        elif isinstance(event, HangupEvent) and self._rtp is None:
            # Janus removes a WebRTC participant from its room when its PC goes.
            self._room = self._participant_id = None
            self._participants = {}
        await super()._process_event(event)

    async def _track_room(self, event: AudioBridgeEvent) -> None:
        """Keep the participants, our mute state and our room up to date."""
        kind = event.type
        if event.room is not None and self._room is not None and event.room != self._room:
            return  # a late event of the room we left
        known = self._participants
        if kind in (_Kind.JOINED, _Kind.PARTICIPANTS) and event.id is None:
            for p in event.participants:
                if p.id == self._participant_id:
                    if p.muted is not None:
                        self._muted = p.muted
                    if p.display is not None:
                        self._display = p.display
                elif p.id is not None:
                    known[p.id] = p
        elif kind in (_Kind.LEAVING, _Kind.KICKED) and event.id != self._participant_id:
            if event.id is not None:
                known.pop(event.id, None)
        elif kind in (_Kind.KICKED, _Kind.KICKED_ALL, _Kind.DESTROYED):
            logger.info("AudioBridge: out of room %s (%s)", self._room, kind.value)
            if kind is not _Kind.DESTROYED and self._rtp is not None and self.attached:
                # Janus kicks by closing the PeerConnection, which a plain-RTP
                # participant does not have: it would stay in the room. Leave.
                with contextlib.suppress(JanusError):
                    await self.message({"request": "leave"})
            self._reset()
            await self._close_pc()
        elif kind in (_Kind.TALKING, _Kind.STOPPED_TALKING) and event.id in known:
            assert event.id is not None
            known[event.id] = dataclasses.replace(known[event.id], talking=event.talking)
        elif kind is _Kind.ROOM_MUTED and event.muted is not None:
            self._room_muted = event.muted
