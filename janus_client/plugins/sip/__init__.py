"""The SIP plugin (``janus.plugin.sip``): a SIP user agent in Janus, WebRTC media to us.

`JanusSipPlugin` registers a SIP account, places and answers calls (`SipCall`,
with awaitable state), sends SIP MESSAGE / INFO / DTMF, subscribes to SIP events,
transfers calls and records them. Events are typed (`SipEvent`, `SipEventType`).
"""

from .call import SipCall, SipCallState
from .events import (
    SIP_PLUGIN,
    SipAck,
    SipCallError,
    SipError,
    SipEvent,
    SipEventType,
    SipRegistrationError,
    parse_dtmf_relay,
)
from .plugin import JanusSipPlugin

__all__ = [
    "SIP_PLUGIN",
    "JanusSipPlugin",
    "SipAck",
    "SipCall",
    "SipCallError",
    "SipCallState",
    "SipError",
    "SipEvent",
    "SipEventType",
    "SipRegistrationError",
    "parse_dtmf_relay",
]
