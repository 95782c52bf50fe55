#!/usr/bin/env python3
"""The paths users take, against two raw baselines, in one run (issue 21).

Starts its own Janus on loopback and measures cycles per second of
``create -> attach janus.plugin.echotest -> detach -> destroy`` through:

* ``plugin``: the plugin class, as janus-client 0.9.x code does it:
  ``JanusEchoTestPlugin().attach(session)``, ``plugin.destroy()``,
  ``session.destroy()`` on one shared transport;
* ``core``: ``session.attach(name)``, ``handle.detach()``, ``session.destroy()``;
* ``raw-inline``: a minimal raw client that reads each reply inline, right after
  sending its request, with no reader task (WebSocket: ``ws.recv()`` until the
  reply with its transaction; HTTP: the POST's body). With 100 concurrent
  cycles over WebSocket it cannot share one socket, so each of the 100 workers
  has its own connection (opened before timing);
* ``raw-reader``: a raw client with a reader task: over WebSocket one socket
  whose reader task matches replies to futures by transaction; over HTTP the
  inline POST client plus one long-poll task per session (the way an HTTP
  client receives events).

Each is run sequentially and as 100 concurrent cycles, over WebSocket and HTTP.
Clients are interleaved in short blocks (the order rotates every round) and the
median of the per-round ratios is reported, so that load from other processes
hits all of them alike. Targets: ``plugin / raw-inline >= 0.90`` and
``core / raw-reader >= 0.95`` (over HTTP the library does not long-poll in this
cycle, so ``core / raw-inline`` is printed too).

Usage::

    python experiments/bench_paths.py [--rounds 15] [--transport ws|http|both] [--json]
        [--out FILE]

Only 127.0.0.1 is contacted; every loop is bounded in count and time. The exit
code is 0 even when a target is missed (PASS/FAIL is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_signalling as bs  # the raw clients and the server set-up

import janus_client
from janus_client import JanusEchoTestPlugin, JanusSession, JanusTransport

PLUGIN = bs.PLUGIN
CONCURRENCY = 100
REQUEST_TIMEOUT = bs.REQUEST_TIMEOUT
BLOCK_TIMEOUT = 60.0
TARGET_PLUGIN = 0.90  # plugin class / raw-inline
TARGET_CORE = 0.95  # core path / raw-reader
PATHS = ("plugin", "core", "raw-inline", "raw-reader")
#: Sequential cycles per block (per client, per round).
SEQ_BLOCK = {"ws": 40, "http": 25}


def log(msg: str) -> None:
    """Progress on stderr, so that --json output stays clean."""
    print(msg, file=sys.stderr, flush=True)


class RawInlineWS:
    """Minimal Janus WebSocket client without a reader task: each reply is read inline."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._ws: ClientConnection | None = None
        self._ids = itertools.count(1)

    async def connect(self) -> None:
        self._ws = await ws_connect(
            self.url,
            subprotocols=[websockets.Subprotocol("janus-protocol")],
            compression=None,
            proxy=None,
            open_timeout=10,
        )

    async def request(self, body: dict[str, Any]) -> dict[str, Any]:
        ws = self._ws
        assert ws is not None
        tid = f"i{next(self._ids)}"
        body["transaction"] = tid
        await ws.send(json.dumps(body))
        async with asyncio.timeout(REQUEST_TIMEOUT):
            while True:  # skip acks and events (the "detached" event)
                reply = json.loads(await ws.recv())
                if reply.get("transaction") == tid and reply.get("janus") != "ack":
                    return bs._checked(reply, tid)

    async def cycle(self) -> None:
        sid = (await self.request({"janus": "create"}))["data"]["id"]
        reply = await self.request({"janus": "attach", "session_id": sid, "plugin": PLUGIN})
        hid = reply["data"]["id"]
        await self.request({"janus": "detach", "session_id": sid, "handle_id": hid})
        await self.request({"janus": "destroy", "session_id": sid})

    async def close(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            await asyncio.wait_for(ws.close(), 5.0)


class InlinePool:
    """``RawInlineWS`` for concurrent cycles: one connection per concurrent worker."""

    def __init__(self, url: str, size: int) -> None:
        self.one = RawInlineWS(url)
        self.pool = [RawInlineWS(url) for _ in range(size)]
        self._free: list[RawInlineWS] = []

    async def connect(self) -> None:
        await self.one.connect()
        await asyncio.gather(*(c.connect() for c in self.pool))
        self._free = list(self.pool)

    async def cycle(self) -> None:
        await self.one.cycle()

    async def concurrent_cycle(self) -> None:
        client = self._free.pop()
        try:
            await client.cycle()
        finally:
            self._free.append(client)

    async def close(self) -> None:
        await asyncio.gather(self.one.close(), *(c.close() for c in self.pool))


class Library:
    """janus_client over one shared transport: the core path and the plugin class."""

    def __init__(self, url: str) -> None:
        self.transport = JanusTransport.create_transport(url)

    async def connect(self) -> None:
        await self.transport.connect()

    async def core(self) -> None:
        session = JanusSession(transport=self.transport)
        await session.create()
        handle = await session.attach(PLUGIN)
        await handle.detach()
        await session.destroy()

    async def plugin(self) -> None:
        session = JanusSession(transport=self.transport)
        plugin = JanusEchoTestPlugin()
        await plugin.attach(session)
        await plugin.destroy()
        await session.destroy()

    async def close(self) -> None:
        await self.transport.close()


async def _block(cycle: Callable[[], Awaitable[None]], mode: str, seq: int) -> tuple[float, float]:
    """One timed block: (cycles per second, client CPU microseconds per cycle)."""
    gc.collect()
    cpu = time.process_time()
    start = time.perf_counter()
    if mode == "seq":
        count = seq
        for _ in range(count):
            await cycle()
    else:
        count = CONCURRENCY
        results = await asyncio.gather(*(cycle() for _ in range(count)), return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            raise RuntimeError(f"{len(errors)} concurrent cycles failed: {errors[0]!r}")
    elapsed = time.perf_counter() - start
    return count / elapsed, (time.process_time() - cpu) / count * 1e6


async def run_transport(
    kind: str, url: str, rounds: int, polls: bs.AbandonedPolls
) -> list[dict[str, Any]]:
    """Measure the four paths over one transport, sequential and concurrent."""
    lib = Library(url)
    inline: Any = InlinePool(url, CONCURRENCY) if kind == "ws" else bs.RawHTTP(url)
    reader: Any = bs.RawWS(url) if kind == "ws" else bs.RawHTTP(url, long_poll=True)
    clients = (lib, inline, reader)
    cycles: dict[tuple[str, str], Callable[[], Awaitable[None]]] = {}
    for mode in ("seq", "conc"):
        cycles[("plugin", mode)] = lib.plugin
        cycles[("core", mode)] = lib.core
        cycles[("raw-reader", mode)] = reader.cycle
        cycles[("raw-inline", mode)] = inline.cycle
    if kind == "ws":
        cycles[("raw-inline", "conc")] = inline.concurrent_cycle
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {key: [] for key in cycles}
    long_polling = kind == "http"  # raw-reader over HTTP leaves abandoned polls behind
    try:
        for client in clients:
            await asyncio.wait_for(client.connect(), 30.0)
        log(f"{kind}: warming up ...")
        for (path, mode), cycle in cycles.items():
            if long_polling and path == "raw-reader":
                await polls.reserve(20 + CONCURRENCY)
            if mode == "seq":
                for _ in range(20):
                    await asyncio.wait_for(cycle(), REQUEST_TIMEOUT * 4)
            else:
                await asyncio.wait_for(_block(cycle, "conc", 0), BLOCK_TIMEOUT)
        for rnd in range(rounds):
            shift = rnd % len(PATHS)
            order = PATHS[shift:] + PATHS[:shift]  # every client goes first in turn
            for mode in ("seq", "conc"):
                for path in order:
                    if long_polling and path == "raw-reader":
                        await polls.reserve(SEQ_BLOCK[kind] if mode == "seq" else CONCURRENCY)
                    sample = await asyncio.wait_for(
                        _block(cycles[(path, mode)], mode, SEQ_BLOCK[kind]), BLOCK_TIMEOUT
                    )
                    samples[(path, mode)].append(sample)
            log(f"{kind}: round {rnd + 1}/{rounds} done")
    finally:
        for client in clients:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.close(), 15.0)
    rows = []
    for mode in ("seq", "conc"):
        rates = {p: [s[0] for s in samples[(p, mode)]] for p in PATHS}
        cpus = {p: [s[1] for s in samples[(p, mode)]] for p in PATHS}

        def paired(a: str, b: str, rates: dict[str, list[float]] = rates) -> float:
            return statistics.median(x / y for x, y in zip(rates[a], rates[b], strict=True))

        row: dict[str, Any] = {
            "transport": kind,
            "mode": "sequential" if mode == "seq" else f"{CONCURRENCY} concurrent",
            "rates": {p: statistics.median(rates[p]) for p in PATHS},
            "cpu_us_per_cycle": {p: statistics.median(cpus[p]) for p in PATHS},
            "samples": rates,
            "plugin_vs_inline": paired("plugin", "raw-inline"),
            "plugin_vs_reader": paired("plugin", "raw-reader"),
            "core_vs_reader": paired("core", "raw-reader"),
            "core_vs_inline": paired("core", "raw-inline"),
            "plugin_vs_core": paired("plugin", "core"),
        }
        row["pass_plugin"] = row["plugin_vs_inline"] >= TARGET_PLUGIN
        row["pass_core"] = row["core_vs_reader"] >= TARGET_CORE
        rows.append(row)
    return rows


def run(rounds: int, transports: tuple[str, ...] = ("ws", "http")) -> dict[str, Any]:
    """Start Janus, measure both transports, stop Janus; return the results."""
    started = time.monotonic()
    notes: list[str] = []
    conn_limit = bs.connection_limit()
    server = bs.start_server(notes, conn_limit)
    polls = bs.AbandonedPolls(int(conn_limit * 0.8) - 2 * CONCURRENCY)
    try:
        version = asyncio.run(bs._janus_version(server.ws_url))
        rows: list[dict[str, Any]] = []
        for kind in transports:
            url = server.ws_url if kind == "ws" else server.http_url
            rows += asyncio.run(run_transport(kind, url, rounds, polls))
    finally:
        server.stop()
    if polls.waited_s:
        notes.append(f"waited {polls.waited_s:.1f} s for Janus to drop abandoned long-polls")
    return {
        "meta": {
            "janus_client": janus_client.__version__,
            "revision": bs._git_revision(),
            "janus_version": version,
            "python": platform.python_version(),
            "websockets": websockets.__version__,
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
            "load_average": os.getloadavg(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "rounds": rounds,
            "seq_block": SEQ_BLOCK,
            "concurrency": CONCURRENCY,
            "elapsed_s": time.monotonic() - started,
        },
        "rows": rows,
        "targets": {"plugin_vs_inline": TARGET_PLUGIN, "core_vs_reader": TARGET_CORE},
        "notes": notes,
    }


def print_table(result: dict[str, Any]) -> None:
    """Print the results side by side."""
    meta = result["meta"]
    print(
        f"\njanus_client {meta['janus_client']} ({meta['revision']}), Janus "
        f"{meta['janus_version']}, Python {meta['python']}, websockets {meta['websockets']}, "
        f"{meta['machine']}, {meta['date']}, load average at the end "
        + "/".join(f"{x:.1f}" for x in meta["load_average"])
    )
    print(
        "Cycle = create -> attach echotest -> detach -> destroy; cycles/s, median of "
        f"{meta['rounds']} rounds (blocks of {meta['seq_block']['ws']} ws / "
        f"{meta['seq_block']['http']} http sequential cycles, or one gather of "
        f"{meta['concurrency']}); ratios = median of per-round ratios"
    )
    header = (
        f"{'transport':<9} {'mode':<15}"
        + "".join(f"{p:>12}" for p in PATHS)
        + f"  {'plugin/inline':>13} {'core/reader':>11} {'core/inline':>11}"
    )
    print(header)
    print("-" * len(header))
    for row in result["rows"]:
        verdict_p = "PASS" if row["pass_plugin"] else "FAIL"
        verdict_c = "PASS" if row["pass_core"] else "FAIL"
        print(
            f"{row['transport']:<9} {row['mode']:<15}"
            + "".join(f"{row['rates'][p]:>10.0f}/s" for p in PATHS)
            + f"  {row['plugin_vs_inline']:>8.2f} {verdict_p} {row['core_vs_reader']:>6.2f} "
            f"{verdict_c} {row['core_vs_inline']:>11.2f}"
        )
    print(f"targets: plugin/raw-inline >= {TARGET_PLUGIN}, core/raw-reader >= {TARGET_CORE}")
    print("client CPU per cycle (us, median):")
    for row in result["rows"]:
        cpu = row["cpu_us_per_cycle"]
        print(
            f"  {row['transport']:<6} {row['mode']:<15}"
            + "  ".join(f"{p} {cpu[p]:.0f}" for p in PATHS)
        )
    for note in result["notes"]:
        print(f"note: {note}")
    print(f"total run time {meta['elapsed_s']:.1f} s")


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds (default 15)")
    parser.add_argument("--quick", action="store_true", help="7 rounds")
    parser.add_argument(
        "--transport", choices=("ws", "http", "both"), default="both", help="default both"
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument("--out", help="also write the JSON to this file")
    args = parser.parse_args()
    rounds = 7 if args.quick else args.rounds
    if not 3 <= rounds <= 60:
        parser.error("--rounds must be between 3 and 60")
    result = run(rounds, ("ws", "http") if args.transport == "both" else (args.transport,))
    if args.out:
        with open(args.out, "w") as out:
            json.dump(result, out, indent=2)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
