"""Client metrics: a small hook interface the library calls, free when unused.

The library calls the process-wide hook (if one is installed with
`set_client_hook`) at a few points: around every request, on connection state
changes, and when a session opens or closes. With no hook installed each of
those points costs one global lookup and an ``is None`` test.

`ClientMetrics` is a ready-made hook that counts in memory (requests by type,
errors by code, a latency histogram, reconnects, in-flight calls, open
sessions and handles); `janus_client.observe.prometheus` exports it.

Example:
    ::

        metrics = ClientMetrics()
        set_client_hook(metrics)
        ...
        metrics.requests["attach"]
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import time
import weakref
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .session import JanusSession

__all__ = ["LATENCY_BUCKETS", "ClientHook", "ClientMetrics", "get_client_hook", "set_client_hook"]

T = TypeVar("T")

logger = logging.getLogger("janus_client")

#: Upper bounds (seconds) of the request latency histogram buckets.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


class ClientHook:
    """Base class of client hooks: every method does nothing; override what you need.

    Methods are called synchronously from the event loop and must be quick
    and must not raise (an exception is logged and ignored).
    """

    def request_started(self, verb: str) -> None:
        """A request (``create``, ``attach``, ``message``, an admin verb, ...) is sent."""

    def request_finished(self, verb: str, duration: float, error: BaseException | None) -> None:
        """A request ended.

        Args:
            verb: The ``janus`` request name.
            duration: Seconds from sending to the reply (or the failure).
            error: None on success, else the exception raised to the caller.
        """

    def connection_state(self, url: str, state: str) -> None:
        """A transport changed state (``"reconnecting"``, ``"reconnected"``, ``"lost"``, ...)."""

    def session_opened(self, session: JanusSession) -> None:
        """A session was created or claimed on a transport."""

    def session_closed(self, session_id: int) -> None:
        """A session left its transport (destroyed, lost or timed out)."""


_hook: ClientHook | None = None


def set_client_hook(hook: ClientHook | None) -> ClientHook | None:
    """Install the process-wide client hook (None removes it).

    Args:
        hook: The hook, e.g. a `ClientMetrics`.

    Returns:
        The hook installed before.

    """
    global _hook
    if hook is not None and not isinstance(hook, ClientHook):
        raise TypeError(f"hook must be a ClientHook, got {type(hook).__name__}")
    previous, _hook = _hook, hook
    return previous


def get_client_hook() -> ClientHook | None:
    """Return the installed client hook, or None."""
    return _hook


def _safe(method: Any, *args: Any) -> None:
    try:
        method(*args)
    except Exception:
        logger.exception("client hook %r raised", method)


async def observe_request(hook: ClientHook, verb: str, call: Awaitable[T]) -> T:
    """Run ``call`` and report it to ``hook`` (used by the transport).

    Args:
        hook: The installed hook.
        verb: The request name.
        call: The request coroutine.

    Returns:
        What ``call`` returns.

    """
    _safe(hook.request_started, verb)
    start = time.perf_counter()
    try:
        result = await call
    except BaseException as exc:
        _safe(hook.request_finished, verb, time.perf_counter() - start, exc)
        raise
    _safe(hook.request_finished, verb, time.perf_counter() - start, None)
    return result


def notify_state(url: str, state: str) -> None:
    """Report a connection state change to the hook, if any."""
    hook = _hook
    if hook is not None:
        _safe(hook.connection_state, url, state)


def notify_session(session: Any, session_id: int) -> None:
    """Report a session opened (``session`` given) or closed (None)."""
    hook = _hook
    if hook is not None:
        if session is not None:
            _safe(hook.session_opened, session)
        else:
            _safe(hook.session_closed, session_id)


def error_label(error: BaseException) -> str:
    """A bounded label for an error: Janus' numeric code, or a class name.

    Args:
        error: The exception.

    Returns:
        ``"458"`` for a server error with a code, else ``"timeout"``,
        ``"transport"``, ``"cancelled"`` or ``"other"``.

    """
    code = getattr(error, "code", None)
    if isinstance(code, int) and not isinstance(code, bool):
        return str(code)
    if isinstance(error, TimeoutError):
        return "timeout"
    from .errors import TransportError

    if isinstance(error, TransportError):
        return "transport"
    if isinstance(error, asyncio.CancelledError):
        return "cancelled"
    return "other"


class ClientMetrics(ClientHook):
    """A `ClientHook` that counts everything in memory.

    Attributes:
        requests: Requests finished, by verb.
        errors: Failed requests, by ``(verb, error label)`` (see `error_label`).
        in_flight: Requests sent and not finished yet.
        latency_buckets: Per verb, a count per `LATENCY_BUCKETS` bound (not
            cumulative) plus one for +Inf.
        latency_sum: Per verb, the sum of durations (seconds).
        connection_states: Transitions seen, by state name.
        reconnects: Reconnection attempts (``reconnecting`` transitions).
        sessions_opened: Sessions opened so far.
        sessions_closed: Sessions closed so far.
    """

    def __init__(self) -> None:
        self.requests: dict[str, int] = {}
        self.errors: dict[tuple[str, str], int] = {}
        self.in_flight = 0
        self.latency_buckets: dict[str, list[int]] = {}
        self.latency_sum: dict[str, float] = {}
        self.connection_states: dict[str, int] = {}
        self.reconnects = 0
        self.sessions_opened = 0
        self.sessions_closed = 0
        self._sessions: weakref.WeakValueDictionary[int, JanusSession] = (
            weakref.WeakValueDictionary()
        )

    def request_started(self, verb: str) -> None:
        """Count one more request in flight."""
        self.in_flight += 1

    def request_finished(self, verb: str, duration: float, error: BaseException | None) -> None:
        """Count the request, its error and its latency."""
        self.in_flight -= 1
        self.requests[verb] = self.requests.get(verb, 0) + 1
        if error is not None:
            key = (verb, error_label(error))
            self.errors[key] = self.errors.get(key, 0) + 1
        buckets = self.latency_buckets.get(verb)
        if buckets is None:
            buckets = self.latency_buckets[verb] = [0] * (len(LATENCY_BUCKETS) + 1)
        buckets[bisect.bisect_left(LATENCY_BUCKETS, duration)] += 1
        self.latency_sum[verb] = self.latency_sum.get(verb, 0.0) + duration

    def connection_state(self, url: str, state: str) -> None:
        """Count a transition; ``reconnecting`` ones are reconnect attempts."""
        self.connection_states[state] = self.connection_states.get(state, 0) + 1
        if state == "reconnecting":
            self.reconnects += 1

    def session_opened(self, session: JanusSession) -> None:
        """Track an open session."""
        self.sessions_opened += 1
        if session.session_id is not None:
            self._sessions[session.session_id] = session

    def session_closed(self, session_id: int) -> None:
        """Forget a closed session."""
        if self._sessions.pop(session_id, None) is not None:
            self.sessions_closed += 1

    @property
    def open_sessions(self) -> int:
        """Sessions open now (in this process)."""
        return len(self._sessions)

    @property
    def open_handles(self) -> int:
        """Handles attached now, over the open sessions."""
        return sum(len(s.handles) for s in list(self._sessions.values()))
