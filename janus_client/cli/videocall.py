"""``janus-client videocall``: list registered users, or a test call between two users."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import time

from ._common import EXIT_ERROR, Subcommands, add_command, session
from ._media import check_media, media_options, setup_media, synthetic_tracks
from ._output import Output

__all__ = ["cmd_videocall", "register"]


async def cmd_videocall(args: argparse.Namespace, out: Output) -> int:
    """VideoCall: list registered users, or call between two users of this process."""
    from ..plugins.videocall import JanusVideoCallPlugin

    if args.action == "list":
        janus = session(args)
        try:
            plugin = JanusVideoCallPlugin()
            await plugin.attach(janus)
            users = await plugin.list_users()
        finally:
            await janus.destroy()
        out.result(sorted(users), lambda us: "\n".join(us) or "no registered users")
        return 0

    webrtc = setup_media(args)
    suffix = secrets.token_hex(3)
    names = (f"{args.username or 'caller'}-{suffix}", f"{args.peer or 'callee'}-{suffix}")
    caller_session, callee_session = session(args), session(args)
    caller, callee = JanusVideoCallPlugin(), JanusVideoCallPlugin()
    try:
        await caller.attach(caller_session)
        await callee.attach(callee_session)
        await caller.register(names[0])
        await callee.register(names[1])
        started = time.monotonic()

        await caller.call(names[1], tracks=list(synthetic_tracks(webrtc, args)))
        await callee.wait_incoming_call(timeout=args.timeout)
        await callee.accept(tracks=list(synthetic_tracks(webrtc, args)))
        await caller.wait_accepted(timeout=args.timeout)
        await asyncio.gather(
            caller.wait_webrtcup(timeout=args.timeout), callee.wait_webrtcup(timeout=args.timeout)
        )
        up_ms = (time.monotonic() - started) * 1000
        out.line(f"call {names[0]} -> {names[1]} is up after {up_ms:.0f} ms")
        await asyncio.sleep(args.seconds)

        def frames(plugin: JanusVideoCallPlugin) -> int:
            stats = plugin.peer.stats.get("video")
            return stats.frames if stats is not None else 0

        summary = {
            "url": args.url,
            "caller": names[0],
            "callee": names[1],
            "webrtcup_ms": round(up_ms, 1),
            "caller_video_frames_received": frames(caller),
            "callee_video_frames_received": frames(callee),
        }
        await callee.hangup()
        await caller.wait_hangup(timeout=args.timeout)
    finally:
        await caller.destroy()
        await callee.destroy()
        await caller_session.destroy()
        await callee_session.destroy()
    out.result(
        summary,
        lambda v: (
            "VideoCall summary:\n"
            f"  {v['caller']} received {v['caller_video_frames_received']} video frames\n"
            f"  {v['callee']} received {v['callee_video_frames_received']} video frames\n"
            f"  webrtcup after {v['webrtcup_ms']} ms"
        ),
    )
    both = summary["caller_video_frames_received"] and summary["callee_video_frames_received"]
    return 0 if both else EXIT_ERROR


def _check(args: argparse.Namespace) -> None:
    check_media(args, sends_media=args.action == "call")


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``videocall`` command."""
    p = add_command(
        sub, common, "videocall", cmd_videocall, check=_check,
        help="VideoCall: list users, or a test call between two users",
        description="list: the users registered with the VideoCall plugin. call: register "
        "two users (on two sessions) in this process, call from one to the other with "
        "synthetic media, and report the frames each received.",
    )
    p.add_argument("action", choices=("list", "call"))
    p.add_argument("--username", help="call: the caller's name prefix (default caller)")
    p.add_argument("--peer", help="call: the callee's name prefix (default callee)")
    media_options(p)
