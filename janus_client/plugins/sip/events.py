"""SIP plugin errors, typed events and request results."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...errors import PluginError
from ...events import TypedPluginEvent, TypedResult

__all__ = [
    "SIP_PLUGIN",
    "SipAck",
    "SipCallError",
    "SipError",
    "SipEvent",
    "SipEventType",
    "SipRegistrationError",
    "parse_dtmf_relay",
]

#: The SIP plugin's package name.
SIP_PLUGIN = "janus.plugin.sip"


class SipError(PluginError):
    """An error reported by the SIP plugin (``JANUS_SIP_ERROR_*``), or refused locally.

    Plugin API errors carry the plugin's code (440-454); SIP failures (a call
    refused with 486, a REGISTER answered 403) are not errors of the plugin API but
    events: see `SipRegistrationError` and `SipCallError`.
    """

    code_names: ClassVar[dict[int, str]] = {
        440: "JANUS_SIP_ERROR_NO_MESSAGE",
        441: "JANUS_SIP_ERROR_INVALID_JSON",
        442: "JANUS_SIP_ERROR_INVALID_REQUEST",
        443: "JANUS_SIP_ERROR_MISSING_ELEMENT",
        444: "JANUS_SIP_ERROR_INVALID_ELEMENT",
        445: "JANUS_SIP_ERROR_ALREADY_REGISTERED",
        446: "JANUS_SIP_ERROR_INVALID_ADDRESS",
        447: "JANUS_SIP_ERROR_WRONG_STATE",
        448: "JANUS_SIP_ERROR_MISSING_SDP",
        449: "JANUS_SIP_ERROR_LIBSOFIA_ERROR",
        450: "JANUS_SIP_ERROR_IO_ERROR",
        451: "JANUS_SIP_ERROR_RECORDING_ERROR",
        452: "JANUS_SIP_ERROR_TOO_STRICT",
        453: "JANUS_SIP_ERROR_HELPER_ERROR",
        454: "JANUS_SIP_ERROR_NO_SUCH_CALLID",
        499: "JANUS_SIP_ERROR_UNKNOWN_ERROR",
    }


class SipRegistrationError(SipError):
    """The registrar refused the REGISTER (``registration_failed``: 403, 404, ...).

    Attributes:
        sip_code: The SIP status code of the final response.
        event: The ``registration_failed`` event.
    """

    def __init__(self, event: SipEvent) -> None:
        self.sip_code = event.code
        self.event = event
        super().__init__(
            f"registration failed: SIP {event.code} {event.reason or ''}".rstrip(),
            plugin=SIP_PLUGIN,
            request="register",
            data=dict(event.data),
        )


class SipCallError(SipError):
    """A call ended before it was answered (refused, busy, cancelled, unreachable).

    Attributes:
        sip_code: The SIP status code of the ``hangup`` event (486, 603, 487, ...).
        sip_reason: Its reason phrase.
    """

    def __init__(self, message: str, *, sip_code: int | None, sip_reason: str | None) -> None:
        self.sip_code = sip_code
        self.sip_reason = sip_reason
        super().__init__(message, plugin=SIP_PLUGIN, request="call")


class SipEventType(str, enum.Enum):
    """The ``result.event`` names the SIP plugin sends.

    The ones that answer a request of ours (``registering``, ``calling``,
    ``accepting``, ``hangingup``, ``messagesent``, ...) come back as `SipAck`
    from the methods; the others arrive as events.
    """

    REGISTERING = "registering"
    REGISTERED = "registered"
    REGISTRATION_FAILED = "registration_failed"
    UNREGISTERING = "unregistering"
    UNREGISTERED = "unregistered"
    CALLING = "calling"
    RINGING = "ringing"
    PROCEEDING = "proceeding"
    #: Early media: a 183 with the callee's SDP answer.
    PROGRESS = "progress"
    INCOMINGCALL = "incomingcall"
    ACCEPTING = "accepting"
    ACCEPTED = "accepted"
    DECLINING = "declining"
    #: The peer's re-INVITE (offer in the JSEP when ``autoaccept_reinvites`` is off).
    UPDATINGCALL = "updatingcall"
    UPDATING = "updating"
    UPDATED = "updated"
    HOLDING = "holding"
    RESUMING = "resuming"
    HANGINGUP = "hangingup"
    HANGUP = "hangup"
    #: An INVITE while this handle was busy: Janus answered 486.
    MISSED_CALL = "missed_call"
    INFO = "info"
    INFOSENT = "infosent"
    MESSAGE = "message"
    MESSAGESENT = "messagesent"
    MESSAGEDELIVERY = "messagedelivery"
    DTMFSENT = "dtmfsent"
    SUBSCRIBING = "subscribing"
    SUBSCRIBE_SUCCEEDED = "subscribe_succeeded"
    SUBSCRIBE_FAILED = "subscribe_failed"
    UNSUBSCRIBING = "unsubscribing"
    NOTIFY = "notify"
    #: The peer sent a REFER (a transfer request to us).
    TRANSFER = "transfer"
    TRANSFERRING = "transferring"
    RECORDINGUPDATED = "recordingupdated"
    RESET = "reset"


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _i(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def parse_dtmf_relay(content: str | None) -> tuple[str, int | None] | None:
    """Read the digit and duration of an ``application/dtmf-relay`` body.

    Args:
        content: The INFO body (``Signal=5`` and ``Duration=160`` lines).

    Returns:
        ``(digit, duration_ms)``, or None when there is no ``Signal`` line.
    """
    if not content:
        return None
    digit: str | None = None
    duration: int | None = None
    for line in content.splitlines():
        key, sep, value = line.partition("=")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "signal" and value:
            digit = value
        elif key == "duration":
            duration = _i(value)
    return (digit, duration) if digit is not None else None


@dataclass(frozen=True, kw_only=True)
class SipEvent(TypedPluginEvent):
    """A SIP plugin event, typed (the fields the plugin sends for it; None otherwise).

    It is a `PluginEvent`: ``data`` and ``jsep`` are there as Janus sent them,
    ``raw`` is the whole message.

    Attributes:
        type: The kind of event.
        call_id: The SIP Call-ID the event is about.
        username: The SIP URI (or user) of the result: the caller of an
            ``incomingcall``, the callee of ``accepted``/``progress``, our user of
            ``registered``.
        displayname: The caller's or sender's display name.
        callee: The URI that was called (``incomingcall``, ``missed_call``).
        caller: The caller of a ``missed_call``.
        sender: Who sent a ``message`` or ``info``.
        code: The SIP status code (``hangup``, ``registration_failed``,
            ``messagedelivery``).
        reason: The SIP reason phrase of that code.
        reason_header: The text of the peer's ``Reason`` header, when given.
        content_type: The body type of a ``message``/``info``/``notify``.
        content: The body of a ``message``/``info``/``notify``.
        headers: The SIP headers the plugin passed on (``incoming_header_prefixes``).
        register_sent: Whether a REGISTER was sent (``registered``).
        master_id: The id of this registration, for helper handles (``registered``).
        referred_by: The transferor (``incomingcall`` of a transfer, ``transfer``).
        replaces: The Call-ID an attended transfer replaces.
        refer_id: The id of a received REFER (``transfer``); pass it to `call`.
        refer_to: The URI a ``transfer`` asks us to call.
        notify: The event package of a ``notify`` (``message-summary``).
        substate: The subscription state of a ``notify``.
        srtp: The SRTP mode the caller asks (``sdes_optional``, ``sdes_mandatory``).
        result: The whole ``result`` object.
    """

    plugin_package: ClassVar[str] = SIP_PLUGIN
    plugin_label: ClassVar[str] = "SIP"
    kinds: ClassVar[type[enum.Enum]] = SipEventType

    type: SipEventType
    call_id: str | None = None
    username: str | None = None
    displayname: str | None = None
    callee: str | None = None
    caller: str | None = None
    sender: str | None = None
    code: int | None = None
    reason: str | None = None
    reason_header: str | None = None
    content_type: str | None = None
    content: str | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    register_sent: bool | None = None
    master_id: int | None = None
    referred_by: str | None = None
    replaces: str | None = None
    refer_id: int | None = None
    refer_to: str | None = None
    notify: str | None = None
    substate: str | None = None
    srtp: str | None = None
    result: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def dtmf(self) -> str | None:
        """The digit of an ``info`` event carrying SIP INFO DTMF (``application/dtmf-relay``)."""
        if self.type is not SipEventType.INFO or (self.content_type or "").lower() not in (
            "application/dtmf-relay",
            "application/dtmf",
        ):
            return None
        if (self.content_type or "").lower() == "application/dtmf":
            return (self.content or "").strip() or None
        parsed = parse_dtmf_relay(self.content)
        return parsed[0] if parsed else None

    @classmethod
    def extra_fields(
        cls, kind: enum.Enum, data: Mapping[str, Any], source: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Read the fields a name and a type do not tell (`TypedPluginEvent.extra_fields`).

        The Call-ID may be in the data or in the result; the body type is
        ``content_type`` or ``content-type`` (an ``info`` names it ``type``); the
        SIP numbers may come as digit strings.

        Args:
            kind: The kind of event.
            data: The plugin's data.
            source: Its ``result`` object.
        """
        content_type = _s(source.get("content_type")) or _s(source.get("content-type"))
        if kind is SipEventType.INFO:
            content_type = _s(source.get("type")) or content_type
        return {
            "call_id": _s(data.get("call_id")) or _s(source.get("call_id")),
            "content_type": content_type,
            **{key: _i(source.get(key)) for key in ("code", "master_id", "refer_id")},
        }


@dataclass(frozen=True)
class SipAck(TypedResult):
    """The plugin's answer to one of our requests (``registering``, ``calling``, ...).

    Attributes:
        event: The ``result.event`` name (``"registering"``, ``"messagesent"``, ...).
        call_id: The Call-ID the answer is about, when given.
        raw: The plugin data as Janus sent it.
    """

    source_key: ClassVar[str | None] = "result"

    event: str | None
    call_id: str | None = None

    @classmethod
    def extra_fields(cls, data: Mapping[str, Any], source: Mapping[str, Any]) -> dict[str, Any]:
        """Read the Call-ID: in the data, or else in the result.

        Args:
            data: The plugin data of the answer.
            source: Its ``result`` object.
        """
        return {"call_id": _s(data.get("call_id")) or _s(source.get("call_id"))}
