"""Health checks: a URL, or the server behind an open session."""

import asyncio

from _common import janus_url

from janus_client import JanusSession
from janus_client.health import check_health


async def main() -> None:
    # A probe: never raises for a server that is down; creates no session.
    result = await check_health(janus_url(), timeout=5)
    print("healthy:", result.healthy, "latency:", f"{(result.latency or 0) * 1000:.1f} ms")
    if result.server is not None:
        print("server:", result.server.name, result.server.version_string)
    print("exit code for a probe:", result.exit_code)

    async with JanusSession(janus_url()) as session:
        again = await session.health()
        print("through the session:", again.healthy, again.to_json()["server"]["version"])


asyncio.run(main())
