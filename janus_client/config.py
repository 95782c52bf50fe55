"""Frozen option objects: deadlines and other settings shared by sessions and transports."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeGuard

__all__ = ["ReconnectPolicy", "Timeouts", "resolve_timeout"]


def _is_real(value: object) -> TypeGuard[int | float]:
    """Whether ``value`` is an int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_finite(value: object) -> TypeGuard[int | float]:
    """Whether ``value`` is a finite int or float (not a bool)."""
    return _is_real(value) and math.isfinite(value)


def resolve_timeout(timeout: object, default: float) -> float:
    """Validate a ``timeout=`` argument and return the deadline to use.

    Args:
        timeout: What the caller passed: None (use ``default``) or positive seconds.
        default: The deadline when ``timeout`` is None.

    Raises:
        TypeError: ``timeout`` is not a number.
        ValueError: ``timeout`` is not positive and finite.
    """
    if timeout is None:
        return default
    if type(timeout) is float and 0.0 < timeout < math.inf:  # the usual case, at once
        return timeout
    if not _is_real(timeout):
        raise TypeError(f"timeout must be a number of seconds, got {type(timeout).__name__}")
    if not math.isfinite(timeout) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return float(timeout)


@dataclass(frozen=True)
class Timeouts:
    """Deadlines, in seconds, applied to every network operation.

    Each call that goes to Janus has one deadline covering the whole exchange (for an
    asynchronous plugin request: the ``ack`` and the ``event``). Most methods take a
    ``timeout=`` keyword that overrides `request` for that call.

    Attributes:
        connect: Opening the connection (TCP, TLS and WebSocket handshake).
        request: One request, from sending it to its complete reply.
        close: Closing: detaching handles, destroying the session, closing the socket.
            Closing never waits longer than this, and always releases local state.
        keepalive: Interval between keepalives sent for each session. Keep it below
            the server's ``session_timeout`` (60 s by default).
        long_poll: The HTTP long-poll request's own deadline. Janus answers an idle
            poll after about 30 s, so it must be larger than that.
    """

    connect: float = 10.0
    request: float = 15.0
    close: float = 5.0
    keepalive: float = 25.0
    long_poll: float = 45.0

    def __post_init__(self) -> None:
        for name in ("connect", "request", "close", "keepalive", "long_poll"):
            value = getattr(self, name)
            if not _is_finite(value) or value <= 0:
                raise ValueError(
                    f"Timeouts.{name} must be a positive number of seconds, got {value!r}"
                )


@dataclass(frozen=True)
class ReconnectPolicy:
    """How a WebSocket transport reconnects after its connection drops (opt-in).

    After a drop the transport waits ``initial_delay``, then retries with delays
    growing by ``multiplier`` up to ``max_delay``, each spread by +/- ``jitter`` (a
    fraction), for at most ``attempts`` tries and ``deadline`` seconds in all. Once
    connected again it ``claim``s each of its sessions, so that their handles keep
    working (Janus must have ``reclaim_session_timeout`` > 0). Calls in flight when
    the line dropped fail with `ConnectionClosedError` and are never replayed.
    Over HTTP, which has no connection to re-establish, the policy governs how
    long a failing long-poll and an unanswered keepalive are retried before the
    session is lost.

    Attributes:
        attempts: Most reconnection attempts (None: only the deadline limits them).
        initial_delay: Delay before the first attempt, in seconds.
        max_delay: Largest delay between attempts.
        multiplier: Growth of the delay after each failed attempt.
        jitter: Random spread of each delay, as a fraction of it (0 to 1).
        deadline: Total time allowed to reconnect and reclaim, in seconds.
    """

    attempts: int | None = 10
    initial_delay: float = 0.2
    max_delay: float = 5.0
    multiplier: float = 2.0
    jitter: float = 0.2
    deadline: float = 60.0

    def __post_init__(self) -> None:
        if self.attempts is not None and (
            isinstance(self.attempts, bool)
            or not isinstance(self.attempts, int)
            or self.attempts < 1
        ):
            raise ValueError(
                f"ReconnectPolicy.attempts must be a positive int or None, got {self.attempts!r}"
            )
        for name in ("initial_delay", "max_delay", "multiplier", "deadline", "jitter"):
            value = getattr(self, name)
            if not _is_finite(value):
                raise ValueError(f"ReconnectPolicy.{name} must be a number, got {value!r}")
        if self.initial_delay < 0 or self.max_delay < self.initial_delay:
            raise ValueError("ReconnectPolicy needs 0 <= initial_delay <= max_delay")
        if self.multiplier < 1 or self.deadline <= 0:
            raise ValueError("ReconnectPolicy needs multiplier >= 1 and deadline > 0")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"ReconnectPolicy.jitter must be within 0..1, got {self.jitter!r}")

    def delays(self) -> Iterator[float]:
        """Yield the delay before each attempt (jittered), ``attempts`` times at most."""
        delay = self.initial_delay
        count = 0
        while self.attempts is None or count < self.attempts:
            count += 1
            spread = delay * self.jitter
            yield max(0.0, delay + random.uniform(-spread, spread))
            delay = min(self.max_delay, delay * self.multiplier)
