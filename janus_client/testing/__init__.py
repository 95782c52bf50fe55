"""Tools for testing code that talks to Janus.

* `JanusServer` starts a real local Janus (the ``janus`` binary) with a generated
  configuration, on loopback and free ports, and stops it cleanly.
* `MockTransport` calls a function you write with each request and returns
  its reply: unit tests of your code with no socket and no Janus.
* `FakeJanus` is an in-process fake Janus for cases a real server cannot produce:
  malformed messages, dropped or delayed replies, abrupt closes, half-open lines.
* `CountingProxy` forwards a loopback WebSocket port to Janus and counts the
  requests Janus has yet to answer (the most at once: `CountingProxy.peak_outstanding`).
* `RtpFeed` sends a GStreamer test pattern (VP8) and tone (Opus) as RTP to
  loopback ports; `live_mountpoint` creates a Streaming mountpoint fed by one.
* `TcpProxy` forwards a loopback port to Janus and can cut, freeze (half-open)
  or refuse the line, for reconnection tests.
* The pytest plugin (enabled automatically when janus-client is installed) gives
  the fixtures ``janus_server``, ``janus_ws_url``, ``janus_http_url``,
  ``janus_admin_http_url``, ``janus_admin_ws_url``, ``janus_server_factory`` and
  ``fake_janus``, and ``mosquitto_broker`` / ``rabbitmq_broker``.
* `event_handler_configs` builds the ``plugin_configs`` that turn on Janus'
  event handlers.
* `SippProcess` runs SIPp (a SIP registrar, callee or caller, from
  `registrar_scenario` / `caller_scenario`) on loopback for SIP plugin tests, and
  reads back what it saw.
* `MosquittoBroker` and `RabbitMQBroker` run throw-away MQTT / AMQP brokers as
  foreground children on free loopback ports.
"""

from __future__ import annotations

from ._brokers import BrokerError, MosquittoBroker, RabbitMQBroker
from ._counting_proxy import CountingProxy
from ._evh import event_handler_configs
from ._network import (
    IceAddressLease,
    acquire_ice_address,
    ensure_ice_address,
    ice_address_instructions,
    patch_aioice_host_addresses,
    remove_ice_address,
)
from ._proxy import TcpProxy
from ._rtpfeed import LiveMountpoint, RtpFeed, RtpFeedError, live_mountpoint, mean_luma
from ._server import JanusServer, JanusServerError
from ._sipp import (
    SippError,
    SippMessage,
    SippProcess,
    caller_scenario,
    registrar_scenario,
    sipp_available,
)
from .fake import DROP, FakeHandle, FakeJanus, FakeRequest, FakeSession
from .mock import (
    NO_REPLY,
    MockHandler,
    MockTransport,
    error_reply,
    plugin_reply,
    success_reply,
)

__all__ = [
    "DROP",
    "NO_REPLY",
    "BrokerError",
    "CountingProxy",
    "FakeHandle",
    "FakeJanus",
    "FakeRequest",
    "FakeSession",
    "IceAddressLease",
    "JanusServer",
    "JanusServerError",
    "LiveMountpoint",
    "MockHandler",
    "MockTransport",
    "MosquittoBroker",
    "RabbitMQBroker",
    "SippError",
    "SippMessage",
    "SippProcess",
    "RtpFeed",
    "RtpFeedError",
    "TcpProxy",
    "acquire_ice_address",
    "caller_scenario",
    "ensure_ice_address",
    "ice_address_instructions",
    "live_mountpoint",
    "mean_luma",
    "error_reply",
    "event_handler_configs",
    "patch_aioice_host_addresses",
    "plugin_reply",
    "registrar_scenario",
    "remove_ice_address",
    "sipp_available",
    "success_reply",
]
