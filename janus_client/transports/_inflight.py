"""A cap on the requests a transport has waiting for replies (internal mix-in)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Any

from ..config import resolve_timeout
from ..errors import RequestTimeoutError
from ..protocol import Incoming
from .base import JanusTransport

__all__ = ["InFlightLimit"]


class InFlightLimit(JanusTransport):
    """Mix-in: at most ``max_in_flight`` requests wait for their reply at once.

    For transports where Janus (or the kernel) drops replies beyond a burst:
    Unix DGRAM sockets (``net.unix.max_dgram_qlen``) and MQTT (Janus' MQTT
    client buffers at most 100 outgoing messages).
    """

    max_in_flight: int | None = None
    _slots: asyncio.Semaphore | None = None

    def _limit_in_flight(self, limit: int | None) -> None:
        self.max_in_flight = limit
        self._slots = asyncio.Semaphore(limit) if limit else None

    async def request(
        self,
        message: dict[str, Any],
        *,
        owner: Hashable = None,
        wait_event: bool = False,
        timeout: float | None = None,
        on_late_reply: Callable[[Incoming], object] | None = None,
    ) -> Incoming:
        """Send a request and wait for its reply (see `JanusTransport.request`).

        At most ``max_in_flight`` requests are outstanding at once;
        the wait for a slot counts against the call's deadline.
        """
        slots = self._slots
        if slots is None:
            return await super().request(
                message,
                owner=owner,
                wait_event=wait_event,
                timeout=timeout,
                on_late_reply=on_late_reply,
            )
        limit = resolve_timeout(timeout, self.timeouts.request)
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            if slots.locked():
                await asyncio.wait_for(slots.acquire(), limit)
            else:
                await slots.acquire()  # free: no waiting, and no task for wait_for
        except asyncio.TimeoutError:
            raise RequestTimeoutError(
                f"no free request slot on {self.base_url} within {limit:g} s "
                f"(max_in_flight={self.max_in_flight})",
                request=str(message.get("janus", "?")),
                timeout=limit,
            ) from None
        try:
            return await super().request(
                message,
                owner=owner,
                wait_event=wait_event,
                timeout=max(limit - (loop.time() - start), 0.001),
                on_late_reply=on_late_reply,
            )
        finally:
            slots.release()
