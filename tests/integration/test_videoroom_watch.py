"""VideoRoom `watch_room` against the real Janus, with real media: record and count."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from janus_client import JanusSession, JanusVideoRoomPlugin
from janus_client.plugins.videoroom import RoomWatcher, VideoRoomPublisher, WatchedPublisher

pytestmark = pytest.mark.usefixtures("media_address")


async def _publisher(session: JanusSession, room: Any, name: str) -> JanusVideoRoomPlugin:
    from janus_client.webrtc import FrameCounterVideoTrack, ToneAudioTrack

    plugin = await session.attach(JanusVideoRoomPlugin())
    await plugin.join_as_publisher(room, display=name)
    await plugin.publish(tracks=[ToneAudioTrack(), FrameCounterVideoTrack(320, 240)])
    await plugin.wait_webrtcup()
    return plugin


async def _next(it: Any) -> WatchedPublisher:
    watched: WatchedPublisher = await asyncio.wait_for(anext(it), 30)
    return watched


async def test_watch_room_subscribes_to_every_publisher_records_and_counts(
    janus_ws_url: str, tmp_path: Path
) -> None:
    import av

    async with JanusSession(janus_ws_url) as session:
        admin = await session.attach(JanusVideoRoomPlugin())
        room = await admin.create_room(description="watched", publishers=4)
        alice = await _publisher(session, room, "alice")

        seen: list[str | None] = []
        left: list[tuple[str | None, int]] = []

        async def on_leave(watched: WatchedPublisher) -> None:
            video = next(s for s in watched.stats_by_mid.values() if s.kind == "video")
            left.append((watched.publisher.display, video.frames))

        def target(publisher: VideoRoomPublisher) -> str:
            return str(tmp_path / f"{publisher.display}.mp4")

        bot = await session.attach(JanusVideoRoomPlugin())
        watcher = bot.watch_room(
            room,
            display="bot",
            record_to=target,
            read_counters=True,
            on_publisher=lambda w: seen.append(w.publisher.display),
            on_leave=on_leave,
        )
        assert isinstance(watcher, RoomWatcher)
        async with watcher:
            it = aiter(watcher)
            # The publisher already there: recorded, and its frames counted meanwhile.
            first = await _next(it)
            assert first.publisher.display == "alice" and first.id == alice.publisher_id
            stats = await first.plugin.wait_first_frame(kind="video")
            await asyncio.sleep(1.5)
            assert stats.frames > 10 and stats.counters[-1] > stats.counters[0]
            assert set(first.stats_by_mid) == {s.mid for s in first.plugin.streams}

            # A publisher who comes later is subscribed to as well.
            bob = await _publisher(session, room, "bob")
            second = await _next(it)
            assert second.publisher.display == "bob"
            await second.plugin.wait_first_frame(kind="video")
            await asyncio.sleep(1.5)
            assert set(watcher.subscriptions) == {alice.publisher_id, bob.publisher_id}

            # A publisher who stops publishing has its subscription closed.
            await alice.unpublish()
            for _ in range(200):
                if alice.publisher_id not in watcher.subscriptions and not first.plugin.attached:
                    break
                await asyncio.sleep(0.05)
            assert set(watcher.subscriptions) == {bob.publisher_id}
            assert left and left[0][0] == "alice" and left[0][1] > 10
            assert first.plugin.attached is False
            assert bot.participant_type is not None
        # Leaving the block closes every subscription and leaves the room.
        assert watcher.closed and watcher.subscriptions == {}
        assert [name for name, _ in left] == ["alice", "bob"]
        assert seen == ["alice", "bob"] and watcher.failures == 0
        assert second.plugin.attached is False and bot.participant_type is None
        ids = {p["id"] for p in await admin.list_participants(room)}
        assert ids == {alice.publisher_id, bob.publisher_id}
        for name in ("alice", "bob"):
            with av.open(str(tmp_path / f"{name}.mp4")) as container:
                decoded = sum(1 for _ in container.decode(video=0))
            assert decoded > 10, (name, decoded)
        await admin.destroy_room(room)


async def test_watch_room_ends_when_the_room_is_destroyed(janus_ws_url: str) -> None:
    async with JanusSession(janus_ws_url) as session:
        admin = await session.attach(JanusVideoRoomPlugin())
        room = await admin.create_room(description="short-lived")
        pub = await _publisher(session, room, "carol")
        bot = await session.attach(JanusVideoRoomPlugin())
        async with bot.watch_room(room) as watcher:
            watched = [w async for w in _until_closed(watcher, admin, room)]
            assert [w.publisher.display for w in watched] == ["carol"]
            assert watcher.closed
        assert watched[0].plugin.attached is False
        assert bot.participant_type is None  # reset by the destroyed event
        await pub.destroy()


async def _until_closed(watcher: RoomWatcher, admin: JanusVideoRoomPlugin, room: Any) -> Any:
    it = aiter(watcher)
    yield await _next(it)
    await admin.destroy_room(room)
    while True:
        try:
            yield await asyncio.wait_for(anext(it), 30)
        except StopAsyncIteration:
            return


async def test_watch_room_checks_its_arguments() -> None:
    plugin = JanusVideoRoomPlugin()
    with pytest.raises(ValueError, match="room"):
        plugin.watch_room(0)
    with pytest.raises(TypeError, match="on_publisher"):
        plugin.watch_room(1, on_publisher="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="record_to"):
        plugin.watch_room(1, record_to="/tmp/x.mp4")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        plugin.watch_room(1, timeout=-1)
