"""The cluster client without a real Janus: placement, breakers, rate limits, fakes."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest

from janus_client import JanusError, JanusSession, JanusTransport, RequestTimeoutError
from janus_client.cluster import (
    BreakerEvent,
    BreakerPolicy,
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    JanusCluster,
    LeastLoaded,
    NoServerAvailableError,
    RateLimit,
    RequestGate,
    RoundRobin,
    ServerSpec,
    Sticky,
    policy_from_name,
    rendezvous_rank,
)
from janus_client.testing import FakeJanus


@dataclass
class Srv:
    url: str
    weight: float = 1.0
    load: int = 0


THREE = [Srv("ws://127.0.0.1:1"), Srv("ws://127.0.0.1:2"), Srv("ws://127.0.0.1:3")]
KEYS = [f"room-{i}" for i in range(1000)]


# ------------------------------------------------------------------ placement
def test_sticky_spreads_1000_keys_within_10_percent() -> None:
    sticky = Sticky()
    counts = Counter(sticky.rank(THREE, key)[0].url for key in KEYS)
    even = len(KEYS) / 3
    assert set(counts) == {s.url for s in THREE}
    for url, count in counts.items():
        assert abs(count - even) <= 0.1 * even, (url, counts)
    # The same key always lands on the same server, whatever the list order.
    assert all(
        sticky.rank(THREE, k)[0].url == sticky.rank(THREE[::-1], k)[0].url for k in KEYS[:100]
    )


def test_removing_a_server_moves_only_its_keys() -> None:
    before = {key: rendezvous_rank(key, THREE)[0].url for key in KEYS}
    gone = THREE[1]
    survivors = [s for s in THREE if s is not gone]
    after = {key: rendezvous_rank(key, survivors)[0].url for key in KEYS}
    moved = {key for key in KEYS if before[key] != after[key]}
    assert moved == {key for key in KEYS if before[key] == gone.url}
    assert moved  # the removed server had keys
    # Its keys go to their second choice, spread over both survivors.
    assert len({after[key] for key in moved}) == 2


def test_weights_shift_the_share() -> None:
    heavy = [Srv("a", 2.0), Srv("b"), Srv("c")]
    counts = Counter(rendezvous_rank(key, heavy)[0].url for key in KEYS)
    assert counts["a"] > 1.6 * counts["b"] and counts["a"] > 1.6 * counts["c"], counts
    rr = RoundRobin()
    turns = [rr.rank(heavy)[0].url for _ in range(8)]
    assert Counter(turns) == {"a": 4, "b": 2, "c": 2}
    assert turns[:4] != ["a", "a", "b", "c"]  # smooth: the heavy server's turns spread out


def test_least_loaded_prefers_load_per_weight_and_rotates_ties() -> None:
    policy = LeastLoaded()
    servers = [Srv("a", load=5), Srv("b", load=1), Srv("c", 4.0, load=8)]
    assert [s.url for s in policy.rank(servers)] == ["b", "c", "a"]
    idle = [Srv("a"), Srv("b"), Srv("c")]
    firsts = {policy.rank(idle)[0].url for _ in range(3)}
    assert firsts == {"a", "b", "c"}


def test_pick_is_the_first_of_rank() -> None:
    # `pick` (one pass, what every placement uses) agrees with `rank(...)[0]`,
    # turn by turn for the policies that keep a turn.
    servers = [Srv("a", load=2), Srv("b", 2.0, load=4), Srv("c", load=2), Srv("d", 0.5, load=1)]
    for make in (LeastLoaded, RoundRobin):
        by_rank, by_pick = make(), make()
        for step in range(12):
            group = servers if step % 4 else servers[:3]  # a server leaves and comes back
            assert by_pick.pick(group).url == by_rank.rank(group)[0].url, (make, step)
    sticky = Sticky()
    for key in KEYS[:200]:
        assert sticky.pick(THREE, key) is rendezvous_rank(key, THREE)[0]
    idle = [Srv("a"), Srv("b"), Srv("c")]
    assert {LeastLoaded().pick(idle).url} == {"b"}
    policy = LeastLoaded()
    assert [policy.pick(idle).url for _ in range(3)] == ["b", "c", "a"]  # ties rotate


def test_policy_names() -> None:
    assert isinstance(policy_from_name("round_robin"), RoundRobin)
    assert isinstance(policy_from_name("STICKY"), Sticky)
    with pytest.raises(ValueError, match="unknown placement policy"):
        policy_from_name("random")
    with pytest.raises(TypeError):
        policy_from_name(3)  # type: ignore[arg-type]
    assert Sticky().rank(THREE, None)  # no key: the fallback places it


# -------------------------------------------------------------------- breaker
def test_breaker_opens_half_opens_and_closes() -> None:
    now = [0.0]
    events: list[BreakerEvent] = []
    breaker = CircuitBreaker(
        "ws://x",
        BreakerPolicy(failure_threshold=3, reset_timeout=1.0, max_reset_timeout=3.0),
        on_change=events.append,
        clock=lambda: now[0],
    )
    breaker.record_failure("one")
    breaker.record_success()  # a success resets the count
    breaker.record_failure("one")
    breaker.record_failure("two")
    assert breaker.state is BreakerState.CLOSED and breaker.allows_placement()
    breaker.record_failure("three")
    assert breaker.state is BreakerState.OPEN and not breaker.allows_calls()
    now[0] = 0.99
    assert breaker.poll() is BreakerState.OPEN
    now[0] = 1.0
    assert breaker.poll() is BreakerState.HALF_OPEN
    assert breaker.allows_calls() and not breaker.allows_placement()
    breaker.record_failure("trial failed")  # back to open, twice the wait
    assert breaker.state is BreakerState.OPEN and breaker.retry_at == 3.0
    now[0] = 3.0
    breaker.poll()
    breaker.record_failure("again")
    assert breaker.retry_at == 6.0  # capped at max_reset_timeout (3 s)
    now[0] = 6.0
    breaker.poll()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED and breaker.failures == 0
    assert [(e.old.value, e.new.value) for e in events] == [
        ("closed", "open"),
        ("open", "half-open"),
        ("half-open", "open"),
        ("open", "half-open"),
        ("half-open", "open"),
        ("open", "half-open"),
        ("half-open", "closed"),
    ]
    assert events[0].reason == "three" and events[0].failures == 3


def test_breaker_policy_checks() -> None:
    with pytest.raises(ValueError, match="failure_threshold"):
        BreakerPolicy(failure_threshold=0)
    with pytest.raises(ValueError, match="max_reset_timeout"):
        BreakerPolicy(reset_timeout=5, max_reset_timeout=1)
    with pytest.raises(ValueError, match="rate"):
        RateLimit(rate=0)
    with pytest.raises(ValueError, match="max_in_flight"):
        RateLimit(max_in_flight=0)
    with pytest.raises(ValueError, match="burst needs a rate"):
        RateLimit(burst=3)
    with pytest.raises(ValueError, match="weight"):
        ServerSpec("ws://x", weight=0)
    with pytest.raises(ValueError, match="twice"):
        JanusCluster(["ws://x", "ws://x"])
    with pytest.raises(ValueError, match="at least one"):
        JanusCluster([])


# ---------------------------------------------------------------- rate limits
async def test_gate_bounds_in_flight_and_is_fifo() -> None:
    gate = RequestGate(RateLimit(max_in_flight=3))
    inside = 0
    peak = 0
    order: list[int] = []

    async def one(i: int) -> None:
        nonlocal inside, peak
        await gate.acquire(5.0)
        inside += 1
        peak = max(peak, inside)
        order.append(i)
        await asyncio.sleep(0.001)
        inside -= 1
        gate.release()

    await asyncio.gather(*(one(i) for i in range(50)))
    assert peak == 3 and gate.peak_in_flight == 3
    assert order == list(range(50))
    assert gate.in_flight == 0 and gate.waiting == 0


async def test_gate_respects_the_deadline() -> None:
    gate = RequestGate(RateLimit(max_in_flight=1), name="ws://x")
    await gate.acquire(1.0)
    with pytest.raises(RequestTimeoutError, match="no free request slot"):
        await gate.acquire(0.05, verb="create")
    gate.release()
    await gate.acquire(0.05)  # the expired waiter does not hold the line
    gate.release()
    bucket = RequestGate(RateLimit(rate=10, burst=2))
    await bucket.acquire(0.01)
    await bucket.acquire(0.01)
    bucket.release()
    bucket.release()
    with pytest.raises(RequestTimeoutError, match="no request token"):
        await bucket.acquire(0.01)  # the next token is due in 0.1 s
    await bucket.acquire(1.0)  # waits for it
    bucket.release()


async def test_cancelled_waiter_passes_its_slot_on() -> None:
    gate = RequestGate(RateLimit(max_in_flight=1))
    await gate.acquire(1.0)
    waiting = asyncio.ensure_future(gate.acquire(5.0))
    await asyncio.sleep(0)
    gate.release()  # hands the slot to the waiter ...
    waiting.cancel()  # ... which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await gate.acquire(0.05)  # the slot was released again
    gate.release()
    assert gate.in_flight == 0


# ------------------------------------------------------- cluster over fakes
async def test_cluster_places_fails_over_and_fails_fast() -> None:
    async with FakeJanus() as a, FakeJanus() as b, FakeJanus() as c:
        events: list[BreakerEvent] = []
        a_url, b_url, c_url = a.ws_url, b.ws_url, c.ws_url
        cluster = JanusCluster(
            [a_url, b_url, c_url],
            policy="round-robin",
            health_interval=2.0,  # the drop of c, not a timer, opens its breaker
            breaker=BreakerPolicy(failure_threshold=1, reset_timeout=0.2),
        )
        cluster.on_event(events.append)
        async with cluster:
            sessions = [await cluster.session() for _ in range(6)]
            placed = Counter(cluster.server_of(s).url for s in sessions)
            assert sorted(placed.values()) == [2, 2, 2]
            assert [st.sessions for st in cluster.status()] == [2, 2, 2]
            # Draining: no new sessions there, the old ones stay.
            cluster.drain(b_url)
            more = [await cluster.session() for _ in range(4)]
            assert b_url not in {cluster.server_of(s).url for s in more}
            assert cluster.status()[1].sessions == 2 and cluster.status()[1].draining
            cluster.undrain(b_url)
            # c goes away: its breaker opens, calls to it fail fast, placement skips it.
            await c.stop()
            lost = next(s for s in sessions if cluster.server_of(s).url == c_url)
            for _ in range(100):
                if cluster.server(c_url).breaker.state is BreakerState.OPEN:
                    break
                await asyncio.sleep(0.02)
            assert cluster.server(c_url).breaker.state is BreakerState.OPEN
            with pytest.raises(CircuitOpenError, match="circuit breaker is open") as caught:
                await cluster.server(c_url).transport.info()
            assert isinstance(caught.value, JanusError) and caught.value.url
            assert lost.closed or lost.state.value in ("lost", "closed")
            later = [await cluster.session() for _ in range(4)]
            assert c_url not in {cluster.server_of(s).url for s in later}
            assert any(e.new is BreakerState.OPEN and e.url == c_url for e in events)
            status = {st.url: st.to_json() for st in cluster.status()}
            assert status[c_url]["state"] == "open" and status[c_url]["last_error"]
            for session in sessions + more + later:
                await session.destroy()
            # Every server unavailable: a typed error that names them.
            for url in (a_url, b_url):
                cluster.drain(url)
            with pytest.raises(NoServerAvailableError, match="draining"):
                await cluster.session()


async def test_rate_limit_at_the_transport() -> None:
    async with FakeJanus() as fake:
        fake.delay("create", 0.02)
        async with JanusCluster(
            [fake.ws_url], limits=RateLimit(max_in_flight=5), health_interval=5
        ) as cluster:
            sessions = await asyncio.gather(*(cluster.session() for _ in range(40)))
            status = cluster.status()[0]
            assert status.peak_in_flight == 5 and status.sessions == 40
            assert len({s.session_id for s in sessions}) == 40
            for session in sessions:
                await session.destroy()


async def test_load_source_counts_other_clients() -> None:
    async with FakeJanus() as a, FakeJanus() as b:
        elsewhere = {"count": 50}
        specs = [ServerSpec(a.ws_url, load_source=lambda: elsewhere["count"]), b.ws_url]
        async with JanusCluster(specs, health_interval=5) as cluster:
            assert [st.load for st in cluster.status()] == [50, 0]
            placed = [await cluster.session() for _ in range(5)]
            assert {cluster.server_of(s).url for s in placed} == {b.ws_url}
            elsewhere["count"] = 0
            await cluster.check_now()
            more = [await cluster.session() for _ in range(6)]
            assert {cluster.server_of(s).url for s in more} == {a.ws_url, b.ws_url}
            for session in placed + more:
                await session.destroy()
    with pytest.raises(TypeError, match="load_source"):
        ServerSpec("ws://x", load_source=5)  # type: ignore[arg-type]


async def test_a_failed_pick_goes_to_the_next_server() -> None:
    async with FakeJanus() as live:
        dead = "ws://127.0.0.1:9"  # nothing listens there: connecting fails at once
        cluster = JanusCluster(
            [dead, live.ws_url],
            policy="round-robin",
            health_interval=30,
            breaker=BreakerPolicy(failure_threshold=100),
        )
        async with cluster:
            assert cluster.server(dead).breaker.state is BreakerState.CLOSED
            sessions = [await cluster.session() for _ in range(4)]
            assert {cluster.server_of(s).url for s in sessions} == {live.ws_url}
            assert cluster.server(dead).breaker.failures >= 2  # every try counted
            assert cluster.server(dead).pending == 0 and cluster.server(live.ws_url).pending == 0
            for session in sessions:
                await session.destroy()


async def test_a_placement_does_little_work_in_the_cluster() -> None:
    # What a placement costs beyond a direct session (issue 20): the cluster's own
    # Python calls per `session()` are counted, and no sort or task is made for
    # it while every breaker is closed and no rate limit is set.
    async with FakeJanus() as a, FakeJanus() as b, FakeJanus() as c:
        cluster = JanusCluster([a.ws_url, b.ws_url, c.ws_url], health_interval=30)
        async with cluster:
            warm = [await cluster.session() for _ in range(3)]  # connections open
            calls: Counter[str] = Counter()
            builtins: Counter[str] = Counter()

            def profile(frame: Any, event: str, arg: Any) -> None:
                if event == "call" and "janus_client/cluster/" in frame.f_code.co_filename:
                    calls[frame.f_code.co_qualname] += 1
                elif event == "c_call" and getattr(arg, "__name__", "") == "sorted":
                    builtins["sorted"] += 1

            tasks_before = len(asyncio.all_tasks())
            sys.setprofile(profile)
            try:
                session = await cluster.session()
            finally:
                sys.setprofile(None)
            assert len(asyncio.all_tasks()) == tasks_before
            assert not builtins, builtins
            # session() (entered, resumed once), the policy's pick, one `load` per
            # server, and the guard of the one `create` request (entered, resumed once).
            assert sum(calls.values()) <= 8, calls
            assert "LeastLoaded.rank" not in calls and "JanusCluster.candidates" not in calls
            for made in [*warm, session]:
                await made.destroy()


def _python_calls(make: Any) -> Any:
    """Run ``make()`` under a profile hook: (its result, the library's Python calls).

    Only calls into ``janus_client`` count, not into its in-process test
    server (whose timers and reaper run when they are due) nor into asyncio.
    """

    async def counted() -> tuple[Any, Counter[str]]:
        calls: Counter[str] = Counter()

        def profile(frame: Any, event: str, arg: Any) -> None:
            name = frame.f_code.co_filename
            if event == "call" and "janus_client/" in name and "janus_client/testing" not in name:
                calls[frame.f_code.co_qualname] += 1

        sys.setprofile(profile)
        try:
            made = await make()
        finally:
            sys.setprofile(None)
        return made, calls

    return counted()


async def test_a_cluster_request_costs_no_coroutine_more_than_a_direct_one() -> None:
    # The guard's lean path stands in for `TransportCore.request` (issue 20): a
    # session placed by the cluster makes the same Python calls as a direct one
    # on a plain transport, plus the placement's own (session() entered and
    # resumed, the pick, one `load` per server) and nothing else.
    async with FakeJanus() as a, FakeJanus() as b, FakeJanus() as c:
        cluster = JanusCluster([a.ws_url, b.ws_url, c.ws_url], health_interval=30)
        plain = JanusTransport.create_transport(a.ws_url)
        async with cluster:
            warm = [await cluster.session() for _ in range(3)]
            warm.append(JanusSession(transport=plain))
            await warm[-1].create()

            async def direct() -> JanusSession:
                session = JanusSession(transport=plain)
                await session.create()
                return session

            try:
                placed, via_cluster = await _python_calls(cluster.session)
                made, plainly = await _python_calls(direct)
                extra = via_cluster - plainly
                placement = Counter(
                    {"JanusCluster.session": 2, "LeastLoaded.pick": 1, "ClusterServer.load": 3}
                )
                # The guard's two calls (entered, resumed) replace the core's own.
                assert extra - placement <= Counter({"GuardedTransport.request": 2}), (
                    extra - placement
                )
                assert plainly["TransportCore.request"] >= 1
                assert via_cluster["TransportCore.request"] == 0, via_cluster
                assert sum(via_cluster.values()) - sum(plainly.values()) <= 6, (
                    via_cluster - plainly,
                    plainly - via_cluster,
                )
                # Destroying goes the same way.
                _, destroy_cluster = await _python_calls(placed.destroy)
                _, destroy_plain = await _python_calls(made.destroy)
                assert destroy_cluster["TransportCore.request"] == 0, destroy_cluster
                assert sum(destroy_cluster.values()) <= sum(destroy_plain.values()), (
                    destroy_cluster - destroy_plain,
                    destroy_plain - destroy_cluster,
                )
            finally:
                for session in warm:
                    await session.destroy()
                await plain.close()


async def test_the_lean_guard_keeps_what_the_transports_request_does() -> None:
    # The lean path stands in for `TransportCore.request` only when that would
    # just await `_request`: a client hook still sees the cluster's requests, a
    # transport's in-flight limit still holds, and a transport class with a
    # `request` of its own still has it called (and guarded).
    from janus_client.instrument import ClientHook, set_client_hook
    from janus_client.transports.websocket import JanusTransportWebsocket

    seen: list[tuple[str, BaseException | None]] = []

    class Hook(ClientHook):
        def request_finished(self, verb: str, duration: float, error: BaseException | None) -> None:
            seen.append((verb, error))

    async with FakeJanus() as a:
        async with JanusCluster([a.ws_url], health_interval=30) as cluster:
            previous = set_client_hook(Hook())
            try:
                session = await cluster.session()
                await session.destroy()
            finally:
                set_client_hook(previous)
            assert seen == [("create", None), ("destroy", None)]

        async with JanusCluster([a.ws_url], health_interval=30) as cluster:
            # What `max_in_flight` sets on the transports that have it (Unix, MQTT).
            transport = cluster.server(a.ws_url).transport
            slots = transport._slots = asyncio.Semaphore(2)
            acquired = 0
            acquire = slots.acquire

            async def counting_acquire() -> bool:
                nonlocal acquired
                acquired += 1
                return await acquire()

            slots.acquire = counting_acquire  # type: ignore[method-assign]
            sessions = await asyncio.gather(*(cluster.session() for _ in range(5)))
            assert acquired == 5 and transport.pending_count == 0
            for session in sessions:
                await session.destroy()

    calls: list[str] = []

    class OwnRequest(JanusTransportWebsocket):
        async def request(self, message: dict[str, Any], **kwargs: Any) -> Any:
            calls.append(str(message.get("janus")))
            return await super().request(message, **kwargs)

    async with FakeJanus() as a:
        url = a.ws_url

        def matcher(base_url: str) -> bool:
            return base_url == url

        JanusTransport.register_transport(protocol_matcher=matcher, transport_cls=OwnRequest)
        try:
            async with JanusCluster([url], health_interval=30) as cluster:
                server = cluster.server(url)
                assert isinstance(server.transport, OwnRequest)
                calls.clear()  # the first health check's ping
                session = await cluster.session()
                await session.destroy()
                assert calls == ["create", "destroy"]
                server.breaker.record_failure("test")  # one, below the threshold
                assert server.breaker.failures == 1
                session = await cluster.session()  # its answer clears the failure
                assert server.breaker.failures == 0
                await session.destroy()
        finally:
            JanusTransport._matchers.remove((matcher, OwnRequest))
