"""The HTTP transport's own HTTP/1.1 client for POSTs (`janus_client.transports._http1`).

A scripted loopback server answers each request with the bytes a test gives it,
so that framing (length, chunked, until close), keep-alive reuse, bad answers,
cancellation and cookies are checked byte for byte.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from janus_client import ConnectionClosedError, JanusTransport, RequestTimeoutError
from janus_client.transports import _http1
from janus_client.transports._http1 import BadHTTPResponse, Http1Pool

OK_JSON = b'{"janus":"success"}'


def length_reply(body: bytes = OK_JSON, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\n%sContent-Length: %d\r\n\r\n%s" % (extra, len(body), body)


def chunked_reply(*chunks: bytes, trailers: bytes = b"") -> bytes:
    out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    for chunk in chunks:
        out += b"%x\r\n%s\r\n" % (len(chunk), chunk)
    return out + b"0\r\n" + trailers + b"\r\n"


class Script:
    """A loopback server: each request gets the next scripted answer.

    An answer is bytes (written at once), a list of bytes (written piece by piece,
    one loop iteration apart), None (close the connection without answering), an
    `asyncio.Event` (answer `OK` once it is set) or an async function of the
    request body returning the answer.
    """

    def __init__(self) -> None:
        self.answers: list[Any] = []
        self.requests: list[tuple[bytes, bytes]] = []
        self.connections = 0
        self.close_after: bool = False
        self.received = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.url = ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                if head.startswith(b"GET "):  # the transport's `info` check at connect
                    writer.write(length_reply(b'{"janus":"server_info"}'))
                    continue
                self.requests.append((head, body))
                self.received.set()
                answer = self.answers.pop(0) if self.answers else length_reply()
                if answer is None:
                    break
                if isinstance(answer, asyncio.Event):
                    await answer.wait()
                    answer = length_reply()
                elif callable(answer):
                    answer = await answer(body)
                pieces = answer if isinstance(answer, list) else [answer]
                for piece in pieces:
                    writer.write(piece)
                    await writer.drain()
                    await asyncio.sleep(0)
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            self._handlers.discard(task)

    async def first_request(self) -> None:
        await asyncio.wait_for(self.received.wait(), 5.0)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/janus"

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        if self._handlers:
            await asyncio.wait(set(self._handlers), timeout=2.0)
        await self._server.wait_closed()


@pytest.fixture
async def script() -> AsyncIterator[Script]:
    s = Script()
    await s.start()
    try:
        yield s
    finally:
        await s.stop()


def ignore_late(status: int, body: bytes) -> None:
    raise AssertionError(f"unexpected late reply {status} {body!r}")


@contextlib.asynccontextmanager
async def pool_for(url: str, **kwargs: Any) -> AsyncIterator[Http1Pool]:
    options: dict[str, Any] = {"ssl": None, "connect_timeout": 5.0, "abandon_after": 5.0}
    options.update(kwargs)
    pool = Http1Pool(url, **options)
    try:
        yield pool
    finally:
        await pool.close()


async def test_replies_by_length_chunked_and_until_close(script: Script) -> None:
    script.answers = [
        length_reply(b'{"a":1}'),
        [bytes([b]) for b in chunked_reply(b'{"b":', b"2}")],  # one byte at a time
        chunked_reply(b'{"c":3}', trailers=b"X-Trailer: yes\r\n"),
        b"HTTP/1.1 100 Continue\r\n\r\n" + length_reply(b'{"d":4}'),
        b"HTTP/1.1 204 No Content\r\n\r\n",
    ]
    async with pool_for(script.url) as pool:
        assert await pool.post("", b"{}", ignore_late) == (200, b'{"a":1}')
        assert await pool.post("/1", b"{}", ignore_late) == (200, b'{"b":2}')
        assert await pool.post("/1/2", b"{}", ignore_late) == (200, b'{"c":3}')
        assert await pool.post("", b"{}", ignore_late) == (200, b'{"d":4}')
        assert await pool.post("", b"{}", ignore_late) == (204, b"")
        assert pool.opened == 1  # all on one keep-alive connection
    script.answers = [b"HTTP/1.0 200 OK\r\n\r\n" + b'{"e":5}']
    script.close_after = True
    async with pool_for(script.url) as pool:
        assert await pool.post("", b"{}", ignore_late) == (200, b'{"e":5}')
    targets = [head.split(b" ")[1] for head, _ in script.requests]
    assert targets == [b"/janus", b"/janus/1", b"/janus/1/2", b"/janus", b"/janus", b"/janus"]


async def test_the_request_carries_its_headers_and_body(script: Script) -> None:
    url = script.url.replace("http://", "http://alice:s%40cret@")
    async with pool_for(url, user_agent="janus-client/test") as pool:
        await pool.post("/7", b'{"janus":"keepalive"}', ignore_late)
    head, body = script.requests[0]
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /janus/7 HTTP/1.1"
    host = script.url.split("//")[1].split("/")[0]
    assert f"Host: {host}".encode() in lines  # no user info in Host
    assert b"Content-Type: application/json" in lines
    assert b"User-Agent: janus-client/test" in lines
    token = base64.b64encode(b"alice:s@cret")
    assert b"Authorization: Basic " + token in lines
    assert body == b'{"janus":"keepalive"}'


async def test_an_empty_path_posts_to_the_root(script: Script) -> None:
    async with pool_for(script.url.removesuffix("/janus")) as pool:
        await pool.post("", b"{}", ignore_late)
        await pool.post("/5", b"{}", ignore_late)
    assert [h.split(b" ")[1] for h, _ in script.requests] == [b"/", b"/5"]


async def test_keep_alive_reuse_and_its_limits(
    script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with pool_for(script.url) as pool:
        for _ in range(20):
            await pool.post("", b"{}", ignore_late)
        assert pool.opened == 1
        # "Connection: close" is honoured: the next request opens a new connection.
        script.answers = [length_reply(extra=b"Connection: close\r\n")]
        await pool.post("", b"{}", ignore_late)
        await pool.post("", b"{}", ignore_late)
        assert pool.opened == 2
        # Concurrent requests each need a connection; afterwards they are all reused.
        await asyncio.gather(*(pool.post("", b"{}", ignore_late) for _ in range(10)))
        opened = pool.opened
        assert 2 < opened <= 11
        await asyncio.gather(*(pool.post("", b"{}", ignore_late) for _ in range(10)))
        assert pool.opened == opened
        # Idle connections past the keep-alive time are closed, not reused.
        monkeypatch.setattr(_http1, "KEEPALIVE", -1.0)
        await pool.post("", b"{}", ignore_late)
        assert pool.opened == opened + 1
        assert len(pool._all) == 1


async def test_a_connection_the_server_closed_is_not_reused(script: Script) -> None:
    script.close_after = True  # answers, then closes without saying so
    async with pool_for(script.url) as pool:
        assert await pool.post("", b"{}", ignore_late) == (200, OK_JSON)
        (conn,) = pool._all
        await asyncio.wait_for(conn.lost, 5.0)
        script.close_after = False
        assert await pool.post("", b"{}", ignore_late) == (200, OK_JSON)
        assert pool.opened == 2
        # Closing, its loss not reported yet: not taken either.
        (conn,) = pool._all
        assert conn.transport is not None
        conn.transport.close()
        assert await pool.post("", b"{}", ignore_late) == (200, OK_JSON)
        assert pool.opened == 3


async def test_idle_connections_are_closed_after_the_keep_alive_time(
    script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_http1, "KEEPALIVE", 0.05)
    async with pool_for(script.url) as pool:
        await asyncio.gather(*(pool.post("", b"{}", ignore_late) for _ in range(5)))
        conns = list(pool._all)
        assert len(conns) == 5
        await asyncio.wait_for(asyncio.gather(*(c.lost for c in conns)), 5.0)
        assert pool._all == set()
        assert pool._idle == []
        assert pool._sweeper is None  # nothing left to watch: no timer either
        await pool.post("", b"{}", ignore_late)
        assert pool.opened == 6


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (b"SPDY/3 200 OK\r\n\r\n", "status line"),
        (b"HTTP/1.1 2x0 OK\r\n\r\n", "status line"),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "header line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n", "Content-Length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "Transfer-Encoding"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", "CRLF"),
        (b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * (_http1.MAX_HEAD + 10), "too long"),
        (None, "closed the connection before replying"),
    ],
)
async def test_a_bad_answer_fails_the_request_and_drops_the_connection(
    script: Script, answer: bytes | None, words: str
) -> None:
    script.answers = [answer]
    async with pool_for(script.url) as pool:
        with pytest.raises(ConnectionError) as caught:
            await pool.post("", b"{}", ignore_late)
        assert words in str(caught.value)
        if answer is not None:
            assert isinstance(caught.value, BadHTTPResponse)
        # The next request works, on a new connection.
        assert await pool.post("", b"{}", ignore_late) == (200, OK_JSON)
        assert pool.opened == 2


async def test_a_cancelled_caller_gets_its_reply_late_on_the_same_connection(
    script: Script,
) -> None:
    release = asyncio.Event()
    script.answers = [release]
    late: list[tuple[int, bytes]] = []
    got = asyncio.Event()

    def on_late(status: int, body: bytes) -> None:
        late.append((status, body))
        got.set()

    async with pool_for(script.url) as pool:
        call = asyncio.create_task(pool.post("", b"{}", on_late))
        await script.first_request()
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        release.set()
        await asyncio.wait_for(got.wait(), 5.0)
        assert late == [(200, OK_JSON)]
        # The connection went back to the pool once its reply was read.
        assert await pool.post("", b"{}", ignore_late) == (200, OK_JSON)
        assert pool.opened == 1


async def test_a_late_reply_that_never_comes_closes_its_connection(script: Script) -> None:
    never = asyncio.Event()
    script.answers = [never]
    async with pool_for(script.url, abandon_after=0.05) as pool:
        call = asyncio.create_task(pool.post("", b"{}", ignore_late))
        await script.first_request()
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        (conn,) = pool._all
        await asyncio.wait_for(conn.lost, 5.0)  # given up: closed, not pooled
        assert pool._all == set()
        assert pool._idle == []
        never.set()
        assert await pool.post("", b"{}", ignore_late) == (200, OK_JSON)
        assert pool.opened == 2


async def test_closing_the_pool_fails_a_waiting_request(script: Script) -> None:
    never = asyncio.Event()
    script.answers = [never]
    pool = Http1Pool(script.url, ssl=None, connect_timeout=5.0, abandon_after=5.0)
    call = asyncio.create_task(pool.post("", b"{}", ignore_late))
    await script.first_request()
    await pool.close()
    with pytest.raises(ConnectionError, match="closed"):
        await call
    with pytest.raises(ConnectionError, match="closed"):
        await pool.post("", b"{}", ignore_late)
    never.set()


async def test_connecting_to_nothing_is_an_os_error() -> None:
    async with pool_for("http://127.0.0.1:9/janus", connect_timeout=2.0) as pool:
        with pytest.raises(ConnectionRefusedError):
            await pool.post("", b"{}", ignore_late)


async def test_cookies_are_kept_and_sent_back(script: Script) -> None:
    jar = aiohttp.CookieJar(unsafe=True)
    script.answers = [length_reply(extra=b"Set-Cookie: route=b7; Path=/\r\n")]
    async with pool_for(script.url, cookie_jar=jar) as pool:
        await pool.post("", b"{}", ignore_late)
        assert len(jar) == 1
        await pool.post("", b"{}", ignore_late)
    first, second = (head.split(b"\r\n") for head, _ in script.requests)
    assert not any(line.lower().startswith(b"cookie:") for line in first)
    assert b"Cookie: route=b7" in second


# ------------------------------------------------------------- through the transport
def janus_answer(body: bytes, **fields: Any) -> bytes:
    request = json.loads(body)
    reply = {"janus": "success", "transaction": request["transaction"], **fields}
    return length_reply(json.dumps(reply).encode())


async def test_the_transport_maps_a_bad_answer_to_a_closed_connection(script: Script) -> None:
    async def garbage(body: bytes) -> bytes:
        return b"HTTP/9 what\r\n\r\n"

    async def info(body: bytes) -> bytes:
        return janus_answer(body)

    transport = JanusTransport.create_transport(script.url)
    script.answers = [info]  # the first POST (info) is fine
    try:
        await transport.info()
        script.answers = [garbage]
        with pytest.raises(ConnectionClosedError, match=r"HTTP request 'info' to .* failed"):
            await transport.info()
        script.answers = [info]
        await transport.info()  # on a new connection
    finally:
        await transport.close()


async def test_a_post_past_its_deadline_times_out_and_its_connection_is_reused(
    script: Script,
) -> None:
    release = asyncio.Event()

    async def slow(body: bytes) -> bytes:
        await release.wait()
        return janus_answer(body)

    async def fast(body: bytes) -> bytes:
        return janus_answer(body)

    transport = JanusTransport.create_transport(script.url)
    try:
        script.answers = [fast]
        await transport.info()
        script.answers = [slow, fast]
        late = asyncio.Event()
        hear_late = transport._late_reply  # type: ignore[attr-defined]

        def heard(status: int, body: bytes) -> None:
            hear_late(status, body)
            late.set()

        transport._late_reply = heard  # type: ignore[attr-defined]
        message = {"janus": "info"}
        with pytest.raises(RequestTimeoutError):
            await transport.request(message, timeout=0.05)
        assert transport.pending_count == 0
        release.set()  # the late answer is read (and dropped): the connection is free
        await asyncio.wait_for(late.wait(), 5.0)
        posts: Any = transport._posts  # type: ignore[attr-defined]
        await transport.info()
        assert posts.opened == 1
    finally:
        await transport.close()


@pytest.mark.parametrize(
    "answer",
    [
        length_reply(b"x" * 101),
        chunked_reply(b"x" * 60, b"y" * 60),
        b"HTTP/1.1 200 OK\r\n\r\n" + b"z" * 200,  # no length: read until close
    ],
    ids=["length", "chunked", "until-close"],
)
async def test_a_reply_body_over_max_body_fails_and_the_pool_keeps_working(
    script: Script, answer: bytes
) -> None:
    script.answers = [answer]
    async with pool_for(script.url, max_body=100) as pool:
        with pytest.raises(BadHTTPResponse, match="larger than 100"):
            await pool.post("", b"{}", ignore_late)
        # A reply of exactly the limit is accepted, on a new connection.
        script.answers = [length_reply(b"k" * 100)]
        assert await pool.post("", b"{}", ignore_late) == (200, b"k" * 100)
        assert pool.opened == 2


@pytest.mark.parametrize(
    ("header", "reused"),
    [
        (b"Connection: keep-alive, Upgrade\r\n", True),
        (b"Connection: Upgrade, close\r\n", False),
        (b"Connection: enclosed-token\r\n", True),  # not the token "close"
    ],
)
async def test_the_connection_header_is_read_as_tokens(
    script: Script, header: bytes, reused: bool
) -> None:
    script.answers = [length_reply(extra=header), length_reply()]
    async with pool_for(script.url) as pool:
        assert await pool.post("", b"{}", ignore_late) == (200, OK_JSON)
        assert await pool.post("", b"{}", ignore_late) == (200, OK_JSON)
        assert pool.opened == (1 if reused else 2)


async def test_the_transport_refuses_a_post_answer_over_max_size(script: Script) -> None:
    async def info(body: bytes) -> bytes:
        return janus_answer(body)

    async def huge(body: bytes) -> bytes:
        return length_reply(b" " * 5000)

    transport = JanusTransport.create_transport(script.url, max_size=4096)
    assert transport.max_size == 4096  # type: ignore[attr-defined]
    script.answers = [info]
    try:
        await transport.info()
        script.answers = [huge]
        with pytest.raises(ConnectionClosedError, match="larger than 4096"):
            await transport.info()
        script.answers = [info]
        await transport.info()
    finally:
        await transport.close()


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "10"])
def test_max_size_must_be_a_positive_integer(bad: Any) -> None:
    from janus_client.transports.http import JanusTransportHTTP

    with pytest.raises(ValueError, match="max_size"):
        JanusTransportHTTP("http://127.0.0.1:1/janus", max_size=bad)
