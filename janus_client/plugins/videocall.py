"""The VideoCall plugin: two registered users call each other through Janus.

Each user attaches a `JanusVideoCallPlugin`, registers a username, and then either
calls another username or waits for a call and accepts it. Janus relays the media
of the two peer connections to each other.

Example, with both ends in one program:

```python
alice, bob = JanusVideoCallPlugin(), JanusVideoCallPlugin()
await alice.attach(session_a)
await bob.attach(session_b)
await alice.register("alice")
await bob.register("bob")
await alice.call("bob")
caller, offer = await bob.wait_incoming_call()
await bob.accept()
await alice.wait_accepted()
...
await bob.hangup()
await alice.wait_hangup()
```
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from ..errors import InvalidStateError, JanusError, ServerError
from ..events import HangupEvent, JanusEvent, PluginEvent, result_object
from ..handle import PluginResponse
from ..validate import enforce_str
from .declare import Range, build_body, request, sends
from .media import JanusMediaPlugin, load_webrtc, media_alias
from .videocall_events import _PLUGIN, VideoCallError, VideoCallEvent, VideoCallEventType

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack, RTCConfiguration
    from aiortc.contrib.media import MediaPlayer, MediaRecorder

    from ..webrtc import JanusPeerConnection

__all__ = [
    "JanusVideoCallPlugin",
    "VideoCallError",
    "VideoCallEvent",
    "VideoCallEventType",
]

logger = logging.getLogger("janus_client")


_T = TypeVar("_T")


def _users(data: dict[str, Any]) -> list[str]:
    users = result_object(data).get("list")
    return [u for u in users if isinstance(u, str)] if isinstance(users, list) else []


def _result(reply: PluginResponse) -> Mapping[str, Any]:
    return result_object(reply.data)


def _event(data: Mapping[str, Any]) -> object:
    return result_object(data).get("event")


#: How long `call` waits for Janus to report the previous PeerConnection closed.
_JANUS_PC_CLOSE_WAIT = 5.0

# How telling a hangup reason is: the core's ("Close PC", "DTLS alert"), the
# plugin's report that the peer's PC closed, an explicit one ("We did the
# hangup", a reason given to hangup(), "User busy").
_REASON_CORE = 0
_REASON_REMOTE_PC = 1
_REASON_EXPLICIT = 2

# Call states.
_IDLE = "idle"  # no call yet
_CALLING = "calling"  # we called, the callee has not accepted yet
_INCOMING = "incoming"  # someone calls us, not accepted yet
_ACTIVE = "active"  # accepted
_ENDING = "ending"  # hung up, the media is being closed
_ENDED = "ended"  # hung up (by anyone), or the peer connection closed; media closed


class JanusVideoCallPlugin(JanusMediaPlugin):
    """Client of ``janus.plugin.videocall``: one-to-one calls relayed by Janus.

    Register a username, then `call` another one, or wait for a call
    (`wait_incoming_call`, or an ``INCOMINGCALL`` event) and `accept` it. The peer
    connection is created by `call` and `accept` and closed when the call ends,
    whoever ends it. Renegotiation offers from the peer (``update`` events) are
    answered automatically.

    Events: ``on_event(VideoCallEvent, cb)`` and ``events(VideoCallEvent)`` give
    the typed events; ``on_event(VideoCallEventType.X, cb)`` calls ``cb`` with the
    0.9.x dict (see `VideoCallEvent.compat_dict`). Replies to our own requests
    (``registered``, ``calling``, the callee's ``accepted``, ``set``, our
    ``hangup``) are returned by the methods and are not events; the peer's
    ``incomingcall``, ``accepted`` (to the caller), ``update`` and ``hangup`` are.

    Args:
        pc_config: An `aiortc.RTCConfiguration` for the peer connections.
    """

    name = _PLUGIN
    error_class = VideoCallError
    event_class = VideoCallEvent
    event_types = VideoCallEventType

    def __init__(self, pc_config: RTCConfiguration | None = None, **kwargs: Any) -> None:
        super().__init__(pc_config, **kwargs)
        self._username: str | None = None
        self._peer: str | None = None
        self._state = _IDLE
        self._incoming_offer: dict[str, Any] | None = None
        self._pending_settings: dict[str, Any] = {}
        self._changed = asyncio.Event()
        self._renegotiations = 0
        self._reason_rank = -1
        # Whether Janus has a PeerConnection for this handle that it has not yet
        # reported closed (core "hangup"): a new offer before that report fails
        # with 490 "Error setting ICE locally", and the late report would close
        # the new call's peer connection.
        self._janus_pc = False

    # ------------------------------------------------------------------ state
    @property
    def username(self) -> str | None:
        """Our registered username, or None before `register`."""
        return self._username

    @property
    def peer_username(self) -> str | None:
        """The other party of the current (or last) call."""
        return self._peer

    @property
    def in_call(self) -> bool:
        """Whether a call is in progress: calling, ringing or accepted."""
        return self._state in (_CALLING, _INCOMING, _ACTIVE)

    @property
    def call_state(self) -> str:
        """``"idle"``, ``"calling"``, ``"incoming"``, ``"active"``, ``"ending"`` or ``"ended"``.

        ``"ending"`` lasts while the media of a call that ended is being closed.
        """
        return self._state

    @property
    def hangup_reason(self) -> str | None:
        """Why the last call ended, as Janus said it (None while none ended).

        Janus reports an end several ways (the plugin's ``hangup`` event, its
        ``"Remote WebRTC hangup"``, the core's ``hangup``), in no fixed order; this
        keeps the most telling reason so far: an explicit one (``"We did the
        hangup"``, the peer's ``reason``, ``"User busy"``) over ``"Remote WebRTC
        hangup"`` over the core's (``"Close PC"``, ``"DTLS alert"``).
        """
        return self._hangup_reason

    @property
    def incoming_offer(self) -> dict[str, Any] | None:
        """The SDP offer of the incoming call not accepted yet, if any."""
        return self._incoming_offer if self._state == _INCOMING else None

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _set_state(self, state: str) -> None:
        self._state = state
        self._notify()

    async def _wait(self, check: Callable[[], _T | None], timeout: float | None, what: str) -> _T:
        async def until() -> _T:
            while True:
                value = check()
                if value is not None:
                    return value
                if not self.attached:
                    raise InvalidStateError(f"{type(self).__name__} is not attached")
                await self._changed.wait()

        try:
            return await asyncio.wait_for(until(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"{type(self).__name__}: no {what} within {timeout} s") from None

    def _new_call(self, state: str, peer: str | None) -> None:
        self._peer = peer
        self._hangup_reason = None
        self._reason_rank = -1
        self._set_state(state)

    def _note_reason(self, reason: str | None, rank: int) -> None:
        # Keep the most telling reason; the first of equally telling ones.
        if rank > self._reason_rank:
            self._hangup_reason = reason
            self._reason_rank = rank

    async def _end_call(self, reason: str | None, *, rank: int = _REASON_EXPLICIT) -> None:
        self._note_reason(reason, rank)
        if not self.in_call:
            # Already ending or ended, or a late report about an earlier call: the
            # peer connection, if any, is one `call` is preparing; keep it.
            return
        self._state = _ENDING
        self._incoming_offer = None
        self._pending_settings = {}
        try:
            # Media first: waiting for the hangup then means the media is closed.
            await self._close_pc()
        finally:
            if self._state == _ENDING:
                self._set_state(_ENDED)

    def _settings(
        self, bitrate: int | None, record: bool | None, filename: str | None
    ) -> dict[str, Any]:
        """The ``set`` body applying these settings, or {} when none is given."""
        if bitrate is None and record is None and filename is None:
            return {}
        return build_body(
            type(self).configure, self, bitrate=bitrate, record=record, filename=filename
        )

    async def _wait_janus_pc_closed(self) -> None:
        # After a call ends, Janus reports the old PeerConnection closed about a
        # second later; an offer sent before that is refused (see _janus_pc).
        if not self._janus_pc or self.in_call:
            return
        try:
            await self._wait(
                lambda: True if not self._janus_pc else None,
                _JANUS_PC_CLOSE_WAIT,
                "hangup of the previous PeerConnection",
            )
        except TimeoutError:
            logger.debug("VideoCall: Janus did not report the previous PC closed; going on")
            self._janus_pc = False

    # -------------------------------------------------------------- lifecycle
    def _attached(self) -> None:
        super()._attached()
        self.handle.add_close_hook(self._handle_closed)

    async def _handle_closed(self) -> None:
        # Janus forgets the username and ends the call with the handle.
        self._username = None
        self._janus_pc = False
        if self.in_call:
            await self._end_call("handle closed")
        self._notify()  # waiters raise InvalidStateError

    # --------------------------------------------------------------- requests
    @request("list", mode="async", result=_users)
    async def list_users(self, timeout: float | None = None) -> list[str]:
        """Return the usernames registered on the server (``list``).

        Args:
            timeout: Deadline in seconds.

        Raises:
            VideoCallError: The plugin refused the request.
        """
        ...

    @sends("register")
    async def register(self, username: str, timeout: float | None = None) -> bool:
        """Register ``username``, under which others can call us (``register``).

        A username is freed only when the handle is detached (`destroy`).

        Returns:
            True when Janus confirmed the registration.

        Raises:
            VideoCallError: Code 476 if the name is taken; code 0 if this plugin is
                already registered.
        """
        enforce_str(username, name="username")
        if self._username is not None:
            raise VideoCallError(
                0, f"Already registered as '{self._username}' (one username per handle)"
            )
        reply = await self.message({"request": "register", "username": username}, timeout=timeout)
        result = _result(reply)
        if result.get("event") != "registered":
            return False
        registered = result.get("username")
        self._username = registered if isinstance(registered, str) else username
        return True

    @sends("call")
    async def call(
        self,
        username: str,
        player: MediaPlayer | str | None = None,
        recorder: MediaRecorder | str | None = None,
        trickle: bool = False,
        timeout: float | None = None,
        *,
        play_from: MediaPlayer | str | None = None,
        record_to: MediaRecorder | str | None = None,
        tracks: Iterable[MediaStreamTrack] | None = None,
        read_counters: bool = False,
        bitrate: int | None = None,
        record: bool | None = None,
        filename: str | None = None,
    ) -> bool:
        """Call ``username``: create the peer connection, send the offer (``call``).

        Returns when Janus confirmed the call (``calling``); the callee's answer
        comes later with its ``accepted`` event, and is applied then (see
        `wait_accepted`).

        Media sent comes from ``tracks`` if given (an empty list sends nothing),
        else from ``player`` (an aiortc-style `MediaPlayer`, or a file or device
        path), else from synthetic sources (a frame-counter video and a tone).
        Audio and video are always offered, so the callee's media is received
        even if we send none. Received media goes to ``recorder`` (a
        `MediaRecorder` or a file path), else is counted in
        ``peer_connection.stats``.

        Args:
            username: Who to call.
            player: Media to send (0.9.x name of ``play_from``).
            recorder: Where to record the callee's media (0.9.x name of ``record_to``).
            play_from: Media to send: a `MediaPlayer`, or a file or device path.
            record_to: Where to record the callee's media: a `MediaRecorder` or a path.
            tracks: Tracks to send, instead of ``player``.
            read_counters: Decode frame numbers of a received `FrameCounterVideoTrack`.
            trickle: Accepted for 0.9.x compatibility; candidates are always in the SDP.
            bitrate: Bitrate cap (bit/s) for the callee, applied once accepted.
            record: Record our media on the server, from acceptance on.
            filename: Base path of that recording.
            timeout: Deadline of the ``call`` request, in seconds.

        Returns:
            True when the callee is being called; False when Janus ended the
            attempt at once (for example ``User busy``).

        Raises:
            VideoCallError: Code 478 for an unknown user, 479 for calling
                ourselves, 480 if Janus thinks we are in a call; code 0 if we are
                not registered or already in a call.
            MediaUnavailableError: The ``media`` extra is not installed.
        """
        del trickle
        player = media_alias("play_from", play_from, "player", player)
        recorder = media_alias("record_to", record_to, "recorder", recorder)
        enforce_str(username, name="username")
        settings = self._settings(bitrate, record, filename)
        if self._username is None:
            raise VideoCallError(0, "Must register a username first (register, then call)")
        if self.in_call:
            raise VideoCallError(0, f"Already in a call (with {self._peer!r}); hang up first")
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        load_webrtc()  # MediaUnavailableError before anything is sent
        await self._wait_janus_pc_closed()
        pc = await self._new_pc(record_to=recorder or None, read_counters=read_counters)
        try:
            self._add_media(pc, player, tracks)
            self._offer_both_kinds(pc)
            offer = await pc.create_offer()
            # Before sending: the callee may accept before this coroutine resumes.
            self._pending_settings = settings
            self._janus_pc = True
            self._new_call(_CALLING, username)
            reply = await self.message(
                {"request": "call", "username": username}, offer, timeout=timeout
            )
        except BaseException as exc:
            if isinstance(exc, ServerError):  # the core refused the offer: no PC there
                self._janus_pc = False
            self._pending_settings = {}
            if self._state == _CALLING:
                self._set_state(_IDLE)
            await self._close_pc()
            raise
        result = _result(reply)
        if result.get("event") == "calling":
            return True
        reason = result.get("reason")
        logger.info("VideoCall: calling %r failed: %s", username, reason or result)
        await self._end_call(reason if isinstance(reason, str) else None)
        return False

    @sends("accept")
    async def accept(
        self,
        jsep: Mapping[str, Any] | None = None,
        player: MediaPlayer | str | None = None,
        recorder: MediaRecorder | str | None = None,
        trickle: bool = False,
        timeout: float | None = None,
        *,
        play_from: MediaPlayer | str | None = None,
        record_to: MediaRecorder | str | None = None,
        tracks: Iterable[MediaStreamTrack] | None = None,
        read_counters: bool = False,
        bitrate: int | None = None,
        record: bool | None = None,
        filename: str | None = None,
    ) -> bool:
        """Accept the incoming call: answer its offer with our media (``accept``).

        Media arguments are as for `call`. The call is up when this returns.

        Args:
            jsep: The caller's offer; default: the one of the last ``incomingcall``.
            player: Media to send (0.9.x name of ``play_from``).
            recorder: Where to record the caller's media (0.9.x name of ``record_to``).
            play_from: Media to send: a `MediaPlayer`, or a file or device path.
            record_to: Where to record the caller's media: a `MediaRecorder` or a path.
            tracks: Tracks to send, instead of ``player`` (``[]``: receive only).
            read_counters: Decode frame numbers of a received `FrameCounterVideoTrack`.
            trickle: Accepted for 0.9.x compatibility; candidates are always in the SDP.
            bitrate: Bitrate cap (bit/s) for the caller.
            record: Record our media on the server.
            filename: Base path of that recording.
            timeout: Deadline of each request, in seconds.

        Returns:
            True when Janus confirmed (``accepted``).

        Raises:
            VideoCallError: Code 0 when not registered or no call is ringing; the
                plugin's code when it refuses (481 if the caller gave up).
        """
        del trickle
        player = media_alias("play_from", play_from, "player", player)
        recorder = media_alias("record_to", record_to, "recorder", recorder)
        settings = self._settings(bitrate, record, filename)
        if self._username is None:
            raise VideoCallError(0, "Must register a username first (register, then accept)")
        if self._state != _INCOMING:
            raise VideoCallError(0, "No incoming call to accept (wait for an incomingcall event)")
        offer = dict(jsep) if jsep is not None else self._incoming_offer
        if offer is None or offer.get("type") != "offer":
            raise VideoCallError(0, "the incoming call has no SDP offer to answer")
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        load_webrtc()  # MediaUnavailableError before anything is sent
        pc = await self._new_pc(record_to=recorder or None, read_counters=read_counters)
        try:
            self._add_media(pc, player, tracks)
            answer = await pc.apply(offer)
            if answer is None:  # pragma: no cover - apply answers every offer
                raise VideoCallError(0, "could not answer the offer")
            reply = await self.message({"request": "accept"}, answer, timeout=timeout)
        except BaseException:
            await self._close_pc()
            raise
        if _result(reply).get("event") != "accepted":
            return False
        self._incoming_offer = None
        if self._state == _INCOMING:  # not hung up meanwhile
            self._set_state(_ACTIVE)
        if settings:
            await self.message(settings, timeout=timeout)
        return True

    @request("set", mode="async", result=lambda data: _event(data) == "set")
    async def configure(
        self,
        *,
        audio: bool | None = None,
        video: bool | None = None,
        bitrate: int | None = None,
        record: bool | None = None,
        filename: str | None = None,
        substream: Annotated[int, Range(0, 2)] | None = None,
        temporal: Annotated[int, Range(0, 2)] | None = None,
        fallback: int | None = None,
        restart: bool | None = None,
        timeout: float | None = None,
    ) -> bool:
        """Change the call's settings (``set``); only the given ones are sent.

        The same request as the 0.9.x `set_media`, keyword arguments only (the
        name other plugins use too); `renegotiate` sends one with a new offer.

        Args:
            audio: Relay our audio to the peer, or not.
            video: Relay our video to the peer, or not.
            bitrate: Cap the bitrate (bit/s, via REMB) we are asked to send; 0: no cap.
            record: Start or stop recording our media on the server.
            filename: Base path of the recording (``-audio.mjr``, ... are appended).
            substream: Simulcast substream to receive (0-2).
            temporal: Simulcast temporal layer to receive (0-2).
            fallback: Microseconds without packets before dropping a substream.
            restart: Tell Janus a renegotiation offer is an ICE restart.
            timeout: Deadline in seconds.

        Returns:
            True when Janus confirmed (``set``).

        Raises:
            VideoCallError: The plugin refused a setting (474 for a bad value).
        """
        ...

    async def set_media(
        self,
        audio: bool | None = None,
        video: bool | None = None,
        bitrate: int | None = None,
        record: bool | None = None,
        filename: str | None = None,
        substream: int | None = None,
        temporal: int | None = None,
        fallback: int | None = None,
        jsep: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        *,
        restart: bool | None = None,
    ) -> bool:
        """Change the call's settings (``set``); only the given ones are sent.

        Args:
            audio: Relay our audio to the peer, or not.
            video: Relay our video to the peer, or not.
            bitrate: Cap the bitrate (bit/s, via REMB) we are asked to send; 0: no cap.
            record: Start or stop recording our media on the server.
            filename: Base path of the recording (``-audio.mjr``, ... are appended).
            substream: Simulcast substream to receive (0-2).
            temporal: Simulcast temporal layer to receive (0-2).
            fallback: Microseconds without packets before dropping a substream.
            jsep: A renegotiation offer or answer to send along (see `renegotiate`).
            restart: Tell Janus the offer in ``jsep`` is an ICE restart.
            timeout: Deadline in seconds.

        Returns:
            True when Janus confirmed (``set``).

        Raises:
            VideoCallError: The plugin refused a setting (474 for a bad value).
        """
        body = build_body(
            type(self).configure,
            self,
            audio=audio,
            video=video,
            bitrate=bitrate,
            record=record,
            filename=filename,
            substream=substream,
            temporal=temporal,
            fallback=fallback,
            restart=restart,
        )
        reply = await self.message(body, jsep, timeout=timeout)
        return _event(reply.data) == "set"

    async def renegotiate(
        self, *, timeout: float | None = None, answer_timeout: float | None = None
    ) -> None:
        """Send a new offer for the current call and wait for the peer's answer.

        The offer goes with a ``set`` request; the peer gets it in an ``update``
        event (this class answers those automatically) and its answer comes back
        to us in an ``update`` event, applied on arrival.

        Args:
            timeout: Deadline of the ``set`` request, in seconds.
            answer_timeout: How long to wait for the peer's answer, in seconds (None:
                the session's ``Timeouts.request``).

        Raises:
            InvalidStateError: No peer connection, or detached while waiting.
            VideoCallError: The call ended before the answer came.
            TimeoutError: No answer within ``answer_timeout`` seconds.
        """
        pc = self.peer
        before = self._renegotiations
        offer = await pc.create_offer()
        await self.set_media(jsep=offer, timeout=timeout)

        def answered() -> bool | None:
            if self._renegotiations > before:
                return True
            if not self.in_call:
                raise VideoCallError(0, "the call ended before the renegotiation completed")
            return None

        await self._wait(answered, self._deadline(answer_timeout), "renegotiation answer")

    @sends("hangup")
    async def hangup(  # type: ignore[override]  # returns a bool, as in 0.9.x
        self, timeout: float | None = None, *, reason: str | None = None
    ) -> bool:
        """End the call, cancel our call attempt, or decline an incoming call.

        Sends the VideoCall ``hangup`` request and closes our peer connection; the
        peer gets a ``hangup`` event. Unlike `JanusPlugin.hangup`, this is the
        plugin's request, not the core one.

        Args:
            timeout: Deadline in seconds.
            reason: The reason the peer's event gives (Janus' default: ``"We did
                the hangup"``).

        Returns:
            True when Janus confirmed (``hangup``).
        """
        body: dict[str, Any] = {"request": "hangup"}
        if reason is not None:
            if not isinstance(reason, str):
                raise TypeError(f"reason must be a string, got {type(reason).__name__}")
            body["reason"] = reason
        try:
            reply = await self.message(body, timeout=timeout)
        finally:
            if self.in_call or self._pc is not None:
                await self._end_call(reason or "Explicit hangup")
        return _result(reply).get("event") == "hangup"

    # -------------------------------------------------------------- waiting
    async def wait_incoming_call(
        self, *, timeout: float | None = None
    ) -> tuple[str, dict[str, Any] | None]:
        """Wait for a call to ring (returns at once if one is ringing).

        Args:
            timeout: Seconds to wait (None: the session's ``Timeouts.request``).

        Returns:
            The caller's username and the SDP offer (pass-through for `accept`).

        Raises:
            TimeoutError: No call within ``timeout`` seconds.
            InvalidStateError: Not attached, or detached while waiting.
        """

        def ringing() -> tuple[str, dict[str, Any] | None] | None:
            if self._state == _INCOMING:
                return (self._peer or "", self._incoming_offer)
            return None

        return await self._wait(ringing, self._deadline(timeout), "incoming call")

    async def wait_accepted(self, *, timeout: float | None = None) -> str:
        """Wait until the call is accepted (returns at once if it is).

        Args:
            timeout: Seconds to wait (None: the session's ``Timeouts.request``).

        Returns:
            The peer's username.

        Raises:
            VideoCallError: Code 0 when the call ended instead (declined, busy).
            TimeoutError: Not accepted within ``timeout`` seconds.
            InvalidStateError: Not attached, or detached while waiting.
        """

        def accepted() -> str | None:
            if self._state == _ACTIVE:
                return self._peer or ""
            if self._state in (_ENDING, _ENDED):
                raise VideoCallError(0, f"the call ended: {self._hangup_reason or 'hangup'}")
            return None

        return await self._wait(accepted, self._deadline(timeout), "accepted call")

    async def wait_hangup(self, *, timeout: float | None = None) -> str | None:
        """Wait until the call ends, whoever ends it (returns at once if it has).

        Args:
            timeout: Seconds to wait (None: the session's ``Timeouts.request``).

        Returns:
            The reason Janus gave (``"Explicit hangup"``, ``"Remote WebRTC hangup"``, ...).

        Raises:
            TimeoutError: Still in a call after ``timeout`` seconds.
            InvalidStateError: Not attached, or detached while waiting.
        """
        limit = self._deadline(timeout)
        await self._wait(lambda: True if self._state == _ENDED else None, limit, "hangup")
        return self._hangup_reason

    # ---------------------------------------------------------------- media
    def _offer_both_kinds(self, pc: JanusPeerConnection) -> None:
        # Offer both kinds, so that the callee's media is received in any case.
        kinds = {t.kind for t in pc.pc.getTransceivers()}
        for kind in ("audio", "video"):
            if kind not in kinds:
                pc.pc.addTransceiver(kind, direction="recvonly")

    def _answer_body(self, event: PluginEvent) -> dict[str, Any]:
        # The answer to a renegotiation offer goes back with a "set" request.
        return {"request": "set"}

    async def _process_event(self, event: JanusEvent) -> None:
        if isinstance(event, VideoCallEvent):
            await self._process_videocall(event)
        elif isinstance(event, HangupEvent):
            # Our peer connection closed (ours failed, or Janus closed it). The
            # plugin's hangup event, when there is one, has the better reason.
            self._janus_pc = False
            self._notify()
            await self._end_call(event.reason, rank=_REASON_CORE)
        else:
            await super()._process_event(event)

    async def _process_videocall(self, event: VideoCallEvent) -> None:
        kind = event.type
        if kind is VideoCallEventType.INCOMINGCALL:
            self._incoming_offer = dict(event.jsep) if event.jsep is not None else None
            self._janus_pc = event.jsep is not None
            self._new_call(_INCOMING, event.username)
        elif kind is VideoCallEventType.ACCEPTED:
            await self._accepted(event)
        elif kind is VideoCallEventType.UPDATE:
            if event.jsep is not None:
                await self._handle_jsep(event, event.jsep)
                if event.jsep.get("type") == "answer":
                    self._renegotiations += 1
                    self._notify()
        elif kind is VideoCallEventType.HANGUP:
            await self._hung_up(event)
        elif kind is VideoCallEventType.CALLING and self._state == _IDLE:
            self._set_state(_CALLING)  # a late reply: the call request timed out

    async def _hung_up(self, event: VideoCallEvent) -> None:
        # Janus may send the peer two hangup events for one hangup (the request's,
        # then "Remote WebRTC hangup" when the hanging-up side's PC closes), in
        # either order: the first one ends the call, later ones must not end the
        # next call, and the most telling reason is kept.
        rank = _REASON_REMOTE_PC if event.reason == "Remote WebRTC hangup" else _REASON_EXPLICIT
        who = event.username
        if (
            self.in_call
            and who is not None
            and self._peer is not None
            and who not in (self._peer, self._username)
        ):
            logger.debug("VideoCall: ignoring a late hangup from %r", who)
            return
        await self._end_call(event.reason, rank=rank)

    async def _accepted(self, event: VideoCallEvent) -> None:
        # The callee accepted our call: its answer comes with the event.
        if self._state != _CALLING:
            logger.debug("VideoCall: ignoring an accepted event in state %s", self._state)
            return
        if event.username:
            self._peer = event.username
        if event.jsep is not None:
            try:
                await self._handle_jsep(event, event.jsep)
            except Exception as exc:
                logger.error("VideoCall: the answer of %r is unusable: %s", self._peer, exc)
                await self._end_call(f"unusable answer: {exc}")
                with contextlib.suppress(JanusError):  # best effort: tell the peer
                    await self.message({"request": "hangup", "reason": "unusable answer"})
                return
        if self._state != _CALLING:  # hung up meanwhile
            return
        self._set_state(_ACTIVE)
        settings, self._pending_settings = self._pending_settings, {}
        if settings:
            try:
                await self.message(settings)
            except JanusError as exc:
                logger.warning("VideoCall: applying %s after acceptance failed: %s", settings, exc)
