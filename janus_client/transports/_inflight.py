"""A cap on the requests a transport has waiting for replies (internal mix-in)."""

from __future__ import annotations

import asyncio

from .base import JanusTransport

__all__ = ["InFlightLimit"]


class InFlightLimit(JanusTransport):
    """Mix-in: at most ``max_in_flight`` requests wait for their reply at once.

    For transports where Janus (or the kernel) drops replies beyond a burst:
    Unix DGRAM sockets (``net.unix.max_dgram_qlen``) and MQTT (Janus' MQTT
    client buffers at most 100 outgoing messages). Further calls wait for a free
    slot within their own deadline (`JanusTransport.request` does the waiting;
    without a limit a request costs nothing more).
    """

    max_in_flight: int | None = None

    def _limit_in_flight(self, limit: int | None) -> None:
        self.max_in_flight = limit
        self._slots = asyncio.Semaphore(limit) if limit else None
