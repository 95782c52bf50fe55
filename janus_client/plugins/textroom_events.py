"""TextRoom errors and typed events (what arrives on the data channel)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import (
    CompatPluginError,
    InvalidStateError,
)
from ..events import JanusEvent
from ..validate import (
    RoomId,
)

_PLUGIN = "janus.plugin.textroom"

__all__ = [
    "TextRoomAnnouncementEvent",
    "TextRoomDestroyedEvent",
    "TextRoomEditedEvent",
    "TextRoomError",
    "TextRoomErrorEvent",
    "TextRoomEvent",
    "TextRoomEventType",
    "TextRoomJoinEvent",
    "TextRoomKickedEvent",
    "TextRoomLeaveEvent",
    "TextRoomMessageEvent",
    "TextRoomStateError",
]


# ------------------------------------------------------------------------ errors
class TextRoomError(CompatPluginError):
    """An error reported by the TextRoom plugin (``JANUS_TEXTROOM_ERROR_*``).

    Raised for errors Janus answers, over the Janus API or the data channel, with
    the plugin's code; and with code ``0`` for requests refused before reaching
    Janus, as janus-client 0.9.x did. It takes both constructor forms of
    `CompatPluginError` (the 0.9.x one: ``TextRoomError(code, message)``) and has
    its `error_code` and `error_message`.
    """

    plugin_package: ClassVar[str] = _PLUGIN
    plugin_label: ClassVar[str] = "TextRoom"
    code_names: ClassVar[dict[int, str]] = {
        411: "JANUS_TEXTROOM_ERROR_NO_MESSAGE",
        412: "JANUS_TEXTROOM_ERROR_INVALID_JSON",
        413: "JANUS_TEXTROOM_ERROR_MISSING_ELEMENT",
        414: "JANUS_TEXTROOM_ERROR_INVALID_ELEMENT",
        415: "JANUS_TEXTROOM_ERROR_INVALID_REQUEST",
        416: "JANUS_TEXTROOM_ERROR_ALREADY_SETUP",
        417: "JANUS_TEXTROOM_ERROR_NO_SUCH_ROOM",
        418: "JANUS_TEXTROOM_ERROR_ROOM_EXISTS",
        419: "JANUS_TEXTROOM_ERROR_UNAUTHORIZED",
        420: "JANUS_TEXTROOM_ERROR_USERNAME_EXISTS",
        421: "JANUS_TEXTROOM_ERROR_ALREADY_IN_ROOM",
        422: "JANUS_TEXTROOM_ERROR_NOT_IN_ROOM",
        423: "JANUS_TEXTROOM_ERROR_NO_SUCH_USER",
        499: "JANUS_TEXTROOM_ERROR_UNKNOWN_ERROR",
    }


class TextRoomStateError(TextRoomError, InvalidStateError):
    """A request this object cannot make now (no data channel, already set up, ...).

    It is both a `TextRoomError` with code ``0`` (as janus-client 0.9.x raised, for
    example ``"DataChannel not established"``) and an `InvalidStateError`.

    Attributes:
        hint: What to do about it, when known (for a request before `setup`: call
            ``setup()``); also attached as an exception note, shown in tracebacks.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(0, message)
        self.hint = hint


# ------------------------------------------------------------------------ events
class TextRoomEventType(str, enum.Enum):
    """The kinds of TextRoom events (the ``textroom`` field of data-channel messages).

    Use them with ``plugin.on_event(TextRoomEventType.MESSAGE, handler)``: as in
    janus-client 0.9.x the handler gets the message's dict.
    """

    #: Someone joined a room we are in (we get our own join too).
    JOIN = "join"
    #: Someone left a room we are in.
    LEAVE = "leave"
    #: Someone (possibly us) was kicked out of a room we were in.
    KICKED = "kicked"
    #: A room we were in (or that we destroyed) was destroyed.
    DESTROYED = "destroyed"
    #: A public message or a whisper.
    MESSAGE = "message"
    #: A message from the room itself (sent with the room secret).
    ANNOUNCEMENT = "announcement"
    #: An error that answers no pending request (a late reply, for instance).
    ERROR = "error"
    #: A room was edited (Janus 1.1.2 does not notify participants of edits).
    EDITED = "edited"


@dataclass(frozen=True, kw_only=True)
class TextRoomEvent(JanusEvent):
    """Base of the TextRoom events, which arrive on the data channel.

    Attributes:
        type: The kind of event.
        room: The room it concerns.
        data: The message as Janus sent it (the 0.9.x handler payload).
    """

    type: TextRoomEventType
    room: RoomId | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def compat_dict(self) -> dict[str, Any]:
        """Return the dict janus-client 0.9.x gave event handlers: the message itself."""
        return dict(self.data)


@dataclass(frozen=True, kw_only=True)
class TextRoomMessageEvent(TextRoomEvent):
    """A message in a room: public, or a whisper (private) to us.

    Messages of the room's history, sent when we join, arrive as these events too,
    before `JanusTextRoomPlugin.join_room` returns.

    Attributes:
        sender: Who sent it (the message's ``from``).
        to: For a whisper, our username in the room; None for a public message.
        text: The text.
        date: When Janus received it (``"2024-01-31T12:00:00+0000"``).
        whisper: Whether it is a private message.
        display: The sender's display name, when Janus gives it (history).
    """

    type: TextRoomEventType = TextRoomEventType.MESSAGE
    sender: str | None = None
    to: str | None = None
    text: str = ""
    date: str | None = None
    whisper: bool = False
    display: str | None = None

    @property
    def from_(self) -> str | None:
        """Who sent the message (same as `sender`)."""
        return self.sender


@dataclass(frozen=True, kw_only=True)
class TextRoomAnnouncementEvent(TextRoomEvent):
    """An announcement: a message from the room itself.

    Attributes:
        text: The text.
        date: When Janus received it.
    """

    type: TextRoomEventType = TextRoomEventType.ANNOUNCEMENT
    text: str = ""
    date: str | None = None


@dataclass(frozen=True, kw_only=True)
class TextRoomJoinEvent(TextRoomEvent):
    """A participant joined a room we are in (our own join included).

    Attributes:
        username: Who joined.
        display: Their display name, if they gave one.
    """

    type: TextRoomEventType = TextRoomEventType.JOIN
    username: str | None = None
    display: str | None = None


@dataclass(frozen=True, kw_only=True)
class TextRoomLeaveEvent(TextRoomEvent):
    """A participant left a room we are in.

    Attributes:
        username: Who left.
    """

    type: TextRoomEventType = TextRoomEventType.LEAVE
    username: str | None = None


@dataclass(frozen=True, kw_only=True)
class TextRoomKickedEvent(TextRoomEvent):
    """A participant was kicked out of a room we were in (possibly us).

    Attributes:
        username: Who was kicked.
    """

    type: TextRoomEventType = TextRoomEventType.KICKED
    username: str | None = None


@dataclass(frozen=True, kw_only=True)
class TextRoomDestroyedEvent(TextRoomEvent):
    """A room we were in, or that we destroyed, no longer exists.

    Delivered once per destruction (Janus sends the destroying participant two).
    """

    type: TextRoomEventType = TextRoomEventType.DESTROYED


@dataclass(frozen=True, kw_only=True)
class TextRoomEditedEvent(TextRoomEvent):
    """A room was edited (not sent to participants by Janus 1.1.2; parsed if it comes)."""

    type: TextRoomEventType = TextRoomEventType.EDITED


@dataclass(frozen=True, kw_only=True)
class TextRoomErrorEvent(TextRoomEvent):
    """An error on the data channel that answers none of our pending requests.

    Attributes:
        code: The ``error_code``.
        reason: The ``error`` text.
        transaction: The transaction it names, if any (a request that timed out).
    """

    type: TextRoomEventType = TextRoomEventType.ERROR
    code: int | None = None
    reason: str | None = None
    transaction: str | None = None


_EVENT_CLASSES: dict[str, type[TextRoomEvent]] = {
    "message": TextRoomMessageEvent,
    "announcement": TextRoomAnnouncementEvent,
    "join": TextRoomJoinEvent,
    "leave": TextRoomLeaveEvent,
    "kicked": TextRoomKickedEvent,
    "destroyed": TextRoomDestroyedEvent,
    "edited": TextRoomEditedEvent,
    "error": TextRoomErrorEvent,
}
