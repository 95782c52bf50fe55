"""The machinery every transport shares: calls, routing, the subclass hooks.

`TransportCore` owns the transaction table (replies are matched there first),
the routing table ``session_id -> session`` (events go to their owner next) and
the connection, implemented by subclasses with a few small methods (`_open`,
`_send`, `_send_raw`, `_close_connection`, a reader feeding `_receive`). The
sessions on it are `SessionLink` objects. Keepalives and reconnection live in
`janus_client.transports.reconnect`; the public class is
`janus_client.transports.base.JanusTransport`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
import ssl as _ssl
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .. import instrument as _instrument
from .._compat import deadline as _deadline
from .._dispatch import cancel_and_wait
from ..config import ReconnectPolicy, Timeouts, resolve_timeout
from ..errors import (
    ConnectionClosedError,
    InvalidStateError,
    ProtocolError,
    RequestTimeoutError,
    TransportError,
)
from ..events import ConnectionStateEvent
from ..message_transaction import MessageTransaction
from ..protocol import (
    Incoming,
    MessageKind,
    classify,
    decode,
    error_from_message,
    redact,
    url_without_password,
)
from ..transactions import CallState, TransactionTable

if TYPE_CHECKING:
    from .link import SessionLink

__all__ = ["TransportCore"]

logger = logging.getLogger("janus_client")
_debug_enabled = functools.partial(logger.isEnabledFor, logging.DEBUG)


# Schemes without TLS, and their TLS counterparts (named in the error for ssl=).
_PLAIN_SCHEMES = {"ws": "wss", "http": "https", "amqp": "amqps", "mqtt": "mqtts"}


#: The C scanner behind `json.loads`, called directly for a str that is one JSON
#: document with nothing around it (what Janus sends): the same value, without
#: json.loads' two Python layers and its two whitespace matches per message.
_scan_json: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


#: Kinds that are answers, never events: without a pending call they are dropped.
_NOT_EVENTS = frozenset(
    {
        MessageKind.ACK,
        MessageKind.SUCCESS,
        MessageKind.ERROR,
        MessageKind.SERVER_INFO,
        MessageKind.PONG,
        MessageKind.KEEPALIVE,
    }
)


class _Expired(Exception):
    """Set on a reply future whose call ran out of time (internal)."""


def _expire(future: asyncio.Future[Incoming] | None, state: CallState) -> None:
    state.expired = True
    if state.sending and state.task is not None:
        state.sending = False
        state.cancel_task()  # the write itself is stuck
    elif future is not None and not future.done():
        future.set_exception(_Expired())


#: Calls whose deadline is this close are due (asyncio runs a timer that early too).
_CLOCK_RESOLUTION = time.get_clock_info("monotonic").resolution



class TransportCore(ABC):
    """The shared machinery of a transport (see `JanusTransport` for its arguments)."""

    #: Whether the reply to a request is the answer to its send (HTTP: the POST's
    #: body), rather than a message read by a separate reader. Such a transport
    #: cannot hear a reply once its caller stopped waiting.
    replies_in_send: bool = False
    #: At most this many requests wait for their reply at once (None: no limit;
    #: see `janus_client.transports._inflight.InFlightLimit`).
    _slots: asyncio.Semaphore | None = None

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
                f"ssl= was given but {url_without_password(base_url)!r} uses {scheme}://, "
                "which never uses TLS; "
                f"use {_PLAIN_SCHEMES[scheme]}:// or leave ssl out"
            )
        # What logs, repr() and errors show: the URL with its password masked.
        # The URL itself (`_dial_url`) is used only to connect.
        self._base_url = url_without_password(base_url)
        self._dial_url = base_url
        self.api_secret = api_secret
        self.token = token
        self.timeouts = timeouts if timeouts is not None else Timeouts()
        self.ssl = ssl
        self.reconnect = reconnect
        self._reconnecting: asyncio.Future[None] | None = None
        self._reconnect_task: asyncio.Task[None] | None = None
        self._state_callbacks: list[Callable[[ConnectionStateEvent], object]] = []
        self._table = TransactionTable()
        self._sessions: dict[int, SessionLink] = {}
        self._connected = False
        self._closed = False
        self._connect_lock = asyncio.Lock()
        self._keepalive_task: asyncio.Task[None] | None = None
        self._keepalive_timer: asyncio.TimerHandle | None = None
        self._raw_waiters: deque[asyncio.Future[Incoming]] = deque()
        # Tasks being stopped, and best-effort destroys of sessions given up;
        # `close` waits for the destroys (bounded), then ends them all.
        self._background: set[asyncio.Task[Any]] = set()
        self._destroys: set[asyncio.Task[None]] = set()
        # 0.9.x `send()`: open message transactions by id (see `MessageTransaction`).
        self._message_transactions: dict[str, MessageTransaction] = {}
        # Deadlines of the calls in progress: one loop timer for them all, due at
        # (or before) the soonest (see `_arm`), rather than one timer per call.
        self._timed: dict[CallState, None] = {}
        self._sweep_timer: asyncio.TimerHandle | None = None
        self._sweep_at = math.inf
        self._sweep_loop: asyncio.AbstractEventLoop | None = None

    # -------------------------------------------------------------- lifecycle
    @property
    def base_url(self) -> str:
        """The Janus endpoint this transport connects to, its password (if any) shown as ``***``.

        This is the form logs, ``repr()`` and error messages use; the transport
        connects with the URL as given. Setting it sets both.
        """
        return self._base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._base_url = url_without_password(value)
        self._dial_url = value

    @property
    def connected(self) -> bool:
        """Whether the connection is open.

        0.9.x transports set it from their `_connect` / `_disconnect` hooks; this is
        accepted (`connect` and `disconnect` set it too).
        """
        return self._connected

    @connected.setter
    def connected(self, value: bool) -> None:
        self._connected = bool(value)

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
        timer, self._keepalive_timer = self._keepalive_timer, None
        if timer is not None:
            timer.cancel()
        reconnect, self._reconnect_task = self._reconnect_task, None
        self._end_reconnecting(exc)
        self._table.fail_all(exc)
        sweep, self._sweep_timer = self._sweep_timer, None
        self._sweep_at = math.inf
        if sweep is not None:
            sweep.cancel()
        for session in list(self._sessions.values()):
            session.connection_lost(exc)
        self._sessions.clear()
        self._fail_raw_waiters(exc)
        try:
            await cancel_and_wait(keepalive)
            await cancel_and_wait(reconnect)
            for task in list(self._background):
                await cancel_and_wait(task)
        finally:
            await asyncio.shield(self._close_connection())

    def _end_reconnecting(self, exc: BaseException | None) -> None:
        waiter, self._reconnecting = self._reconnecting, None
        if waiter is not None and not waiter.done():
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(exc)
                waiter.exception()  # retrieved: waiting callers re-raise it themselves


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

    # ------------------------------------------------------ subclass interface
    async def _open(self) -> None:
        """Open the connection and start the reader; raise ConnectError on failure.

        The default runs the 0.9.x hook `_connect`, so a transport written for 0.9.x
        (implementing `_connect`, `_disconnect` and `_send`) works unchanged.
        """
        await self._connect()

    async def _close_connection(self) -> None:
        """Close the connection and stop the reader. Must not raise.

        The default runs the 0.9.x hook `_disconnect` (its errors are logged).
        """
        try:
            await self._disconnect()
        except Exception:
            logger.exception("_disconnect of %s raised", type(self).__name__)

    async def _connect(self, **kwargs: Any) -> None:
        """0.9.x hook: open the connection (subclasses written for 0.9.x implement it).

        New transports implement `_open` instead; calling this on them runs `_open`
        (0.9.x's WebSocket ``_connect(**kwargs)`` keywords are not used).
        """
        del kwargs
        if type(self)._open is TransportCore._open:
            raise NotImplementedError(
                f"{type(self).__name__} implements neither _open nor _connect"
            )
        await self._open()

    async def _disconnect(self) -> None:
        """0.9.x hook: close the connection. On new transports this runs `_close_connection`."""
        if type(self)._close_connection is not TransportCore._close_connection:
            await self._close_connection()

    @abstractmethod
    async def _send(self, message: dict[str, Any]) -> None:
        """Put one request on the wire; replies come back through `_receive`."""

    def _send_now(self, message: dict[str, Any]) -> bool:
        """Hook: put ``message`` on the wire without waiting; False if it cannot be.

        `_request` tries it first and awaits `_send` only when it returns False,
        which the default always does. A transport whose line can take a request
        at once (a WebSocket with room in its write buffer) implements it, and
        saves each request the coroutine of `_send`. It must not write anything
        when it returns False.
        """
        return False

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
            if type(data) is str:
                try:
                    value, end = _scan_json(data, 0)
                except Exception:  # not JSON at offset 0 (or too deep): json.loads says why
                    end = -1
                if end != len(data):  # whitespace or more after the value, or an error
                    value = json.loads(data)
            else:
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
        # Routing (inline: it runs for every message): a pending call first, then
        # the session the message is for.
        try:
            tid = incoming.transaction
            if tid is not None:
                if self._message_transactions:
                    message_transaction = self._message_transactions.get(tid)
                    if message_transaction is not None:  # a 0.9.x `send()` keeps them all
                        message_transaction.put_msg(incoming.body)
                        return
                if not self._table.resolve(incoming):
                    return
            kind = incoming.kind
            if kind is MessageKind.ERROR and tid is None and self._raw_waiters:
                waiter = self._raw_waiters.popleft()
                if not waiter.done():
                    waiter.set_result(incoming)
                return
            if kind in _NOT_EVENTS:
                logger.debug("no pending call for %s (transaction %s)", kind.value, tid)
                return
            sid = incoming.session_id
            session = self._sessions.get(sid) if sid is not None else None
            if session is None:
                logger.debug("dropping %s for unknown session %s", incoming.janus, sid)
                return
            session.deliver(incoming)
        except Exception:
            logger.exception("error while routing a message from %s", self.base_url)

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
        on_late_reply: Callable[[Incoming], object] | None = None,
    ) -> Incoming:
        """Send a request and wait for its reply, all under one deadline.

        While the transport reconnects (see `ReconnectPolicy`), a new call waits for
        the reconnection within its deadline.

        Args:
            message: The request; a ``transaction`` is added when it has none (see
                `new_transaction`).
            owner: Who the pending call belongs to (closing it fails the call).
            wait_event: For plugin messages: wait past the ``ack`` for the event.
            timeout: Deadline in seconds for the whole exchange (default
                ``timeouts.request``).
            on_late_reply: When the caller is cancelled after the request may have
                gone out, keep its transaction pending until the deadline and call
                ``on_late_reply(reply)`` (from the event loop, not the reader) with
                a successful reply that still arrives. Used by ``attach``, whose
                late reply names a handle to detach. Not supported by transports
                whose reply is the answer to the send itself
                (`replies_in_send`): there it is ignored.

        Returns:
            The reply (``success``, ``ack``, ``event``, ``server_info``, ``pong``).

        Raises:
            ServerError: Janus answered with an error (typed by code).
            RequestTimeoutError: No complete reply in time; the entry is removed.
            TransportError: The connection is down or dropped during the call.
        """
        hook = _instrument._hook
        if self._slots is None:
            call = self._request(message, owner, wait_event, timeout, on_late_reply)
        else:
            call = self._request_in_slot(message, owner, wait_event, timeout, on_late_reply)
        if hook is None:
            return await call
        return await _instrument.observe_request(hook, str(message.get("janus", "?")), call)

    async def _request_in_slot(
        self,
        message: dict[str, Any],
        owner: Hashable,
        wait_event: bool,
        timeout: float | None,
        on_late_reply: Callable[[Incoming], object] | None,
    ) -> Incoming:
        """`_request` within one of the ``_slots`` (see `InFlightLimit`).

        The wait for a free slot counts against the call's deadline.
        """
        slots = self._slots
        assert slots is not None
        limit = resolve_timeout(timeout, self.timeouts.request)
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            if slots.locked():
                await asyncio.wait_for(slots.acquire(), limit)
            else:
                await slots.acquire()  # free: no waiting, and no task for wait_for
        except asyncio.TimeoutError:
            raise RequestTimeoutError(
                f"no free request slot on {self.base_url} within {limit:g} s "
                f"(max_in_flight={self._max_in_flight()})",
                request=str(message.get("janus", "?")),
                timeout=limit,
            ) from None
        try:
            return await self._request(
                message,
                owner,
                wait_event,
                max(limit - (loop.time() - start), 0.001),
                on_late_reply,
            )
        finally:
            slots.release()

    def _max_in_flight(self) -> int | None:
        return getattr(self, "max_in_flight", None)

    async def _request(
        self,
        message: dict[str, Any],
        owner: Hashable,
        wait_event: bool,
        timeout: float | None,
        on_late_reply: Callable[[Incoming], object] | None = None,
    ) -> Incoming:
        verb = message.get("janus", "?")
        timeout = (
            self.timeouts.request if timeout is None else resolve_timeout(timeout, 0.0)
        )
        tid = message.get("transaction")
        if tid is None:
            tid = message["transaction"] = self._table.new_id()
        if not self._connected or self._reconnecting is not None:
            # Requests of the reconnection itself (sessions restoring) go through.
            if self._reconnecting is not None and asyncio.current_task() is not (
                self._reconnect_task
            ):
                await self._wait_reconnected(timeout)
            if not self._connected:
                await self.connect()
        state = CallState(asyncio.current_task())
        future = state.future = self._table.register(
            tid, owner, verb, wait_event=wait_event, state=state
        )
        # One deadline for the whole exchange. While the request is being written
        # it cancels the call; afterwards it fails the reply's future.
        loop = future.get_loop()
        self._arm(state, loop.time() + timeout, loop)
        keep = False
        try:
            if _debug_enabled():
                logger.debug("send %s", redact(message))
            if not self._send_now(message):
                try:
                    await self._send(message)
                except asyncio.CancelledError:
                    # Decided elsewhere while the send was stuck: the future says
                    # how, unless the caller cancelled too.
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
                keep = on_late_reply is not None and not state.expired
                raise
            raise self._timeout_error(verb, timeout) from None
        finally:
            if keep and on_late_reply is not None and not self.replies_in_send:
                self._await_late_reply(tid, future, state, on_late_reply)
            else:
                self._timed.pop(state, None)
                self._table.discard(tid)
        if reply.kind is MessageKind.ERROR:
            raise error_from_message(reply.body, request=verb, url=self.base_url)
        return reply

    def _arm(self, state: CallState, deadline: float, loop: asyncio.AbstractEventLoop) -> None:
        """Expire ``state``'s call at ``deadline`` (until it leaves ``_timed``)."""
        state.deadline = deadline
        self._timed[state] = None
        timer = self._sweep_timer
        if timer is None or deadline < self._sweep_at or loop is not self._sweep_loop:
            if timer is not None:
                timer.cancel()
            self._sweep_at = deadline
            self._sweep_loop = loop
            self._sweep_timer = loop.call_at(deadline, self._sweep, loop)

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        """The soonest deadline came: expire the calls that are due, wait for the next."""
        self._sweep_timer = None
        due = loop.time() + _CLOCK_RESOLUTION
        soonest = math.inf
        expired: list[CallState] = []
        for state in self._timed:
            if state.deadline <= due:
                expired.append(state)
            elif state.deadline < soonest:
                soonest = state.deadline
        for state in expired:
            del self._timed[state]
        self._sweep_at = soonest
        if soonest != math.inf:
            self._sweep_timer = loop.call_at(soonest, self._sweep, loop)
        for state in expired:
            _expire(state.future, state)

    def _await_late_reply(
        self,
        tid: str,
        future: asyncio.Future[Incoming],
        state: CallState,
        on_late_reply: Callable[[Incoming], object],
    ) -> None:
        """Keep a cancelled call's transaction until its reply or deadline (no task)."""
        state.task = None  # the caller is gone: nothing of it may be interrupted now
        state.sending = False
        if future.cancelled():  # cancelling the caller cancelled the future it awaited
            renewed = self._table.rearm(tid)
            if renewed is None:
                self._timed.pop(state, None)
                return
            future = state.future = renewed

        def settled(fut: asyncio.Future[Incoming]) -> None:
            self._timed.pop(state, None)
            self._table.discard(tid)
            if fut.cancelled() or fut.exception() is not None:
                return  # deadline, connection lost, owner closed: nothing came back
            reply = fut.result()
            if reply.kind is MessageKind.ERROR:
                return
            try:
                on_late_reply(reply)
            except Exception:
                logger.exception("handling the late reply of %s failed", reply.transaction)

        if future.done():
            settled(future)
        else:
            future.add_done_callback(settled)

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
        transactions = list(self._message_transactions.values())
        self._message_transactions.clear()
        for message_transaction in transactions:
            message_transaction._fail(exc)
        while self._raw_waiters:
            waiter = self._raw_waiters.popleft()
            if not waiter.done():
                waiter.set_exception(exc)

