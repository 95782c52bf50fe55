"""A loopback TCP proxy that tests use to cut, freeze or delay a connection to Janus."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

from janus_client._lifecycle import AsyncContext

__all__ = ["TcpProxy"]

logger = logging.getLogger("janus_client.testing")


class _Link:
    """One proxied connection: client <-> proxy <-> server."""

    def __init__(
        self,
        proxy: TcpProxy,
        client_reader: asyncio.StreamReader,
        client_writer: asyncio.StreamWriter,
        server_reader: asyncio.StreamReader,
        server_writer: asyncio.StreamWriter,
    ) -> None:
        self.proxy = proxy
        self.writers = (client_writer, server_writer)
        loop = asyncio.get_running_loop()
        self.tasks = (
            loop.create_task(self._pump(client_reader, server_writer)),
            loop.create_task(self._pump(server_reader, client_writer)),
        )

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                await self.proxy._flowing.wait()  # frozen: hold the bytes, keep TCP open
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self.abort()

    def abort(self) -> None:
        for writer in self.writers:
            transport = writer.transport
            if not transport.is_closing():
                transport.abort()


class TcpProxy(AsyncContext):
    """Forward ``127.0.0.1:<port>`` to a target, with switches to break the line.

    * `cut` drops every current connection at once (like a network failure or a
      restarting load balancer); new connections are accepted again.
    * `freeze` stops forwarding without closing anything (a half-open line: the
      peer never answers); `thaw` resumes.
    * `refuse` makes new connections fail until `accept` is called.

    Use it as ``async with TcpProxy("127.0.0.1", janus_port) as proxy:`` and point
    the client at ``proxy.url_for(original_url)``.

    Args:
        target_host: Where to forward to (a loopback address in tests).
        target_port: The target port.
        host: The proxy's own listening address (loopback).
    """

    _closes_with = "stop"

    def __init__(self, target_host: str, target_port: int, *, host: str = "127.0.0.1") -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.host = host
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._refusing = False
        self.connections_made = 0

    async def start(self) -> None:
        """Start listening on a free port of ``host``."""
        self._server = await asyncio.start_server(self._accept, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and drop every connection (idempotent)."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        self.cut()
        self._flowing.set()
        tasks = [task for link in self._links for task in link.tasks]
        self._links.clear()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if server is not None:
            with contextlib.suppress(Exception):
                await server.wait_closed()

    def url_for(self, url: str) -> str:
        """Return ``url`` with its host and port replaced by the proxy's."""
        scheme, _, rest = url.partition("://")
        _, slash, path = rest.partition("/")
        return f"{scheme}://{self.host}:{self.port}{slash}{path}"

    @property
    def connection_count(self) -> int:
        """How many proxied connections are open."""
        return len(self._links)

    def cut(self) -> None:
        """Drop every current connection (both sides see a reset)."""
        for link in list(self._links):
            link.abort()

    def freeze(self) -> None:
        """Stop forwarding bytes in both directions, keeping connections open."""
        self._flowing.clear()

    def thaw(self) -> None:
        """Resume forwarding after `freeze`."""
        self._flowing.set()

    def refuse(self) -> None:
        """Refuse new connections (close them at once) until `accept`."""
        self._refusing = True

    def accept(self) -> None:
        """Accept new connections again after `refuse`."""
        self._refusing = False

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._refusing:
            writer.transport.abort()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(
                self.target_host, self.target_port
            )
        except OSError as exc:
            logger.debug("proxy could not reach %s:%s: %s", self.target_host, self.target_port, exc)
            writer.transport.abort()
            return
        self.connections_made += 1
        link = _Link(self, reader, writer, server_reader, server_writer)
        self._links.add(link)
        for task in link.tasks:
            task.add_done_callback(functools.partial(self._forget, link))

    def _forget(self, link: _Link, _task: object = None) -> None:
        if all(task.done() for task in link.tasks):
            self._links.discard(link)
