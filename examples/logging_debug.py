"""Logging: turn on the library's DEBUG records; secrets are shown as ***."""

import asyncio
import logging
import os

from janus_client import JanusSession

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
logging.getLogger("janus_client").setLevel(logging.DEBUG)


async def main() -> None:
    # The api_secret is sent with every request but never logged in clear.
    async with JanusSession(JANUS_URL, api_secret="not-logged") as session:
        try:
            await session.ping()
        finally:
            print("see the DEBUG 'send' and 'recv' records above (apisecret: '***')")


asyncio.run(main())
