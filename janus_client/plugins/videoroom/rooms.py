"""VideoRoom room management: create, edit, destroy, list, allowed, kick, forwarders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...validate import (
    RoomId,
    enforce_id,
    enforce_json_values,
    enforce_timeout,
    enforce_typed,
    opt_id,
    put,
)
from ._base import _VideoRoomBase
from .events import (
    VideoRoomError,
    _check_objects,
)


class _Rooms(_VideoRoomBase):
    """VideoRoom room management: create, edit, destroy, list, allowed, kick, forwarders."""

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
            body["room"] = enforce_id(room_id, name="room_id")
        put(
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
        body.update(enforce_json_values(kwargs))
        enforce_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        room = opt_id(data.get("room"))
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
        body: dict[str, Any] = {"request": "edit", "room": enforce_id(room_id, name="room_id")}
        put(
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
        put(body, secret=(secret, str), permanent=(permanent, bool))
        enforce_timeout(timeout)
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
            "room": enforce_id(room_id, name="room_id"),
            "permanent": enforce_typed(permanent, name="permanent", kind=bool),
        }
        put(body, secret=(secret, str))
        enforce_timeout(timeout)
        await self.request(body, timeout=timeout)

    async def exists(self, room_id: RoomId, timeout: float | None = None) -> bool:
        """Return whether a room exists (``exists``)."""
        body = {"request": "exists", "room": enforce_id(room_id, name="room_id")}
        enforce_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        return data.get("exists") is True

    async def list_rooms(
        self, admin_key: str | None = None, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Return the public rooms (``list``; private ones too with the ``admin_key``).

        Each room is Janus' dict: ``room``, ``description``, ``pin_required``,
        ``max_publishers``, ``num_participants``, ``record``, ...
        """
        body = put({"request": "list"}, admin_key=(admin_key, str))
        enforce_timeout(timeout)
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
        body = {"request": "listparticipants", "room": enforce_id(room_id, name="room_id")}
        enforce_timeout(timeout)
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
            "room": enforce_id(room_id, name="room_id"),
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
        put(body, secret=(secret, str))
        enforce_timeout(timeout)
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
            "room": enforce_id(room_id, name="room_id"),
            "id": enforce_id(participant_id, name="participant_id"),
        }
        put(body, secret=(secret, str))
        enforce_timeout(timeout)
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
            "room": enforce_id(room_id, name="room_id"),
            "id": enforce_id(participant_id, name="participant_id"),
            "mid": mid,
            "mute": mute,
        }
        put(body, secret=(secret, str))
        enforce_timeout(timeout)
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
            "room": enforce_id(room_id, name="room_id"),
            "record": record,
        }
        put(body, secret=(secret, str))
        enforce_timeout(timeout)
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
        body: dict[str, Any] = {
            "request": "listforwarders",
            "room": enforce_id(room_id, name="room_id"),
        }
        put(body, secret=(secret, str))
        enforce_timeout(timeout)
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
            "room": enforce_id(room_id, name="room_id"),
            "publisher_id": enforce_id(publisher_id, name="publisher_id"),
            "streams": items,
        }
        put(
            body,
            host=(host, str),
            host_family=(host_family, str),
            secret=(secret, str),
            admin_key=(admin_key, str),
            srtp_suite=(srtp_suite, int),
            srtp_crypto=(srtp_crypto, str),
        )
        enforce_timeout(timeout)
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
            "room": enforce_id(room_id, name="room_id"),
            "publisher_id": enforce_id(publisher_id, name="publisher_id"),
            "stream_id": stream_id,
        }
        put(body, secret=(secret, str), admin_key=(admin_key, str))
        enforce_timeout(timeout)
        await self.request(body, timeout=timeout)
