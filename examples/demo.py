"""End-to-end demo: start a local Janus, then talk to it over WebSocket and HTTP.

Run it with ``bash .ci/demo`` on a fresh machine (it installs what it needs), or
``python examples/demo.py`` where Janus and janus-client are installed.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time

from janus_client import JanusSession
from janus_client.testing import JanusServer, ensure_ice_address


async def round_trip(url: str) -> None:
    started = time.perf_counter()
    async with JanusSession(url) as session:
        info = await session.info()
        print(f"  server: {info['name']} {info['version_string']}, "
              f"{len(info['plugins'])} plugins, ping {await session.ping() * 1000:.2f} ms")
        print(f"  session {session.session_id} created")
        echo = await session.attach("janus.plugin.echotest")
        print(f"  attached janus.plugin.echotest as handle {echo.handle_id}")
        reply = await echo.send({"audio": True, "video": True, "bitrate": 256000})
        print(f"  echotest answered ({reply.kind}): {reply.data}")
        await echo.detach()
        print(f"  detached handle {echo.handle_id}")
    print(f"  session destroyed; round took {(time.perf_counter() - started) * 1000:.1f} ms")


async def main() -> int:
    ice = "127.0.0.2" if ensure_ice_address("127.0.0.2") else None
    with JanusServer(ice_address=ice) as server:
        print(f"local Janus started (pid {server.pid}), workdir {server.workdir}")
        for name, url in (("WebSocket", server.ws_url), ("HTTP", server.http_url)):
            print(f"{name}: {url}")
            await round_trip(url)
    print("local Janus stopped; demo OK")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(asyncio.run(main()))
