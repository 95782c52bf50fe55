"""``janus-client admin``: the Admin/Monitor API (sessions, handles, tokens, log level)."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import Subcommands, UsageError, add_command, listing, timeouts
from ._output import Output

__all__ = ["cmd_admin", "register"]


def _admin(args: argparse.Namespace) -> Any:
    from ..admin import JanusAdminMonitorClient

    if not args.admin_url:
        raise UsageError("no admin URL: give --admin-url, set JANUS_ADMIN_URL, or use --local")
    return JanusAdminMonitorClient(
        args.admin_url,
        args.admin_secret,
        timeouts=timeouts(args),
    )


async def cmd_admin(args: argparse.Namespace, out: Output) -> int:
    """Admin/Monitor API: sessions, handles, handle info, tokens, log level."""
    action = args.action
    async with _admin(args) as admin:
        if action == "sessions":
            sessions = await admin.list_sessions()
            out.result(sessions, lambda v: listing(v, str, "no sessions"))
        elif action == "handles":
            handles = await admin.list_handles(_need_int(args.ids, 0, "a session id"))
            out.result(handles, lambda v: listing(v, str, "no handles"))
        elif action == "handle-info":
            info = await admin.handle_info(
                _need_int(args.ids, 0, "a session id"), _need_int(args.ids, 1, "a handle id")
            )
            out.result(info.raw, lambda _: _handle_info_text(info))
        elif action == "tokens":
            tokens = await admin.list_tokens()
            out.result(tokens, lambda v: listing(v, _token_text, "no tokens"))
        elif action == "add-token":
            token = await admin.add_token(args.token_value, args.plugin or None)
            out.result({"token": token}, lambda v: f"added token {v['token']}")
        elif action == "remove-token":
            if not args.token_value:
                raise UsageError("admin remove-token needs --token-value")
            await admin.remove_token(args.token_value)
            out.result({"removed": args.token_value}, lambda v: f"removed token {v['removed']}")
        else:  # log-level
            if args.ids:
                level = await admin.set_log_level(_need_int(args.ids, 0, "a log level"))
            else:
                level = (await admin.get_status()).log_level
            out.result({"log_level": level}, lambda v: f"log level {v['log_level']}")
    return 0


def _token_text(token: dict[str, Any]) -> str:
    return f"{token.get('token')}: {', '.join(token.get('allowed_plugins', [])) or 'all plugins'}"


def _handle_info_text(info: Any) -> str:
    """People-readable summary of an admin ``handle_info`` answer."""
    lines = [f"handle {info.handle_id} ({info.plugin}) of session {info.session_id}"]
    if info.ice_state is None and info.dtls_state is None:
        lines.append("  no PeerConnection yet (no ICE or DTLS state)")
    else:
        lines.append(f"  ICE state:  {info.ice_state or 'unknown'}")
        lines.append(f"  DTLS state: {info.dtls_state or 'unknown'}")
    flags = info.flags or {}
    on = sorted(name for name, value in flags.items() if value)
    lines.append(f"  flags set:  {', '.join(on) if on else 'none'}")
    return "\n".join(lines)


def _need_int(values: list[str], index: int, what: str) -> int:
    """``values[index]`` as a number, or a `UsageError` saying the command needs ``what``."""
    try:
        return int(values[index])
    except (IndexError, ValueError):
        raise UsageError(f"this admin command needs {what}") from None


#: What the actions need after the action's name.
_NEEDED_IDS = {"handles": ["a session id"], "handle-info": ["a session id", "a handle id"]}


def _check(args: argparse.Namespace) -> None:
    wanted = _NEEDED_IDS.get(args.action, [])
    if len(args.ids) < len(wanted):
        raise UsageError(f"admin {args.action} needs {' and '.join(wanted)}")
    if args.action == "remove-token" and not args.token_value:
        raise UsageError("admin remove-token needs --token-value")


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``admin`` command."""
    p = add_command(sub, common, "admin", cmd_admin, check=_check, help="Admin/Monitor API")
    p.add_argument(
        "action",
        choices=(
            "sessions",
            "handles",
            "handle-info",
            "tokens",
            "add-token",
            "remove-token",
            "log-level",
        ),
    )
    p.add_argument("ids", nargs="*", help="session id, handle id, or a log level")
    p.add_argument("--token-value", help="the token to add or remove")
    p.add_argument("--plugin", action="append", help="add-token: a plugin it may use")
