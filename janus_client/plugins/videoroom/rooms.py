"""VideoRoom room management: the shared requests, VideoRoom's own, and RTP forwarders.

`RoomManagement` gives ``list``, ``edit``, ``allowed`` and the typed `rooms` and
`participants`; the requests whose janus-client 0.9.x signatures name the room
``room_id`` are declared again here with that name (the body key stays ``room``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from ...validate import RoomId, opt_id
from ..declare import Check, Secret, request
from ..rooms import RoomManagement, _items, _nothing
from ._base import _VideoRoomBase
from .events import (
    _PLUGIN,
    VideoRoomError,
    VideoRoomForwarder,
    VideoRoomForwarders,
    _check_objects,
)

_ROOM = {"room_id": "room"}
_ROOM_AND_ID = {"room_id": "room", "participant_id": "id"}


def _created(data: dict[str, Any]) -> RoomId:
    room = opt_id(data.get("room"))
    if room is None:
        raise VideoRoomError(
            "the VideoRoom answered create without a room id",
            plugin=_PLUGIN,
            request="create",
            data=data,
        )
    return room


def _forward_streams(value: object, name: str) -> list[dict[str, Any]]:
    items = _check_objects(name, value, required=("mid", "port"))
    for i, item in enumerate(items):
        port = item["port"]
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError(f"{name}[{i}]['port'] must be int, got {type(port).__name__}")
        if not 0 < port < 65536:
            raise ValueError(f"{name}[{i}]['port'] must be 1..65535, got {port}")
    return items


def _check_forward(body: dict[str, Any]) -> None:
    if "host" not in body:
        for i, item in enumerate(body["streams"]):
            if "host" not in item:
                raise ValueError(f"streams[{i}] has no host, and no host= was given")


#: ``streams`` of ``rtp_forward``: ``mid`` and ``port`` (1..65535) in each.
ForwardStreams = Annotated[Sequence[Mapping[str, Any]], Check(_forward_streams, "list[dict]")]


class _Rooms(RoomManagement, _VideoRoomBase):
    """VideoRoom room management: create, destroy, kick, moderate, recording, forwarders."""

    @request("create", keys=_ROOM, result=_created)
    async def create_room(
        self,
        room_id: RoomId | None = None,
        description: str | None = None,
        secret: Secret | None = None,
        pin: Secret | None = None,
        is_private: bool = False,
        publishers: int = 3,
        bitrate: int | None = None,
        fir_freq: int = 0,
        audiocodec: str | None = None,
        videocodec: str | None = None,
        record: bool = False,
        rec_dir: str | None = None,
        permanent: bool = False,
        admin_key: Secret | None = None,
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
        ...

    @request("destroy", keys=_ROOM, result=_nothing)
    async def destroy_room(
        self,
        room_id: RoomId,
        secret: Secret | None = None,
        permanent: bool | None = None,
        timeout: float | None = None,
    ) -> None:
        """Destroy a room (``destroy``); its participants get a ``destroyed`` event.

        Args:
            room_id: The room.
            secret: The room's secret, when it has one.
            permanent: Also remove it from Janus' configuration file.
            timeout: Deadline in seconds.

        Raises:
            VideoRoomError: The plugin refused (426 no such room, 433 wrong secret, ...).
        """
        ...

    @request("exists", keys=_ROOM, result=lambda data: data.get("exists") is True)
    async def exists(self, room_id: RoomId, timeout: float | None = None) -> bool:
        """Return whether a room exists (``exists``).

        Args:
            room_id: The room.
            timeout: Deadline in seconds.
        """
        ...

    @request("listparticipants", keys=_ROOM, result=lambda data: _items(data, "participants"))
    async def list_participants(
        self, room_id: RoomId, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Return the participants of a room as Janus' dicts (``listparticipants``).

        Each has ``id``, ``display``, ``publisher`` (whether publishing) and
        ``talking``; `participants` gives them typed.

        Args:
            room_id: The room.
            timeout: Deadline in seconds.

        Raises:
            VideoRoomError: 426 when there is no such room.
        """
        ...

    @request("kick", keys=_ROOM_AND_ID, result=_nothing)
    async def kick_participant(
        self,
        room_id: RoomId,
        participant_id: RoomId,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> None:
        """Kick a participant out of a room (``kick``).

        The participant gets a ``leaving`` event with ``reason == "kicked"``, the
        others a ``kicked`` event. It may join again unless removed from the
        room's `allowed` tokens.

        Args:
            room_id: The room.
            participant_id: The participant.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Raises:
            VideoRoomError: 433 wrong secret, 428 no such participant, ...
        """
        ...

    @request("moderate", keys=_ROOM_AND_ID, result=_nothing)
    async def moderate_participant(
        self,
        room_id: RoomId,
        participant_id: RoomId,
        mid: str,
        mute: bool,
        secret: Secret | None = None,
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
        ...

    @request("enable_recording", keys=_ROOM, result=lambda data: data.get("record") is True)
    async def enable_recording(
        self,
        room_id: RoomId,
        record: bool = True,
        secret: Secret | None = None,
        *,
        timeout: float | None = None,
    ) -> bool:
        """Start or stop recording every publisher of a room (``enable_recording``).

        Args:
            room_id: The room.
            record: Start (True) or stop (False).
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Returns:
            The room's recording state after the change.
        """
        ...

    @request(
        "listforwarders",
        keys=_ROOM,
        result=lambda data: [VideoRoomForwarders.from_dict(i) for i in _items(data, "publishers")],
    )
    async def list_forwarders(
        self,
        room_id: RoomId,
        secret: Secret | None = None,
        *,
        timeout: float | None = None,
    ) -> list[VideoRoomForwarders]:
        """Return a room's RTP forwarders (``listforwarders``), typed.

        Args:
            room_id: The room.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Returns:
            One entry per publisher with forwarders (``publisher_id``, ``display``,
            ``forwarders``); each keeps Janus' dict in ``raw``.
        """
        ...

    @request(
        "rtp_forward",
        keys=_ROOM,
        result=lambda data: [VideoRoomForwarder.from_dict(i) for i in _items(data, "forwarders")],
        check=_check_forward,
    )
    async def rtp_forward(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        streams: ForwardStreams,
        *,
        host: str | None = None,
        host_family: Literal["ipv4", "ipv6"] | None = None,
        secret: Secret | None = None,
        admin_key: Secret | None = None,
        srtp_suite: Literal[32, 80] | None = None,
        srtp_crypto: Secret | None = None,
        timeout: float | None = None,
    ) -> list[VideoRoomForwarder]:
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
            The new forwarders (`VideoRoomForwarder`: ``stream_id``, ``type``,
            ``host``, ``port``, ...): stop one with `stop_rtp_forward` and its
            ``stream_id``.

        Raises:
            ValueError: A stream without port or host.
        """
        ...

    @request("stop_rtp_forward", keys=_ROOM, result=_nothing)
    async def stop_rtp_forward(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        stream_id: int,
        secret: Secret | None = None,
        admin_key: Secret | None = None,
        *,
        timeout: float | None = None,
    ) -> None:
        """Stop an RTP forwarder (``stop_rtp_forward``).

        Args:
            room_id: The room.
            publisher_id: The publisher.
            stream_id: The forwarder (from `rtp_forward`).
            secret: The room's secret, when it has one.
            admin_key: The plugin's ``admin_key``, when RTP forwarding needs it.
            timeout: Deadline in seconds.

        Raises:
            VideoRoomError: No such publisher or forwarder, wrong secret, ...
        """
        ...
