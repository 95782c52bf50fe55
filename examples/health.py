"""Health checks: a URL, or the server behind an open session."""

import asyncio
import os

from janus_client import JanusSession
from janus_client.health import check_health

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    # A probe: never raises for a server that is down; creates no session.
    result = await check_health(JANUS_URL, timeout=5)
    print("healthy:", result.healthy, "latency:", f"{(result.latency or 0) * 1000:.1f} ms")
    if result.server is not None:
        print("server:", result.server.name, result.server.version_string)
    print("exit code for a probe:", result.exit_code)

    async with JanusSession(JANUS_URL) as session:
        again = await session.health()
        print("through the session:", again.healthy, again.to_json()["server"]["version"])


asyncio.run(main())
