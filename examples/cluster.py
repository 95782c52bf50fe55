"""A cluster of three Janus servers: placement, status, and a room that spans them.

Server 1 is ``JANUS_URL``; servers 2 and 3 are ``JANUS_URL_B`` / ``JANUS_URL_C``
when set, otherwise local Janus servers started here with the test bed (needs
the ``janus`` binary). The servers must reach each other's 127.0.0.1: cascaded
RTP goes there.
"""

import asyncio
import contextlib
import os
from collections.abc import Iterator

from janus_client.cluster import JanusCluster, RateLimit
from janus_client.webrtc import FrameCounterVideoTrack, set_host_addresses

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")
ICE_ADDRESS = os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")


@contextlib.contextmanager
def more_servers() -> Iterator[list[str]]:
    """Servers 2 and 3: from the environment, or started here."""
    given = [os.environ.get("JANUS_URL_B"), os.environ.get("JANUS_URL_C")]
    if all(given):
        yield [url for url in given if url]
        return
    from janus_client.testing import JanusServer

    with JanusServer(ice_address=ICE_ADDRESS) as b, JanusServer(ice_address=ICE_ADDRESS) as c:
        yield [b.ws_url, c.ws_url]


async def main(urls: list[str]) -> None:
    set_host_addresses([ICE_ADDRESS])  # gather ICE candidates on the test address only
    # --8<-- [start:cluster]
    cluster = JanusCluster(
        urls,
        policy="sticky",  # the same key, the same server
        limits=RateLimit(max_in_flight=100, rate=500),  # per server
        health_interval=2.0,
    )
    async with cluster:
        # Sessions with the same key land on the same server.
        for user in ("ann", "ben", "ann"):
            async with await cluster.session(key=user) as session:
                print(f"{user}: session on {cluster.server_of(session).url}")
        for status in cluster.status():
            print(f"{status.url}: {status.state.value}, {status.sessions} session(s)")
        # --8<-- [end:cluster]

        # --8<-- [start:room]
        room = await cluster.videoroom(4321, description="spans servers")
        alice = await room.join("alice", receive=False, server=urls[0])
        video = FrameCounterVideoTrack(320, 240)
        await alice.handle.publish(tracks=[video])
        bob = await room.join("bob", server=urls[1])  # his server gets alice's media
        await bob.wait_publisher(alice.publisher_id)  # seen through the usual VideoRoom events
        viewer = await bob.subscribe([{"feed": alice.publisher_id}])
        await viewer.wait_webrtcup()
        await viewer.peer.wait_track("video")
        stats = viewer.peer.stats["video"]
        await stats.wait_first_frame()
        await asyncio.sleep(1.0)
        print(f"alice on server 1 -> bob on server 2: {stats.frames} frames")
        print(f"cascades: {room.cascades()}")
        await room.close()  # members leave, cascades stop, rooms go
        # --8<-- [end:room]
        assert stats.frames > 0


if __name__ == "__main__":
    with more_servers() as others:
        asyncio.run(main([JANUS_URL, *others]))
