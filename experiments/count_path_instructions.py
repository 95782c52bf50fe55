#!/usr/bin/env python3
"""Client instructions per cycle of the plugin class, the core path and a raw client.

The cycle is the one of ``bench_paths.py`` (issue 21): create -> attach
janus.plugin.echotest -> detach -> destroy over WebSocket against a real Janus
(started here once, on loopback, outside valgrind), through

* ``plugin``: ``JanusEchoTestPlugin().attach(session)``, ``plugin.destroy()``,
  ``session.destroy()`` on one shared transport;
* ``core``: ``session.attach(name)``, ``handle.detach()``, ``session.destroy()``;
* ``raw-inline``: ``bench_paths.RawInlineWS``, a minimal client that reads each
  reply inline (no reader task).

Timings on a shared machine swing by more than the differences sought, so this
counts instead: valgrind's callgrind tool counts the instructions this process
executes (Janus is another process and is not counted), which does not depend on
the machine's load. Each path runs in a process of its own, twice (``--low`` and
``--high`` cycles after a warm-up); the difference of the two counts divided by
the difference of the cycle counts is the path's cost per cycle, startup and
warm-up cancelled out. Janus' EchoTest sends an event during about half of the
detaches and the WebSocket frames batch differently from run to run, so the
counts vary by up to about 6 % between runs even at a low load (``--repeat``
prints each run and takes the median; ``--instant`` for exact library counts).

``--instant`` counts the library alone, without a socket: plugin and core over
the in-process ``instant://`` transport of ``count_cluster_instructions.py``, which
answers every request at once like Janus (JSON encoded and decoded as on a
socket), so the counts are exact to a few instructions and show what a change of
the library's code saves.

``--profile`` adds cProfile's function-call counts per cycle (deterministic up to
that event) and the functions whose calls per cycle differ most between the
plugin and the core path.

Usage::

    python experiments/count_path_instructions.py [--low 100] [--high 600]
        [--repeat 1] [--profile] [--paths plugin,core,raw-inline] [--instant]

Needs ``valgrind`` and ``janus``; a run takes about 1-3 min. Only 127.0.0.1 is
contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import re
import statistics
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import count_cluster_instructions  # noqa: F401 - registers its instant:// transport
from bench_paths import Library, RawInlineWS

from janus_client.testing import JanusServer

PATHS = ("plugin", "core", "raw-inline")
WARM = 30


async def _client(path: str, url: str) -> tuple[Callable[[], Awaitable[None]], Any]:
    if path == "raw-inline":
        raw = RawInlineWS(url)
        await raw.connect()
        return raw.cycle, raw
    lib = Library(url)
    await lib.connect()
    return (lib.plugin if path == "plugin" else lib.core), lib


async def _run(path: str, url: str, cycles: int, profile: bool) -> dict[str, int]:
    cycle, client = await _client(path, url)
    try:
        for _ in range(WARM):
            await asyncio.wait_for(cycle(), 10)
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        for _ in range(cycles):
            await asyncio.wait_for(cycle(), 10)
        if profiler is None:
            return {}
        profiler.disable()
        stats: Any = pstats.Stats(profiler).stats
        return {_label(key): value[1] for key, value in stats.items()}
    finally:
        await asyncio.wait_for(client.close(), 10)


def _label(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":
        return name
    for marker in ("janus_client", "websockets", "asyncio", "experiments"):
        at = filename.rfind(marker)
        if at >= 0:
            filename = filename[at:]
            break
    else:
        filename = os.path.basename(filename)
    return f"{filename}:{line}({name})"


def _count(path: str, url: str, cycles: int) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, __file__, "--child", path, str(cycles), url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, env=os.environ)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"callgrind run failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def _profile(url: str, paths: tuple[str, ...], cycles: int) -> None:
    calls: dict[str, dict[str, int]] = {}
    for path in paths:
        calls[path] = asyncio.run(_run(path, url, cycles, True))
    print(f"\ncProfile: function calls per cycle ({cycles} cycles)")
    print("  " + ", ".join(f"{p} {sum(calls[p].values()) / cycles:.1f}" for p in paths))
    if "plugin" in calls and "core" in calls:
        names = set(calls["plugin"]) | set(calls["core"])
        diff = sorted(
            ((calls["plugin"].get(n, 0) - calls["core"].get(n, 0)) / cycles, n) for n in names
        )
        shown = [d for d in diff if abs(d[0]) >= 0.05]
        print("  plugin - core, calls per cycle (|difference| >= 0.05):")
        for delta, name in sorted(shown, key=lambda d: -abs(d[0]))[:40]:
            print(f"    {delta:+7.2f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--low", type=int, default=100, help="cycles of the short run")
    parser.add_argument("--high", type=int, default=600, help="cycles of the long run")
    parser.add_argument("--repeat", type=int, default=1, help="measurements per path (median)")
    parser.add_argument("--profile", action="store_true", help="also cProfile call counts")
    parser.add_argument("--profile-cycles", type=int, default=500)
    parser.add_argument("--paths", default=",".join(PATHS), help="comma-separated subset")
    parser.add_argument("--no-count", action="store_true", help="skip callgrind")
    parser.add_argument("--instant", action="store_true", help="library only, no socket")
    parser.add_argument(
        "--child", nargs=3, metavar=("PATH", "CYCLES", "URL"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        path, cycles, url = args.child
        asyncio.run(_run(path, url, int(cycles), False))
        return
    paths = tuple(p for p in args.paths.split(",") if p)
    unknown = set(paths) - set(PATHS)
    if args.instant and "raw-inline" in paths:
        paths = tuple(p for p in paths if p != "raw-inline")  # it needs a socket
    if unknown or not 0 < args.low < args.high <= 5000 or not 1 <= args.repeat <= 9:
        parser.error(f"bad arguments (paths: {', '.join(PATHS)}; 0 < low < high <= 5000)")
    server = None
    if not args.instant:
        # No PeerConnection is made: no ICE address (and no interface) is needed.
        server = JanusServer(session_timeout=120, ice_address=None, plugins=["echotest"])
        server.start()
    url = server.ws_url if server is not None else "instant://janus"
    where = "WebSocket, real Janus" if server is not None else "instant transport, no socket"
    try:
        if not args.no_count:
            per: dict[str, float] = {}
            for path in paths:
                runs = []
                for _ in range(args.repeat):
                    low = _count(path, url, args.low)
                    high = _count(path, url, args.high)
                    runs.append((high - low) / (args.high - args.low))
                per[path] = statistics.median(runs)
                spread = f" (runs {', '.join(f'{r:.0f}' for r in runs)})" if len(runs) > 1 else ""
                print(f"{path}: {per[path]:.0f} instructions per cycle{spread}", flush=True)
            base = per.get("raw-inline")
            print(f"\ninstructions per cycle (client process, callgrind, {where}):")
            print("  " + ", ".join(f"{p} {per[p]:.0f}" for p in paths))
            if "plugin" in per and "core" in per:
                print(f"  plugin / core {per['plugin'] / per['core']:.3f}")
            if base:
                for p in paths:
                    if p != "raw-inline":
                        print(f"  raw-inline / {p} {base / per[p]:.3f} (the speed ratio it bounds)")
        if args.profile:
            _profile(url, paths, args.profile_cycles)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
