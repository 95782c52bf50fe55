"""Transports: how requests reach Janus. The URL scheme picks one.

The HTTP, MQTT and RabbitMQ transports are imported on first use (attribute
access here, or a URL with their scheme), so that ``import janus_client``
loads neither aiohttp nor a broker client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .base import JanusTransport
from .unix import JanusTransportUnix, RequestTooLargeError
from .websocket import JanusTransportWebsocket

if TYPE_CHECKING:
    from .amqp import JanusTransportAMQP
    from .http import JanusTransportHTTP
    from .mqtt import JanusTransportMQTT

#: Names loaded on first access, and their modules.
_LAZY = {
    "JanusTransportAMQP": "amqp",
    "JanusTransportHTTP": "http",
    "JanusTransportMQTT": "mqtt",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "JanusTransport",
    "JanusTransportAMQP",
    "JanusTransportHTTP",
    "JanusTransportMQTT",
    "JanusTransportUnix",
    "JanusTransportWebsocket",
    "RequestTooLargeError",
]
