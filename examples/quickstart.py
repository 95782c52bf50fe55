"""Quick start: server info, a session, a plugin handle, a message."""

import asyncio
import os

from janus_client import JanusSession

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    async with JanusSession(JANUS_URL) as session:
        info = await session.info()
        print("connected to", info["name"], info["version_string"])

        echo = await session.attach("janus.plugin.echotest")
        reply = await echo.send({"audio": True, "video": True})
        print("echotest says:", reply.data)
    # Leaving the block detached the handle and destroyed the session.


asyncio.run(main())
