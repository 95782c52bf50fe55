"""HTTP transport: POST for requests, one long-poll GET per session for events."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import ssl as _ssl
import time
from collections.abc import Iterator
from typing import Any

import aiohttp

from .._dispatch import cancel_and_wait
from .._version import __version__
from ..config import ReconnectPolicy, Timeouts
from ..errors import (
    ConnectError,
    ConnectionClosedError,
    JanusError,
    ProtocolError,
    SessionLost,
    error_for_code,
)
from ..logs import redact_text
from ..protocol import decode, encode
from ._http1 import MAX_BODY, Http1Pool
from .base import JanusTransport

__all__ = ["JanusTransportHTTP"]

logger = logging.getLogger("janus_client")
_JSON = {"Content-Type": "application/json"}
# A poll answered faster than this with nothing in it was not a real long-poll.
_INSTANT = 1.0


def _describe(exc: BaseException) -> str:
    """Say why a connection failed, without aiohttp's internal details (``ssl:default``)."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        cause = exc.os_error
        if isinstance(cause, _ssl.SSLError):  # its errno is not a system error number
            verify = getattr(cause, "verify_message", None)
            if verify:
                return f"TLS certificate not accepted: {verify} ({exc.host}:{exc.port})"
            return f"TLS failed: {cause.reason or cause} ({exc.host}:{exc.port})"
        if isinstance(cause, OSError) and cause.errno:
            return f"{os.strerror(cause.errno)} ({exc.host}:{exc.port})"
        return str(cause)
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


class _TooLarge(aiohttp.ClientPayloadError):
    """A reply body over the transport's ``max_size`` (read no further)."""


async def _read_body(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    """Read a response body of at most ``limit`` bytes (`_TooLarge` beyond)."""
    if resp.content_length is not None and resp.content_length > limit:
        raise _TooLarge(f"reply body of {resp.content_length} bytes is larger than {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise _TooLarge(f"reply body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@JanusTransport._register_builtin
class JanusTransportHTTP(JanusTransport):
    """Janus over HTTP(S) (``http://host:8088/janus``).

    Requests are POSTed to ``/janus``, ``/janus/<session>`` or
    ``/janus/<session>/<handle>``; the reply is the POST's body. Events come from
    one long-poll ``GET /janus/<session>?maxev=N`` per session, all fed into the same
    matcher and router as the WebSocket transport. The POSTs go over keep-alive
    connections of a small built-in HTTP/1.1 client (a request's answer is read
    even when its caller stopped waiting, so a cancelled ``attach`` still learns
    the handle to detach); the long-polls use one `aiohttp.ClientSession` per
    transport, which shares its cookies with the POSTs.

    Args:
        base_url: The API root, usually ending in ``/janus``.
        api_secret: Default ``apisecret`` for its sessions.
        token: Default ``token`` for its sessions.
        timeouts: Deadlines; see `Timeouts`.
        ssl: TLS context for ``https://``.
        max_events: ``maxev``: how many events one long-poll may return at once.
        max_size: Largest reply body accepted, in bytes (a POST's answer or a
            long-poll's events), as the WebSocket transport's ``max_size``. A larger
            POST answer fails its request with `ConnectionClosedError`; a larger poll
            answer is dropped, logged and the poll retried.
        reconnect: How long a failing long-poll is retried (its ``deadline``,
            with its delays) before the session is lost; without a policy, for
            ``timeouts.request`` seconds with the default delays. With a policy an
            unanswered keepalive is retried the same way (the session gets
            ``RECONNECTING`` / ``RECONNECTED`` events), and a session given up is
            destroyed on the server (best effort).
        subprotocol: Ignored (HTTP has no subprotocol); accepted because 0.9.x
            passed the WebSocket one to whichever transport the URL picked.

    Raises:
        ValueError: ``max_events`` or ``max_size`` is not a positive integer, or ``ssl`` is given
            for an ``http://`` URL.
    """

    schemes = ("http", "https")

    def __init__(
        self,
        base_url: str,
        api_secret: str | None = None,
        token: str | None = None,
        *,
        timeouts: Timeouts | None = None,
        ssl: _ssl.SSLContext | None = None,
        max_events: int = 10,
        reconnect: ReconnectPolicy | None = None,
        subprotocol: str | None = None,
        max_size: int = MAX_BODY,
    ) -> None:
        del subprotocol  # accepted for 0.9.x's create_transport(config=...): HTTP has none
        super().__init__(
            base_url.rstrip("/"), api_secret, token, timeouts=timeouts, ssl=ssl, reconnect=reconnect
        )
        if isinstance(max_events, bool) or not isinstance(max_events, int) or max_events < 1:
            raise ValueError(f"max_events must be a positive integer, got {max_events!r}")
        self.max_events = max_events
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
            raise ValueError(f"max_size must be a positive number of bytes, got {max_size!r}")
        self.max_size = max_size
        self._http: aiohttp.ClientSession | None = None
        self._posts: Http1Pool | None = None
        self._pollers: dict[int, asyncio.Task[None]] = {}
        self._stopping: set[asyncio.Task[None]] = set()

    async def _open(self) -> None:
        connector = aiohttp.TCPConnector(
            limit=0, ssl=self.ssl if self.ssl is not None else True, force_close=False
        )
        self._http = http = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.timeouts.connect),
            trust_env=False,
            json_serialize=encode,
        )
        # Janus answers `info` without a session: check that the endpoint is reachable.
        try:
            async with self._http.get(
                f"{self._dial_url}/info", timeout=aiohttp.ClientTimeout(total=self.timeouts.connect)
            ) as resp:
                await resp.read()
        except BaseException as exc:
            self._http = None
            await asyncio.shield(http.close())
            if isinstance(exc, (aiohttp.ClientError, OSError, asyncio.TimeoutError)):
                raise ConnectError(
                    f"could not connect to {self.base_url}: {_describe(exc)}",
                    url=self.base_url,
                ) from exc
            raise
        self._posts = Http1Pool(
            self._dial_url,
            ssl=self.ssl,
            connect_timeout=self.timeouts.connect,
            abandon_after=self.timeouts.request,
            cookie_jar=http.cookie_jar,
            user_agent=f"janus-client/{__version__}",
            max_body=self.max_size,
        )

    def _target_for(self, message: dict[str, Any]) -> str:
        sid = message.get("session_id")
        if sid is None:
            return ""
        hid = message.get("handle_id")
        if hid is None:
            return f"/{sid}"
        return f"/{sid}/{hid}"

    def _url_for(self, message: dict[str, Any]) -> str:
        return self.base_url + self._target_for(message)

    async def _send(self, message: dict[str, Any]) -> None:
        posts = self._posts
        if posts is None or not self._connected:
            raise ConnectionClosedError(
                f"HTTP transport to {self.base_url} is closed", url=self.base_url
            )
        try:
            status, body = await posts.post(
                self._target_for(message), encode(message).encode(), self._late_reply
            )
        except (OSError, asyncio.TimeoutError) as exc:
            url = self._url_for(message)
            raise ConnectionClosedError(
                f"HTTP request {message.get('janus')!r} to {url} failed: "
                f"{exc or type(exc).__name__}",
                url=url,
            ) from exc
        try:
            value = json.loads(body)
        except (ValueError, RecursionError):
            value = None
        if type(value) is dict:  # the usual case: one reply object
            self._receive_message(value)
            return
        try:
            messages = decode(body)
        except ProtocolError as exc:
            url = self._url_for(message)
            if status == 404:
                raise ProtocolError(
                    f"HTTP 404 from {url} for {message.get('janus')!r}: no Janus API at this "
                    "path (Janus serves it at /janus by default, e.g. "
                    "http://127.0.0.1:8088/janus)"
                ) from None
            raise ProtocolError(
                f"HTTP {status} from {url} for {message.get('janus')!r} is not a Janus reply: {exc}"
            ) from None
        for msg in messages:
            self._receive_message(msg)

    def _late_reply(self, status: int, body: bytes) -> None:
        """A reply read after its caller stopped waiting (its transaction may be kept)."""
        del status
        self._receive(body)

    async def _send_raw(self, data: str | bytes) -> None:
        http = self._http
        if http is None or not self._connected:
            raise ConnectionClosedError(
                f"HTTP transport to {self.base_url} is closed", url=self.base_url
            )
        try:
            async with http.post(self._dial_url, data=data) as resp:
                body = await _read_body(resp, self.max_size)
        except (aiohttp.ClientError, OSError) as exc:
            raise ConnectionClosedError(
                f"HTTP POST to {self.base_url} failed: {exc or type(exc).__name__}",
                url=self.base_url,
            ) from exc
        self._receive(body)

    # --------------------------------------------------------------- long-poll
    def _events_wanted(self, session_id: int) -> None:
        # The long-poll starts when the session first needs events: a plugin
        # message, trickle or hangup, or a listener (iterator, callback, plugin
        # object). A session that only attaches and detaches never polls; Janus
        # keeps events for a session until it is polled, so none is lost.
        if session_id in self._sessions and session_id not in self._pollers:
            self._pollers[session_id] = asyncio.get_running_loop().create_task(
                self._poll_loop(session_id), name=f"janus-longpoll-{session_id}"
            )

    def _session_removed(self, session_id: int) -> None:
        task = self._pollers.pop(session_id, None)
        if task is not None and not task.done():
            task.cancel()
            self._stopping.add(task)
            task.add_done_callback(self._stopping.discard)

    def _retries_keepalives(self) -> bool:
        return self.reconnect is not None

    async def _poll_loop(self, session_id: int) -> None:
        """Long-poll one session's events until it goes away.

        Janus answers a poll at once, with an empty body, when it refuses it: 403
        when the session's token or secret is no longer accepted, 404 when it no
        longer knows the session. Those end the session at once. Any other failure
        (connection error, non-2xx status, an undecodable or instantly empty reply)
        is retried under the `ReconnectPolicy` delays, never in a busy loop, and
        logged once per run of failures.
        """
        url = f"{self.base_url}/{session_id}"  # shown
        poll_url = f"{self._dial_url}/{session_id}"
        loop = asyncio.get_running_loop()
        failures_since: float | None = None
        delays: Iterator[float] = iter(())
        failures = 0
        while self._http is not None and session_id in self._sessions:
            session = self._sessions[session_id]
            if session.closed:
                return
            params: dict[str, str] = {
                "maxev": str(self.max_events),
                "rid": str(int(time.time() * 1000)),
            }
            creds = session.credentials()
            params.update({k: str(v) for k, v in creds.items()})
            started = loop.time()
            problem: str
            try:
                async with self._http.get(
                    poll_url,
                    params=params,
                    timeout=aiohttp.ClientTimeout(total=self.timeouts.long_poll),
                ) as resp:
                    status = resp.status
                    body = await _read_body(resp, self.max_size)
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
                # The poll's URL carries the credentials: never show them.
                problem = redact_text(f"failed: {exc!r}")
            else:
                lost, problem, messages = self._read_poll(
                    session_id, status, body, loop.time() - started
                )
                if lost is not None:
                    session.connection_lost(lost)
                    return
                if not problem:
                    if failures:
                        logger.info(
                            "long-poll of session %s works again after %d failure(s)",
                            session_id,
                            failures,
                        )
                    failures_since, failures = None, 0
                    for msg in messages:
                        self._receive_message(msg)
                    if session.closed:
                        return
                    continue
            now = loop.time()
            if failures_since is None:
                failures_since = now
                policy = self.reconnect if self.reconnect is not None else ReconnectPolicy()
                delays = policy.delays()
            budget = (
                self.reconnect.deadline if self.reconnect is not None else self.timeouts.request
            )
            delay = next(delays, None)
            failures += 1
            if delay is None or now - failures_since + delay > budget:
                # Janus may still hold the session (only its long-poll fails): free it.
                self._destroy_later(session_id, creds)
                session.connection_lost(
                    ConnectionClosedError(
                        f"long-poll of session {session_id} at {url} kept failing for "
                        f"{now - failures_since:.1f} s ({failures} attempt(s)): {problem}",
                        url=url,
                    )
                )
                return
            # One warning per run of failures; the retries are DEBUG.
            log = logger.warning if failures == 1 else logger.debug
            log(
                "long-poll of session %s %s; retrying in %.2f s", session_id, problem, delay
            )
            await asyncio.sleep(delay)

    def _read_poll(
        self, session_id: int, status: int, body: bytes, elapsed: float
    ) -> tuple[JanusError | None, str, list[dict[str, Any]]]:
        """Read one poll reply: ``(why the session ends, what is wrong, messages)``.

        403 (401) ends the session as unauthorized, 404 or a 458 error as unknown;
        otherwise ``what is wrong`` is empty for a good reply, whose messages are
        returned, and describes a reply to retry after a delay.
        """
        if status in (401, 403):
            return self._refused(session_id, 403, status), "", []
        if status == 404:
            return self._refused(session_id, 458, status), "", []
        if not 200 <= status < 300:
            return None, f"was answered HTTP {status}", []
        if not body.strip():
            slow = elapsed >= _INSTANT  # an idle poll may end empty; an instant one may not
            return None, "" if slow else f"got an empty reply (HTTP {status}) at once", []
        try:
            messages = decode(body)
        except ProtocolError as exc:
            return None, f"got an undecodable reply: {exc}", []
        if not messages:
            return None, "" if elapsed >= _INSTANT else "got an empty list at once", []
        for msg in messages:
            if msg.get("janus") == "error":
                err = msg.get("error")
                code = err.get("code") if isinstance(err, dict) else None
                if code in (403, 458):
                    return self._refused(session_id, int(code), status), "", []
        return None, "", messages

    def _refused(self, session_id: int, code: int, status: int) -> JanusError:
        if code == 403:
            return error_for_code(
                403,
                f"Janus refused the long-poll of session {session_id} (HTTP {status}): its "
                "token or API secret is no longer accepted",
                request="long-poll",
                url=self.base_url,
            )
        return SessionLost(
            f"session {session_id} no longer exists on {self.base_url} "
            f"(long-poll answered HTTP {status})"
        )

    async def _close_connection(self) -> None:
        pollers = list(self._pollers.values()) + list(self._stopping)
        self._pollers.clear()
        for task in pollers:
            await cancel_and_wait(task)
        posts, self._posts = self._posts, None
        http, self._http = self._http, None
        if posts is not None:
            await posts.close()
        if http is not None:
            await http.close()

    # ------------------------------------------------------------ 0.9.x API
    async def session_receive_response(
        self, session_id: int, destroyed_event: asyncio.Event
    ) -> None:
        """Receive ``session_id``'s events until ``destroyed_event`` is set (0.9.x API).

        The transport long-polls by itself for every session that expects events;
        this makes sure the long-poll of ``session_id`` runs and returns when
        ``destroyed_event`` is set or the long-poll ends (session gone or closed).
        """
        self._events_wanted(session_id)
        poller = self._pollers.get(session_id)
        waiter = asyncio.get_running_loop().create_task(destroyed_event.wait())
        try:
            waits: set[asyncio.Future[Any]] = {waiter}
            if poller is not None:
                waits.add(poller)
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            await cancel_and_wait(waiter)

    def session_receive_response_done_cb(
        self, task: asyncio.Task[Any], context: object = None
    ) -> None:
        """Log how a long-poll task ended (0.9.x done-callback; ``context`` is unused)."""
        _log_task_end(task, "long-poll")


def _log_task_end(task: asyncio.Task[Any], what: str) -> None:
    if task.cancelled():
        logger.debug("%s task %s ended (cancelled)", what, task.get_name())
        return
    if not task.done():
        logger.debug("%s task %s is still running", what, task.get_name())
        return
    exc = task.exception()
    if exc is not None:
        logger.warning("%s task %s failed: %r", what, task.get_name(), exc)
    else:
        logger.debug("%s task %s ended", what, task.get_name())
