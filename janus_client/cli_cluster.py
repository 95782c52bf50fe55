"""The ``cluster`` command of the ``janus-client`` command line.

``janus-client cluster status URL...`` runs one round of the cluster's health
checks and prints each server's breaker state, latency and load;
``janus-client cluster place --key KEY URL...`` shows where sticky placement
puts a key (no server is contacted). `add_commands` registers the command on
the main parser's subparsers; each subcommand is an ``async (args, out) ->
exit code`` function like the others.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Protocol, TextIO

from .cluster import BreakerState, JanusCluster, ServerSpec, rendezvous_rank, rendezvous_score
from .config import Timeouts

__all__ = ["add_commands", "cmd_cluster_place", "cmd_cluster_status"]


class _Output(Protocol):
    as_json: bool
    stream: TextIO

    def line(self, text: str = "") -> None: ...

    def result(self, value: Any, text: Any = None) -> None: ...


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register ``cluster`` (``status``, ``place``) on the main parser's subparsers.

    Args:
        sub: What ``ArgumentParser.add_subparsers`` returned.
        common: The parent parser with the shared options.
    """
    p = sub.add_parser(
        "cluster",
        parents=[common],
        help="several servers as one: health, breakers, load, placement",
        description=(
            "Look at several Janus servers as janus_client.cluster.JanusCluster sees them. "
            "'status' checks each server once (exit 0 every breaker closed, 1 some server "
            "failing, 3 none answers); 'place' prints where sticky placement puts a key."
        ),
    )
    actions = p.add_subparsers(dest="cluster_command", required=True, metavar="ACTION")
    status = actions.add_parser(
        "status",
        parents=[common],
        help="check every server once: breaker state, latency, sessions",
        description=(
            "Run one round of health checks (ping) and print, per server, its breaker "
            "state, latency, this client's sessions and the last error; with --json one "
            "JSON line per server."
        ),
    )
    status.add_argument("urls", nargs="+", metavar="URL", help="the servers' Janus API URLs")
    status.add_argument(
        "--failures",
        type=int,
        default=1,
        help="failed checks that open a breaker (default 1: one round decides)",
    )
    status.set_defaults(func=cmd_cluster_status)
    place = actions.add_parser(
        "place",
        parents=[common],
        help="show the servers in sticky (rendezvous) order for a key",
        description="Print the servers in the order sticky placement tries them for KEY, "
        "with their rendezvous scores. No server is contacted.",
    )
    place.add_argument("--key", required=True, help="the placement key (e.g. a room id)")
    place.add_argument("urls", nargs="+", metavar="URL[=WEIGHT]", help="the servers")
    place.set_defaults(func=cmd_cluster_place)


async def cmd_cluster_status(args: argparse.Namespace, out: _Output) -> int:
    """Run ``janus-client cluster status``."""
    from .cluster import BreakerPolicy

    if args.failures < 1:
        print("janus-client: error: --failures must be at least 1", file=sys.stderr)
        return 2
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
        if out.as_json:
            out.result(status.to_json())
            continue
        latency = "-" if status.latency is None else f"{status.latency * 1000:.1f} ms"
        parts = [f"{status.url}", status.state.value, f"ping {latency}"]
        if status.last_error and status.state is not BreakerState.CLOSED:
            parts.append(status.last_error)
        out.line("  ".join(parts))
    closed = sum(1 for s in statuses if s.state is BreakerState.CLOSED)
    if closed == len(statuses):
        return 0
    return 1 if closed else 3


async def cmd_cluster_place(args: argparse.Namespace, out: _Output) -> int:
    """Run ``janus-client cluster place``."""
    specs: list[ServerSpec] = []
    for item in args.urls:
        url, sep, tail = item.rpartition("=")
        try:
            weight = float(tail) if sep else None
        except ValueError:  # "=" of a query string, not a weight
            weight = None
        try:
            specs.append(ServerSpec(url, weight=weight) if weight is not None else ServerSpec(item))
        except ValueError as exc:
            print(f"janus-client: error: {item!r}: {exc}", file=sys.stderr)
            return 2
    ranked = rendezvous_rank(args.key, specs)
    for rank, spec in enumerate(ranked, 1):
        score = rendezvous_score(args.key, spec.url, spec.weight)
        row = {"rank": rank, "url": spec.url, "weight": spec.weight, "score": round(score, 6)}
        out.result(row, lambda r: f"{r['rank']}. {r['url']}  (weight {r['weight']:g})")
    return 0
