"""Transports: how requests reach Janus. The URL scheme picks one."""

from .amqp import JanusTransportAMQP
from .base import JanusTransport
from .http import JanusTransportHTTP
from .mqtt import JanusTransportMQTT
from .unix import JanusTransportUnix, RequestTooLargeError
from .websocket import JanusTransportWebsocket

__all__ = [
    "JanusTransport",
    "JanusTransportAMQP",
    "JanusTransportHTTP",
    "JanusTransportMQTT",
    "JanusTransportUnix",
    "JanusTransportWebsocket",
    "RequestTooLargeError",
]
