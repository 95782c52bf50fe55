"""VideoRoom against the real Janus: rooms, publishers, subscribers and real media."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import janus_client.coverage
from janus_client import (
    InvalidStateError,
    JanusSession,
    JanusVideoRoomPlugin,
    ParticipantType,
    VideoRoomError,
    VideoRoomEvent,
    VideoRoomEventType,
    VideoRoomStateError,
)
from janus_client.events import JanusEvent

SECRET = "vr-secret-5f1c"
PIN = "vr-pin-93ab"
media = pytest.mark.usefixtures("media_address")


# ----------------------------------------------------------------------- helpers
async def _until(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        await asyncio.sleep(0.05)


async def _next(stream: Any, kind: VideoRoomEventType, timeout: float = 10.0) -> VideoRoomEvent:
    """Return the next event of ``kind`` from an event stream."""
    deadline = time.monotonic() + timeout
    while True:
        event: JanusEvent = await stream.get(timeout=max(deadline - time.monotonic(), 0.01))
        if isinstance(event, VideoRoomEvent) and event.type is kind:
            return event


async def _mid_stats(plugin: JanusVideoRoomPlugin, mid: str, timeout: float = 10.0) -> Any:
    stats = await _until(lambda: plugin.peer.stats_by_mid.get(mid), timeout, f"track on mid {mid}")
    await stats.wait_first_frame(timeout=timeout)
    return stats


def _sub_mid(plugin: JanusVideoRoomPlugin, feed: Any, kind: str = "video") -> str | None:
    for stream in plugin.streams:
        if stream.feed_id == feed and stream.type == kind and stream.active is not False:
            return stream.mid
    return None


async def _flat(stats: Any, seconds: float = 1.0, settle: float = 0.4) -> tuple[int, int]:
    """Frames received over ``seconds`` after a short settle time."""
    await asyncio.sleep(settle)
    before = stats.frames
    await asyncio.sleep(seconds)
    return before, stats.frames


# -------------------------------------------------------------- no Janus needed
def test_every_request_has_a_method() -> None:
    assert janus_client.coverage.missing("janus.plugin.videoroom") == []


def test_error_forms() -> None:
    compat = VideoRoomError(426, "No such room")
    assert (compat.error_code, compat.error_message) == (426, "No such room")
    assert compat.code_name == "JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM"
    assert str(compat) == "VideoRoom error 426: No such room"
    lib = VideoRoomError("Unauthorized", plugin="janus.plugin.videoroom", code=433)
    assert (lib.error_code, lib.code_name) == (433, "JANUS_VIDEOROOM_ERROR_UNAUTHORIZED")
    state = VideoRoomStateError("not joined")
    assert isinstance(state, InvalidStateError) and state.error_code == -1
    assert len(VideoRoomError.code_names) == 18


async def test_arguments_are_checked_before_sending() -> None:
    room = JanusVideoRoomPlugin()
    with pytest.raises(TypeError, match="room_id"):
        await room.exists(True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="room_id"):
        await room.list_participants(-1)
    with pytest.raises(TypeError, match="secret"):
        await room.destroy_room(1, secret=1234)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="publishers"):
        await room.create_room(publishers="many")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="feed"):
        await room.join_as_subscriber(1, [{"mid": "0"}])
    with pytest.raises(TypeError, match="streams"):
        await room.subscribe({"feed": 1})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sub_mid"):
        await room.switch_publisher([{"feed": 1, "mid": "0"}])
    with pytest.raises(ValueError, match="port"):
        await room.rtp_forward(1, 2, [{"mid": "0", "port": 0}], host="127.0.0.1")
    with pytest.raises(ValueError, match="host"):
        await room.rtp_forward(1, 2, [{"mid": "0", "port": 5000}])
    with pytest.raises(ValueError, match="action"):
        await room.allowed(1, "ban")
    with pytest.raises(TypeError, match="mute"):
        await room.moderate_participant(1, 2, "0", "yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        await room.exists(1, timeout=0)
    with pytest.raises(ValueError, match="at least one"):
        await room.edit_room(1, secret="x")
    with pytest.raises(InvalidStateError):  # valid arguments, not attached
        await room.exists(1)


def test_events_are_typed() -> None:
    data = {
        "videoroom": "event",
        "room": 7,
        "publishers": [
            {
                "id": 5,
                "display": "bob",
                "streams": [{"type": "video", "mindex": 0, "mid": "0", "codec": "vp8"}],
            }
        ],
    }
    event = VideoRoomEvent.from_data(data)
    assert event.type is VideoRoomEventType.PUBLISHERS and event.room == 7
    assert event.publishers[0].id == 5 and event.publishers[0].mids("video") == ["0"]
    kicked = VideoRoomEvent.from_data({"videoroom": "event", "room": 7, "kicked": 5})
    assert (kicked.type, kicked.id) == (VideoRoomEventType.KICKED, 5)
    me = VideoRoomEvent.from_data({"videoroom": "event", "leaving": "ok", "reason": "kicked"})
    assert (me.type, me.id, me.reason) == (VideoRoomEventType.LEAVING, None, "kicked")
    mod = VideoRoomEvent.from_data(
        {"videoroom": "event", "room": 7, "id": 5, "mid": "0", "moderation": "muted"}
    )
    assert (mod.type, mod.id, mod.mid, mod.muted) == (VideoRoomEventType.MODERATION, 5, "0", True)
    err = VideoRoomEvent.from_data({"videoroom": "event", "error_code": 428, "error": "x"})
    assert (err.type, err.error_code) == (VideoRoomEventType.ERROR, 428)


# ------------------------------------------------------------------- signalling
async def test_room_management(janus_url: str, tmp_path: Path) -> None:
    async with JanusSession(janus_url) as session:
        admin = await session.attach(JanusVideoRoomPlugin())
        room = await admin.create_room(
            description="vr management", secret=SECRET, pin=PIN, rec_dir=str(tmp_path)
        )
        assert isinstance(room, int)
        assert await admin.exists(room) is True
        listed = next(r for r in await admin.list_rooms() if r["room"] == room)
        assert listed["description"] == "vr management" and listed["pin_required"] is True

        await admin.edit_room(room, secret=SECRET, new_description="renamed", new_publishers=5)
        listed = next(r for r in await admin.list_rooms() if r["room"] == room)
        assert (listed["description"], listed["max_publishers"]) == ("renamed", 5)

        # Errors carry the documented codes.
        with pytest.raises(VideoRoomError) as info:
            await admin.edit_room(room, secret="wrong", new_description="x")
        assert (info.value.code, info.value.code_name) == (
            433,
            "JANUS_VIDEOROOM_ERROR_UNAUTHORIZED",
        )
        with pytest.raises(VideoRoomError) as info:
            await admin.list_participants(room + 1_000_003)
        assert (info.value.code, info.value.code_name) == (
            426,
            "JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM",
        )
        assert await admin.exists(room + 1_000_003) is False
        with pytest.raises(VideoRoomError) as info:
            await admin.create_room(room)
        assert info.value.code_name == "JANUS_VIDEOROOM_ERROR_ROOM_EXISTS"

        # Joining: PIN, token ACL, duplicate ids.
        alice = await session.attach(JanusVideoRoomPlugin())
        with pytest.raises(VideoRoomError) as info:
            await alice.join_as_publisher(room, display="alice", pin="wrong")
        assert info.value.code == 433
        assert await admin.allowed(room, "add", ["tok-a", "tok-b"], secret=SECRET) == [
            "tok-a",
            "tok-b",
        ]
        await admin.allowed(room, "enable", secret=SECRET)
        with pytest.raises(VideoRoomError) as info:
            await alice.join_as_publisher(room, 4242, "alice", None, pin=PIN)
        assert info.value.code == 433
        joined = await alice.join_as_publisher(room, 4242, "alice", "tok-a", pin=PIN)
        assert (joined["videoroom"], joined["id"], joined["publishers"]) == ("joined", 4242, [])
        assert alice.participant_type is ParticipantType.PUBLISHER
        assert (alice.room_id, alice.publisher_id) == (room, 4242)
        assert isinstance(alice.private_id, int) and alice.display_name == "alice"
        with pytest.raises(VideoRoomStateError):
            await alice.join_as_subscriber(room, [{"feed": 4242}])
        assert await admin.allowed(room, "remove", ["tok-a"], secret=SECRET) == ["tok-b"]
        await admin.allowed(room, "disable", secret=SECRET)
        clone = await session.attach(JanusVideoRoomPlugin())
        with pytest.raises(VideoRoomError) as info:
            await clone.join_as_publisher(room, publisher_id=4242, pin=PIN)
        assert (info.value.code, info.value.code_name) == (436, "JANUS_VIDEOROOM_ERROR_ID_EXISTS")
        assert clone.participant_type is None

        participants = await admin.list_participants(room)
        assert [(p["id"], p["display"], p["publisher"]) for p in participants] == [
            (4242, "alice", False)
        ]

        # Destroying the room tells its participants.
        events = alice.events(VideoRoomEvent)
        with pytest.raises(VideoRoomError) as info:
            await admin.destroy_room(room, secret="wrong")
        assert info.value.code == 433
        await admin.destroy_room(room, SECRET)
        destroyed = await _next(events, VideoRoomEventType.DESTROYED)
        assert destroyed.room == room
        assert alice.participant_type is None and alice.room_id is None
        assert await admin.exists(room) is False
        await events.aclose()
        for plugin in (admin, alice, clone):
            await plugin.destroy()


async def test_secrets_and_pins_never_logged(
    janus_ws_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="janus_client"):
        async with JanusSession(janus_ws_url) as session:
            admin = await session.attach(JanusVideoRoomPlugin())
            room = await admin.create_room(secret=SECRET, pin=PIN, allowed=["tok-secret-1"])
            await admin.edit_room(room, secret=SECRET, new_pin=PIN + "2")
            member = await session.attach(JanusVideoRoomPlugin())
            await member.join_as_publisher(room, token="tok-secret-1", pin=PIN + "2")
            await admin.kick_participant(room, member.publisher_id or 0, SECRET)
            await admin.destroy_room(room, secret=SECRET)
    assert "'create'" in caplog.text and "***" in caplog.text  # the requests were logged
    for secret in (SECRET, PIN, "tok-secret-1"):
        assert secret not in caplog.text


# ------------------------------------------------------------------------ media
@media
async def test_publish_subscribe_update_pause_switch(janus_ws_url: str) -> None:
    from janus_client.webrtc import FrameCounterVideoTrack, ToneAudioTrack

    async with JanusSession(janus_ws_url) as session:
        admin = await session.attach(JanusVideoRoomPlugin())
        room = await admin.create_room(description="media", publishers=4)

        # Alice publishes 320x240 video and a tone.
        alice = await session.attach(JanusVideoRoomPlugin())
        await alice.join_as_publisher(room, display="alice")
        alice_video = FrameCounterVideoTrack(320, 240)
        configured = await alice.publish(
            tracks=[ToneAudioTrack(), alice_video],
            descriptions=[{"mid": "1", "description": "camera"}],
        )
        assert configured["configured"] == "ok" and alice.is_publishing
        await alice.wait_webrtcup()
        alice_id = alice.publisher_id

        # A lobby participant (joined, not publishing) sees who publishes.
        lobby = await session.attach(JanusVideoRoomPlugin())
        compat_publishers: list[dict[str, Any]] = []
        lobby.on_event(VideoRoomEventType.PUBLISHERS, compat_publishers.append)
        await lobby.join_as_publisher(room, display="lobby")
        lobby_events = lobby.events(VideoRoomEvent)
        assert lobby.publishers[alice_id].display == "alice"  # type: ignore[index]
        camera = lobby.publishers[alice_id].stream("1")  # type: ignore[index]
        assert camera is not None and camera.description == "camera"

        # Two subscribers: the multistream API and the 0.9.x one.
        sub1 = await session.attach(JanusVideoRoomPlugin())
        attached = await sub1.join_as_subscriber(
            room, [{"feed": alice_id}], private_id=lobby.private_id, read_counters=True
        )
        assert attached.type is VideoRoomEventType.ATTACHED and attached.jsep is not None
        assert sub1.participant_type is ParticipantType.SUBSCRIBER
        assert {s.type for s in sub1.streams} == {"audio", "video"}
        sub2 = await session.attach(JanusVideoRoomPlugin())
        data = await sub2.subscribe_to_publisher(room, alice_id, read_counters=True)  # type: ignore[arg-type]
        assert data["videoroom"] == "attached"
        sub1_alice = _sub_mid(sub1, alice_id)
        sub2_alice = _sub_mid(sub2, alice_id)
        assert sub1_alice is not None and sub2_alice is not None
        await sub1.wait_webrtcup()
        await sub2.wait_webrtcup()
        stats1 = await _mid_stats(sub1, sub1_alice)
        stats2 = await _mid_stats(sub2, sub2_alice)
        start1, start2 = stats1.frames, stats2.frames
        await asyncio.sleep(5)
        for stats, start in ((stats1, start1), (stats2, start2)):
            assert stats.frames - start >= 50, stats.frames - start
            assert (stats.width, stats.height) == (320, 240)
            assert len(set(stats.counters)) >= 50
            assert max(stats.counters) < alice_video.frames_sent
        audio_mid = _sub_mid(sub1, alice_id, "audio")
        assert audio_mid is not None and sub1.peer.stats_by_mid[audio_mid].frames > 0
        assert sub2.peer.stats["audio"].frames > 0
        pc1 = sub1.peer

        # Bob joins and publishes 192x144 video in one request.
        bob = await session.attach(JanusVideoRoomPlugin())
        joined = await bob.join_and_configure(
            room, tracks=[FrameCounterVideoTrack(192, 144)], display="bob"
        )
        assert joined.type is VideoRoomEventType.JOINED and bob.is_publishing
        bob_id = bob.publisher_id
        assert joined.id == bob_id and [p.id for p in joined.publishers] == [alice_id]
        news = await _next(lobby_events, VideoRoomEventType.PUBLISHERS)
        assert [p.id for p in news.publishers] == [bob_id]
        assert [p["id"] for p in compat_publishers[-1]["publishers"]] == [bob_id]
        bob_video = news.publishers[0].mids("video")[0]
        assert bob_id in lobby.publishers

        # Subscriber 1 adds Bob's video: a new mid on the same peer connection.
        updated = await sub1.subscribe([{"feed": bob_id, "mid": bob_video}])
        assert updated.type in (VideoRoomEventType.UPDATED, VideoRoomEventType.UPDATING)
        sub1_bob = await _until(lambda: _sub_mid(sub1, bob_id), what="Bob's stream")
        bob_stats = await _mid_stats(sub1, sub1_bob)
        assert sub1.peer is pc1 and sub1_bob != sub1_alice
        await _until(lambda: bob_stats.frames >= 20, what="20 frames of Bob")
        assert (bob_stats.width, bob_stats.height) == (192, 144)

        # Unsubscribing stops Bob's frames; Alice's keep flowing.
        await sub1.unsubscribe([{"sub_mid": sub1_bob}])
        alice_before = stats1.frames
        before, after = await _flat(bob_stats)
        assert after - before <= 1, (before, after)
        assert stats1.frames - alice_before >= 20

        # Pause stops subscriber 2's media, start resumes it.
        paused = await sub2.pause()
        assert paused.type is VideoRoomEventType.PAUSED
        before, after = await _flat(stats2)
        assert after - before <= 1, (before, after)
        started = await sub2.start()
        assert started.type is VideoRoomEventType.STARTED
        await _until(lambda: stats2.frames >= after + 20, what="frames after start")

        # Switch subscriber 2's video m-line from Alice to Bob: no renegotiation.
        switched = await sub2.switch_publisher(
            [{"feed": bob_id, "mid": bob_video, "sub_mid": sub2_alice}]
        )
        assert switched.type is VideoRoomEventType.SWITCHED and switched.changes == 1
        assert _sub_mid(sub2, bob_id) == sub2_alice
        await _until(lambda: stats2.width == 192, timeout=10, what="Bob's frames after switch")

        # Alice unpublishes: the lobby hears it, subscriber 1 gets Janus' new offer,
        # answered on the same peer connection.
        sub1_events = sub1.events(VideoRoomEvent)
        await alice.unpublish()
        assert not alice.is_publishing and alice.peer_connection is None
        gone = await _next(lobby_events, VideoRoomEventType.UNPUBLISHED)
        assert gone.id == alice_id and alice_id not in lobby.publishers
        renegotiated = await _next(sub1_events, VideoRoomEventType.UPDATED)
        assert renegotiated.jsep is not None and renegotiated.jsep["type"] == "offer"
        assert sub1.peer_connection is pc1 and not pc1.closed

        # Leaving and detaching close the peer connections.
        await sub1.leave()
        assert sub1.peer_connection is None and sub1.participant_type is None
        await bob.destroy()
        assert bob.peer_connection is None
        await lobby_events.aclose()
        await sub1_events.aclose()
        await admin.destroy_room(room)


@media
async def test_forward_record_moderate_kick(janus_ws_url: str, tmp_path: Path) -> None:
    from janus_client.webrtc import FrameCounterVideoTrack, ToneAudioTrack

    rec_dir = tmp_path / "rec"
    rec_dir.mkdir()
    async with JanusSession(janus_ws_url) as session:
        admin = await session.attach(JanusVideoRoomPlugin())
        room = await admin.create_room(secret=SECRET, rec_dir=str(rec_dir))
        pub = await session.attach(JanusVideoRoomPlugin())
        await pub.join_as_publisher(room, display="pub")
        configured = await pub.publish(tracks=[ToneAudioTrack(), FrameCounterVideoTrack(160, 120)])
        mids = {s["type"]: s["mid"] for s in configured["streams"]}
        await pub.wait_webrtcup()
        pub_id = pub.publisher_id
        assert pub_id is not None
        lobby = await session.attach(JanusVideoRoomPlugin())
        await lobby.join_as_publisher(room, display="lobby")
        lobby_events = lobby.events(VideoRoomEvent)

        # RTP forwarding to a local UDP socket.
        loop = asyncio.get_running_loop()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.setblocking(False)
            port = sock.getsockname()[1]
            forwarders = await admin.rtp_forward(
                room,
                pub_id,
                [{"mid": mids["video"], "port": port}],
                host="127.0.0.1",
                secret=SECRET,
            )
            assert forwarders[0].port == port and forwarders[0].type == "video"
            assert forwarders[0].raw["port"] == port
            stream_id = forwarders[0].stream_id
            assert stream_id is not None
            packets = [await asyncio.wait_for(loop.sock_recv(sock, 2048), 5) for _ in range(10)]
            assert all(p[0] >> 6 == 2 for p in packets)  # RTP version 2
            listed = await admin.list_forwarders(room, secret=SECRET)
            assert listed[0].publisher_id == pub_id
            assert [f.stream_id for f in listed[0].forwarders] == [stream_id]
            await admin.stop_rtp_forward(room, pub_id, stream_id, secret=SECRET)
            assert await admin.list_forwarders(room, secret=SECRET) == []
            await asyncio.sleep(0.3)
            while True:  # drain what was in flight
                try:
                    sock.recv(2048)
                except BlockingIOError:
                    break
            await asyncio.sleep(1.0)
            with pytest.raises(BlockingIOError):
                sock.recv(2048)

        # Recording: the whole room, then the publisher's own (a file name relative
        # to the room's rec_dir); configure's new display name reaches the others.
        assert await admin.enable_recording(room, True, secret=SECRET) is True
        await asyncio.sleep(1.5)
        assert await admin.enable_recording(room, False, secret=SECRET) is False
        room_files = list(rec_dir.glob("videoroom-*.mjr"))
        assert {"audio", "video"} <= {p.name.split("-")[-2] for p in room_files}, room_files
        configured_event = await pub.configure(
            record=True, filename="own", display="renamed", bitrate=128_000
        )
        assert configured_event.type is VideoRoomEventType.CONFIGURED
        await asyncio.sleep(1.5)
        await pub.configure(record=False)
        own = sorted(p.name for p in rec_dir.glob("own-*.mjr"))
        assert own == [f"own-audio-{mids['audio']}.mjr", f"own-video-{mids['video']}.mjr"]
        assert all(p.stat().st_size > 1000 for p in rec_dir.glob("*.mjr"))
        renamed = await _next(lobby_events, VideoRoomEventType.DISPLAY)
        assert (renamed.id, renamed.display) == (pub_id, "renamed")
        assert lobby.publishers[pub_id].display == "renamed"

        # Moderation mutes the publisher's audio.
        await admin.moderate_participant(room, pub_id, mids["audio"], True, SECRET)
        muted = await _next(lobby_events, VideoRoomEventType.MODERATION)
        assert (muted.id, muted.mid, muted.muted) == (pub_id, mids["audio"], True)
        audio = lobby.publishers[pub_id].stream(mids["audio"])
        assert audio is not None and audio.moderated is True

        # Kicking: the participant is told and loses its media, the others too.
        pub_events = pub.events(VideoRoomEvent)
        await admin.kick_participant(room, pub_id, SECRET)
        leaving = await _next(pub_events, VideoRoomEventType.LEAVING)
        assert (leaving.id, leaving.reason) == (None, "kicked")
        kicked = await _next(lobby_events, VideoRoomEventType.KICKED)
        assert kicked.id == pub_id and pub_id not in lobby.publishers
        await _until(lambda: pub.peer_connection is None, what="the kicked pc to close")
        assert pub.participant_type is None and not pub.is_publishing
        assert [p["id"] for p in await admin.list_participants(room)] == [lobby.publisher_id]
        await pub_events.aclose()
        await lobby_events.aclose()
        await admin.destroy_room(room, secret=SECRET)


@media
async def test_session_close_with_active_subscriber(janus_ws_url: str) -> None:
    from janus_client.webrtc import FrameCounterVideoTrack, open_peer_connections

    session = JanusSession(janus_ws_url)
    admin = await session.attach(JanusVideoRoomPlugin())
    room = await admin.create_room()
    pub = await session.attach(JanusVideoRoomPlugin())
    await pub.join_and_configure(room, tracks=[FrameCounterVideoTrack(160, 120)])
    await pub.wait_webrtcup()  # Janus offers a feed once its peer connection is up
    sub = await session.attach(JanusVideoRoomPlugin())
    await sub.join_as_subscriber(room, [{"feed": pub.publisher_id}])
    mid = _sub_mid(sub, pub.publisher_id)
    assert mid is not None
    await _mid_stats(sub, mid)
    assert len(open_peer_connections()) == 2
    await session.destroy()
    assert open_peer_connections() == []
    assert sub.peer_connection is None and sub.participant_type is None
    with pytest.raises(InvalidStateError):
        await sub.pause()
    await sub.destroy()  # idempotent
