"""The cluster client against three real Janus servers on loopback.

Each server has its own ports and its own ICE address (127.0.0.41-43, each on
a veth link the test bed creates and removes). Rooms span the three servers
through VideoRoom cascading; one server is SIGKILLed and restarted; 2,000
concurrent creates go through a rate limit, counted at a proxy in front of
Janus.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from janus_client import JanusSession, VideoRoomEvent, VideoRoomEventType
from janus_client.cluster import (
    BreakerEvent,
    BreakerPolicy,
    BreakerState,
    JanusCluster,
    RateLimit,
    RoomMember,
    ServerSpec,
)
from janus_client.testing import CountingProxy, JanusServer, JanusServerError

ICE = ("127.0.0.41", "127.0.0.42", "127.0.0.43")
INTERVAL = 1.0  # health interval of the failover test


async def _until(check: Callable[[], Any], timeout: float = 15.0, what: str = "it") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
def three(media_address: str) -> Iterator[list[JanusServer]]:
    """Three Janus servers, each with its own ports and ICE address."""
    from janus_client import webrtc

    if shutil.which("janus") is None:
        reason = "the Janus binary is not on PATH"
        if os.environ.get("JANUS_CLIENT_REQUIRE_JANUS", "") not in ("", "0"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    servers: list[JanusServer] = []
    try:
        for address in ICE:
            server = JanusServer(ice_address=address, require_ice=True, plugins=["videoroom"])
            servers.append(server)
            server.start()
    except JanusServerError as exc:
        for server in servers:
            server.stop()
        reason = f"three ICE addresses are needed: {exc}"
        if os.environ.get("JANUS_CLIENT_REQUIRE_JANUS", "") not in ("", "0"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    webrtc.set_host_addresses(list(ICE))
    try:
        yield servers
    finally:
        webrtc.set_host_addresses([media_address])
        for server in servers:
            server.stop()


def _video_mid(viewer: Any, feed: Any) -> str | None:
    for stream in viewer.streams:
        if stream.feed_id == feed and stream.type == "video" and stream.active is not False:
            return str(stream.mid)
    return None


async def test_three_publishers_six_subscribers_over_three_servers(
    three: list[JanusServer],
) -> None:
    from janus_client.webrtc import FrameCounterVideoTrack

    # Any transport per server: the second one is reached over HTTP (long-poll).
    urls = [three[0].ws_url, three[1].http_url, three[2].ws_url]
    assert len({s.ice_address for s in three}) == 3
    async with JanusCluster(urls, health_interval=5) as cluster:
        room = await cluster.videoroom(4201, description="spanning")
        publishers: list[RoomMember] = []
        tracks = []
        for i, url in enumerate(urls):
            member = await room.join(f"pub-{i}", receive=False, server=url)
            track = FrameCounterVideoTrack(160, 120, fps=20)
            await member.handle.publish(tracks=[track])
            await member.handle.wait_webrtcup()
            publishers.append(member)
            tracks.append(track)
        ids = [p.publisher_id for p in publishers]
        await _until(lambda: len(room.publishers) == 3, what="3 publishers known to the room")
        assert room.publishers == {pid: url for pid, url in zip(ids, urls, strict=True)}
        assert room.cascades() == {}  # nobody receives yet: nothing is cascaded

        subscribers: list[RoomMember] = []
        for i in range(6):
            member = await room.join(f"sub-{i}", server=urls[i % 3])
            subscribers.append(member)
        # Each publisher is cascaded to the two other servers (they have receivers).
        cascades = room.cascades()
        for pid, url in zip(ids, urls, strict=True):
            assert sorted(cascades[pid]) == sorted(u for u in urls if u != url)
        viewers = []
        for member in subscribers:
            # The usual VideoRoom events show every publisher, whatever its server.
            await _until(
                lambda m=member: set(ids) <= set(m.publishers), what="all publishers in events"
            )
            viewer = await member.subscribe([{"feed": pid} for pid in ids], read_counters=True)
            await viewer.wait_webrtcup()
            viewers.append(viewer)
        stats = []
        for viewer in viewers:
            for pid in ids:
                mid = await _until(lambda v=viewer, p=pid: _video_mid(v, p), what="a video mid")
                track_stats = await _until(
                    lambda v=viewer, m=mid: v.peer.stats_by_mid.get(m), what="video stats"
                )
                await track_stats.wait_first_frame(timeout=15)
                stats.append(track_stats)
        start = [(s.frames, len(s.counters)) for s in stats]
        await asyncio.sleep(5)
        for (frames, counted), track_stats in zip(start, stats, strict=True):
            assert track_stats.frames - frames >= 50, track_stats.frames - frames
            counters = track_stats.counters[counted:]
            assert len(set(counters)) >= 50
            assert counters == sorted(counters), "frames out of order"
        # The last receivers of server 0 leave: nothing is cascaded there any more,
        # the other servers keep their cascades.
        for member in (subscribers[0], subscribers[3]):
            await member.leave()
        cascades = room.cascades()
        assert all(urls[0] not in targets for targets in cascades.values()), cascades
        assert sorted(cascades[ids[0]]) == sorted(urls[1:])
        # Publishers leave: their cascades go.
        for member in publishers:
            await member.leave()
        await _until(lambda: room.cascades() == {}, what="cascades torn down")
        for member in subscribers:
            await member.leave()
        await room.close()
        assert room.servers == []


async def test_a_dead_server_leaves_the_rotation_and_comes_back(
    three: list[JanusServer],
) -> None:
    from janus_client.webrtc import FrameCounterVideoTrack

    urls = [s.ws_url for s in three]
    victim = three[2]
    events: list[BreakerEvent] = []
    cluster = JanusCluster(
        urls,
        health_interval=INTERVAL,
        health_timeout=0.8 * INTERVAL,  # a loaded machine's slow ping is not a failure
        breaker=BreakerPolicy(failure_threshold=2, reset_timeout=1.0),
    )
    cluster.on_event(events.append)
    async with cluster:
        room = await cluster.videoroom(4202)
        pubs = []
        for i, url in enumerate(urls):
            member = await room.join(f"pub-{i}", receive=False, server=url)
            await member.handle.publish(tracks=[FrameCounterVideoTrack(160, 120, fps=10)])
            pubs.append(member)
        ids = [p.publisher_id for p in pubs]
        watchers = [await room.join(f"watch-{i}", server=url) for i, url in enumerate(urls)]
        for watcher, own in zip(watchers, ids, strict=True):
            others = set(ids) - {own}
            await _until(lambda w=watcher, o=others: o <= set(w.publishers), what="cascades")
        # A subscription on server 0 to server 2's publisher (its cascaded copy).
        viewer = await watchers[0].subscribe([{"feed": ids[2]}])
        await viewer.wait_webrtcup()
        assert _video_mid(viewer, ids[2]) is not None
        streams = [w.handle.events(VideoRoomEvent) for w in watchers[:2]]

        killed_at = time.monotonic()
        victim.kill()
        opened = await _until(
            lambda: next(
                (e for e in events if e.url == urls[2] and e.new is BreakerState.OPEN), None
            ),
            what="the breaker opening",
        )
        assert opened.at - killed_at <= 2 * INTERVAL, opened.at - killed_at
        # Its publisher leaves the other servers' rooms: their participants see it go.
        for stream in streams:
            deadline = time.monotonic() + 10
            while True:
                event = await stream.get(timeout=max(deadline - time.monotonic(), 0.01))
                if (
                    isinstance(event, VideoRoomEvent)
                    and event.type in (VideoRoomEventType.LEAVING, VideoRoomEventType.UNPUBLISHED)
                    and event.id == ids[2]
                ):
                    break
            await stream.aclose()
        for watcher in watchers[:2]:
            await _until(lambda w=watcher: ids[2] not in w.publishers, what="the publisher gone")
        # The subscription loses the dead server's streams (Janus renegotiates).
        await _until(lambda: _video_mid(viewer, ids[2]) is None, what="the stream removed")
        assert ids[2] not in room.publishers and urls[2] not in room.cascades().get(ids[0], [])
        # New sessions go to the survivors.
        fresh = [await cluster.session() for _ in range(6)]
        assert {cluster.server_of(s).url for s in fresh} == set(urls[:2])
        for session in fresh:
            await session.destroy()

        # Restart: back into rotation, and a new publisher there is seen everywhere.
        victim.start()
        await _until(
            lambda: cluster.server(urls[2]).breaker.state is BreakerState.CLOSED,
            what="the breaker closing",
        )
        assert [e.new for e in events if e.url == urls[2]][-2:] == [
            BreakerState.HALF_OPEN,
            BreakerState.CLOSED,
        ]
        placed = [await cluster.session() for _ in range(6)]
        assert urls[2] in {cluster.server_of(s).url for s in placed}
        for session in placed:
            await session.destroy()
        newcomer = await room.join("pub-again", receive=False, server=urls[2])
        await newcomer.handle.publish(tracks=[FrameCounterVideoTrack(160, 120, fps=10)])
        for watcher in watchers[:2]:
            await _until(
                lambda w=watcher: newcomer.publisher_id in w.publishers, what="the newcomer"
            )
        await room.close()


async def test_rate_limit_bounds_what_janus_sees(three: list[JanusServer]) -> None:
    async with (
        CountingProxy(three[0].ws_url) as proxy,
        JanusCluster(
            [proxy.url], limits=RateLimit(max_in_flight=200), health_interval=5
        ) as cluster,
    ):
        proxy.reset()
        sessions: list[JanusSession] = await asyncio.gather(
            *(cluster.session(timeout=60) for _ in range(2000))
        )
        assert len({s.session_id for s in sessions}) == 2000
        assert proxy.requests["create"] == 2000
        assert 1 < proxy.peak_outstanding <= 200, proxy.peak_outstanding
        assert cluster.status()[0].peak_in_flight == 200
        await asyncio.gather(*(s.destroy(timeout=60) for s in sessions))
        assert proxy.peak_outstanding <= 200
        assert proxy.outstanding == 0


async def test_least_loaded_counts_other_clients_through_the_admin_api(
    three: list[JanusServer],
) -> None:
    a, b = three[0], three[1]
    specs = [
        ServerSpec(s.ws_url, admin_url=s.admin_http_url, admin_secret=s.admin_secret)
        for s in (a, b)
    ]
    # Another client (not the cluster) holds 5 sessions on A.
    async with JanusSession(a.http_url) as first:
        others = [first] + [JanusSession(transport=first.transport) for _ in range(4)]
        for session in others[1:]:
            await session.create()
        async with JanusCluster(specs, health_interval=5) as cluster:
            assert repr(specs[0]).count(a.admin_secret) == 0  # the secret stays out of repr
            loads = {st.url: st.load for st in cluster.status()}
            assert loads[a.ws_url] >= 5 and loads[b.ws_url] < 5, loads
            placed = [await cluster.session() for _ in range(4)]
            assert {cluster.server_of(s).url for s in placed} == {b.ws_url}
            for session in placed:
                await session.destroy()
        for session in others[1:]:
            await session.destroy()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "janus_client", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cluster_command(three: list[JanusServer]) -> None:
    live = [s.ws_url for s in three[:2]]
    dead = "ws://127.0.0.1:9"  # discard port: nothing listens
    run = _cli("cluster", "status", *live, "--json")
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["url"] for r in rows] == live
    assert all(r["state"] == "closed" and r["latency_ms"] > 0 for r in rows)
    run = _cli("cluster", "status", *live, dead)
    assert run.returncode == 1, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 3 and "closed" in lines[0] and "open" in lines[2]
    assert "ConnectError" in lines[2]
    assert _cli("cluster", "status", dead).returncode == 3
    run = _cli("cluster", "place", "--key", "room-7", *live, f"{dead}=3", "--json")
    assert run.returncode == 0, run.stderr
    ranked = [json.loads(line) for line in run.stdout.splitlines()]
    assert sorted(r["url"] for r in ranked) == sorted([*live, dead])
    assert [r["rank"] for r in ranked] == [1, 2, 3]
    assert ranked[0]["score"] >= ranked[1]["score"] >= ranked[2]["score"]


async def test_a_frozen_server_comes_back_with_its_cascades(three: list[JanusServer]) -> None:
    from janus_client import JanusVideoRoomPlugin
    from janus_client.webrtc import FrameCounterVideoTrack

    urls = [s.ws_url for s in three[:2]]
    frozen = three[1]
    events: list[BreakerEvent] = []
    cluster = JanusCluster(
        urls,
        health_interval=INTERVAL,
        health_timeout=0.3,
        breaker=BreakerPolicy(failure_threshold=2, reset_timeout=1.0),
    )
    cluster.on_event(events.append)
    async with cluster:
        room = await cluster.videoroom(4203)
        here = await room.join("here", server=urls[0])
        there = await room.join("there", server=urls[1])  # receives too
        publisher = await room.join("pub", receive=False, server=urls[1])
        await publisher.handle.publish(tracks=[FrameCounterVideoTrack(160, 120, fps=10)])
        pid = publisher.publisher_id
        await here.wait_publisher(pid)
        await _until(lambda: room.cascades() == {pid: [urls[0]]}, what="the cascade")
        # A change of the publisher's streams reaches its remote copy.
        mid = next(st.mid for st in here.publishers[pid].streams if st.type == "video")
        await publisher.handle.configure(descriptions=[{"mid": mid, "description": "camera"}])

        def described() -> bool:
            seen = here.publishers.get(pid)
            stream = seen.stream(mid) if seen is not None and mid is not None else None
            return stream is not None and stream.description == "camera"

        await _until(described, what="the new description on the other server")

        frozen.pause()  # SIGSTOP: the connection stays, nothing answers
        try:
            await _until(
                lambda: cluster.server(urls[1]).breaker.state is BreakerState.OPEN,
                what="the breaker opening",
            )
            # Server 0's room no longer shows the publisher of the frozen server.
            await _until(lambda: pid not in here.publishers, what="the publisher gone")
        finally:
            frozen.resume()
        await _until(
            lambda: cluster.server(urls[1]).breaker.state is BreakerState.CLOSED,
            what="the breaker closing",
        )
        states = [e.new for e in events if e.url == urls[1]]
        assert states[-3:] == [BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED]
        # Its sessions survived: the room cascades its publisher again.
        await here.wait_publisher(pid, timeout=15)
        await _until(lambda: room.cascades() == {pid: [urls[0]]}, what="the cascade again")
        assert there.session.state.value == "active"
        # The forwarder left behind while it was cut off was removed: one remotization.
        async with JanusSession(urls[1]) as look:
            probe = await look.attach(JanusVideoRoomPlugin())
            assert len(await probe.list_remotes(4203, pid)) == 1
        await room.close()
