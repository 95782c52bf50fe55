"""`JanusSipPlugin`: register to a SIP server, place and answer calls with WebRTC media."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from ...errors import InvalidStateError, RequestTimeoutError
from ...events import JanusEvent, PluginEvent
from ...handle import PluginResponse
from ...validate import (
    enforce_bool,
    enforce_callable,
    enforce_int,
    enforce_mapping,
    enforce_secret,
    enforce_str,
    enforce_timeout,
)
from ..declare import RequestSpec, Secret, request, sends
from ..media import JanusMediaPlugin, load_webrtc
from .call import SipCall, SipCallState
from .events import (
    SIP_PLUGIN,
    SipAck,
    SipError,
    SipEvent,
    SipEventType,
    SipRegistrationError,
)

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack, RTCConfiguration
    from aiortc.contrib.media import MediaPlayer, MediaRecorder

    from ...webrtc import JanusPeerConnection

__all__ = ["JanusSipPlugin"]

logger = logging.getLogger("janus_client")

#: How long `register` and `unregister` wait for the registrar's answer by default.
REGISTER_WAIT = 15.0
#: How often `hold` / `unhold` are sent again while Janus does not answer them.
HOLD_RETRY = 1.0

#: The answer each request gets from the plugin. Janus pushes some events (``ringing``,
#: ``hangup``, ``registered``) with the transaction of the request that started them,
#: from another thread: one can arrive before the answer and be taken for it. Such an
#: early event is then processed as the event it is.
_ACKS: dict[str, frozenset[str]] = {
    "register": frozenset({"registering", "registered"}),
    "unregister": frozenset({"unregistering", "unregistered"}),
    "call": frozenset({"calling"}),
    "accept": frozenset({"accepting", "accepted"}),
    "decline": frozenset({"declining"}),
    "hangup": frozenset({"hangingup"}),
    "hold": frozenset({"holding"}),
    "unhold": frozenset({"resuming"}),
    "update": frozenset({"updating", "updated"}),
    "message": frozenset({"messagesent"}),
    "info": frozenset({"infosent"}),
    "dtmf_info": frozenset({"dtmfsent"}),
    "subscribe": frozenset({"subscribing"}),
    "unsubscribe": frozenset({"unsubscribing"}),
    "transfer": frozenset({"transferring"}),
    "recording": frozenset({"recordingupdated"}),
    "reset": frozenset({"reset"}),
}

SrtpMode = Literal["sdes_optional", "sdes_mandatory"]
TrackCallback = Callable[["MediaStreamTrack"], object]


def _put(body: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        body[key] = value


class JanusSipPlugin(JanusMediaPlugin):
    """Client of ``janus.plugin.sip``: a SIP user agent in Janus, WebRTC media to us.

    Janus registers to the SIP server on our behalf and bridges the calls' RTP to
    our WebRTC peer connection:

    ```python
    sip = JanusSipPlugin()
    await sip.attach(session)
    await sip.register("sip:alice@example.com", secret="...", proxy="sip:example.com")
    call = await sip.call("sip:bob@example.com")       # a tone is sent by default
    await call.answered()
    await call.send_dtmf("42")
    await call.hangup()
    await call.ended()
    ```

    Incoming calls: ``call = await sip.wait_incoming_call()`` then
    ``await call.accept()`` (or ``call.decline(603)``). One call per handle at a
    time (Janus answers 486 and sends ``missed_call`` to a second INVITE); use
    ``register(type="helper", master_id=...)`` handles for more.

    Events: ``events(SipEvent)`` or ``on_event(SipEventType.INCOMINGCALL, cb)``
    give every plugin event typed (`SipEvent`). Answers to our own requests
    (``registering``, ``calling``, ``hangingup``, ...) are returned by the methods
    as `SipAck`.

    DTMF: SIP INFO both ways (`dtmf_info` / `SipCall.send_dtmf`; received ones in
    `SipCall.dtmf_received`). RFC 2833 telephone-events in the media path are
    relayed by Janus, but aiortc neither offers nor decodes ``telephone-event``,
    so this client cannot send or read them.

    Args:
        pc_config: An `aiortc.RTCConfiguration` for the peer connections.
    """

    name = SIP_PLUGIN
    error_class = SipError
    event_class = SipEvent
    event_types = SipEventType

    def __init__(self, pc_config: RTCConfiguration | None = None, **kwargs: Any) -> None:
        super().__init__(pc_config, **kwargs)
        self._registered: SipEvent | None = None
        self._reg_waiters: list[asyncio.Future[SipEvent]] = []
        self._call: SipCall | None = None
        self._incoming: asyncio.Queue[SipCall] = asyncio.Queue()
        self._on_track: TrackCallback | None = None

    # ------------------------------------------------------------------ state
    @property
    def registered(self) -> bool:
        """Whether the last ``register`` succeeded (and no ``unregister`` since)."""
        return self._registered is not None

    @property
    def registration(self) -> SipEvent | None:
        """The ``registered`` event of the current registration, or None."""
        return self._registered

    @property
    def current_call(self) -> SipCall | None:
        """The call in progress, or the last one (see `SipCall.active`)."""
        return self._call

    def _attached(self) -> None:
        super()._attached()
        self.handle.add_close_hook(self._handle_closed)

    async def _handle_closed(self) -> None:
        self._registered = None
        if self._call is not None:
            self._call.mark_ended(None)
        for waiter in self._reg_waiters:
            if not waiter.done():
                waiter.set_exception(InvalidStateError("the SIP handle was closed"))
                waiter.exception()
        self._reg_waiters.clear()

    # ---------------------------------------------------------- registration
    @request("register", mode="async", result=SipAck.from_data)
    async def register(
        self,
        username: str,
        *,
        secret: Secret | None = None,
        ha1_secret: Secret | None = None,
        authuser: str | None = None,
        display_name: str | None = None,
        user_agent: str | None = None,
        proxy: str | None = None,
        outbound_proxy: str | None = None,
        headers: Mapping[str, Any] | None = None,
        contact_params: Any = None,
        incoming_header_prefixes: list[str] | None = None,
        refresh: bool | None = None,
        register_ttl: int | None = None,
        type: Literal["guest", "helper"] | None = None,
        send_register: bool | None = None,
        force_udp: bool | None = None,
        force_tcp: bool | None = None,
        sips: bool | None = None,
        rfc2543_cancel: bool | None = None,
        master_id: int | None = None,
        timeout: float | None = None,
    ) -> SipAck:
        """Register a SIP account (``register``); return once the registrar answered.

        Janus sends the REGISTER (answering 401/407 challenges itself) unless
        ``type`` is ``"guest"`` or ``"helper"`` or ``send_register`` is False.
        The returned `SipAck` is the ``registered`` answer; `registration` keeps the
        event.

        Args:
            username: The SIP URI to register (``sip:alice@example.com``).
            secret: The password (never logged).
            ha1_secret: A pre-hashed password instead (never logged).
            authuser: The user to authenticate as, when not the URI's user.
            display_name: The display name in From headers.
            user_agent: The User-Agent header.
            proxy: The registrar / proxy URI (``sip:example.com:5060``).
            outbound_proxy: An outbound proxy URI.
            headers: Extra headers for the REGISTER (name → value).
            contact_params: Extra Contact URI parameters.
            incoming_header_prefixes: Header prefixes of incoming messages that
                events should carry (in `SipEvent.headers`).
            refresh: Only refresh the current registration.
            register_ttl: Registration lifetime in seconds.
            type: ``"guest"`` (no REGISTER: outgoing calls only) or ``"helper"``
                (an extra handle of the ``master_id`` account, for parallel calls).
            send_register: False to skip the REGISTER.
            force_udp: Force UDP for the signalling.
            force_tcp: Force TCP for the signalling.
            sips: Register a SIPS URI too.
            rfc2543_cancel: CANCEL pending INVITEs even without a provisional response.
            master_id: The account a helper belongs to (`SipEvent.master_id` of
                the master's ``registered``).
            timeout: Deadline in seconds for the whole registration (default 15).

        Raises:
            SipRegistrationError: The registrar refused (``registration_failed``,
                with the SIP code).
            SipError: The plugin refused the request (bad URI, already registered).
            TimeoutError: No answer from the registrar in time.
        """
        ...

    @request("unregister", mode="async", result=SipAck.from_data)
    async def unregister(self, *, timeout: float | None = None) -> SipAck:
        """Unregister (``unregister``); return once the registrar answered.

        Raises:
            SipError: Not registered.
            TimeoutError: No answer in time.
        """
        ...

    async def _send_declared(
        self, spec: RequestSpec, body: dict[str, Any], *, timeout: float | None
    ) -> dict[str, Any]:
        if spec.request in ("hold", "unhold"):
            return await self._send_hold(spec.request, body, timeout)
        if spec.request not in ("register", "unregister"):
            reply = await self.message(body, timeout=timeout)
            await self._early_event(spec.request, reply)
            return reply.data
        loop = asyncio.get_running_loop()
        limit = timeout if timeout is not None else REGISTER_WAIT
        deadline = loop.time() + limit
        waiter: asyncio.Future[SipEvent] = loop.create_future()
        self._reg_waiters.append(waiter)
        try:
            reply = await self.message(body, timeout=timeout)
            data = reply.data
            event = SipAck.from_data(data).event
            if event in ("registered", "unregistered"):
                if event == "registered":
                    typed = SipEvent.from_plugin_event(PluginEvent(plugin=SIP_PLUGIN, data=data))
                    self._registered = typed
                else:
                    self._registered = None
                return data
            try:
                final = await asyncio.wait_for(waiter, max(deadline - loop.time(), 0.001))
            except asyncio.TimeoutError:
                raise TimeoutError(
                    f"SIP {spec.request}: no answer from the registrar within {limit:g} s"
                ) from None
            if final.type is SipEventType.REGISTRATION_FAILED:
                raise SipRegistrationError(final)
            return final.data
        finally:
            if waiter in self._reg_waiters:
                self._reg_waiters.remove(waiter)
            if not waiter.done():
                waiter.cancel()

    async def _send_hold(
        self, name: str, body: dict[str, Any], timeout: float | None
    ) -> dict[str, Any]:
        # Janus drops hold/unhold without any answer while a re-INVITE of the call
        # is still in progress (for instance the previous hold's): send it again
        # every second until answered (it is idempotent) or the deadline passes.
        loop = asyncio.get_running_loop()
        limit = timeout if timeout is not None else self.session.timeouts.request
        deadline = loop.time() + limit
        while True:
            attempt = min(HOLD_RETRY, max(deadline - loop.time(), 0.001))
            try:
                reply = await self.message(body, timeout=attempt)
            except RequestTimeoutError:
                if loop.time() >= deadline:
                    raise
                logger.debug("SIP: no answer to %s yet (a re-INVITE in progress?); again", name)
                continue
            await self._early_event(name, reply)
            return reply.data

    # ------------------------------------------------------------------ calls
    @sends("call")
    async def call(
        self,
        uri: str,
        *,
        tracks: Iterable[MediaStreamTrack] | None = None,
        player: MediaPlayer | str | None = None,
        recorder: MediaRecorder | str | None = None,
        on_track: TrackCallback | None = None,
        video: bool = False,
        headers: Mapping[str, Any] | None = None,
        call_id: str | None = None,
        srtp: SrtpMode | None = None,
        srtp_profile: str | None = None,
        autoaccept_reinvites: bool | None = None,
        refer_id: int | None = None,
        secret: str | None = None,
        ha1_secret: str | None = None,
        authuser: str | None = None,
        timeout: float | None = None,
    ) -> SipCall:
        """Call a SIP URI (``call``): create the peer connection, send the INVITE.

        Returns at ``calling``; await `SipCall.answered` for the answer (its SDP
        is applied when it comes, with ``progress`` or ``accepted``).

        Media sent: ``tracks``, else ``player`` (a `MediaPlayer` or a file path),
        else a 440 Hz tone. Received media goes to ``recorder``, else to
        ``on_track(track)`` if given, else is counted in ``peer.stats``.

        Args:
            uri: Who to call (``sip:bob@example.com``).
            tracks: Tracks to send.
            player: A player or media file to send instead.
            recorder: A `MediaRecorder` or file path for the received media.
            on_track: Called with each received track (consume it yourself).
            video: Also offer to receive video.
            headers: Extra INVITE headers.
            call_id: The Call-ID to use.
            srtp: Offer (``sdes_optional``) or require (``sdes_mandatory``) SDES-SRTP.
            srtp_profile: The SRTP profile (``AES_CM_128_HMAC_SHA1_80``, ...).
            autoaccept_reinvites: False to get the peer's re-INVITEs as
                ``updatingcall`` events (answered by this class); Janus' default True.
            refer_id: The `SipEvent.refer_id` of a ``transfer`` this call follows.
            secret: A password for an authenticated INVITE (guest accounts).
            ha1_secret: A pre-hashed password instead.
            authuser: The user to authenticate as.
            timeout: Deadline of the request, in seconds.

        Raises:
            SipError: The plugin refused (447: not registered / already in a call).
            InvalidStateError: A call is in progress on this handle.
            MediaUnavailableError: The ``media`` extra is not installed.
        """
        enforce_str(uri, name="uri")
        body: dict[str, Any] = {"request": "call", "uri": uri}
        _put(body, "headers", enforce_mapping(headers, name="headers", optional=True))
        _put(body, "call_id", enforce_str(call_id, name="call_id", optional=True))
        _put(body, "srtp", self._srtp(srtp))
        _put(body, "srtp_profile", enforce_str(srtp_profile, name="srtp_profile", optional=True))
        _put(
            body,
            "autoaccept_reinvites",
            enforce_bool(autoaccept_reinvites, name="autoaccept_reinvites", optional=True),
        )
        _put(body, "refer_id", enforce_int(refer_id, name="refer_id", optional=True))
        _put(body, "secret", enforce_secret(secret, name="secret"))
        _put(body, "ha1_secret", enforce_secret(ha1_secret, name="ha1_secret"))
        _put(body, "authuser", enforce_str(authuser, name="authuser", optional=True))
        enforce_callable(on_track, name="on_track", optional=True)
        enforce_timeout(timeout)
        if self._call is not None and self._call.active:
            raise InvalidStateError(f"already in a call ({self._call!r}); hang up first")
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        load_webrtc()  # MediaUnavailableError before anything is sent
        pc = await self._new_pc(record_to=recorder or None)
        self._watch_tracks(pc, on_track)
        call = SipCall(self, "outgoing", uri)
        try:
            self._sip_media(pc, tracks, player)
            if video:
                pc.pc.addTransceiver("video", direction="recvonly")
            offer = await pc.create_offer()
            self._call = call
            reply = await self.message(body, offer, timeout=timeout)
        except BaseException:
            call.mark_ended(None)
            await self._close_pc()
            raise
        ack = SipAck.from_data(reply.data)
        call.call_id = call.call_id or ack.call_id
        await self._early_event("call", reply)
        return call

    @sends("accept")
    async def accept(
        self,
        *,
        tracks: Iterable[MediaStreamTrack] | None = None,
        player: MediaPlayer | str | None = None,
        recorder: MediaRecorder | str | None = None,
        on_track: TrackCallback | None = None,
        srtp: SrtpMode | None = None,
        headers: Mapping[str, Any] | None = None,
        autoaccept_reinvites: bool | None = None,
        timeout: float | None = None,
    ) -> SipCall:
        """Accept the incoming call (``accept``) with our answer (or our offer).

        Media sent and received as in `call`. Returns the call, answered.

        Args:
            tracks: Tracks to send.
            player: A player or media file to send instead.
            recorder: A `MediaRecorder` or file path for the received media.
            on_track: Called with each received track.
            srtp: SDES-SRTP mode of the answer.
            headers: Extra headers of the 200 OK.
            autoaccept_reinvites: As in `call`.
            timeout: Deadline of the request, in seconds.

        Raises:
            InvalidStateError: No incoming call to accept.
            SipError: The plugin refused (447: wrong state).
        """
        body: dict[str, Any] = {"request": "accept"}
        _put(body, "srtp", self._srtp(srtp))
        _put(body, "headers", enforce_mapping(headers, name="headers", optional=True))
        _put(
            body,
            "autoaccept_reinvites",
            enforce_bool(autoaccept_reinvites, name="autoaccept_reinvites", optional=True),
        )
        enforce_callable(on_track, name="on_track", optional=True)
        enforce_timeout(timeout)
        call = self._call
        if call is None or call.state is not SipCallState.INCOMING:
            raise InvalidStateError("no incoming SIP call to accept")
        load_webrtc()  # MediaUnavailableError before anything is sent
        pc = await self._new_pc(record_to=recorder or None)
        self._watch_tracks(pc, on_track)
        try:
            self._sip_media(pc, tracks, player)
            jsep = await pc.apply(call.offer) if call.offer is not None else await pc.create_offer()
            reply = await self.message(body, jsep, timeout=timeout)
        except BaseException:
            await self._close_pc()
            raise
        if SipAck.from_data(reply.data).event == "accepted":
            call.mark_answered()
        await self._early_event("accept", reply)
        return call

    @request("decline", mode="async", result=SipAck.from_data)
    async def decline(
        self,
        code: int | None = None,
        *,
        headers: Mapping[str, Any] | None = None,
        refer_id: int | None = None,
        timeout: float | None = None,
    ) -> SipAck:
        """Decline the incoming call (``decline``) with a SIP ``code`` (default 486).

        Args:
            code: The SIP status sent to the caller (486, 603, ...).
            headers: Extra headers of the response.
            refer_id: Decline a ``transfer`` instead (its `SipEvent.refer_id`).
            timeout: Deadline in seconds.
        """
        ...

    @request("hangup", mode="async", result=SipAck.from_data)
    async def hangup(  # type: ignore[override]  # the plugin's request, not the core one
        self, *, headers: Mapping[str, Any] | None = None, timeout: float | None = None
    ) -> SipAck:
        """End the call (BYE), or cancel it while it rings (``hangup``).

        The call ends with the plugin's ``hangup`` event (`SipCall.ended`).

        Args:
            headers: Extra headers of the BYE.
            timeout: Deadline in seconds.
        """
        ...

    @request("hold", mode="async", result=SipAck.from_data)
    async def hold(
        self,
        direction: Literal["sendonly", "recvonly", "inactive"] | None = None,
        *,
        timeout: float | None = None,
    ) -> SipAck:
        """Put the call on hold (``hold``): a re-INVITE with ``sendonly`` (or ``direction``).

        Janus ignores (does not answer) ``hold``/``unhold`` while a re-INVITE of the
        call is in progress; this sends it again every second until it is answered.

        Args:
            direction: The media direction offered to the peer.
            timeout: Deadline in seconds.
        """
        ...

    @request("unhold", mode="async", result=SipAck.from_data)
    async def unhold(self, *, timeout: float | None = None) -> SipAck:
        """Resume a held call (``unhold``): a re-INVITE with the former direction."""
        ...

    @sends("update")
    async def update(self, *, timeout: float | None = None) -> SipAck:
        """Renegotiate the call (``update``): a re-INVITE with a new offer of ours.

        The answer comes with a later event and is applied then.

        Raises:
            InvalidStateError: No call with media.
            SipError: The plugin refused (wrong state).
        """
        enforce_timeout(timeout)
        pc = self.peer
        offer = await pc.create_offer()
        reply = await self.message({"request": "update"}, offer, timeout=timeout)
        await self._early_event("update", reply)
        return SipAck.from_data(reply.data)

    # ------------------------------------------------------ messages, INFO, DTMF
    @request("message", mode="async", result=SipAck.from_data)
    async def send_message(
        self,
        content: str,
        *,
        content_type: str | None = None,
        uri: str | None = None,
        headers: Mapping[str, Any] | None = None,
        call_id: str | None = None,
        timeout: float | None = None,
    ) -> SipAck:
        """Send a SIP MESSAGE (``message``): in the call, or to ``uri`` out of dialog.

        (Named ``send_message``: `message` sends a raw plugin message.)

        Args:
            content: The text.
            content_type: Its type (Janus' default ``text/plain``).
            uri: Send out of dialog to this URI (needs a registration).
            headers: Extra headers.
            call_id: The Call-ID to use.
            timeout: Deadline in seconds.
        """
        ...

    @request("info", mode="async", keys={"content_type": "type"}, result=SipAck.from_data)
    async def info(
        self,
        content_type: str,
        content: str,
        *,
        headers: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> SipAck:
        """Send a SIP INFO in the call (``info``).

        Args:
            content_type: The body's type (``application/dtmf-relay``, ...).
            content: The body.
            headers: Extra headers.
            timeout: Deadline in seconds.
        """
        ...

    @request("dtmf_info", mode="async", result=SipAck.from_data)
    async def dtmf_info(
        self,
        digit: str,
        *,
        duration: int | None = None,
        headers: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> SipAck:
        """Send one DTMF digit as SIP INFO (``dtmf_info``, ``application/dtmf-relay``).

        Args:
            digit: ``0``-``9``, ``*``, ``#``, ``A``-``D``.
            duration: Tone duration in ms (Janus' default 160).
            headers: Extra headers.
            timeout: Deadline in seconds.
        """
        ...

    # ------------------------------------------------------------ subscriptions
    @request("subscribe", mode="async", result=SipAck.from_data)
    async def subscribe(
        self,
        event: str,
        *,
        to: str | None = None,
        accept: str | None = None,
        subscribe_ttl: int | None = None,
        call_id: str | None = None,
        headers: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> SipAck:
        """Subscribe to a SIP event package (``subscribe``); NOTIFYs come as ``notify``.

        Args:
            event: The package (``message-summary``, ``presence``, ...).
            to: Who to subscribe to (default: ourselves).
            accept: The Accept header.
            subscribe_ttl: Subscription lifetime in seconds.
            call_id: The Call-ID to use.
            headers: Extra headers.
            timeout: Deadline in seconds.
        """
        ...

    @request("unsubscribe", mode="async", result=SipAck.from_data)
    async def unsubscribe(
        self, event: str, *, to: str | None = None, timeout: float | None = None
    ) -> SipAck:
        """End a subscription (``unsubscribe``).

        Args:
            event: The package subscribed to.
            to: Who it was addressed to.
            timeout: Deadline in seconds.
        """
        ...

    # ------------------------------------------------------------ transfer, misc
    @request("transfer", mode="async", result=SipAck.from_data)
    async def transfer(
        self, uri: str, *, call_id: str | None = None, timeout: float | None = None
    ) -> SipAck:
        """Transfer the peer to ``uri`` (``transfer``: a REFER).

        Args:
            uri: Where the peer should call.
            call_id: For an attended transfer, the Call-ID of the call to replace
                (None: a blind transfer).
            timeout: Deadline in seconds.
        """
        ...

    @request("recording", mode="async", result=SipAck.from_data)
    async def recording(
        self,
        action: Literal["start", "stop"],
        *,
        audio: bool | None = None,
        video: bool | None = None,
        peer_audio: bool | None = None,
        peer_video: bool | None = None,
        send_peer_pli: bool | None = None,
        filename: str | None = None,
        timeout: float | None = None,
    ) -> SipAck:
        """Start or stop recording the call to .mjr files on the server (``recording``).

        Args:
            action: ``"start"`` or ``"stop"``.
            audio: Our audio.
            video: Our video.
            peer_audio: The peer's audio.
            peer_video: The peer's video.
            send_peer_pli: Ask the peer for a keyframe.
            filename: Base path of the recordings.
            timeout: Deadline in seconds.
        """
        ...

    @request("reset", mode="async", result=SipAck.from_data)
    async def reset(self, *, timeout: float | None = None) -> SipAck:
        """Reset the handle's call state when no call is up (``reset``)."""
        ...

    # -------------------------------------------------------------- incoming
    async def wait_incoming_call(self, timeout: float | None = 30.0) -> SipCall:
        """Wait for the next incoming call (``incomingcall``) and return it.

        Raises:
            TimeoutError: None within ``timeout`` seconds.
        """
        limit = enforce_timeout(timeout)
        try:
            return await asyncio.wait_for(self._incoming.get(), limit)
        except asyncio.TimeoutError:
            raise TimeoutError(f"no incoming SIP call within {limit} s") from None

    # --------------------------------------------------------------- helpers
    async def _early_event(self, request_name: str, reply: PluginResponse) -> None:
        """Process a reply that is an event pushed before the request's answer."""
        event_name = SipAck.from_data(reply.data).event
        if event_name is None or event_name in _ACKS.get(request_name, frozenset()):
            return
        handle = self.handle
        logger.debug("SIP: %s came before the answer to %s", event_name, request_name)
        await self._dispatch(
            PluginEvent(
                plugin=SIP_PLUGIN,
                data=reply.data,
                jsep=reply.jsep,
                session_id=handle.session.session_id,
                handle_id=handle.handle_id,
                raw=reply.raw,
            )
        )

    @staticmethod
    def _srtp(value: object) -> str | None:
        if value is not None and value not in ("sdes_optional", "sdes_mandatory"):
            raise ValueError(f"srtp must be 'sdes_optional' or 'sdes_mandatory', got {value!r}")
        return value if isinstance(value, str) else None

    @staticmethod
    def _watch_tracks(pc: JanusPeerConnection, on_track: TrackCallback | None) -> None:
        if on_track is not None:
            pc.on_track(on_track)

    def _sip_media(
        self,
        pc: JanusPeerConnection,
        tracks: Iterable[MediaStreamTrack] | None,
        player: MediaPlayer | str | None,
    ) -> None:
        # Audio only by default (a tone); always an audio m-line, to receive.
        self._add_media(pc, player, tracks, audio=True, video=False)
        if not any(t.kind == "audio" for t in pc.pc.getTransceivers()):
            pc.pc.addTransceiver("audio", direction="recvonly")

    def _answer_body(self, event: PluginEvent) -> dict[str, Any]:
        # Our answer to the peer's re-INVITE (``updatingcall``) goes with ``update``.
        return {"request": "update"}

    async def _process_event(self, event: JanusEvent) -> None:
        if isinstance(event, SipEvent):
            await self._process_sip(event)
        else:  # webrtcup, the core's hangup (closes the peer connection), ...
            await super()._process_event(event)

    async def _process_sip(self, event: SipEvent) -> None:
        kind = event.type
        if kind in (SipEventType.REGISTERED, SipEventType.REGISTRATION_FAILED):
            if kind is SipEventType.REGISTERED:
                self._registered = event
            self._wake_registration(event)
            return
        if kind is SipEventType.UNREGISTERED:
            self._registered = None
            self._wake_registration(event)
            return
        if kind is SipEventType.INCOMINGCALL:
            if self._call is not None and self._call.active:
                logger.debug("SIP: incomingcall while %r is active", self._call)
            call = SipCall(
                self,
                "incoming",
                event.username,
                call_id=event.call_id,
                offer=event.jsep,
                incoming_event=event,
            )
            call.events.append(event)
            self._call = call
            self._incoming.put_nowait(call)
            return
        if kind is SipEventType.MISSED_CALL:
            return  # about another call: Janus refused it (486), ours goes on
        # The media first: when answered() or ended() return, the answer is
        # applied, or the peer connection closed.
        if event.jsep is not None:
            await self._handle_jsep(event, event.jsep)
        if kind is SipEventType.HANGUP:
            await self._close_pc()
        current = self._call
        if current is not None and current.active:
            current.apply_event(event)

    def _wake_registration(self, event: SipEvent) -> None:
        waiters, self._reg_waiters = self._reg_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(event)
