"""VoiceMail: record 2 s of audio to an Ogg Opus file on the server.

The VoiceMail plugin is off in most Janus installs (and in `janus-client serve`), so
this starts a private Janus with it, from the testing toolkit.
"""

import asyncio
import os

import av

from janus_client import JanusSession, JanusVoiceMailPlugin
from janus_client.testing import JanusServer
from janus_client.webrtc import ToneAudioTrack, set_host_addresses


async def main(server: JanusServer) -> None:
    async with JanusSession(server.ws_url) as session, JanusVoiceMailPlugin() as vm:
        await vm.attach(session)
        await vm.record(tracks=[ToneAudioTrack(440)])
        await vm.wait_started()
        await asyncio.sleep(2)
        done = await vm.stop()
        print(f"recording URL: {done.recording}")
        path = done.path_in(server.recordings_dir / "voicemail")
        for _ in range(50):  # Janus closes the file as the peer connection ends
            if path.exists() and path.stat().st_size:
                break
            await asyncio.sleep(0.1)
        print(
            f"file: {path.name}, {path.stat().st_size} bytes, starts with {path.read_bytes()[:4]!r}"
        )
        with av.open(str(path)) as container:  # PyAV reads it back
            stream = container.streams.audio[0]
            pts = [p.pts for p in container.demux(stream) if p.pts is not None]
            seconds = float((pts[-1] - pts[0]) * stream.time_base)
        print(f"{stream.codec_context.name} audio, {seconds:.2f} s")


if __name__ == "__main__":
    ice = os.environ.get("JANUS_ICE_ADDRESS")
    if ice:
        set_host_addresses([ice])
    janus = JanusServer(ice_address=ice, plugins=["voicemail"], enable_plugins=["voicemail"])
    janus.start()
    try:
        asyncio.run(main(janus))
    finally:
        janus.stop()
