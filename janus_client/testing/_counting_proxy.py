"""A loopback WebSocket proxy that counts the Janus requests awaiting a reply."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from typing import Any

import aiohttp
from aiohttp import web

from .._lifecycle import AsyncContext
from .._serve import serve_app

__all__ = ["CountingProxy"]

logger = logging.getLogger("janus_client.testing")

_PROTOCOL = "janus-protocol"


class CountingProxy(AsyncContext):
    """Forward a loopback WebSocket port to a Janus WebSocket endpoint, counting requests.

    Each request's ``transaction`` is outstanding from the moment the proxy
    forwards it to Janus until Janus' reply to it (anything but an ``ack``)
    comes back; `peak_outstanding` is the most requests Janus had to answer at
    once, whatever the client claims. Point the client at `url`.

    Example:
        ```python
        async with CountingProxy(janus.ws_url) as proxy:
            async with JanusSession(proxy.url) as session:
                ...
            assert proxy.peak_outstanding <= 10
        ```

    Args:
        target_url: Janus' WebSocket URL (``ws://127.0.0.1:port``).
        host: The loopback address to listen on.

    Attributes:
        outstanding: Requests sent to Janus and not answered yet.
        peak_outstanding: The highest ``outstanding`` seen.
        requests: Requests forwarded, by ``janus`` verb.
    """

    _closes_with = "stop"

    def __init__(self, target_url: str, *, host: str = "127.0.0.1") -> None:
        self.target_url = target_url
        self.host = host
        self.outstanding = 0
        self.peak_outstanding = 0
        self.requests: Counter[str] = Counter()
        self._waiting: set[str] = set()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._port: int | None = None
        self._sockets: set[web.WebSocketResponse] = set()

    @property
    def url(self) -> str:
        """The proxy's WebSocket URL.

        Raises:
            RuntimeError: Not started.
        """
        if self._port is None:
            raise RuntimeError("CountingProxy is not running; call start() first")
        return f"ws://{self.host}:{self._port}"

    async def start(self) -> None:
        """Listen on a free port (idempotent)."""
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_get("/", self._serve)
        self._runner, self._port = await serve_app(app, self.host, 0, shutdown_timeout=1.0)
        self._client = aiohttp.ClientSession()

    async def stop(self) -> None:
        """Close every proxied connection and stop listening (idempotent)."""
        runner, self._runner = self._runner, None
        client, self._client = self._client, None
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close()
        if runner is not None:
            await runner.cleanup()
        if client is not None:
            await client.close()
        self._port = None

    def reset(self) -> None:
        """Forget the counts (not the requests still outstanding)."""
        self.peak_outstanding = self.outstanding
        self.requests.clear()

    async def _serve(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=[_PROTOCOL], max_msg_size=0)
        await ws.prepare(request)
        client = self._client
        assert client is not None
        self._sockets.add(ws)
        try:
            async with client.ws_connect(
                self.target_url, protocols=[_PROTOCOL], max_msg_size=0
            ) as upstream:
                down = asyncio.ensure_future(self._pump_down(upstream, ws))
                try:
                    async for message in ws:
                        if message.type is not aiohttp.WSMsgType.TEXT:
                            break
                        self._sent(message.data)
                        await upstream.send_str(message.data)
                finally:
                    down.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await down
        except aiohttp.ClientError as exc:
            logger.debug("CountingProxy: upstream %s: %s", self.target_url, exc)
        finally:
            self._sockets.discard(ws)
            await ws.close()
        return ws

    async def _pump_down(
        self, upstream: aiohttp.ClientWebSocketResponse[bool], ws: web.WebSocketResponse
    ) -> None:
        async for message in upstream:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            self._answered(message.data)
            await ws.send_str(message.data)
        await ws.close()

    def _sent(self, text: str) -> None:
        msg = _decode(text)
        tid = msg.get("transaction")
        self.requests[str(msg.get("janus"))] += 1
        if isinstance(tid, str) and tid not in self._waiting:
            self._waiting.add(tid)
            self.outstanding += 1
            self.peak_outstanding = max(self.peak_outstanding, self.outstanding)

    def _answered(self, text: str) -> None:
        msg = _decode(text)
        tid = msg.get("transaction")
        if msg.get("janus") == "ack" or not isinstance(tid, str) or tid not in self._waiting:
            return
        self._waiting.discard(tid)
        self.outstanding -= 1


def _decode(text: str) -> dict[str, Any]:
    try:
        msg = json.loads(text)
    except ValueError:
        return {}
    return msg if isinstance(msg, dict) else {}
