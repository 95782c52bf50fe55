"""`JanusCluster`: sessions over several Janus servers, placed by policy.

The cluster keeps one transport per server, shared by every session it places
there; a health loop (one task for all servers) pings each server every
``health_interval`` seconds and feeds its circuit breaker; a request gate per
server bounds requests in flight and per second. See the scaling guide.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..config import Timeouts, resolve_timeout
from ..errors import JanusError, RequestTimeoutError, ServerError, TransportError
from ..session import JanusSession
from .breaker import BreakerEvent, BreakerPolicy, BreakerState
from .errors import NoServerAvailableError
from .limits import RateLimit
from .policies import PlacementPolicy, policy_from_name
from .server import ClusterServer, ServerSpec, ServerStatus

if TYPE_CHECKING:
    from .rooms import ClusterVideoRoom

__all__ = ["JanusCluster"]

logger = logging.getLogger("janus_client")


class JanusCluster:
    """Several Janus servers used as one: placement, health, breakers, limits, rooms.

    Example:
        ```python
        async with JanusCluster([url_a, url_b, url_c], policy="sticky") as cluster:
            async with await cluster.session(key="room-1234") as session:
                handle = await session.attach("janus.plugin.echotest")
        ```

    Args:
        servers: Server URLs or `ServerSpec` objects (at least one; no URL twice).
        policy: ``"least-loaded"`` (default), ``"round-robin"``, ``"sticky"`` or a
            `PlacementPolicy`.
        api_secret: ``apisecret`` for every server.
        token: ``token`` for every server.
        timeouts: Deadlines for every server's transport.
        limits: The default `RateLimit` of each server (a spec's own wins).
        breaker: When breakers open and how long they stay open.
        health_interval: Seconds between health checks of a server; after a
            failure the next check comes after half of it.
        health_timeout: Deadline of one health check (default: half the
            interval, at most ``timeouts.request``).

    Raises:
        ValueError: No servers, a URL twice, a bad interval.
    """

    def __init__(
        self,
        servers: Iterable[str | ServerSpec],
        *,
        policy: str | PlacementPolicy = "least-loaded",
        api_secret: str | None = None,
        token: str | None = None,
        timeouts: Timeouts | None = None,
        limits: RateLimit | None = None,
        breaker: BreakerPolicy | None = None,
        health_interval: float = 5.0,
        health_timeout: float | None = None,
    ) -> None:
        specs = [s if isinstance(s, ServerSpec) else ServerSpec(s) for s in servers]
        if not specs:
            raise ValueError("a cluster needs at least one server")
        urls = [s.url for s in specs]
        if len(set(urls)) != len(urls):
            raise ValueError("the same server URL is given twice")
        self.health_interval = resolve_timeout(health_interval, 5.0)
        request = (timeouts or Timeouts()).request
        default_timeout = min(self.health_interval / 2, request)
        self.health_timeout = resolve_timeout(health_timeout, default_timeout)
        self.policy = policy_from_name(policy)
        self._callbacks: list[Callable[[BreakerEvent], object]] = []
        self._streams: list[asyncio.Queue[BreakerEvent]] = []
        self._wakeup: asyncio.Event | None = None
        # The servers that can take sessions, kept until a breaker or a drain changes.
        self._placeable: tuple[ClusterServer, ...] | None = None
        self._servers = [
            ClusterServer(
                spec,
                api_secret=api_secret,
                token=token,
                timeouts=timeouts,
                limits=limits,
                breaker=breaker,
                on_change=self._breaker_changed,
                wake=self._wake,
                on_placement_change=self._placement_changed,
            )
            for spec in specs
        ]
        self._by_url = {server.spec.url: server for server in self._servers}
        self._health_task: asyncio.Task[None] | None = None
        self._rooms: dict[Any, ClusterVideoRoom] = {}
        self._closed = False

    def __repr__(self) -> str:
        states = ", ".join(f"{s.url} {s.breaker.state.value}" for s in self._servers)
        return f"<JanusCluster {self.policy.name}: {states}>"

    # ------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> JanusCluster:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self, *, check: bool = True) -> None:
        """Start the health loop (idempotent); with ``check``, run one round first.

        Raises:
            InvalidStateError: The cluster was closed.
        """
        if self._closed:
            from ..errors import InvalidStateError

            raise InvalidStateError("the cluster was closed")
        if self._health_task is not None:
            return
        self._wakeup = asyncio.Event()
        if check:
            await self.check_now()
        self._health_task = asyncio.get_running_loop().create_task(
            self._health_loop(), name="janus-cluster-health"
        )

    async def close(self) -> None:
        """Close rooms, stop the health loop, close every server's transport; idempotent.

        Sessions still open on the transports are marked lost.
        """
        if self._closed:
            return
        self._closed = True
        try:
            for room in list(self._rooms.values()):
                with contextlib.suppress(JanusError):
                    await room.close()
        finally:
            task, self._health_task = self._health_task, None
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for server in self._servers:
                await server.close()
            for queue in self._streams:
                queue.put_nowait(_END)

    @property
    def closed(self) -> bool:
        """Whether `close` was called."""
        return self._closed

    # -------------------------------------------------------------- servers
    @property
    def servers(self) -> list[ClusterServer]:
        """The servers, in the order given."""
        return list(self._servers)

    def server(self, url: str) -> ClusterServer:
        """Return the server of ``url`` (as given to the constructor).

        Raises:
            KeyError: Not a server of this cluster.
        """
        try:
            return self._by_url[url]
        except KeyError:
            raise KeyError(f"{url!r} is not a server of this cluster") from None

    def server_of(self, session: JanusSession) -> ClusterServer:
        """Return the server a session of this cluster lives on.

        Raises:
            KeyError: The session does not use one of the cluster's transports.
        """
        for server in self._servers:
            if session.transport is server.transport:
                return server
        raise KeyError("this session does not belong to the cluster")

    def drain(self, url: str) -> None:
        """Place no new sessions on ``url``; its sessions stay (see `undrain`)."""
        self.server(url).draining = True
        logger.info("cluster: draining %s", self.server(url).url)

    def undrain(self, url: str) -> None:
        """Place new sessions on ``url`` again."""
        self.server(url).draining = False

    def status(self) -> list[ServerStatus]:
        """A snapshot of every server (see `ServerStatus`)."""
        return [server.status() for server in self._servers]

    # ------------------------------------------------------------ placement
    def candidates(self, key: str | None = None) -> list[ClusterServer]:
        """The servers that may take a new session, in the policy's order.

        Args:
            key: The placement key (for the sticky policy).
        """
        open_ = [server for server in self._servers if server.can_place()]
        return self.policy.rank(open_, key) if open_ else []

    async def session(
        self, key: str | None = None, *, timeout: float | None = None
    ) -> JanusSession:
        """Create a session on the server the policy picks; return it created.

        If that server fails (it cannot be reached, or refuses), the policy
        ranks the servers not tried yet and the first of them is tried, and so
        on. The session shares the server's transport: destroy it (``async
        with``) when done; the cluster does not.

        Args:
            key: The placement key: with the sticky policy, every session with
                the same key goes to the same server.
            timeout: Deadline in seconds for each ``create`` attempt.

        Raises:
            NoServerAvailableError: No server can take it.
            UnauthorizedError: A server refused the credentials (not retried
                elsewhere: the others would refuse too).
        """
        if key is not None and not isinstance(key, str):
            raise TypeError(f"key must be a string or None, got {type(key).__name__}")
        if self._closed:
            self._require_open()
        servers: Sequence[ClusterServer] | None = self._placeable
        if servers is None:
            servers = self._placeable = tuple(s for s in self._servers if s.can_place())
        if not servers:
            raise NoServerAvailableError(self._nothing_available([]))
        server = self.policy.pick(servers, key)
        tried: list[str] = []
        while True:
            session = JanusSession(transport=server.transport)
            server.pending += 1
            try:
                await session.create(timeout=timeout)
            except (TransportError, RequestTimeoutError, ServerError) as exc:
                if isinstance(exc, ServerError) and exc.code in (403, 405):
                    raise
                tried.append(f"{server.url}: {exc}")
                logger.info("cluster: placing on %s failed (%s); trying the next", server.url, exc)
            else:
                return session
            finally:
                server.pending -= 1
            # Only after a failure: the policy's order of the servers not tried yet.
            failed = server
            servers = [s for s in servers if s is not failed]
            if not servers:
                raise NoServerAvailableError(self._nothing_available(tried))
            server = self.policy.rank(servers, key)[0]

    def _nothing_available(self, tried: list[str]) -> str:
        states = "; ".join(
            f"{s.url} {'draining' if s.draining else s.breaker.state.value}" for s in self._servers
        )
        detail = f" (tried: {'; '.join(tried)})" if tried else ""
        return f"no server can take a new session: {states}{detail}"

    def _require_open(self) -> None:
        if self._closed:
            from ..errors import InvalidStateError

            raise InvalidStateError("the cluster was closed")

    # --------------------------------------------------------------- health
    async def check_now(self) -> list[bool]:
        """Run one health check of every server now; return which answered."""
        for server in self._servers:
            server.breaker.poll()
        return list(await asyncio.gather(*(s.check(self.health_timeout) for s in self._servers)))

    def _wake(self) -> None:
        if self._wakeup is not None:
            self._wakeup.set()

    async def _health_loop(self) -> None:
        loop = asyncio.get_running_loop()
        due = {server: loop.time() + self.health_interval for server in self._servers}
        wakeup = self._wakeup
        assert wakeup is not None
        while True:
            now = loop.time()
            ready = [server for server, at in due.items() if at <= now]
            if ready:
                for server in ready:
                    server.breaker.poll()
                try:
                    results = await asyncio.gather(*(s.check(self.health_timeout) for s in ready))
                except Exception:  # a bug must not end the health checks
                    logger.exception("cluster: health check failed unexpectedly")
                    results = [False] * len(ready)
                now = loop.time()
                for server, ok in zip(ready, results, strict=True):
                    if ok:
                        due[server] = now + self.health_interval
                    elif server.breaker.state is BreakerState.OPEN:
                        retry = server.breaker.retry_at
                        due[server] = now + max(
                            (retry - now) if retry is not None else 0.0, self.health_interval / 2
                        )
                    else:
                        due[server] = now + self.health_interval / 2
            wait = max(min(due.values()) - loop.time(), 0.0)
            wakeup.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(wakeup.wait(), wait)
            if wakeup.is_set():  # a connection dropped: check the failing ones now
                for server in self._servers:
                    if server.breaker.failures:
                        due[server] = min(due[server], loop.time())

    # --------------------------------------------------------------- events
    def on_event(self, callback: Callable[[BreakerEvent], object]) -> None:
        """Call ``callback(event)`` (synchronously) for each `BreakerEvent`."""
        if not callable(callback):
            raise TypeError(f"callback must be callable, got {callback!r}")
        self._callbacks.append(callback)

    async def events(self) -> AsyncIterator[BreakerEvent]:
        """Iterate over breaker changes from now on, until the cluster closes."""
        queue: asyncio.Queue[BreakerEvent] = asyncio.Queue()
        self._streams.append(queue)
        try:
            while True:
                event = await queue.get()
                if event is _END:
                    return
                yield event
        finally:
            self._streams.remove(queue)

    def _placement_changed(self) -> None:
        self._placeable = None

    def _breaker_changed(self, event: BreakerEvent) -> None:
        self._placeable = None
        for queue in self._streams:
            queue.put_nowait(event)
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:
                logger.exception("cluster: event callback %r raised", callback)
        for room in list(self._rooms.values()):
            room.server_changed(event)

    # ---------------------------------------------------------------- rooms
    async def videoroom(self, room_id: int | str, **room_options: Any) -> ClusterVideoRoom:
        """Return the room ``room_id`` spanning the cluster's servers (made on first use).

        The room is created on each server when the first participant is placed
        there; publishers are cascaded to the servers where participants
        receive (see `ClusterVideoRoom`).

        Args:
            room_id: The room id, the same on every server.
            **room_options: Passed to `JanusVideoRoomPlugin.create_room` on each
                server (``description``, ``secret``, ``publishers``, ...).
        """
        self._require_open()
        room = self._rooms.get(room_id)
        if room is None:
            from .rooms import ClusterVideoRoom

            room = self._rooms[room_id] = ClusterVideoRoom(self, room_id, room_options)
        return room

    def _room_closed(self, room: ClusterVideoRoom) -> None:
        if self._rooms.get(room.room_id) is room:
            del self._rooms[room.room_id]


_END: Any = object()
