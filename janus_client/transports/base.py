"""The transport interface and the machinery every transport shares.

A transport is one connection to one Janus endpoint, shared by any number of
sessions. It owns:

* the transaction table (replies are matched there first);
* the routing table ``session_id -> session`` (events go to their owner next);
* one keepalive loop for all its sessions (no task per session);
* the connection itself, implemented by subclasses with four small methods.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import ssl as _ssl
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from .. import instrument as _instrument
from .._compat import deadline as _deadline
from .._dispatch import cancel_and_wait
from ..config import ReconnectPolicy, Timeouts, resolve_timeout
from ..errors import (
    ConnectionClosedError,
    InvalidStateError,
    JanusError,
    ProtocolError,
    RequestTimeoutError,
    SessionLost,
    TransportError,
)
from ..events import ConnectionState, ConnectionStateEvent
from ..protocol import Incoming, MessageKind, classify, decode, error_from_message, redact
from ..transactions import CallState, TransactionTable

if TYPE_CHECKING:
    from ..session import JanusSession

__all__ = ["JanusTransport"]

logger = logging.getLogger("janus_client")
_debug_enabled = functools.partial(logger.isEnabledFor, logging.DEBUG)


# Schemes without TLS, and their TLS counterparts (named in the error for ssl=).
_PLAIN_SCHEMES = {"ws": "wss", "http": "https"}


class _Expired(Exception):
    """Set on a reply future whose call ran out of time (internal)."""


def _expire(future: asyncio.Future[Incoming], state: CallState) -> None:
    state.expired = True
    if state.sending and state.task is not None:
        state.sending = False
        state.cancel_task()  # the write itself is stuck
    elif not future.done():
        future.set_exception(_Expired())


class JanusTransport(ABC):
    """One connection to a Janus API endpoint, shared by many sessions.

    Pick an implementation from the URL with `create_transport`, or instantiate
    `JanusTransportWebsocket` / `JanusTransportHTTP` directly. A transport connects
    on first use; close it with `close` (or ``async with``) when you created it
    yourself. Sessions never close a transport they were given.

    Args:
        base_url: The Janus endpoint (``ws://host:8188``, ``http://host:8088/janus``).
        api_secret: Default ``apisecret`` for sessions that do not set their own.
        token: Default ``token`` for sessions that do not set their own.
        timeouts: Deadlines; see `Timeouts`.
        ssl: An `ssl.SSLContext` for ``wss://`` / ``https://`` (default: system trust).
        reconnect: Reconnect and reclaim sessions when the connection drops (see
            `ReconnectPolicy`); None (the default) fails the sessions instead.
    """

    #: URL schemes this class handles, used by `create_transport`.
    schemes: ClassVar[tuple[str, ...]] = ()
    _registry: ClassVar[dict[str, type[JanusTransport]]] = {}

    def __init__(
        self,
        base_url: str,
        api_secret: str | None = None,
        token: str | None = None,
        *,
        timeouts: Timeouts | None = None,
        ssl: _ssl.SSLContext | None = None,
        reconnect: ReconnectPolicy | None = None,
    ) -> None:
        if not isinstance(base_url, str) or not base_url:
            raise ValueError(f"base_url must be a non-empty URL string, got {base_url!r}")
        if reconnect is not None and not isinstance(reconnect, ReconnectPolicy):
            raise TypeError(f"reconnect must be a ReconnectPolicy, got {type(reconnect).__name__}")
        if ssl is not None and not isinstance(ssl, _ssl.SSLContext):
            raise TypeError(f"ssl must be an ssl.SSLContext, got {type(ssl).__name__}")
        scheme = urlsplit(base_url).scheme.lower()
        if ssl is not None and scheme in _PLAIN_SCHEMES:
            raise ValueError(
                f"ssl= was given but {base_url!r} uses {scheme}://, which never uses TLS; "
                f"use {_PLAIN_SCHEMES[scheme]}:// or leave ssl out"
            )
        self.base_url = base_url
        self.api_secret = api_secret
        self.token = token
        self.timeouts = timeouts if timeouts is not None else Timeouts()
        self.ssl = ssl
        self.reconnect = reconnect
        self._reconnecting: asyncio.Future[None] | None = None
        self._reconnect_task: asyncio.Task[None] | None = None
        self._state_callbacks: list[Callable[[ConnectionStateEvent], object]] = []
        self._table = TransactionTable()
        self._sessions: dict[int, JanusSession] = {}
        self._connected = False
        self._closed = False
        self._connect_lock = asyncio.Lock()
        self._keepalive_task: asyncio.Task[None] | None = None
        self._raw_waiters: deque[asyncio.Future[Incoming]] = deque()
        # Tasks being stopped, and best-effort destroys of sessions given up;
        # `close` waits for the destroys (bounded), then ends them all.
        self._background: set[asyncio.Task[Any]] = set()
        self._destroys: set[asyncio.Task[None]] = set()

    # ----------------------------------------------------------------- factory
    @classmethod
    def register_transport(cls, transport_cls: type[JanusTransport]) -> type[JanusTransport]:
        """Register a transport class for the URL schemes in its ``schemes``.

        Usable as a class decorator for third-party transports.
        """
        for scheme in transport_cls.schemes:
            cls._registry[scheme] = transport_cls
        return transport_cls

    @classmethod
    def create_transport(
        cls,
        base_url: str,
        api_secret: str | None = None,
        token: str | None = None,
        **kwargs: Any,
    ) -> JanusTransport:
        """Create the transport that handles ``base_url``'s scheme.

        Raises:
            ValueError: The scheme is not one of the registered schemes.
        """
        if not isinstance(base_url, str):
            raise ValueError(f"base_url must be a URL string, got {base_url!r}")
        # Importing the package registers the built-in transports.
        from . import amqp, http, mqtt, unix, websocket  # noqa: F401

        scheme = urlsplit(base_url).scheme.lower()
        transport_cls = cls._registry.get(scheme)
        if transport_cls is None:
            accepted = ", ".join(sorted(cls._registry))
            raise ValueError(
                f"unsupported URL scheme {scheme!r} in {base_url!r}; accepted schemes: {accepted}"
            )
        return transport_cls(base_url, api_secret, token, **kwargs)

    # -------------------------------------------------------------- lifecycle
    @property
    def connected(self) -> bool:
        """Whether the connection is open."""
        return self._connected

    @property
    def closed(self) -> bool:
        """Whether `close` was called (a closed transport cannot be reused)."""
        return self._closed

    async def connect(self) -> None:
        """Open the connection if it is not open yet (idempotent).

        Raises:
            ConnectError: The server could not be reached in time.
            InvalidStateError: The transport was closed.
        """
        if self._connected:
            return
        async with self._connect_lock:
            if self._closed:
                raise InvalidStateError(f"transport to {self.base_url} is closed")
            if self._connected:
                return
            await self._open()
            self._connected = True
            logger.debug("connected to %s", self.base_url)

    async def close(self) -> None:
        """Close the connection and fail every pending call (idempotent).

        Sessions still using the transport are marked lost.
        """
        if self._closed:
            return
        self._closed = True
        try:
            if self._destroys:
                # Sessions given up are being destroyed on the server: let that
                # finish (each is bounded by timeouts.close) before the line goes.
                await asyncio.wait(set(self._destroys), timeout=self.timeouts.close)
        finally:
            await self._shutdown(
                ConnectionClosedError(
                    f"transport to {self.base_url} was closed", url=self.base_url
                )
            )

    async def _shutdown(self, exc: TransportError) -> None:
        # Local state first (sync, cannot be interrupted), then the awaits; the
        # connection is closed even if we are cancelled while stopping tasks.
        self._connected = False
        keepalive, self._keepalive_task = self._keepalive_task, None
        reconnect, self._reconnect_task = self._reconnect_task, None
        self._end_reconnecting(exc)
        self._table.fail_all(exc)
        for session in list(self._sessions.values()):
            session._connection_lost(exc)
        self._sessions.clear()
        self._fail_raw_waiters(exc)
        try:
            await cancel_and_wait(keepalive)
            await cancel_and_wait(reconnect)
            for task in list(self._background):
                await cancel_and_wait(task)
        finally:
            await asyncio.shield(self._close_connection())

    def _connection_failed(self, exc: TransportError) -> None:
        """Called by subclasses (from their reader) when the line drops."""
        if not self._connected:
            return
        logger.warning("connection to %s lost: %s", self.base_url, exc)
        self._connected = False
        self._table.fail_all(exc)  # calls in flight fail; they are never replayed
        self._fail_raw_waiters(exc)
        self._notify(ConnectionState.DISCONNECTED, error=str(exc))
        if self.reconnect is None or self._closed:
            self._notify(ConnectionState.LOST, error=str(exc))
            self._lose_sessions(exc)
            return
        self._reconnecting = asyncio.get_running_loop().create_future()
        self._reconnect_task = asyncio.get_running_loop().create_task(
            self._reconnect_loop(exc), name=f"janus-reconnect-{self.base_url}"
        )

    def _lose_sessions(self, exc: BaseException) -> None:
        for session in list(self._sessions.values()):
            session._connection_lost(exc)
        self._sessions.clear()

    def _end_reconnecting(self, exc: BaseException | None) -> None:
        waiter, self._reconnecting = self._reconnecting, None
        if waiter is not None and not waiter.done():
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(exc)
                waiter.exception()  # retrieved: waiting callers re-raise it themselves

    async def _reconnect_loop(self, cause: TransportError) -> None:
        policy = self.reconnect
        assert policy is not None
        loop = asyncio.get_running_loop()
        end = loop.time() + policy.deadline
        last: BaseException = cause
        attempt = 0
        try:
            for delay in policy.delays():
                if loop.time() + delay >= end:
                    break
                attempt += 1
                self._notify(ConnectionState.RECONNECTING, attempt=attempt, error=str(last))
                await asyncio.sleep(delay)
                await self._close_connection()
                try:
                    async with _deadline(max(end - loop.time(), 0.001)):
                        await self._open()
                except (TransportError, TimeoutError) as exc:
                    last = exc
                    logger.info(
                        "reconnect attempt %d to %s failed: %s", attempt, self.base_url, exc
                    )
                    continue
                self._connected = True
                logger.info("reconnected to %s (attempt %d)", self.base_url, attempt)
                await self._reclaim_sessions(attempt, max(end - loop.time(), 0.001))
                self._reconnect_task = None
                self._end_reconnecting(None)
                return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # pragma: no cover - defensive: never leave callers waiting
            logger.exception("reconnecting to %s failed", self.base_url)
            last = exc
        failure = ConnectionClosedError(
            f"could not reconnect to {self.base_url} after {attempt} attempt(s): {last}",
            url=self.base_url,
        )
        self._reconnect_task = None
        self._notify(ConnectionState.LOST, attempt=attempt, error=str(last))
        self._lose_sessions(failure)
        self._end_reconnecting(failure)

    async def _reclaim_sessions(self, attempt: int, limit: float) -> None:
        for session in list(self._sessions.values()):
            sid = session.session_id
            if sid is None:
                continue
            msg = session._stamp(
                {"janus": "claim", "transaction": self._table.new_id(), "session_id": sid}
            )
            try:
                await self.request(
                    msg,
                    owner=session,
                    timeout=min(limit, self.timeouts.request),
                    _during_reconnect=True,
                )
            except JanusError as exc:
                session._notify_state(ConnectionState.LOST, attempt=attempt, error=str(exc))
                session._connection_lost(
                    SessionLost(f"session {sid} could not be reclaimed after reconnecting: {exc}")
                )
                self._remove_session(sid)
                continue
            session._notify_state(ConnectionState.RECONNECTED, attempt=attempt)

    def _notify(
        self, state: ConnectionState, *, attempt: int = 0, error: str | None = None
    ) -> None:
        _instrument.notify_state(self.base_url, state.value)
        for session in list(self._sessions.values()):
            session._notify_state(state, attempt=attempt, error=error)
        if self._state_callbacks:
            event = ConnectionStateEvent(state=state, attempt=attempt, error=error)
            for callback in list(self._state_callbacks):
                try:
                    callback(event)
                except Exception:
                    logger.exception("connection state callback %r raised", callback)

    def on_state_change(self, callback: Callable[[ConnectionStateEvent], object]) -> None:
        """Call ``callback(event)`` (synchronously) when the connection changes state.

        Sessions also receive these as `ConnectionStateEvent` through their events.
        """
        if not callable(callback):
            raise TypeError(f"callback must be callable, got {callback!r}")
        self._state_callbacks.append(callback)

    @property
    def reconnecting(self) -> bool:
        """Whether the transport is reconnecting after a drop."""
        return self._reconnecting is not None

    async def _wait_reconnected(self, timeout: float) -> None:
        waiter = self._reconnecting
        if waiter is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except asyncio.TimeoutError:
            raise RequestTimeoutError(
                f"still reconnecting to {self.base_url} after {timeout:g} s", timeout=timeout
            ) from None

    async def __aenter__(self) -> JanusTransport:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------ subclass interface
    @abstractmethod
    async def _open(self) -> None:
        """Open the connection and start the reader; raise ConnectError on failure."""

    @abstractmethod
    async def _close_connection(self) -> None:
        """Close the connection and stop the reader. Must not raise."""

    @abstractmethod
    async def _send(self, message: dict[str, Any]) -> None:
        """Put one request on the wire; replies come back through `_receive`."""

    def _session_added(self, session_id: int) -> None:  # noqa: B027 - optional hook
        """Hook: a session now lives on this transport."""

    def _session_removed(self, session_id: int) -> None:  # noqa: B027 - optional hook
        """Hook: a session left this transport (HTTP stops its long-poll)."""

    def _abort_dead_connection(self, exc: TransportError | RequestTimeoutError) -> bool:
        """Hook: drop a connection that stopped answering; True if it was dropped.

        Connection-oriented transports (WebSocket) abort the socket, which fails the
        pending calls and reconnects under the `ReconnectPolicy`. The default does
        nothing, and each session whose keepalive failed is lost.
        """
        return False

    def _events_wanted(self, session_id: int) -> None:  # noqa: B027 - optional hook
        """Hook: the session now expects events (HTTP starts its long-poll)."""

    # ---------------------------------------------------------------- incoming
    def _receive(self, data: str | bytes | bytearray) -> None:
        """Feed raw data from the wire. Never raises: bad input is logged and dropped."""
        try:
            value = json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            try:
                decode(data)  # builds the descriptive error
            except ProtocolError as exc:
                logger.warning("dropping undecodable message from %s: %s", self.base_url, exc)
            return
        if type(value) is dict:
            self._receive_message(value)
        elif type(value) is list:
            for msg in value:
                self._receive_message(msg)
        else:
            logger.warning(
                "dropping JSON %s from %s: not a Janus message", type(value).__name__, self.base_url
            )

    def _receive_message(self, msg: Any) -> None:
        try:
            incoming = classify(msg)
        except ProtocolError as exc:
            logger.warning("dropping malformed message from %s: %s", self.base_url, exc)
            return
        if _debug_enabled():
            logger.debug("recv %s", redact(msg))
        try:
            self._route(incoming)
        except Exception:
            logger.exception("error while routing a message from %s", self.base_url)

    def _route(self, incoming: Incoming) -> None:
        if incoming.transaction is not None and not self._table.resolve(incoming):
            return
        kind = incoming.kind
        if kind is MessageKind.ERROR and incoming.transaction is None and self._raw_waiters:
            waiter = self._raw_waiters.popleft()
            if not waiter.done():
                waiter.set_result(incoming)
            return
        if kind in (
            MessageKind.ACK,
            MessageKind.SUCCESS,
            MessageKind.ERROR,
            MessageKind.SERVER_INFO,
            MessageKind.PONG,
            MessageKind.KEEPALIVE,
        ):
            logger.debug(
                "no pending call for %s (transaction %s)", kind.value, incoming.transaction
            )
            return
        sid = incoming.session_id
        session = self._sessions.get(sid) if sid is not None else None
        if session is None:
            logger.debug("dropping %s for unknown session %s", incoming.janus, sid)
            return
        session._route(incoming)

    # ---------------------------------------------------------------- requests
    def new_transaction(self) -> str:
        """Return a fresh transaction id."""
        return self._table.new_id()

    @property
    def pending_count(self) -> int:
        """How many requests are waiting for a reply."""
        return len(self._table)

    async def request(
        self,
        message: dict[str, Any],
        *,
        owner: Hashable = None,
        wait_event: bool = False,
        timeout: float | None = None,
        _during_reconnect: bool = False,
    ) -> Incoming:
        """Send a request and wait for its reply, all under one deadline.

        While the transport reconnects (see `ReconnectPolicy`), a new call waits for
        the reconnection within its deadline.

        Args:
            message: The request, with its ``transaction`` (see `new_transaction`).
            owner: Who the pending call belongs to (closing it fails the call).
            wait_event: For plugin messages: wait past the ``ack`` for the event.
            timeout: Deadline in seconds for the whole exchange (default
                ``timeouts.request``).

        Returns:
            The reply (``success``, ``ack``, ``event``, ``server_info``, ``pong``).

        Raises:
            ServerError: Janus answered with an error (typed by code).
            RequestTimeoutError: No complete reply in time; the entry is removed.
            TransportError: The connection is down or dropped during the call.
        """
        hook = _instrument._hook
        call = self._request(
            message,
            owner=owner,
            wait_event=wait_event,
            timeout=timeout,
            _during_reconnect=_during_reconnect,
        )
        if hook is None:
            return await call
        return await _instrument.observe_request(hook, str(message.get("janus", "?")), call)

    async def _request(
        self,
        message: dict[str, Any],
        *,
        owner: Hashable = None,
        wait_event: bool = False,
        timeout: float | None = None,
        _during_reconnect: bool = False,
    ) -> Incoming:
        verb = message.get("janus", "?")
        timeout = resolve_timeout(timeout, self.timeouts.request)
        tid = message["transaction"]
        if not self._connected or self._reconnecting is not None:
            if self._reconnecting is not None and not _during_reconnect:
                await self._wait_reconnected(timeout)
            if not self._connected:
                await self.connect()
        state = CallState(asyncio.current_task())
        future = self._table.register(tid, owner, verb, wait_event=wait_event, state=state)
        # One deadline for the whole exchange. While the request is being written
        # the timer cancels the call; afterwards it fails the reply's future.
        timer = future.get_loop().call_later(timeout, _expire, future, state)
        try:
            if _debug_enabled():
                logger.debug("send %s", redact(message))
            try:
                await self._send(message)
            except asyncio.CancelledError:
                # Decided elsewhere while the send was stuck: the future says how,
                # unless the caller cancelled too.
                if not (state.interrupted and state.own_cancellation()):
                    raise
            state.sending = False
            reply = await future
        except _Expired:
            raise self._timeout_error(verb, timeout) from None
        except asyncio.CancelledError:
            # Only the library's own deadline becomes a timeout; a caller's
            # cancellation (even in the same loop iteration) stays a cancellation.
            if not (state.expired and state.own_cancellation()):
                raise
            raise self._timeout_error(verb, timeout) from None
        finally:
            timer.cancel()
            self._table.discard(tid)
        if reply.kind is MessageKind.ERROR:
            raise error_from_message(reply.body, request=verb, url=self.base_url)
        return reply

    def _timeout_error(self, verb: str, timeout: float) -> RequestTimeoutError:
        return RequestTimeoutError(
            f"no reply to {verb!r} from {self.base_url} within {timeout:g} s",
            request=verb,
            timeout=timeout,
        )

    async def send_raw(self, data: str | bytes, *, timeout: float | None = None) -> Incoming:
        """Send ``data`` exactly as given and return Janus' reply that has no transaction.

        Meant for debugging and tests of malformed input (invalid JSON, a JSON
        value that is not an object, a request without transaction): Janus answers
        those with an error that carries no transaction, which this call matches.
        Use `request` for everything else.

        Raises:
            ServerError: The typed error Janus answered with (for example
                `InvalidJSONError` for data that is not JSON).
            RequestTimeoutError: No transaction-less reply in time.
        """
        if not isinstance(data, (str, bytes)):
            raise TypeError(f"data must be str or bytes, got {type(data).__name__}")
        if timeout is None:
            timeout = self.timeouts.request
        if not self._connected:
            await self.connect()
        waiter: asyncio.Future[Incoming] = asyncio.get_running_loop().create_future()
        self._raw_waiters.append(waiter)
        try:
            async with _deadline(timeout):
                await self._send_raw(data)
                reply = await waiter
        except TimeoutError:
            raise RequestTimeoutError(
                f"no reply to raw data from {self.base_url} within {timeout:g} s",
                request="raw",
                timeout=timeout,
            ) from None
        finally:
            if waiter in self._raw_waiters:
                self._raw_waiters.remove(waiter)
        if reply.kind is MessageKind.ERROR:
            raise error_from_message(reply.body, request="raw", url=self.base_url)
        return reply

    async def _send_raw(self, data: str | bytes) -> None:
        """Put raw data on the wire (subclasses); replies go through `_receive`."""
        raise NotImplementedError(f"{type(self).__name__} cannot send raw data")

    def _fail_raw_waiters(self, exc: BaseException) -> None:
        while self._raw_waiters:
            waiter = self._raw_waiters.popleft()
            if not waiter.done():
                waiter.set_exception(exc)

    # --------------------------------------------------------------- sessions
    def _add_session(self, session: JanusSession) -> None:
        assert session.session_id is not None
        sid = session.session_id
        if sid in self._sessions and self._sessions[sid] is not session:
            raise InvalidStateError(f"session {sid} is already open on this transport")
        self._sessions[sid] = session
        self._session_added(sid)
        _instrument.notify_session(session, sid)
        if self._keepalive_task is None and self._connected:
            self._keepalive_task = asyncio.get_running_loop().create_task(
                self._keepalive_loop(), name=f"janus-keepalive-{self.base_url}"
            )

    def _remove_session(self, session_id: int) -> None:
        if self._sessions.pop(session_id, None) is not None:
            _instrument.notify_session(None, session_id)
            self._session_removed(session_id)
            if not self._sessions:
                self._stop_keepalive()

    def _stop_keepalive(self) -> None:
        """Stop the keepalive loop now that no session is left (it is owned by us)."""
        task, self._keepalive_task = self._keepalive_task, None
        if task is None or task.done():
            return
        if task is asyncio.current_task():
            return  # the loop itself sees that no session is left and ends
        task.cancel()
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    @property
    def sessions(self) -> Mapping[int, JanusSession]:
        """The sessions currently using this transport, by id (read-only view)."""
        return dict(self._sessions)

    async def _keepalive_loop(self) -> None:
        """One loop per transport sends every session's keepalive each interval.

        On a transport without a connection of its own (HTTP) and with a
        `ReconnectPolicy`, a session whose keepalive went unanswered is retried
        under the policy's delays and deadline (see `_keepalive_recover`) before
        it is given up.
        """
        interval = self.timeouts.keepalive
        try:
            while True:
                await asyncio.sleep(interval)
                if not self._sessions:
                    return
                if self._connected and self._reconnecting is None:
                    failing = await self._keepalive_round(list(self._sessions.values()))
                    if failing:
                        await self._keepalive_recover(failing)
                if not self._sessions:
                    return
        finally:
            if self._keepalive_task is asyncio.current_task():
                self._keepalive_task = None

    async def _keepalive_recover(self, failing: list[JanusSession]) -> None:
        """Retry the keepalives of ``failing`` sessions under the `ReconnectPolicy`.

        Every retry round also keeps the healthy sessions alive. A session that
        answers again is back (``RECONNECTED``); one still unanswered when the
        policy runs out is lost, and its ``destroy`` is attempted (best effort) so
        that Janus does not keep it.
        """
        policy = self.reconnect
        assert policy is not None
        loop = asyncio.get_running_loop()
        end = loop.time() + policy.deadline
        attempt = 0
        last = "no keepalive answered"
        for delay in policy.delays():
            if loop.time() + delay >= end:
                break
            attempt += 1
            for session in failing:
                session._notify_state(ConnectionState.RECONNECTING, attempt=attempt, error=last)
            await asyncio.sleep(delay)
            if not self._connected:
                return
            still = set(await self._keepalive_round(list(self._sessions.values()), retry=True))
            for session in failing:
                if session not in still and not session.closed:
                    logger.info(
                        "keepalive of session %s answered again (attempt %d)",
                        session.session_id,
                        attempt,
                    )
                    session._notify_state(ConnectionState.RECONNECTED, attempt=attempt)
            failing = [s for s in failing if s in still] + [s for s in still if s not in failing]
            failing = self._still_here(failing)
            if not failing:
                return
        for session in self._still_here(failing):
            session._notify_state(ConnectionState.LOST, attempt=attempt, error=last)
            self._give_up_session(
                session,
                RequestTimeoutError(
                    f"keepalive of session {session.session_id} got no reply from "
                    f"{self.base_url} within the reconnect policy's {policy.deadline:g} s",
                    request="keepalive",
                    timeout=policy.deadline,
                ),
            )

    def _still_here(self, sessions: list[JanusSession]) -> list[JanusSession]:
        """The sessions of ``sessions`` still active on this transport."""
        return [
            s
            for s in sessions
            if not s.closed and s.session_id is not None and self._sessions.get(s.session_id) is s
        ]

    def _give_up_session(self, session: JanusSession, exc: BaseException) -> None:
        """Mark ``session`` lost and ask Janus (best effort, bounded) to destroy it."""
        sid = session.session_id
        creds = session._stamp({})
        session._keepalive_failed(exc)
        if sid is not None:
            self._destroy_later(sid, creds)

    def _destroy_later(self, sid: int, creds: dict[str, Any]) -> None:
        """Send ``destroy`` for a session given up, in a task the transport owns."""
        if not self._connected or self._closed:
            return
        msg = {"janus": "destroy", "transaction": self._table.new_id(), "session_id": sid}
        msg.update(creds)
        task = asyncio.get_running_loop().create_task(
            self._destroy_quietly(msg), name=f"janus-destroy-lost-{sid}"
        )
        for tasks in (self._background, self._destroys):
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def _destroy_quietly(self, msg: dict[str, Any]) -> None:
        try:
            await self.request(msg, timeout=self.timeouts.close)
        except JanusError as exc:
            logger.debug("destroy of lost session %s: %s", msg.get("session_id"), exc)

    async def _keepalive_round(
        self, sessions: list[JanusSession], *, retry: bool = False
    ) -> list[JanusSession]:
        """Send one keepalive per session; the whole round has one deadline.

        The deadline is the keepalive interval (or the request timeout if shorter),
        so a line that stopped answering is noticed within twice the interval.

        Returns:
            The sessions to retry under the `ReconnectPolicy` (unanswered, or failed
            on the transport), when the transport retries keepalives itself; they
            are not marked lost yet. With ``retry`` they are returned even when
            the transport would otherwise give them up.
        """
        retrying = self._retries_keepalives() or retry
        to_retry: list[JanusSession] = []
        limit = min(self.timeouts.request, self.timeouts.keepalive)
        waits: list[tuple[JanusSession, str, asyncio.Future[Incoming]]] = []
        try:
            async with _deadline(limit):
                for session in sessions:
                    sid = session.session_id
                    if sid is None or session.closed:
                        continue
                    tid = self._table.new_id()
                    msg = session._stamp(
                        {"janus": "keepalive", "transaction": tid, "session_id": sid}
                    )
                    waits.append((session, tid, self._table.register(tid, session, "keepalive")))
                    await self._send(msg)
                if waits:
                    await asyncio.wait([w[2] for w in waits])
        except TimeoutError:
            pass
        except JanusError as exc:
            logger.debug("keepalive round on %s stopped: %s", self.base_url, exc)
        finally:
            for _, tid, _ in waits:
                self._table.discard(tid)
        unanswered = [session for session, _, fut in waits if not fut.done()]
        if (
            unanswered
            and len(unanswered) == len(waits)
            and self._abort_dead_connection(
                RequestTimeoutError(
                    f"the connection to {self.base_url} looks dead: no keepalive answered "
                    f"within {limit:g} s",
                    request="keepalive",
                    timeout=limit,
                )
            )
        ):
            for _, _, fut in waits:
                fut.cancel()
            return to_retry
        for session, _, fut in waits:
            if not fut.done():
                fut.cancel()
                if retrying:
                    to_retry.append(session)
                    continue
                session._keepalive_failed(
                    RequestTimeoutError(
                        f"keepalive of session {session.session_id} got no reply from "
                        f"{self.base_url} within {limit:g} s",
                        request="keepalive",
                        timeout=limit,
                    )
                )
            elif fut.cancelled():
                continue
            elif (failure := fut.exception()) is not None:
                if not isinstance(failure, TransportError):
                    session._keepalive_failed(failure)
                elif retrying:
                    to_retry.append(session)
            elif fut.result().kind is MessageKind.ERROR:
                session._keepalive_failed(
                    error_from_message(fut.result().body, request="keepalive", url=self.base_url)
                )
        return to_retry

    def _retries_keepalives(self) -> bool:
        """Whether unanswered keepalives are retried under the `ReconnectPolicy`.

        True for transports without a connection to re-establish (HTTP) when a
        policy is set; connection-oriented ones reconnect instead.
        """
        return False
