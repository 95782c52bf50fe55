"""``janus-client audiobridge``: list rooms, or join one and watch the mix's level."""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from typing import TYPE_CHECKING, Any

from ._common import (
    EXIT_ERROR,
    Subcommands,
    UsageError,
    add_command,
    session,
)
from ._media import check_media, setup_media
from ._output import Output, json_line

if TYPE_CHECKING:
    from ..plugins.audiobridge import AudioBridgeEvent, AudioBridgeRoom

__all__ = ["cmd_audiobridge", "register"]

#: Width of the level bar on a terminal.
_BAR = 30


def _rooms_text(rooms: list[AudioBridgeRoom]) -> str:
    return (
        "\n".join(
            f"{r.room}: {r.description or ''!r} {r.sampling_rate or '?'} Hz, "
            f"{r.num_participants or 0} participant(s)"
            f"{', muted' if r.muted else ''}{', recording' if r.record else ''}"
            for r in rooms
        )
        or "no rooms"
    )


def _dbfs(rms: float) -> float:
    """The RMS level in dB relative to full scale (s16), -inf for silence."""
    return 20 * math.log10(rms / 32768) if rms > 0 else -math.inf


def _bar(rms: float) -> str:
    """A level bar from -60 dBFS (empty) to 0 dBFS (full)."""
    filled = round(max(0.0, min(1.0, (_dbfs(rms) + 60) / 60)) * _BAR)
    return "#" * filled + "-" * (_BAR - filled)


def _event_text(event: AudioBridgeEvent) -> str:
    kind = event.type.value
    names = ", ".join(
        f"{p.display or p.id}{' (muted)' if p.muted else ''}" for p in event.participants
    )
    if kind == "joined":
        return f"* joined: {names}"
    if kind == "participants":
        return f"* updated: {names}"
    if kind in ("leaving", "kicked", "talking", "stopped-talking"):
        return f"* {kind}: {event.id}"
    if kind == "room_muted":
        return f"* room {'muted' if event.muted else 'unmuted'}"
    if kind.startswith("announcement"):
        return f"* {kind}: {event.file_id}"
    return f"* {kind}"


async def cmd_audiobridge(args: argparse.Namespace, out: Output) -> int:
    """AudioBridge: list rooms, or join one and show the level of the mix."""
    from ..plugins.audiobridge import AudioBridgeEvent, JanusAudioBridgePlugin

    janus = session(args)
    try:
        bridge = JanusAudioBridgePlugin()
        await bridge.attach(janus)
        if args.action == "rooms":
            rooms = list(await bridge.rooms(timeout=args.timeout))
            if args.json:
                out.result([dict(r.raw) for r in rooms])
            else:
                out.result(rooms, _rooms_text)
            return 0
        webrtc = setup_media(args)
        if args.create:
            await bridge.create_room(
                args.room, description=f"room {args.room}", sampling_rate=48000
            )

        def show(event: AudioBridgeEvent) -> None:
            if args.json:
                out.stream.write(
                    json_line({"event": event.type.value, "data": event.data}, sort_keys=False)
                )
                out.stream.flush()
            elif not out.is_terminal:
                out.line(_event_text(event))

        bridge.on_event(show, AudioBridgeEvent)
        tracks = None if args.play else [webrtc.ToneAudioTrack(args.tone)]
        joined = await bridge.join(
            args.room,
            display=args.display,
            pin=args.pin,
            tracks=tracks,
            play_from=args.play,
            muted=args.muted or None,
            timeout=args.timeout,
        )
        source = args.play or f"a {args.tone:g} Hz tone"
        out.line(
            f"joined room {args.room} as {joined.id}, sending {source}; "
            f"{len(joined.participants)} other participant(s)"
            + ("" if args.seconds is not None else "; Ctrl-C to leave")
        )
        await bridge.wait_webrtcup(timeout=args.timeout)
        summary = await _watch(bridge, args, out)
        await bridge.leave(timeout=args.timeout)
    finally:
        await janus.destroy()
    out.result(
        summary,
        lambda s: (
            f"left room {s['room']}: {s['frames']} mix frames ({s['fps']} frames/s), "
            f"peak level {s['peak_rms']:.0f} RMS"
        ),
    )
    return 0 if summary["frames"] else EXIT_ERROR


async def _watch(bridge: Any, args: argparse.Namespace, out: Output) -> dict[str, Any]:
    """Show the mix's level until ``--seconds`` pass (or forever); return a summary."""
    tty = out.is_terminal
    started = time.monotonic()
    end = started + args.seconds if args.seconds is not None else math.inf
    peak = 0.0
    period = 0.2 if tty else 1.0
    try:
        while time.monotonic() < end:
            await asyncio.sleep(min(period, max(end - time.monotonic(), 0.0)))
            stats = bridge.mix_stats
            rms = bridge.audio_level
            peak = max(peak, rms)
            frames = stats.frames if stats is not None else 0
            fps = stats.fps() if stats is not None else 0.0
            others = len(bridge.room_participants)
            if args.json:
                out.result(
                    {
                        "t": round(time.monotonic() - started, 2),
                        "rms": round(rms, 1),
                        "dbfs": round(_dbfs(rms), 1) if rms > 0 else None,
                        "frames": frames,
                        "fps": round(fps, 1),
                        "participants": others,
                    }
                )
            elif tty:
                out.stream.write(
                    f"\r  [{_bar(rms)}] {_dbfs(rms):6.1f} dBFS  {fps:5.1f} frames/s  "
                    f"{others} other(s)  "
                )
                out.stream.flush()
            else:
                out.line(f"  mix level {rms:7.1f} RMS, {frames} frames, {others} other(s)")
    finally:
        if tty:
            out.stream.write("\n")
            out.stream.flush()
    stats = bridge.mix_stats
    return {
        "room": bridge.room_id,
        "id": bridge.participant_id,
        "frames": stats.frames if stats is not None else 0,
        "fps": round(stats.fps(), 1) if stats is not None else 0.0,
        "peak_rms": round(peak, 1),
        "participants": len(bridge.room_participants),
    }


def _check(args: argparse.Namespace) -> None:
    if args.action == "join":
        if args.room is None:
            raise UsageError("audiobridge join needs a room id")
        if args.tone <= 0:
            raise UsageError("--tone must be a positive frequency")
        check_media(args)


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``audiobridge`` command."""
    p = add_command(
        sub,
        common,
        "audiobridge",
        cmd_audiobridge,
        check=_check,
        help="AudioBridge: list rooms, or join one and watch the mix's level",
    )
    p.add_argument("action", choices=("rooms", "join"))
    p.add_argument("room", nargs="?", type=int, help="room id (join; a number)")
    p.add_argument("--display", help="join: your display name")
    p.add_argument("--pin", help="join: the room's PIN")
    p.add_argument("--play", help="join: send the audio of this file or device")
    p.add_argument(
        "--tone", type=float, default=440.0, help="join: the tone to send, Hz (default 440)"
    )
    p.add_argument("--muted", action="store_true", help="join: join muted")
    p.add_argument("--create", action="store_true", help="join: create the room first")
    p.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="join: leave after this many seconds (default: stay until Ctrl-C)",
    )
