#!/usr/bin/env python3
"""Soak test: many session lifecycles and many reconnects must not leak.

Starts its own Janus on loopback (``JanusServer``) and runs, on one event loop:

1. ``--cycles`` (default 10,000) cycles of ``create -> attach janus.plugin.echotest
   -> detach -> destroy`` over one shared WebSocket transport, in concurrent batches
   of ``--concurrency`` (default 50);
2. ``--reconnects`` (default 1,000) reconnects: one session with a fast
   `ReconnectPolicy` reaches Janus through a loopback TCP proxy (`TcpProxy`); each
   round cuts the proxy's connections, waits for the session's
   ``ConnectionStateEvent`` RECONNECTED and checks that a plugin message still gets
   its event.

A short warm-up runs first. Then, at start (after the warm-up) and at the end, it
prints the asyncio task count, the open file descriptors and the RSS (after
``gc.collect()``), and the deltas against the targets: no growth in tasks or fds,
RSS growth at most 2 MB.

Usage::

    python experiments/soak.py [--cycles N] [--reconnects M] [--max-seconds S] [--json]

Only 127.0.0.1 is contacted. Every loop is bounded in count and the whole run by
``--max-seconds`` (default 900): when the limit is reached the run stops early and
says so. The exit code is 0 when every target is met, 1 otherwise.

The functions `run_cycles`, `run_reconnects` and `snapshot` are reused by
``tests/integration/test_soak.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from janus_client import (
    ConnectionState,
    ConnectionStateEvent,
    JanusSession,
    JanusTransport,
    ReconnectPolicy,
    Timeouts,
)
from janus_client.testing import JanusServer, TcpProxy

PLUGIN = "janus.plugin.echotest"
RSS_TARGET_KB = 2048
TIMEOUTS = Timeouts(request=10, close=5)
RECONNECT = ReconnectPolicy(initial_delay=0.01, max_delay=0.5, attempts=30, deadline=15)
STATE_WAIT = 15.0  # seconds to wait for RECONNECTED after one cut
SETTLE = 3.0  # seconds allowed for closed connections to be released before measuring
MAX_ERRORS_SHOWN = 5


# --------------------------------------------------------------------------- measuring
def rss_kb() -> int:
    """Resident set size of this process in kB (after a full garbage collection)."""
    gc.collect()
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def snapshot() -> dict[str, int]:
    """Return the asyncio task count, open fds and RSS (kB) of this process now."""
    return {
        "tasks": len(asyncio.all_tasks()),
        "fds": len(os.listdir("/proc/self/fd")),
        "rss_kb": rss_kb(),
    }


async def settled(baseline: dict[str, int], limit: float = SETTLE) -> dict[str, int]:
    """Snapshot once tasks and fds are back to ``baseline`` (or after ``limit`` seconds)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while True:
        tasks = len(asyncio.all_tasks())
        fds = len(os.listdir("/proc/self/fd"))
        if (tasks <= baseline["tasks"] and fds <= baseline["fds"]) or loop.time() >= end:
            return snapshot()
        await asyncio.sleep(0.05)


# --------------------------------------------------------------------------- phase 1
async def _one_cycle(transport: JanusTransport) -> None:
    session = JanusSession(transport=transport)
    try:
        await session.create()
        handle = await session.attach(PLUGIN)
        await handle.detach()
    finally:
        await session.destroy()


async def run_cycles(
    url: str,
    cycles: int,
    *,
    concurrency: int = 50,
    deadline: float | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Run ``cycles`` session lifecycles over one shared transport to ``url``.

    Args:
        url: A Janus WebSocket URL.
        cycles: How many create/attach/detach/destroy cycles.
        concurrency: Cycles running at once (one batch).
        deadline: ``loop.time()`` after which no new batch starts.
        progress: Print a line every 1,000 cycles.

    Returns:
        ``cycles`` done, ``errors`` (with the first few in ``error_samples``),
        ``seconds``, ``rate`` per second and ``stopped_early``.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    done = errors = 0
    samples: list[str] = []
    out_of_time = False
    transport = JanusTransport.create_transport(url, timeouts=TIMEOUTS)
    try:
        await transport.connect()
        next_report = 1000
        while done + errors < cycles:
            if deadline is not None and loop.time() >= deadline:
                out_of_time = True
                break
            batch = min(concurrency, cycles - done - errors)
            results = await asyncio.gather(
                *(_one_cycle(transport) for _ in range(batch)), return_exceptions=True
            )
            for result in results:
                if isinstance(result, BaseException):
                    errors += 1
                    if len(samples) < MAX_ERRORS_SHOWN:
                        samples.append(f"{type(result).__name__}: {result}")
                else:
                    done += 1
            if progress and done + errors >= next_report:
                print(f"  cycles: {done + errors}/{cycles}", flush=True)
                next_report += 1000
    finally:
        await transport.close()
    seconds = loop.time() - start
    return {
        "cycles": done,
        "requested": cycles,
        "errors": errors,
        "error_samples": samples,
        "seconds": round(seconds, 2),
        "rate": round(done / seconds, 1) if seconds > 0 else 0.0,
        "stopped_early": done + errors < cycles,
        "time_limit_reached": out_of_time,
    }


# --------------------------------------------------------------------------- phase 2
async def _wait_state(stream: Any, wanted: ConnectionState, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        event = await stream.get(timeout=max(end - loop.time(), 0.001))
        if event.state is wanted:
            return
        if event.state is ConnectionState.LOST:
            raise RuntimeError(f"session lost while reconnecting: {event.error}")


async def run_reconnects(
    url: str,
    reconnects: int,
    *,
    deadline: float | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Cut the connection of one session ``reconnects`` times through a proxy.

    A `TcpProxy` is started in front of ``url`` (a Janus WebSocket URL) and stopped
    at the end. Each round cuts every proxied connection, waits for the session's
    RECONNECTED state event, then sends an echotest message and checks its event.

    Returns:
        ``reconnects`` done, ``errors`` (with ``error_samples``), ``seconds``,
        ``connections`` made by the proxy and ``stopped_early``.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    done = errors = 0
    samples: list[str] = []
    out_of_time = False
    target = urlsplit(url)
    if target.hostname is None or target.port is None:
        raise ValueError(f"{url!r} needs an explicit host and port")
    proxy = TcpProxy(target.hostname, target.port)
    await proxy.start()
    try:
        session = JanusSession(proxy.url_for(url), timeouts=TIMEOUTS, reconnect=RECONNECT)
        async with session:
            handle = await session.attach(PLUGIN)
            states = session.events(ConnectionStateEvent)
            try:
                for _ in range(reconnects):
                    if deadline is not None and loop.time() >= deadline:
                        out_of_time = True
                        break
                    proxy.cut()
                    try:
                        wait = STATE_WAIT
                        if deadline is not None:  # a stuck round must not outlive the run
                            wait = min(wait, max(deadline - loop.time(), 1.0))
                        await _wait_state(states, ConnectionState.RECONNECTED, wait)
                        reply = await handle.send({"audio": True})
                        if reply.kind != "event" or reply.data.get("result") != "ok":
                            raise RuntimeError(f"unexpected echotest answer: {reply}")
                    except Exception as exc:
                        errors += 1
                        if len(samples) < MAX_ERRORS_SHOWN:
                            samples.append(f"{type(exc).__name__}: {exc}")
                        if session.closed or handle.closed:
                            break  # the session is gone: later rounds would only repeat it
                    else:
                        done += 1
                    if progress and (done + errors) % 100 == 0:
                        print(f"  reconnects: {done + errors}/{reconnects}", flush=True)
            finally:
                await states.aclose()
    finally:
        await proxy.stop()
    seconds = loop.time() - start
    return {
        "reconnects": done,
        "requested": reconnects,
        "errors": errors,
        "error_samples": samples,
        "connections": proxy.connections_made,
        "seconds": round(seconds, 2),
        "stopped_early": done + errors < reconnects,
        "time_limit_reached": out_of_time,
    }


# --------------------------------------------------------------------------- main
async def soak(url: str, args: argparse.Namespace) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + args.max_seconds
    progress = not args.json
    initial = snapshot()
    # Warm-up: first use of every code path (imports, caches, allocator arenas).
    await run_cycles(url, min(2 * args.concurrency, args.cycles), concurrency=args.concurrency)
    await run_reconnects(url, min(3, args.reconnects))
    start = await settled(initial)
    phase1 = await run_cycles(
        url, args.cycles, concurrency=args.concurrency, deadline=deadline, progress=progress
    )
    phase2 = await run_reconnects(url, args.reconnects, deadline=deadline, progress=progress)
    end = await settled(start)
    delta = {key: end[key] - start[key] for key in start}
    checks = {
        "tasks": delta["tasks"] <= 0,
        "fds": delta["fds"] <= 0,
        "rss": delta["rss_kb"] <= RSS_TARGET_KB,
        "errors": phase1["errors"] == 0 and phase2["errors"] == 0,
    }
    return {
        "janus": url,
        "max_seconds": args.max_seconds,
        "time_limit_reached": phase1["time_limit_reached"] or phase2["time_limit_reached"],
        "before_warmup": initial,
        "start": start,
        "cycles": phase1,
        "reconnects": phase2,
        "end": end,
        "delta": delta,
        "checks": checks,
        "pass": all(checks.values()),
    }


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(result: dict[str, Any]) -> None:
    start, end, delta, checks = result["start"], result["end"], result["delta"], result["checks"]
    p1, p2 = result["cycles"], result["reconnects"]
    print(f"Janus: {result['janus']}")
    print(
        f"start (after warm-up): tasks={start['tasks']} fds={start['fds']} "
        f"rss={start['rss_kb']} kB (before warm-up: rss={result['before_warmup']['rss_kb']} kB)"
    )
    print(
        f"phase 1: {p1['cycles']}/{p1['requested']} cycles in {p1['seconds']} s "
        f"({p1['rate']}/s), {p1['errors']} errors"
    )
    for sample in p1["error_samples"]:
        print(f"    {sample}")
    print(
        f"phase 2: {p2['reconnects']}/{p2['requested']} reconnects in {p2['seconds']} s, "
        f"{p2['errors']} errors, {p2['connections']} proxied connections"
    )
    for sample in p2["error_samples"]:
        print(f"    {sample}")
    if result["time_limit_reached"]:
        print(f"STOPPED EARLY: the time limit of {result['max_seconds']} s was reached")
    elif p2["stopped_early"]:
        print("STOPPED EARLY: the reconnecting session was lost")
    print(f"end: tasks={end['tasks']} fds={end['fds']} rss={end['rss_kb']} kB")
    print(f"delta tasks: {delta['tasks']:+d} (target: no growth) {_verdict(checks['tasks'])}")
    print(f"delta fds:   {delta['fds']:+d} (target: no growth) {_verdict(checks['fds'])}")
    print(
        f"delta RSS:   {delta['rss_kb']:+d} kB (target: <= {RSS_TARGET_KB} kB) "
        f"{_verdict(checks['rss'])}"
    )
    print(f"errors: {p1['errors'] + p2['errors']} (target: 0) {_verdict(checks['errors'])}")
    print(f"overall: {_verdict(result['pass'])}")


def _positive(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=_positive, default=10_000)
    parser.add_argument("--reconnects", type=_positive, default=1_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.max_seconds <= 0:
        parser.error("--concurrency and --max-seconds must be positive")
    started = time.monotonic()
    server = JanusServer(session_timeout=120, reclaim_session_timeout=30)
    server.start()
    try:
        result = asyncio.run(soak(server.ws_url, args))
    finally:
        server.stop()
    result["wall_seconds"] = round(time.monotonic() - started, 1)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result)
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
