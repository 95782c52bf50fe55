"""Unit-test your own code with `MockTransport`: no socket, no Janus.

The code under test (`room_names`) lists VideoRoom rooms. The test gives it a
session on a `MockTransport` whose handler plays the plugin's part; the
session's own requests (create, attach, detach, destroy) get the mock's default
answers. Run it with ``python examples/mock_transport.py``.
"""

import asyncio
from typing import Any

from janus_client import JanusSession
from janus_client.testing import MockTransport, plugin_reply


async def room_names(session: JanusSession) -> list[str]:
    """The code under test: the descriptions of the rooms on the server."""
    handle = await session.attach("janus.plugin.videoroom")
    try:
        data = await handle.request({"request": "list"})
        return [room["description"] for room in data["list"]]
    finally:
        await handle.detach()


def fake_videoroom(request: dict[str, Any]) -> Any:
    """Called with each request the library sends; returns Janus' reply."""
    if request["janus"] == "message" and request["body"] == {"request": "list"}:
        rooms = [{"room": 1234, "description": "Demo Room"}]
        return plugin_reply(request, {"videoroom": "success", "list": rooms})
    return None  # the mock's default answer (fresh ids, acks, success)


async def main() -> None:
    async with MockTransport(fake_videoroom) as transport:
        async with JanusSession(transport=transport) as session:
            names = await room_names(session)
        assert names == ["Demo Room"], names
        sent = [r["janus"] for r in transport.requests]
        assert sent == ["create", "attach", "message", "detach", "destroy"], sent
    print(f"room_names() returned {names}; requests sent: {', '.join(sent)}")


if __name__ == "__main__":
    asyncio.run(main())
