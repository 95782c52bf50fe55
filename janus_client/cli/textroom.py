"""``janus-client textroom``: list rooms, or join one and chat from the terminal."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import threading
from typing import Any

from ._common import Subcommands, UsageError, add_command, rooms_text, session
from ._media import setup_media
from ._output import Output, json_line

__all__ = ["cmd_textroom", "register"]


def _event_text(kind: str, data: dict[str, Any]) -> str:
    """One readable line for a TextRoom event that is not a message."""
    who = data.get("username") or data.get("from")
    display = data.get("display")
    room = data.get("room")
    if kind == "join":
        return f"* {who}{f' ({display})' if display else ''} joined room {room}"
    if kind == "leave":
        return f"* {who} left room {room}"
    if kind == "kicked":
        return f"* {who} was kicked from room {room}"
    if kind == "destroyed":
        return f"* room {room} was destroyed"
    if kind == "announcement":
        return f"* announcement in room {room}: {data.get('text')}"
    details = ", ".join(f"{k}={v}" for k, v in sorted(data.items()) if k != "textroom")
    return f"* {kind}: {details}"


async def cmd_textroom(args: argparse.Namespace, out: Output) -> int:
    """TextRoom: list rooms, or join one and chat from the terminal."""
    from ..plugins.textroom import JanusTextRoomPlugin, TextRoomEvent

    janus = session(args)
    try:
        if args.action == "list":
            room = JanusTextRoomPlugin()
            await room.attach(janus)
            rooms = await room.list_rooms()
            out.result(rooms, rooms_text)
            return 0
        if args.room is None or not args.username:
            raise UsageError("textroom join needs a room id and --username")
        setup_media(args)
        chat = JanusTextRoomPlugin()
        await chat.attach(janus)
        if args.create:
            await chat.create_room(
                room=args.room, description=f"room {args.room}", is_private=False
            )

        def show(event: TextRoomEvent) -> None:
            data = dict(event.data)
            if args.json:
                print(json_line(data, sort_keys=False), end="", flush=True)
            elif event.type.value == "message":
                who = data.get("from")
                tag = " (private)" if data.get("whisper") else ""
                print(f"[{who}{tag}] {data.get('text')}", flush=True)
            else:
                print(_event_text(event.type.value, data), flush=True)

        chat.on_event(TextRoomEvent, show)
        await chat.setup(timeout=args.timeout)
        await chat.join_room(args.room, args.username, display=args.display)
        out.line(
            f"joined room {args.room} as {args.username}; type messages, "
            "'/to USER text' for a private one, Ctrl-D to leave"
        )
        sent = 0
        lines = args.say if args.say else None
        loop = asyncio.get_running_loop()
        stdin_lines: asyncio.Queue[str] | None = None
        while True:
            if lines is not None:
                if not lines:
                    break
                line = lines.pop(0)
            else:
                if stdin_lines is None:
                    stdin_lines = _stdin_reader(loop)
                line = await stdin_lines.get()
                if not line:
                    break
            line = line.rstrip("\n")
            if not line:
                continue
            if line.startswith("/to "):
                parts = line.split(" ", 2)
                if len(parts) < 3:
                    out.line("usage: /to USER text")
                    continue
                await chat.send_message(args.room, parts[2], to=parts[1])
            else:
                await chat.send_message(args.room, line)
            sent += 1
        listen = args.listen if args.listen is not None else (2.0 if args.say else 0.0)
        if listen:
            out.line(f"listening for {listen:g} s")
            await asyncio.sleep(listen)  # replies print as they arrive
        await chat.leave_room(args.room)
        out.result({"room": args.room, "sent": sent}, lambda v: f"left room {v['room']}")
    finally:
        await janus.destroy()
    return 0


def _stdin_reader(loop: asyncio.AbstractEventLoop) -> asyncio.Queue[str]:
    """Read stdin lines in a daemon thread (Ctrl-C or SIGTERM never waits for Enter)."""
    queue: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        while True:
            line = sys.stdin.readline()
            with contextlib.suppress(RuntimeError):  # the loop is closed: we are leaving
                loop.call_soon_threadsafe(queue.put_nowait, line)
            if not line:
                return

    threading.Thread(target=read, name="janus-client-stdin", daemon=True).start()
    return queue


def _check(args: argparse.Namespace) -> None:
    if args.listen is not None and args.listen < 0:
        raise UsageError("--listen must not be negative")
    if args.action == "join" and (args.room is None or not args.username):
        raise UsageError("textroom join needs a room id and --username")


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``textroom`` command."""
    p = add_command(
        sub, common, "textroom", cmd_textroom, check=_check,
        help="TextRoom: list rooms, or join and chat",
    )
    p.add_argument("action", choices=("list", "join"))
    p.add_argument("room", nargs="?", type=int, help="room id (join; a number)")
    p.add_argument("--username", help="join: your username in the room")
    p.add_argument("--display", help="join: your display name")
    p.add_argument("--create", action="store_true", help="join: create the room first")
    p.add_argument(
        "--say",
        action="append",
        help="join: send this message instead of reading the terminal (repeatable)",
    )
    p.add_argument(
        "--listen",
        type=float,
        default=None,
        help="join: seconds to stay after the last message and show what arrives "
        "(default 2 with --say, 0 when reading the terminal)",
    )
