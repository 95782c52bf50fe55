"""Placement policies: which server of a cluster gets a new session.

A policy is pure: it ranks the servers it is given and keeps no reference
to them, so it is tested without Janus. `JanusCluster` passes only the servers
that can take sessions (breaker closed, not draining): it asks `PlacementPolicy.pick`
for the first choice (one pass over the servers, no sorting), and only when that
server fails asks `PlacementPolicy.rank` to order the ones not tried yet.

* `LeastLoaded` (the default): the fewest sessions per unit of weight first.
* `RoundRobin`: smooth weighted round-robin.
* `Sticky`: rendezvous (highest random weight) hashing of a key, so every
  session with the same key (a room id, a user id) lands on the same server,
  and removing a server moves only the keys that were on it.
"""

from __future__ import annotations

import hashlib
import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Protocol, TypeVar

__all__ = [
    "LeastLoaded",
    "PlacementPolicy",
    "Placeable",
    "RoundRobin",
    "Sticky",
    "Weighted",
    "policy_from_name",
    "rendezvous_rank",
    "rendezvous_score",
]


class Weighted(Protocol):
    """What rendezvous hashing needs to know about a server."""

    @property
    def url(self) -> str:
        """The server's URL: its identity for hashing and round-robin."""

    @property
    def weight(self) -> float:
        """Its share of the sessions relative to the others (positive)."""


class Placeable(Weighted, Protocol):
    """What a policy needs to know about a server."""

    @property
    def load(self) -> int:
        """Sessions it has now (including placements under way)."""


S = TypeVar("S", bound=Placeable)
W = TypeVar("W", bound=Weighted)


class PlacementPolicy(ABC):
    """Base class of placement policies.

    Subclass it and implement `rank` for a policy of your own; override `pick`
    too when the first choice can be found without ordering every server (the
    cluster calls `pick` once per placement and `rank` only after a failure).
    """

    #: The policy's name (``janus-client cluster status`` shows it).
    name: str = "policy"

    def pick(self, servers: Sequence[S], key: str | None = None) -> S:
        """Return the server to try first for a new session (``rank(...)[0]``).

        It counts as one placement for a policy that keeps state (a turn).

        Args:
            servers: The servers that can take sessions now (never empty).
            key: The placement key given to `JanusCluster.session`, or None.

        Returns:
            The best server.
        """
        return self.rank(servers, key)[0]

    @abstractmethod
    def rank(self, servers: Sequence[S], key: str | None = None) -> list[S]:
        """Return ``servers`` in the order to try them for a new session.

        Args:
            servers: The servers that can take sessions now (never empty).
            key: The placement key given to `JanusCluster.session`, or None.

        Returns:
            The same servers, best first.
        """


class LeastLoaded(PlacementPolicy):
    """The server with the fewest sessions per unit of weight first.

    Ties go round-robin, so an idle cluster fills evenly. A key is ignored.
    """

    name = "least-loaded"

    def __init__(self) -> None:
        self._turn = 0

    def rank(self, servers: Sequence[S], key: str | None = None) -> list[S]:
        """Rank by ``load / weight``, ties broken by a rotating offset."""
        count = len(servers)
        self._turn = (self._turn + 1) % max(count, 1)
        turn = self._turn
        order = sorted(
            range(count),
            key=lambda i: (servers[i].load / servers[i].weight, (i - turn) % count),
        )
        return [servers[i] for i in order]

    def pick(self, servers: Sequence[S], key: str | None = None) -> S:
        """The first server `rank` would return, in one pass without sorting."""
        count = len(servers)
        turn = self._turn = (self._turn + 1) % count
        best = servers[turn]
        low = best.load / best.weight
        # From the turn's server round to the one before it: the first of the
        # lowest wins, as the rotating tie-break of `rank` orders them.
        for i in range(turn + 1, turn + count):
            server = servers[i % count]
            score = server.load / server.weight
            if score < low:
                best, low = server, score
        return best


class RoundRobin(PlacementPolicy):
    """Smooth weighted round-robin: a server of weight 2 gets two turns in three.

    The turns spread out (A B A, not A A B). A key is ignored.
    """

    name = "round-robin"

    def __init__(self) -> None:
        self._current: dict[str, float] = {}

    def rank(self, servers: Sequence[S], key: str | None = None) -> list[S]:
        """Pick the next server in turn; the others follow by their credit."""
        current = self._current
        for gone in set(current) - {s.url for s in servers}:
            del current[gone]
        total = 0.0
        for server in servers:
            current[server.url] = current.get(server.url, 0.0) + server.weight
            total += server.weight
        order = sorted(servers, key=lambda s: -current[s.url])
        current[order[0].url] -= total
        return order

    def pick(self, servers: Sequence[S], key: str | None = None) -> S:
        """The server whose turn it is (as ``rank(...)[0]``), without sorting."""
        current = self._current
        total = 0.0
        best = servers[0]
        high = -math.inf
        for server in servers:
            credit = current[server.url] = current.get(server.url, 0.0) + server.weight
            total += server.weight
            if credit > high:
                best, high = server, credit
        if len(current) > len(servers):  # a server left: forget its credit
            for gone in set(current) - {s.url for s in servers}:
                del current[gone]
        current[best.url] -= total
        return best


def rendezvous_score(key: str, url: str, weight: float = 1.0) -> float:
    """The weighted rendezvous score of ``key`` on a server (higher wins).

    A stable hash (BLAKE2b, not Python's salted ``hash``) of key and URL gives a
    uniform number ``u`` in (0, 1); the score is ``weight / -ln(u)``, so a
    server of twice the weight wins twice as many keys, and every key's score
    on one server does not depend on the other servers.

    Args:
        key: The placement key.
        url: The server's URL.
        weight: The server's weight (positive).

    Returns:
        The score.
    """
    digest = hashlib.blake2b(f"{url}\x00{key}".encode(), digest_size=8).digest()
    unit = (int.from_bytes(digest, "big") + 0.5) / 2.0**64
    return weight / -math.log(unit)


def rendezvous_rank(key: str, servers: Sequence[W]) -> list[W]:
    """Return ``servers`` by their rendezvous score for ``key``, best first.

    Removing a server from ``servers`` leaves the order of the others as it
    was: only the keys whose first choice it was move, each to its second.
    """
    return sorted(servers, key=lambda s: -rendezvous_score(key, s.url, s.weight))


def _rendezvous_pick(key: str, servers: Sequence[W]) -> W:
    """Return the first server of `rendezvous_rank` for ``key``, without sorting.

    Args:
        key: The placement key.
        servers: The candidate servers (not empty).

    Returns:
        The server with the highest score (the first of them on a tie).
    """
    return max(servers, key=lambda s: rendezvous_score(key, s.url, s.weight))


class Sticky(PlacementPolicy):
    """Rendezvous hashing of the placement key: the same key, the same server.

    A room's participants placed with the room id as key land together; when
    their server is unavailable they go to the key's second choice, and only
    the keys of that server move. Without a key, the ``fallback`` policy
    places the session (least-loaded by default).

    Args:
        fallback: The policy for sessions placed without a key.
    """

    name = "sticky"

    def __init__(self, fallback: PlacementPolicy | None = None) -> None:
        self.fallback = fallback if fallback is not None else LeastLoaded()

    def rank(self, servers: Sequence[S], key: str | None = None) -> list[S]:
        """Rank by rendezvous score for ``key``; without a key ask the fallback."""
        if key is None:
            return self.fallback.rank(servers, None)
        return rendezvous_rank(key, servers)

    def pick(self, servers: Sequence[S], key: str | None = None) -> S:
        """The key's first choice; without a key the fallback's pick."""
        if key is None:
            return self.fallback.pick(servers, None)
        return _rendezvous_pick(key, servers)


def policy_from_name(name: str | PlacementPolicy) -> PlacementPolicy:
    """Return a policy from its name (``least-loaded``, ``round-robin``, ``sticky``).

    A `PlacementPolicy` object is returned as it is.

    Raises:
        ValueError: An unknown name.
        TypeError: Neither a string nor a policy.
    """
    if isinstance(name, PlacementPolicy):
        return name
    if not isinstance(name, str):
        raise TypeError(f"policy must be a name or a PlacementPolicy, got {type(name).__name__}")
    known: dict[str, type[PlacementPolicy]] = {
        "least-loaded": LeastLoaded,
        "round-robin": RoundRobin,
        "sticky": Sticky,
    }
    factory = known.get(name.replace("_", "-").lower())
    if factory is None:
        raise ValueError(f"unknown placement policy {name!r}; known: {', '.join(known)}")
    return factory()
