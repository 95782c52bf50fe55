"""Cascading VideoRoom publishers from one Janus instance to another, in one call.

Janus 1.1.2's VideoRoom can show a publisher of one instance (*A*) in a room of
another instance (*B*): B creates a *remote publisher* (``add_remote_publisher``)
with UDP sockets of its own, and A forwards the real publisher's RTP there
(``publish_remotely``). Subscribers of B then subscribe to the remote publisher
as to any other. `cascade_publisher` does both sides, in the right order, and
undoes B's side when A's fails; `CascadedPublisher.stop` undoes both.

Example:
    ```python
    async with JanusSession(url_a) as on_a, JanusSession(url_b) as on_b:
        source = await on_a.attach(JanusVideoRoomPlugin())
        target = await on_b.attach(JanusVideoRoomPlugin())
        cascade = await cascade_publisher(
            source, target, room_a, publisher_id, streams, target_room_id=room_b,
            iface="127.0.0.1",
        )
        ...  # subscribers of B subscribe to cascade.remote.id
        await cascade.stop()
    ```
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import JanusError
from ..validate import RoomId, enforce_id, enforce_str, enforce_timeout, enforce_typed
from .videoroom import (
    JanusVideoRoomPlugin,
    VideoRoomRemotePublisher,
    VideoRoomStream,
    remote_streams,
)

__all__ = ["CascadedPublisher", "cascade_publisher"]

logger = logging.getLogger("janus_client")


@dataclass
class CascadedPublisher:
    """A publisher of instance A shown as a remote publisher on instance B.

    Made by `cascade_publisher`; `stop` (or leaving an ``async with`` block)
    stops the forwarding on A and removes the remote publisher on B.

    Attributes:
        source: The VideoRoom handle on A that sent ``publish_remotely``.
        target: The VideoRoom handle on B that sent ``add_remote_publisher``.
        room_id: The publisher's room on A.
        publisher_id: The publisher on A.
        remote_id: The name of the remotization on A (see ``listremotes``).
        remote: The remote publisher on B: its room, id and sockets.
        host: The address A sends the RTP to.
        source_secret: The room secret on A (not shown by repr).
        target_secret: The room secret on B (not shown by repr).
        stopped: Whether `stop` was called.
    """

    source: JanusVideoRoomPlugin
    target: JanusVideoRoomPlugin
    room_id: RoomId
    publisher_id: RoomId
    remote_id: str
    remote: VideoRoomRemotePublisher
    host: str
    source_secret: str | None = field(default=None, repr=False)
    target_secret: str | None = field(default=None, repr=False)
    stopped: bool = False

    async def update(
        self,
        streams: Iterable[VideoRoomStream | Mapping[str, Any]],
        *,
        display: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Change the remote publisher's streams on B (``update_remote_publisher``).

        Args:
            streams: Streams to change (same ``mid``: new ``description`` /
                ``disabled``) or to add.
            display: A new display name.
            timeout: Deadline in seconds.
        """
        await self.target.update_remote_publisher(
            self.remote.room,
            self.remote.id,
            streams,
            display=display,
            secret=self.target_secret,
            timeout=timeout,
        )

    async def stop(self, timeout: float | None = None) -> None:
        """Stop forwarding on A, then remove the remote publisher on B.

        Both are tried even if the first fails; idempotent. Subscribers on B get
        an offer without the remote publisher's streams.

        Raises:
            JanusError: The first of the two requests that failed (after trying
                both); a side that is already gone (no such publisher, room or
                remotization) does not count as a failure.
        """
        if self.stopped:
            return
        self.stopped = True
        errors: list[JanusError] = []
        try:
            await self.source.unpublish_remotely(
                self.room_id,
                self.publisher_id,
                self.remote_id,
                secret=self.source_secret,
                timeout=timeout,
            )
        except JanusError as exc:
            if not _gone(exc):
                errors.append(exc)
        try:
            await self.target.remove_remote_publisher(
                self.remote.room, self.remote.id, secret=self.target_secret, timeout=timeout
            )
        except JanusError as exc:
            if not _gone(exc):
                errors.append(exc)
        if errors:
            raise errors[0]

    async def __aenter__(self) -> CascadedPublisher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def _gone(exc: JanusError) -> bool:
    # 426 no such room, 428 no such feed / remotization: that side is already undone.
    return getattr(exc, "code", None) in (426, 428)


async def cascade_publisher(
    source: JanusVideoRoomPlugin,
    target: JanusVideoRoomPlugin,
    room_id: RoomId,
    publisher_id: RoomId,
    streams: Iterable[VideoRoomStream | Mapping[str, Any]],
    *,
    target_room_id: RoomId | None = None,
    iface: str | None = None,
    host: str | None = None,
    remote_id: str | None = None,
    remote_publisher_id: RoomId | None = None,
    display: str | None = None,
    source_secret: str | None = None,
    target_secret: str | None = None,
    admin_key: str | None = None,
    timeout: float | None = None,
) -> CascadedPublisher:
    """Show a publisher of instance A in a room of instance B (both sides, one call).

    1. On B (``target``): ``add_remote_publisher`` with the publisher's streams;
       B picks free UDP ports for its RTP and RTCP (bound to ``iface``).
    2. On A (``source``): ``publish_remotely`` to B's address and ports.

    If step 2 fails (or is cancelled), the remote publisher made in step 1 is
    removed again before the error propagates; if step 1 fails, nothing was
    changed on A.

    Args:
        source: A VideoRoom handle on A (any handle, joined or not).
        target: A VideoRoom handle on B.
        room_id: The publisher's room on A.
        publisher_id: The publisher on A (a local one).
        streams: Its streams, e.g. ``VideoRoomPublisher.streams`` as another
            participant sees them, or the ``streams`` of its ``configured`` reply
            (see `remote_streams`).
        target_room_id: The room on B (default: the same id as on A).
        iface: The address B binds the remote publisher's sockets to; B reports
            it back and A sends there. Give one (for example B's address on the
            link between the two): without it B binds every interface.
        host: The address A sends to (default: the address B reports for
            ``iface``). Needed when ``iface`` is not given.
        remote_id: The remotization's name on A (default: a new random one).
        remote_publisher_id: The remote publisher's id on B (default: the same
            as ``publisher_id``, so ids match on both instances).
        display: The remote publisher's display name on B.
        source_secret: The room secret on A, when it has one.
        target_secret: The room secret on B, when it has one.
        admin_key: A's VideoRoom ``admin_key``, when RTP forwarding needs it.
        timeout: Deadline in seconds for each request.

    Returns:
        The cascade; `CascadedPublisher.stop` undoes it.

    Raises:
        ValueError: Neither ``iface`` nor ``host``, or bad streams (checked before
            anything is sent).
        VideoRoomError: Either instance refused (on A's refusal, B's remote
            publisher is removed first).
    """
    for name, plugin in (("source", source), ("target", target)):
        if not isinstance(plugin, JanusVideoRoomPlugin):
            raise TypeError(f"{name} must be a JanusVideoRoomPlugin, got {type(plugin).__name__}")
    a_room = enforce_id(room_id, name="room_id")
    b_room = (
        enforce_id(target_room_id, name="target_room_id") if target_room_id is not None else a_room
    )
    pid = enforce_id(publisher_id, name="publisher_id")
    items = remote_streams(streams)
    if iface is None and host is None:
        raise ValueError("give iface (B's address for the remote publisher) or host")
    for name, text in (("iface", iface), ("host", host), ("remote_id", remote_id)):
        if text is not None:
            enforce_str(text, name=name)
    if remote_publisher_id is not None:
        enforce_id(remote_publisher_id, name="remote_publisher_id")
    for name, value in (
        ("display", display),
        ("source_secret", source_secret),
        ("target_secret", target_secret),
        ("admin_key", admin_key),
    ):
        enforce_typed(value, name=name, kind=str)
    if remote_id is None:
        remote_id = f"janus-client-{uuid.uuid4().hex[:12]}"
    enforce_timeout(timeout)
    remote = await target.add_remote_publisher(
        b_room,
        items,
        publisher_id=remote_publisher_id if remote_publisher_id is not None else pid,
        display=display,
        iface=iface,
        secret=target_secret,
        timeout=timeout,
    )
    send_to = host if host is not None else remote.ip
    try:
        if send_to is None:
            raise ValueError("B did not report an address for the remote publisher: pass host=")
        await source.publish_remotely(
            a_room,
            pid,
            remote_id,
            send_to,
            remote.port,
            rtcp_port=remote.rtcp_port,
            secret=source_secret,
            admin_key=admin_key,
            timeout=timeout,
        )
    except BaseException:
        await _remove_quietly(target, remote, target_secret)
        raise
    logger.debug(
        "cascaded publisher %s of room %s to remote publisher %s (port %d)",
        pid,
        a_room,
        remote.id,
        remote.port,
    )
    return CascadedPublisher(
        source=source,
        target=target,
        room_id=a_room,
        publisher_id=pid,
        remote_id=remote_id,
        remote=remote,
        host=send_to,
        source_secret=source_secret,
        target_secret=target_secret,
    )


async def _remove_quietly(
    target: JanusVideoRoomPlugin, remote: VideoRoomRemotePublisher, secret: str | None
) -> None:
    """Undo B's side after A's failed: bounded, shielded from cancellation, logged."""
    close = target.session.timeouts.close
    undo = asyncio.ensure_future(
        target.remove_remote_publisher(remote.room, remote.id, secret=secret, timeout=close)
    )
    try:
        await asyncio.shield(undo)
    except asyncio.CancelledError:
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(undo, close)
        raise
    except Exception as exc:
        logger.warning("removing remote publisher %s after a failed cascade: %s", remote.id, exc)
