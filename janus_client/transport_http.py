"""janus-client 0.9.x import path, kept so that existing code runs unchanged.

New code should import from the package root (``from janus_client import ...``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from .transports.http import JanusTransportHTTP

__all__ = ["JanusTransportHTTP", "ReceiverTask", "protocol_matcher"]


@dataclass
class ReceiverTask:
    """A long-poll task and the event that stops it (0.9.x record type).

    Attributes:
        task: The task receiving a session's events.
        destroyed_event: Set when the session is destroyed.
    """

    task: asyncio.Task[Any]
    destroyed_event: asyncio.Event


def protocol_matcher(base_url: str) -> bool:
    """Whether `JanusTransportHTTP` handles ``base_url`` (``http://`` or ``https://``)."""
    return base_url.startswith(("http://", "https://"))
