"""``janus-client echotest``: an EchoTest call with synthetic media or a file."""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from ..errors import JanusError
from ._common import EXIT_ERROR, Subcommands, add_command, session
from ._media import check_media, media_options, setup_media, synthetic_tracks
from ._output import Output
from ._progress import count_video_frames

__all__ = ["cmd_echotest", "register"]


async def cmd_echotest(args: argparse.Namespace, out: Output) -> int:
    """Run an EchoTest call and report frames sent and echoed."""
    from ..plugins.echotest import JanusEchoTestPlugin

    webrtc = setup_media(args)
    janus = session(args)
    echo = JanusEchoTestPlugin()
    video = None
    started = time.monotonic()
    # A path records without re-encoding where the file takes the codecs (see
    # janus_client.recording); --transcode re-encodes with aiortc's MediaRecorder.
    record_to = webrtc.MediaRecorder(args.record) if args.record and args.transcode else args.record
    try:
        await echo.attach(janus)
        if args.play:
            await echo.start(play_from=args.play, record_to=record_to, data_channel=True)
        else:
            audio, video = synthetic_tracks(webrtc, args)
            await echo.start(tracks=[audio, video], record_to=record_to, read_counters=True)
        await echo.wait_webrtcup(timeout=args.timeout)
        up_ms = (time.monotonic() - started) * 1000
        pc = echo.peer
        first_ms = None
        if not args.record:
            stats = None
            for _ in range(int(args.timeout * 100)):
                stats = pc.stats.get("video")
                if stats is not None:
                    break
                await asyncio.sleep(0.01)
            if stats is not None:
                first = await stats.wait_first_frame(timeout=args.timeout)
                first_ms = (first - started) * 1000
        rtts: list[float] = []
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            await asyncio.sleep(min(1.0, max(end - time.monotonic(), 0)))
            stats = pc.stats.get("video")
            try:
                sent_at = time.monotonic()
                await echo.send_data(f"ping {sent_at}")
                await echo.receive_data(timeout=2)
                rtts.append((time.monotonic() - sent_at) * 1000)
            except (JanusError, TimeoutError, asyncio.TimeoutError):
                pass
            if stats is not None:
                out.line(
                    f"  echoed {stats.frames:5d} video frames, {stats.fps():5.1f} fps"
                    + (f", data channel rtt {rtts[-1]:.1f} ms" if rtts else "")
                )
        stats = pc.stats.get("video")
        audio = pc.stats.get("audio")
        summary = {
            "url": args.url,
            "webrtcup_ms": round(up_ms, 1),
            "first_echoed_frame_ms": round(first_ms, 1) if first_ms is not None else None,
            "video_frames_sent": video.frames_sent if video is not None else None,
            "video_frames_echoed": stats.frames if stats is not None else 0,
            "echoed_fps": round(stats.fps(), 1) if stats is not None else 0.0,
            "audio_frames_echoed": audio.frames if audio is not None else 0,
            "frame_numbers_checked": len(stats.counters) if stats is not None else 0,
            "data_channel_rtt_ms": round(sorted(rtts)[len(rtts) // 2], 2) if rtts else None,
            "recorded_to": args.record,
            "recorder": type(pc.recorder).__name__ if pc.recorder is not None else None,
            "video_frames_recorded": None,
        }
    finally:
        await echo.destroy()
        await janus.destroy()
    if args.record:
        # The echoed video went into the file, not through the frame counters.
        summary["video_frames_recorded"] = count_video_frames(args.record)

    def text(s: dict[str, Any]) -> str:
        sent = s["video_frames_sent"]
        shown = sent if sent is not None else f"(from {args.play})"
        lines = ["EchoTest summary:", f"  video frames sent:   {shown}"]
        if s["recorded_to"]:
            lines.append(
                f"  video frames echoed: {s['video_frames_recorded']} (recorded to "
                f"{s['recorded_to']} by {s['recorder']})"
            )
            lines.append(f"  webrtcup after {s['webrtcup_ms']} ms")
        else:
            lines += [
                f"  video frames echoed: {s['video_frames_echoed']} ({s['echoed_fps']} fps)",
                f"  audio frames echoed: {s['audio_frames_echoed']}",
                f"  webrtcup after {s['webrtcup_ms']} ms, first echoed frame after "
                + (
                    f"{s['first_echoed_frame_ms']} ms"
                    if s["first_echoed_frame_ms"] is not None
                    else "(none arrived)"
                ),
            ]
        rtt = s["data_channel_rtt_ms"]
        lines.append(
            f"  data channel round trip (median): {rtt} ms"
            if rtt is not None
            else "  data channel round trip: no answer"
        )
        return "\n".join(lines)

    out.result(summary, text)
    echoed = summary["video_frames_recorded"] if args.record else summary["video_frames_echoed"]
    return 0 if echoed or args.play else EXIT_ERROR


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``echotest`` command."""
    p = add_command(
        sub, common, "echotest", cmd_echotest, check=check_media,
        help="run an EchoTest call with synthetic media or a file",
    )
    p.add_argument("--play", help="a media file or device to send (default: synthetic)")
    p.add_argument(
        "--record",
        help="record the echoed media to this file (.mkv, .webm: written as received, "
        "without re-encoding; other formats are re-encoded)",
    )
    p.add_argument(
        "--transcode",
        action="store_true",
        help="with --record: decode and re-encode (aiortc's MediaRecorder) even when the "
        "file takes the media as received",
    )
    media_options(p)
