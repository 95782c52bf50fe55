"""TextRoom room management: the shared requests plus TextRoom's own.

`RoomManagement` gives ``exists``, ``list``, ``listparticipants``, ``edit`` and
``allowed`` (and the typed `rooms`/`participants`); this module declares
TextRoom's ``create`` (its settings), ``kick`` (by username) and
``announcement``. (The shared ``destroy`` also drops the duplicate notice Janus
sends a participant that destroys its room: see `JanusTextRoomPlugin._send_declared`.)
``kick`` and ``announcement`` go over the data channel with ``data_channel=True``
(see `JanusTextRoomPlugin._send_declared`).
"""

from __future__ import annotations

from typing import Any

from ..validate import RoomId, opt_id
from .declare import NonEmpty, Secret, request
from .media import JanusMediaPlugin
from .rooms import RoomManagement, _nothing
from .textroom_events import TextRoomError


def _created(data: dict[str, Any]) -> RoomId:
    created = opt_id(data.get("room"))
    if created is None:
        raise TextRoomError(0, f"Janus created a room without an id: {data!r}")
    return created


class _TextRoomRooms(RoomManagement, JanusMediaPlugin):
    """The TextRoom room-management requests (mixed into `JanusTextRoomPlugin`)."""

    _rooms: dict[RoomId, str]
    _extra_destroyed: dict[RoomId, int]

    @request("create", result=_created)
    async def create_room(
        self,
        room: RoomId | None = None,
        description: str | None = None,
        secret: Secret | None = None,
        pin: Secret | None = None,
        is_private: bool = True,
        history: int = 0,
        post: str | None = None,
        admin_key: Secret | None = None,
        permanent: bool = False,
        timeout: float | None = None,
    ) -> RoomId:
        """Create a room (``create``, over the Janus API).

        Args:
            room: The id to give it (None: Janus picks one).
            description: A name for the room.
            secret: The password needed to edit or destroy it, announce or kick.
            pin: The password needed to join it.
            is_private: Keep it out of `list_rooms`.
            history: How many messages to keep and send to those who join.
            post: An HTTP backend Janus posts every message to.
            admin_key: The plugin's admin key, when Janus is configured with one.
            permanent: Also save it in the plugin's configuration file.
            timeout: Deadline in seconds.

        Returns:
            The room id.

        Raises:
            TextRoomError: Refused: the room exists (418), wrong admin key (419), ...
        """
        ...

    @request("kick", result=_nothing)
    async def kick_participant(  # type: ignore[override]  # by username, as in 0.9.x
        self,
        room: RoomId,
        username: NonEmpty,
        secret: Secret | None = None,
        timeout: float | None = None,
        *,
        data_channel: bool = False,
    ) -> None:
        """Kick a participant out of a room (``kick``).

        Everyone in the room, the kicked participant included, gets a
        `TextRoomKickedEvent`. It may join again unless its token is removed with
        `allowed`.

        Args:
            room: The room.
            username: Who to kick.
            secret: The room secret, if it has one.
            timeout: Deadline in seconds.
            data_channel: Send it over the data channel instead of the Janus API.

        Raises:
            TextRoomError: Refused: no such user (423), wrong secret (419), ...
        """
        ...

    @request("announcement", result=_nothing)
    async def send_announcement(
        self,
        room: RoomId,
        text: str,
        secret: Secret | None = None,
        timeout: float | None = None,
        *,
        data_channel: bool = False,
    ) -> None:
        """Send an announcement: a message from the room itself (``announcement``).

        Everyone in the room gets a `TextRoomAnnouncementEvent`; it also goes into
        the room's history.

        Args:
            room: The room.
            text: The text.
            secret: The room secret, if it has one.
            timeout: Deadline in seconds.
            data_channel: Send it over the data channel instead of the Janus API.

        Raises:
            TextRoomError: Refused: no such room (417), wrong secret (419), ...
        """
        ...
