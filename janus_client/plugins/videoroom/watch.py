"""Watching a VideoRoom: subscribe to every publisher, including later ones.

`JanusVideoRoomPlugin.watch_room` joins a room (as a participant that does not
publish, so that the handle receives the room's events) and keeps one subscriber
handle per active publisher: the ones there at the start, then each new one a
``publishers`` event announces. When a publisher unpublishes, leaves or is kicked,
its subscription is closed; when the room is destroyed, watching ends. Leaving the
``async with`` block closes every subscription and leaves the room.

Example, a recorder bot:

```python
async with JanusSession(url) as session:
    bot = await session.attach(JanusVideoRoomPlugin())
    async with bot.watch_room(room, record_to=lambda p: f"/tmp/{p.id}.mkv") as watch:
        async for watched in watch:
            print("recording", watched.publisher.display)
```
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ...errors import JanusError
from ...validate import RoomId, enforce_bool, enforce_id, enforce_str, enforce_timeout
from ._base import _VideoRoomBase
from .events import (
    ParticipantType,
    VideoRoomEvent,
    VideoRoomEventType,
    VideoRoomPublisher,
    VideoRoomStateError,
)

if TYPE_CHECKING:
    from aiortc.contrib.media import MediaRecorder

    from ...webrtc import TrackStats
    from . import JanusVideoRoomPlugin

__all__ = ["RoomWatcher", "WatchedPublisher"]

logger = logging.getLogger("janus_client")

#: What ``on_publisher``/``on_leave`` may be: a function or a coroutine function.
WatchCallback = Callable[["WatchedPublisher"], Awaitable[object] | object]
#: Where to record a publisher: a path or a recorder for it, or None (count only).
RecordTo = Callable[[VideoRoomPublisher], "str | MediaRecorder | None"]

_GONE = (VideoRoomEventType.UNPUBLISHED, VideoRoomEventType.LEAVING, VideoRoomEventType.KICKED)


@dataclass(frozen=True)
class WatchedPublisher:
    """A publisher of the watched room and our subscription to it.

    Attributes:
        publisher: The publisher as the room announced it.
        plugin: The subscriber handle receiving its media (``plugin.peer`` gives
            the tracks and their `TrackStats`, by mid).
    """

    publisher: VideoRoomPublisher
    plugin: JanusVideoRoomPlugin = field(repr=False)

    @property
    def id(self) -> RoomId:
        """The publisher's id."""
        return self.publisher.id

    @property
    def stats_by_mid(self) -> dict[str, TrackStats]:
        """The received tracks' frame counts by subscription mid (recorded ones too)."""
        peer = self.plugin.peer_connection
        return peer.stats_by_mid if peer is not None else {}


class RoomWatcher:
    """Subscriptions to every publisher of a room, kept up to date (see `watch_room`).

    Use it as an async context manager; iterate it to get each new subscription
    (`WatchedPublisher`) as it is made. Iteration ends when the watcher closes (the
    block is left, or the room is destroyed).

    Attributes:
        room: The room watched.
        failures: How many subscriptions failed (the publisher left meanwhile, ...).
    """

    def __init__(
        self,
        plugin: JanusVideoRoomPlugin,
        room: RoomId,
        *,
        display: str | None,
        pin: str | None,
        record_to: RecordTo | None,
        read_counters: bool,
        on_publisher: WatchCallback | None,
        on_leave: WatchCallback | None,
        timeout: float | None,
    ) -> None:
        self.room = room
        self.failures = 0
        self._plugin = plugin
        self._display = display
        self._pin = pin
        self._record_to = record_to
        self._read_counters = read_counters
        self._on_publisher = on_publisher
        self._on_leave = on_leave
        self._timeout = timeout
        self._watched: dict[RoomId, WatchedPublisher] = {}
        self._new: asyncio.Queue[WatchedPublisher | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._joined_here = False
        self._closed = False

    @property
    def subscriptions(self) -> dict[RoomId, WatchedPublisher]:
        """The current subscriptions by publisher id (a copy)."""
        return dict(self._watched)

    @property
    def closed(self) -> bool:
        """Whether watching ended (block left, or the room destroyed)."""
        return self._closed

    async def __aenter__(self) -> RoomWatcher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __aiter__(self) -> AsyncIterator[WatchedPublisher]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[WatchedPublisher]:
        while True:
            item = await self._new.get()
            if item is None:
                self._new.put_nowait(None)  # other iterators end too
                return
            yield item

    async def start(self) -> None:
        """Join the room (unless this handle is in it already) and subscribe to its publishers.

        Raises:
            VideoRoomStateError: The handle is a subscriber, or in another room.
            VideoRoomError: Joining was refused (no such room, wrong PIN, ...).
        """
        plugin = self._plugin
        stream = plugin.events(VideoRoomEvent)  # before joining: no event is missed
        try:
            if plugin.participant_type is None:
                await plugin.join_as_publisher(
                    self.room, display=self._display, timeout=self._timeout, pin=self._pin
                )
                self._joined_here = True
            elif plugin.participant_type is not ParticipantType.PUBLISHER or (
                plugin.room_id != self.room
            ):
                raise VideoRoomStateError(
                    f"cannot watch room {self.room!r}: this handle is a "
                    f"{plugin.participant_type.value} in room {plugin.room_id!r}"
                )
            for publisher in list(plugin.publishers.values()):
                await self._add(publisher)
        except BaseException:
            await stream.aclose()
            await self._close_all()
            raise
        self._task = asyncio.get_running_loop().create_task(
            self._run(stream), name=f"janus-videoroom-watch-{self.room}"
        )

    async def _run(self, stream: Any) -> None:
        try:
            async for event in stream:
                kind = event.type
                if kind is VideoRoomEventType.PUBLISHERS:
                    for publisher in event.publishers:
                        await self._add(publisher)
                elif kind in _GONE and event.id is not None:
                    await self._drop(event.id)
                elif kind is VideoRoomEventType.DESTROYED or (
                    kind is VideoRoomEventType.LEAVING and event.reason == "kicked"
                ):
                    logger.info("VideoRoom watch of room %s ends: %s", self.room, kind.value)
                    break
        finally:
            await stream.aclose()
            self._closed = True
            self._new.put_nowait(None)

    async def _add(self, publisher: VideoRoomPublisher) -> None:
        if publisher.id in self._watched or publisher.dummy or self._closed:
            return
        plugin = self._plugin
        sub = type(plugin)(plugin.pc_config)
        record_to = self._record_to(publisher) if self._record_to is not None else None
        try:
            await sub.attach(plugin.session, timeout=self._timeout)
            await sub.join_as_subscriber(
                self.room,
                [{"feed": publisher.id}],
                private_id=plugin.private_id,
                pin=self._pin,
                record_to=record_to,
                read_counters=self._read_counters,
                timeout=self._timeout,
            )
        except (JanusError, ValueError) as exc:
            self.failures += 1
            logger.warning("VideoRoom watch: subscribing to %s failed: %s", publisher.id, exc)
            with contextlib.suppress(JanusError):
                await sub.destroy()
            return
        except BaseException:
            with contextlib.suppress(JanusError):
                await sub.destroy()
            raise
        watched = WatchedPublisher(publisher, sub)
        self._watched[publisher.id] = watched
        self._new.put_nowait(watched)
        await _call(self._on_publisher, watched)

    async def _drop(self, publisher_id: RoomId) -> None:
        watched = self._watched.pop(publisher_id, None)
        if watched is None:
            return
        await _call(self._on_leave, watched)
        with contextlib.suppress(JanusError):
            await watched.plugin.destroy()

    async def _close_all(self) -> None:
        for publisher_id in list(self._watched):
            await self._drop(publisher_id)

    async def aclose(self) -> None:
        """Stop watching: close every subscription, then leave the room if we joined it.

        Idempotent; the ``on_leave`` callback runs for each subscription closed.
        """
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._closed = True
        self._new.put_nowait(None)
        await self._close_all()
        plugin = self._plugin
        if self._joined_here and plugin.attached and plugin.participant_type is not None:
            self._joined_here = False
            with contextlib.suppress(JanusError):
                await plugin.leave(timeout=self._timeout)


async def _call(callback: WatchCallback | None, watched: WatchedPublisher) -> None:
    if callback is None:
        return
    try:
        result = callback(watched)
        if inspect.isawaitable(result):
            await result
    except Exception:
        logger.exception("VideoRoom watch callback %r raised", callback)


class _Watching(_VideoRoomBase):
    """`watch_room`: subscribe to every publisher of a room, including later ones."""

    def watch_room(
        self,
        room: RoomId,
        *,
        on_publisher: WatchCallback | None = None,
        on_leave: WatchCallback | None = None,
        record_to: RecordTo | None = None,
        read_counters: bool = False,
        display: str | None = None,
        pin: str | None = None,
        timeout: float | None = None,
    ) -> RoomWatcher:
        """Watch a room: one subscription per publisher, including those who come later.

        This handle joins the room as a participant that does not publish (unless
        it is in that room as a publisher already), to receive its events. Each
        publisher gets its own subscriber handle on the same session (media counted
        per mid in ``watched.stats_by_mid``, and recorded when ``record_to`` says
        where); a publisher that unpublishes, leaves or is kicked has its
        subscription closed. Use the result with ``async with``; leaving it closes
        every subscription and leaves the room.

        Args:
            room: The room.
            on_publisher: Called with each new `WatchedPublisher` once subscribed
                (a function or a coroutine function; what it raises is logged).
            on_leave: Called with a `WatchedPublisher` just before its
                subscription closes (its last frame counts are still there).
            record_to: ``record_to(publisher)`` gives a path or `MediaRecorder`
                for that publisher's media, or None to only count frames.
            read_counters: Decode `FrameCounterVideoTrack` numbers from the video.
            display: Our display name in the room.
            pin: The room's PIN, when it has one.
            timeout: Deadline in seconds for each request.

        Returns:
            The `RoomWatcher` (not started until ``async with`` or `RoomWatcher.start`).

        Raises:
            TypeError: An argument of the wrong type.
            ValueError: A bad room id or timeout.
        """
        enforce_id(room, name="room", string_ids=self.string_ids)
        for name, value in (("on_publisher", on_publisher), ("on_leave", on_leave)):
            if value is not None and not callable(value):
                raise TypeError(f"{name} must be callable, got {type(value).__name__}")
        if record_to is not None and not callable(record_to):
            raise TypeError(
                "record_to must be a function of the publisher "
                f"(publisher -> path or MediaRecorder), got {type(record_to).__name__}"
            )
        enforce_bool(read_counters, name="read_counters")
        enforce_str(display, name="display", optional=True, empty=True)
        enforce_str(pin, name="pin", optional=True)
        enforce_timeout(timeout)
        return RoomWatcher(
            cast("JanusVideoRoomPlugin", self),
            room,
            display=display,
            pin=pin,
            record_to=record_to,
            read_counters=read_counters,
            on_publisher=on_publisher,
            on_leave=on_leave,
            timeout=timeout,
        )
