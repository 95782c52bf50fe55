"""Sending through a broker, and waiting until Janus answers there (internal mix-in).

The MQTT and RabbitMQ transports publish every request, raw payload and probe the
same way; `BrokerProbe` writes that once over the transport's own `_publish`.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

from .. import protocol
from ..errors import ConnectError
from ..protocol import encode
from .base import JanusTransport

__all__ = ["BrokerProbe"]


class BrokerProbe(JanusTransport):
    """Mix-in: send through the broker; ping Janus there until it answers.

    Janus (re)subscribes to a broker on its own, some seconds after the broker
    comes up; a request sent before that would be lost, so `_probe_janus` pings
    it within ``timeouts.connect``. A subclass publishes one payload with
    `_publish` (requests, raw payloads and probes all go through it), names where
    it sends (`_probe_where`) and hands every payload it receives to
    `_probe_reply` while `_probing` is set.
    """

    _probing: tuple[bytes, asyncio.Future[None]] | None = None

    def _probe_where(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    async def _publish(
        self, payload: str | bytes, correlation: str | None, *, probing: bool = False
    ) -> None:  # pragma: no cover - overridden
        """Publish one payload to Janus, with ``correlation`` (a transaction) if any.

        ``probing``: sent by `_probe_janus`, before the transport counts as connected.
        """
        raise NotImplementedError

    async def _send(self, message: dict[str, Any]) -> None:
        transaction = message.get("transaction")
        await self._publish(encode(message), transaction if isinstance(transaction, str) else None)

    async def _send_raw(self, data: str | bytes) -> None:
        await self._publish(data, None)

    async def _probe_janus(self) -> None:
        """Ping Janus until it answers (it may not have subscribed yet), within ``connect``.

        Raises `ConnectError` when nothing answers in time (wrong names, or no
        Janus behind the broker).
        """
        loop = asyncio.get_running_loop()
        tid = f"probe-{uuid.uuid4().hex}"
        done: asyncio.Future[None] = loop.create_future()
        self._probing = (tid.encode(), done)
        end = loop.time() + self.timeouts.connect
        interval = 0.05
        probe = encode(protocol.ping(tid))
        try:
            while not done.done():
                if loop.time() >= end:
                    raise ConnectError(
                        f"no Janus answered on {self._probe_where()} within "
                        f"{self.timeouts.connect:g} s (is Janus up, with these names?)",
                        url=self.base_url,
                    )
                await self._publish(probe, tid, probing=True)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(
                        asyncio.shield(done), min(interval, max(end - loop.time(), 0.001))
                    )
                interval = min(interval * 2, 0.5)
        finally:
            self._probing = None

    def _probe_reply(self, payload: str | bytes | bytearray) -> None:
        probing = self._probing
        if probing is None:
            return
        data = payload.encode() if isinstance(payload, str) else bytes(payload)
        if probing[0] in data and not probing[1].done():
            probing[1].set_result(None)
