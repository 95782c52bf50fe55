"""Live progress of a received stream: a refreshing line on a terminal, JSON lines with --json."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from typing import Any

from ._common import EXIT_ERROR
from ._output import Output

__all__ = ["count_video_frames", "follow", "media_outcome", "media_summary", "media_text"]


def media_summary(stats: dict[str, Any]) -> dict[str, Any]:
    """Frames and frames/s per mid of a plugin's ``track_stats``."""
    return {
        mid: {"kind": s.kind, "frames": s.frames, "fps": round(s.fps(), 1)}
        for mid, s in sorted(stats.items())
    }


def media_text(media: dict[str, Any]) -> list[str]:
    """One summary line per received stream."""
    return [
        f"  {m['kind']} {mid}: {m['frames']} frames, {m['fps']} fps" for mid, m in media.items()
    ]


def media_outcome(out: Output, summary: dict[str, Any], heading: str) -> int:
    """Show the summary of a received stream; return the command's exit code.

    Args:
        out: Where the summary goes.
        summary: Its ``media`` (`media_summary`), ``recorded_to`` (the file or
            None) and, with a file, ``video_frames_recorded``.
        heading: The first line of the text form.

    Returns:
        0 when media came (with a file: when it holds video frames), else
        `EXIT_ERROR`.
    """

    def text(s: dict[str, Any]) -> str:
        lines = [heading, *media_text(s["media"])]
        if s["recorded_to"]:
            lines.append(f"  {s['video_frames_recorded']} video frames in {s['recorded_to']}")
        return "\n".join(lines)

    out.result(summary, text)
    if summary["recorded_to"]:
        return 0 if summary["video_frames_recorded"] else EXIT_ERROR
    return 0 if any(m["frames"] for m in summary["media"].values()) else EXIT_ERROR


def _progress_text(progress: dict[str, Any]) -> str:
    parts = [
        f"{m['kind']} {mid} {m['frames']} frames {m['fps']:.1f}/s"
        for mid, m in progress["media"].items()
    ]
    if progress.get("recorded_bytes") is not None:
        parts.append(f"{progress['recorded_bytes']} bytes recorded")
    return f"{progress['elapsed_s']:6.1f} s  " + (" | ".join(parts) or "waiting for media")


async def follow(
    out: Output,
    stats: Any,
    seconds: float,
    *,
    record: str | None = None,
    done: asyncio.Event | None = None,
) -> None:
    """Report progress each second for ``seconds`` (or until ``done`` is set).

    On a terminal one line is refreshed in place; with ``--json`` each report is a
    JSON line (``{"event": "progress", ...}``); plain text to a pipe stays quiet
    (the summary follows).

    Args:
        out: The command's output.
        stats: A callable returning the plugin's ``track_stats`` (mid -> `TrackStats`).
        seconds: How long.
        record: The file the media is recorded to (its size is reported).
        done: Ends the wait early when set.
    """
    started = time.monotonic()
    tty = out.is_terminal
    while (elapsed := time.monotonic() - started) < seconds:
        if done is not None and done.is_set():
            break
        step = min(1.0, seconds - elapsed)
        if done is None:
            await asyncio.sleep(step)
        else:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(done.wait(), step)
        progress: dict[str, Any] = {
            "event": "progress",
            "elapsed_s": round(time.monotonic() - started, 1),
            "media": media_summary(stats()),
        }
        if record:
            progress["recorded_bytes"] = _size(record)
        if out.as_json:
            out.result(progress)
        elif tty:
            out.stream.write("\r" + _progress_text(progress).ljust(78))
            out.stream.flush()
    if tty:
        out.stream.write("\n")
        out.stream.flush()


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def count_video_frames(path: str) -> int | None:
    """Count the video frames in a recorded file (None if it cannot be read)."""
    import av

    try:
        with av.open(path) as container:
            if not container.streams.video:
                return 0
            return sum(1 for _ in container.decode(video=0))
    except (OSError, av.error.FFmpegError):
        return None
