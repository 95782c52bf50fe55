"""TextRoom ``restart`` (ICE restart of the data channel connection) and ``ack``."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from janus_client import (
    JanusSession,
    JanusTextRoomPlugin,
    TextRoomError,
    TextRoomMessageEvent,
    TextRoomStateError,
)
from janus_client.coverage import JANUS_REQUESTS, missing

pytestmark = pytest.mark.usefixtures("media_address")

COUNT = 60  # messages each way while one side restarts


def _ice(sdp: str) -> tuple[str, str]:
    ufrag = re.search(r"a=ice-ufrag:(\S+)", sdp)
    pwd = re.search(r"a=ice-pwd:(\S+)", sdp)
    assert ufrag is not None and pwd is not None
    return ufrag.group(1), pwd.group(1)


@contextlib.asynccontextmanager
async def _participant(url: str) -> AsyncIterator[JanusTextRoomPlugin]:
    async with JanusSession(url) as session:
        plugin = await session.attach(JanusTextRoomPlugin())
        try:
            await plugin.setup(timeout=10)
            yield plugin
        finally:
            await plugin.destroy()


def test_textroom_has_all_15_requests() -> None:
    assert len(JANUS_REQUESTS["janus.plugin.textroom"]) == 15
    assert JanusTextRoomPlugin.requests["ack"] == "setup"  # the answer to setup's offer
    assert JanusTextRoomPlugin.requests["restart"] == "restart"
    assert missing("janus.plugin.textroom") == []


async def test_restart_needs_a_data_channel(janus_url: str) -> None:
    with pytest.raises(ValueError, match="timeout"):
        await JanusTextRoomPlugin().restart(timeout=-1)
    async with JanusSession(janus_url) as session:
        plugin = await session.attach(JanusTextRoomPlugin())
        with pytest.raises(TextRoomStateError, match="DataChannel"):
            await plugin.restart()
        # Janus' own check, reached with the raw request: no PeerConnection yet.
        with pytest.raises(TextRoomError) as caught:
            await plugin.message({"request": "restart"})
        assert caught.value.code == 416 and "not setup" in str(caught.value)
        await plugin.destroy()


async def test_restart_mid_conversation_loses_nothing(janus_url: str) -> None:
    async with _participant(janus_url) as alice, _participant(janus_url) as bob:
        room = await alice.create_room(description="restart")
        await alice.join_room(room, "alice")
        await bob.join_room(room, "bob")
        to_alice = alice.events(TextRoomMessageEvent)
        to_bob = bob.events(TextRoomMessageEvent)
        pc = alice.peer
        before_local = _ice(pc.pc.localDescription.sdp)
        before_remote = _ice(pc.pc.remoteDescription.sdp)
        restarted = asyncio.Event()

        async def talk(sender: JanusTextRoomPlugin, prefix: str) -> None:
            for i in range(COUNT):
                await sender.send_message(room, f"{prefix}{i}")
                if i == COUNT // 3:
                    await restarted.wait()  # a third before the restart, the rest after
                await asyncio.sleep(0.005)

        async def restart_alice() -> None:
            await asyncio.sleep(0.05)
            await alice.restart(timeout=10)
            restarted.set()

        await asyncio.gather(talk(alice, "a"), talk(bob, "b"), restart_alice())

        async def texts(stream: Any, prefix: str, count: int = COUNT) -> list[str]:
            found: list[str] = []
            while len(found) < count:
                event = await stream.get(timeout=10)
                if event.text.startswith(prefix):
                    found.append(event.text)
            return found

        assert await texts(to_bob, "a") == [f"a{i}" for i in range(COUNT)]
        assert await texts(to_alice, "b") == [f"b{i}" for i in range(COUNT)]

        # Both sides really changed credentials, on the same connection.
        assert alice.peer is pc and pc.ice_restarts == 1
        after_local = _ice(pc.pc.localDescription.sdp)
        after_remote = _ice(pc.pc.remoteDescription.sdp)
        assert after_local != before_local and after_remote != before_remote
        connection = pc._ice_transports()[0]._connection
        assert (connection.remote_username, connection.remote_password) == after_remote
        assert (connection.local_username, connection.local_password) == after_local
        # And it keeps working: a second restart, then one more message each way.
        await alice.restart()
        assert pc.ice_restarts == 2 and alice.data_channel_open
        await bob.send_message(room, "after")
        assert await texts(to_alice, "after", 1) == ["after"]  # skips alice's own echoes
        await to_alice.aclose()
        await to_bob.aclose()
        await alice.destroy_room(room)
