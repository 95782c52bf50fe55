"""VideoCall with real WebRTC media: two sessions, two users, a call between them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from janus_client import (
    InvalidStateError,
    JanusSession,
    JanusVideoCallPlugin,
    VideoCallError,
    VideoCallEvent,
    VideoCallEventType,
)
from janus_client.webrtc import (
    FrameCounterVideoTrack,
    JanusPeerConnection,
    ToneAudioTrack,
    TrackStats,
    open_peer_connections,
)

pytestmark = pytest.mark.usefixtures("media_address")


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def _until(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll ``check`` until it returns something truthy (callbacks run in a task)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)


async def _stats(pc: JanusPeerConnection, kind: str) -> TrackStats:
    stats: TrackStats = await _until(lambda: pc.stats.get(kind), timeout=10)
    return stats


async def _next(stream: Any, kind: VideoCallEventType, timeout: float = 10.0) -> VideoCallEvent:
    while True:
        event = await stream.get(timeout=timeout)
        if isinstance(event, VideoCallEvent) and event.type is kind:
            return event


async def test_call_media_set_and_hangup(janus_url: str) -> None:
    async with JanusSession(janus_url) as session_a, JanusSession(janus_url) as session_b:
        alice = JanusVideoCallPlugin()
        bob = JanusVideoCallPlugin()
        await alice.attach(session_a)
        await bob.attach(session_b)
        a_name, b_name = _name("alice"), _name("bob")
        assert await alice.register(a_name) is True
        assert await bob.register(b_name) is True
        assert (alice.username, bob.username) == (a_name, b_name)
        assert {a_name, b_name} <= set(await bob.list_users())

        bob_typed: list[VideoCallEvent] = []
        bob_compat: list[dict[str, Any]] = []
        bob.on_event(VideoCallEvent, bob_typed.append)
        bob.on_event(VideoCallEventType.INCOMINGCALL, bob_compat.append)
        alice_compat: list[dict[str, Any]] = []

        async def on_hangup(data: dict[str, Any]) -> None:
            alice_compat.append(data)

        alice.on_event(VideoCallEventType.HANGUP, on_hangup)
        alice.on_event("set", alice_compat.append)  # a reply: never called
        alice_events = alice.events(VideoCallEvent)

        # Alice calls with a frame counter and a tone.
        a_video = FrameCounterVideoTrack(320, 240, fps=30)
        assert await alice.call(b_name, tracks=[ToneAudioTrack(), a_video], read_counters=True)
        assert alice.in_call and alice.call_state == "calling"
        assert alice.peer_connection is not None

        # Bob's phone rings: the helper, the typed event and the 0.9.x-style dict.
        caller, offer = await bob.wait_incoming_call(timeout=10)
        assert caller == a_name
        assert offer is not None and offer["type"] == "offer"
        await _until(lambda: bob_compat)
        assert bob_compat == [{"event": "incomingcall", "username": a_name, "jsep": offer}]
        ring = [e for e in bob_typed if e.type is VideoCallEventType.INCOMINGCALL]
        assert len(ring) == 1 and ring[0].username == a_name and ring[0].transaction is None
        assert bob.peer_connection is None  # the offer waits for accept()

        # Bob accepts with his own media; Alice gets the answer in an event.
        b_video = FrameCounterVideoTrack(320, 240, fps=30)
        assert await bob.accept(tracks=[ToneAudioTrack(880), b_video], read_counters=True)
        assert bob.call_state == "active" and bob.peer_username == a_name
        assert await alice.wait_accepted(timeout=10) == b_name
        accepted = await _next(alice_events, VideoCallEventType.ACCEPTED)
        assert accepted.username == b_name and accepted.transaction is None
        assert accepted.jsep is not None and accepted.jsep["type"] == "answer"
        await asyncio.gather(alice.wait_webrtcup(), bob.wait_webrtcup())

        # Each side receives the other's frames, with the other's numbers.
        a_stats = await _stats(alice.peer, "video")
        b_stats = await _stats(bob.peer, "video")
        await asyncio.gather(a_stats.wait_first_frame(10), b_stats.wait_first_frame(10))
        a0, b0 = a_stats.frames, b_stats.frames
        await asyncio.sleep(3)
        assert a_stats.frames - a0 >= 30, a_stats.frames - a0
        assert b_stats.frames - b0 >= 30, b_stats.frames - b0
        assert len(set(a_stats.counters)) >= 30
        assert max(a_stats.counters) < b_video.frames_sent
        assert len(set(b_stats.counters)) >= 30
        assert max(b_stats.counters) < a_video.frames_sent
        assert (await _stats(alice.peer, "audio")).frames > 0
        assert (await _stats(bob.peer, "audio")).frames > 0

        # A bitrate cap mid-call: confirmed, and frames keep flowing both ways.
        assert await alice.set_media(bitrate=256_000) is True
        assert await bob.set_media(bitrate=300_000, audio=True, video=True) is True
        a1, b1 = a_stats.frames, b_stats.frames
        await asyncio.sleep(1.5)
        assert a_stats.frames - a1 >= 15, a_stats.frames - a1
        assert b_stats.frames - b1 >= 15, b_stats.frames - b1

        # Bob hangs up: both peer connections close, Alice gets the event.
        assert await bob.hangup() is True
        assert bob.peer_connection is None and not bob.in_call
        assert await alice.wait_hangup(timeout=10)  # Janus' core or plugin reason
        assert alice.peer_connection is None and not alice.in_call
        hangup = await _next(alice_events, VideoCallEventType.HANGUP)
        assert hangup.username == b_name and hangup.transaction is None
        # Janus' default reason; its "Remote WebRTC hangup" may come first or after.
        await _until(lambda: alice.hangup_reason == "We did the hangup")
        await _until(lambda: alice_compat)
        # Janus may send a second hangup ("Remote WebRTC hangup") once Bob's PC closed.
        assert alice_compat[0] == hangup.result
        assert all(d["event"] == "hangup" and d["username"] == b_name for d in alice_compat)
        with pytest.raises(InvalidStateError):
            alice.peer  # noqa: B018
        await alice_events.aclose()
        await alice.destroy()
        await bob.destroy()
        assert open_peer_connections() == []


async def test_errors(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        alice = await session.attach(JanusVideoCallPlugin())
        other = await session.attach(JanusVideoCallPlugin())
        name = _name("taken")
        assert await alice.register(name)

        with pytest.raises(VideoCallError) as info:
            await other.register(name)
        assert info.value.code == 476
        assert info.value.code_name == "JANUS_VIDEOCALL_ERROR_USERNAME_TAKEN"
        assert info.value.error_code == 476
        assert info.value.error_message == info.value.reason
        assert info.value.request == "register"

        with pytest.raises(VideoCallError) as info:
            await alice.call(_name("nobody"), tracks=[])
        assert info.value.code == 478
        assert info.value.code_name == "JANUS_VIDEOCALL_ERROR_NO_SUCH_USERNAME"
        assert info.value.error_code == 478
        assert alice.peer_connection is None and not alice.in_call

        with pytest.raises(VideoCallError) as info:
            await alice.call(name, tracks=[])
        assert info.value.code == 479  # calling ourselves
        assert alice.peer_connection is None

        with pytest.raises(ValueError, match="substream"):  # refused before sending
            await alice.set_media(substream=7)
        with pytest.raises(VideoCallError) as info:  # what Janus answers to it
            await alice.message({"request": "set", "substream": 7})
        assert info.value.code == 474

        # Refused before reaching Janus, with code 0 as in 0.9.x.
        with pytest.raises(VideoCallError) as info:
            await alice.register(_name("again"))
        assert info.value.error_code == 0 and info.value.code_name is None
        with pytest.raises(VideoCallError) as info:
            await other.call(name)
        assert info.value.error_code == 0
        with pytest.raises(VideoCallError) as info:
            await alice.accept()
        assert info.value.error_code == 0
        with pytest.raises(ValueError, match="unknown VideoCall event"):
            alice.on_event("ringing", print)
        assert other.peer_connection is None
        await alice.destroy()
        await other.destroy()
        assert open_peer_connections() == []


async def test_decline_busy_and_renegotiation(janus_ws_url: str) -> None:
    async with JanusSession(janus_ws_url) as session:
        alice, bob, carol = (JanusVideoCallPlugin() for _ in range(3))
        for plugin in (alice, bob, carol):
            await plugin.attach(session)
        a_name, b_name, c_name = _name("alice"), _name("bob"), _name("carol")
        for plugin, name in ((alice, a_name), (bob, b_name), (carol, c_name)):
            assert await plugin.register(name)

        # Bob declines: Alice's wait for acceptance fails, her media is closed.
        assert await alice.call(b_name, tracks=[])
        await bob.wait_incoming_call(timeout=10)
        assert await bob.hangup(reason="not now")
        with pytest.raises(VideoCallError, match="the call ended"):
            await alice.wait_accepted(timeout=10)
        assert alice.peer_connection is None and not alice.in_call
        await _until(lambda: alice.hangup_reason == "not now")

        # A real call, then Carol finds Bob busy.
        b_video = FrameCounterVideoTrack(320, 240)
        assert await alice.call(b_name, tracks=[ToneAudioTrack()])
        await bob.wait_incoming_call(timeout=10)
        assert await bob.accept(tracks=[b_video])
        await alice.wait_accepted(timeout=10)
        assert await carol.call(b_name, tracks=[]) is False
        assert carol.hangup_reason == "User busy" and carol.peer_connection is None

        # Alice renegotiates: Bob answers the update automatically.
        bob_updates: list[dict[str, Any]] = []
        bob.on_event(VideoCallEventType.UPDATE, bob_updates.append)
        a_stats = await _stats(alice.peer, "video")
        await a_stats.wait_first_frame(10)
        await alice.renegotiate()
        assert alice.peer.pc.signalingState == "stable"
        assert bob.peer.pc.signalingState == "stable"
        await _until(lambda: bob_updates)
        assert bob_updates[0]["event"] == "update" and bob_updates[0]["jsep"]["type"] == "offer"
        frames = a_stats.frames
        await asyncio.sleep(1)
        assert a_stats.frames - frames >= 10
        assert alice.in_call and bob.in_call

        # Detaching Alice ends the call for Bob too.
        await alice.destroy()
        assert alice.peer_connection is None and alice.username is None
        await bob.wait_hangup(timeout=10)
        assert bob.peer_connection is None
        await bob.destroy()
        await carol.destroy()
        assert open_peer_connections() == []
