"""The TextRoom plugin: text chat rooms carried over one WebRTC data channel.

`JanusTextRoomPlugin.setup` negotiates a peer connection with only a data
channel. Joining rooms, leaving them and sending messages then go over that
channel (as JSON text with a ``textroom`` verb and a ``transaction``), while room
management (create, edit, destroy, list, ...) goes over the Janus API. One handle
may be in several rooms at once.

Examples:
    ```python
    chat = JanusTextRoomPlugin()
    await chat.attach(session)
    await chat.setup()
    room = await chat.create_room(description="lobby", history=10)
    await chat.join_room(room, "alice", display="Alice")
    chat.on_event(TextRoomMessageEvent, lambda event: ...)
    await chat.send_message(room, "hello")
    await chat.send_message(room, "psst", to="bob")
    await chat.leave_room(room)
    await chat.destroy()
    ```

What arrives on the data channel and answers none of our requests becomes a typed
event (`TextRoomMessageEvent`, `TextRoomJoinEvent`, ...), delivered like every
other event of the handle: ``on_event(EventClass, callback)``, ``events(...)``, or
``on_event(TextRoomEventType.MESSAGE, callback)`` for the 0.9.x dict payload.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .._dispatch import Callback
from ..config import resolve_timeout
from ..errors import (
    CompatPluginError,
    InvalidStateError,
    JanusError,
    RequestTimeoutError,
    ServerError,
)
from ..events import JanusEvent, PluginEvent
from ..protocol import Incoming, MessageKind, redact
from ..transactions import TransactionTable
from .media import JanusMediaPlugin, load_webrtc

if TYPE_CHECKING:
    from aiortc import RTCConfiguration, RTCDataChannel

    from ..webrtc import JanusPeerConnection

__all__ = [
    "JanusTextRoomPlugin",
    "RoomId",
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

logger = logging.getLogger("janus_client")

_PLUGIN = "janus.plugin.textroom"

#: A room id: a number, or a string when Janus runs with ``string_ids``.
RoomId = int | str

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


# ------------------------------------------------------------------------ errors
class TextRoomError(CompatPluginError):
    """An error reported by the TextRoom plugin (``JANUS_TEXTROOM_ERROR_*``).

    Raised for errors Janus answers, over the Janus API or the data channel, with
    the plugin's code; and with code ``0`` for requests refused before reaching
    Janus, as janus-client 0.9.x did. Both construction forms work:

    ```python
    TextRoomError("No such room (1234)", code=417)   # library form
    TextRoomError(417, "No such room (1234)")        # 0.9.x form
    ```

    Attributes:
        error_code: The code (0.9.x name of `code`; 0 when there is none).
        error_message: The error text (0.9.x name of `reason`).
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
    """

    def __init__(self, message: str) -> None:
        super().__init__(0, message)


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


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _room_of(value: Any) -> RoomId | None:
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return None


# -------------------------------------------------------------------- validation
def _check_room(name: str, value: object) -> RoomId:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"{name} must be an int or a str, got {type(value).__name__}")
    if isinstance(value, int) and value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    if isinstance(value, str) and not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _check_str(name: str, value: object, *, optional: bool = False, empty: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value and not empty:
        raise ValueError(f"{name} must not be empty")


def _check_bool(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")


def _check_names(name: str, value: object) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of str, got {type(value).__name__}")
    items = list(value)
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise TypeError(f"{name}[{i}] must be a non-empty str, got {item!r}")
    return items


def _check_timeout(value: object) -> None:
    resolve_timeout(value, 1.0)  # raises TypeError / ValueError naming ``timeout``


def _put(body: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Add the fields that are not None (validated as optional non-empty strings)."""
    for key, value in fields.items():
        if value is not None:
            _check_str(key, value)
            body[key] = value
    return body


def _expire(future: asyncio.Future[Incoming], verb: str, limit: float) -> None:
    if not future.done():
        future.set_exception(
            RequestTimeoutError(
                f"no reply to TextRoom {verb!r} on the data channel within {limit:g} s",
                request=verb,
                timeout=limit,
            )
        )


class _CompatHandler:
    """Calls a 0.9.x-style handler with the event's dict instead of the event."""

    __slots__ = ("handler",)

    def __init__(self, handler: Callback) -> None:
        self.handler = handler

    def __call__(self, event: JanusEvent) -> object:
        if not isinstance(event, TextRoomEvent):  # pragma: no cover - filtered by _matches
            return None
        return self.handler(event.compat_dict())

    def __repr__(self) -> str:
        return repr(self.handler)


# ------------------------------------------------------------------------ plugin
class JanusTextRoomPlugin(JanusMediaPlugin):
    """Client of ``janus.plugin.textroom``: text rooms over a WebRTC data channel.

    Call `setup` once after attaching: it negotiates the peer connection and opens
    the data channel. Then `join_room` (any number of rooms), `send_message`
    (public, or a whisper with ``to``/``tos``) and `leave_room` go over the data
    channel; room management goes over the Janus API. Requests over the data
    channel are matched to their replies by transaction and have the same
    deadlines as Janus API requests (``timeout=``, default the session's request
    timeout).

    Events: ``on_event(TextRoomMessageEvent, cb)`` / ``events(TextRoomMessageEvent)``
    (or any other `TextRoomEvent` class) give typed events;
    ``on_event(TextRoomEventType.MESSAGE, cb)`` calls ``cb`` with the message's dict,
    as janus-client 0.9.x did. Replies to our own requests are returned by the
    methods, not delivered as events.

    Args:
        pc_config: An `aiortc.RTCConfiguration` for the peer connection.
    """

    name = _PLUGIN
    error_class = TextRoomError
    #: The TextRoom requests and the methods that send them.
    requests: ClassVar[dict[str, str]] = {
        "setup": "setup",
        "create": "create_room",
        "edit": "edit_room",
        "destroy": "destroy_room",
        "list": "list_rooms",
        "listparticipants": "list_participants",
        "exists": "exists",
        "allowed": "allowed",
        "kick": "kick_participant",
        "announcement": "send_announcement",
        "join": "join_room",
        "leave": "leave_room",
        "message": "send_message",
        # The answer to Janus' offer: sent by setup (and by restart) with our JSEP.
        "ack": "setup",
        "restart": "restart",
    }
    #: The label of the data channel we open (the one janus.js opens too).
    data_channel_label: ClassVar[str] = "JanusDataChannel"

    def __init__(self, pc_config: RTCConfiguration | None = None, **kwargs: Any) -> None:
        super().__init__(pc_config, **kwargs)
        self._transactions = TransactionTable()
        self._channel: RTCDataChannel | None = None
        self._rooms: dict[RoomId, str] = {}  # joined room -> our username there
        self._joining: dict[RoomId, str] = {}  # join sent, reply not seen yet
        self._extra_destroyed: dict[RoomId, int] = {}  # duplicate notices to drop
        self._setting_up = False

    # ------------------------------------------------------------------ state
    @property
    def rooms(self) -> dict[RoomId, str]:
        """The rooms we are in, each with our username there (a copy)."""
        return dict(self._rooms)

    @property
    def data_channel_open(self) -> bool:
        """Whether the data channel is open (`setup` done, connection alive)."""
        channel = self._channel
        return channel is not None and channel.readyState == "open"

    @property
    def pending_requests(self) -> int:
        """How many data-channel requests wait for their reply."""
        return len(self._transactions)

    def _limit(self, timeout: float | None) -> float:
        _check_timeout(timeout)
        return float(timeout) if timeout is not None else self.session.timeouts.request

    # ------------------------------------------------------------------ setup
    async def setup(self, timeout: float | None = 30.0) -> None:
        """Negotiate the peer connection and open the data channel (``setup``).

        Janus sends an offer with a data channel m-line; we answer it (``ack``),
        open the data channel as janus.js does, and wait until it is open, all
        within ``timeout`` seconds.

        Janus 1.1.2 accepts one setup per handle: after a failed setup or a
        hangup it answers another one with error 416
        (``JANUS_TEXTROOM_ERROR_ALREADY_SETUP``); attach a new plugin object
        instead.

        Args:
            timeout: Deadline in seconds for the whole setup (None: the session's
                request timeout).

        Raises:
            TextRoomStateError: Already set up, with the data channel still there.
            TextRoomError: Janus refused the setup (416: this handle was set up
                before) or sent no offer.
            RequestTimeoutError: Not done in time.
            MediaUnavailableError: The ``media`` extra is not installed.
        """
        limit = self._limit(timeout)
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        channel = self._channel
        if self._setting_up or (channel is not None and channel.readyState != "closed"):
            raise TextRoomStateError("the TextRoom peer connection is already set up")
        load_webrtc()
        self._setting_up = True
        try:
            await self._setup(limit)
        finally:
            self._setting_up = False

    async def _setup(self, limit: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit

        def left() -> float:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise RequestTimeoutError(
                    f"TextRoom setup not done within {limit:g} s", request="setup", timeout=limit
                )
            return remaining

        pc = await self._new_pc()
        try:
            reply = await self.message({"request": "setup"}, timeout=left())
            offer = reply.jsep
            if offer is None or offer.get("type") != "offer":
                raise TextRoomError(0, "No JSEP offer received from setup")
            remaining = left()  # before creating the coroutine: left() may raise
            try:
                answer = await asyncio.wait_for(pc.apply(offer), remaining)
            except asyncio.TimeoutError:
                raise RequestTimeoutError(
                    f"TextRoom setup: no answer ready within {limit:g} s",
                    request="setup",
                    timeout=limit,
                ) from None
            if answer is None:  # pragma: no cover - apply answers every offer
                raise TextRoomError(0, "could not answer the setup offer")
            self._open_channel(pc)
            await self.message({"request": "ack"}, answer, timeout=left())
            remaining = left()
            try:
                await pc.wait_data_channel_open(self.data_channel_label, timeout=remaining)
            except asyncio.TimeoutError:
                raise RequestTimeoutError(
                    f"the TextRoom data channel did not open within {limit:g} s",
                    request="setup",
                    timeout=limit,
                ) from None
        except BaseException:
            await self._close_pc()
            # Janus may have gone ahead with its side: release it (best effort).
            with contextlib.suppress(JanusError):
                await self.handle.hangup(timeout=self.session.timeouts.close)
            raise

    async def restart(self, timeout: float | None = None) -> None:
        """Restart ICE on the data channel's peer connection (``restart``).

        Janus sends a new offer with new ICE credentials; we answer it (``ack``)
        with new ones of our own, on the same peer connection. The data channel,
        the rooms joined and the pending requests stay: the candidate pair in use
        keeps carrying the data while the new credentials are checked, so no
        message is lost. Use it after a network change, or when Janus asks for it.

        Args:
            timeout: Deadline in seconds for the whole exchange (None: the
                session's request timeout).

        Raises:
            TextRoomStateError: No data channel (call `setup` first), or a setup
                or restart is under way.
            TextRoomError: Janus refused (416 when its side was never set up) or
                sent no offer.
            RequestTimeoutError: Not done in time.
        """
        limit = self._limit(timeout)
        self._require_channel()
        if self._setting_up:
            raise TextRoomStateError("a TextRoom setup or restart is already under way")
        pc = self.peer
        self._setting_up = True
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + limit
            reply = await self.message({"request": "restart"}, timeout=limit)
            offer = reply.jsep
            if offer is None or offer.get("type") != "offer":
                raise TextRoomError(0, "No JSEP offer received from restart")
            remaining = deadline - loop.time()
            try:
                if remaining <= 0:
                    raise asyncio.TimeoutError
                answer = await asyncio.wait_for(pc.apply(offer), remaining)
            except asyncio.TimeoutError:
                raise RequestTimeoutError(
                    f"TextRoom restart: no answer ready within {limit:g} s",
                    request="restart",
                    timeout=limit,
                ) from None
            if answer is None:  # pragma: no cover - apply answers every offer
                raise TextRoomError(0, "could not answer the restart offer")
            await self.message(
                {"request": "ack"}, answer, timeout=max(deadline - loop.time(), 0.001)
            )
        finally:
            self._setting_up = False

    def _open_channel(self, pc: JanusPeerConnection) -> None:
        # Our own listener only: messages are consumed here, not queued for
        # `JanusPeerConnection.receive_data`.
        channel = pc.pc.createDataChannel(self.data_channel_label)
        pc.data_channels[channel.label] = channel
        channel.on("message", functools.partial(self._on_channel_message, channel))
        channel.on("close", functools.partial(self._on_channel_close, channel))
        self._channel = channel

    def _answer_body(self, event: PluginEvent) -> dict[str, Any]:
        # A renegotiation offer from Janus is answered with an "ack", like setup's.
        return {"request": "ack"}

    async def _close_pc(self) -> None:
        self._forget_channel(InvalidStateError("the TextRoom peer connection was closed"))
        await super()._close_pc()

    def _forget_channel(self, exc: BaseException) -> None:
        self._channel = None
        self._rooms.clear()
        self._joining.clear()
        self._extra_destroyed.clear()
        self._transactions.fail_all(exc)

    # ----------------------------------------------------- data channel input
    def _on_channel_close(self, channel: RTCDataChannel) -> None:
        if channel is self._channel:
            logger.debug("TextRoom data channel closed")
            self._forget_channel(InvalidStateError("the TextRoom data channel closed"))

    def _on_channel_message(self, channel: RTCDataChannel, data: str | bytes) -> None:
        # Runs inside aiortc's receive path: parse, settle futures, publish events.
        # No user code runs here (callbacks run in the handle's dispatcher task).
        if channel is not self._channel:
            return
        try:
            msg = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            logger.warning("TextRoom: ignoring a data channel message that is not JSON")
            return
        if not isinstance(msg, dict):
            logger.warning("TextRoom: ignoring a data channel message that is not an object")
            return
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("textroom recv %s", redact(msg))
        verb = msg.get("textroom")
        tid = msg.get("transaction")
        if isinstance(tid, str) and tid in self._transactions:
            failed = verb == "error" or "error_code" in msg
            kind = MessageKind.ERROR if failed else MessageKind.SUCCESS
            self._transactions.resolve(Incoming(kind, kind.value, tid, None, None, msg))
            return
        event = self._event(msg, verb)
        if event is None:
            if verb != "success":
                logger.debug("TextRoom: ignoring a %r message", verb)
            return
        handle = self._handle
        if handle is not None and not handle.closed:
            handle._events.publish(event)

    def _event(self, msg: dict[str, Any], verb: Any) -> TextRoomEvent | None:
        cls = _EVENT_CLASSES.get(verb) if isinstance(verb, str) else None
        if cls is None:
            if "error_code" not in msg:
                return None
            cls = TextRoomErrorEvent  # errors also come as {"textroom": "event", ...}
        room = _room_of(msg.get("room"))
        handle = self._handle
        common: dict[str, Any] = {
            "room": room,
            "data": msg,
            "raw": msg,
            "session_id": handle.session.session_id if handle is not None else None,
            "handle_id": handle.handle_id if handle is not None else None,
        }
        if cls is TextRoomMessageEvent:
            whisper = msg.get("whisper") is True
            me = None
            if whisper and room is not None:
                me = self._rooms.get(room) or self._joining.get(room)
            return TextRoomMessageEvent(
                sender=_opt_str(msg.get("from")),
                to=me,
                text=_opt_str(msg.get("text")) or "",
                date=_opt_str(msg.get("date")),
                whisper=whisper,
                display=_opt_str(msg.get("display")),
                **common,
            )
        if cls is TextRoomAnnouncementEvent:
            return TextRoomAnnouncementEvent(
                text=_opt_str(msg.get("text")) or "", date=_opt_str(msg.get("date")), **common
            )
        if cls is TextRoomJoinEvent:
            return TextRoomJoinEvent(
                username=_opt_str(msg.get("username")),
                display=_opt_str(msg.get("display")),
                **common,
            )
        if cls is TextRoomLeaveEvent:
            return TextRoomLeaveEvent(username=_opt_str(msg.get("username")), **common)
        if cls is TextRoomKickedEvent:
            username = _opt_str(msg.get("username"))
            if room is not None and username is not None and self._rooms.get(room) == username:
                del self._rooms[room]
            return TextRoomKickedEvent(username=username, **common)
        if cls is TextRoomDestroyedEvent:
            if room is not None:
                if room in self._rooms:
                    del self._rooms[room]
                elif self._extra_destroyed.get(room):
                    # The second notice Janus sends a participant that destroyed
                    # the room (one as participant, one as requester).
                    self._extra_destroyed[room] -= 1
                    if not self._extra_destroyed[room]:
                        del self._extra_destroyed[room]
                    return None
            return TextRoomDestroyedEvent(**common)
        if cls is TextRoomErrorEvent:
            code = msg.get("error_code")
            return TextRoomErrorEvent(
                code=code if isinstance(code, int) and not isinstance(code, bool) else None,
                reason=_opt_str(msg.get("error")),
                transaction=_opt_str(msg.get("transaction")),
                **common,
            )
        return cls(**common)

    # ---------------------------------------------------- data channel output
    def _require_channel(self) -> RTCDataChannel:
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        channel = self._channel
        if channel is None or channel.readyState != "open":
            raise TextRoomStateError("DataChannel not established")
        return channel

    def _send(self, channel: RTCDataChannel, msg: dict[str, Any]) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("textroom send %s", redact(msg))
        try:
            channel.send(_ENCODER.encode(msg))
        except Exception as exc:  # aiortc raises its own InvalidStateError when closed
            raise TextRoomStateError(f"DataChannel not usable: {exc}") from exc

    async def data_request(
        self, body: Mapping[str, Any], *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Send one request over the data channel and return its reply.

        ``body`` names the request in ``textroom`` (``{"textroom": "list"}``); the
        transaction is added here. Any TextRoom request works this way, including
        room management.

        Args:
            body: The request.
            timeout: Deadline in seconds (default: the session's request timeout).

        Returns:
            The reply (``{"textroom": "success", ...}``), transaction included.

        Raises:
            TextRoomError: Janus answered with an error (with its code).
            TextRoomStateError: No open data channel (call `setup` first).
            RequestTimeoutError: No reply in time; the request is forgotten.
        """
        if not isinstance(body, Mapping):
            raise TypeError(f"body must be a dict, got {type(body).__name__}")
        verb = body.get("textroom")
        _check_str("body['textroom']", verb)
        fields = {k: v for k, v in body.items() if k not in ("textroom", "transaction")}
        return await self._dc_request(str(verb), fields, timeout)

    async def _dc_request(
        self, verb: str, fields: dict[str, Any], timeout: float | None
    ) -> dict[str, Any]:
        limit = self._limit(timeout)
        channel = self._require_channel()
        table = self._transactions
        tid = table.new_id()
        future = table.register(tid, self, verb)
        timer = future.get_loop().call_later(limit, _expire, future, verb, limit)
        try:
            self._send(channel, {"textroom": verb, "transaction": tid, **fields})
            reply = await future
        finally:
            timer.cancel()
            table.discard(tid)
        data = reply.body
        if reply.kind is MessageKind.ERROR:
            code = data.get("error_code")
            raise TextRoomError(
                str(data.get("error") or "unspecified TextRoom error"),
                plugin=_PLUGIN,
                code=code if isinstance(code, int) and not isinstance(code, bool) else None,
                request=verb,
                data=dict(data),
            )
        return data

    # ------------------------------------------------------- room membership
    async def join_room(
        self,
        room: RoomId,
        username: str,
        display: str | None = None,
        pin: str | None = None,
        token: str | None = None,
        history: bool = True,
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        """Join a room over the data channel (``join``).

        The room's stored history (when it keeps one and ``history`` is True)
        arrives as `TextRoomMessageEvent` / `TextRoomAnnouncementEvent` events
        before this returns, and so does our own `TextRoomJoinEvent`.

        Args:
            room: The room.
            username: Our unique username in the room.
            display: A display name.
            pin: The room's PIN, if it has one.
            token: An invitation token, if the room has an ACL.
            history: Whether to receive the room's stored messages.
            timeout: Deadline in seconds.

        Returns:
            The other participants, as Janus lists them (``username``, ``display``).

        Raises:
            TextRoomError: Refused: no such room (417), wrong PIN or token (419),
                username taken (420), already in the room (421), ...
        """
        room = _check_room("room", room)
        _check_str("username", username)
        _check_bool("history", history)
        fields = _put({"room": room, "username": username}, display=display, pin=pin, token=token)
        fields["history"] = history
        self._joining[room] = username
        try:
            reply = await self._dc_request("join", fields, timeout)
        finally:
            if self._joining.get(room) == username:
                del self._joining[room]
        self._rooms[room] = username
        self._extra_destroyed.pop(room, None)
        participants = reply.get("participants")
        return list(participants) if isinstance(participants, list) else []

    async def leave_room(self, room: RoomId, timeout: float | None = None) -> None:
        """Leave a room over the data channel (``leave``).

        Raises:
            TextRoomError: Not in that room (422), no such room (417), ...
        """
        room = _check_room("room", room)
        await self._dc_request("leave", {"room": room}, timeout)
        self._rooms.pop(room, None)

    async def send_message(
        self,
        room: RoomId,
        text: str,
        to: str | None = None,
        tos: Iterable[str] | None = None,
        ack: bool = True,
        timeout: float | None = None,
    ) -> None:
        """Send a message to a room, or a whisper to some of its participants.

        Everyone in the room (us included) receives a public message; a whisper
        (``to`` one username, or ``tos`` several) reaches only them. Janus accepts
        a whisper to a username that is not in the room and delivers nothing.

        Args:
            room: A room we are in.
            text: The text (any string: plain text, JSON, ...).
            to: The one recipient of a whisper.
            tos: The recipients of a whisper (not together with ``to``).
            ack: Wait for Janus to confirm (True), or only send (False).
            timeout: Deadline in seconds, when ``ack`` is True.

        Raises:
            TextRoomError: Refused: not in the room (422), no such room (417), ...
            TextRoomStateError: No open data channel.
        """
        room = _check_room("room", room)
        _check_str("text", text, empty=True)
        _check_bool("ack", ack)
        fields: dict[str, Any] = {"room": room, "text": text, "ack": ack}
        if to is not None and tos is not None:
            raise ValueError("give either to or tos, not both")
        if to is not None:
            _check_str("to", to)
            fields["to"] = to
        elif tos is not None:
            names = _check_names("tos", tos)
            if not names:
                raise ValueError("tos must name at least one username")
            fields["tos"] = names
        if ack:
            await self._dc_request("message", fields, timeout)
            return
        _check_timeout(timeout)
        channel = self._require_channel()
        self._send(
            channel, {"textroom": "message", "transaction": self._transactions.new_id(), **fields}
        )

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
            body["room"] = _check_room("room", room)
        _put(body, description=description, secret=secret, pin=pin, post=post)
        _put(body, admin_key=admin_key)
        _check_bool("is_private", is_private)
        body["is_private"] = is_private
        if isinstance(history, bool) or not isinstance(history, int):
            raise TypeError(f"history must be an int, got {type(history).__name__}")
        if history < 0:
            raise ValueError(f"history must not be negative, got {history}")
        if history:
            body["history"] = history
        _check_bool("permanent", permanent)
        if permanent:
            body["permanent"] = True
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        created = _room_of(data.get("room"))
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
        body: dict[str, Any] = {"request": "edit", "room": _check_room("room", room)}
        _put(body, secret=secret)
        before = len(body)
        _put(body, new_description=new_description, new_secret=new_secret, new_pin=new_pin)
        _put(body, new_post=new_post)
        if new_is_private is not None:
            _check_bool("new_is_private", new_is_private)
            body["new_is_private"] = new_is_private
        if len(body) == before:
            raise ValueError("edit_room needs at least one new_* setting")
        _check_bool("permanent", permanent)
        if permanent:
            body["permanent"] = True
        _check_timeout(timeout)
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
        room = _check_room("room", room)
        body = _put({"request": "destroy", "room": room}, secret=secret)
        _check_bool("permanent", permanent)
        if permanent:
            body["permanent"] = True
        _check_timeout(timeout)
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
        body = {"request": "exists", "room": _check_room("room", room)}
        _check_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        return data.get("exists") is True

    async def list_rooms(
        self, admin_key: str | None = None, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Return the public rooms (``list``).

        Each room is Janus' dict: ``room``, ``description``, ``pin_required``,
        ``num_participants``, ``history``.
        """
        body = _put({"request": "list"}, admin_key=admin_key)
        _check_timeout(timeout)
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
        body = {"request": "listparticipants", "room": _check_room("room", room)}
        _check_timeout(timeout)
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
        body: dict[str, Any] = {"request": "allowed", "room": _check_room("room", room)}
        if action not in ("enable", "disable", "add", "remove"):
            raise ValueError(f"action must be enable, disable, add or remove, got {action!r}")
        body["action"] = action
        if allowed is not None:
            body["allowed"] = _check_names("allowed", allowed)
        elif action in ("add", "remove"):
            raise ValueError(f"action {action!r} needs the allowed tokens")
        _put(body, secret=secret)
        _check_timeout(timeout)
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
        room = _check_room("room", room)
        _check_str("username", username)
        _check_bool("data_channel", data_channel)
        fields = _put({"room": room, "username": username}, secret=secret)
        if data_channel:
            await self._dc_request("kick", fields, timeout)
            return
        _check_timeout(timeout)
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
        room = _check_room("room", room)
        _check_str("text", text, empty=True)
        _check_bool("data_channel", data_channel)
        fields = _put({"room": room, "text": text}, secret=secret)
        if data_channel:
            await self._dc_request("announcement", fields, timeout)
            return
        _check_timeout(timeout)
        await self.request({"request": "announcement", **fields}, timeout=timeout)

    # ------------------------------------------------------------ 0.9.x API
    def check_error_in_response(self, response: dict[str, Any]) -> None:
        """Raise `TextRoomError` if ``response`` (a whole Janus reply) is an error (0.9.x).

        Both a core ``{"janus": "error"}`` and a plugin error in ``plugindata``
        count; anything else passes.
        """
        if response.get("janus") == "error":
            error = response.get("error")
            error = error if isinstance(error, dict) else {}
            code = error.get("code")
            raise TextRoomError(
                code if isinstance(code, int) and not isinstance(code, bool) else 0,
                str(error.get("reason", "Unknown error")),
            )
        from ..protocol import plugin_data, plugin_error

        plugin, data = plugin_data(response)
        failure = plugin_error(plugin, data, error_class=TextRoomError)
        if failure is not None:
            raise failure

    async def send_wrapper(
        self, message: dict[str, Any], matcher: dict[str, Any], timeout: float
    ) -> dict[str, Any]:
        """Send a request body over the Janus API; return the whole reply (0.9.x API).

        Args:
            message: The plugin request body (``{"request": "list"}``).
            matcher: 0.9.x's pattern for the expected reply data; the reply is
                the one Janus sends for this request either way.
            timeout: Deadline in seconds.

        Raises:
            TextRoomError: The plugin or Janus refused the request.
        """
        del matcher
        try:
            reply = await self.message(message, timeout=timeout)
        except ServerError as exc:
            raise TextRoomError(exc.code, exc.reason) from exc
        self.check_error_in_response(reply.raw)
        return reply.raw

    # ------------------------------------------------------------------ events
    def on_event(self, event_type: Any, handler: Callback | None = None) -> None:
        """Register a callback, for every event or for one kind.

        * ``on_event(handler)``: every event of the handle, typed.
        * ``on_event(TextRoomMessageEvent, handler)`` (or any event class): those.
        * ``on_event(TextRoomEventType.MESSAGE, handler)`` (or the string
          ``"message"``): as in janus-client 0.9.x, ``handler`` gets the message's
          dict (``{"textroom": "message", "room": ..., "from": ..., ...}``).

        Handlers may be coroutine functions; an exception they raise is logged.

        Raises:
            ValueError: A string that names no TextRoom event.
        """
        if handler is None or event_type is None or isinstance(event_type, type):
            super().on_event(event_type, handler)
            return
        if isinstance(event_type, str) and not isinstance(event_type, TextRoomEventType):
            try:
                event_type = TextRoomEventType(event_type)
            except ValueError:
                raise ValueError(f"unknown TextRoom event type {event_type!r}") from None
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {handler!r}")
        if isinstance(event_type, TextRoomEventType):
            super().on_event(event_type, _CompatHandler(handler))
            return
        super().on_event(event_type, handler)

    def _matches(self, event_type: Any, event: JanusEvent) -> bool:
        if isinstance(event_type, TextRoomEventType):
            return isinstance(event, TextRoomEvent) and event.type is event_type
        return super()._matches(event_type, event)
