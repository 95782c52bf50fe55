"""What every command shares: exit codes, the shared options, registration, connections."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from ..config import Timeouts
from ..session import JanusSession
from ._output import Output

if TYPE_CHECKING:
    from ..plugins.base import JanusPlugin

    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subcommands = Any

_P = TypeVar("_P", bound="JanusPlugin")

__all__ = [
    "EXIT_AUTH",
    "EXIT_BROKEN_PIPE",
    "EXIT_CONNECTION",
    "EXIT_ERROR",
    "EXIT_USAGE",
    "Check",
    "Command",
    "Subcommands",
    "UsageError",
    "add_command",
    "attached",
    "common_options",
    "env",
    "has_janus_scheme",
    "listing",
    "port",
    "rooms_text",
    "session",
    "timeouts",
]

#: Exit code: Janus or a plugin answered with an error.
EXIT_ERROR = 1
#: Exit code: bad command-line usage.
EXIT_USAGE = 2
#: Exit code: could not connect, the connection dropped, or a deadline passed.
EXIT_CONNECTION = 3
#: Exit code: Janus refused the credentials.
EXIT_AUTH = 4
#: Exit code: the reader of the output went away (as a process killed by SIGPIPE).
EXIT_BROKEN_PIPE = 141

#: A command: ``async (args, out) -> exit code`` (``serve`` alone is a plain function).
Command = (
    Callable[[argparse.Namespace, Output], Awaitable[int]]
    | Callable[[argparse.Namespace, Output], int]
)
#: A command's usage check: raises `UsageError`; runs before any ``--local`` Janus starts.
Check = Callable[[argparse.Namespace], None]


class UsageError(Exception):
    """A problem with the command line that argparse could not see."""


def add_command(
    sub: Subcommands,
    common: argparse.ArgumentParser,
    name: str,
    run: Command,
    *,
    check: Check | None = None,
    **options: Any,
) -> argparse.ArgumentParser:
    """Add the command ``name`` with the shared options; return its parser.

    Args:
        sub: What ``ArgumentParser.add_subparsers`` returned.
        common: The parent parser with the shared options.
        name: The command's name on the command line.
        run: What runs it.
        check: Its usage checks (run before a ``--local`` Janus starts).
        **options: For ``add_parser`` (``help``, ``description``).

    Returns:
        The command's parser, for its own arguments.

    """
    parser = sub.add_parser(name, parents=[common], **options)
    parser.set_defaults(func=run, check=check)
    return parser


def env(name: str) -> str | None:
    """The environment variable ``name``, or None when unset or empty."""
    value = os.environ.get(name)
    return value if value else None


#: The connection options: flag, environment variable, help.
_CONNECTION_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--url", "JANUS_URL", "Janus API URL, ws(s):// or http(s)://"),
    ("--api-secret", "JANUS_API_SECRET", "the server's api_secret"),
    ("--token", "JANUS_TOKEN", "an auth token"),
    ("--admin-url", "JANUS_ADMIN_URL", "Admin API URL"),
    ("--admin-secret", "JANUS_ADMIN_SECRET", "the admin_secret"),
)


def common_options(*, suppress: bool) -> argparse.ArgumentParser:
    """The options every command takes (connection, output, deadline, debug).

    Args:
        suppress: Leave unset options out of the namespace (the commands' copy, so
            that an option given before the command is not reset after it).

    Returns:
        A parent parser.

    """
    common = argparse.ArgumentParser(add_help=False)

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    for flag, variable, text in _CONNECTION_OPTIONS:
        common.add_argument(flag, default=default(env(variable)), help=f"{text} (env {variable})")
    common.add_argument(
        "--local",
        action="store_true",
        default=default(False),
        help="start a private Janus on loopback for this command",
    )
    common.add_argument(
        "--transport",
        choices=("ws", "http"),
        default=default("ws"),
        help="with --local: which transport to use (default ws)",
    )
    common.add_argument(
        "--json", action="store_true", default=default(False), help="machine-readable output"
    )
    common.add_argument(
        "--timeout",
        type=float,
        default=default(10.0),
        help="deadline of each request, seconds (default 10)",
    )
    common.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="log at DEBUG (secrets redacted) and show tracebacks",
    )
    return common


def has_janus_scheme(url: str) -> bool:
    """True when ``url`` is ws://, wss://, http:// or https:// (what the CLI connects to)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    return scheme in ("ws", "wss", "http", "https")


def port(text: str) -> int:
    """Parse a port number (0 = any free port) for argparse."""
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port (0..65535; 0 = any free port)")
    return value


def session(args: argparse.Namespace) -> JanusSession:
    """A session with the connection options of ``args`` (not connected yet)."""
    if not args.url:
        raise UsageError("no Janus URL: give --url, set JANUS_URL, or use --local")
    return JanusSession(
        args.url,
        api_secret=args.api_secret,
        token=args.token,
        timeouts=timeouts(args),
    )


@contextlib.asynccontextmanager
async def attached(args: argparse.Namespace, plugin: _P) -> AsyncIterator[_P]:
    """Attach ``plugin`` on a new session of ``args``; on leaving, destroy both."""
    janus = session(args)
    try:
        await plugin.attach(janus)
        yield plugin
    finally:
        await plugin.destroy()
        await janus.destroy()


def timeouts(args: argparse.Namespace) -> Timeouts:
    """The deadlines of ``--timeout``: each request, and connecting."""
    return Timeouts(request=args.timeout, connect=args.timeout)


def listing(items: Iterable[Any], line: Callable[[Any], str], empty: str) -> str:
    """One ``line(item)`` per item, or ``empty`` when there is none."""
    return "\n".join(line(item) for item in items) or empty


def _room_line(room: dict[str, Any]) -> str:
    return (
        f"{room.get('room')}: {room.get('description', '')!r} "
        f"{room.get('num_participants', 0)} participant(s)"
    )


def rooms_text(rooms: list[dict[str, Any]]) -> str:
    """One line per room of a plugin's ``list`` answer: id, description, participants."""
    return listing(rooms, _room_line, "no rooms")
