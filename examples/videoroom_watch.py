"""VideoRoom recorder bot: watch a room, record and count every publisher's media."""

import asyncio
import os
import tempfile
from pathlib import Path

from janus_client import JanusSession, JanusVideoRoomPlugin
from janus_client.plugins.videoroom import WatchedPublisher
from janus_client.webrtc import set_host_addresses

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def publish(session: JanusSession, room: int, name: str) -> JanusVideoRoomPlugin:
    """Join ``room`` as ``name`` and publish a tone and a frame-counter video."""
    publisher = await session.attach(JanusVideoRoomPlugin())
    await publisher.join_as_publisher(room, display=name)
    await publisher.publish()
    await publisher.wait_webrtcup()
    return publisher


async def main(folder: Path) -> None:
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    async with JanusSession(JANUS_URL) as session:
        admin = await session.attach(JanusVideoRoomPlugin())
        room = await admin.create_room(description="watched room")
        await publish(session, room, "alice")

        # --8<-- [start:watch]
        bot = await session.attach(JanusVideoRoomPlugin())

        def report(watched: WatchedPublisher) -> None:
            frames = {mid: s.frames for mid, s in sorted(watched.stats_by_mid.items())}
            print(f"{watched.publisher.display} left; frames by mid: {frames}")

        async with bot.watch_room(
            room,
            display="recorder-bot",
            record_to=lambda publisher: str(folder / f"{publisher.display}.mp4"),
            on_leave=report,  # also called for each subscription closed on exit
        ) as watcher:
            await publish(session, room, "bob")  # a later publisher: watched too
            async for watched in watcher:
                stats = await watched.plugin.wait_first_frame(kind="video")
                print(f"recording {watched.publisher.display}: first frame received")
                if len(watcher.subscriptions) == 2:
                    break
            await asyncio.sleep(2)
            print("watching", sorted(w.publisher.display for w in watcher.subscriptions.values()))
        # --8<-- [end:watch]
        print("video frames of the last one:", stats.frames)
        await admin.destroy_room(room)


recordings = Path(tempfile.mkdtemp(prefix="janus-recordings-"))
asyncio.run(main(recordings))
for path in sorted(recordings.glob("*.mp4")):
    print(f"recorded {path.name}: {path.stat().st_size} bytes")
    path.unlink()
recordings.rmdir()
