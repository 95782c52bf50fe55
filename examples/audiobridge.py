"""AudioBridge: an audio conference; each participant hears the mix of the others."""

import asyncio
import os
import socket

from janus_client import (
    AudioBridgeEvent,
    AudioBridgeEventType,
    JanusAudioBridgePlugin,
    JanusSession,
)
from janus_client.webrtc import ToneAudioTrack, set_host_addresses

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")

SECRET = "example-secret"


async def level(bridge: JanusAudioBridgePlugin, what: str) -> None:
    await asyncio.sleep(1.5)  # the level covers the last half second
    print(f"  {bridge.display_name} hears {what}: RMS {bridge.audio_level:.0f}")


async def main() -> None:
    # Gather ICE candidates only on the loopback address `janus-client serve`
    # gives Janus (it prints it as JANUS_ICE_ADDRESS).
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    async with JanusSession(JANUS_URL) as session:
        admin = await session.attach(JanusAudioBridgePlugin())
        created = await admin.create_room(
            description="example call", secret=SECRET, sampling_rate=48000
        )
        room = created.room
        print("created room", room)

        # Alice sends a tone; Bob only listens (no tracks: a receive-only offer).
        alice = await session.attach(JanusAudioBridgePlugin())
        bob = await session.attach(JanusAudioBridgePlugin())
        await alice.join(room, display="alice", tracks=[ToneAudioTrack(440)])
        bob_events = bob.events(AudioBridgeEvent)
        joined = await bob.join(room, display="bob")
        print("bob joined; already there:", [p.display for p in joined.participants])
        await asyncio.gather(alice.wait_webrtcup(), bob.wait_webrtcup())
        await level(bob, "alice's tone")

        # A moderator (anyone with the room's secret) mutes Alice.
        await admin.mute(room, alice.participant_id, secret=SECRET)
        event = await bob_events.get(timeout=5)
        while (
            event.type is not AudioBridgeEventType.PARTICIPANTS or not event.participants[0].muted
        ):
            event = await bob_events.get(timeout=5)
        print("bob was told alice is muted:", bob.room_participants[alice.participant_id].muted)
        await level(bob, "a muted alice")
        await admin.unmute(room, alice.participant_id, secret=SECRET)

        # Forward the mix as RTP (Opus) to a UDP socket here.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.setblocking(False)
            loop = asyncio.get_running_loop()
            forwarder = await admin.rtp_forward(
                room, "127.0.0.1", sock.getsockname()[1], secret=SECRET
            )
            packets = [await asyncio.wait_for(loop.sock_recv(sock, 2048), 5) for _ in range(10)]
            print(f"forwarder {forwarder.stream_id}: {len(packets)} RTP packets received")
            await admin.stop_rtp_forward(room, forwarder.stream_id, secret=SECRET)

        print("participants:", [p.display for p in await admin.participants(room)])
        await bob_events.aclose()
        for bridge in (alice, bob):
            await bridge.leave()
        await admin.destroy_room(room, secret=SECRET)
        print("left and destroyed room", room)


asyncio.run(main())
