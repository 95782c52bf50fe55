"""Room management shared by the room plugins (TextRoom, AudioBridge, VideoRoom).

Janus' room plugins answer the same management requests with the same shapes:
``exists``, ``list``, ``listparticipants``, ``destroy``, ``edit``, ``allowed`` and
``kick``. `RoomManagement` declares them once; a plugin inherits it and adds its own
``create`` (whose settings differ per plugin) and its media requests. A plugin whose
0.9.x signatures differ (VideoRoom's ``room_id``) redeclares a method with the same
`request` decorator.

The 0.9.x-style names return Janus' dicts (`list_rooms`, `list_participants`); the
newer names return typed results (`rooms` → `RoomInfo`, `participants` →
`Participant`), each keeping the reply in ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ..events import read_fields
from ..validate import RoomId, opt_objects
from .base import JanusPlugin
from .declare import Secret, request

if TYPE_CHECKING:
    from ..handle import PluginResponse

__all__ = ["Participant", "RoomInfo", "RoomManagement"]

_Room = TypeVar("_Room", bound="RoomInfo")


@dataclass(frozen=True)
class RoomInfo:
    """One room of a ``list`` reply.

    Attributes:
        room: The room id.
        description: Its pretty name.
        pin_required: Whether joining needs a PIN.
        num_participants: How many participants are in it now.
        raw: The room's dict as Janus sent it (plugin-specific fields are there).
    """

    room: RoomId | None
    description: str | None = None
    pin_required: bool | None = None
    num_participants: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_data(cls: type[_Room], data: Mapping[str, Any]) -> _Room:
        """Read one room's dict."""
        return cls(**read_fields(cls, data, raw=dict(data)))


@dataclass(frozen=True)
class Participant:
    """One participant of a ``listparticipants`` reply.

    Attributes:
        id: The participant id (``id``, or TextRoom's ``username``).
        display: Its display name.
        raw: The participant's dict as Janus sent it (``publisher``, ``muted``,
            ``talking``, ... depending on the plugin).
    """

    id: RoomId | None
    display: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Participant:
        """Read one participant's dict."""
        return cls(**read_fields(cls, data, {"id": ("id", "username")}, raw=dict(data)))


def _items(data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    return [dict(item) for item in opt_objects(data.get(key))]


def _rooms(data: dict[str, Any]) -> tuple[RoomInfo, ...]:
    return tuple(RoomInfo.from_data(item) for item in _items(data, "list"))


def _participants(data: dict[str, Any]) -> tuple[Participant, ...]:
    return tuple(Participant.from_data(item) for item in _items(data, "participants"))


def _tokens(data: dict[str, Any]) -> list[str]:
    tokens = data.get("allowed")
    return [t for t in tokens if isinstance(t, str)] if isinstance(tokens, list) else []


def _nothing(data: dict[str, Any]) -> None:
    """The result of the requests Janus answers with a bare ``success``."""
    return None


def _check_edit(body: dict[str, Any]) -> None:
    if not any(key.startswith("new_") for key in body):
        raise ValueError("edit_room needs at least one new_* setting")


def _check_allowed(body: dict[str, Any]) -> None:
    if body["action"] in ("add", "remove") and not body.get("allowed"):
        raise ValueError(f"action {body['action']!r} needs the allowed tokens")


class _RoomMember(JanusPlugin):
    """The state of a handle that is in one room at a time (AudioBridge, VideoRoom).

    The state stands for Janus' participant of this handle (its room, its display
    name, what the plugin adds in `_reset`): it starts empty when the plugin
    attaches and is dropped when the handle closes, as Janus drops the participant
    with the handle.
    """

    _room: RoomId | None
    _display: str | None

    def _reset(self) -> None:
        """Forget the room state (a plugin extends it, calling this one)."""
        self._room = None
        self._display = None

    def _attached(self) -> None:
        super()._attached()
        self._reset()
        self.handle.add_close_hook(self._handle_closed)

    async def _handle_closed(self) -> None:
        self._reset()

    async def _leave(self, timeout: float | None) -> PluginResponse:
        """Send ``leave``; whatever Janus answers, our media and room state are gone."""
        try:
            return await self.message({"request": "leave"}, timeout=timeout)
        finally:
            await self._close_pc()
            self._reset()


class RoomManagement(JanusPlugin):
    """The room-management requests every room plugin answers (a mixin)."""

    @request("exists", result=lambda data: data.get("exists") is True)
    async def exists(self, room: RoomId, *, timeout: float | None = None) -> bool:
        """Return whether a room exists (``exists``).

        Args:
            room: The room id.
            timeout: Deadline in seconds.
        """
        ...

    @request("list", result=_rooms)
    async def rooms(
        self, *, admin_key: Secret | None = None, timeout: float | None = None
    ) -> tuple[RoomInfo, ...]:
        """Return the rooms, typed (``list``; private rooms need ``admin_key``).

        Args:
            admin_key: The plugin's ``admin_key``, to see private rooms too.
            timeout: Deadline in seconds.
        """
        ...

    @request("list", result=lambda data: _items(data, "list"))
    async def list_rooms(
        self, admin_key: Secret | None = None, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Return the rooms as Janus' dicts (``list``).

        Args:
            admin_key: The plugin's ``admin_key``, to see private rooms too.
            timeout: Deadline in seconds.
        """
        ...

    @request("listparticipants", result=_participants)
    async def participants(
        self, room: RoomId, *, timeout: float | None = None
    ) -> tuple[Participant, ...]:
        """Return a room's participants, typed (``listparticipants``).

        Args:
            room: The room id.
            timeout: Deadline in seconds.
        """
        ...

    @request("listparticipants", result=lambda data: _items(data, "participants"))
    async def list_participants(
        self, room: RoomId, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Return a room's participants as Janus' dicts (``listparticipants``).

        Args:
            room: The room id.
            timeout: Deadline in seconds.
        """
        ...

    @request("destroy", result=_nothing)
    async def destroy_room(
        self,
        room: RoomId,
        secret: Secret | None = None,
        permanent: bool | None = None,
        timeout: float | None = None,
    ) -> None:
        """Destroy a room (``destroy``); its participants get a ``destroyed`` event.

        Args:
            room: The room id.
            secret: The room's secret, when it has one.
            permanent: Also remove it from Janus' configuration file.
            timeout: Deadline in seconds.
        """
        ...

    @request("edit", result=_nothing, check=_check_edit)
    async def edit_room(
        self,
        room: RoomId,
        *,
        secret: Secret | None = None,
        new_description: str | None = None,
        new_secret: Secret | None = None,
        new_pin: Secret | None = None,
        new_is_private: bool | None = None,
        permanent: bool | None = None,
        timeout: float | None = None,
        **settings: Any,
    ) -> None:
        """Change a room's properties (``edit``).

        Args:
            room: The room id.
            secret: The room's secret, when it has one.
            new_description: The new pretty name.
            new_secret: The new secret.
            new_pin: The new PIN to join.
            new_is_private: Hide the room from `list_rooms` or not.
            permanent: Also change Janus' configuration file.
            timeout: Deadline in seconds.
            **settings: The plugin's other ``new_*`` properties.

        Raises:
            ValueError: No ``new_*`` setting given (nothing to change).
        """
        ...

    @request("allowed", result=_tokens, check=_check_allowed)
    async def allowed(
        self,
        room: RoomId,
        action: Literal["enable", "disable", "add", "remove"],
        allowed: list[str] | None = None,
        *,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> list[str]:
        """Manage the tokens that may join a room (``allowed``).

        Args:
            room: The room id.
            action: ``"enable"`` or ``"disable"`` the token check, or ``"add"`` or
                ``"remove"`` tokens.
            allowed: The tokens to add or remove (needed by those two actions).
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Returns:
            The list of allowed tokens after the change.
        """
        ...

    @request("kick", keys={"participant_id": "id"}, result=_nothing)
    async def kick_participant(
        self,
        room: RoomId,
        participant_id: RoomId,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> None:
        """Kick a participant out of a room (``kick``).

        Args:
            room: The room id.
            participant_id: The participant's id.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.
        """
        ...
