"""Receiving events: an async iterator and a callback, side by side."""

import asyncio
import os

from janus_client import JanusSession, PluginEvent

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    async with JanusSession(JANUS_URL) as session:
        echo = await session.attach("janus.plugin.echotest")

        # A callback may be sync or async; it runs outside the connection's reader,
        # so it may itself await requests.
        async def on_plugin_event(event: PluginEvent) -> None:
            rtt = await session.ping()
            print(f"callback: {event.data} (ping {rtt * 1000:.2f} ms)")

        echo.on_event(on_plugin_event, PluginEvent)

        # The iterator sees the same events. Open it before sending.
        stream = echo.events(PluginEvent)
        await echo.send({"bitrate": 128000}, wait="ack")  # the event comes later
        event = await stream.get(timeout=5)
        print("iterator:", event.data)
        await stream.aclose()


asyncio.run(main())
