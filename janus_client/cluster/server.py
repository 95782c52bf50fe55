"""One server of a cluster: its shared transport, breaker, request gate and load.

`ClusterServer` objects are made by `JanusCluster`; user code reads them
(`JanusCluster.servers`, `JanusCluster.status`) and rarely calls them. Every
request to the server, from any session or handle on its shared transport,
passes the server's guard: a breaker that is open fails it fast
(`CircuitOpenError`), the `RequestGate` makes it wait its turn within its
deadline, and a transport failure or a request without an answer counts
against the breaker.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Coroutine, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from .. import instrument as _instrument
from ..admin import JanusAdminMonitorClient
from ..config import Timeouts, resolve_timeout
from ..errors import JanusError, RequestTimeoutError, ServerError, TransportError
from ..events import ConnectionState, ConnectionStateEvent
from ..protocol import Incoming, url_without_password
from ..session import JanusSession
from ..transports import JanusTransport
from ..transports.core import TransportCore
from .breaker import BreakerEvent, BreakerPolicy, BreakerState, CircuitBreaker
from .errors import CircuitOpenError
from .limits import RateLimit, RequestGate

__all__ = ["ClusterServer", "GuardedTransport", "ServerSpec", "ServerStatus"]

logger = logging.getLogger("janus_client")

# Set while the cluster's own health check runs: it passes an open breaker
# (it is the trial) and the gate (a busy server must still answer its ping).
_probing: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "janus_cluster_probe", default=False
)


@dataclass(frozen=True)
class ServerSpec:
    """One server of a cluster, with its own settings.

    A plain URL string in `JanusCluster` means ``ServerSpec(url)``.

    Attributes:
        url: The Janus API URL; its scheme picks the transport (``ws://``,
            ``http://``, ``unix://``, ``mqtt://``, ...).
        weight: Its share of new sessions relative to the others (positive).
        limits: Its `RateLimit` (default: the cluster's).
        admin_url: Its Admin API URL: the health check then also counts the
            sessions other clients have there (``list_sessions``), for
            least-loaded placement.
        admin_secret: The Admin API secret (not shown by repr).
        transport_options: Extra arguments for the transport class (for example
            ``{"reconnect": ReconnectPolicy()}``).
        load_source: A function returning how many sessions the server has
            (every client's), asked at each health check: for example
            ``lambda: len(view.sessions)`` for a `janus_client.observe.LiveView`
            fed by the event receiver. Like ``admin_url``, it makes
            least-loaded placement count other clients' sessions.
        cascade_address: The address of this server that the others send
            cascaded RTP to (its remote publishers' sockets bind to it); default:
            the URL's host.
    """

    url: str
    weight: float = 1.0
    limits: RateLimit | None = None
    admin_url: str | None = None
    admin_secret: str | None = field(default=None, repr=False)
    transport_options: Mapping[str, Any] = field(default_factory=dict)
    load_source: Callable[[], int] | None = field(default=None, compare=False)
    cascade_address: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.url, str) or not self.url:
            raise ValueError(f"url must be a non-empty string, got {self.url!r}")
        weight = self.weight
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight > 0:
            raise ValueError(f"weight must be a positive number, got {weight!r}")
        if self.limits is not None and not isinstance(self.limits, RateLimit):
            raise TypeError(f"limits must be a RateLimit, got {type(self.limits).__name__}")
        if self.admin_url is not None and self.admin_secret is None:
            raise ValueError("admin_url needs admin_secret")
        if self.load_source is not None and not callable(self.load_source):
            raise TypeError("load_source must be callable")


@dataclass(frozen=True)
class ServerStatus:
    """A snapshot of one server, as `JanusCluster.status` reports it.

    Attributes:
        url: The server (password masked).
        state: Its breaker's state.
        draining: Whether it takes no new sessions (`JanusCluster.drain`).
        weight: Its weight.
        sessions: Sessions of this client on it now.
        load: What least-loaded placement compares (``sessions`` plus
            placements under way, or the Admin API's count when configured).
        in_flight: Requests awaiting their reply now.
        peak_in_flight: The most requests ever in flight at once.
        waiting: Requests waiting for a slot or a token.
        failures: Failures in a row.
        latency: Seconds of the last successful health check, or None.
        last_error: The last failure, or None.
    """

    url: str
    state: BreakerState
    draining: bool
    weight: float
    sessions: int
    load: int
    in_flight: int
    peak_in_flight: int
    waiting: int
    failures: int
    latency: float | None
    last_error: str | None

    def to_json(self) -> dict[str, Any]:
        """The status as a JSON-ready dict (what ``cluster status --json`` prints)."""
        return {
            "url": self.url,
            "state": self.state.value,
            "draining": self.draining,
            "weight": self.weight,
            "sessions": self.sessions,
            "load": self.load,
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
            "waiting": self.waiting,
            "failures": self.failures,
            "latency_ms": None if self.latency is None else round(self.latency * 1000, 3),
            "last_error": self.last_error,
        }


class GuardedTransport(JanusTransport):
    """Mix-in over a transport class: every request passes its server's guard.

    The cluster makes one subclass per transport class (``GuardedTransport``
    first in the bases) and sets `cluster_server` on each instance. Without a
    server it behaves exactly as the transport class.
    """

    cluster_server: ClusterServer | None = None

    async def request(
        self,
        message: dict[str, Any],
        *,
        owner: Hashable = None,
        wait_event: bool = False,
        timeout: float | None = None,
        on_late_reply: Callable[[Incoming], object] | None = None,
    ) -> Incoming:
        """Send a request through the server's breaker and gate (see `JanusTransport.request`).

        Raises:
            CircuitOpenError: The server's breaker is open (nothing was sent).
            RequestTimeoutError: No slot or token in time, or no reply in time.
        """
        server = self.cluster_server
        if (
            server is None
            or server._gated
            or server.breaker._state is not BreakerState.CLOSED
            or self._slots is not None
            or _instrument._hook is not None
        ):
            return await self._guarded_request(
                server, message, owner, wait_event, timeout, on_late_reply
            )
        # The usual case, kept lean: breaker closed, no rate limit, and nothing
        # for `TransportCore.request` to do but await `_request`, so this
        # coroutine takes the place of its (a cluster's request costs no
        # coroutine more than a direct one). The health check (``_probing``)
        # feeds the breaker itself: it is asked only when there is something to
        # record.
        breaker = server.breaker
        try:
            reply = await self._request(message, owner, wait_event, timeout, on_late_reply)
        except (TransportError, RequestTimeoutError) as exc:
            if not _probing.get():
                server.failed(str(message.get("janus", "?")), exc)
            raise
        except ServerError:
            if breaker._failures and not _probing.get():
                breaker.record_success()
            raise
        if breaker._failures and not _probing.get():
            breaker.record_success()
        return reply

    async def _request_past_override(self, message: dict[str, Any], **options: Any) -> Incoming:
        """`request` of a guarded transport class that has a `request` of its own.

        The lean path of `request` stands in for `TransportCore.request`; a class
        that overrides it gets this instead (see `_guarded_class`): always the
        guarded path, which calls the class's own `request`. ``options`` are
        `request`'s keyword arguments.
        """
        unknown = options.keys() - _REQUEST_OPTIONS
        if unknown:
            raise TypeError(f"request() got unexpected keyword arguments {sorted(unknown)}")
        return await self._guarded_request(
            self.cluster_server,
            message,
            options.get("owner"),
            options.get("wait_event", False),
            options.get("timeout"),
            options.get("on_late_reply"),
        )

    def _unguarded(
        self,
        message: dict[str, Any],
        owner: Hashable,
        wait_event: bool,
        timeout: float | None,
        on_late_reply: Callable[[Incoming], object] | None,
    ) -> Coroutine[Any, Any, Incoming]:
        """The transport class's own `request` (its coroutine: no extra frame when awaited)."""
        return super().request(
            message,
            owner=owner,
            wait_event=wait_event,
            timeout=timeout,
            on_late_reply=on_late_reply,
        )

    @property
    def session_count(self) -> int:
        """How many sessions live on this transport now (no copy, unlike ``sessions``)."""
        return len(self._sessions)

    async def _guarded_request(
        self,
        server: ClusterServer | None,
        message: dict[str, Any],
        owner: Hashable,
        wait_event: bool,
        timeout: float | None,
        on_late_reply: Callable[[Incoming], object] | None,
    ) -> Incoming:
        """`request` through the breaker (any state) and the gate (when set)."""
        if server is None or _probing.get():  # the health check: past breaker and gate
            return await self._unguarded(message, owner, wait_event, timeout, on_late_reply)
        verb = str(message.get("janus", "?"))
        gate = server.admit(verb)
        if gate is not None:
            limit = resolve_timeout(timeout, self.timeouts.request)
            loop = asyncio.get_running_loop()
            start = loop.time()
            await gate.acquire(limit, verb=verb)
            timeout = max(limit - (loop.time() - start), 0.001)
        try:
            reply = await self._unguarded(message, owner, wait_event, timeout, on_late_reply)
        except (TransportError, RequestTimeoutError) as exc:
            server.failed(verb, exc)
            raise
        except ServerError:
            server.answered()
            raise
        finally:
            if gate is not None:
                gate.release()
        server.answered()
        return reply


_REQUEST_OPTIONS = frozenset({"owner", "wait_event", "timeout", "on_late_reply"})
_GUARDED: dict[type[JanusTransport], type[GuardedTransport]] = {}


def _guarded_class(cls: type[JanusTransport]) -> type[GuardedTransport]:
    made = _GUARDED.get(cls)
    if made is None:
        namespace: dict[str, Any] = {"__module__": __name__}
        if cls.request is not TransportCore.request:  # the lean path would skip it
            namespace["request"] = GuardedTransport._request_past_override
        made = cast(
            "type[GuardedTransport]",
            type(f"Guarded{cls.__name__}", (GuardedTransport, cls), namespace),
        )
        _GUARDED[cls] = made
    return made


def guarded_transport(
    url: str,
    api_secret: str | None,
    token: str | None,
    timeouts: Timeouts | None,
    options: Mapping[str, Any],
) -> GuardedTransport:
    """Make the transport for ``url`` (the class its scheme picks), guarded.

    Constructing a transport opens nothing, so the class is found by making
    one with `JanusTransport.create_transport` and discarding it.
    """
    kwargs = dict(options)
    if timeouts is not None:
        kwargs["timeouts"] = timeouts
    plain = JanusTransport.create_transport(url, api_secret, token, **kwargs)
    cls = _guarded_class(type(plain))
    return cls(base_url=url, api_secret=api_secret, token=token, **kwargs)


class ClusterServer:
    """One server of a `JanusCluster` (made by the cluster).

    Attributes:
        spec: What the cluster was given for it.
        url: The server's URL (password masked).
        transport: The one transport all of the cluster's sessions on it share.
        breaker: Its `CircuitBreaker`.
        gate: Its `RequestGate`.
        weight: Its weight (``spec.weight``).
        pending: Placements under way (sessions being created).
        latency: Seconds of the last successful health check.
    """

    def __init__(
        self,
        spec: ServerSpec,
        *,
        api_secret: str | None,
        token: str | None,
        timeouts: Timeouts | None,
        limits: RateLimit | None,
        breaker: BreakerPolicy | None,
        on_change: Callable[[BreakerEvent], None],
        wake: Callable[[], None],
        on_placement_change: Callable[[], None] | None = None,
    ) -> None:
        self.spec = spec
        self.weight = float(spec.weight)
        self.url = url_without_password(spec.url)
        self.transport = guarded_transport(
            spec.url, api_secret, token, timeouts, spec.transport_options
        )
        self.transport.cluster_server = self
        self.breaker = CircuitBreaker(self.url, breaker, on_change=on_change)
        self.gate = RequestGate(spec.limits or limits, name=self.url)
        self._gated = self.gate.limit != RateLimit()
        self._draining = False
        self._placement_changed = on_placement_change
        self.pending = 0
        self.latency: float | None = None
        self._admin_sessions: int | None = None
        self._live_at_admin = 0
        self._wake = wake
        self._probe = JanusSession(transport=self.transport)
        self._admin = (
            JanusAdminMonitorClient(spec.admin_url, spec.admin_secret)
            if spec.admin_url is not None and spec.admin_secret is not None
            else None
        )
        self.transport.on_state_change(self._connection_changed)

    def __repr__(self) -> str:
        return f"<ClusterServer {self.url} {self.breaker.state.value} load={self.load}>"

    # ------------------------------------------------------------ placement
    @property
    def draining(self) -> bool:
        """Whether it takes no new sessions (`JanusCluster.drain`); settable."""
        return self._draining

    @draining.setter
    def draining(self, value: bool) -> None:
        self._draining = bool(value)
        if self._placement_changed is not None:
            self._placement_changed()

    @property
    def sessions(self) -> int:
        """Sessions of this client on the server now."""
        return self.transport.session_count

    @property
    def load(self) -> int:
        """What least-loaded placement compares (see `ServerStatus.load`)."""
        # The transport's own table, not `session_count`: one call less per placement.
        own = len(self.transport._sessions) + self.pending
        if self._admin_sessions is None:
            return own
        return max(own, self._admin_sessions + own - self._live_at_admin)

    def can_place(self) -> bool:
        """Whether new sessions may go here (breaker closed, not draining)."""
        return not self.draining and self.breaker.allows_placement()

    # --------------------------------------------------------------- guard
    def admit(self, verb: str) -> RequestGate | None:
        """Check the breaker before a request; return the gate to pass, if any.

        Raises:
            CircuitOpenError: The breaker is open.
        """
        breaker = self.breaker
        if breaker.state is not BreakerState.CLOSED and not breaker.allows_calls():
            raise CircuitOpenError(
                f"{verb!r} to {self.url} not sent: its circuit breaker is open "
                f"({breaker.last_error}); the cluster probes it again later",
                url=self.url,
            )
        return self.gate if self._gated else None

    def failed(self, verb: str, exc: BaseException) -> None:
        """A request got no answer (transport error or timeout): tell the breaker."""
        if verb != "keepalive":  # a dying line fails every keepalive: count it once
            self.breaker.record_failure(f"{verb}: {exc}")

    def answered(self) -> None:
        """A request was answered (an error reply counts too: the server is up)."""
        if self.breaker.failures:
            self.breaker.record_success()

    def _connection_changed(self, event: ConnectionStateEvent) -> None:
        if event.state in (ConnectionState.DISCONNECTED, ConnectionState.LOST):
            if event.state is ConnectionState.DISCONNECTED:
                self.breaker.record_failure(f"connection lost: {event.error}")
            self._wake()

    # -------------------------------------------------------------- health
    async def check(self, timeout: float) -> bool:
        """One health check: ``ping`` (and the Admin API's session count when configured).

        The result feeds the breaker; this never raises for a server that is down.

        Returns:
            Whether the server answered in time.
        """
        token = _probing.set(True)
        try:
            self.latency = await asyncio.wait_for(self._probe.ping(timeout=timeout), timeout)
            if self._admin is not None:
                ids = await asyncio.wait_for(self._admin.list_sessions(timeout=timeout), timeout)
                self._external(len(ids))
            elif self.spec.load_source is not None:
                try:
                    count = int(self.spec.load_source())
                except Exception:
                    logger.exception("cluster: load_source of %s raised", self.url)
                else:
                    self._external(count)
        except (JanusError, OSError, asyncio.TimeoutError) as exc:
            self.breaker.record_failure(f"health check: {type(exc).__name__}: {exc}")
            return False
        finally:
            _probing.reset(token)
        self.breaker.record_success()
        return True

    def _external(self, count: int) -> None:
        """Every client's sessions on the server, counted elsewhere (admin API, events)."""
        self._admin_sessions = count
        self._live_at_admin = self.sessions

    def status(self) -> ServerStatus:
        """A snapshot of the server (see `ServerStatus`)."""
        self.breaker.poll()
        return ServerStatus(
            url=self.url,
            state=self.breaker.state,
            draining=self.draining,
            weight=self.weight,
            sessions=self.sessions,
            load=self.load,
            in_flight=self.gate.in_flight if self._gated else self.transport.pending_count,
            peak_in_flight=self.gate.peak_in_flight,
            waiting=self.gate.waiting,
            failures=self.breaker.failures,
            latency=self.latency,
            last_error=self.breaker.last_error,
        )

    async def close(self) -> None:
        """Close the server's transport (and admin connection); idempotent."""
        try:
            if self._admin is not None:
                await self._admin.close()
        finally:
            await self.transport.close()
