"""VideoRoom cascading between two real Janus instances on loopback (remote publishers).

Instance A is the shared test Janus (ICE on 127.0.0.2); instance B is started per
test with ICE on its own address, 127.0.0.3, on a veth link this module creates
and removes. A publisher with real media on A is shown as a remote publisher on
B, and a subscriber on B receives its frames.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from janus_client import (
    CascadedPublisher,
    JanusSession,
    JanusVideoRoomPlugin,
    VideoRoomError,
    VideoRoomEvent,
    VideoRoomEventType,
    VideoRoomRemotization,
    VideoRoomStream,
    cascade_publisher,
)
from janus_client.coverage import JANUS_REQUESTS, missing
from janus_client.plugins.videoroom import remote_streams
from janus_client.testing import JanusServer
from janus_client.testing._network import extra_ice_address

B_ICE_ADDRESS = "127.0.0.3"
B_LINK = "jt15b"
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
    deadline = time.monotonic() + timeout
    while True:
        event = await stream.get(timeout=max(deadline - time.monotonic(), 0.01))
        if isinstance(event, VideoRoomEvent) and event.type is kind:
            return event


def _sub_mid(plugin: JanusVideoRoomPlugin, feed: Any, kind: str = "video") -> str | None:
    for stream in plugin.streams:
        if stream.feed_id == feed and stream.type == kind and stream.active is not False:
            return stream.mid
    return None


async def _participant_ids(
    plugin: JanusVideoRoomPlugin, room: Any, expected: list[Any], timeout: float = 5.0
) -> None:
    """Wait until a room lists exactly these participant ids.

    A remote publisher's thread joins (and leaves) the room just after the reply.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = [p["id"] for p in await plugin.list_participants(room)]
        if sorted(found) == sorted(expected):
            return
        assert time.monotonic() < deadline, f"participants {found}, expected {expected}"
        await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
def b_ice_address() -> Iterator[str]:
    """A second ICE address, for instance B (created here and removed afterwards)."""
    with extra_ice_address(B_ICE_ADDRESS, B_LINK) as present:
        if not present:
            reason = f"cascading needs a second ICE address ({B_ICE_ADDRESS}: root, iproute2)"
            if os.environ.get("JANUS_CLIENT_REQUIRE_JANUS", "") not in ("", "0"):
                pytest.fail(reason, pytrace=False)
            pytest.skip(reason)
        yield B_ICE_ADDRESS


@pytest.fixture
def instance_b(
    janus_server_factory: Callable[..., JanusServer], b_ice_address: str, media_address: str
) -> Iterator[JanusServer]:
    """Instance B: its own ports and its own ICE address.

    aiortc then gathers on both ICE addresses: a pair across the two addresses
    (aiortc on A's, Janus on B's) never connects on this set-up, a pair on one
    address does.
    """
    from janus_client import webrtc

    server = janus_server_factory(ice_address=b_ice_address)
    webrtc.set_host_addresses([media_address, b_ice_address])
    try:
        yield server
    finally:
        webrtc.set_host_addresses([media_address])


def _url(server: JanusServer, kind: str) -> str:
    return server.ws_url if kind == "ws" else server.http_url


# -------------------------------------------------------------- no Janus needed
def test_videoroom_has_all_31_requests() -> None:
    assert len(JANUS_REQUESTS["janus.plugin.videoroom"]) == 31
    assert missing("janus.plugin.videoroom") == []


async def test_arguments_are_checked_before_sending() -> None:
    room = JanusVideoRoomPlugin()  # not attached: a valid call would raise InvalidStateError
    video = {"mid": "1", "mindex": 1, "type": "video", "codec": "vp8"}
    audio = {"mid": "0", "mindex": 0, "type": "audio", "codec": "opus"}
    cases: list[tuple[Any, type[Exception], str]] = [
        (room.publish_remotely(1, 2, "", "127.0.0.1", 5000), ValueError, "remote_id"),
        (room.publish_remotely(1, 2, "r", "127.0.0.1", 0), ValueError, "port"),
        (room.publish_remotely(1, 2, "r", 7, 5000), TypeError, "host"),  # type: ignore[arg-type]
        (room.publish_remotely(1, 2, "r", "h", 5000, rtcp_port=70000), ValueError, "rtcp_port"),
        (room.publish_remotely(1, 2, "r", "h", 5000, host_family="v4"), ValueError, "host_family"),
        (room.publish_remotely(True, 2, "r", "h", 5000), TypeError, "room_id"),  # type: ignore[arg-type]
        (room.unpublish_remotely(1, -2, "r"), ValueError, "publisher_id"),
        (room.list_remotes(1, 2, secret=5), TypeError, "secret"),  # type: ignore[arg-type]
        (room.add_remote_publisher(1, []), ValueError, "streams"),
        (room.add_remote_publisher(1, {"mid": "0"}), TypeError, "streams"),  # type: ignore[arg-type]
        (room.add_remote_publisher(1, [video]), ValueError, "mindexes"),
        (room.add_remote_publisher(1, [{**audio, "codec": None}]), ValueError, "codec"),
        (room.add_remote_publisher(1, [{**audio, "type": "text"}]), ValueError, "type"),
        (room.add_remote_publisher(1, [{**audio, "fec": "y"}]), TypeError, "fec"),
        (room.add_remote_publisher(1, [{**audio, "colour": 1}]), ValueError, "colour"),
        (room.add_remote_publisher(1, [audio], port=-1), ValueError, "port"),
        (room.add_remote_publisher(1, [audio], publisher_id=""), ValueError, "publisher_id"),
        (room.update_remote_publisher(1, 2, []), ValueError, "streams"),
        (room.update_remote_publisher(1, 2, [{"mid": "3"}]), ValueError, "mindex"),
        (room.remove_remote_publisher(1, None), TypeError, "publisher_id"),  # type: ignore[arg-type]
    ]
    for call, error, name in cases:
        with pytest.raises(error, match=name):
            await call
    # Streams sort by mindex; VideoRoomStream objects convert.
    converted = remote_streams([VideoRoomStream.from_dict(video), audio])
    assert [s["mid"] for s in converted] == ["0", "1"] and converted[1]["codec"] == "vp8"
    with pytest.raises(ValueError, match="iface"):
        await cascade_publisher(room, room, 1, 2, [audio])
    checked: list[tuple[Any, type[Exception], str]] = [
        (cascade_publisher(room, None, 1, 2, [audio], iface="x"), TypeError, "target"),  # type: ignore[arg-type]
        (
            cascade_publisher(room, room, 1, 2, [audio], iface="x", remote_id=""),
            ValueError,
            "remote_id",
        ),
        (cascade_publisher(room, room, 1, 2, [audio], host=5), TypeError, "host"),  # type: ignore[arg-type]
        (
            cascade_publisher(room, room, 1, 2, [audio], iface="x", target_secret=1),
            TypeError,
            "target_secret",
        ),  # type: ignore[arg-type]
        (cascade_publisher(room, room, 1, 2, [video], iface="x"), ValueError, "mindexes"),
        (cascade_publisher(room, room, 1, 2, [audio], iface="x", timeout=0), ValueError, "timeout"),
    ]
    for call, error, name in checked:
        with pytest.raises(error, match=name):
            await call


# ------------------------------------------------------------------ real Janus
async def test_cascading_error_codes(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        vr = await session.attach(JanusVideoRoomPlugin())
        room = await vr.create_room(description="cascade errors")
        lobby = await session.attach(JanusVideoRoomPlugin())
        await lobby.join_as_publisher(room, display="lobby")
        pid = lobby.publisher_id
        assert pid is not None
        audio = [{"mid": "0", "mindex": 0, "type": "audio", "codec": "opus"}]
        with pytest.raises(VideoRoomError) as caught:
            await vr.publish_remotely(room, 424242, "r1", "127.0.0.1", 5000)
        assert caught.value.code == 428
        with pytest.raises(VideoRoomError) as caught:
            await vr.publish_remotely(987654321, pid, "r1", "127.0.0.1", 5000)
        assert caught.value.code == 426
        with pytest.raises(VideoRoomError) as caught:
            await vr.unpublish_remotely(room, pid, "never-published")
        assert caught.value.code == 428 and "remotization" in str(caught.value)
        with pytest.raises(VideoRoomError) as caught:
            await vr.list_remotes(room, 424242)
        assert caught.value.code == 428
        assert await vr.list_remotes(room, pid) == []
        with pytest.raises(VideoRoomError) as caught:
            await vr.add_remote_publisher(987654321, audio, iface="127.0.0.1")
        assert caught.value.code == 426
        with pytest.raises(VideoRoomError) as caught:
            await vr.add_remote_publisher(room, audio, publisher_id=pid, iface="127.0.0.1")
        assert caught.value.code == 436
        with pytest.raises(VideoRoomError) as caught:
            await vr.update_remote_publisher(room, 424242, audio)
        assert caught.value.code == 428
        with pytest.raises(VideoRoomError) as caught:  # a local publisher is not remote
            await vr.remove_remote_publisher(room, pid)
        assert caught.value.code == 428
        # A remote publisher cannot be remotized again (Janus 1.1.2).
        remote = await vr.add_remote_publisher(room, audio, display="far", iface="127.0.0.1")
        assert remote.ip == "127.0.0.1" and remote.port > 0 and remote.rtcp_port
        # Its thread puts it in the room just after the reply.
        deadline = time.monotonic() + 5
        while remote.id not in [p["id"] for p in await vr.list_participants(room)]:
            assert time.monotonic() < deadline, "remote publisher never joined"
            await asyncio.sleep(0.05)
        with pytest.raises(VideoRoomError) as caught:
            await vr.publish_remotely(room, remote.id, "again", "127.0.0.1", remote.port)
        assert caught.value.code == 430
        await vr.remove_remote_publisher(room, remote.id)
        await vr.destroy_room(room)


@media
async def test_cascade_failure_cleans_up(
    janus_server: JanusServer, instance_b: JanusServer
) -> None:
    async with (
        JanusSession(janus_server.ws_url) as on_a,
        JanusSession(instance_b.ws_url) as on_b,
    ):
        a = await on_a.attach(JanusVideoRoomPlugin())
        b = await on_b.attach(JanusVideoRoomPlugin())
        room_a = await a.create_room(description="A")
        room_b = await b.create_room(description="B")
        lobby = await on_a.attach(JanusVideoRoomPlugin())
        await lobby.join_as_publisher(room_a, display="lobby")
        streams = [{"mid": "0", "mindex": 0, "type": "audio", "codec": "opus"}]
        # A refuses (no such publisher): B's remote publisher is removed again.
        with pytest.raises(VideoRoomError) as caught:
            await cascade_publisher(
                a, b, room_a, 424242, streams, target_room_id=room_b, iface="127.0.0.1"
            )
        assert caught.value.code == 428
        await _participant_ids(b, room_b, [])
        # B refuses (no such room): nothing was done on A.
        assert lobby.publisher_id is not None
        with pytest.raises(VideoRoomError) as caught:
            await cascade_publisher(
                a,
                b,
                room_a,
                lobby.publisher_id,
                streams,
                target_room_id=987654321,
                iface="127.0.0.1",
            )
        assert caught.value.code == 426
        assert await a.list_remotes(room_a, lobby.publisher_id) == []
        await a.destroy_room(room_a)
        await b.destroy_room(room_b)


@media
async def test_cascade_media_between_two_instances(
    kind: str, janus_server: JanusServer, instance_b: JanusServer
) -> None:
    from janus_client.webrtc import FrameCounterVideoTrack, ToneAudioTrack

    assert janus_server.ice_address != instance_b.ice_address
    async with (
        JanusSession(_url(janus_server, kind)) as on_a,
        JanusSession(_url(instance_b, kind)) as on_b,
    ):
        # A: a room and a publisher sending a tone and a frame counter video.
        a = await on_a.attach(JanusVideoRoomPlugin())
        room_a = await a.create_room(description="cascade source")
        alice = await on_a.attach(JanusVideoRoomPlugin())
        await alice.join_as_publisher(room_a, display="alice")
        video = FrameCounterVideoTrack(320, 240)
        configured = await alice.publish(
            tracks=[ToneAudioTrack(), video],
            descriptions=[{"mid": "1", "description": "camera"}],
        )
        await alice.wait_webrtcup()
        alice_id = alice.publisher_id
        assert alice_id is not None
        streams = [VideoRoomStream.from_dict(s) for s in configured["streams"]]
        assert {s.type for s in streams} == {"audio", "video"}

        # B: the same room id, and a participant that watches who publishes.
        b = await on_b.attach(JanusVideoRoomPlugin())
        room_b = await b.create_room(room_a, description="cascade target")
        assert room_b == room_a
        lobby = await on_b.attach(JanusVideoRoomPlugin())
        await lobby.join_as_publisher(room_b, display="lobby")
        lobby_events = lobby.events(VideoRoomEvent)

        # One call: remote publisher on B (ports picked by B), forwarding on A.
        cascade = await cascade_publisher(
            a, b, room_a, alice_id, streams, iface="127.0.0.1", display="alice (from A)"
        )
        assert isinstance(cascade, CascadedPublisher)
        assert cascade.remote.id == alice_id and cascade.remote.room == room_b
        assert cascade.remote.ip == "127.0.0.1" and cascade.host == "127.0.0.1"
        remotes = await a.list_remotes(room_a, alice_id)
        assert remotes == [
            VideoRoomRemotization(
                remote_id=cascade.remote_id,
                host="127.0.0.1",
                port=cascade.remote.port,
                rtcp_port=cascade.remote.rtcp_port,
            )
        ]
        shown = await _until(lambda: lobby.publishers.get(alice_id), what="remote publisher on B")
        assert shown.display == "alice (from A)"
        listed = {p["id"]: p for p in await b.list_participants(room_b)}
        assert listed[alice_id].get("remote") is True  # B lists it as a remote publisher
        video_mid = next(s.mid for s in shown.streams if s.type == "video")

        # A subscriber on B gets the frames, in order.
        viewer = await on_b.attach(JanusVideoRoomPlugin())
        await viewer.join_as_subscriber(room_b, [{"feed": alice_id}], read_counters=True)
        await viewer.wait_webrtcup()
        mid = _sub_mid(viewer, alice_id)
        assert mid is not None
        stats = await _until(lambda: viewer.peer.stats_by_mid.get(mid), what="video track")
        await stats.wait_first_frame(timeout=10)
        start, counted_from = stats.frames, len(stats.counters)
        await asyncio.sleep(5)
        assert stats.frames - start >= 50, stats.frames - start
        assert (stats.width, stats.height) == (320, 240)
        counters = stats.counters[counted_from:]
        assert len(set(counters)) >= 50
        assert counters == sorted(counters), "frames out of order"
        assert max(counters) < video.frames_sent

        # update_remote_publisher changes a stream: B's participants hear of it.
        await cascade.update(
            [
                {
                    "mid": video_mid,
                    "mindex": 1,
                    "type": "video",
                    "codec": "vp8",
                    "description": "cascaded camera",
                }
            ]
        )

        def described() -> bool:
            shown = lobby.publishers.get(alice_id)
            stream = shown.stream(video_mid) if shown is not None else None
            return stream is not None and stream.description == "cascaded camera"

        await _until(described, what="the updated stream description on B")

        # unpublish_remotely on A stops the media; listremotes is empty again.
        await a.unpublish_remotely(room_a, alice_id, cascade.remote_id)
        assert await a.list_remotes(room_a, alice_id) == []
        await asyncio.sleep(0.4)
        before = stats.frames
        await asyncio.sleep(1.0)
        assert stats.frames - before <= 1, (before, stats.frames)

        # remove_remote_publisher on B: the viewer and the lobby see it leave.
        viewer_events = viewer.events(VideoRoomEvent)
        await b.remove_remote_publisher(room_b, alice_id)
        left = await _next(lobby_events, VideoRoomEventType.LEAVING)  # the thread "leaves"
        assert left.id == alice_id
        await _until(lambda: alice_id not in lobby.publishers, what="lobby update")
        await _next(viewer_events, VideoRoomEventType.UPDATED)
        await _until(lambda: _sub_mid(viewer, alice_id) is None, what="viewer update")
        # Both sides are gone already: stop() has nothing left to undo.
        await cascade.stop()
        assert cascade.stopped

        await viewer_events.aclose()
        await lobby_events.aclose()
        await viewer.leave()
        await alice.destroy()
        await a.destroy_room(room_a)
        await b.destroy_room(room_b)


@media
async def test_cascade_stop_undoes_both_sides(
    janus_server: JanusServer, instance_b: JanusServer
) -> None:
    from janus_client.webrtc import FrameCounterVideoTrack

    async with (
        JanusSession(janus_server.http_url) as on_a,
        JanusSession(instance_b.ws_url) as on_b,
    ):
        a = await on_a.attach(JanusVideoRoomPlugin())
        room_a = await a.create_room(description="A", secret="a-secret")
        b = await on_b.attach(JanusVideoRoomPlugin())
        room_b = await b.create_room(description="B", secret="b-secret")
        bob = await on_a.attach(JanusVideoRoomPlugin())
        await bob.join_as_publisher(room_a, display="bob")
        configured = await bob.publish(tracks=[FrameCounterVideoTrack(160, 120)])
        await bob.wait_webrtcup()
        assert bob.publisher_id is not None
        async with await cascade_publisher(
            a,
            b,
            room_a,
            bob.publisher_id,
            [VideoRoomStream.from_dict(s) for s in configured["streams"]],
            target_room_id=room_b,
            iface="127.0.0.1",
            remote_id="bob-to-b",
            remote_publisher_id=777,
            source_secret="a-secret",
            target_secret="b-secret",
        ) as cascade:
            assert cascade.remote.id == 777
            assert [
                r.remote_id
                for r in await a.list_remotes(room_a, bob.publisher_id, secret="a-secret")
            ] == ["bob-to-b"]
            await _participant_ids(b, room_b, [777])
            assert "b-secret" not in repr(cascade) and "a-secret" not in repr(cascade)
        assert await a.list_remotes(room_a, bob.publisher_id, secret="a-secret") == []
        await _participant_ids(b, room_b, [])  # B's side is gone too
        await bob.destroy()
        await a.destroy_room(room_a, secret="a-secret")
        await b.destroy_room(room_b, secret="b-secret")
