"""The ``janus-client`` command: explore and debug a Janus server from a terminal.

Examples:
    ```sh
    janus-client serve            # a local Janus until Ctrl-C, on Janus' default ports
    janus-client info --url ws://127.0.0.1:8188
    janus-client echotest --local --seconds 5
    janus-client videoroom list --url http://127.0.0.1:8088/janus --json
    janus-client admin sessions --admin-url http://127.0.0.1:7088/admin --admin-secret s
    janus-client textroom join 1234 --username alice --local
    janus-client audiobridge join 1234 --create --seconds 5 --local
    janus-client sip register sip:alice@pbx --proxy sip:pbx --call sip:bob@pbx
    ```

Connection options come from flags or the environment (``JANUS_URL``,
``JANUS_API_SECRET``, ``JANUS_TOKEN``, ``JANUS_ADMIN_URL``, ``JANUS_ADMIN_SECRET``).
``--local`` starts a private Janus on loopback for the duration of the command;
``serve`` keeps one up for other programs.

Exit codes: 0 success, 1 Janus or plugin error, 2 bad usage, 3 connection failure or
timeout, 4 authentication refused, 130 interrupted.

Each command group is one module of this package with a
``register(sub, common)`` function that adds its commands (with `add_command`
from ``_common``); `COMMANDS` lists those modules, in ``--help`` order. A new
plugin's command is one new module and one line in `COMMANDS`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import inspect
import os
import signal
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import (
    JanusError,
    MediaUnavailableError,
    PluginError,
    RequestTimeoutError,
    ServerError,
    TransportError,
    UnauthorizedError,
    UnauthorizedPluginError,
)
from ._common import (
    EXIT_AUTH,
    EXIT_BROKEN_PIPE,
    EXIT_CONNECTION,
    EXIT_ERROR,
    EXIT_USAGE,
    UsageError,
    common_options,
    has_janus_scheme,
)
from ._local import local_janus, start_local
from ._output import Output

__all__ = [
    "COMMANDS",
    "EXIT_AUTH",
    "EXIT_BROKEN_PIPE",
    "EXIT_CONNECTION",
    "EXIT_ERROR",
    "EXIT_USAGE",
    "build_parser",
    "main",
    "main_entry",
]

#: The command modules of this package, in ``--help`` order; each has ``register()``.
COMMANDS: tuple[str, ...] = (
    "serve",
    "info",  # info, ping
    "echotest",
    "videocall",
    "videoroom",
    "textroom",
    "audiobridge",
    "streaming",
    "recordplay",
    "sip",  # sip register
    "admin",
    "observe",  # health, events
    "cluster",  # cluster status, cluster place
)

# The former name (the CLI tests import it).
_start_local = start_local


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser: the shared options, then every module of `COMMANDS`."""
    # The options are accepted before and after the command: the top-level parser
    # holds the defaults, the commands' copies leave unset options alone.
    top = common_options(suppress=False)
    common = common_options(suppress=True)

    parser = argparse.ArgumentParser(
        prog="janus-client",
        description="Explore and debug a Janus WebRTC server, or run a local one (serve).",
        epilog="Run 'janus-client COMMAND --help' for the options of a command. Exit codes: "
        "0 success, 1 Janus or plugin error, 2 bad usage, 3 connection failure or timeout, "
        "4 authentication refused, 130 interrupted.",
        parents=[top],
    )
    parser.add_argument("--version", action="version", version=f"janus-client {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub, common)
    return parser


def _exit_code(exc: BaseException) -> int:
    if isinstance(exc, (UnauthorizedError, UnauthorizedPluginError)):
        return EXIT_AUTH
    if isinstance(exc, (TransportError, RequestTimeoutError, TimeoutError, OSError)):
        return EXIT_CONNECTION
    if isinstance(exc, (ServerError, PluginError, JanusError)):
        return EXIT_ERROR
    return EXIT_ERROR


def _check_args(args: argparse.Namespace) -> None:
    """Usage checks that need no server (done before ``--local`` starts one)."""
    if args.check is not None:
        args.check(args)
    for name in ("url", "admin_url"):
        value = getattr(args, name, None)
        if value and not args.local and not has_janus_scheme(value):
            raise UsageError(
                f"--{name.replace('_', '-')} {value!r}: the scheme must be ws, wss, http or https"
            )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    if args.debug:
        # Every logger at DEBUG, through a filter that hides secrets and SDP bodies.
        from ..logs import enable_debug_logging

        enable_debug_logging(fmt="%(asctime)s %(name)s %(message)s")
    out = Output(args.json)
    try:
        _check_args(args)
        if not inspect.iscoroutinefunction(args.func):  # serve: it runs Janus itself
            code: int = args.func(args, out)
            return code
        with local_janus(args):
            code = asyncio.run(_run_command(args, out))
            return code
    except UsageError as exc:
        print(
            f"janus-client: error: {exc} (see janus-client {args.command} --help)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except MediaUnavailableError as exc:
        print(f"janus-client: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if args.debug:
            raise
        print(f"janus-client: error: {exc}", file=sys.stderr)
        return _exit_code(exc)


async def _run_command(args: argparse.Namespace, out: Output) -> int:
    """Run a command; SIGTERM cancels it as Ctrl-C does, so that it cleans up.

    The command's own clean-up (leave, detach, destroy) then runs with the
    connection still working, and a ``--local`` Janus is stopped afterwards.
    """
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    terminated = False

    def on_sigterm() -> None:
        nonlocal terminated
        terminated = True
        if task is not None:
            task.cancel()

    # Not possible outside the main thread, or on Windows: then SIGTERM just ends us.
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    try:
        result: int = await args.func(args, out)
        return result
    except asyncio.CancelledError:
        if terminated:
            return 130
        raise
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signal.SIGTERM)


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so that exit does not fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main_entry() -> None:
    """Console-script entry point: run `main` and exit with its code."""
    try:
        code = main()
    except BrokenPipeError:  # e.g. argparse's help text into a closed pipe
        _silence_stdout()
        code = EXIT_BROKEN_PIPE
    sys.exit(code)
