"""TextRoom room management: create, edit, destroy, exists, list, allowed, kick, ...

The requests go over the data channel or the handle, as Janus takes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..validate import (
    RoomId,
    enforce_bool,
    enforce_id,
    enforce_str,
    enforce_strings,
    enforce_timeout,
    opt_id,
    put_strings,
)
from .media import JanusMediaPlugin
from .textroom_events import (
    TextRoomError,
)


class _TextRoomRooms(JanusMediaPlugin):
    """The TextRoom room-management requests (mixed into `JanusTextRoomPlugin`)."""

    _rooms: dict[RoomId, str]
    _extra_destroyed: dict[RoomId, int]

    async def _dc_request(
        self, verb: str, fields: dict[str, Any], timeout: float | None
    ) -> dict[str, Any]:
        raise NotImplementedError  # pragma: no cover - JanusTextRoomPlugin has it

    # ------------------------------------------------------- room management
    async def create_room(
        self,
        room: RoomId | None = None,
        description: str | None = None,
        secret: str | None = None,
        pin: str | None = None,
        is_private: bool = True,
        history: int = 0,
        post: str | None = None,
        admin_key: str | None = None,
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
        body: dict[str, Any] = {"request": "create"}
        if room is not None:
            body["room"] = enforce_id(room, name="room")
        put_strings(body, description=description, secret=secret, pin=pin, post=post)
        put_strings(body, admin_key=admin_key)
        enforce_bool(is_private, name="is_private")
        body["is_private"] = is_private
        if isinstance(history, bool) or not isinstance(history, int):
            raise TypeError(f"history must be an int, got {type(history).__name__}")
        if history < 0:
            raise ValueError(f"history must not be negative, got {history}")
        if history:
            body["history"] = history
        enforce_bool(permanent, name="permanent")
        if permanent:
            body["permanent"] = True
        enforce_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        created = opt_id(data.get("room"))
        if created is None:
            raise TextRoomError(0, f"Janus created a room without an id: {data!r}")
        return created

    async def edit_room(
        self,
        room: RoomId,
        secret: str | None = None,
        *,
        new_description: str | None = None,
        new_secret: str | None = None,
        new_pin: str | None = None,
        new_is_private: bool | None = None,
        new_post: str | None = None,
        permanent: bool = False,
        timeout: float | None = None,
    ) -> None:
        """Change a room's description, secret, PIN, privacy or backend (``edit``).

        Janus 1.1.2 does not notify the room's participants.

        Raises:
            ValueError: Nothing to change.
            TextRoomError: Refused: no such room (417), wrong secret (419), ...
        """
        body: dict[str, Any] = {"request": "edit", "room": enforce_id(room, name="room")}
        put_strings(body, secret=secret)
        before = len(body)
        put_strings(body, new_description=new_description, new_secret=new_secret, new_pin=new_pin)
        put_strings(body, new_post=new_post)
        if new_is_private is not None:
            enforce_bool(new_is_private, name="new_is_private")
            body["new_is_private"] = new_is_private
        if len(body) == before:
            raise ValueError("edit_room needs at least one new_* setting")
        enforce_bool(permanent, name="permanent")
        if permanent:
            body["permanent"] = True
        enforce_timeout(timeout)
        await self.request(body, timeout=timeout)

    async def destroy_room(
        self,
        room: RoomId,
        secret: str | None = None,
        permanent: bool = False,
        timeout: float | None = None,
    ) -> None:
        """Destroy a room (``destroy``, over the Janus API).

        Its participants get a `TextRoomDestroyedEvent`, and so do we when our
        data channel is set up.

        Raises:
            TextRoomError: Refused: no such room (417), wrong secret (419), ...
        """
        room = enforce_id(room, name="room")
        body = put_strings({"request": "destroy", "room": room}, secret=secret)
        enforce_bool(permanent, name="permanent")
        if permanent:
            body["permanent"] = True
        enforce_timeout(timeout)
        if room in self._rooms:
            # Janus will notify us twice: as a participant and as the requester.
            self._extra_destroyed[room] = self._extra_destroyed.get(room, 0) + 1
        try:
            await self.request(body, timeout=timeout)
        except BaseException:
            left = self._extra_destroyed.get(room, 0) - 1
            if left > 0:
                self._extra_destroyed[room] = left
            else:
                self._extra_destroyed.pop(room, None)
            raise

    async def exists(self, room: RoomId, timeout: float | None = None) -> bool:
        """Return whether a room exists (``exists``)."""
        body = {"request": "exists", "room": enforce_id(room, name="room")}
        enforce_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        return data.get("exists") is True

    async def list_rooms(
        self, admin_key: str | None = None, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Return the public rooms (``list``).

        Each room is Janus' dict: ``room``, ``description``, ``pin_required``,
        ``num_participants``, ``history``.
        """
        body = put_strings({"request": "list"}, admin_key=admin_key)
        enforce_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        rooms = data.get("list")
        return list(rooms) if isinstance(rooms, list) else []

    async def list_participants(
        self, room: RoomId, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Return the participants of a room (``listparticipants``): ``username``, ``display``.

        Raises:
            TextRoomError: No such room (417).
        """
        body = {"request": "listparticipants", "room": enforce_id(room, name="room")}
        enforce_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        participants = data.get("participants")
        return list(participants) if isinstance(participants, list) else []

    async def allowed(
        self,
        room: RoomId,
        action: str,
        allowed: Iterable[str] | None = None,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> list[str]:
        """Manage the tokens that may join a room (``allowed``).

        Args:
            room: The room.
            action: ``"enable"`` or ``"disable"`` the token check, or ``"add"`` or
                ``"remove"`` tokens.
            allowed: The tokens to add or remove (needed for those actions).
            secret: The room secret, if it has one.
            timeout: Deadline in seconds.

        Returns:
            The complete list of allowed tokens after the change.

        Raises:
            TextRoomError: Refused: no such room (417), wrong secret (419), ...
        """
        body: dict[str, Any] = {"request": "allowed", "room": enforce_id(room, name="room")}
        if action not in ("enable", "disable", "add", "remove"):
            raise ValueError(f"action must be enable, disable, add or remove, got {action!r}")
        body["action"] = action
        if allowed is not None:
            body["allowed"] = enforce_strings(allowed, name="allowed")
        elif action in ("add", "remove"):
            raise ValueError(f"action {action!r} needs the allowed tokens")
        put_strings(body, secret=secret)
        enforce_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        tokens = data.get("allowed")
        return [t for t in tokens if isinstance(t, str)] if isinstance(tokens, list) else []

    async def kick_participant(
        self,
        room: RoomId,
        username: str,
        secret: str | None = None,
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
        room = enforce_id(room, name="room")
        enforce_str(username, name="username")
        enforce_bool(data_channel, name="data_channel")
        fields = put_strings({"room": room, "username": username}, secret=secret)
        if data_channel:
            await self._dc_request("kick", fields, timeout)
            return
        enforce_timeout(timeout)
        await self.request({"request": "kick", **fields}, timeout=timeout)

    async def send_announcement(
        self,
        room: RoomId,
        text: str,
        secret: str | None = None,
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
        room = enforce_id(room, name="room")
        enforce_str(text, name="text", empty=True)
        enforce_bool(data_channel, name="data_channel")
        fields = put_strings({"room": room, "text": text}, secret=secret)
        if data_channel:
            await self._dc_request("announcement", fields, timeout)
            return
        enforce_timeout(timeout)
        await self.request({"request": "announcement", **fields}, timeout=timeout)
