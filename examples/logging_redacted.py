"""Logging: root DEBUG for every library, with secrets and SDP bodies redacted."""

import asyncio
import logging
import os

from janus_client import JanusSession
from janus_client.logs import RedactingFilter

# --8<-- [start:recipe]
handler = logging.StreamHandler()
handler.addFilter(RedactingFilter())  # on the handler: it sees every logger's records
logging.basicConfig(
    level=logging.DEBUG,
    format="%(levelname)s %(name)s: %(message)s",
    handlers=[handler],
)
# --8<-- [end:recipe]

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    # websockets logs every frame at DEBUG; the library gives it a redacting adapter,
    # and the filter above covers aiortc, aiohttp and anything else.
    async with JanusSession(JANUS_URL, api_secret="not-logged", token="not-logged") as session:
        await session.ping()
    print("root DEBUG records above show apisecret and token as ***")


asyncio.run(main())
