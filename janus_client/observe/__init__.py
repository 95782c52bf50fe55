"""Observability: Janus' event handlers received and typed, a live view, metrics.

* `JanusEventReceiver` with `HttpEventSource`, `WebSocketEventSource`,
  `MqttEventSource` (extra ``mqtt``) and `RabbitMQEventSource` (extra
  ``rabbitmq``): one async iterator of typed events (`ServerEvent` subclasses).
* `LiveView`: sessions, handles, WebRTC state and media stats from those events.
* `janus_client.observe.prometheus` (extra ``metrics``): the Prometheus exporter.

Client-side metrics are in `janus_client.instrument`; health checks in
`janus_client.health`. Importing this package imports no broker or metrics
library: each is imported when the source or exporter that needs it starts.
"""

from __future__ import annotations

from .events import (
    CoreServerEvent,
    DtlsStateServerEvent,
    EventType,
    ExternalServerEvent,
    HandleServerEvent,
    IceCandidateServerEvent,
    IceStateServerEvent,
    JsepServerEvent,
    MalformedEventError,
    MediaServerEvent,
    MediaStateServerEvent,
    MediaStatsServerEvent,
    PluginServerEvent,
    SelectedPairServerEvent,
    ServerEvent,
    SessionServerEvent,
    SlowLinkServerEvent,
    TransportServerEvent,
    UnknownServerEvent,
    WebRTCConnectionServerEvent,
    WebRTCServerEvent,
    event_from_json,
    parse_events,
)
from .live import HandleView, LiveView, MediaTotals, SessionView, StreamView
from .receiver import (
    EventSource,
    HttpEventSource,
    JanusEventReceiver,
    MqttEventSource,
    RabbitMQEventSource,
    ReceiverStats,
    WebSocketEventSource,
    source_from_url,
)

__all__ = [
    "CoreServerEvent",
    "DtlsStateServerEvent",
    "EventSource",
    "EventType",
    "ExternalServerEvent",
    "HandleServerEvent",
    "HandleView",
    "HttpEventSource",
    "IceCandidateServerEvent",
    "IceStateServerEvent",
    "JanusEventReceiver",
    "JsepServerEvent",
    "LiveView",
    "MalformedEventError",
    "MediaServerEvent",
    "MediaStateServerEvent",
    "MediaStatsServerEvent",
    "MediaTotals",
    "MqttEventSource",
    "PluginServerEvent",
    "RabbitMQEventSource",
    "ReceiverStats",
    "SelectedPairServerEvent",
    "ServerEvent",
    "SessionServerEvent",
    "SessionView",
    "SlowLinkServerEvent",
    "StreamView",
    "TransportServerEvent",
    "UnknownServerEvent",
    "WebRTCConnectionServerEvent",
    "WebRTCServerEvent",
    "WebSocketEventSource",
    "event_from_json",
    "parse_events",
    "source_from_url",
]
