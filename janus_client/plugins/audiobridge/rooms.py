"""AudioBridge room management and the other synchronous requests.

Rooms (``create``, plus the shared ``edit``/``destroy``/``exists``/``list``/
``listparticipants``/``allowed``/``kick`` of `RoomManagement`), moderation (``mute``,
``unmute``, ``mute_room``, ``unmute_room``, ``kick_all``), recording
(``enable_recording``, ``enable_mjrs``), forwarders (``rtp_forward``,
``stop_rtp_forward``, ``listforwarders``), playback (``play_file``, ``is_playing``,
``stop_file``) and ``resetdecoder``. Janus answers all of them at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from ...validate import RoomId
from ..declare import Secret, request
from ..rooms import _nothing
from ._base import _AudioBridgeBase
from .events import (
    AudioBridgeForwarder,
    AudioBridgeParticipant,
    AudioBridgeRoom,
    AudioBridgeRoomCreated,
    forwarders_of,
    participants_of,
    rooms_of,
)


class _Rooms(_AudioBridgeBase):
    """The AudioBridge's synchronous requests."""

    # ------------------------------------------------------------------ rooms
    @request("create", result=AudioBridgeRoomCreated.from_data)
    async def create_room(
        self,
        room: RoomId | None = None,
        *,
        description: str | None = None,
        secret: Secret | None = None,
        pin: Secret | None = None,
        is_private: bool | None = None,
        allowed: Sequence[str] | None = None,
        sampling_rate: int | None = None,
        spatial_audio: bool | None = None,
        audiolevel_ext: bool | None = None,
        audiolevel_event: bool | None = None,
        audio_active_packets: int | None = None,
        audio_level_average: int | None = None,
        default_prebuffering: int | None = None,
        default_expectedloss: int | None = None,
        default_bitrate: int | None = None,
        record: bool | None = None,
        record_file: str | None = None,
        record_dir: str | None = None,
        mjrs: bool | None = None,
        mjrs_dir: str | None = None,
        allow_rtp_participants: bool | None = None,
        groups: Sequence[str] | None = None,
        permanent: bool | None = None,
        admin_key: Secret | None = None,
        timeout: float | None = None,
        **settings: Any,
    ) -> AudioBridgeRoomCreated:
        """Create a room (``create``).

        Settings left None take Janus' defaults (16 kHz mono mix, audio levels
        negotiated but no talking events, no recording, WebRTC participants only).

        Args:
            room: The id to give it; Janus picks one when None.
            description: A pretty name.
            secret: The password to edit or destroy it, mute, kick, forward, play files.
            pin: The password to join it.
            is_private: Hide it from `list_rooms`.
            allowed: Tokens participants must give to join (an ACL).
            sampling_rate: The mixer's rate in Hz (8000, 12000, 16000, 24000, 48000).
            spatial_audio: Mix in stereo and place participants (``spatial_position``).
            audiolevel_ext: Negotiate the ssrc-audio-level RTP extension.
            audiolevel_event: Send ``talking``/``stopped-talking`` events.
            audio_active_packets: Packets per talking decision (default 100: 2 s).
            audio_level_average: Level (dBov, 0 loud to 127 silent) that counts as talking.
            default_prebuffering: Packets buffered per participant before mixing.
            default_expectedloss: Expected loss in percent, for Opus FEC (0-20).
            default_bitrate: Opus bitrate for participants and forwarders (bit/s).
            record: Record the mix into a .wav file.
            record_file: The .wav file name (relative to ``record_dir``).
            record_dir: The folder for the recording (as Janus sees it).
            mjrs: Record every participant to its own .mjr file.
            mjrs_dir: The folder for the .mjr files.
            allow_rtp_participants: Accept plain-RTP participants (``join`` with ``rtp``).
            groups: Group names participants can be tagged with (for forwarders).
            permanent: Also save the room in Janus' configuration file.
            admin_key: The plugin's ``admin_key``, when it is configured.
            timeout: Deadline in seconds.
            **settings: Any other room setting of Janus' documentation.

        Returns:
            The room id and whether it was saved.

        Raises:
            AudioBridgeError: The plugin refused (486 room exists, 489 unauthorized, ...).
        """
        ...

    @request("list", result=rooms_of)
    async def rooms(
        self, *, admin_key: Secret | None = None, timeout: float | None = None
    ) -> tuple[AudioBridgeRoom, ...]:
        """Return the rooms, typed (``list``; private ones too with the ``admin_key``).

        `list_rooms` returns the same as Janus' dicts.

        Args:
            admin_key: The plugin's ``admin_key``, to see private rooms.
            timeout: Deadline in seconds.
        """
        ...

    @request(
        "listparticipants",
        result=lambda data: participants_of(data.get("participants")),
    )
    async def participants(
        self, room: RoomId, *, timeout: float | None = None
    ) -> tuple[AudioBridgeParticipant, ...]:
        """Return the participants of a room, typed (``listparticipants``).

        `list_participants` returns the same as Janus' dicts.

        Args:
            room: The room.
            timeout: Deadline in seconds.

        Raises:
            AudioBridgeError: 485 no such room.
        """
        ...

    # -------------------------------------------------------------- moderation
    @request("kick_all", result=_nothing)
    async def kick_all(
        self, room: RoomId, *, secret: Secret | None = None, timeout: float | None = None
    ) -> None:
        """Kick every participant out of a room (``kick_all``); each gets ``kicked_all``.

        Args:
            room: The room.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Raises:
            AudioBridgeError: 485 no such room, 489 wrong secret.
        """
        ...

    @request("mute", keys={"participant_id": "id"}, result=_nothing)
    async def mute(
        self,
        room: RoomId,
        participant_id: RoomId,
        *,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> None:
        """Mute a participant (``mute``): its audio leaves the mix.

        Everybody in the room gets a ``participants`` event with it ``muted``.

        Args:
            room: The room.
            participant_id: The participant.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Raises:
            AudioBridgeError: 485 no such room, 492 no such participant, 489 wrong secret.
        """
        ...

    @request("unmute", keys={"participant_id": "id"}, result=_nothing)
    async def unmute(
        self,
        room: RoomId,
        participant_id: RoomId,
        *,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> None:
        """Unmute a participant (``unmute``): its audio is mixed again.

        Args:
            room: The room.
            participant_id: The participant.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Raises:
            AudioBridgeError: 485 no such room, 492 no such participant, 489 wrong secret.
        """
        ...

    @request("mute_room", result=_nothing)
    async def mute_room(
        self, room: RoomId, *, secret: Secret | None = None, timeout: float | None = None
    ) -> None:
        """Mute the whole room (``mute_room``), except participants that joined with its secret.

        Everybody gets a ``room_muted`` event.

        Args:
            room: The room.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.
        """
        ...

    @request("unmute_room", result=_nothing)
    async def unmute_room(
        self, room: RoomId, *, secret: Secret | None = None, timeout: float | None = None
    ) -> None:
        """Unmute the whole room (``unmute_room``).

        Args:
            room: The room.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.
        """
        ...

    @request("resetdecoder", result=_nothing)
    async def reset_decoder(self, *, timeout: float | None = None) -> None:
        """Recreate the Opus decoder of our participant (``resetdecoder``), if audio garbles.

        Args:
            timeout: Deadline in seconds.

        Raises:
            AudioBridgeError: 487 not in a room.
        """
        ...

    # --------------------------------------------------------------- recording
    @request("enable_recording", result=lambda d: d.get("record") is True)
    async def enable_recording(
        self,
        room: RoomId,
        record: bool,
        *,
        record_file: str | None = None,
        record_dir: str | None = None,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> bool:
        """Start or stop recording the room's mix into a .wav file (``enable_recording``).

        Args:
            room: The room.
            record: Start (True) or stop (False).
            record_file: The file name (relative to ``record_dir`` when given).
            record_dir: The folder, as Janus sees it (created if missing).
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Returns:
            Whether the room records now.
        """
        ...

    @request("enable_mjrs", result=_nothing)
    async def enable_mjrs(
        self,
        room: RoomId,
        mjrs: bool,
        *,
        mjrs_dir: str | None = None,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> None:
        """Start or stop recording each participant to its own .mjr file (``enable_mjrs``).

        Args:
            room: The room.
            mjrs: Start (True) or stop (False).
            mjrs_dir: The folder for the files, as Janus sees it.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.
        """
        ...

    # -------------------------------------------------------------- forwarders
    @request("rtp_forward", result=AudioBridgeForwarder.from_dict)
    async def rtp_forward(
        self,
        room: RoomId,
        host: str,
        port: int,
        *,
        codec: Literal["opus", "pcma", "pcmu"] | None = None,
        ptype: int | None = None,
        ssrc: int | None = None,
        group: str | None = None,
        host_family: Literal["ipv4", "ipv6"] | None = None,
        srtp_suite: Literal[32, 80] | None = None,
        srtp_crypto: Secret | None = None,
        always_on: bool | None = None,
        secret: Secret | None = None,
        admin_key: Secret | None = None,
        timeout: float | None = None,
    ) -> AudioBridgeForwarder:
        """Forward the room's mix as plain RTP (or SRTP) to ``host:port`` (``rtp_forward``).

        Args:
            room: The room.
            host: Where to send the RTP.
            port: The UDP port there.
            codec: ``opus`` (default), ``pcma`` or ``pcmu``.
            ptype: The payload type (Opus only; default 100).
            ssrc: The SSRC (default: the forwarder's stream id).
            group: Forward only the participants of this group.
            host_family: Resolve ``host`` to IPv4 or IPv6.
            srtp_suite: SRTP authentication tag length (32 or 80).
            srtp_crypto: The SRTP key (base64, as in SDES).
            always_on: Send silence even when the room is empty.
            secret: The room's secret, when it has one.
            admin_key: The ``admin_key``, when the plugin locks forwarding with it.
            timeout: Deadline in seconds.

        Returns:
            The forwarder (its ``stream_id`` stops it).
        """
        ...

    @request("stop_rtp_forward", result=_nothing)
    async def stop_rtp_forward(
        self,
        room: RoomId,
        stream_id: int,
        *,
        secret: Secret | None = None,
        admin_key: Secret | None = None,
        timeout: float | None = None,
    ) -> None:
        """Stop a forwarder (``stop_rtp_forward``).

        Args:
            room: The room.
            stream_id: The forwarder's id (from `rtp_forward`).
            secret: The room's secret, when it has one.
            admin_key: The ``admin_key``, when the plugin locks forwarding with it.
            timeout: Deadline in seconds.
        """
        ...

    @request("listforwarders", result=forwarders_of)
    async def list_forwarders(
        self, room: RoomId, *, secret: Secret | None = None, timeout: float | None = None
    ) -> list[AudioBridgeForwarder]:
        """Return the room's forwarders (``listforwarders``).

        Args:
            room: The room.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.
        """
        ...

    # ---------------------------------------------------------------- playback
    @request("play_file", result=lambda d: str(d.get("file_id", "")))
    async def play_file(
        self,
        room: RoomId,
        filename: str,
        *,
        file_id: str | None = None,
        loop: bool | None = None,
        group: str | None = None,
        secret: Secret | None = None,
        admin_key: Secret | None = None,
        timeout: float | None = None,
    ) -> str:
        """Play an Ogg Opus file into the room's mix (``play_file``).

        Participants get ``announcement-started`` and, at the end (or `stop_file`),
        ``announcement-stopped``.

        Args:
            room: The room.
            filename: The .opus file, as a path on Janus' machine.
            file_id: An id for the playback (Janus picks one when None).
            loop: Play it again and again until `stop_file`.
            group: The group to play it to (rooms with groups).
            secret: The room's secret, when it has one.
            admin_key: The ``admin_key``, when the plugin locks playback with it.
            timeout: Deadline in seconds.

        Returns:
            The playback's ``file_id``.
        """
        ...

    @request("is_playing", result=lambda d: d.get("playing") is True)
    async def is_playing(
        self,
        room: RoomId,
        file_id: str,
        *,
        secret: Secret | None = None,
        admin_key: Secret | None = None,
        timeout: float | None = None,
    ) -> bool:
        """Return whether a playback is still going on (``is_playing``).

        Args:
            room: The room.
            file_id: The playback's id (from `play_file`).
            secret: The room's secret, when it has one.
            admin_key: The ``admin_key``, when the plugin locks playback with it.
            timeout: Deadline in seconds.
        """
        ...

    @request("stop_file", result=_nothing)
    async def stop_file(
        self,
        room: RoomId,
        file_id: str,
        *,
        secret: Secret | None = None,
        admin_key: Secret | None = None,
        timeout: float | None = None,
    ) -> None:
        """Stop a playback (``stop_file``).

        Args:
            room: The room.
            file_id: The playback's id (from `play_file`).
            secret: The room's secret, when it has one.
            admin_key: The ``admin_key``, when the plugin locks playback with it.
            timeout: Deadline in seconds.

        Raises:
            AudioBridgeError: 485 no such room, 484 no such file (the plugin's answer).
        """
        ...
