"""janus-client 0.9.x message transactions: every message of one request, matched by pattern.

`JanusSession.send`, `JanusTransport.send` and `JanusPlugin.send` return a
`MessageTransaction`: the messages Janus sends with the request's transaction id
(``ack``, ``success``, ``event``, ``error``, ...) are collected in it until `done`
is called, and ``await tx.get(matcher)`` returns the first one that matches, as in
0.9.x::

    tx = await session.send({"janus": "keepalive"})
    reply = await tx.get({"janus": "ack"}, timeout=15)
    await tx.done()

New code uses the typed calls instead (`JanusSession.request`, `JanusHandle.send`),
which match the reply and raise typed errors themselves.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["Matcher", "MessageTransaction", "is_subset"]


def is_subset(dict_1: dict[str, Any], dict_2: dict[str, Any]) -> bool:
    """Whether the pattern ``dict_2`` is contained in ``dict_1`` (recursively).

    Pattern values that are dicts match nested subsets; str, int and bool values
    must be equal; any other pattern value (None, lists, floats) only needs the key.

    Raises:
        TypeError: An argument is not a dict (``dict_1 must be a dictionary: ...``).
    """
    if not isinstance(dict_1, dict):
        raise TypeError(f"dict_1 must be a dictionary: {type(dict_1).__name__}")
    if not isinstance(dict_2, dict):
        raise TypeError(f"dict_2 must be a dictionary: {type(dict_2).__name__}")
    for key, pattern in dict_2.items():
        if key not in dict_1:
            return False
        value = dict_1[key]
        if isinstance(pattern, dict):
            if not isinstance(value, dict) or not is_subset(value, pattern):
                return False
        elif isinstance(pattern, (str, int)) and value != pattern:
            return False
    return True


#: What `MessageTransaction.get` accepts: a pattern for `is_subset`, or a predicate.
Matcher = dict[str, Any] | Callable[[dict[str, Any]], bool]


def _accept_all(_: dict[str, Any]) -> bool:
    return True


def _predicate(matcher: Matcher | None) -> Callable[[dict[str, Any]], bool]:
    if matcher is None:
        return _accept_all
    if isinstance(matcher, dict):
        pattern = matcher

        def accept(message: dict[str, Any]) -> bool:
            return is_subset(message, pattern)

        return accept
    if callable(matcher):
        return matcher
    raise TypeError(f"matcher must be callable or dictionary: {type(matcher).__name__}")


class MessageTransaction:
    """The messages Janus sent for one request, kept until `done` (0.9.x API).

    Messages are kept in arrival order; `get` searches those already received
    first, then waits for new ones, so two ``get`` calls for the ``ack`` and the
    ``event`` of a plugin message work in either order.

    Args:
        transaction_id: The transaction id (default: a random one).
    """

    def __init__(self, transaction_id: str | None = None) -> None:
        self._id = transaction_id if transaction_id is not None else uuid.uuid4().hex
        self._messages: list[dict[str, Any]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._failure: BaseException | None = None
        self._done = False
        self._release: Callable[[], Awaitable[None] | None] | None = None

    def __repr__(self) -> str:
        state = "done" if self._done else "open"
        return f"<MessageTransaction {self._id} {state} messages={len(self._messages)}>"

    @property
    def id(self) -> str:
        """The transaction id."""
        return self._id

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The messages received so far (a copy)."""
        return list(self._messages)

    @property
    def is_done(self) -> bool:
        """Whether `done` was called."""
        return self._done

    def put_msg(self, message: dict[str, Any]) -> None:
        """Add a received message and wake the waiting `get` calls."""
        self._messages.append(message)
        self._wake()

    def _fail(self, exc: BaseException) -> None:
        """Make waiting and later `get` calls raise ``exc`` (the connection closed)."""
        if self._failure is None:
            self._failure = exc
        self._wake()

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def get(
        self, matcher: Matcher | None = None, timeout: float | None = None
    ) -> dict[str, Any]:
        """Return the first message (received or to come) that ``matcher`` accepts.

        Args:
            matcher: A dict pattern (see `is_subset`) or a predicate taking the
                message; None accepts any message.
            timeout: Seconds to wait; None waits without limit (as in 0.9.x).

        Raises:
            TypeError: ``matcher`` is neither a dict nor a callable.
            RequestTimeoutError: Nothing matched within ``timeout`` seconds (also an
                `asyncio.TimeoutError`).
            TransportError: The connection closed before a message matched.
        """
        accept = _predicate(matcher)
        loop = asyncio.get_running_loop()
        end = None if timeout is None else loop.time() + timeout
        seen = 0
        while True:
            while seen < len(self._messages):
                message = self._messages[seen]
                seen += 1
                if accept(message):
                    return message
            if self._failure is not None:
                raise self._failure
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            try:
                if end is None:
                    await waiter
                else:
                    await asyncio.wait_for(waiter, max(end - loop.time(), 0))
            except asyncio.TimeoutError:
                from .errors import RequestTimeoutError

                raise RequestTimeoutError(
                    f"no matching message for transaction {self._id} within {timeout} s",
                    timeout=timeout,
                ) from None
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    async def on_done(self) -> None:
        """Hook run by `done` (0.9.x transports replaced it to forget the transaction)."""

    async def done(self) -> None:
        """Release the transaction: later messages with its id go to the session (idempotent)."""
        if self._done:
            return
        self._done = True
        if self._release is not None:
            result = self._release()
            if result is not None:
                await result
        await self.on_done()
