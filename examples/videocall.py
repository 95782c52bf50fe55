"""VideoCall: two users on two sessions call each other with synthetic media."""

import asyncio
import os
import uuid

from janus_client import JanusSession, JanusVideoCallPlugin
from janus_client.webrtc import FrameCounterVideoTrack, ToneAudioTrack, set_host_addresses

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


def video_frames(plugin: JanusVideoCallPlugin) -> int:
    """Frames of video received so far (0 until the remote track arrived)."""
    stats = plugin.peer.stats.get("video")
    return stats.frames if stats is not None else 0


async def main() -> None:
    # Gather ICE candidates only on the loopback address `janus-client serve`
    # gives Janus (it prints it as JANUS_ICE_ADDRESS).
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    suffix = uuid.uuid4().hex[:6]  # usernames are global on the server
    alice_name, bob_name = f"alice-{suffix}", f"bob-{suffix}"
    url = JANUS_URL
    async with JanusSession(url) as session_a, JanusSession(url) as session_b:
        alice, bob = JanusVideoCallPlugin(), JanusVideoCallPlugin()
        await alice.attach(session_a)
        await bob.attach(session_b)
        await alice.register(alice_name)
        await bob.register(bob_name)
        print("registered:", sorted(u for u in await bob.list_users() if u.endswith(suffix)))

        # Alice calls. Without tracks=, call() and accept() send a tone and a
        # 640x480 frame-counter video; here the video is smaller.
        await alice.call(bob_name, tracks=[ToneAudioTrack(), FrameCounterVideoTrack(320, 240)])
        # --8<-- [start:incoming]
        caller, _offer = await bob.wait_incoming_call(timeout=10)
        print(f"{bob_name}: incoming call from {caller}")
        await bob.accept(tracks=[ToneAudioTrack(880), FrameCounterVideoTrack(320, 240)])
        print(f"{alice_name}: call accepted by {await alice.wait_accepted(timeout=10)}")
        # --8<-- [end:incoming]
        await asyncio.gather(alice.wait_webrtcup(), bob.wait_webrtcup())

        await asyncio.sleep(2)
        print(f"after 2 s: {alice_name} received {video_frames(alice)} video frames, "
              f"{bob_name} {video_frames(bob)}")

        # Change the call's settings: here, a bitrate cap for what Alice sends.
        print("bitrate capped at 256 kbit/s:", await alice.set_media(bitrate=256_000))

        await bob.hangup()
        reason = await alice.wait_hangup(timeout=10)
        print(f"{bob_name} hung up; {alice_name} was told: {reason}")
        await alice.destroy()  # detaching frees the usernames
        await bob.destroy()


asyncio.run(main())
