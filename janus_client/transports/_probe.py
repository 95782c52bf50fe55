"""Waiting until Janus answers through a broker (internal mix-in for MQTT and RabbitMQ)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

from .. import protocol
from ..errors import ConnectError
from .base import JanusTransport

__all__ = ["BrokerProbe"]


class BrokerProbe(JanusTransport):
    """Mix-in: ping Janus over the broker until it answers, within ``timeouts.connect``.

    Janus (re)subscribes to a broker on its own, some seconds after the broker
    comes up; a request sent before that would be lost. A subclass publishes the
    probe (`_send_probe`), names where it sent it (`_probe_where`) and hands every
    payload it receives to `_probe_reply` while `_probing` is set.
    """

    _probing: tuple[bytes, asyncio.Future[None]] | None = None

    def _probe_where(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    async def _send_probe(self, probe: dict[str, Any], tid: str) -> None:  # pragma: no cover
        raise NotImplementedError

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
        probe = protocol.ping(tid)
        try:
            while not done.done():
                if loop.time() >= end:
                    raise ConnectError(
                        f"no Janus answered on {self._probe_where()} within "
                        f"{self.timeouts.connect:g} s (is Janus up, with these names?)",
                        url=self.base_url,
                    )
                await self._send_probe(probe, tid)
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
