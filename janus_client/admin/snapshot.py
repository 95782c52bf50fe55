"""A whole-server view from the Admin API: sessions → handles → handle info.

`take_snapshot` walks ``list_sessions``, then ``list_handles`` of each session,
then ``handle_info`` of each handle. The server keeps running while it walks: a
session or handle that goes away between being listed and being asked about
(Janus answers 458 or 459) is not an error, it is recorded in
`AdminSnapshot.vanished_sessions` / `AdminSnapshot.vanished_handles`.
`watch_snapshots` repeats the walk at an interval as an async iterator.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from ..errors import HandleNotFoundError, SessionNotFoundError

if TYPE_CHECKING:
    from .client import JanusAdminMonitorClient
    from .handles import HandleInfo

__all__ = ["AdminSnapshot", "SessionSnapshot", "take_snapshot", "watch_snapshots"]


@dataclass(frozen=True)
class SessionSnapshot:
    """One session of an `AdminSnapshot`.

    Attributes:
        session_id: The session.
        handles: The info of each of its handles still alive when asked, in
            ``list_handles`` order (a `HandleInfo` each).
    """

    session_id: int
    handles: tuple[HandleInfo, ...] = ()


@dataclass(frozen=True)
class AdminSnapshot:
    """What a Janus server holds at one moment, from `JanusAdminMonitorClient.snapshot`.

    Attributes:
        taken_at: When the walk started (``time.time()``, seconds).
        sessions: The sessions still alive when their handles were listed, in
            ``list_sessions`` order.
        vanished_sessions: Sessions listed by ``list_sessions`` that were gone
            (458) by the time they were walked.
        vanished_handles: ``(session_id, handle_id)`` of handles listed by
            ``list_handles`` that were gone (459, or 458 for their session) when
            their info was asked for.
    """

    taken_at: float
    sessions: tuple[SessionSnapshot, ...] = ()
    vanished_sessions: tuple[int, ...] = ()
    vanished_handles: tuple[tuple[int, int], ...] = field(default=())

    @property
    def session_ids(self) -> tuple[int, ...]:
        """The ids of `sessions`."""
        return tuple(s.session_id for s in self.sessions)

    def handles(self) -> Iterator[HandleInfo]:
        """Iterate over the info of every handle of every session."""
        for session in self.sessions:
            yield from session.handles

    def session(self, session_id: int) -> SessionSnapshot | None:
        """Return one session of the snapshot, or None when it is not in it."""
        for session in self.sessions:
            if session.session_id == session_id:
                return session
        return None

    def by_plugin(self, plugin: str) -> tuple[HandleInfo, ...]:
        """Return the handles attached to one plugin package (``janus.plugin.echotest``)."""
        return tuple(h for h in self.handles() if h.plugin == plugin)


def check_concurrency(value: object) -> int:
    """Check the ``concurrency`` argument of `take_snapshot`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"concurrency must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"concurrency must be at least 1, got {value}")
    return value


def check_interval(value: object) -> float:
    """Check the ``interval`` argument of `watch_snapshots`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"interval must be a number of seconds, got {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"interval must be a positive number of seconds, got {value}")
    return float(value)


async def _bounded_gather(
    calls: list[Callable[[], Awaitable[object]]], limit: int
) -> list[object | BaseException]:
    """Run ``calls`` with at most ``limit`` in flight; results or exceptions, in order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[object]]) -> object:
        async with semaphore:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls), return_exceptions=True))


def _first_failure(results: list[object | BaseException]) -> BaseException | None:
    for result in results:
        if isinstance(result, BaseException) and not isinstance(
            result, (SessionNotFoundError, HandleNotFoundError)
        ):
            return result
    return None


async def take_snapshot(
    admin: JanusAdminMonitorClient,
    *,
    plugin_only: bool = False,
    concurrency: int = 8,
    timeout: float | None = None,
) -> AdminSnapshot:
    """Walk sessions → handles → handle info once; see the module docstring.

    Args:
        admin: The admin client.
        plugin_only: Ask ``handle_info`` for the plugin's view only (no WebRTC).
        concurrency: At most this many requests in flight at once.
        timeout: Deadline of each request, in seconds.

    Returns:
        The snapshot.

    Raises:
        ServerError: Janus refused a request for another reason than a vanished
            session or handle (for example `UnauthorizedError`).
    """
    limit = check_concurrency(concurrency)
    taken_at = time.time()
    session_ids = await admin.list_sessions(timeout=timeout)

    def lister(sid: int) -> Callable[[], Awaitable[object]]:
        return lambda: admin.list_handles(sid, timeout=timeout)

    listed = await _bounded_gather([lister(sid) for sid in session_ids], limit)
    failure = _first_failure(listed)
    if failure is not None:
        raise failure
    vanished_sessions = [
        sid for sid, r in zip(session_ids, listed, strict=True) if isinstance(r, BaseException)
    ]
    alive = [(sid, r) for sid, r in zip(session_ids, listed, strict=True) if isinstance(r, list)]
    pairs = [(sid, hid) for sid, handle_ids in alive for hid in handle_ids]

    def asker(sid: int, hid: int) -> Callable[[], Awaitable[object]]:
        return lambda: admin.handle_info(sid, hid, plugin_only=plugin_only, timeout=timeout)

    infos = await _bounded_gather([asker(sid, hid) for sid, hid in pairs], limit)
    failure = _first_failure(infos)
    if failure is not None:
        raise failure
    found: dict[int, list[HandleInfo]] = {sid: [] for sid, _ in alive}
    vanished_handles: list[tuple[int, int]] = []
    for (sid, hid), info in zip(pairs, infos, strict=True):
        if isinstance(info, BaseException):
            vanished_handles.append((sid, hid))
        else:
            found[sid].append(cast("HandleInfo", info))
    return AdminSnapshot(
        taken_at=taken_at,
        sessions=tuple(SessionSnapshot(sid, tuple(found[sid])) for sid, _ in alive),
        vanished_sessions=tuple(vanished_sessions),
        vanished_handles=tuple(vanished_handles),
    )


async def watch_snapshots(
    admin: JanusAdminMonitorClient,
    interval: float = 5.0,
    *,
    plugin_only: bool = False,
    concurrency: int = 8,
    timeout: float | None = None,
) -> AsyncIterator[AdminSnapshot]:
    """Yield a fresh `AdminSnapshot` every ``interval`` seconds, the first at once.

    The interval runs from the end of one walk to the start of the next, so a
    slow server is never asked twice at once. The iterator runs until the
    consumer stops; leave it with ``break`` inside ``contextlib.aclosing`` (or
    call ``aclose()``) so that it ends at once.

    Args:
        admin: The admin client.
        interval: Seconds between two walks.
        plugin_only: See `take_snapshot`.
        concurrency: See `take_snapshot`.
        timeout: See `take_snapshot`.

    Yields:
        One snapshot per walk.
    """
    pause = check_interval(interval)
    check_concurrency(concurrency)
    while True:
        yield await take_snapshot(
            admin, plugin_only=plugin_only, concurrency=concurrency, timeout=timeout
        )
        await asyncio.sleep(pause)
