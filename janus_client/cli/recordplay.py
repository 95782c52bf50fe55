"""``janus-client recordplay``: list recordings, record synthetic media, play one back."""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from ._common import Subcommands, UsageError, add_command, attached
from ._media import check_media, setup_media
from ._output import Output
from ._progress import count_video_frames, follow, media_outcome, media_summary

__all__ = ["cmd_recordplay", "register"]


def _list_text(recordings: list[Any]) -> str:
    if not recordings:
        return "no recordings"
    rows = []
    for r in recordings:
        media = [
            f"audio {r.audio_codec}" if r.audio else "",
            f"video {r.video_codec}" if r.video else "",
        ]
        rows.append(
            f"{r.id}  {r.date or '':19}  {r.name or ''}  [{' '.join(m for m in media if m)}]"
        )
    return "\n".join(rows)


async def _record(args: argparse.Namespace, out: Output, plugin: Any) -> int:
    event = await plugin.record(args.target, recording_id=args.rec_id)
    await plugin.wait_webrtcup(timeout=args.timeout)
    out.line(f"recording {args.target!r} as id {event.id}")
    started = time.monotonic()
    tty = out.is_terminal
    seconds = 3.0 if args.seconds is None else args.seconds
    while (elapsed := time.monotonic() - started) < seconds:
        await asyncio.sleep(min(1.0, seconds - elapsed))
        progress = {"event": "progress", "elapsed_s": round(time.monotonic() - started, 1)}
        if out.as_json:
            out.result(progress)
        elif tty:
            out.stream.write(f"\r{progress['elapsed_s']:6.1f} s recorded")
            out.stream.flush()
    if tty:
        out.stream.write("\n")
    await plugin.stop()
    await plugin.wait_done(timeout=args.timeout)
    summary = {"event": "summary", "recorded": event.id, "name": args.target, "seconds": seconds}
    out.result(
        summary, lambda s: f"recorded {s['name']!r} ({s['seconds']:g} s): id {s['recorded']}"
    )
    return 0


async def _play(args: argparse.Namespace, out: Output, plugin: Any) -> dict[str, Any]:
    recording = int(args.target)
    await plugin.play(recording, record_to=args.record)
    out.line(f"playing recording {recording}")
    seconds = 60.0 if args.seconds is None else args.seconds
    done = asyncio.Event()
    waiter = asyncio.ensure_future(plugin.wait_done(timeout=seconds + args.timeout))
    waiter.add_done_callback(lambda _: done.set())
    try:
        await follow(out, lambda: plugin.track_stats, seconds, record=args.record, done=done)
    finally:
        finished = waiter.done() and not waiter.cancelled() and waiter.exception() is None
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
    media = media_summary(plugin.track_stats)
    await plugin.stop()
    return {
        "event": "summary",
        "recording": recording,
        "done": finished,
        "media": media,
        "recorded_to": args.record,
    }


async def cmd_recordplay(args: argparse.Namespace, out: Output) -> int:
    """Record&Play: list recordings, record synthetic media, or play a recording."""
    from ..plugins.recordplay import JanusRecordPlayPlugin

    if args.action in ("record", "play"):
        setup_media(args)
    async with attached(args, JanusRecordPlayPlugin()) as plugin:
        if args.action == "list":
            recordings = await plugin.list_recordings()
            out.result([r.raw for r in recordings], lambda _: _list_text(recordings))
            return 0
        if args.action == "record":
            return await _record(args, out, plugin)
        summary = await _play(args, out, plugin)
    if args.record:
        summary["video_frames_recorded"] = count_video_frames(args.record)
    state = "played to the end" if summary["done"] else "stopped before the end"
    heading = f"Record&Play summary (recording {summary['recording']}, {state}):"
    return media_outcome(out, summary, heading)


def _check(args: argparse.Namespace) -> None:
    if args.action == "record" and not args.target:
        raise UsageError("recordplay record needs a name")
    if args.action == "play" and (args.target is None or not args.target.isdigit()):
        raise UsageError("recordplay play needs a recording id (a number)")
    check_media(args, sends_media=args.action in ("record", "play"))


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``recordplay`` command."""
    p = add_command(
        sub,
        common,
        "recordplay",
        cmd_recordplay,
        check=_check,
        help="Record&Play: list recordings, record synthetic media, play a recording",
        description="list: the recordings. record NAME: record a tone and a frame-counter "
        "video for --seconds (default 3). play ID: play a recording until it ends (at "
        "most --seconds, default 60) with live progress (a refreshing line on a "
        "terminal, JSON lines with --json), then a summary; --record writes it to a file.",
    )
    p.add_argument("action", choices=("list", "record", "play"))
    p.add_argument("target", nargs="?", help="record: the recording's name; play: its id")
    p.add_argument("--id", type=int, dest="rec_id", help="record: the id to give it")
    p.add_argument("--record", help="play: write the played media to this file (.mp4)")
    p.add_argument("--seconds", type=float, default=None, help="see the description")
