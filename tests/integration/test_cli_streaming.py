"""``janus-client streaming`` and ``janus-client recordplay`` against the real test Janus."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from janus_client import JanusSession, JanusStreamingPlugin
from janus_client.testing import RtpFeed, live_mountpoint

pytestmark = pytest.mark.usefixtures("media_address")


async def cli(*args: str, ice: str, timeout: float = 90) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JANUS_")}
    env["JANUS_ICE_ADDRESS"] = ice
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "janus_client", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.skipif(not RtpFeed.available(), reason="GStreamer (gst-launch-1.0) missing")
async def test_streaming_list_info_watch(
    janus_ws_url: str, media_address: str, tmp_path: Path
) -> None:
    async with JanusSession(janus_ws_url) as session:
        streaming = await session.attach(JanusStreamingPlugin())
        async with live_mountpoint(streaming, description="cli feed") as mp:
            code, out, err = await cli(
                "streaming", "list", "--url", janus_ws_url, ice=media_address
            )
            assert code == 0, err
            assert str(mp.id) in out and "cli feed" in out
            code, out, err = await cli(
                "streaming", "info", str(mp.id), "--url", janus_ws_url, "--json", ice=media_address
            )
            assert code == 0, err
            assert json.loads(out)["id"] == mp.id
            code, out, err = await cli(
                "streaming", "watch", str(mp.id), "--seconds", "3", "--json",
                "--url", janus_ws_url, "--timeout", "20", ice=media_address,
            )  # fmt: skip
            assert code == 0, err
            lines = _json_lines(out)
            progress = [x for x in lines if x["event"] == "progress"]
            assert len(progress) >= 2
            summary = lines[-1]
            assert summary["event"] == "summary" and summary["mountpoint"] == mp.id
            media = summary["media"]
            assert isinstance(media, dict)
            assert media["v1"]["frames"] >= 30 and media["a1"]["frames"] >= 50
            code, out, err = await cli(
                "streaming", "watch", str(mp.id), "--seconds", "2", "--url", janus_ws_url,
                ice=media_address,
            )  # fmt: skip
            assert code == 0, err
            assert "Streaming summary" in out and "video v1:" in out
            target = tmp_path / "watched.mp4"
            code, out, err = await cli(
                "streaming", "watch", str(mp.id), "--seconds", "2", "--record", str(target),
                "--json", "--url", janus_ws_url, "--timeout", "20", ice=media_address,
            )  # fmt: skip
            assert code == 0, err
            assert _json_lines(out)[-1]["video_frames_recorded"] >= 20  # type: ignore[operator]


async def test_streaming_usage_errors(media_address: str) -> None:
    code, _, err = await cli("streaming", "watch", "--url", "ws://127.0.0.1:9", ice=media_address)
    assert code == 2 and "needs a mountpoint id" in err
    code, _, err = await cli(
        "recordplay", "play", "x", "--url", "ws://127.0.0.1:9", ice=media_address
    )
    assert code == 2 and "recording id" in err


async def test_recordplay_record_list_play(
    janus_ws_url: str, media_address: str, tmp_path: Path
) -> None:
    code, out, err = await cli(
        "recordplay", "record", "cli recording", "--seconds", "2", "--json",
        "--url", janus_ws_url, ice=media_address,
    )  # fmt: skip
    assert code == 0, err
    recorded = _json_lines(out)[-1]["recorded"]
    code, out, err = await cli(
        "recordplay", "list", "--json", "--url", janus_ws_url, ice=media_address
    )
    assert code == 0, err
    assert recorded in [r["id"] for r in json.loads(out)]
    code, out, err = await cli(
        "recordplay", "play", str(recorded), "--json", "--url", janus_ws_url, ice=media_address
    )
    assert code == 0, err
    summary = _json_lines(out)[-1]
    assert summary["done"] is True
    frames = {m["kind"]: m["frames"] for m in summary["media"].values()}  # type: ignore[attr-defined]
    assert frames["video"] >= 30 and frames["audio"] > 0
