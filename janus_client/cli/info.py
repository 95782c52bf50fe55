"""``janus-client info`` and ``janus-client ping``: what the server is, how fast it answers."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from ._common import Subcommands, UsageError, add_command, session
from ._output import Output

__all__ = ["cmd_info", "cmd_ping", "register"]


async def cmd_info(args: argparse.Namespace, out: Output) -> int:
    """Print the server's info."""
    janus = session(args)
    try:
        info = await janus.info()
    finally:
        await janus.destroy()

    def text(i: dict[str, Any]) -> str:
        plugins = ", ".join(sorted(i.get("plugins", {})))
        transports = ", ".join(sorted(i.get("transports", {})))
        return (
            f"{i.get('name')} {i.get('version_string')} at {args.url}\n"
            f"  plugins:    {plugins}\n  transports: {transports}\n"
            f"  session timeout {i.get('session-timeout')} s, "
            f"reclaim {i.get('reclaim-session-timeout')} s"
        )

    out.result(info, text)
    return 0


async def cmd_ping(args: argparse.Namespace, out: Output) -> int:
    """Ping the server and print round-trip times."""
    janus = session(args)
    times: list[float] = []
    try:
        for _ in range(args.count):
            rtt = await janus.ping()
            times.append(rtt * 1000)
            out.line(f"pong from {args.url}: {rtt * 1000:.2f} ms")
            if len(times) < args.count:
                await asyncio.sleep(args.interval)
    finally:
        await janus.destroy()
    summary = {
        "count": len(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "avg_ms": sum(times) / len(times),
    }
    out.result(
        summary,
        lambda s: (
            f"{s['count']} pings: min {s['min_ms']:.2f} ms, "
            f"avg {s['avg_ms']:.2f} ms, max {s['max_ms']:.2f} ms"
        ),
    )
    return 0


def _check_ping(args: argparse.Namespace) -> None:
    if args.count < 1:
        raise UsageError("--count must be at least 1")
    if args.interval < 0:
        raise UsageError("--interval must not be negative")


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``info`` and ``ping`` commands."""
    add_command(sub, common, "info", cmd_info, help="show server info")
    p = add_command(
        sub, common, "ping", cmd_ping, check=_check_ping, help="measure round-trip times"
    )
    p.add_argument("--count", type=int, default=3, help="how many pings (default 3)")
    p.add_argument(
        "--interval", type=float, default=0.2, help="seconds between pings (default 0.2)"
    )
