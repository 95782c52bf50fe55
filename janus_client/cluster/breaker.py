"""Circuit breakers: stop sending to a server that keeps failing, probe it later.

States (`BreakerState`):

* **closed**: normal; failures are counted, a success resets the count.
* **open**: after ``failure_threshold`` failures in a row. Placements skip the
  server and calls to it fail fast with `CircuitOpenError`, unsent.
* **half-open**: ``reset_timeout`` after opening. The next health check is the
  trial: success closes the breaker, failure opens it again with a back-off
  ``multiplier`` times longer (up to ``max_reset_timeout``). Calls on existing
  sessions go through; placements still skip the server.

Every change is a `BreakerEvent`. The breaker is a plain state machine with an
injectable clock: it runs no task of its own (the cluster's health loop
calls `poll`).
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["BreakerEvent", "BreakerPolicy", "BreakerState", "CircuitBreaker"]

logger = logging.getLogger("janus_client")


class BreakerState(str, enum.Enum):
    """The state of a server's circuit breaker."""

    CLOSED = "closed"
    """Healthy: sessions are placed on it and calls go through."""
    OPEN = "open"
    """Failing: no placements, calls fail fast with `CircuitOpenError`."""
    HALF_OPEN = "half-open"
    """On trial: the next health check decides; no placements meanwhile."""


@dataclass(frozen=True)
class BreakerPolicy:
    """When a breaker opens and how long it stays open.

    Attributes:
        failure_threshold: Failures in a row (health checks, dropped
            connections, requests that got no answer) that open the breaker.
        reset_timeout: Seconds open before the first trial (half-open).
        max_reset_timeout: The longest wait between trials.
        multiplier: Growth of the wait after each failed trial.
    """

    failure_threshold: int = 2
    reset_timeout: float = 2.0
    max_reset_timeout: float = 30.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if isinstance(self.failure_threshold, bool) or not isinstance(self.failure_threshold, int):
            raise TypeError("failure_threshold must be an int")
        if self.failure_threshold < 1:
            raise ValueError(f"failure_threshold must be at least 1, got {self.failure_threshold}")
        for name in ("reset_timeout", "max_reset_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        if self.max_reset_timeout < self.reset_timeout:
            raise ValueError("max_reset_timeout must not be below reset_timeout")
        if not isinstance(self.multiplier, (int, float)) or self.multiplier < 1:
            raise ValueError(f"multiplier must be at least 1, got {self.multiplier!r}")


@dataclass(frozen=True)
class BreakerEvent:
    """A server's breaker changed state.

    Attributes:
        url: The server (password masked).
        old: The state before.
        new: The state now.
        reason: Why (the last failure, or ``"probe succeeded"``).
        failures: Failures in a row at the time of the change.
        at: `time.monotonic` of the change.
    """

    url: str
    old: BreakerState
    new: BreakerState
    reason: str
    failures: int
    at: float


class CircuitBreaker:
    """The breaker of one server (see the module docstring for the states).

    Args:
        url: The server, for events and log lines (password masked).
        policy: Thresholds and back-off.
        on_change: Called with each `BreakerEvent`, synchronously.
        clock: The time source (seconds; `time.monotonic` by default).
    """

    def __init__(
        self,
        url: str,
        policy: BreakerPolicy | None = None,
        *,
        on_change: Callable[[BreakerEvent], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.policy = policy if policy is not None else BreakerPolicy()
        self._on_change = on_change
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._backoff = self.policy.reset_timeout
        self.last_error: str | None = None

    def __repr__(self) -> str:
        return f"<CircuitBreaker {self.url} {self._state.value} failures={self._failures}>"

    @property
    def state(self) -> BreakerState:
        """The current state (after `poll`)."""
        return self._state

    @property
    def failures(self) -> int:
        """Failures in a row so far."""
        return self._failures

    @property
    def retry_at(self) -> float | None:
        """When an open breaker goes half-open (clock time), else None."""
        if self._state is not BreakerState.OPEN:
            return None
        return self._opened_at + self._backoff

    def allows_calls(self) -> bool:
        """Whether calls may go to the server (closed or half-open)."""
        self.poll()
        return self._state is not BreakerState.OPEN

    def allows_placement(self) -> bool:
        """Whether new sessions may be placed on the server (closed only)."""
        return self._state is BreakerState.CLOSED

    def poll(self) -> BreakerState:
        """Move an open breaker to half-open once its back-off is over; return the state."""
        if self._state is BreakerState.OPEN and self._clock() >= self._opened_at + self._backoff:
            self._change(BreakerState.HALF_OPEN, "back-off over: next check is the trial")
        return self._state

    def record_success(self) -> None:
        """A health check (or a call) succeeded: reset the count, close a half-open breaker."""
        self._failures = 0
        if self._state is BreakerState.HALF_OPEN:
            self._backoff = self.policy.reset_timeout
            self._change(BreakerState.CLOSED, "probe succeeded")

    def record_failure(self, reason: str) -> None:
        """A health check failed, the connection dropped or a call got no answer."""
        self._failures += 1
        self.last_error = reason
        if self._state is BreakerState.HALF_OPEN:
            self._backoff = min(
                self._backoff * self.policy.multiplier, self.policy.max_reset_timeout
            )
            self._open(reason)
        elif self._state is BreakerState.CLOSED and self._failures >= self.policy.failure_threshold:
            self._backoff = self.policy.reset_timeout
            self._open(reason)

    def _open(self, reason: str) -> None:
        self._opened_at = self._clock()
        self._change(BreakerState.OPEN, reason)

    def _change(self, new: BreakerState, reason: str) -> None:
        old, self._state = self._state, new
        if old is new:
            return
        log = logger.warning if new is BreakerState.OPEN else logger.info
        log("cluster: breaker of %s %s -> %s (%s)", self.url, old.value, new.value, reason)
        if self._on_change is not None:
            event = BreakerEvent(self.url, old, new, reason, self._failures, self._clock())
            try:
                self._on_change(event)
            except Exception:
                logger.exception("cluster: breaker event callback raised")
