"""Transports: how requests reach Janus. The URL scheme picks one."""

from .base import JanusTransport
from .http import JanusTransportHTTP
from .websocket import JanusTransportWebsocket

__all__ = ["JanusTransport", "JanusTransportHTTP", "JanusTransportWebsocket"]
