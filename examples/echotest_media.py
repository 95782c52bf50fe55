"""EchoTest with real media: synthetic video and audio are echoed back and counted."""

import asyncio

from _common import janus_url, setup_media

from janus_client import JanusEchoTestPlugin, JanusSession


async def main() -> None:
    setup_media()
    async with JanusSession(janus_url()) as session:
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
