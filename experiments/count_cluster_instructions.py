#!/usr/bin/env python3
"""Client instructions per session, through `JanusCluster` and direct (under callgrind).

Timings on a shared machine move by far more than the cluster's own cost per
session, so this counts instead: valgrind's callgrind tool counts the
instructions this process executes (not Janus's), which does not depend on
the machine's load. Each side runs in a process of its own, twice (with 200
and with 1,400 sessions made and destroyed, 100 at a time); the difference of
the two counts divided by 1,200 is that side's cost per session (create and
destroy, startup cancelled out). Printed: both sides and the cluster's
overhead in instructions and per cent of a direct session. With more than one
server a third side, direct sessions spread round-robin over one plain
transport per server, splits that overhead into what the number of servers
costs alone (more sockets, fewer replies per read) and what the cluster costs
over the same servers.

By default the servers are an in-process transport that answers every
request at once (``instant://``: JSON encoded and decoded as on a socket, no
socket), so the counts are exact to a few instructions; ``--real`` uses real
Janus servers (``JanusServer``, loopback) over WebSocket, where the batching of
replies makes counts vary by about 10,000 per session between runs.

Usage::

    python experiments/count_cluster_instructions.py [--servers 1|3] [--real]
    python experiments/count_cluster_instructions.py --janus [--servers 3]

``--janus`` counts the other end instead: the Janus processes' own
instructions per session (each ``janus`` under callgrind, the client not),
direct sessions all on one server against spread round-robin over
``--servers`` of them, one at a time and 100 at a time. The same instructions
per session on both sides means that what three servers cost more in time
on one machine is not more work in Janus (see the scaling guide).

Needs ``valgrind``; each run takes about 20-60 s. Only loopback is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from janus_client import JanusSession, JanusTransport
from janus_client.cluster import JanusCluster

ICE = ("127.0.0.51", "127.0.0.52", "127.0.0.53")
_ids = itertools.count(1000)


class InstantTransport(JanusTransport):
    """Answers every request in the next loop iteration, like a very fast Janus."""

    schemes = ("instant",)

    async def _open(self) -> None:
        pass

    async def _close_connection(self) -> None:
        pass

    async def _send(self, message: dict[str, Any]) -> None:
        request = json.loads(json.dumps(message))
        tid = request["transaction"]
        reply: dict[str, Any]
        if request["janus"] in ("create", "attach"):  # (count_path_instructions attaches)
            reply = {"janus": "success", "transaction": tid, "data": {"id": next(_ids)}}
        elif request["janus"] == "ping":
            reply = {"janus": "pong", "transaction": tid}
        else:
            sid = request.get("session_id")
            reply = {"janus": "success", "transaction": tid, "session_id": sid}
        asyncio.get_running_loop().call_soon(self._receive, json.dumps(reply))


JanusTransport.register_transport(InstantTransport)


async def _work(side: str, sessions: int, urls: list[str], concurrency: int = 100) -> None:
    async with JanusCluster(urls, health_interval=30) as cluster:
        # "direct": every session on the first server; "spread": round-robin
        # over one plain transport per server (what the servers' count alone costs).
        directs = [JanusTransport.create_transport(url) for url in urls]
        turn = itertools.cycle(directs if side == "spread" else directs[:1])

        async def one() -> JanusSession:
            if side == "cluster":
                return await cluster.session()
            session = JanusSession(transport=next(turn))
            await session.create()
            return session

        try:
            for _ in range(sessions // concurrency):
                made = await asyncio.gather(*(one() for _ in range(concurrency)))
                await asyncio.gather(*(s.destroy() for s in made))
        finally:
            for direct in directs:
                await direct.close()


async def _child(side: str, sessions: int, servers: int, real: bool) -> None:
    if not real:
        await _work(side, sessions, [f"instant://s{i}" for i in range(servers)])
        return
    from janus_client.testing import JanusServer

    started = [JanusServer(ice_address=a, plugins=["videoroom"]) for a in ICE[:servers]]
    try:
        for server in started:
            server.start()
        await _work(side, sessions, [s.ws_url for s in started])
    finally:
        for server in started:
            server.stop()


def _count(side: str, sessions: int, servers: int, real: bool) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, __file__, "--child", side, str(sessions), "--servers", str(servers),
    ]  # fmt: skip
    if real:
        command.append("--real")
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, env=os.environ)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"callgrind run failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def _janus_count(side: str, sessions: int, servers: int, concurrency: int) -> int:
    """Instructions the Janus processes execute (each under callgrind) for ``sessions``."""
    from janus_client.testing import JanusServer

    janus = shutil.which("janus")
    if janus is None:
        raise SystemExit("janus is not on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        wrapper = Path(tmp, "janus-callgrind")
        wrapper.write_text(
            f"#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file={tmp}/%p.out "
            f'{janus} "$@"\n'
        )
        wrapper.chmod(0o755)
        used = ICE[:servers] if side == "spread" else ICE[:1]
        started = [
            JanusServer(ice_address=a, plugins=["videoroom"], binary=str(wrapper)) for a in used
        ]
        pids: list[int] = []
        try:
            for server in started:
                server.start(timeout=120)  # slow under valgrind
                assert server.pid is not None
                pids.append(server.pid)
            urls = [s.ws_url for s in started]
            asyncio.run(_work(side, sessions, urls, concurrency))
        finally:
            for server in started:
                server.stop(timeout=60)  # a clean exit: callgrind writes its counts
        total = 0
        for pid in pids:
            text = Path(tmp, f"{pid}.out").read_text()
            found = re.search(r"^(?:summary|totals): (\d+)", text, re.MULTILINE)
            if found is None:
                raise SystemExit(f"no callgrind counts for Janus pid {pid}")
            total += int(found.group(1))
        return total


def _janus_main(servers: int) -> None:
    """Janus's instructions per session: all on one server vs spread over ``servers``."""
    for concurrency in (1, 100):
        per: dict[str, float] = {}
        for side in ("direct", "spread"):
            low = _janus_count(side, 200, servers, concurrency)
            high = _janus_count(side, 1400, servers, concurrency)
            per[side] = (high - low) / 1200
        extra = per["spread"] - per["direct"]
        print(
            f"Janus instructions per session (create + destroy), {concurrency} at a time: "
            f"all on one server {per['direct']:.0f}, spread over {servers} "
            f"{per['spread']:.0f} ({extra:+.0f}, {extra / per['direct'] * 100:+.1f} %)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=1, choices=(1, 2, 3))
    parser.add_argument("--real", action="store_true", help="real Janus servers over WebSocket")
    parser.add_argument(
        "--janus",
        action="store_true",
        help="count Janus's instructions instead (direct sessions on 1 vs spread)",
    )
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "SESSIONS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(_child(args.child[0], int(args.child[1]), args.servers, args.real))
        return
    if args.janus:
        _janus_main(args.servers)
        return
    per: dict[str, float] = {}
    sides = ("cluster", "direct", "spread") if args.servers > 1 else ("cluster", "direct")
    for side in sides:
        low = _count(side, 200, args.servers, args.real)
        high = _count(side, 1400, args.servers, args.real)
        per[side] = (high - low) / 1200
    extra = per["cluster"] - per["direct"]
    where = "real Janus" if args.real else "instant transport"
    print(
        f"{args.servers} server(s), {where}: instructions per session (create + destroy): "
        f"cluster {per['cluster']:.0f}, direct {per['direct']:.0f}, "
        f"overhead {extra:.0f} ({extra / per['direct'] * 100:.1f} %)"
    )
    if "spread" in per:
        alone = per["cluster"] - per["spread"]
        servers = per["spread"] - per["direct"]
        print(
            f"  direct spread over the {args.servers} servers {per['spread']:.0f}: the servers' "
            f"count costs {servers:.0f} ({servers / per['direct'] * 100:.1f} %), the cluster "
            f"over the same servers {alone:.0f} ({alone / per['spread'] * 100:.1f} %)"
        )


if __name__ == "__main__":
    main()
