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

    def _limit_in_flight(self, limit: int | None, *, applies: bool = True) -> None:
        """Check the ``max_in_flight`` argument, then apply it (only if ``applies``).

        Raises:
            ValueError: ``limit`` is neither None nor a positive integer.
        """
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise ValueError(f"max_in_flight must be a positive integer or None, got {limit!r}")
        self.max_in_flight = limit if applies else None
        self._slots = asyncio.Semaphore(limit) if limit and applies else None
