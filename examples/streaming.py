"""Streaming: create a mountpoint fed by a local GStreamer RTP sender, watch it."""

import asyncio
import os

from janus_client import JanusSession, JanusStreamingPlugin
from janus_client.testing import live_mountpoint
from janus_client.webrtc import set_host_addresses

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    # Gather ICE candidates only on the loopback address `janus-client serve` gives Janus.
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    async with JanusSession(JANUS_URL) as session:
        streaming = await session.attach(JanusStreamingPlugin())
        # A VP8 + Opus mountpoint on 127.0.0.1; gst-launch-1.0 sends a test pattern to it.
        async with live_mountpoint(streaming, pattern="ball") as mountpoint:
            print("mountpoints:", [m.id for m in await streaming.list_mountpoints()])
            # --8<-- [start:watch]
            await streaming.watch(mountpoint.id)
            await streaming.wait_webrtcup()
            video = await streaming.wait_track("video")
            audio = await streaming.wait_track("audio")
            await video.wait_first_frame()
            await asyncio.sleep(2)
            print(
                f"received {video.frames} video frames ({video.width}x{video.height}, "
                f"{video.fps():.0f} fps) and {audio.frames} audio frames"
            )
            # --8<-- [end:watch]
            await streaming.pause()
            await asyncio.sleep(0.5)
            paused_at = video.frames
            await asyncio.sleep(1)
            print("frames while paused:", video.frames - paused_at)
            await streaming.start()
            await asyncio.sleep(1)
            print("frames after start:", video.frames - paused_at)
            print("per mid:", {mid: s.frames for mid, s in streaming.track_stats.items()})
            await streaming.stop()


if __name__ == "__main__":
    asyncio.run(main())
