"""NoSIP (two handles bridged through plain RTP) and VoiceMail (an Ogg Opus file)."""

from __future__ import annotations

import asyncio
import time

import pytest
from sip_helpers import AudioProbe, sip_janus, tone, until, url

from janus_client import InvalidStateError, JanusSession
from janus_client.plugins.nosip import (
    JanusNoSipPlugin,
    NoSipError,
    NoSipEvent,
    bridge_nosip,
)
from janus_client.plugins.voicemail import JanusVoiceMailPlugin, VoiceMailStatus
from janus_client.testing import JanusServer

__all__ = ["sip_janus", "url"]  # fixtures

pytestmark = pytest.mark.usefixtures("media_address")


async def test_nosip_bridge_audio_both_ways(url: str) -> None:
    async with JanusSession(url) as session:
        a, b = JanusNoSipPlugin(), JanusNoSipPlugin()
        await a.attach(session)
        await b.attach(session)
        probe_a, probe_b = AudioProbe(), AudioProbe()
        try:
            bridge = await bridge_nosip(
                a,
                b,
                caller_tracks=[tone(500.0)],
                callee_tracks=[tone(700.0)],
                caller_on_track=probe_a,
                callee_on_track=probe_b,
            )
            assert bridge.offer.type == "offer" and bridge.answer.type == "answer"
            assert "RTP/AVP" in bridge.offer.sdp and "c=IN IP4 127.0.0.1" in bridge.offer.sdp
            assert bridge.offer.audio_port and bridge.answer.audio_port
            assert bridge.offer.audio_port != bridge.answer.audio_port
            await until(lambda: len(probe_a.frames) > 5 and len(probe_b.frames) > 5, 10)
            start = time.monotonic()
            await asyncio.sleep(3.0)
            fps_a, fps_b = probe_a.fps(start), probe_b.fps(start)
            assert fps_a >= 45 and fps_b >= 45, (fps_a, fps_b)
            # each side hears the other's tone
            assert abs(probe_a.frequency() - 700.0) < 35, probe_a.frequency()
            assert abs(probe_b.frequency() - 500.0) < 25, probe_b.frequency()
            ack = await a.hangup()
            assert ack.event == "hangingup"
            await b.hangup()
            await until(lambda: a.peer_connection is None and b.peer_connection is None, 10)
        finally:
            await probe_a.close()
            await probe_b.close()
            await a.destroy()
            await b.destroy()


async def test_nosip_errors_and_recording(url: str, sip_janus: JanusServer) -> None:
    async with JanusSession(url) as session, JanusNoSipPlugin() as legacy:
        await legacy.attach(session)
        events = legacy.events(NoSipEvent)
        with pytest.raises(NoSipError) as bad:
            await legacy.process("offer", "v=0 not an sdp")
        assert bad.value.code in (446, 447) and bad.value.code_name
        offer = await legacy.generate()
        assert offer.type == "offer" and offer.audio_port
        base = sip_janus.recordings_dir / "nosip"
        ack = await legacy.recording("start", audio=True, filename=str(base))
        assert ack.event == "recordingupdated"
        ack = await legacy.recording("stop", audio=True)
        assert ack.event == "recordingupdated"
        del events


async def test_voicemail_records_ogg_opus(url: str, sip_janus: JanusServer) -> None:
    import av

    async with JanusSession(url) as session, JanusVoiceMailPlugin() as vm:
        await vm.attach(session)
        first = await vm.record(tracks=[tone(440.0)])
        assert first.status in ("starting", "started")
        await vm.wait_started()
        with pytest.raises(InvalidStateError):
            await vm.record()
        await asyncio.sleep(2.0)
        done = await vm.stop()
        assert done.status == VoiceMailStatus.DONE.value
        assert done.recording is not None and done.recording.startswith("/voicemail/")
        assert done.filename is not None and done.filename.endswith(".opus")
        assert await vm.wait_done(1) == done
        path = done.path_in(sip_janus.recordings_dir / "voicemail")
        assert path is not None
        await until(lambda: path.exists() and path.stat().st_size > 1000, 5)
        assert path.read_bytes()[:4] == b"OggS"
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            assert stream.codec_context.name == "opus"
            packets = [p for p in container.demux(stream) if p.pts is not None]
            seconds = float((packets[-1].pts - packets[0].pts) * stream.time_base)
        assert 1.5 <= seconds <= 3.0, seconds
