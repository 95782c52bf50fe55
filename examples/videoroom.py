"""VideoRoom: a publisher with synthetic media and a multistream subscriber."""

import asyncio
import os

from janus_client import JanusSession, JanusVideoRoomPlugin
from janus_client.webrtc import set_host_addresses

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    # Gather ICE candidates only on the loopback address `janus-client serve`
    # gives Janus (it prints it as JANUS_ICE_ADDRESS).
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    async with JanusSession(JANUS_URL) as session:
        # Room management works from any handle, joined or not.
        admin = await session.attach(JanusVideoRoomPlugin())
        room = await admin.create_room(description="example room", secret="example-secret")
        print("created room", room)

        publisher = await session.attach(JanusVideoRoomPlugin())
        await publisher.join_as_publisher(room, display="alice")
        # No tracks given: a tone and a 640x480 frame-counter video are sent.
        await publisher.publish()
        await publisher.wait_webrtcup()
        print(f"publisher {publisher.publisher_id} is publishing")

        # --8<-- [start:subscribe]
        # One subscriber handle, one peer connection, every stream of the feed.
        subscriber = await session.attach(JanusVideoRoomPlugin())
        await subscriber.join_as_subscriber(room, [{"feed": publisher.publisher_id}])
        await subscriber.wait_webrtcup()
        for stream in subscriber.streams:
            print(f"  subscription mid {stream.mid}: {stream.type} "
                  f"from feed {stream.feed_id} mid {stream.feed_mid}")

        await asyncio.sleep(2)
        for mid, stats in sorted(subscriber.peer.stats_by_mid.items()):
            print(f"  mid {mid}: {stats.frames} {stats.kind} frames received")
        # --8<-- [end:subscribe]

        for participant in await admin.list_participants(room):
            print("participant:", participant)

        await subscriber.leave()
        await publisher.leave()
        await admin.destroy_room(room, secret="example-secret")
        print("left and destroyed room", room)
    # Leaving the block detached the three handles and destroyed the session.


asyncio.run(main())
