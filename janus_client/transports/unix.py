"""Unix-socket transport (Janus' ``pfunix``): ``unix:///path`` and ``unix+dgram:///path``.

``unix://`` uses a ``SOCK_SEQPACKET`` socket (Janus' default): one JSON message
per packet, and the end of the connection is seen at once (a Janus restart fails
the pending calls immediately). Janus destroys the sessions of a closed
SEQPACKET connection.

``unix+dgram://`` uses ``SOCK_DGRAM``, for a Janus configured with ``type =
"SOCK_DGRAM"``: the client binds a path of its own (unique, in the temporary
directory, removed on close) where Janus sends replies and events. There is no
connection, so a Janus restart is only noticed by keepalives.

Janus reads at most 8,192 bytes per request; a larger one would be dropped
(SEQPACKET) or truncated (DGRAM), so it is refused before sending with
`RequestTooLargeError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import ssl as _ssl
from typing import Any
from urllib.parse import unquote, urlsplit

from .._compat import deadline as _deadline
from .._dispatch import cancel_and_wait
from ..config import ReconnectPolicy, Timeouts
from ..errors import ConnectError, ConnectionClosedError, JanusError
from ..protocol import encode
from ._inflight import InFlightLimit
from .base import JanusTransport

__all__ = ["MAX_REQUEST_BYTES", "JanusTransportUnix", "RequestTooLargeError"]

logger = logging.getLogger("janus_client")

#: The largest request Janus' pfunix transport reads (its receive buffer).
MAX_REQUEST_BYTES = 8192
# Replies may be much larger than requests (``info``, handle info).
_RECV_SIZE = 4 * 2**20


class RequestTooLargeError(JanusError, ValueError):
    """A request is larger than the transport can carry (nothing was sent).

    Attributes:
        size: The encoded request's size in bytes.
        limit: The transport's limit in bytes.
    """

    def __init__(self, message: str, *, size: int, limit: int) -> None:
        super().__init__(message)
        self.size = size
        self.limit = limit


def socket_path_of(url: str) -> str:
    """Return the filesystem path of a ``unix://`` / ``unix+dgram://`` URL.

    Both ``unix:///run/janus.sock`` and ``unix:/run/janus.sock`` name
    ``/run/janus.sock``.

    Raises:
        ValueError: The URL names no absolute path.
    """
    parts = urlsplit(url)
    path = unquote(parts.netloc + parts.path) if parts.netloc else unquote(parts.path)
    if not path.startswith("/"):
        raise ValueError(f"{url!r} must name an absolute socket path, e.g. unix:///run/janus.sock")
    return path


@JanusTransport._register_builtin
class JanusTransportUnix(InFlightLimit, JanusTransport):
    """Janus over a Unix socket: ``unix:///path`` (SEQPACKET) or ``unix+dgram:///path``.

    Use the Admin API socket's path (``admin_path`` in Janus' pfunix
    configuration) with `JanusAdminMonitorClient`.

    Args:
        base_url: ``unix:///path/to/janus.sock`` or ``unix+dgram:///path``.
        api_secret: Default ``apisecret`` for its sessions.
        token: Default ``token`` for its sessions.
        timeouts: Deadlines; see `Timeouts`.
        ssl: Not used (Unix sockets never use TLS); must be None.
        reconnect: Reconnect and reclaim sessions after a drop (`ReconnectPolicy`).
            Over SEQPACKET, Janus destroys a connection's sessions when it
            closes, so reclaiming only works when Janus was not restarted
            and ``reclaim_session_timeout`` allows it.
        client_dir: Folder for the client's own DGRAM socket (default: the
            temporary directory).
        max_in_flight: DGRAM only: how many requests may wait for their reply at
            once (default 4; None for no limit). Linux queues at most
            ``net.unix.max_dgram_qlen`` datagrams (10 by default) on the client's
            socket and Janus drops the replies beyond that, so a burst of
            concurrent requests would otherwise lose replies. Further calls wait
            for a free slot within their own deadline.

    Raises:
        ValueError: The URL names no absolute path, or ``ssl`` is given.
    """

    schemes = ("unix", "unix+dgram")

    def __init__(
        self,
        base_url: str,
        api_secret: str | None = None,
        token: str | None = None,
        *,
        timeouts: Timeouts | None = None,
        ssl: _ssl.SSLContext | None = None,
        reconnect: ReconnectPolicy | None = None,
        client_dir: str | os.PathLike[str] | None = None,
        max_in_flight: int | None = 4,
    ) -> None:
        if ssl is not None:
            raise ValueError("ssl= was given but Unix sockets never use TLS; leave ssl out")
        super().__init__(base_url, api_secret, token, timeouts=timeouts, reconnect=reconnect)
        self.path = socket_path_of(base_url)
        self.datagram = urlsplit(base_url).scheme.lower() == "unix+dgram"
        self.client_dir = os.fspath(client_dir) if client_dir is not None else None
        self._sock: socket.socket | None = None
        self._client_path: str | None = None
        self._reader: asyncio.Task[None] | None = None
        self._limit_in_flight(max_in_flight, applies=self.datagram)

    @property
    def client_path(self) -> str | None:
        """The path the client bound (DGRAM only, while connected), else None."""
        return self._client_path

    async def _open(self) -> None:
        kind = socket.SOCK_DGRAM if self.datagram else socket.SOCK_SEQPACKET
        sock = socket.socket(socket.AF_UNIX, kind)
        sock.setblocking(False)
        client_path = None
        try:
            if self.datagram:
                import tempfile  # here: tempfile loads shutil, bz2, lzma (import cost)
                import uuid

                folder = self.client_dir or tempfile.gettempdir()
                client_path = os.path.join(folder, f"janus-client-{uuid.uuid4().hex[:16]}.sock")
                sock.bind(client_path)
            async with _deadline(self.timeouts.connect):
                await asyncio.get_running_loop().sock_connect(sock, self.path)
        except (OSError, TimeoutError) as exc:
            sock.close()
            if client_path is not None:
                with contextlib.suppress(OSError):
                    os.unlink(client_path)
            raise ConnectError(
                f"could not connect to {self.base_url}: {exc or type(exc).__name__}",
                url=self.base_url,
            ) from exc
        self._sock = sock
        self._client_path = client_path
        self._reader = asyncio.get_running_loop().create_task(
            self._read_loop(sock), name=f"janus-unix-reader-{self.path}"
        )

    async def _read_loop(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        reason = "Janus closed the socket"
        try:
            while True:
                data = await loop.sock_recv(sock, _RECV_SIZE)
                if not data:
                    if self.datagram:
                        continue  # an empty datagram is no end of anything
                    break
                self._receive(data)
        except OSError as exc:
            reason = f"socket error ({exc})"
        self._connection_failed(
            ConnectionClosedError(f"Unix socket {self.base_url}: {reason}", url=self.base_url)
        )

    def _check_size(self, data: bytes, what: str) -> None:
        if len(data) > MAX_REQUEST_BYTES:
            raise RequestTooLargeError(
                f"{what} is {len(data)} bytes, over the {MAX_REQUEST_BYTES}-byte limit of "
                f"Janus' Unix-socket transport ({self.base_url}); nothing was sent "
                "(use WebSocket or HTTP for requests this large)",
                size=len(data),
                limit=MAX_REQUEST_BYTES,
            )

    async def _write(self, data: bytes) -> None:
        sock = self._sock
        if sock is None or not self._connected:
            raise ConnectionClosedError(
                f"Unix socket {self.base_url} is not connected", url=self.base_url
            )
        try:
            await asyncio.get_running_loop().sock_sendall(sock, data)
        except OSError as exc:
            raise ConnectionClosedError(
                f"Unix socket {self.base_url} failed while sending: {exc}", url=self.base_url
            ) from None

    async def _send(self, message: dict[str, Any]) -> None:
        data = encode(message).encode()
        self._check_size(data, f"the {message.get('janus', '?')!r} request")
        await self._write(data)

    async def _send_raw(self, data: str | bytes) -> None:
        raw = data.encode() if isinstance(data, str) else data
        self._check_size(raw, "the raw data")
        await self._write(raw)

    def _abort_dead_connection(self, exc: BaseException) -> bool:
        sock = self._sock
        if sock is None or not self._connected or self.datagram:
            return False
        logger.warning("aborting the connection to %s: %s", self.base_url, exc)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # the reader sees the end and reports it
        return True

    async def _close_connection(self) -> None:
        sock, self._sock = self._sock, None
        reader, self._reader = self._reader, None
        client_path, self._client_path = self._client_path, None
        if reader is not None and reader is not asyncio.current_task():
            await cancel_and_wait(reader)
        if sock is not None:
            sock.close()
        if client_path is not None:
            with contextlib.suppress(OSError):
                os.unlink(client_path)
