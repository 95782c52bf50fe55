"""Many sessions on one connection; the transport outlives them."""

import asyncio

from _common import janus_url

from janus_client import JanusSession, JanusTransport


async def main() -> None:
    async with JanusTransport.create_transport(janus_url()) as transport:
        sessions = [JanusSession(transport=transport) for _ in range(5)]
        ids = await asyncio.gather(*(s.create() for s in sessions))
        print("sessions on one connection:", ids)
        await asyncio.gather(*(s.destroy() for s in sessions))
        # Destroying a session never closes a transport it was given.
        print("transport still connected:", transport.connected)


asyncio.run(main())
