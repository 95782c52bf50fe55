"""Logging: turn on the library's DEBUG records; secrets are shown as ***."""

import asyncio
import logging

from _common import janus_url

from janus_client import JanusSession

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
logging.getLogger("janus_client").setLevel(logging.DEBUG)


async def main() -> None:
    # The api_secret is sent with every request but never logged in clear.
    async with JanusSession(janus_url(), api_secret="not-logged") as session:
        try:
            await session.ping()
        finally:
            print("see the DEBUG 'send' and 'recv' records above (apisecret: '***')")


asyncio.run(main())
