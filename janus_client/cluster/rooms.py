"""VideoRoom rooms that span the servers of a cluster, joined by VideoRoom cascading.

A `ClusterVideoRoom` is one room id on every server the cluster uses for it.
A participant (`RoomMember`) joins on its placed server, as a VideoRoom
publisher-type participant (so it gets the room's events). When it publishes,
the room *remotizes* it: on each other server that has receiving members
(and only those), a remote publisher with the same id is added
(``add_remote_publisher``) and the origin forwards its RTP there
(``publish_remotely``); `janus_client.plugins.videoroom_cascade` does the two
steps. Receiving members on any server thus see every publisher of the room
through the usual VideoRoom events and subscribe to it by its id.

When the publisher's streams change (new descriptions, ...), the remote
copies are updated (``update_remote_publisher``). The room tears a
remotization down when its publisher unpublishes or leaves, when the last
receiving member of the target server leaves, and when either server's
breaker opens (the other servers' participants then see the
publishers of a dead server leave).

How the room learns: on each server it uses, it keeps one session (not
counted as a member) with a control handle, for the requests, and a monitor
handle, joined to the room without publishing, whose events say who
publishes and who left.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import Coroutine, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import JanusError
from ..events import JanusEvent
from ..plugins.videoroom import (
    JanusVideoRoomPlugin,
    VideoRoomError,
    VideoRoomEvent,
    VideoRoomEventType,
    VideoRoomPublisher,
    remote_streams,
)
from ..plugins.videoroom_cascade import CascadedPublisher, cascade_publisher
from ..session import JanusSession, SessionState
from .breaker import BreakerEvent, BreakerState
from .server import ClusterServer

if TYPE_CHECKING:
    from .cluster import JanusCluster

__all__ = ["ClusterVideoRoom", "RoomMember"]

logger = logging.getLogger("janus_client")

MONITOR_DISPLAY = "janus-client cluster monitor"
_GONE = (VideoRoomEventType.UNPUBLISHED, VideoRoomEventType.LEAVING, VideoRoomEventType.KICKED)


def _cascade_address(server: ClusterServer) -> tuple[str | None, str | None]:
    """(iface, host) for remote publishers on ``server``: where others send its RTP."""
    address = server.spec.cascade_address
    if address is None:
        address = urlsplit(server.spec.url).hostname
    if address is None:
        return None, None
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None, address  # a name: bind every interface, send to the name
    return address, address


def _changed(old: Iterable[Any], new: Iterable[Any]) -> bool:
    """Whether a publisher's streams differ in what its remote copies show."""
    try:
        return remote_streams(old) != remote_streams(new)
    except (ValueError, TypeError):
        return False


class _Site:
    """The room on one server: its control and monitor handles, its receivers."""

    def __init__(self, server: ClusterServer, session: JanusSession) -> None:
        self.server = server
        self.session = session
        self.control = JanusVideoRoomPlugin()
        self.monitor = JanusVideoRoomPlugin()
        self.receivers = 0
        self.created_room = False
        self.alive = True


class RoomMember:
    """A participant of a `ClusterVideoRoom`, on the server it was placed on.

    Attributes:
        room: The room.
        server: The member's server.
        session: Its session there (the room destroys it at `leave`).
        handle: Its VideoRoom handle, joined as a publisher-type participant:
            ``await member.handle.publish(tracks=[...])`` publishes, and
            ``member.handle.publishers`` / ``member.handle.events(...)`` show
            the room's publishers, those of the other servers included.
        receive: Whether the member receives (its server gets the room's
            publishers).
    """

    def __init__(
        self,
        room: ClusterVideoRoom,
        server: ClusterServer,
        session: JanusSession,
        handle: JanusVideoRoomPlugin,
        receive: bool,
    ) -> None:
        self.room = room
        self.server = server
        self.session = session
        self.handle = handle
        self.receive = receive
        self.subscribers: list[JanusVideoRoomPlugin] = []
        self.left = False

    def __repr__(self) -> str:
        return f"<RoomMember {self.handle.publisher_id} on {self.server.url}>"

    @property
    def publisher_id(self) -> Any:
        """The member's id in the room (the same on every server when it publishes)."""
        return self.handle.publisher_id

    @property
    def publishers(self) -> dict[Any, VideoRoomPublisher]:
        """The room's publishers as this member sees them (other servers' included)."""
        return self.handle.publishers

    async def wait_publisher(self, publisher_id: Any, timeout: float = 10.0) -> VideoRoomPublisher:
        """Wait until the member sees a publisher (of any server) in the room; return it.

        Args:
            publisher_id: The publisher's id.
            timeout: Seconds to wait.

        Raises:
            TimeoutError: It did not appear in time.
            EOFError: The member's handle closed meanwhile.
        """
        found = self.handle.publishers.get(publisher_id)
        if found is not None:
            return found
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        stream = self.handle.events(VideoRoomEvent)
        try:
            while True:
                found = self.handle.publishers.get(publisher_id)
                if found is not None:
                    return found
                left = end - loop.time()
                if left <= 0:
                    raise TimeoutError(f"publisher {publisher_id} not seen within {timeout:g} s")
                with contextlib.suppress(TimeoutError):
                    await stream.get(timeout=left)
        finally:
            await stream.aclose()

    async def subscribe(
        self, streams: Iterable[Mapping[str, Any]], **options: Any
    ) -> JanusVideoRoomPlugin:
        """Subscribe to publishers of the room (any server's), on a new handle.

        Args:
            streams: ``[{"feed": publisher_id}, ...]`` as for
                `JanusVideoRoomPlugin.join_as_subscriber`.
            **options: More arguments of `JanusVideoRoomPlugin.join_as_subscriber`.

        Returns:
            The subscriber handle (closed at `leave`).
        """
        viewer = JanusVideoRoomPlugin()
        await self.session.attach(viewer)
        self.subscribers.append(viewer)
        await viewer.join_as_subscriber(self.room.room_id, streams, **options)
        return viewer

    async def leave(self) -> None:
        """Leave the room: close the subscriptions and the handle, destroy the session.

        Idempotent. When this was the last receiving member of its server, the
        room stops cascading publishers there.
        """
        if self.left:
            return
        self.left = True
        try:
            for viewer in self.subscribers:
                with contextlib.suppress(JanusError):
                    await viewer.destroy()
            with contextlib.suppress(JanusError):
                await self.handle.destroy()
            with contextlib.suppress(JanusError):
                await self.session.destroy()
        finally:
            await self.room._member_left(self)

    async def __aenter__(self) -> RoomMember:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.leave()


class ClusterVideoRoom:
    """One VideoRoom room id on every server a cluster uses for it.

    Made by `JanusCluster.videoroom`. The room is created on a server when its
    first member is placed there (an existing room of that id is used as it
    is).

    Attributes:
        cluster: The cluster.
        room_id: The room id (the same on every server).
        options: What `JanusVideoRoomPlugin.create_room` gets on each server.
    """

    def __init__(self, cluster: JanusCluster, room_id: Any, options: Mapping[str, Any]) -> None:
        self.cluster = cluster
        self.room_id = room_id
        self.options = dict(options)
        self.options.setdefault("publishers", 32)
        self._secret: str | None = self.options.get("secret")
        self._sites: dict[ClusterServer, _Site] = {}
        self._members: set[RoomMember] = set()
        self._origin: dict[Any, _Site] = {}
        self._streams: dict[Any, tuple[Any, ...]] = {}
        self._cascades: dict[tuple[Any, ClusterServer], CascadedPublisher] = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stale: list[tuple[ClusterServer, Any, str]] = []
        self._created_on: set[ClusterServer] = set()
        self._closed = False

    def __repr__(self) -> str:
        return f"<ClusterVideoRoom {self.room_id} on {len(self._sites)} server(s)>"

    # --------------------------------------------------------------- public
    @property
    def servers(self) -> list[ClusterServer]:
        """The servers the room exists on now."""
        return [site.server for site in self._sites.values() if site.alive]

    @property
    def members(self) -> list[RoomMember]:
        """The members that have not left."""
        return list(self._members)

    @property
    def publishers(self) -> dict[Any, str]:
        """Every publisher of the room: id to the URL of its origin server."""
        return {pid: site.server.url for pid, site in self._origin.items()}

    def cascades(self) -> dict[Any, list[str]]:
        """Where each publisher is cascaded: id to the target servers' URLs."""
        found: dict[Any, list[str]] = {}
        for pid, target in self._cascades:
            found.setdefault(pid, []).append(target.url)
        return found

    async def join(
        self,
        display: str | None = None,
        *,
        receive: bool = True,
        key: str | None = None,
        server: str | None = None,
        timeout: float | None = None,
    ) -> RoomMember:
        """Place a new member (a session on the policy's server) and join the room.

        Args:
            display: The member's display name.
            receive: Whether it will receive media: its server then gets every
                publisher of the room (cascaded from the others). A member that
                only publishes passes False.
            key: The placement key (sticky policy); default: the room id.
            server: Put it on this server (a URL given to the cluster) instead.
            timeout: Deadline in seconds for each request.

        Returns:
            The member, joined (``member.handle`` is its VideoRoom handle).
        """
        self._require_open()
        if server is not None:
            place = self.cluster.server(server)
            session = JanusSession(transport=place.transport)
            await session.create(timeout=timeout)
        else:
            session = await self.cluster.session(
                key if key is not None else str(self.room_id), timeout=timeout
            )
            place = self.cluster.server_of(session)
        counted: _Site | None = None
        try:
            async with self._lock:
                site = await self._site(place, timeout)
                if receive:
                    site.receivers += 1
                    counted = site
                    if site.receivers == 1:
                        await self._feed(site)
            handle = JanusVideoRoomPlugin()
            await session.attach(handle)
            await handle.join_as_publisher(self.room_id, display=display, timeout=timeout)
        except BaseException:
            if counted is not None:
                counted.receivers -= 1
            with contextlib.suppress(JanusError):
                await session.destroy()
            raise
        member = RoomMember(self, place, session, handle, receive)
        self._members.add(member)
        return member

    async def close(self) -> None:
        """Stop every cascade, leave the members, destroy what the room created; idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            for member in list(self._members):
                await member.leave()
            for task in list(self._tasks):
                with contextlib.suppress(BaseException):
                    await task
            async with self._lock:
                for pid_target in list(self._cascades):
                    await self._stop(pid_target)
                for site in list(self._sites.values()):
                    await self._close_site(site)
                self._sites.clear()
        finally:
            self.cluster._room_closed(self)

    # ------------------------------------------------------------ internals
    def _require_open(self) -> None:
        if self._closed:
            from ..errors import InvalidStateError

            raise InvalidStateError(f"cluster room {self.room_id} was closed")

    async def _site(self, server: ClusterServer, timeout: float | None) -> _Site:
        site = self._sites.get(server)
        if site is not None and site.alive:
            return site
        session = JanusSession(transport=server.transport)
        await session.create(timeout=timeout)
        site = _Site(server, session)
        try:
            await session.attach(site.control)
            try:
                await site.control.create_room(self.room_id, timeout=timeout, **self.options)
                self._created_on.add(server)
            except VideoRoomError as exc:
                if exc.code != 427:  # 427: it exists already; use it
                    raise
            site.created_room = server in self._created_on
            await session.attach(site.monitor)
            site.monitor.on_event(self._monitor_event(site), VideoRoomEvent)
            await site.monitor.join_as_publisher(
                self.room_id, display=MONITOR_DISPLAY, timeout=timeout
            )
        except BaseException:
            with contextlib.suppress(JanusError):
                await session.destroy()
            raise
        self._sites[server] = site
        for publisher in list(site.monitor.publishers.values()):
            await self._published(site, publisher)
        return site

    def _monitor_event(self, site: _Site) -> Any:
        async def seen(event: JanusEvent) -> None:
            if not isinstance(event, VideoRoomEvent) or self._closed or not site.alive:
                return
            if event.type is VideoRoomEventType.PUBLISHERS:
                async with self._lock:
                    for publisher in event.publishers:
                        await self._published(site, publisher)
            elif event.id is not None and event.type in _GONE:
                async with self._lock:
                    await self._unpublished(site, event.id)

        return seen

    async def _published(self, site: _Site, publisher: VideoRoomPublisher) -> None:
        pid = publisher.id
        origin = self._origin.get(pid)
        if origin is not None and origin is not site:
            return  # our remote copy of another server's publisher
        if not publisher.streams or publisher.dummy:
            return
        known = self._streams.get(pid) if origin is site else None
        self._origin[pid] = site
        self._streams[pid] = publisher.streams
        if known is not None and _changed(known, publisher.streams):
            # New descriptions, a stream disabled or added: tell the remote copies.
            for key, cascade in list(self._cascades.items()):
                if key[0] == pid:
                    try:
                        await cascade.update(publisher.streams)
                    except (JanusError, ValueError, TypeError) as exc:
                        logger.warning(
                            "cluster room %s: updating publisher %s on %s: %s",
                            self.room_id,
                            pid,
                            key[1].url,
                            exc,
                        )
        for target in list(self._sites.values()):
            if target is not site and target.alive and target.receivers > 0:
                await self._cascade(pid, site, target)

    async def _unpublished(self, site: _Site, pid: Any) -> None:
        if self._origin.get(pid) is not site:
            return  # a remote copy went away (we removed it), or unknown
        del self._origin[pid]
        self._streams.pop(pid, None)
        for key in [k for k in self._cascades if k[0] == pid]:
            await self._stop(key)

    async def _feed(self, target: _Site) -> None:
        """A server got its first receiving member: cascade every publisher there."""
        for pid, origin in list(self._origin.items()):
            if origin is not target and origin.alive:
                await self._cascade(pid, origin, target)

    async def _cascade(self, pid: Any, origin: _Site, target: _Site) -> None:
        key = (pid, target.server)
        if key in self._cascades:
            return
        iface, host = _cascade_address(target.server)
        try:
            cascade = await cascade_publisher(
                origin.control,
                target.control,
                self.room_id,
                pid,
                self._streams[pid],
                iface=iface,
                host=host,
                display=origin.monitor.publishers.get(pid, VideoRoomPublisher(id=pid)).display,
                source_secret=self._secret,
                target_secret=self._secret,
            )
        except JanusError as exc:
            logger.warning(
                "cluster room %s: cascading publisher %s from %s to %s failed: %s",
                self.room_id,
                pid,
                origin.server.url,
                target.server.url,
                exc,
            )
            return
        self._cascades[key] = cascade
        logger.debug(
            "cluster room %s: publisher %s cascaded %s -> %s",
            self.room_id,
            pid,
            origin.server.url,
            target.server.url,
        )

    async def _stop(self, key: tuple[Any, ClusterServer]) -> None:
        cascade = self._cascades.pop(key, None)
        if cascade is None:
            return
        try:
            await cascade.stop(timeout=self.cluster.health_timeout)
        except JanusError as exc:  # a dead side: the other side was still undone
            logger.info(
                "cluster room %s: undoing cascade of %s to %s: %s",
                self.room_id,
                key[0],
                key[1].url,
                exc,
            )

    async def _member_left(self, member: RoomMember) -> None:
        self._members.discard(member)
        if not member.receive:
            return
        async with self._lock:
            site = self._sites.get(member.server)
            if site is None or not site.alive:
                return
            site.receivers -= 1
            if site.receivers == 0:
                for key in [k for k in self._cascades if k[1] is site.server]:
                    await self._stop(key)

    async def _close_site(self, site: _Site) -> None:
        site.alive = False
        if site.created_room and site.server.breaker.allows_calls():
            with contextlib.suppress(JanusError):
                await site.control.destroy_room(
                    self.room_id, secret=self._secret, timeout=self.cluster.health_timeout
                )
        with contextlib.suppress(JanusError):
            await site.session.destroy()

    # ------------------------------------------------------------- failures
    def server_changed(self, event: BreakerEvent) -> None:
        """The cluster tells of a breaker change.

        An open breaker drops the server from the room (see the module docstring);
        a breaker that closes again on a server whose members' sessions survived
        (it was frozen or overloaded, not restarted) brings it back: its
        publishers are cascaded again and it receives the others'.
        """
        if self._closed:
            return
        if event.new is BreakerState.OPEN:
            for server, site in list(self._sites.items()):
                if server.url == event.url and site.alive:
                    self._spawn(self._server_lost(site), "lost")
        elif event.new is BreakerState.CLOSED:
            for server in self.cluster.servers:
                if server.url == event.url and server not in self._sites:
                    self._spawn(self._server_back(server), "back")

    def _spawn(self, work: Coroutine[Any, Any, None], what: str) -> None:
        task = asyncio.get_running_loop().create_task(
            work, name=f"janus-cluster-room-{self.room_id}-{what}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _server_back(self, server: ClusterServer) -> None:
        async with self._lock:
            if self._closed or server in self._sites:
                return
            stale = [item for item in self._stale if item[0] is server]
            self._stale = [item for item in self._stale if item[0] is not server]
            alive = [
                m
                for m in self._members
                if m.server is server and m.session.state is SessionState.ACTIVE
            ]
            if not alive:  # restarted: its rooms and sessions are gone; wait for a join
                return
            try:
                site = await self._site(server, None)
            except JanusError as exc:
                logger.warning("cluster room %s: back on %s: %s", self.room_id, server.url, exc)
                return
            for _, pid, remote_id in stale:  # forwarders left there while it was cut off
                with contextlib.suppress(JanusError):
                    await site.control.unpublish_remotely(
                        self.room_id, pid, remote_id, secret=self._secret
                    )
            site.receivers = sum(1 for m in alive if m.receive)
            if site.receivers:
                await self._feed(site)
        logger.info("cluster room %s: %s is back", self.room_id, server.url)

    async def _server_lost(self, site: _Site) -> None:
        async with self._lock:
            if not site.alive:
                return
            site.alive = False
            lost = [pid for pid, origin in self._origin.items() if origin is site]
            for pid in lost:
                del self._origin[pid]
                self._streams.pop(pid, None)
            for key in [k for k in self._cascades if k[0] in lost or k[1] is site.server]:
                if key[0] in lost:  # its origin may still forward: undo that if it returns
                    self._stale.append((site.server, key[0], self._cascades[key].remote_id))
                await self._stop(key)
            del self._sites[site.server]
            with contextlib.suppress(JanusError):
                await site.session.destroy(timeout=self.cluster.health_timeout)
        logger.warning(
            "cluster room %s: %s is down; %d publisher(s) from it removed elsewhere",
            self.room_id,
            site.server.url,
            len(lost),
        )
