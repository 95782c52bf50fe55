"""TextRoom over real data channels between aiortc and the real Janus."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

import janus_client
from janus_client import (
    InvalidStateError,
    JanusSession,
    JanusTextRoomPlugin,
    RequestTimeoutError,
    TextRoomAnnouncementEvent,
    TextRoomDestroyedEvent,
    TextRoomError,
    TextRoomErrorEvent,
    TextRoomEvent,
    TextRoomEventType,
    TextRoomJoinEvent,
    TextRoomKickedEvent,
    TextRoomLeaveEvent,
    TextRoomMessageEvent,
    TextRoomStateError,
)
from janus_client.coverage import missing
from janus_client.webrtc import open_peer_connections

pytestmark = pytest.mark.usefixtures("media_address")

COUNT = 1000


@contextlib.asynccontextmanager
async def _participant(url: str) -> AsyncIterator[JanusTextRoomPlugin]:
    """A session with a TextRoom handle whose data channel is open."""
    async with JanusSession(url) as session:
        plugin = await session.attach(JanusTextRoomPlugin())
        try:
            await plugin.setup(timeout=10)
            assert plugin.data_channel_open
            yield plugin
        finally:
            await plugin.destroy()


async def _collect(
    stream: Any, cls: type[TextRoomEvent], count: int, timeout: float = 10.0
) -> list[Any]:
    """Read ``count`` events of ``cls`` from ``stream`` (others are skipped)."""
    found: list[Any] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while len(found) < count:
        event = await stream.get(max(deadline - asyncio.get_running_loop().time(), 0.001))
        if isinstance(event, cls):
            found.append(event)
    return found


def _buffered(stream: Any) -> list[Any]:
    """The events already buffered in ``stream`` (without waiting)."""
    items = []
    while stream.pending():
        items.append(stream._queue.get_nowait())
    return items


async def test_public_and_private_messages_both_ways(janus_url: str) -> None:
    async with _participant(janus_url) as alice, _participant(janus_url) as bob:
        room = await alice.create_room(description="exchange")
        assert isinstance(room, int)
        stream_a = alice.events(TextRoomMessageEvent)
        stream_b = bob.events(TextRoomMessageEvent)
        assert await alice.join_room(room, "alice") == []
        assert await bob.join_room(room, "bob", display="Bob") == [{"username": "alice"}]
        assert alice.joined_rooms == {room: "alice"} and bob.joined_rooms == {room: "bob"}

        async def talk(me: JanusTextRoomPlugin, tag: str, peer: str) -> None:
            for i in range(COUNT):
                await me.send_message(room, f"{tag}-pub-{i}")
                await me.send_message(room, f"{tag}-priv-{i}", to=peer)

        await asyncio.gather(talk(alice, "a", "bob"), talk(bob, "b", "alice"))
        # Public messages reach everyone, the sender too; whispers only their target.
        got_a = await _collect(stream_a, TextRoomMessageEvent, 3 * COUNT)
        got_b = await _collect(stream_b, TextRoomMessageEvent, 3 * COUNT)
        for got, me, peer in ((got_a, "a", "b"), (got_b, "b", "a")):
            mine = [e.text for e in got if e.sender == ("alice" if me == "a" else "bob")]
            theirs_pub = [e.text for e in got if e.text.startswith(f"{peer}-pub-")]
            theirs_priv = [e for e in got if e.whisper]
            assert mine == [f"{me}-pub-{i}" for i in range(COUNT)]
            assert theirs_pub == [f"{peer}-pub-{i}" for i in range(COUNT)]
            assert [e.text for e in theirs_priv] == [f"{peer}-priv-{i}" for i in range(COUNT)]
            assert all(e.to == ("alice" if me == "a" else "bob") for e in theirs_priv)
            assert all(e.room == room and e.date for e in got)
        assert stream_a.pending() == stream_b.pending() == 0
        # tos: a whisper to several; ack=False only sends.
        await alice.send_message(room, "to-many", tos=["bob", "alice"])
        await alice.send_message(room, "no-ack", ack=False)
        texts = [e.text for e in await _collect(stream_b, TextRoomMessageEvent, 2)]
        assert texts == ["to-many", "no-ack"]
        await stream_a.aclose()
        await stream_b.aclose()
        await alice.leave_room(room)
        assert alice.joined_rooms == {}
        await alice.destroy_room(room)
    assert open_peer_connections() == []


async def test_history_for_late_joiners(janus_ws_url: str) -> None:
    async with _participant(janus_ws_url) as alice, _participant(janus_ws_url) as bob:
        room = await alice.create_room(history=3, secret="adm1n")
        await alice.join_room(room, "alice", display="Alice")
        for i in range(5):
            await alice.send_message(room, f"old-{i}")
        await alice.send_message(room, "secret-whisper", to="alice")  # not kept
        await alice.send_announcement(room, "welcome", secret="adm1n")
        stream = bob.events(TextRoomEvent)
        await bob.join_room(room, "bob")
        # The history arrived before join_room returned, then our own join.
        before = _buffered(stream)
        assert [(type(e), getattr(e, "text", None)) for e in before] == [
            (TextRoomMessageEvent, "old-3"),
            (TextRoomMessageEvent, "old-4"),
            (TextRoomAnnouncementEvent, "welcome"),
            (TextRoomJoinEvent, None),
        ]
        assert before[0].sender == "alice" and before[0].display == "Alice"
        assert before[3].username == "bob"
        await bob.leave_room(room)
        await bob.join_room(room, "bob", history=False)
        # Our own leave and join come back to us too; no history this time.
        assert [type(e) for e in _buffered(stream)] == [TextRoomLeaveEvent, TextRoomJoinEvent]
        await stream.aclose()
        await alice.destroy_room(room, secret="adm1n")


async def test_room_management_and_events(janus_ws_url: str) -> None:
    async with _participant(janus_ws_url) as alice, _participant(janus_ws_url) as bob:
        room = await alice.create_room(description="events", secret="s3", is_private=False)
        other = await alice.create_room(room=room + 1, pin="1234")
        assert await alice.exists(room) and not await alice.exists(room + 2)
        listed = {r["room"]: r for r in await alice.list_rooms()}
        assert listed[room]["description"] == "events" and other not in listed
        await alice.edit_room(room, secret="s3", new_description="renamed")
        listed = {r["room"]: r for r in await bob.list_rooms()}
        assert listed[room]["description"] == "renamed"
        assert await alice.allowed(room, "add", ["tok-1"], secret="s3") == ["tok-1"]
        await alice.allowed(room, "disable", secret="s3")

        compat: list[dict[str, Any]] = []
        bob.on_event(TextRoomEventType.ANNOUNCEMENT, compat.append)
        bob.on_event("kicked", compat.append)
        stream_a = alice.events(TextRoomEvent)
        stream_b = bob.events(TextRoomEvent)
        await alice.join_room(room, "alice")
        await alice.join_room(other, "alice2", pin="1234")
        await bob.join_room(room, "bob", display="Bob")
        assert alice.joined_rooms == {room: "alice", other: "alice2"}
        participants = await alice.list_participants(room)
        assert sorted(p["username"] for p in participants) == ["alice", "bob"]
        join = (await _collect(stream_a, TextRoomJoinEvent, 3))[-1]
        assert (join.username, join.display, join.room) == ("bob", "Bob", room)

        await alice.send_announcement(room, "over the api", secret="s3")
        await alice.send_announcement(room, "over the data channel", "s3", data_channel=True)
        anns = await _collect(stream_b, TextRoomAnnouncementEvent, 2)
        assert [a.text for a in anns] == ["over the api", "over the data channel"]

        await bob.leave_room(room)
        (leave,) = await _collect(stream_a, TextRoomLeaveEvent, 1)
        assert (leave.username, leave.room) == ("bob", room)
        await bob.join_room(room, "bob")
        await alice.kick_participant(room, "bob", "s3")
        (kicked,) = await _collect(stream_b, TextRoomKickedEvent, 1)
        assert (kicked.username, kicked.room) == ("bob", room)
        assert bob.joined_rooms == {}
        with pytest.raises(TextRoomError) as info:
            await bob.send_message(room, "still here?")
        assert info.value.code == 422
        assert info.value.code_name == "JANUS_TEXTROOM_ERROR_NOT_IN_ROOM"
        # Without an ack nobody waits for the answer: the error comes as an event.
        await bob.send_message(room, "still here?", ack=False)
        (error,) = await _collect(stream_b, TextRoomErrorEvent, 1)
        assert (error.code, error.type) == (422, TextRoomEventType.ERROR)
        await bob.join_room(room, "bob")
        await alice.kick_participant(room, "bob", secret="s3", data_channel=True)
        await _collect(stream_b, TextRoomKickedEvent, 1)

        # Destroying a room we are in: one destroyed event (Janus sends two).
        await bob.join_room(room, "bob")
        await alice.destroy_room(room, secret="s3")
        (gone_b,) = await _collect(stream_b, TextRoomDestroyedEvent, 1)
        assert gone_b.room == room and bob.joined_rooms == {}
        (gone_a,) = await _collect(stream_a, TextRoomDestroyedEvent, 1)
        assert gone_a.room == room and alice.joined_rooms == {other: "alice2"}
        await alice.destroy_room(other)
        (gone_other,) = await _collect(stream_a, TextRoomDestroyedEvent, 1)
        assert gone_other.room == other and alice.joined_rooms == {}
        await asyncio.sleep(0.2)
        assert not any(isinstance(e, TextRoomDestroyedEvent) for e in _buffered(stream_a))
        # 0.9.x enum handlers got the dicts Janus sent.
        for _ in range(100):
            if len(compat) >= 4:
                break
            await asyncio.sleep(0.02)
        assert [d["textroom"] for d in compat] == ["announcement"] * 2 + ["kicked"] * 2
        assert compat[0] == {
            "textroom": "announcement",
            "room": room,
            "date": compat[0]["date"],
            "text": "over the api",
        }
        await stream_a.aclose()
        await stream_b.aclose()


async def test_errors_carry_the_plugin_codes(
    janus_ws_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="janus_client")
    async with _participant(janus_ws_url) as alice:
        room = await alice.create_room(secret="s3cr3t-right", pin="p1n-4321")
        cases: list[tuple[Any, int, str]] = [
            (alice.destroy_room(room, secret="s3cr3t-bad"), 419, "UNAUTHORIZED"),
            (
                alice.send_announcement(room, "x", "s3cr3t-bad", data_channel=True),
                419,
                "UNAUTHORIZED",
            ),
            (alice.join_room(room, "alice", pin="p1n-0000"), 419, "UNAUTHORIZED"),
            (alice.join_room(room + 1, "alice"), 417, "NO_SUCH_ROOM"),
            (alice.list_participants(room + 1), 417, "NO_SUCH_ROOM"),
            (alice.create_room(room=room), 418, "ROOM_EXISTS"),
            (alice.leave_room(room), 422, "NOT_IN_ROOM"),
            (alice.data_request({"textroom": "bogus"}), 415, "INVALID_REQUEST"),
        ]
        for call, code, name in cases:
            with pytest.raises(TextRoomError) as info:
                await call
            err = info.value
            assert (err.code, err.code_name) == (code, f"JANUS_TEXTROOM_ERROR_{name}"), err
            assert (err.error_code, err.error_message) == (code, err.reason)
            assert err.plugin == "janus.plugin.textroom"
        await alice.join_room(room, "alice", pin="p1n-4321")
        with pytest.raises(TextRoomError) as info:
            await alice.join_room(room, "alice", pin="p1n-4321")
        assert info.value.code == 421
        # Data channel traffic is logged at DEBUG, secrets and pins redacted.
        sent = [r.getMessage() for r in caplog.records if "textroom send" in r.getMessage()]
        assert any('"join"' in m or "'join'" in m for m in sent)
        for secret in ("s3cr3t-right", "s3cr3t-bad", "p1n-4321", "p1n-0000"):
            assert secret not in caplog.text
        await alice.destroy_room(room, "s3cr3t-right")

        # Refused before reaching Janus, naming the argument.
        for call, exc, word in [
            (alice.join_room("", "x"), ValueError, "room"),
            (alice.join_room(True, "x"), TypeError, "room"),  # type: ignore[arg-type]
            (alice.join_room(1, ""), ValueError, "username"),
            (alice.send_message(1, "x", to="a", tos=["b"]), ValueError, "tos"),
            (alice.send_message(1, 5), TypeError, "text"),  # type: ignore[arg-type]
            (alice.send_message(1, "x", tos=["ok", 3]), TypeError, r"tos\[1\]"),  # type: ignore[list-item]
            (alice.create_room(history=-1), ValueError, "history"),
            (alice.allowed(1, "add"), ValueError, "allowed"),
            (alice.edit_room(1), ValueError, "new_"),
            (alice.leave_room(1, timeout=0), ValueError, "timeout"),
            (alice.setup(), TextRoomStateError, "already set up"),
        ]:
            with pytest.raises(exc, match=word):
                await call

    # Without setup there is no data channel: the 0.9.x error, also an InvalidStateError.
    async with JanusSession(janus_ws_url) as session:
        plain = await session.attach(JanusTextRoomPlugin())
        with pytest.raises(TextRoomStateError) as state:
            await plain.send_message(1, "hi")
        assert isinstance(state.value, InvalidStateError)
        assert state.value.error_code == 0
        assert str(state.value) == "TextRoom error 0: DataChannel not established"
        assert await plain.exists(1) is False  # Janus API requests work without setup
        with pytest.raises(RequestTimeoutError):
            await plain.setup(timeout=0.001)
        assert plain.peer_connection is None and plain.pending_requests == 0
        await plain.destroy()


async def test_data_channel_request_deadlines(janus_ws_url: str) -> None:
    async with _participant(janus_ws_url) as alice:
        room = await alice.create_room()
        await alice.join_room(room, "alice")
        channel = alice.peer.data_channels[alice.data_channel_label]
        real_send = channel.send
        channel.send = lambda data: None  # frozen: nothing reaches Janus
        try:
            loop = asyncio.get_running_loop()
            start = loop.time()
            with pytest.raises(RequestTimeoutError) as info:
                await alice.send_message(room, "lost", timeout=0.3)
            assert 0.25 < loop.time() - start < 2.0
            assert info.value.request == "message" and info.value.timeout == 0.3
            assert isinstance(info.value, TimeoutError)
            assert alice.pending_requests == 0
            # A cancelled call leaves nothing behind either.
            task = asyncio.create_task(alice.leave_room(room, timeout=30))
            await asyncio.sleep(0.05)
            assert alice.pending_requests == 1
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert alice.pending_requests == 0
            # Closing fails the calls still pending.
            pending = asyncio.create_task(alice.leave_room(room, timeout=30))
            await asyncio.sleep(0.05)
            await alice.hangup()
            with pytest.raises(InvalidStateError):
                await asyncio.wait_for(pending, 5)
            assert alice.pending_requests == 0
            assert alice.joined_rooms == {} and not alice.data_channel_open
            # Janus 1.1.2 sets a TextRoom handle up only once.
            with pytest.raises(TextRoomError) as again:
                await alice.setup(timeout=5)
            assert again.value.code_name == "JANUS_TEXTROOM_ERROR_ALREADY_SETUP"
        finally:
            channel.send = real_send
        await alice.destroy_room(room)


def test_compat_names_and_coverage() -> None:
    assert missing("janus.plugin.textroom") == []
    err = TextRoomError(417, "No such room (1)")
    assert (err.code, err.error_code, err.error_message) == (417, 417, "No such room (1)")
    assert err.code_name == "JANUS_TEXTROOM_ERROR_NO_SUCH_ROOM"
    assert str(err) == "TextRoom error 417: No such room (1)"
    err = TextRoomError(error_code=421, error_message="Already in room 1")
    assert (err.code, str(err)) == (421, "TextRoom error 421: Already in room 1")
    err = TextRoomError("Unauthorized (wrong pin)", code=419, request="join")
    assert (err.error_code, err.code_name) == (419, "JANUS_TEXTROOM_ERROR_UNAUTHORIZED")
    assert [t.value for t in TextRoomEventType][:7] == [
        "join",
        "leave",
        "kicked",
        "destroyed",
        "message",
        "announcement",
        "error",
    ]
    for name in ("JanusTextRoomPlugin", "TextRoomError", "TextRoomEventType"):
        assert name in janus_client.__all__
    plugin = JanusTextRoomPlugin()
    with pytest.raises(ValueError, match="unknown TextRoom event"):
        plugin.on_event("nope", print)
