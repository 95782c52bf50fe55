#!/usr/bin/env python3
"""Cluster benchmark: placement overhead, and first frame across servers vs on one.

Starts three Janus servers on loopback (``JanusServer``, each with its own ports
and ICE address, 127.0.0.51-53) and measures, in one run:

1. **Placement overhead**: 3,000 sessions created through `JanusCluster.session`
   (least-loaded over the three servers) against 3,000 direct sessions
   (``JanusSession(transport=...).create()`` on one server's shared transport),
   sequentially and 100 at a time. Cluster and direct blocks alternate (A/B,
   then B/A) over several rounds; the median rate of each is reported and the
   ratio cluster / direct (target: at least 0.9). Sessions are destroyed
   between blocks (not timed).
2. **Publish to first frame**: in a `ClusterVideoRoom`, a publisher on server 1
   and two receiving members, one on server 1 and one on server 2 (whose copy
   is a cascaded remote publisher). From just before ``publish`` to the first
   decoded video frame at each subscriber; the medians are printed side by side.

Usage::

    python experiments/bench_cluster.py [--quick] [--json]

Only loopback is contacted; every loop is bounded in count and every phase in
time. The exit code is 0 even when a target is missed (PASS/FAIL is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from typing import Any

from janus_client import JanusSession, JanusTransport
from janus_client.cluster import JanusCluster
from janus_client.testing import JanusServer

ICE = ("127.0.0.51", "127.0.0.52", "127.0.0.53")
SESSIONS = 3000
CONCURRENCY = 100
TARGET_RATIO = 0.9
PHASE_TIMEOUT = 180.0


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


async def _create_many(make: Any, count: int, concurrency: int) -> tuple[float, list[Any]]:
    """Create ``count`` sessions, ``concurrency`` at a time; return (seconds, sessions)."""
    made: list[Any] = []
    start = time.perf_counter()
    for first in range(0, count, concurrency):
        batch = min(concurrency, count - first)
        if batch == 1:
            made.append(await make())
        else:
            made.extend(await asyncio.gather(*(make() for _ in range(batch))))
    return time.perf_counter() - start, made


async def _destroy(sessions: list[JanusSession]) -> None:
    for first in range(0, len(sessions), 200):
        await asyncio.gather(*(s.destroy() for s in sessions[first : first + 200]))


async def placement(urls: list[str], rounds: int, count: int, label: str) -> dict[str, Any]:
    """Cluster over ``urls`` against direct sessions on ``urls[0]``, interleaved."""
    results: dict[str, Any] = {}
    async with JanusCluster(urls, health_interval=30) as cluster:
        direct = JanusTransport.create_transport(urls[0])
        try:

            async def via_cluster() -> JanusSession:
                return await cluster.session()

            async def direct_one() -> JanusSession:
                session = JanusSession(transport=direct)
                await session.create()
                return session

            for mode, concurrency in (("sequential", 1), ("concurrent", CONCURRENCY)):
                rates: dict[str, list[float]] = {"cluster": [], "direct": []}
                # Warm up both paths (connections, caches).
                for make in (via_cluster, direct_one):
                    _, warm = await _create_many(make, 60, concurrency if concurrency > 1 else 1)
                    await _destroy(warm)
                for r in range(rounds):
                    order = [("cluster", via_cluster), ("direct", direct_one)]
                    if r % 2:
                        order.reverse()
                    for name, make in order:
                        elapsed, made = await asyncio.wait_for(
                            _create_many(make, count, concurrency), PHASE_TIMEOUT
                        )
                        if name == "cluster":
                            spread = [st.sessions for st in cluster.status()]
                            log(f"  {mode} round {r}: cluster spread {spread}")
                        rates[name].append(count / elapsed)
                        await _destroy(made)
                cluster_rate = statistics.median(rates["cluster"])
                direct_rate = statistics.median(rates["direct"])
                results[f"{label}, {mode}"] = {
                    "cluster_sessions_per_s": round(cluster_rate, 1),
                    "direct_sessions_per_s": round(direct_rate, 1),
                    "ratio": round(cluster_rate / direct_rate, 3),
                    "cluster_us_per_session": round(1e6 / cluster_rate, 1),
                    "direct_us_per_session": round(1e6 / direct_rate, 1),
                }
        finally:
            await direct.close()
    return results


async def first_frames(urls: list[str], rounds: int) -> dict[str, Any]:
    from janus_client.webrtc import FrameCounterVideoTrack

    same: list[float] = []
    other: list[float] = []
    async with JanusCluster(urls, health_interval=30) as cluster:
        for r in range(rounds):
            room = await cluster.videoroom(5100 + r)
            near = await room.join("near", server=urls[0])
            far = await room.join("far", server=urls[1])
            publisher = await room.join("pub", receive=False, server=urls[0])
            start = time.perf_counter()
            await publisher.handle.publish(tracks=[FrameCounterVideoTrack(320, 240, fps=30)])
            pid = publisher.publisher_id

            async def first_frame(member: Any, pid: Any = pid, start: float = start) -> float:
                while pid not in member.publishers:  # noqa: ASYNC110 - polling a dict
                    await asyncio.sleep(0.005)
                viewer = await member.subscribe([{"feed": pid}])
                while True:
                    mids = [s.mid for s in viewer.streams if s.type == "video"]
                    stats = viewer.peer.stats_by_mid.get(mids[0]) if mids else None
                    if stats is not None:
                        break
                    await asyncio.sleep(0.005)
                await stats.wait_first_frame(timeout=20)
                return time.perf_counter() - start

            near_s, far_s = await asyncio.wait_for(
                asyncio.gather(first_frame(near), first_frame(far)), 60
            )
            same.append(near_s)
            other.append(far_s)
            log(f"  round {r}: same server {near_s * 1000:.0f} ms, other {far_s * 1000:.0f} ms")
            await room.close()
    return {
        "rounds": rounds,
        "same_server_ms": round(statistics.median(same) * 1000, 1),
        "other_server_ms": round(statistics.median(other) * 1000, 1),
        "same_server_all_ms": [round(v * 1000, 1) for v in same],
        "other_server_all_ms": [round(v * 1000, 1) for v in other],
    }


async def main_async(quick: bool) -> dict[str, Any]:
    from janus_client import webrtc

    servers = [JanusServer(ice_address=a, require_ice=True, plugins=["videoroom"]) for a in ICE]
    try:
        for server in servers:
            server.start()
        webrtc.set_host_addresses(list(ICE))
        urls = [s.ws_url for s in servers]
        rounds = 3 if quick else 5
        log("placement overhead ...")
        place = await placement(urls, rounds, SESSIONS, "3 servers")
        # The same through a cluster of one server: the guard and placement cost
        # alone, with no spreading over more Janus processes to help.
        place.update(await placement(urls[:1], rounds, SESSIONS, "1 server"))
        log("publish -> first frame ...")
        frames = await first_frames(urls, 3 if quick else 5)
    finally:
        webrtc.set_host_addresses(None)
        for server in servers:
            server.stop()
    return {"sessions": SESSIONS, "servers": 3, "placement": place, "first_frame": frames}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    results = asyncio.run(main_async(args.quick))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"Placement of {SESSIONS} sessions by JanusCluster vs direct sessions on one server")
    for mode, row in results["placement"].items():
        verdict = "PASS" if row["ratio"] >= TARGET_RATIO else "FAIL"
        print(
            f"  {mode:<24} cluster {row['cluster_sessions_per_s']:>7.1f}/s "
            f"({row['cluster_us_per_session']:.0f} us)  "
            f"direct {row['direct_sessions_per_s']:>7.1f}/s "
            f"({row['direct_us_per_session']:.0f} us)  ratio {row['ratio']:.3f}  "
            f"(target >= {TARGET_RATIO}) {verdict}"
        )
    frames = results["first_frame"]
    print(f"Publish -> first frame at a subscriber (median of {frames['rounds']} rounds)")
    print(f"  {'same server':<14} {'other server':<14}")
    print(f"  {frames['same_server_ms']:>8.1f} ms    {frames['other_server_ms']:>8.1f} ms")


if __name__ == "__main__":
    main()
