"""``janus-client videoroom``: list, create and destroy rooms, list participants."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import Subcommands, UsageError, add_command, listing, rooms_text, session
from ._output import Output

__all__ = ["cmd_videoroom", "register"]


async def _request(args: argparse.Namespace, body: dict[str, Any]) -> dict[str, Any]:
    janus = session(args)
    try:
        handle = await janus.attach("janus.plugin.videoroom")
        return await handle.request(body)
    finally:
        await janus.destroy()


def _participant_line(person: dict[str, Any]) -> str:
    publisher = " (publisher)" if person.get("publisher") else ""
    return f"{person.get('id')}: {person.get('display', '')!r}{publisher}"


async def cmd_videoroom(args: argparse.Namespace, out: Output) -> int:
    """VideoRoom management: list, create, destroy, participants."""
    if args.action == "list":
        data = await _request(args, {"request": "list"})
        out.result(data.get("list", []), rooms_text)
    elif args.action == "create":
        body: dict[str, Any] = {"request": "create"}
        if args.room is not None:
            body["room"] = args.room
        if args.description:
            body["description"] = args.description
        if args.secret:
            body["secret"] = args.secret
        if args.publishers is not None:
            body["publishers"] = args.publishers
        data = await _request(args, body)
        out.result(data, lambda d: f"created room {d.get('room')}")
    elif args.action == "destroy":
        body = {"request": "destroy", "room": _room(args)}
        if args.secret:
            body["secret"] = args.secret
        data = await _request(args, body)
        out.result(data, lambda d: f"destroyed room {d.get('room')}")
    else:
        data = await _request(args, {"request": "listparticipants", "room": _room(args)})
        out.result(
            data.get("participants", []),
            lambda people: listing(people, _participant_line, "no participants"),
        )
    return 0


def _room(args: argparse.Namespace) -> int:
    if args.room is None:
        raise UsageError(f"videoroom {args.action} needs a room id")
    return int(args.room)


def _check(args: argparse.Namespace) -> None:
    if args.action in ("destroy", "participants"):
        _room(args)


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``videoroom`` command."""
    p = add_command(
        sub, common, "videoroom", cmd_videoroom, check=_check,
        help="VideoRoom rooms and participants",
    )
    p.add_argument("action", choices=("list", "create", "destroy", "participants"))
    p.add_argument("room", nargs="?", type=int, help="room id (a number)")
    p.add_argument("--description", help="create: the room's description (default: none)")
    p.add_argument("--secret", help="room secret (create/destroy)")
    p.add_argument("--publishers", type=int, help="create: max publishers (default Janus' 3)")
