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
import functools
import json
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import (
    InvalidStateError,
    JanusError,
    RequestTimeoutError,
    ServerError,
)
from ..events import PluginEvent
from ..protocol import Incoming, MessageKind, redact
from ..transactions import TransactionTable
from ..validate import (
    RoomId,
    enforce_str,
    enforce_timeout,
    opt_id,
    opt_str,
)
from . import textroom_events as _events
from .declare import NonEmpty, RequestSpec, Secret, request, sends
from .media import load_webrtc
from .rooms import _items, _nothing
from .textroom_events import *  # noqa: F403 - the events and errors are part of this module
from .textroom_events import (
    _EVENT_CLASSES,
    _PLUGIN,
    TextRoomAnnouncementEvent,
    TextRoomDestroyedEvent,
    TextRoomError,
    TextRoomErrorEvent,
    TextRoomEvent,
    TextRoomEventType,
    TextRoomJoinEvent,
    TextRoomKickedEvent,
    TextRoomLeaveEvent,
    TextRoomMessageEvent,
    TextRoomStateError,
)
from .textroom_rooms import _TextRoomRooms

if TYPE_CHECKING:
    from aiortc import RTCConfiguration, RTCDataChannel

    from ..webrtc import JanusPeerConnection

__all__ = ["JanusTextRoomPlugin", "RoomId", *_events.__all__]

logger = logging.getLogger("janus_client")


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


#: The requests that always go over the data channel.
_OVER_CHANNEL = frozenset({"join", "leave", "message"})


def _check_whisper(body: dict[str, Any]) -> None:
    if "to" in body and "tos" in body:
        raise ValueError("give either to or tos, not both")
    if "tos" in body and not body["tos"]:
        raise ValueError("tos must name at least one username")


def _expire(future: asyncio.Future[Incoming], verb: str, limit: float) -> None:
    if not future.done():
        future.set_exception(
            RequestTimeoutError(
                f"no reply to TextRoom {verb!r} on the data channel within {limit:g} s",
                request=verb,
                timeout=limit,
            )
        )


# ------------------------------------------------------------------------ plugin
class JanusTextRoomPlugin(_TextRoomRooms):
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
    event_class = TextRoomEvent
    event_types = TextRoomEventType
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
    def joined_rooms(self) -> dict[RoomId, str]:
        """The rooms we are in, each with our username there (a copy).

        (`rooms` is the typed list of the server's rooms, as on every room plugin.)
        """
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
        enforce_timeout(timeout)
        return float(timeout) if timeout is not None else self.session.timeouts.request

    # ------------------------------------------------------------------ setup
    @sends("setup", "ack")
    async def setup(self, timeout: float | None = None) -> None:
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
                ``Timeouts.connect`` plus ``Timeouts.request``: a request, then ICE,
                DTLS and SCTP).

        Raises:
            TextRoomStateError: Already set up, with the data channel still there.
            TextRoomError: Janus refused the setup (416: this handle was set up
                before) or sent no offer.
            RequestTimeoutError: Not done in time.
            MediaUnavailableError: The ``media`` extra is not installed.
        """
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        limit = self._limit(timeout)
        if timeout is None:
            limit += self.session.timeouts.connect
        channel = self._channel
        if self._setting_up or (channel is not None and channel.readyState != "closed"):
            raise TextRoomStateError("the TextRoom peer connection is already set up")
        load_webrtc()
        self._setting_up = True
        try:
            await self._setup(limit)
        finally:
            self._setting_up = False

    def _deadline_of(self, verb: str, limit: float) -> Callable[[], float]:
        """A function giving the seconds left of ``limit`` (raising once none are)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit

        def left() -> float:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise RequestTimeoutError(
                    f"TextRoom {verb} not done within {limit:g} s", request=verb, timeout=limit
                )
            return remaining

        return left

    async def _negotiate(
        self,
        verb: str,
        pc: JanusPeerConnection,
        left: Callable[[], float],
        before_ack: Callable[[JanusPeerConnection], None] | None = None,
    ) -> None:
        """Send ``verb``, answer Janus' offer on ``pc`` and send the answer (``ack``)."""
        reply = await self.message({"request": verb}, timeout=left())
        offer = reply.jsep
        if offer is None or offer.get("type") != "offer":
            raise TextRoomError(0, f"No JSEP offer received from {verb}")
        remaining = left()  # before creating the coroutine: left() may raise
        try:
            answer = await asyncio.wait_for(pc.apply(offer), remaining)
        except asyncio.TimeoutError:
            raise RequestTimeoutError(
                f"TextRoom {verb}: no answer ready in time", request=verb, timeout=remaining
            ) from None
        if answer is None:  # pragma: no cover - apply answers every offer
            raise TextRoomError(0, f"could not answer the {verb} offer")
        if before_ack is not None:
            before_ack(pc)
        await self.message({"request": "ack"}, answer, timeout=left())

    async def _setup(self, limit: float) -> None:
        left = self._deadline_of("setup", limit)
        pc = await self._new_pc()
        try:
            await self._negotiate("setup", pc, left, self._open_channel)
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

    @sends("restart")
    async def restart(self, *, timeout: float | None = None) -> None:
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
            await self._negotiate("restart", pc, self._deadline_of("restart", limit))
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
            handle.publish(event)

    def _event(self, msg: dict[str, Any], verb: Any) -> TextRoomEvent | None:
        cls = _EVENT_CLASSES.get(verb) if isinstance(verb, str) else None
        if cls is None:
            if "error_code" not in msg:
                return None
            cls = TextRoomErrorEvent  # errors also come as {"textroom": "event", ...}
        room = opt_id(msg.get("room"))
        common: dict[str, Any] = {"room": room, "data": msg, "raw": msg, **self._handle_ids()}
        if cls is TextRoomMessageEvent:
            whisper = msg.get("whisper") is True
            me = None
            if whisper and room is not None:
                me = self._rooms.get(room) or self._joining.get(room)
            return TextRoomMessageEvent(
                sender=opt_str(msg.get("from")),
                to=me,
                text=opt_str(msg.get("text")) or "",
                date=opt_str(msg.get("date")),
                whisper=whisper,
                display=opt_str(msg.get("display")),
                **common,
            )
        if cls is TextRoomAnnouncementEvent:
            return TextRoomAnnouncementEvent(
                text=opt_str(msg.get("text")) or "", date=opt_str(msg.get("date")), **common
            )
        if cls is TextRoomJoinEvent:
            return TextRoomJoinEvent(
                username=opt_str(msg.get("username")),
                display=opt_str(msg.get("display")),
                **common,
            )
        if cls is TextRoomLeaveEvent:
            return TextRoomLeaveEvent(username=opt_str(msg.get("username")), **common)
        if cls is TextRoomKickedEvent:
            username = opt_str(msg.get("username"))
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
                reason=opt_str(msg.get("error")),
                transaction=opt_str(msg.get("transaction")),
                **common,
            )
        return cls(**common)

    # ---------------------------------------------------- data channel output
    def _require_channel(self) -> RTCDataChannel:
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        channel = self._channel
        if channel is None or channel.readyState != "open":
            # The message is 0.9.x's; the note (shown in tracebacks) says what to do.
            if channel is None:
                hint = "call `await plugin.setup()` after attach, before TextRoom requests"
            else:
                hint = f"the data channel is {channel.readyState}: call `plugin.restart()`"
            error = TextRoomStateError("DataChannel not established", hint=hint)
            if hasattr(error, "add_note"):  # Python 3.11+
                error.add_note(hint)
            raise error
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
        enforce_str(verb, name="body['textroom']")
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
    @request("join", result=lambda data: _items(data, "participants"))
    async def join_room(
        self,
        room: RoomId,
        username: NonEmpty,
        display: str | None = None,
        pin: Secret | None = None,
        token: Secret | None = None,
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
        ...

    @request("leave", result=_nothing)
    async def leave_room(self, room: RoomId, timeout: float | None = None) -> None:
        """Leave a room over the data channel (``leave``).

        Args:
            room: The room.
            timeout: Deadline in seconds.

        Raises:
            TextRoomError: Not in that room (422), no such room (417), ...
        """
        ...

    @request("message", result=_nothing, check=_check_whisper)
    async def send_message(
        self,
        room: RoomId,
        text: str,
        to: NonEmpty | None = None,
        tos: list[str] | None = None,
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
        ...

    async def _send_declared(
        self, spec: RequestSpec, body: dict[str, Any], *, timeout: float | None
    ) -> dict[str, Any]:
        """Send a declared request over the data channel or the Janus API.

        ``join``, ``leave`` and ``message`` always go over the data channel (and
        keep `joined_rooms` up to date), ``kick`` and ``announcement`` when called
        with ``data_channel=True``; the others over the Janus API.
        ``destroy`` of a room we are in expects the second ``destroyed`` notice
        Janus sends us (as participant and as requester) and drops it.
        """
        verb = spec.request
        over_channel = body.pop("data_channel", False) is True or verb in _OVER_CHANNEL
        if verb == "destroy":
            return await self._destroy(spec, body, timeout)
        if not over_channel:
            return await super()._send_declared(spec, body, timeout=timeout)
        fields = {key: value for key, value in body.items() if key != "request"}
        if verb == "join":
            return await self._join(fields, timeout)
        if fields.get("ack") is False:  # not acknowledged: send, do not wait
            self._limit(timeout)
            channel = self._require_channel()
            tid = self._transactions.new_id()
            self._send(channel, {"textroom": verb, "transaction": tid, **fields})
            return {}
        reply = await self._dc_request(verb, fields, timeout)
        if verb == "leave":
            self._rooms.pop(fields["room"], None)
        return reply

    async def _join(self, fields: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        room, username = fields["room"], fields["username"]
        self._joining[room] = username  # whispers to us before the reply know our name
        try:
            reply = await self._dc_request("join", fields, timeout)
        finally:
            if self._joining.get(room) == username:
                del self._joining[room]
        self._rooms[room] = username
        self._extra_destroyed.pop(room, None)
        return reply

    async def _destroy(
        self, spec: RequestSpec, body: dict[str, Any], timeout: float | None
    ) -> dict[str, Any]:
        room = body["room"]
        joined = room in self._rooms
        if joined:
            # Janus will notify us twice: as a participant and as the requester.
            self._extra_destroyed[room] = self._extra_destroyed.get(room, 0) + 1
        try:
            return await super()._send_declared(spec, body, timeout=timeout)
        except BaseException:
            if joined:
                left = self._extra_destroyed.get(room, 0) - 1
                if left > 0:
                    self._extra_destroyed[room] = left
                else:
                    self._extra_destroyed.pop(room, None)
            raise

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
