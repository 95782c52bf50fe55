"""EchoTest with real media: synthetic video and audio are echoed back and counted."""

import asyncio
import os

from janus_client import JanusEchoTestPlugin, JanusSession
from janus_client.webrtc import set_host_addresses

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    # Gather ICE candidates only on the loopback address `janus-client serve`
    # gives Janus (it prints it as JANUS_ICE_ADDRESS).
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    async with JanusSession(JANUS_URL) as session:
        echo = JanusEchoTestPlugin()
        await echo.attach(session)
        # No file given: a 640x480 frame-counter video and a tone are sent.
        await echo.start(read_counters=True)
        await echo.wait_webrtcup(timeout=10)
        await asyncio.sleep(3)
        video = echo.peer.stats["video"]
        print(f"echoed {video.frames} video frames at {video.fps():.1f} fps; "
              f"last frame number read back: {video.counters[-1] if video.counters else None}")
        await echo.send_data("hello")
        print("data channel:", await echo.receive_data(timeout=5))
        await echo.close_stream()


asyncio.run(main())
