"""Quick start: server info, a session, a plugin handle, a message."""

import asyncio

from _common import janus_url

from janus_client import JanusSession


async def main() -> None:
    async with JanusSession(janus_url()) as session:
        info = await session.info()
        print("connected to", info["name"], info["version_string"])

        echo = await session.attach("janus.plugin.echotest")
        reply = await echo.send({"audio": True, "video": True})
        print("echotest says:", reply.data)
    # Leaving the block detached the handle and destroyed the session.


asyncio.run(main())
