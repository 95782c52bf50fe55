"""``janus-client cluster``: several servers as `janus_client.cluster.JanusCluster` sees them.

``cluster status URL...`` runs one round of the cluster's health checks and
prints each server's breaker state, ping latency and this client's sessions
(``--json``: one JSON line per server); the exit code is 0 when every breaker
is closed, 1 when some server fails, 3 when none answers. ``cluster place
--key KEY URL[=WEIGHT]...`` prints the servers in the order sticky placement
tries them for the key; it contacts no server.
"""

from __future__ import annotations

import argparse

from ..cluster import (
    BreakerPolicy,
    BreakerState,
    JanusCluster,
    ServerSpec,
    rendezvous_rank,
    rendezvous_score,
)
from ..config import Timeouts
from ._common import Subcommands, UsageError, add_command
from ._output import Output

__all__ = ["cmd_cluster", "register"]


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``cluster`` command.

    Args:
        sub: What ``ArgumentParser.add_subparsers`` returned.
        common: The parent parser with the shared options.
    """
    p = add_command(
        sub,
        common,
        "cluster",
        cmd_cluster,
        check=_check,
        help="several servers as one: breaker state, latency, sticky placement",
        description=(
            "'status URL...' checks each server once as janus_client.cluster does (exit 0 "
            "every breaker closed, 1 some server failing, 3 none answers); 'place --key KEY "
            "URL[=WEIGHT]...' prints where sticky placement puts KEY (no server is contacted)."
        ),
    )
    p.add_argument("action", choices=("status", "place"))
    p.add_argument("urls", nargs="+", metavar="URL", help="the servers' Janus API URLs")
    p.add_argument("--key", help="place: the placement key (a room id, a user id)")
    p.add_argument(
        "--failures",
        type=int,
        default=1,
        help="status: failed checks that open a breaker (default 1: one round decides)",
    )


def _check(args: argparse.Namespace) -> None:
    if args.action == "place" and not args.key:
        raise UsageError("cluster place needs --key")
    if args.failures < 1:
        raise UsageError("--failures must be at least 1")
    if len(set(args.urls)) != len(args.urls):
        raise UsageError("the same URL is given twice")


async def cmd_cluster(args: argparse.Namespace, out: Output) -> int:
    """Run ``janus-client cluster status`` or ``cluster place``."""
    if args.action == "place":
        return _place(args, out)
    timeout = float(args.timeout)
    cluster = JanusCluster(
        args.urls,
        api_secret=args.api_secret,
        token=args.token,
        timeouts=Timeouts(connect=timeout, request=timeout),
        breaker=BreakerPolicy(failure_threshold=args.failures),
        health_interval=max(2 * timeout, 1.0),
        health_timeout=timeout,
    )
    async with cluster:
        statuses = cluster.status()
    for status in statuses:
        latency = "-" if status.latency is None else f"{status.latency * 1000:.1f} ms"
        text = f"{status.url}  {status.state.value}  ping {latency}  sessions {status.sessions}"
        if status.last_error and status.state is not BreakerState.CLOSED:
            text += f"  {status.last_error}"
        if out.as_json:
            out.result(status.to_json())
        else:
            out.line(text)
    closed = sum(1 for s in statuses if s.state is BreakerState.CLOSED)
    if closed == len(statuses):
        return 0
    return 1 if closed else 3


def _place(args: argparse.Namespace, out: Output) -> int:
    specs: list[ServerSpec] = []
    for item in args.urls:
        url, sep, tail = item.rpartition("=")
        try:
            weight = float(tail) if sep else None
        except ValueError:  # the "=" of a query string, not a weight
            weight = None
        try:
            specs.append(ServerSpec(url, weight=weight) if weight is not None else ServerSpec(item))
        except ValueError as exc:
            raise UsageError(f"{item!r}: {exc}") from None
    for rank, spec in enumerate(rendezvous_rank(args.key, specs), 1):
        score = rendezvous_score(args.key, spec.url, spec.weight)
        row = {"rank": rank, "url": spec.url, "weight": spec.weight, "score": round(score, 6)}
        out.result(row, lambda r: f"{r['rank']}. {r['url']}  (weight {r['weight']:g})")
    return 0
