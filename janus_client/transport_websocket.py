"""janus-client 0.9.x import path, kept so that existing code runs unchanged.

New code should import from the package root (``from janus_client import ...``).
"""

from __future__ import annotations

from .transports.websocket import JanusTransportWebsocket

__all__ = ["JanusTransportWebsocket", "protocol_matcher"]


def protocol_matcher(base_url: str) -> bool:
    """Whether `JanusTransportWebsocket` handles ``base_url`` (``ws://`` or ``wss://``)."""
    return base_url.startswith(("ws://", "wss://"))
