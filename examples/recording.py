"""Record a call without re-encoding: the echoed VP8 and Opus go to a .mkv as received."""

import asyncio
import os
import tempfile
from pathlib import Path

import av

from janus_client import JanusEchoTestPlugin, JanusSession
from janus_client.webrtc import set_host_addresses

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main(target: Path) -> None:
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    async with JanusSession(JANUS_URL) as session:
        echo = JanusEchoTestPlugin()
        await echo.attach(session)
        # --8<-- [start:record]
        # A .mkv (or .webm) path: the frames are written as they arrive, not decoded.
        await echo.start(record_to=str(target), data_channel=False)
        await echo.wait_webrtcup(timeout=10)
        await asyncio.sleep(3)
        recorder = echo.peer.recorder  # chosen once the codecs are negotiated
        await echo.close_stream()  # closes the peer connection and finishes the file
        # --8<-- [end:record]
    print(f"recorded with {type(recorder).__name__}:")
    for track in recorder.tracks:
        print(f"  {track.kind}: {track.codec}, {track.frames_written} of "
              f"{track.frames_received} frames received, {track.duration:.2f} s")
    with av.open(str(target)) as container:
        for stream in container.streams:
            packets = sum(1 for p in container.demux(stream) if p.size)
            container.seek(0)
            print(f"  in the file: {stream.type} {stream.codec_context.name}, {packets} frames")


with tempfile.TemporaryDirectory() as folder:
    asyncio.run(main(Path(folder) / "echo.mkv"))
