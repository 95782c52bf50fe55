"""Rate limiting per server: a bound on requests in flight and a token bucket.

`RateLimit` says how much one server takes; `RequestGate` enforces it for
every request sent over the server's shared transport (the cluster installs
one gate per server). A request first waits for a token (``rate`` per second,
bursts of ``burst``), then for a free slot (at most ``max_in_flight``
awaiting their reply); both waits count against the request's own deadline,
and a request that cannot get through in time fails with
`RequestTimeoutError` without being sent. Waiters are served first come,
first served, with one timer each and no task.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from ..errors import RequestTimeoutError

__all__ = ["RateLimit", "RequestGate"]


@dataclass(frozen=True)
class RateLimit:
    """How much one server is asked at once.

    Attributes:
        max_in_flight: Most requests awaiting their reply at once (None: no bound).
        rate: Most requests sent per second, on average (None: no bound).
        burst: Requests that may go at once before ``rate`` applies (default:
            ``rate`` rounded up, at least 1).
    """

    max_in_flight: int | None = None
    rate: float | None = None
    burst: int | None = None

    def __post_init__(self) -> None:
        limit = self.max_in_flight
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise TypeError(f"max_in_flight must be an int or None, got {limit!r}")
        if limit is not None and limit < 1:
            raise ValueError(f"max_in_flight must be at least 1, got {limit}")
        if self.rate is not None and (
            isinstance(self.rate, bool) or not isinstance(self.rate, (int, float)) or self.rate <= 0
        ):
            raise ValueError(f"rate must be a positive number or None, got {self.rate!r}")
        if self.burst is not None:
            if isinstance(self.burst, bool) or not isinstance(self.burst, int) or self.burst < 1:
                raise ValueError(f"burst must be a positive int or None, got {self.burst!r}")
            if self.rate is None:
                raise ValueError("burst needs a rate")

    @property
    def bucket_size(self) -> float:
        """The token bucket's capacity (``burst``, or ``rate`` rounded up)."""
        if self.burst is not None:
            return float(self.burst)
        return float(max(1, int(-(-(self.rate or 1.0) // 1))))


class RequestGate:
    """Admits requests to one server under a `RateLimit`.

    Use ``await gate.acquire(timeout)`` before sending and ``gate.release()``
    when the reply (or the failure) is in.

    Args:
        limit: The limit to enforce.
        name: The server, for error messages.
    """

    def __init__(self, limit: RateLimit | None = None, *, name: str = "server") -> None:
        self.limit = limit if limit is not None else RateLimit()
        self.name = name
        self.in_flight = 0
        self.peak_in_flight = 0
        self.admitted = 0
        self.timed_out = 0
        self._waiters: deque[asyncio.Future[bool]] = deque()
        bucket = self.limit.bucket_size
        self._tokens = bucket
        self._stamp: float | None = None

    @property
    def waiting(self) -> int:
        """Requests waiting for a slot now."""
        return sum(1 for waiter in self._waiters if not waiter.done())

    async def acquire(self, timeout: float, *, verb: str = "request") -> None:
        """Wait for a token and a slot, within ``timeout`` seconds.

        Raises:
            RequestTimeoutError: No token or slot in time (nothing was sent).
        """
        loop = asyncio.get_running_loop()
        start = loop.time()
        if self.limit.rate is not None:
            delay = self._take_token(loop.time())
            if delay > timeout:
                self._tokens += 1.0  # give the reservation back
                self.timed_out += 1
                raise RequestTimeoutError(
                    f"{verb!r} to {self.name}: no request token within {timeout:g} s "
                    f"(rate limit {self.limit.rate:g}/s)",
                    request=verb,
                    timeout=timeout,
                )
            if delay > 0:
                await asyncio.sleep(delay)
        limit = self.limit.max_in_flight
        waiters = self._waiters
        while waiters and waiters[0].done():  # timed out or cancelled: gone
            waiters.popleft()
        if limit is not None and (self.in_flight >= limit or waiters):
            remaining = timeout - (loop.time() - start)
            await self._wait_slot(loop, max(remaining, 0.0), verb, timeout)
        else:
            self.in_flight += 1
        self.admitted += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def release(self) -> None:
        """A request admitted by `acquire` has its reply (or failed)."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)  # the slot passes straight to the waiter
                return
        self.in_flight -= 1

    def _take_token(self, now: float) -> float:
        """Reserve a token; return how long to wait until it is due."""
        rate = self.limit.rate
        assert rate is not None
        size = self.limit.bucket_size
        if self._stamp is not None:
            self._tokens = min(size, self._tokens + (now - self._stamp) * rate)
        self._stamp = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / rate

    async def _wait_slot(
        self, loop: asyncio.AbstractEventLoop, remaining: float, verb: str, timeout: float
    ) -> None:
        waiter: asyncio.Future[bool] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_later(remaining, _expire, waiter)
        try:
            await waiter
        except asyncio.TimeoutError:
            self.timed_out += 1
            raise RequestTimeoutError(
                f"{verb!r} to {self.name}: no free request slot within {timeout:g} s "
                f"(max_in_flight={self.limit.max_in_flight})",
                request=verb,
                timeout=timeout,
            ) from None
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release()  # we were given a slot but cannot use it
            raise
        finally:
            timer.cancel()
            if not waiter.done():
                waiter.cancel()


def _expire(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_exception(asyncio.TimeoutError())
