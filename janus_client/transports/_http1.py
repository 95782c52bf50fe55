"""A small HTTP/1.1 client for the HTTP transport's POSTs (internal).

Janus' requests over HTTP are short JSON POSTs whose answer is the reply; the
generic machinery of `aiohttp` (request and response objects, header multidicts,
URL objects, a task per request body) costs about three times the work of the
exchange itself. This module does only what those POSTs need, on keep-alive
connections of its own:

* one request per connection at a time, connections reused (the most recently
  used first) and closed after `KEEPALIVE` seconds idle (one timer for the pool)
  or when the server says ``Connection: close``;
* replies with ``Content-Length``, ``Transfer-Encoding: chunked`` (what Janus
  sends) or read until the connection closes; ``1xx`` answers are skipped;
* a caller that stops waiting (cancelled, deadline) leaves its connection
  reading the reply, which then goes to the pool's ``late`` callback and the
  connection back to the pool; a reply that does not come within the pool's
  ``abandon_after`` closes the connection;
* a reply body larger than the pool's ``max_body`` fails its request (the
  connection is closed, nothing more is read from it);
* TLS through `asyncio` (``ssl=``), Basic authentication from the URL's
  user info, and cookies kept in a `aiohttp` cookie jar shared with the
  transport's long-polls (looked at only when it holds any, or when a reply
  sets one).

Anything malformed fails the request with `BadHTTPResponse` (a
`ConnectionError`) and closes the connection.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import ssl as _ssl
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .._compat import deadline as _deadline

__all__ = ["BadHTTPResponse", "Http1Pool"]

logger = logging.getLogger("janus_client")

#: Idle keep-alive connections older than this are closed instead of reused.
KEEPALIVE = 15.0
#: The most bytes a status line and headers may take.
MAX_HEAD = 64 * 1024
#: The largest reply body accepted by default (as the WebSocket transport's ``max_size``).
MAX_BODY = 16 * 2**20

Reply = tuple[int, bytes]
LateReply = Callable[[int, bytes], None]


class BadHTTPResponse(ConnectionError):
    """The server's answer is not an HTTP/1.x response this client can read."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection; reads one response at a time."""

    def __init__(self, pool: Http1Pool) -> None:
        self._pool = pool
        self._buf = bytearray()
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self.lost: asyncio.Future[None] = pool.loop.create_future()
        # Who gets the response: the caller's future, or the late callback when
        # the caller left (then a timer gives up on the reply).
        self.waiter: asyncio.Future[Reply] | None = None
        self.late: LateReply | None = None
        self.late_timer: asyncio.TimerHandle | None = None
        self._reset()

    def _reset(self) -> None:
        self._head_end = -1  # where the body starts, once the head is read
        self._status = 0
        self._keep = True
        self._length: int | None = None
        self._chunked = False
        self._chunks: list[bytes] = []
        self._body_size = 0  # chunked: the sizes of the chunks so far
        self._cookies: list[str] = []

    # ----------------------------------------------------------- asyncio side
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._buf += data
        if self.waiter is None and self.late is None:
            self._fail(BadHTTPResponse("unexpected data from the server"))
            return
        try:
            reply = self._parse()
        except BadHTTPResponse as exc:
            self._fail(exc)
            return
        if reply is not None:
            self._deliver(reply)

    def eof_received(self) -> bool | None:
        return None  # close the transport (a half-closed connection is not reused)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._pool._forget(self)
        if not self.lost.done():
            self.lost.set_result(None)
        if self.waiter is None and self.late is None:
            return
        if self._head_end >= 0 and self._length is None and not self._chunked:
            # A reply without length ends with its connection.
            body = bytes(self._buf[self._head_end :])
            self._buf.clear()
            self._keep = False
            self._deliver((self._status, body))
            return
        reason = f": {exc}" if exc is not None else ""
        self._fail(BadHTTPResponse(f"the server closed the connection before replying{reason}"))

    # ---------------------------------------------------------------- parsing
    def _parse(self) -> Reply | None:
        buf = self._buf
        while self._head_end < 0:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEAD:
                    raise BadHTTPResponse("response headers too long")
                return None
            if self._read_head(bytes(buf[:end])):
                self._head_end = end + 4
            else:  # a 1xx answer: the real one follows
                del buf[: end + 4]
        start = self._head_end
        if self._chunked:
            return self._parse_chunks()
        if self._length is not None:
            stop = start + self._length  # checked against max_body in _read_head
            if len(buf) < stop:
                return None
            body = bytes(buf[start:stop])
            del buf[:stop]
            return self._status, body
        if self._status in (204, 304):
            del buf[:start]
            return self._status, b""
        if len(buf) - start > self._pool.max_body:
            raise BadHTTPResponse(f"reply body larger than {self._pool.max_body} bytes")
        return None  # read until the connection closes

    def _read_head(self, head: bytes) -> bool:
        """Read the status line and headers; False for a 1xx answer to skip."""
        lines = head.split(b"\r\n")
        status_line = lines[0]
        if not status_line.startswith(b"HTTP/1.") or len(status_line) < 12:
            raise BadHTTPResponse(f"not an HTTP/1.x status line: {status_line[:40]!r}")
        try:
            status = int(status_line[9:12])
        except ValueError:
            raise BadHTTPResponse(f"bad status line: {status_line[:40]!r}") from None
        if 100 <= status < 200:
            return False
        self._status = status
        keep = status_line[7:8] == b"1"  # HTTP/1.1 keeps the connection by default
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep:
                raise BadHTTPResponse(f"bad header line: {line[:40]!r}")
            name = name.strip().lower()
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    raise BadHTTPResponse(f"bad Content-Length: {value[:20]!r}") from None
                if length < 0:
                    raise BadHTTPResponse(f"bad Content-Length: {value[:20]!r}")
                if length > self._pool.max_body:
                    raise BadHTTPResponse(
                        f"reply body of {length} bytes is larger than {self._pool.max_body}"
                    )
                self._length = length
            elif name == b"transfer-encoding":
                if value.strip().lower() != b"chunked":
                    raise BadHTTPResponse(f"unsupported Transfer-Encoding: {value[:20]!r}")
                self._chunked = True
            elif name == b"connection":
                # A comma-separated list of tokens (RFC 9110, 7.6.1); "close" wins.
                tokens = {token.strip() for token in value.lower().split(b",")}
                if b"close" in tokens:
                    keep = False
                elif b"keep-alive" in tokens:
                    keep = True
            elif name == b"set-cookie":
                self._cookies.append(value.strip().decode("latin-1"))
        if self._chunked:
            self._length = None  # chunked wins over a length (RFC 9112, 6.3)
        self._keep = keep
        return True

    def _parse_chunks(self) -> Reply | None:
        buf = self._buf
        pos = self._head_end
        while True:
            line_end = buf.find(b"\r\n", pos)
            if line_end < 0:
                return None
            size_text = bytes(buf[pos:line_end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BadHTTPResponse(f"bad chunk size: {size_text[:20]!r}") from None
            if size < 0:
                raise BadHTTPResponse(f"bad chunk size: {size_text[:20]!r}")
            self._body_size += size
            if self._body_size > self._pool.max_body:
                raise BadHTTPResponse(f"reply body larger than {self._pool.max_body} bytes")
            if size == 0:
                # The last chunk, optional trailers, then an empty line.
                trailers_end = buf.find(b"\r\n\r\n", line_end)
                if buf.startswith(b"\r\n", line_end + 2):
                    stop = line_end + 4
                elif trailers_end >= 0:
                    stop = trailers_end + 4
                else:
                    return None
                body = b"".join(self._chunks)
                del buf[:stop]
                return self._status, body
            data_end = line_end + 2 + size
            if len(buf) < data_end + 2:
                return None
            if buf[data_end : data_end + 2] != b"\r\n":
                raise BadHTTPResponse("chunk not followed by CRLF")
            self._chunks.append(bytes(buf[line_end + 2 : data_end]))
            pos = data_end + 2
            # Consume what was read, so that a long reply is not scanned again.
            del buf[self._head_end : pos]
            pos = self._head_end

    # ---------------------------------------------------------------- results
    def _deliver(self, reply: Reply) -> None:
        cookies, keep = self._cookies, self._keep
        self._reset()
        if cookies:
            self._pool._store_cookies(cookies)
        waiter, late, timer = self.waiter, self.late, self.late_timer
        self.waiter = self.late = self.late_timer = None
        if timer is not None:
            timer.cancel()
        if keep and not self.closed and not self._buf:
            self._pool._release(self)
        else:
            self.close()
        if waiter is not None and not waiter.done():
            waiter.set_result(reply)
        elif late is not None:  # the caller left (perhaps in this very loop iteration)
            try:
                late(*reply)
            except Exception:
                logger.exception("handling a late HTTP reply failed")

    def _fail(self, exc: BaseException) -> None:
        waiter, timer = self.waiter, self.late_timer
        self.waiter = self.late = self.late_timer = None
        if timer is not None:
            timer.cancel()
        self.close()
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def abandon(self, after: float) -> None:
        """The caller stopped waiting: the reply, if it comes within ``after``, goes to `late`."""
        self.waiter = None
        if self.closed:
            self.late = None
            return
        self.late_timer = self._pool.loop.call_later(after, self._give_up)

    def _give_up(self) -> None:
        self.late = self.late_timer = None
        self.close()

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if not self.closed:
            self.closed = True
            self._pool._forget(self)
            if self.transport is not None:
                self.transport.close()


class Http1Pool:
    """Keep-alive HTTP/1.1 connections to one origin, for JSON POSTs.

    Args:
        base_url: ``http://`` or ``https://`` URL; its path prefixes every target.
        ssl: TLS context for ``https://`` (default: the system's trust).
        connect_timeout: Deadline for opening one connection.
        abandon_after: How long a connection whose caller left waits for the reply.
        cookie_jar: An `aiohttp.abc.AbstractCookieJar` to send and store cookies
            with (shared with the transport's long-polls), or None.
        user_agent: The ``User-Agent`` header.
        max_body: The largest reply body accepted, in bytes; a larger one fails
            its request with `BadHTTPResponse`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        ssl: _ssl.SSLContext | None,
        connect_timeout: float,
        abandon_after: float,
        cookie_jar: Any = None,
        user_agent: str = "janus-client",
        max_body: int = MAX_BODY,
    ) -> None:
        parts = urlsplit(base_url)
        self.max_body = max_body
        self.loop = asyncio.get_running_loop()
        self.base_url = base_url
        self._host = parts.hostname or "localhost"
        tls = parts.scheme.lower() == "https"
        self._port = parts.port or (443 if tls else 80)
        self._ssl: _ssl.SSLContext | None = None
        if tls:
            self._ssl = ssl if ssl is not None else _ssl.create_default_context()
        self.path = quote(parts.path.rstrip("/"), safe="/%:@!$&'()*+,;=-._~")
        netloc = parts.netloc.rpartition("@")[2]
        lines = [f"Host: {netloc}", f"User-Agent: {user_agent}", "Accept: */*"]
        if parts.username is not None:
            secret = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            token = base64.b64encode(secret.encode("utf-8")).decode("ascii")
            lines.append(f"Authorization: Basic {token}")
        lines.append("Content-Type: application/json")
        self._headers = ("\r\n".join(lines) + "\r\n").encode("latin-1")
        self._connect_timeout = connect_timeout
        self._abandon_after = abandon_after
        self._jar = cookie_jar
        self._jar_url: Any = None
        self._idle: list[_Connection] = []
        self._all: set[_Connection] = set()
        self._sweeper: asyncio.TimerHandle | None = None
        self._closed = False
        #: Connections opened so far (for tests and diagnostics).
        self.opened = 0

    async def post(self, target: str, body: bytes, late: LateReply) -> Reply:
        """POST ``body`` (JSON) to ``path + target``; return ``(status, body)``.

        If the caller stops waiting (cancellation), the reply still read later
        goes to ``late(status, body)``.

        Raises:
            ConnectionError: The connection failed or closed (`BadHTTPResponse`
                for an unreadable answer).
            OSError: The connection could not be opened (`TimeoutError` within
                ``connect_timeout``).
        """
        if self._closed:
            raise ConnectionError("the connection pool is closed")
        conn = self._take()
        if conn is None:
            conn = await self._connect()
        extra = self._cookie_header() if self._jar is not None and len(self._jar) else b""
        request = b"POST %s HTTP/1.1\r\n%s%sContent-Length: %d\r\n\r\n%s" % (
            (self.path + target or "/").encode("latin-1"),
            self._headers,
            extra,
            len(body),
            body,
        )
        transport = conn.transport
        if conn.closed or transport is None or transport.is_closing():
            # Closed by the server between its opening and now: nothing was sent.
            conn.close()
            raise ConnectionResetError("the server closed the connection")
        waiter: asyncio.Future[Reply] = self.loop.create_future()
        conn.waiter, conn.late = waiter, late
        transport.write(request)
        try:
            return await waiter
        except asyncio.CancelledError:
            if conn.waiter is waiter:
                conn.abandon(self._abandon_after)
            elif waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                late(*waiter.result())  # it came in the same loop iteration
            raise

    def _take(self) -> _Connection | None:
        idle = self._idle
        now = self.loop.time()
        while idle:
            conn = idle.pop()
            if conn.closed or conn.transport is None or conn.transport.is_closing():
                continue
            if now - conn.idle_since > KEEPALIVE:
                conn.close()
                continue
            return conn
        return None

    async def _connect(self) -> _Connection:
        try:
            async with _deadline(self._connect_timeout):
                _transport, conn = await self.loop.create_connection(
                    lambda: _Connection(self),
                    self._host,
                    self._port,
                    ssl=self._ssl,
                    server_hostname=self._host if self._ssl is not None else None,
                )
        except TimeoutError:
            raise TimeoutError(
                f"connecting to {self._host}:{self._port} took over {self._connect_timeout:g} s"
            ) from None
        if self._closed:
            conn.close()
            raise ConnectionError("the connection pool is closed")
        self.opened += 1
        self._all.add(conn)
        return conn

    def _release(self, conn: _Connection) -> None:
        conn.idle_since = self.loop.time()
        if not self._closed:
            self._idle.append(conn)
            if self._sweeper is None:
                self._sweeper = self.loop.call_later(KEEPALIVE, self._sweep)

    def _sweep(self) -> None:
        """Close the connections idle for `KEEPALIVE` seconds (the oldest are first)."""
        self._sweeper = None
        idle = self._idle
        limit = self.loop.time() - KEEPALIVE
        stale = 0
        while stale < len(idle) and (idle[stale].closed or idle[stale].idle_since <= limit):
            stale += 1  # a connection the server closed counts as stale too
        for conn in idle[:stale]:
            conn.close()
        del idle[:stale]
        if idle:
            self._sweeper = self.loop.call_at(idle[0].idle_since + KEEPALIVE, self._sweep)

    def _forget(self, conn: _Connection) -> None:
        self._all.discard(conn)

    def _cookie_url(self) -> Any:
        if self._jar_url is None:
            from yarl import URL  # aiohttp's URL type, which its cookie jar takes

            self._jar_url = URL(self.base_url)
        return self._jar_url

    def _cookie_header(self) -> bytes:
        cookies = self._jar.filter_cookies(self._cookie_url())
        if not cookies:
            return b""
        value = "; ".join(f"{m.key}={m.coded_value}" for m in cookies.values())
        return f"Cookie: {value}\r\n".encode("latin-1")

    def _store_cookies(self, headers: list[str]) -> None:
        if self._jar is None:
            return
        cookies: SimpleCookie = SimpleCookie()
        for header in headers:
            try:
                cookies.load(header)
            except CookieError:
                logger.debug("ignoring a malformed Set-Cookie header from %s", self._host)
        if cookies:
            self._jar.update_cookies(cookies, self._cookie_url())

    async def close(self) -> None:
        """Close every connection and wait (briefly) until they are closed."""
        self._closed = True
        self._idle.clear()
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        conns = list(self._all)
        self._all.clear()
        for conn in conns:
            waiter, conn.waiter = conn.waiter, None
            if waiter is not None and not waiter.done():
                waiter.set_exception(ConnectionError("the connection pool is closed"))
            if conn.late_timer is not None:
                conn.late_timer.cancel()
            conn.late = conn.late_timer = None
            conn.closed = True
            if conn.transport is not None:
                conn.transport.abort()
        pending = [conn.lost for conn in conns if not conn.lost.done()]
        if pending:
            await asyncio.wait(pending, timeout=1.0)
