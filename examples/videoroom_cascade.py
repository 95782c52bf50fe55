"""VideoRoom cascading: a publisher on Janus A watched by a subscriber on Janus B.

A is ``JANUS_URL``; B is ``JANUS_URL_B`` when set, otherwise a second local Janus
started here with the test bed (needs the ``janus`` binary). Both must reach each
other's 127.0.0.1 (B binds the remote publisher's sockets there).
"""

import asyncio
import contextlib
import os
from collections.abc import Iterator

from janus_client import JanusSession, JanusVideoRoomPlugin, VideoRoomStream, cascade_publisher
from janus_client.webrtc import set_host_addresses

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


@contextlib.contextmanager
def instance_b() -> Iterator[str]:
    """The URL of Janus B: JANUS_URL_B, or a local Janus started for this example."""
    url = os.environ.get("JANUS_URL_B")
    if url:
        yield url
        return
    from janus_client.testing import JanusServer

    with JanusServer(ice_address=os.environ.get("JANUS_ICE_ADDRESS")) as server:
        yield server.ws_url


async def main(url_b: str) -> None:
    # Gather ICE candidates only on the loopback address `janus-client serve`
    # gives Janus (it prints it as JANUS_ICE_ADDRESS).
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    async with JanusSession(JANUS_URL) as on_a, JanusSession(url_b) as on_b:
        # On A: a room and a publisher (a tone and a frame-counter video).
        a = await on_a.attach(JanusVideoRoomPlugin())
        room = await a.create_room(description="cascade source")
        alice = await on_a.attach(JanusVideoRoomPlugin())
        await alice.join_as_publisher(room, display="alice")
        configured = await alice.publish()
        await alice.wait_webrtcup()
        print(f"A: publisher {alice.publisher_id} publishes in room {room}")

        # On B: a room with the same id.
        b = await on_b.attach(JanusVideoRoomPlugin())
        await b.create_room(room, description="cascade target")

        # --8<-- [start:cascade]
        # One call: a remote publisher on B (B picks its UDP ports), then A
        # forwards the publisher's RTP there. If A refuses, B's side is undone.
        cascade = await cascade_publisher(
            a,  # any VideoRoom handle on A
            b,  # any VideoRoom handle on B
            room,
            alice.publisher_id,
            [VideoRoomStream.from_dict(s) for s in configured["streams"]],
            iface="127.0.0.1",  # B binds there, and A sends there
        )
        print(f"B: remote publisher {cascade.remote.id} receives on port {cascade.remote.port}")
        for remote in await a.list_remotes(room, alice.publisher_id):
            print(f"A: remotized as {remote.remote_id!r} to {remote.host}:{remote.port}")

        # Subscribers on B subscribe to it like to any publisher.
        viewer = await on_b.attach(JanusVideoRoomPlugin())
        await viewer.join_as_subscriber(room, [{"feed": cascade.remote.id}])
        await viewer.wait_webrtcup()
        await asyncio.sleep(2)
        for mid, stats in sorted(viewer.peer.stats_by_mid.items()):
            print(f"B: subscriber mid {mid}: {stats.frames} {stats.kind} frames received")

        await cascade.stop()  # unpublish_remotely on A, remove_remote_publisher on B
        # --8<-- [end:cascade]
        print("cascade stopped")
        await viewer.leave()
        await alice.leave()
        await a.destroy_room(room)
        await b.destroy_room(room)


with instance_b() as url:
    asyncio.run(main(url))
