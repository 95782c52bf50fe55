"""``janus-client streaming``: list or describe mountpoints, or watch one."""

from __future__ import annotations

import argparse
import time
from typing import Any

from ._common import Subcommands, UsageError, add_command, attached
from ._media import check_media, setup_media
from ._output import Output
from ._progress import count_video_frames, follow, media_outcome, media_summary

__all__ = ["cmd_streaming", "register"]


def _list_text(mountpoints: list[Any]) -> str:
    if not mountpoints:
        return "no mountpoints"
    return "\n".join(
        f"{m.id}  {m.type or '?':9} {'enabled ' if m.enabled else 'disabled'}  "
        f"{m.description or ''}  [{', '.join(f'{x.type} {x.mid}' for x in m.media)}]"
        for m in mountpoints
    )


def _info_text(info: Any) -> str:
    lines = [
        f"mountpoint {info.id}: {info.name or ''} ({info.type}, "
        f"{'enabled' if info.enabled else 'disabled'}, {info.viewers or 0} viewers)",
        f"  {info.description or ''}",
    ]
    for m in info.media:
        age = f", last packet {m.age_ms} ms ago" if m.age_ms is not None else ""
        lines.append(f"  {m.type} {m.mid}: {m.codec or '?'} pt {m.pt}{age}")
    return "\n".join(lines)


async def cmd_streaming(args: argparse.Namespace, out: Output) -> int:
    """Streaming mountpoints: list, info, or watch one with live progress."""
    from ..plugins.streaming import JanusStreamingPlugin

    if args.action == "watch":
        setup_media(args)
    async with attached(args, JanusStreamingPlugin()) as plugin:
        if args.action == "list":
            mountpoints = await plugin.list_mountpoints()
            out.result([m.raw for m in mountpoints], lambda _: _list_text(mountpoints))
            return 0
        if args.action == "info":
            info = await plugin.info(args.id, secret=args.secret)
            out.result(info.raw, lambda _: _info_text(info))
            return 0
        started = time.monotonic()
        await plugin.watch(args.id, pin=args.pin, record_to=args.record)
        await plugin.wait_webrtcup(timeout=args.timeout)
        up_ms = (time.monotonic() - started) * 1000
        out.line(f"watching mountpoint {args.id} (webrtcup after {up_ms:.0f} ms)")
        await follow(out, lambda: plugin.track_stats, args.seconds, record=args.record)
        media = media_summary(plugin.track_stats)
        await plugin.stop()
    summary: dict[str, Any] = {
        "event": "summary",
        "mountpoint": args.id,
        "webrtcup_ms": round(up_ms, 1),
        "media": media,
        "recorded_to": args.record,
        "video_frames_recorded": count_video_frames(args.record) if args.record else None,
    }
    return media_outcome(out, summary, f"Streaming summary (mountpoint {args.id}):")


def _check(args: argparse.Namespace) -> None:
    if args.action in ("info", "watch") and args.id is None:
        raise UsageError(f"streaming {args.action} needs a mountpoint id")
    check_media(args, sends_media=args.action == "watch")


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``streaming`` command."""
    p = add_command(
        sub,
        common,
        "streaming",
        cmd_streaming,
        check=_check,
        help="Streaming: list or describe mountpoints, or watch one",
        description="list: the public mountpoints. info ID: one mountpoint. watch ID: "
        "watch it for --seconds with live progress (frames and frames/s per stream: a "
        "refreshing line on a terminal, JSON lines with --json), then a summary; "
        "--record writes the received media to a file instead of counting it.",
    )
    p.add_argument("action", choices=("list", "info", "watch"))
    p.add_argument("id", nargs="?", type=int, help="mountpoint id (info, watch)")
    p.add_argument("--secret", help="info: the mountpoint's secret (shows more)")
    p.add_argument("--pin", help="watch: the mountpoint's PIN")
    p.add_argument("--record", help="watch: write the received media to this file (.mp4)")
    p.add_argument(
        "--seconds", type=float, default=5.0, help="watch: how long, seconds (default 5)"
    )
