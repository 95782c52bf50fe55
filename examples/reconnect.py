"""Opt-in reconnection: the session is reclaimed after the connection drops."""

import asyncio
import os

from janus_client import ConnectionStateEvent, JanusSession, ReconnectPolicy, Timeouts

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    policy = ReconnectPolicy(initial_delay=0.2, max_delay=5, deadline=60)
    timeouts = Timeouts(keepalive=10)  # a silent line is noticed within 20 s
    async with JanusSession(JANUS_URL, reconnect=policy, timeouts=timeouts) as session:
        session.on_event(lambda event: print("connection:", event.state.value),
                         ConnectionStateEvent)
        echo = await session.attach("janus.plugin.echotest")
        print("echo:", (await echo.send({"audio": True})).data)
        # If the WebSocket drops now, the transport reconnects, claims the session
        # and the same handle keeps working; calls in flight fail and are not replayed.


asyncio.run(main())
