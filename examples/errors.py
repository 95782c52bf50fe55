"""Typed errors: what went wrong, with Janus' code and reason."""

import asyncio

from _common import janus_url

from janus_client import (
    JanusError,
    JanusSession,
    PluginError,
    PluginNotFoundError,
    RequestTimeoutError,
)


async def main() -> None:
    async with JanusSession(janus_url()) as session:
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
