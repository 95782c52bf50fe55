#!/usr/bin/env python3
"""Client instructions and Python calls per core cycle, library vs raw reader-task client.

The cycle is ``create -> attach janus.plugin.echotest -> detach -> destroy`` on
one shared WebSocket to a real Janus (started here, on loopback), as measured by
``bench_paths.py`` (rows ``core`` and ``raw-reader``):

* ``core``: ``JanusSession(transport=t).create()``, ``session.attach(name)``,
  ``handle.detach()``, ``session.destroy()``;
* ``raw-reader``: ``bench_signalling.RawWS``, one socket whose reader task
  matches replies to futures by transaction;
* ``raw-inline``: ``bench_paths.RawInlineWS``, no reader task (reference only).

Timings on a shared machine move by far more than the client's own cost per
cycle, so this counts instead. Two measures, both of this process only (Janus
runs in its own process and is not counted):

* ``--callgrind`` (default): valgrind's callgrind counts the instructions the
  client process executes. Each side runs in a process of its own, twice (with
  ``--low`` and ``--high`` cycles, after 20 warm-up cycles); the difference of
  the two counts divided by ``high - low`` is that side's cost per cycle
  (start-up cancelled out).
* ``--profile``: cProfile in this process; prints the Python and C calls per
  cycle for each side, and the functions called most often per cycle.

``--concurrent`` runs the cycles in gathers of 100 instead of one at a time.

Usage::

    python experiments/count_core_instructions.py [--sides core,raw-reader]
        [--low 100] [--high 600] [--repeat 1] [--concurrent] [--profile [--top 40]]

Needs ``valgrind`` (callgrind mode) and the ``janus`` binary. Each callgrind
run takes about 20-90 s. Only 127.0.0.1 is contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import re
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_signalling as bs  # the raw reader-task client, the server set-up

PLUGIN = bs.PLUGIN
SIDES = ("core", "raw-reader", "raw-inline")
WARMUP = 20
CONCURRENCY = 100


def _client(side: str, url: str) -> Any:
    """The client of ``bench_paths.py`` for ``side``, with its cycle as ``cycle``."""
    if side == "raw-reader":
        return bs.RawWS(url)
    import bench_paths  # only here: it imports the plugin classes too

    if side == "raw-inline":
        return bench_paths.RawInlineWS(url)
    library = bench_paths.Library(url)
    library.cycle = library.core  # type: ignore[attr-defined]
    return library


async def _cycles(cycle: Callable[[], Awaitable[None]], count: int, concurrent: bool) -> None:
    # As bench_paths runs them: awaited in turn (no task per cycle), or gathered.
    if not concurrent:
        for _ in range(count):
            await cycle()
        return
    for _ in range(count // CONCURRENCY):
        await asyncio.gather(*(cycle() for _ in range(CONCURRENCY)))


async def _run_cycles(cycle: Callable[[], Awaitable[None]], count: int, concurrent: bool) -> None:
    # One deadline for them all (valgrind slows this process about 50 times).
    await asyncio.wait_for(_cycles(cycle, count, concurrent), 60.0 + count * 0.5)


async def _child(side: str, url: str, cycles: int, concurrent: bool) -> None:
    client = _client(side, url)
    if side == "raw-inline" and concurrent:
        raise SystemExit("raw-inline cannot run concurrent cycles on one socket")
    await asyncio.wait_for(client.connect(), 30.0)
    try:
        await _run_cycles(client.cycle, WARMUP if not concurrent else CONCURRENCY, concurrent)
        await _run_cycles(client.cycle, cycles, concurrent)
    finally:
        await asyncio.wait_for(client.close(), 15.0)


def _count(side: str, url: str, cycles: int, concurrent: bool) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, __file__, "--child", side, str(cycles), "--url", url,
    ]  # fmt: skip
    if concurrent:
        command.append("--concurrent")
    done = subprocess.run(command, capture_output=True, text=True, timeout=1200, env=os.environ)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"callgrind run failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def _profile(side: str, url: str, cycles: int, concurrent: bool, top: int) -> None:
    async def main() -> cProfile.Profile:
        client = _client(side, url)
        await asyncio.wait_for(client.connect(), 30.0)
        try:
            await _run_cycles(client.cycle, WARMUP if not concurrent else CONCURRENCY, concurrent)
            prof = cProfile.Profile()
            prof.enable()
            await _run_cycles(client.cycle, cycles, concurrent)
            prof.disable()
        finally:
            await asyncio.wait_for(client.close(), 15.0)
        return prof

    prof = asyncio.run(main())
    stats = pstats.Stats(prof)
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(nc for (_cc, nc, _tt, _ct, _callers) in entries.values())
    python = sum(
        nc for (file, _line, _name), (_cc, nc, *_rest) in entries.items() if file != "~"
    )
    print(
        f"{side}: {total / cycles:.1f} calls per cycle "
        f"({python / cycles:.1f} Python, {(total - python) / cycles:.1f} built-in)"
    )
    rows = sorted(entries.items(), key=lambda kv: -kv[1][1])[:top]
    for (file, line, name), (_cc, nc, _tt, _ct, _callers) in rows:
        where = "" if file == "~" else f"{os.path.relpath(file)}:{line} "
        print(f"  {nc / cycles:7.2f}  {where}{name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sides", default="core,raw-reader", help="comma-separated: " + ",".join(SIDES)
    )
    parser.add_argument("--low", type=int, default=100)
    parser.add_argument("--high", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=1, help="callgrind pairs per side")
    parser.add_argument("--concurrent", action="store_true", help="gathers of 100 cycles")
    parser.add_argument("--profile", action="store_true", help="cProfile call counts instead")
    parser.add_argument("--top", type=int, default=40, help="functions listed with --profile")
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "CYCLES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(_child(args.child[0], args.url, int(args.child[1]), args.concurrent))
        return
    sides = [s for s in args.sides.split(",") if s]
    unknown = set(sides) - set(SIDES)
    if unknown:
        parser.error(f"unknown side(s): {', '.join(sorted(unknown))}")
    if not 0 < args.low < args.high <= 5000 or not 1 <= args.repeat <= 10:
        parser.error("need 0 < --low < --high <= 5000 and 1 <= --repeat <= 10")
    if args.concurrent and (args.low % CONCURRENCY or args.high % CONCURRENCY):
        parser.error(f"--concurrent needs --low and --high in multiples of {CONCURRENCY}")
    notes: list[str] = []
    server = bs.start_server(notes, bs.connection_limit())
    try:
        for note in notes:
            print(f"note: {note}")
        if args.profile:
            for side in sides:
                _profile(side, server.ws_url, args.high, args.concurrent, args.top)
            return
        mode = f"{CONCURRENCY} concurrent" if args.concurrent else "sequential"
        per: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for side in sides:
                low = _count(side, server.ws_url, args.low, args.concurrent)
                high = _count(side, server.ws_url, args.high, args.concurrent)
                per.setdefault(side, []).append((high - low) / (args.high - args.low))
        print(f"instructions per cycle ({mode}, real Janus over WebSocket, this process only):")
        for side in sides:
            runs = ", ".join(f"{x:,.0f}" for x in per[side])
            print(f"  {side:<10} {min(per[side]):>12,.0f}   (runs: {runs})")
        if "core" in per and "raw-reader" in per:
            ratio = min(per["core"]) / min(per["raw-reader"])
            print(f"  core / raw-reader: {ratio:.3f} (instructions; lower is better)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
