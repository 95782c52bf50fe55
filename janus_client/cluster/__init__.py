"""Several Janus servers used as one: placement, health, circuit breaking, rate limits.

`JanusCluster` keeps one shared transport per server and places each new
session by a `PlacementPolicy` (`LeastLoaded`, `RoundRobin` or `Sticky`
rendezvous hashing). A health loop pings every server; a `CircuitBreaker`
per server opens after repeated failures (placements skip it, calls fail fast
with `CircuitOpenError`) and closes again when a probe succeeds. A
`RequestGate` per server enforces a `RateLimit` (requests in flight, requests
per second) on every request, within each call's deadline.
`JanusCluster.videoroom` gives a `ClusterVideoRoom` that spans servers through
VideoRoom cascading (remote publishers).

Example:
    ```python
    from janus_client.cluster import JanusCluster, RateLimit

    async with JanusCluster(urls, limits=RateLimit(max_in_flight=200)) as cluster:
        room = await cluster.videoroom(1234, description="all hands")
        alice = await room.join("alice", receive=False)
        await alice.handle.publish(tracks=[...])
        bob = await room.join("bob")            # maybe on another server
        viewer = await bob.subscribe([{"feed": alice.publisher_id}])
    ```
"""

from __future__ import annotations

from .breaker import BreakerEvent, BreakerPolicy, BreakerState, CircuitBreaker
from .cluster import JanusCluster
from .errors import CircuitOpenError, ClusterError, NoServerAvailableError
from .limits import RateLimit, RequestGate
from .policies import (
    LeastLoaded,
    Placeable,
    PlacementPolicy,
    RoundRobin,
    Sticky,
    Weighted,
    policy_from_name,
    rendezvous_rank,
    rendezvous_score,
)
from .rooms import ClusterVideoRoom, RoomMember
from .server import ClusterServer, GuardedTransport, ServerSpec, ServerStatus

__all__ = [
    "BreakerEvent",
    "BreakerPolicy",
    "BreakerState",
    "CircuitBreaker",
    "CircuitOpenError",
    "ClusterError",
    "ClusterServer",
    "ClusterVideoRoom",
    "GuardedTransport",
    "JanusCluster",
    "LeastLoaded",
    "NoServerAvailableError",
    "Placeable",
    "PlacementPolicy",
    "RateLimit",
    "RequestGate",
    "RoomMember",
    "RoundRobin",
    "ServerSpec",
    "ServerStatus",
    "Sticky",
    "Weighted",
    "policy_from_name",
    "rendezvous_rank",
    "rendezvous_score",
]
