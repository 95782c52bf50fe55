"""Transaction matching: one pending future per request, owned by a session or handle.

The table is plain data driven by its transport's single reader; it does no I/O.
Rules:

* ids are unique per table (a random prefix per table and a counter);
* a plugin ``message`` is answered by an ``ack`` and later an ``event`` with the
  same transaction, in either order; the caller chooses to wait for the event
  (the default) or for the ack only;
* the caller discards its entry when it stops waiting (reply, timeout, cancel);
* failing an owner fails all its pending calls at once.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import Hashable
from typing import Any

from .protocol import Incoming, MessageKind

__all__ = ["CallState", "Pending", "TransactionTable"]

_FINAL = frozenset(
    {MessageKind.SUCCESS, MessageKind.ERROR, MessageKind.SERVER_INFO, MessageKind.PONG}
)


class CallState:
    """Where one call is, so that a decided call can interrupt its own stuck send.

    Attributes:
        task: The task making the call.
        sending: True while the request is still being written (an HTTP POST waits
            for the server's answer here).
        expired: Set when the call's deadline passed.
        interrupted: Set when the call was decided elsewhere (reply through another
            path, owner failed) and its task was cancelled to stop the send.
        cancelled: Set while a cancellation requested by the library itself (not
            by the caller) is outstanding on `task`; see `own_cancellation`.
        deadline: When the call runs out of time (event-loop clock), if it has one.
        future: The future its reply resolves, once registered.
    """

    __slots__ = ("cancelled", "deadline", "expired", "future", "interrupted", "sending", "task")

    def __init__(self, task: asyncio.Task[Any] | None) -> None:
        self.task = task
        self.sending = True
        self.expired = False
        self.interrupted = False
        self.cancelled = False
        self.deadline = 0.0
        self.future: asyncio.Future[Any] | None = None

    def cancel_task(self) -> None:
        """Cancel `task` on the library's behalf (remembered for `own_cancellation`)."""
        if self.task is not None:
            self.cancelled = True
            self.task.cancel()

    def own_cancellation(self) -> bool:
        """Tell whether a CancelledError seen by the call is only the library's own.

        ``asyncio.timeout`` semantics: the library's cancellation is withdrawn
        (``Task.uncancel``), and it is the only one when no other cancellation
        remains; a caller's cancellation requested at the same time is never
        swallowed. Python 3.10 cannot count cancellations: there a caller's
        cancellation made in the same loop iteration as the library's own (while
        the request is still being written) cannot be told apart from it, and the
        library's is assumed to be the only one.
        """
        if not self.cancelled:
            return False
        self.cancelled = False
        uncancel = getattr(self.task, "uncancel", None)
        if uncancel is None:  # pragma: no cover - Python 3.10
            return True
        return bool(uncancel() == 0)

    def interrupt(self) -> None:
        """Stop a send still in progress in another task (the outcome is known)."""
        task = self.task
        if self.sending and task is not None and task is not asyncio.current_task():
            self.sending = False
            self.interrupted = True
            self.cancel_task()


class Pending:
    """One request waiting for its reply.

    Attributes:
        transaction: The transaction id.
        owner: The session or handle the request belongs to.
        request: The request verb, for error messages.
        future: Resolved with the reply `Incoming` (or failed).
        wait_event: Whether an ``ack`` is only a step (True) or the answer (False).
        acked: Whether the ``ack`` has been seen.
    """

    __slots__ = ("acked", "future", "owner", "request", "state", "transaction", "wait_event")

    def __init__(
        self,
        transaction: str,
        owner: Hashable,
        request: str,
        future: asyncio.Future[Incoming],
        wait_event: bool,
    ) -> None:
        self.transaction = transaction
        self.owner = owner
        self.request = request
        self.future = future
        self.wait_event = wait_event
        self.acked = False
        self.state: CallState | None = None


class TransactionTable:
    """Pending requests of one transport, keyed by transaction id."""

    def __init__(self) -> None:
        self._pending: dict[str, Pending] = {}
        self._counts: dict[Hashable, int] = {}  # pending requests per owner
        self._prefix = secrets.token_hex(4)
        self._counter = itertools.count(1)

    def __len__(self) -> int:
        return len(self._pending)

    def __contains__(self, transaction: object) -> bool:
        return transaction in self._pending

    def new_id(self) -> str:
        """Return a transaction id never used before by this table."""
        return f"{self._prefix}{next(self._counter):x}"

    def register(
        self,
        transaction: str,
        owner: Hashable,
        request: str,
        *,
        wait_event: bool = False,
        state: CallState | None = None,
    ) -> asyncio.Future[Incoming]:
        """Add a pending request and return the future its reply resolves.

        Raises:
            ValueError: The transaction id is already pending.
        """
        if transaction in self._pending:
            raise ValueError(f"transaction {transaction!r} is already pending")
        future: asyncio.Future[Incoming] = asyncio.get_running_loop().create_future()
        entry = self._pending[transaction] = Pending(
            transaction, owner, request, future, wait_event
        )
        entry.state = state
        counts = self._counts
        counts[owner] = counts.get(owner, 0) + 1
        return future

    def rearm(self, transaction: str) -> asyncio.Future[Incoming] | None:
        """Give a pending request whose future was cancelled a fresh one.

        The caller that awaited the future was cancelled (which cancels the future)
        but still wants the reply. Returns the future to watch (already resolved
        when the reply came in the meantime), or None when the request is no
        longer pending.
        """
        entry = self._pending.get(transaction)
        if entry is None:
            return None
        if entry.future.cancelled():
            entry.future = entry.future.get_loop().create_future()
        return entry.future

    def discard(self, transaction: str) -> None:
        """Forget a pending request (the caller stopped waiting). Unknown ids are ignored."""
        entry = self._pending.pop(transaction, None)
        if entry is not None:
            counts = self._counts
            owner = entry.owner
            left = counts[owner] - 1
            if left:
                counts[owner] = left
            else:
                del counts[owner]

    def pending_for(self, owner: Hashable) -> int:
        """Return how many requests of ``owner`` are pending."""
        return self._counts.get(owner, 0)

    def resolve(self, msg: Incoming) -> bool:
        """Match an incoming message to its pending request.

        Returns:
            True when the message must also be routed as an event to its owner (it
            is an event that no caller is waiting for, or one that arrived before
            the ack a caller waits for); False when it was fully consumed as a reply.
        """
        tid = msg.transaction
        entry = self._pending.get(tid) if tid is not None else None
        kind = msg.kind
        if entry is None:
            # Unknown or already-finished transaction: events still go to their owner.
            return kind not in _FINAL and kind is not MessageKind.ACK
        fut = entry.future
        if kind is MessageKind.ACK:
            entry.acked = True
            if not entry.wait_event:
                if not fut.done():
                    _settle(entry, msg)
                elif fut.cancelled():
                    _keep(entry, msg)
            return False
        if kind in _FINAL:
            if not fut.done():
                _settle(entry, msg)
            elif fut.cancelled():
                _keep(entry, msg)
            return False
        if kind is MessageKind.EVENT:
            if fut.done():
                if fut.cancelled():
                    _keep(entry, msg)
                    return not entry.wait_event
                # A later event with the same transaction (the SIP plugin pushes its
                # call progress that way), before the caller took its answer and
                # discarded the entry: news for the owner, not a duplicate answer.
                return True
            _settle(entry, msg)
            # An ack-only caller gets the event as its answer; the event is still news.
            return not entry.wait_event
        return True

    def fail_owner(self, owner: Hashable, exc: BaseException) -> int:
        """Fail every pending request of ``owner`` with ``exc``; return how many.

        Owners are compared with ``==``. An owner with pending calls costs a scan of
        the table; this runs when an owner closes, never on the request path.
        """
        if owner not in self._counts:
            return 0
        mine = [tid for tid, entry in self._pending.items() if entry.owner == owner]
        del self._counts[owner]
        for tid in mine:
            entry = self._pending.pop(tid)
            if not entry.future.done():
                _fail(entry, exc)
        return len(mine)

    def fail_all(self, exc: BaseException) -> int:
        """Fail every pending request with ``exc`` (the connection is gone)."""
        entries = list(self._pending.values())
        self._pending.clear()
        self._counts.clear()
        for entry in entries:
            if not entry.future.done():
                _fail(entry, exc)
        return len(entries)


def _settle(entry: Pending, msg: Incoming) -> None:
    entry.future.set_result(msg)
    if entry.state is not None and entry.state.sending:
        entry.state.interrupt()


def _keep(entry: Pending, msg: Incoming) -> None:
    # The caller was cancelled (which cancelled its future) and has not left yet:
    # keep the reply for `TransactionTable.rearm`, should it still want it.
    entry.future = entry.future.get_loop().create_future()
    entry.future.set_result(msg)


def _fail(entry: Pending, exc: BaseException) -> None:
    entry.future.set_exception(exc)
    if entry.state is not None and entry.state.sending:
        entry.state.interrupt()
