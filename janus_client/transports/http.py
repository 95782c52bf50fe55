"""HTTP transport: POST for requests, one long-poll GET per session for events."""

from __future__ import annotations

import asyncio
import json
import logging
import ssl as _ssl
import time
from collections.abc import Iterator
from typing import Any

import aiohttp

from .._dispatch import cancel_and_wait
from ..config import ReconnectPolicy, Timeouts
from ..errors import ConnectError, ConnectionClosedError, ProtocolError, SessionLost
from ..protocol import decode, encode
from .base import JanusTransport

__all__ = ["JanusTransportHTTP"]

logger = logging.getLogger("janus_client")
_JSON = {"Content-Type": "application/json"}


@JanusTransport.register_transport
class JanusTransportHTTP(JanusTransport):
    """Janus over HTTP(S) (``http://host:8088/janus``).

    Requests are POSTed to ``/janus``, ``/janus/<session>`` or
    ``/janus/<session>/<handle>``; the reply is the POST's body. Events come from
    one long-poll ``GET /janus/<session>?maxev=N`` per session, all fed into the same
    matcher and router as the WebSocket transport. One `aiohttp.ClientSession`
    per transport.

    Args:
        base_url: The API root, usually ending in ``/janus``.
        api_secret: Default ``apisecret`` for its sessions.
        token: Default ``token`` for its sessions.
        timeouts: Deadlines; see `Timeouts`.
        ssl: TLS context for ``https://``.
        max_events: ``maxev``: how many events one long-poll may return at once.
        reconnect: How long a failing long-poll is retried (its ``deadline``,
            with its delays) before the session is lost; without a policy, for
            ``timeouts.request`` seconds.
        subprotocol: Ignored (HTTP has no subprotocol); accepted because 0.9.x
            passed the WebSocket one to whichever transport the URL picked.
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
    ) -> None:
        del subprotocol  # accepted for 0.9.x's create_transport(config=...): HTTP has none
        super().__init__(
            base_url.rstrip("/"), api_secret, token, timeouts=timeouts, ssl=ssl, reconnect=reconnect
        )
        if isinstance(max_events, bool) or not isinstance(max_events, int) or max_events < 1:
            raise ValueError(f"max_events must be a positive integer, got {max_events!r}")
        self.max_events = max_events
        self._http: aiohttp.ClientSession | None = None
        self._pollers: dict[int, asyncio.Task[None]] = {}
        self._stopping: set[asyncio.Task[None]] = set()

    async def _open(self) -> None:
        connector = aiohttp.TCPConnector(
            limit=0, ssl=self.ssl if self.ssl is not None else True, force_close=False
        )
        self._http = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.timeouts.connect),
            trust_env=False,
            json_serialize=encode,
        )
        # Janus answers `info` without a session: check that the endpoint is reachable.
        try:
            async with self._http.get(
                f"{self.base_url}/info", timeout=aiohttp.ClientTimeout(total=self.timeouts.connect)
            ) as resp:
                await resp.read()
        except BaseException as exc:
            http, self._http = self._http, None
            await asyncio.shield(http.close())
            if isinstance(exc, (aiohttp.ClientError, OSError, asyncio.TimeoutError)):
                raise ConnectError(
                    f"could not connect to {self.base_url}: {exc or type(exc).__name__}",
                    url=self.base_url,
                ) from exc
            raise

    def _url_for(self, message: dict[str, Any]) -> str:
        sid = message.get("session_id")
        if sid is None:
            return self.base_url
        hid = message.get("handle_id")
        if hid is None:
            return f"{self.base_url}/{sid}"
        return f"{self.base_url}/{sid}/{hid}"

    async def _send(self, message: dict[str, Any]) -> None:
        http = self._http
        if http is None or not self._connected:
            raise ConnectionClosedError(
                f"HTTP transport to {self.base_url} is closed", url=self.base_url
            )
        url = self._url_for(message)
        try:
            async with http.post(url, data=encode(message), headers=_JSON) as resp:
                body = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, OSError) as exc:
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
            raise ProtocolError(
                f"HTTP {status} from {url} for {message.get('janus')!r} is not a Janus reply: {exc}"
            ) from None
        for msg in messages:
            self._receive_message(msg)

    async def _send_raw(self, data: str | bytes) -> None:
        http = self._http
        if http is None or not self._connected:
            raise ConnectionClosedError(
                f"HTTP transport to {self.base_url} is closed", url=self.base_url
            )
        try:
            async with http.post(self.base_url, data=data) as resp:
                body = await resp.read()
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

    async def _poll_loop(self, session_id: int) -> None:
        url = f"{self.base_url}/{session_id}"
        failures_since: float | None = None
        delays: Iterator[float] | None = None
        while self._http is not None and session_id in self._sessions:
            session = self._sessions[session_id]
            if session.closed:
                return
            params: dict[str, str] = {
                "maxev": str(self.max_events),
                "rid": str(int(time.time() * 1000)),
            }
            creds = session._stamp({})
            params.update({k: str(v) for k, v in creds.items()})
            try:
                async with self._http.get(
                    url, params=params, timeout=aiohttp.ClientTimeout(total=self.timeouts.long_poll)
                ) as resp:
                    body = await resp.read()
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
                now = time.monotonic()
                if failures_since is None:
                    failures_since = now
                    delays = self.reconnect.delays() if self.reconnect is not None else None
                budget = (
                    self.reconnect.deadline if self.reconnect is not None else self.timeouts.request
                )
                delay = next(delays, None) if delays is not None else 0.5
                if delay is None or now - failures_since > budget:
                    session._connection_lost(
                        ConnectionClosedError(
                            f"long-poll of session {session_id} at {url} kept failing: {exc!r}",
                            url=url,
                        )
                    )
                    return
                logger.debug("long-poll of session %s failed (%r), retrying", session_id, exc)
                await asyncio.sleep(delay)
                continue
            failures_since = None
            try:
                messages = decode(body)
            except ProtocolError as exc:
                logger.warning("dropping undecodable long-poll reply from %s: %s", url, exc)
                continue
            for msg in messages:
                if msg.get("janus") == "error":
                    err = msg.get("error") or {}
                    if isinstance(err, dict) and err.get("code") == 458:
                        session._connection_lost(
                            SessionLost(f"session {session_id} no longer exists on {self.base_url}")
                        )
                        return
                self._receive_message(msg)

    async def _close_connection(self) -> None:
        pollers = list(self._pollers.values()) + list(self._stopping)
        self._pollers.clear()
        for task in pollers:
            await cancel_and_wait(task)
        http, self._http = self._http, None
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
