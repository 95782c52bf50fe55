"""Record&Play against the real Janus: record synthetic media, list it, play it back."""

from __future__ import annotations

import asyncio

import pytest

from janus_client import JanusSession
from janus_client.plugins.recordplay import (
    JanusRecordPlayPlugin,
    RecordPlayError,
    RecordPlayEventType,
)
from janus_client.testing import JanusServer
from janus_client.webrtc import open_peer_connections

pytestmark = pytest.mark.usefixtures("media_address")


async def test_record_list_play(janus_url: str, janus_server: JanusServer) -> None:
    async with JanusSession(janus_url) as session:
        recorder = await session.attach(JanusRecordPlayPlugin())
        started = await recorder.record("issue 16 recording")
        assert started.type is RecordPlayEventType.RECORDING and started.id is not None
        assert recorder.active
        await recorder.wait_webrtcup(timeout=10)
        await asyncio.sleep(3)
        stopped = await recorder.stop()
        assert stopped is not None and stopped.type is RecordPlayEventType.STOPPED
        assert stopped.id == started.id
        done = await recorder.wait_done(timeout=10)
        assert done.type is RecordPlayEventType.DONE and not recorder.active
        files = sorted(p.name for p in janus_server.recordings_dir.iterdir())
        assert f"{started.id}.nfo" in files

        recordings = {r.id: r for r in await recorder.list_recordings()}
        entry = recordings[started.id]
        assert entry.name == "issue 16 recording"
        assert (entry.audio, entry.video) == (True, True)
        assert (entry.audio_codec, entry.video_codec) == ("opus", "vp8")

        player = await session.attach(JanusRecordPlayPlugin())
        playing = await player.play(started.id)
        assert playing.type is RecordPlayEventType.PLAYING
        done = await player.wait_done(timeout=20)
        assert done.type is RecordPlayEventType.DONE
        stats = {s.kind: s for s in player.track_stats.values()}
        assert stats["video"].frames >= 60, stats["video"].frames
        assert stats["audio"].frames > 0
        await player.destroy()
        await recorder.destroy()
    assert open_peer_connections() == []


async def test_sync_requests_and_errors(janus_ws_url: str) -> None:
    async with (
        JanusSession(janus_ws_url) as session,
        await session.attach(JanusRecordPlayPlugin()) as plugin,
    ):
        assert (await plugin.update_recordings())["recordplay"] == "ok"
        settings = await plugin.configure(video_bitrate_max=256000)
        assert settings.video_bitrate_max == 256000
        with pytest.raises(RecordPlayError) as caught:
            await plugin.play(987654321)
        assert caught.value.code == 416
        assert caught.value.code_name == "JANUS_RECORDPLAY_ERROR_NOT_FOUND"
        assert await plugin.stop() is None  # nothing runs: nothing sent
