"""Record&Play: record 2 s of synthetic audio and video, list the recordings, play it back."""

import asyncio
import os
import uuid

from janus_client import JanusRecordPlayPlugin, JanusSession
from janus_client.webrtc import set_host_addresses

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    name = f"example-{uuid.uuid4().hex[:6]}"
    async with JanusSession(JANUS_URL) as session:
        # Record: without tracks=, a tone and a frame-counter video are sent.
        async with await session.attach(JanusRecordPlayPlugin()) as recorder:
            recording = await recorder.record(name)
            await recorder.wait_webrtcup()
            await asyncio.sleep(2)
            await recorder.stop()
            await recorder.wait_done()
            print(f"recorded {name!r} as id {recording.id}")
            listed = [r for r in await recorder.list_recordings() if r.id == recording.id]
            print("listed:", [(r.name, r.audio_codec, r.video_codec) for r in listed])

        # Play it back on another handle: Janus offers, the plugin answers.
        async with await session.attach(JanusRecordPlayPlugin()) as player:
            assert recording.id is not None
            await player.play(recording.id)
            await player.wait_done(timeout=20)  # sent when the playout reaches the end
            frames = {s.kind: s.frames for s in player.track_stats.values()}
            print("played back:", frames)


if __name__ == "__main__":
    asyncio.run(main())
