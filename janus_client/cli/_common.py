"""What every command shares: exit codes, the shared options, registration, connections."""

from __future__ import annotations

import argparse
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..config import Timeouts
from ..session import JanusSession
from ._output import Output

if TYPE_CHECKING:
    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subcommands = Any

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
    "check_media",
    "common_options",
    "env",
    "has_janus_scheme",
    "load_media",
    "media_options",
    "port",
    "rooms_text",
    "session",
    "setup_media",
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

    common.add_argument(
        "--url",
        default=default(env("JANUS_URL")),
        help="Janus API URL, ws(s):// or http(s):// (env JANUS_URL)",
    )
    common.add_argument(
        "--api-secret",
        default=default(env("JANUS_API_SECRET")),
        help="the server's api_secret (env JANUS_API_SECRET)",
    )
    common.add_argument(
        "--token", default=default(env("JANUS_TOKEN")), help="an auth token (env JANUS_TOKEN)"
    )
    common.add_argument(
        "--admin-url",
        default=default(env("JANUS_ADMIN_URL")),
        help="Admin API URL (env JANUS_ADMIN_URL)",
    )
    common.add_argument(
        "--admin-secret",
        default=default(env("JANUS_ADMIN_SECRET")),
        help="the admin_secret (env JANUS_ADMIN_SECRET)",
    )
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


def media_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of a call with synthetic media (length, size, frame rate)."""
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="how long the call lasts, seconds (default 5)"
    )
    parser.add_argument(
        "--width", type=int, default=640, help="synthetic video width, pixels (default 640)"
    )
    parser.add_argument(
        "--height", type=int, default=480, help="synthetic video height, pixels (default 480)"
    )
    parser.add_argument(
        "--fps", type=float, default=30.0, help="synthetic video frame rate (default 30)"
    )


def check_media(args: argparse.Namespace, *, sends_media: bool = True) -> None:
    """Usage checks of the `media_options`; fail fast when the media extra is missing.

    Args:
        args: The parsed command line.
        sends_media: The command makes a call (it needs the media extra).

    Raises:
        UsageError: ``--seconds`` is negative.
        MediaUnavailableError: The call needs the media extra and it is not installed.

    """
    if args.seconds < 0:
        raise UsageError("--seconds must not be negative")
    if sends_media:
        load_media()  # before any local Janus starts


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


def timeouts(args: argparse.Namespace) -> Timeouts:
    """The deadlines of ``--timeout``: each request, and connecting."""
    return Timeouts(request=args.timeout, connect=args.timeout)


def setup_media(args: argparse.Namespace) -> None:
    """Make WebRTC use the ICE address of ``--ice-address`` or ``JANUS_ICE_ADDRESS``."""
    ice = getattr(args, "ice_address", None) or os.environ.get("JANUS_ICE_ADDRESS")
    if ice:
        from ..webrtc import set_host_addresses

        set_host_addresses([ice])


def load_media() -> Any:
    """Import the media module, or fail with the install hint."""
    from ..plugins.media import load_webrtc

    return load_webrtc()


def rooms_text(rooms: list[dict[str, Any]]) -> str:
    """One line per room of a plugin's ``list`` answer: id, description, participants."""
    return (
        "\n".join(
            f"{r.get('room')}: {r.get('description', '')!r} "
            f"{r.get('num_participants', 0)} participant(s)"
            for r in rooms
        )
        or "no rooms"
    )
