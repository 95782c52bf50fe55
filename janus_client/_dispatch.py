"""Event delivery outside the reader: async iterators and callbacks.

The transport's reader only *puts* events here (no user code runs in it). Callbacks
run in a short-lived drain task per owner that exists only while events are
waiting, so idle sessions and handles cost no task, a callback may await a request
(the reader is free to deliver the reply), and a callback that raises is logged and
does not stop later events.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

__all__ = ["EventDispatcher", "EventStream", "cancel_and_wait"]

logger = logging.getLogger("janus_client")

E = TypeVar("E")
Callback = Callable[[Any], "Awaitable[object] | object"]

_END = object()


class EventStream(Generic[E]):
    """An async iterator over the events of one session or handle.

    Use it as ``async for event in handle.events(): ...``. It ends when the owner
    closes (after the last event), or when you call `aclose` or leave an
    ``async with`` block around it. Events are buffered without limit while you
    are not reading, so keep reading or close it.
    """

    def __init__(self, dispatcher: EventDispatcher[E], types: tuple[type, ...]) -> None:
        self._dispatcher = dispatcher
        self._types = types
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._closed = False

    def _offer(self, event: object) -> None:
        if not self._types or isinstance(event, self._types):
            self._queue.put_nowait(event)

    def offer(self, event: object) -> None:
        """Queue ``event`` as if its owner had published it (if it has the stream's types).

        Owners use it to replay events they kept before the stream existed.
        """
        self._offer(event)

    def _end(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put_nowait(_END)

    def __aiter__(self) -> EventStream[E]:
        return self

    async def __anext__(self) -> E:
        item = await self._queue.get()
        if item is _END:
            self._queue.put_nowait(_END)
            raise StopAsyncIteration
        return item  # type: ignore[return-value]

    async def get(self, timeout: float | None = None) -> E:
        """Return the next event, waiting at most ``timeout`` seconds.

        Raises:
            TimeoutError: No event arrived in time.
            EOFError: The stream ended (its owner closed).
        """
        try:
            return await asyncio.wait_for(self.__anext__(), timeout)
        except StopAsyncIteration:
            raise EOFError("the event stream has ended") from None
        except asyncio.TimeoutError:  # a distinct class before Python 3.11
            raise TimeoutError(f"no event within {timeout} s") from None

    def pending(self) -> int:
        """Return how many events are buffered and not yet read."""
        return self._queue.qsize()

    async def aclose(self) -> None:
        """Stop receiving events; iteration ends after the buffered ones."""
        self._dispatcher._streams.discard(self)
        self._end()

    async def __aenter__(self) -> EventStream[E]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class EventDispatcher(Generic[E]):
    """Delivers the events of one owner to its streams and callbacks."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._streams: set[EventStream[E]] = set()
        self._callbacks: list[tuple[tuple[type, ...], Callback]] = []
        self._queue: deque[object] = deque()
        self._task: asyncio.Task[None] | None = None
        self._draining = False  # whether the drain task has started running
        self._closed = False

    def stream(self, types: tuple[type, ...] = ()) -> EventStream[E]:
        """Open a new stream of events (optionally only of the given classes)."""
        s: EventStream[E] = EventStream(self, types)
        if self._closed:
            s._end()
        else:
            self._streams.add(s)
        return s

    def add_callback(self, callback: Callback, types: tuple[type, ...] = ()) -> None:
        """Call ``callback(event)`` (sync or async) for each event of the given classes."""
        if not callable(callback):
            raise TypeError(f"callback must be callable, got {callback!r}")
        self._callbacks.append((types, callback))

    def remove_callback(self, callback: Callback) -> None:
        """Stop calling ``callback``. Unknown callbacks are ignored."""
        self._callbacks = [(t, cb) for t, cb in self._callbacks if cb is not callback]

    def publish(self, event: E) -> None:
        """Hand an event over; never runs user code and never blocks."""
        if self._closed:
            return
        for s in self._streams:
            s._offer(event)
        if self._callbacks:
            self._queue.append(event)
            if self._task is None:
                self._task = asyncio.get_running_loop().create_task(
                    self._drain(), name=f"janus-dispatch-{self._name}"
                )

    async def _drain(self) -> None:
        self._draining = True
        try:
            while self._queue:
                event = self._queue.popleft()
                for types, callback in list(self._callbacks):
                    if types and not isinstance(event, types):
                        continue
                    try:
                        result = callback(event)
                        if inspect.isawaitable(result):
                            await result
                    except asyncio.CancelledError:
                        raise
                    except Exception:
                        logger.exception(
                            "event callback %r of %s raised; later events still flow",
                            callback,
                            self._name,
                        )
        finally:
            self._task = None
            self._draining = False

    @property
    def busy(self) -> bool:
        """Whether callbacks are running or events wait for them."""
        return self._task is not None

    async def drain(self) -> None:
        """Wait until every event already published has been handed to callbacks."""
        while self._task is not None:
            await asyncio.shield(self._task)

    async def aclose(self, *, wait: float = 0.0) -> None:
        """End every stream and stop callbacks (after up to ``wait`` seconds)."""
        if self._closed and self._task is None:
            return
        self._closed = True
        for s in list(self._streams):
            s._end()
        self._streams.clear()
        # A closed dispatcher never calls them again: dropping them breaks the
        # reference cycles owner -> callback -> owner (plugin objects and handles),
        # so closed owners are freed at once rather than by the cyclic GC.
        self._callbacks = []
        task = self._task
        if task is not None and task is not asyncio.current_task():
            if wait > 0:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(task), wait)
            if self._draining or task.done():
                await cancel_and_wait(task)
            else:
                # The task has not run yet: cancelled now, it never calls a callback
                # and ends in the next loop iteration without anyone waiting for it.
                task.cancel()
                self._task = None
        self._queue.clear()


async def cancel_and_wait(task: asyncio.Future[Any] | None) -> None:
    """Cancel ``task`` and wait for it to finish, without swallowing our own cancellation.

    `asyncio.wait` is used rather than ``await task``: it raises CancelledError only
    when the *caller* is cancelled, never because ``task`` ended cancelled, on every
    supported Python (3.10 has no ``Task.cancelling()`` to tell the two apart).
    """
    if task is None:
        return
    if not task.done():
        task.cancel()
        await asyncio.wait({task})
    if not task.cancelled() and task.exception() is not None:
        # The owner logs failures itself; this marks the exception retrieved.
        logger.debug("task %r failed while being cancelled", task, exc_info=task.exception())
