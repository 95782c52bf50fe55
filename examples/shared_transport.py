"""Many sessions on one connection; the transport outlives them."""

import asyncio
import os

from janus_client import JanusSession, JanusTransport

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    async with JanusTransport.create_transport(JANUS_URL) as transport:
        sessions = [JanusSession(transport=transport) for _ in range(5)]
        ids = await asyncio.gather(*(s.create() for s in sessions))
        print("sessions on one connection:", ids)
        await asyncio.gather(*(s.destroy() for s in sessions))
        # Destroying a session never closes a transport it was given.
        print("transport still connected:", transport.connected)


asyncio.run(main())
