"""The AudioBridge plugin: an audio conference mixer.

Every participant sends one audio stream and receives the mix of all the others.
One `JanusAudioBridgePlugin` object is one Janus handle, in at most one room:

* `join` a room over WebRTC (an audio offer; Janus answers) or as a plain-RTP
  participant (``rtp=...``, no WebRTC); `configure` (mute ourselves, rename,
  record, ...), `changeroom` (same media, another room), `leave`, `hangup`.
* Room management and moderation work from any handle, joined or not:
  `create_room`, `edit_room`, `destroy_room`, `list_rooms`, `list_participants`,
  `allowed`, `kick_participant`, `kick_all`, `mute`/`unmute` (a participant),
  `mute_room`/`unmute_room`, recording (`enable_recording` into a .wav,
  `enable_mjrs` per participant), forwarders (`rtp_forward`, `stop_rtp_forward`,
  `list_forwarders`) and playback of Opus files (`play_file`, `is_playing`,
  `stop_file`).

Events (`AudioBridgeEvent`, typed by `AudioBridgeEventType`) say who joined, left,
was kicked or (un)muted, who talks (rooms with ``audiolevel_event``), which
announcement plays, and whether the room was destroyed; the object keeps
`room_participants`, `muted` and `room_id` up to date from them.

Examples:
    ```python
    bridge = JanusAudioBridgePlugin()
    await bridge.attach(session)
    room = (await bridge.create_room(sampling_rate=48000)).room
    joined = await bridge.join(room, display="alice", tracks=[ToneAudioTrack()])
    await bridge.wait_webrtcup()
    print(bridge.room_participants, bridge.audio_level)
    ```
"""

from __future__ import annotations

from ._base import _AudioBridgeBase
from .events import (
    AudioBridgeError,
    AudioBridgeEvent,
    AudioBridgeEventType,
    AudioBridgeForwarder,
    AudioBridgeParticipant,
    AudioBridgeRoom,
    AudioBridgeRoomCreated,
    AudioBridgeRtp,
    AudioBridgeStateError,
)
from .participant import _Participant
from .rooms import _Rooms

__all__ = [
    "AudioBridgeError",
    "AudioBridgeEvent",
    "AudioBridgeEventType",
    "AudioBridgeForwarder",
    "AudioBridgeParticipant",
    "AudioBridgeRoom",
    "AudioBridgeRoomCreated",
    "AudioBridgeRtp",
    "AudioBridgeStateError",
    "JanusAudioBridgePlugin",
]


class JanusAudioBridgePlugin(_Rooms, _Participant, _AudioBridgeBase):
    """Client of ``janus.plugin.audiobridge``: rooms, participants and the mix.

    Synchronous requests (room management, moderation, forwarders, playback)
    return typed results; the asynchronous ones (`join`, `configure`,
    `changeroom`, `leave`) return the `AudioBridgeEvent` that answered them.
    Events Janus sends on its own come through ``events()`` and ``on_event``
    (``on_event(cb, AudioBridgeEventType.TALKING)``), after this object has
    updated its state from them.

    Args:
        pc_config: An `aiortc.RTCConfiguration` for the peer connection.
    """
