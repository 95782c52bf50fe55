"""`SipCall`: one SIP call of a `JanusSipPlugin` handle, with awaitable state."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ...errors import InvalidStateError
from ...validate import enforce_timeout
from .events import SipAck, SipCallError, SipEvent, SipEventType

if TYPE_CHECKING:
    from ...webrtc import JanusPeerConnection
    from .plugin import JanusSipPlugin

__all__ = ["SipCall", "SipCallState"]

_T = TypeVar("_T")


class SipCallState(str, enum.Enum):
    """Where a `SipCall` is."""

    #: We sent the INVITE (``calling``).
    CALLING = "calling"
    #: The callee's phone rings (180, ``ringing``).
    RINGING = "ringing"
    #: The callee sent a provisional response (``proceeding``).
    PROCEEDING = "proceeding"
    #: Early media: the callee's 183 with SDP (``progress``).
    PROGRESS = "progress"
    #: Someone calls us (``incomingcall``), not accepted yet.
    INCOMING = "incoming"
    #: Answered (``accepted``): media flows.
    ACCEPTED = "accepted"
    #: Over (``hangup``), whoever ended it, answered or not.
    ENDED = "ended"


_RANK = {
    SipCallState.CALLING: 0,
    SipCallState.PROCEEDING: 1,
    SipCallState.RINGING: 2,
    SipCallState.PROGRESS: 3,
}


class SipCall:
    """One call (outgoing or incoming) on a `JanusSipPlugin` handle.

    Returned by `JanusSipPlugin.call` and `JanusSipPlugin.wait_incoming_call`.
    Its state follows the plugin's events; await `answered` and `ended`:

    ```python
    call = await sip.call("sip:bob@example.com")
    await call.answered()          # raises SipCallError if refused/busy
    await call.send_dtmf("123")
    await call.hangup()
    event = await call.ended()     # the plugin's hangup event (code, reason)
    ```

    Attributes:
        direction: ``"outgoing"`` or ``"incoming"``.
        peer_uri: Who we call, or who calls us.
        call_id: The SIP Call-ID (known after ``calling`` / with ``incomingcall``).
        offer: The JSEP offer of an incoming call (None for offerless INVITEs).
        incoming_event: The ``incomingcall`` event of an incoming call.
        events: The plugin events about this call, in order.
        dtmf_received: Digits the peer sent with SIP INFO (``application/dtmf-relay``).
        on_hold: Whether we put the call on hold (`hold`, until `unhold`).
    """

    def __init__(
        self,
        plugin: JanusSipPlugin,
        direction: str,
        peer_uri: str | None,
        *,
        call_id: str | None = None,
        offer: Mapping[str, Any] | None = None,
        incoming_event: SipEvent | None = None,
    ) -> None:
        loop = asyncio.get_running_loop()
        self._plugin = plugin
        self.direction = direction
        self.peer_uri = peer_uri
        self.call_id = call_id
        self.offer = dict(offer) if offer is not None else None
        self.incoming_event = incoming_event
        self.events: list[SipEvent] = []
        self.dtmf_received: list[str] = []
        self.on_hold = False
        self._state = SipCallState.INCOMING if direction == "incoming" else SipCallState.CALLING
        self._answered: asyncio.Future[SipCall] = loop.create_future()
        self._ended: asyncio.Future[SipEvent | None] = loop.create_future()
        self._hangup: SipEvent | None = None
        self._was_answered = False
        self._dtmf_event = asyncio.Event()

    def __repr__(self) -> str:
        return (
            f"<SipCall {self.direction} {self.peer_uri!r} {self._state.value}"
            f" call_id={self.call_id!r}>"
        )

    # ------------------------------------------------------------------ state
    @property
    def state(self) -> SipCallState:
        """The current state."""
        return self._state

    @property
    def active(self) -> bool:
        """Whether the call is not over yet."""
        return self._state is not SipCallState.ENDED

    @property
    def missed(self) -> bool:
        """Whether an incoming call ended before we accepted it (cancelled, declined)."""
        return (
            self.direction == "incoming"
            and self._state is SipCallState.ENDED
            and not self._was_answered
        )

    @property
    def hangup_code(self) -> int | None:
        """The SIP code of the ``hangup`` event (200 for a BYE, 486, 487, 603, ...)."""
        return self._hangup.code if self._hangup is not None else None

    @property
    def hangup_reason(self) -> str | None:
        """The reason of the ``hangup`` event (``"Session Terminated"``, ``"Busy Here"``)."""
        return self._hangup.reason if self._hangup is not None else None

    @property
    def peer(self) -> JanusPeerConnection:
        """The WebRTC peer connection between us and Janus for this call.

        Raises:
            InvalidStateError: There is none (not accepted yet, or ended).
        """
        return self._plugin.peer

    async def answered(self, timeout: float | None = None) -> SipCall:
        """Wait until the call is answered (returns at once if it is).

        Args:
            timeout: Seconds to wait (None: no limit beyond the call's own end).

        Raises:
            SipCallError: The call ended first (refused, busy, cancelled); it
                carries the SIP code and reason.
            TimeoutError: Not answered within ``timeout`` seconds.
        """
        return await self._wait(
            self._answered, timeout, f"to {self.peer_uri!r} not answered within"
        )

    async def ended(self, timeout: float | None = None) -> SipEvent | None:
        """Wait until the call is over, whoever ends it (returns at once if it is).

        Returns:
            The plugin's ``hangup`` event (code and reason), or None when the call
            ended without one (the handle was detached).

        Raises:
            TimeoutError: Still going after ``timeout`` seconds.
        """
        return await self._wait(self._ended, timeout, f"with {self.peer_uri!r} still going after")

    async def _wait(self, future: asyncio.Future[_T], timeout: float | None, late: str) -> _T:
        # The future is shielded: a caller's timeout does not settle the call's state.
        limit = enforce_timeout(timeout)
        try:
            return await asyncio.wait_for(asyncio.shield(future), limit)
        except asyncio.TimeoutError:
            raise TimeoutError(f"SIP call {late} {limit} s") from None

    async def wait_dtmf(self, count: int = 1, *, timeout: float | None = 10.0) -> list[str]:
        """Wait until ``count`` SIP INFO DTMF digits were received; return them all."""
        limit = enforce_timeout(timeout)

        async def enough() -> None:
            while len(self.dtmf_received) < count:
                self._dtmf_event.clear()
                await self._dtmf_event.wait()

        try:
            await asyncio.wait_for(enough(), limit)
        except asyncio.TimeoutError:
            raise TimeoutError(f"fewer than {count} DTMF digits within {limit} s") from None
        return list(self.dtmf_received)

    # --------------------------------------------------------------- actions
    def _check_current(self) -> None:
        if self._plugin.current_call is not self or not self.active:
            raise InvalidStateError(f"{self!r} is over")

    async def accept(self, **options: Any) -> SipCall:
        """Accept this incoming call; see `JanusSipPlugin.accept` for the options."""
        self._check_current()
        return await self._plugin.accept(**options)

    async def decline(self, code: int | None = None, *, timeout: float | None = None) -> SipAck:
        """Decline this incoming call with a SIP ``code`` (Janus' default: 486)."""
        self._check_current()
        return await self._plugin.decline(code, timeout=timeout)

    async def hangup(self, *, timeout: float | None = None) -> SipAck:
        """Hang up (BYE), or cancel the call while it rings (CANCEL)."""
        self._check_current()
        return await self._plugin.hangup(timeout=timeout)

    async def hold(self, direction: str | None = None, *, timeout: float | None = None) -> SipAck:
        """Put the call on hold (a re-INVITE with ``sendonly``, or ``direction``)."""
        self._check_current()
        ack = await self._plugin.hold(direction, timeout=timeout)  # type: ignore[arg-type]
        self.on_hold = True
        return ack

    async def unhold(self, *, timeout: float | None = None) -> SipAck:
        """Resume the call after `hold`."""
        self._check_current()
        ack = await self._plugin.unhold(timeout=timeout)
        self.on_hold = False
        return ack

    async def send_dtmf(
        self, digits: str, *, duration: int | None = None, timeout: float | None = None
    ) -> None:
        """Send DTMF digits to the peer, one SIP INFO (``dtmf_info``) per digit."""
        self._check_current()
        for digit in digits:
            await self._plugin.dtmf_info(digit, duration=duration, timeout=timeout)

    async def transfer(
        self, uri: str, *, replaces: str | None = None, timeout: float | None = None
    ) -> SipAck:
        """Ask the peer to call ``uri`` (a REFER): blind, or attended with ``replaces``."""
        self._check_current()
        return await self._plugin.transfer(uri, call_id=replaces, timeout=timeout)

    # ---------------------------------------------------- updates from the plugin
    def apply_event(self, event: SipEvent) -> None:
        """Follow one plugin event about this call (`JanusSipPlugin` calls it)."""
        self.events.append(event)
        if event.call_id and self.call_id is None:
            self.call_id = event.call_id
        kind = event.type
        if kind is SipEventType.RINGING:
            self._set(SipCallState.RINGING)
        elif kind is SipEventType.PROCEEDING:
            self._set(SipCallState.PROCEEDING)
        elif kind is SipEventType.PROGRESS:
            self._set(SipCallState.PROGRESS)
        elif kind is SipEventType.ACCEPTED:
            self.mark_answered()
        elif kind is SipEventType.HANGUP:
            self.mark_ended(event)
        elif kind is SipEventType.INFO:
            digit = event.dtmf
            if digit is not None:
                self.dtmf_received.append(digit)
                self._dtmf_event.set()

    def _set(self, state: SipCallState) -> None:
        # Only forward: Janus sends ``proceeding`` for every provisional response,
        # also after the 180 (``ringing``) or 183 (``progress``) it reports.
        if _RANK.get(state, 0) > _RANK.get(self._state, 99):
            self._state = state

    def mark_answered(self) -> None:
        """Record that the call is answered (`JanusSipPlugin` calls it)."""
        if self._state is SipCallState.ENDED:
            return
        self._state = SipCallState.ACCEPTED
        self._was_answered = True
        if not self._answered.done():
            self._answered.set_result(self)

    def mark_ended(self, event: SipEvent | None) -> None:
        """Record the end of the call, with its ``hangup`` event (`JanusSipPlugin` calls it)."""
        if self._state is SipCallState.ENDED:
            return
        self._state = SipCallState.ENDED
        self._hangup = event
        if not self._answered.done():
            code = event.code if event is not None else None
            reason = event.reason if event is not None else "handle closed"
            self._answered.set_exception(
                SipCallError(
                    f"the call with {self.peer_uri!r} ended before it was answered: "
                    f"{code or ''} {reason or ''}".rstrip(),
                    sip_code=code,
                    sip_reason=reason,
                )
            )
            # Nobody may be awaiting answered(): do not warn about the exception.
            self._answered.exception()
        if not self._ended.done():
            self._ended.set_result(event)
