"""Typed errors: what went wrong, with Janus' code and reason."""

import asyncio
import os

from janus_client import (
    JanusError,
    JanusSession,
    PluginError,
    PluginNotFoundError,
    RequestTimeoutError,
)

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    async with JanusSession(JANUS_URL) as session:
        try:
            await session.attach("janus.plugin.does-not-exist")
        except PluginNotFoundError as exc:
            print("no such plugin:", exc.code, exc.reason)

        room = await session.attach("janus.plugin.videoroom")
        try:
            await room.request({"request": "destroy", "room": 424242})
        except PluginError as exc:
            print("plugin error:", exc.code, exc.reason)

        try:
            await session.ping(timeout=0.000001)
        except RequestTimeoutError as exc:  # also a builtin TimeoutError
            print("timed out:", exc)
        except JanusError as exc:  # everything the library raises derives from this
            print("other error:", exc)


asyncio.run(main())
