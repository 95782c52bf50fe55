"""NoSIP: two handles bridged through plain RTP, as two non-WebRTC endpoints would be.

Each handle turns its WebRTC media into plain RTP on Janus' ports; the barebone
SDPs are exchanged here directly (in real use, your own signalling carries them).
"""

import asyncio
import os

from janus_client import JanusNoSipPlugin, JanusSession
from janus_client.plugins.nosip import bridge_nosip
from janus_client.webrtc import ToneAudioTrack, set_host_addresses

JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    async with (
        JanusSession(JANUS_URL) as session,
        JanusNoSipPlugin() as left,
        JanusNoSipPlugin() as right,
    ):
        await left.attach(session)
        await right.attach(session)
        bridge = await bridge_nosip(
            left, right, caller_tracks=[ToneAudioTrack(500)], callee_tracks=[ToneAudioTrack(700)]
        )
        print(
            f"plain RTP: left on port {bridge.offer.audio_port}, "
            f"right on port {bridge.answer.audio_port}"
        )
        await asyncio.sleep(2)
        for label, side in (("left", left), ("right", right)):
            audio = side.peer.stats["audio"]
            print(f"{label} received {audio.frames} audio frames ({audio.fps():.0f}/s)")
        await left.hangup()
        await right.hangup()


if __name__ == "__main__":
    asyncio.run(main())
