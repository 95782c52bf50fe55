#!/usr/bin/env python3
"""Signalling benchmark: janus_client against minimal hand-written clients.

Starts its own Janus on loopback (``JanusServer``) and measures, in one run:

1. Cycles per second of ``create -> attach janus.plugin.echotest -> detach ->
   destroy``, for janus_client and for a minimal raw client, over WebSocket and
   HTTP, sequentially and with 100 concurrent cycles on one connection. Library
   and raw measurements are interleaved (A/B, then B/A in the next round) and
   the median of the rounds is reported, so that machine noise hits both alike.
2. RSS and asyncio task growth with 100 / 1000 open sessions on one transport,
   each measured in a fresh interpreter (a child process of this script).

With ``--brokers`` it measures instead, against raw clients on the same broker and
Janus: cycles per second over Unix sockets (SEQPACKET), MQTT 5, MQTT 3.1.1 and
RabbitMQ, and the p50 request latency over MQTT 5 with the recommended settings.

Usage::

    python experiments/bench_signalling.py [--quick] [--json] [--brokers]

Only 127.0.0.1 is contacted. Every loop is bounded in count, every phase in time.
The exit code is 0 even when a target is missed (PASS/FAIL is printed).
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
import resource
import signal
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

import janus_client
from janus_client import JanusSession, JanusTransport
from janus_client.testing._server import JanusServer, JanusServerError

PLUGIN = "janus.plugin.echotest"
TARGET_RATIO = 0.85
TARGET_RSS_MB = 3.0
CONCURRENCY = 100
REQUEST_TIMEOUT = 15.0  # per request, both clients
PHASE_TIMEOUT = 120.0  # one timed block (one client, one round)
CHILD_TIMEOUT = 120.0  # one memory child process
JSON_HEADERS = {"Content-Type": "application/json"}
WANTED_HTTP_CONNECTIONS = 15000  # Janus mhd_connection_limit for this run (see AbandonedPolls)

# (rounds, sequential cycles per round, concurrent batches of 100 per round)
PROFILES: dict[str, dict[str, Any]] = {
    "quick": {
        "rounds": 5,
        "seq_cycles": {"ws": 150, "http": 100},
        "conc_batches": {"ws": 2, "http": 1},
        "warmup": 30,
        "memory": [("lib-ws", 100), ("lib-ws", 1000), ("raw-ws", 1000), ("lib-http", 100)],
        "budget_s": 30.0,
    },
    "full": {
        "rounds": 11,
        "seq_cycles": {"ws": 500, "http": 200},
        "conc_batches": {"ws": 5, "http": 2},
        "warmup": 60,
        "memory": [
            ("lib-ws", 100),
            ("lib-ws", 1000),
            ("raw-ws", 100),
            ("raw-ws", 1000),
            ("lib-http", 25),
            ("lib-http", 100),
        ],
        "budget_s": 140.0,
    },
}

CLIENT_DESCRIPTIONS = {
    "lib-ws": "janus_client: one shared JanusTransportWebsocket (1 reader task; 1 keepalive "
    "loop per transport, started by a timer one interval after the first session, so none "
    "here); per cycle JanusSession(transport=t).create/attach, handle.detach, session.destroy",
    "raw-ws": "raw: one websockets connection (subprotocol janus-protocol, compression off), "
    "1 reader task matching replies to futures by transaction, json.dumps/loads, timeout",
    "lib-http": "janus_client: one JanusTransportHTTP (1 aiohttp.ClientSession); POST per "
    "request; a session's long-poll GET starts only once it needs events (a plugin message, "
    "trickle, hangup or an event listener), so this cycle does not poll",
    "raw-http": "raw: one aiohttp.ClientSession (limit=0), one POST per request to "
    "/janus[/sid[/hid]], reply = POST body, checked by transaction; NO long-poll",
    "rawlp-http": "raw+lp (reference only): raw-http plus one long-poll GET task per "
    "session, as the library does for sessions that listen for events",
}


def log(msg: str) -> None:
    """Progress on stderr, so that --json output stays clean."""
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- #
# Raw clients


class ProtocolFailure(RuntimeError):
    """A raw client got something else than the expected success reply."""


async def _reply(fut: asyncio.Future[dict[str, Any]]) -> dict[str, Any]:
    """Wait for a reply future under REQUEST_TIMEOUT.

    ``asyncio.timeout`` (Python 3.11+) wakes the caller in the loop iteration that
    resolves the future; ``asyncio.wait_for`` on a future costs one iteration and
    one future more (its done-callback releases a waiter), which a raw client
    written today would not pay.
    """
    timeout = getattr(asyncio, "timeout", None)
    if timeout is None:  # pragma: no cover - Python 3.10
        return await asyncio.wait_for(fut, REQUEST_TIMEOUT)
    async with timeout(REQUEST_TIMEOUT):
        return await fut


def _checked(reply: dict[str, Any], tid: str) -> dict[str, Any]:
    if reply.get("janus") != "success" or reply.get("transaction") != tid:
        raise ProtocolFailure(f"unexpected reply: {reply!r}")
    return reply


class RawWS:
    """Minimal but correct Janus WebSocket client: replies matched by transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)

    async def connect(self) -> None:
        self._ws = await ws_connect(
            self.url,
            subprotocols=[websockets.Subprotocol("janus-protocol")],
            compression=None,
            proxy=None,
            open_timeout=10,
        )
        self._reader = asyncio.get_running_loop().create_task(self._read(self._ws))

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for frame in ws:
                msg = json.loads(frame)
                if msg.get("janus") == "ack":
                    continue
                fut = self._pending.pop(msg.get("transaction"), None)
                if fut is not None and not fut.done():
                    fut.set_result(msg)
                # anything else (e.g. the "detached" event) has no waiter: dropped
        except websockets.ConnectionClosed:
            pass
        finally:
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("websocket closed"))
            self._pending.clear()

    async def request(self, body: dict[str, Any]) -> dict[str, Any]:
        assert self._ws is not None
        tid = f"r{next(self._ids)}"
        body["transaction"] = tid
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[tid] = fut
        try:
            await self._ws.send(json.dumps(body))
            reply = await _reply(fut)
        finally:
            self._pending.pop(tid, None)
        return _checked(reply, tid)

    async def create(self) -> int:
        return int((await self.request({"janus": "create"}))["data"]["id"])

    async def destroy(self, sid: int) -> None:
        await self.request({"janus": "destroy", "session_id": sid})

    async def cycle(self) -> None:
        sid = await self.create()
        reply = await self.request({"janus": "attach", "session_id": sid, "plugin": PLUGIN})
        hid = reply["data"]["id"]
        await self.request({"janus": "detach", "session_id": sid, "handle_id": hid})
        await self.destroy(sid)

    async def close(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            await asyncio.wait_for(ws.close(), 5.0)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


class RawHTTP:
    """Minimal Janus HTTP client: one POST per request; optionally one long-poll per session."""

    def __init__(self, url: str, *, long_poll: bool = False) -> None:
        self.base = url.rstrip("/")
        self.long_poll = long_poll
        self._http: aiohttp.ClientSession | None = None
        self._ids = itertools.count(1)
        self._pollers: set[asyncio.Task[None]] = set()

    async def connect(self) -> None:
        self._http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0),
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
            trust_env=False,
        )

    async def request(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        assert self._http is not None
        tid = f"r{next(self._ids)}"
        body["transaction"] = tid
        async with self._http.post(
            self.base + path, data=json.dumps(body), headers=JSON_HEADERS
        ) as resp:
            reply = json.loads(await resp.read())
        return _checked(reply, tid)

    async def _poll(self, sid: int) -> None:
        assert self._http is not None
        url = f"{self.base}/{sid}"
        timeout = aiohttp.ClientTimeout(total=45.0)
        for _ in range(1000):  # bounded; normally cancelled after one or two polls
            try:
                async with self._http.get(url, params={"maxev": "10"}, timeout=timeout) as resp:
                    events = json.loads(await resp.read())
            except (aiohttp.ClientError, asyncio.TimeoutError):
                return
            if isinstance(events, dict) and events.get("janus") == "error":
                return  # session gone

    async def cycle(self) -> None:
        sid = (await self.request("", {"janus": "create"}))["data"]["id"]
        poller = None
        if self.long_poll:
            poller = asyncio.get_running_loop().create_task(self._poll(sid))
            self._pollers.add(poller)
            poller.add_done_callback(self._pollers.discard)
        reply = await self.request(f"/{sid}", {"janus": "attach", "plugin": PLUGIN})
        hid = reply["data"]["id"]
        await self.request(f"/{sid}/{hid}", {"janus": "detach"})
        if poller is not None:
            poller.cancel()
        await self.request(f"/{sid}", {"janus": "destroy"})

    async def close(self) -> None:
        for task in list(self._pollers):
            task.cancel()
        if self._pollers:
            await asyncio.wait(list(self._pollers), timeout=5.0)
        if self._http is not None:
            await self._http.close()
            self._http = None


# --------------------------------------------------------------------------- #
# Library client


class LibClient:
    """janus_client over one shared transport, created once."""

    def __init__(self, url: str) -> None:
        self.transport = JanusTransport.create_transport(url)

    async def connect(self) -> None:
        await self.transport.connect()

    async def cycle(self) -> None:
        s = JanusSession(transport=self.transport)
        await s.create()
        h = await s.attach(PLUGIN)
        await h.detach()
        await s.destroy()

    async def close(self) -> None:
        await self.transport.close()


# --------------------------------------------------------------------------- #
# Throughput


async def _timed(
    cycle: Callable[[], Awaitable[None]], mode: str, seq: int, batches: int
) -> tuple[float, float]:
    """Run one timed block; return (cycles per second, client CPU microseconds per cycle)."""
    gc.collect()
    cpu = time.process_time()
    start = time.perf_counter()
    if mode == "seq":
        count = seq
        for _ in range(count):
            await cycle()
    else:
        count = 0
        for _ in range(batches):
            results = await asyncio.gather(
                *(cycle() for _ in range(CONCURRENCY)), return_exceptions=True
            )
            errors = [r for r in results if isinstance(r, BaseException)]
            if errors:
                raise RuntimeError(f"{len(errors)} concurrent cycles failed: {errors[0]!r}")
            count += CONCURRENCY
    elapsed = time.perf_counter() - start
    return count / elapsed, (time.process_time() - cpu) / count * 1e6


class AbandonedPolls:
    """Keeps the HTTP phases under Janus' connection limit.

    Janus 1.1.2 does not answer a pending long-poll when its session is destroyed;
    the client can only abandon it (close the connection), and Janus keeps that
    connection (CLOSE-WAIT) until its 30 s long-poll timer fires. Every cycle of a
    long-polling client therefore holds one server connection for ~30 s, and past
    ``mhd_connection_limit`` Janus stops accepting connections (requests hang).
    This guard sleeps (bounded) before a block that would go over the limit.
    """

    HOLD_S = 31.0

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._log: list[tuple[float, int]] = []
        self.waited_s = 0.0

    def _in_flight(self, now: float) -> int:
        self._log = [(t, n) for t, n in self._log if now - t < self.HOLD_S]
        return sum(n for _, n in self._log)

    async def reserve(self, count: int) -> None:
        now = time.monotonic()
        if self._in_flight(now) + count > self.limit:
            # wait until enough old connections have been dropped by Janus (<= HOLD_S)
            for t, _ in list(self._log):
                if self._in_flight(time.monotonic()) + count <= self.limit:
                    break
                delay = max(0.0, t + self.HOLD_S - time.monotonic())
                self.waited_s += delay
                await asyncio.sleep(delay)
        self._log.append((time.monotonic(), count))


async def run_throughput(
    ws_url: str, http_url: str, cfg: dict[str, Any], deadline: float, conn_limit: int
) -> tuple[list[dict[str, Any]], int, float]:
    clients: dict[str, Any] = {
        "lib-ws": LibClient(ws_url),
        "raw-ws": RawWS(ws_url),
        "lib-http": LibClient(http_url),
        "raw-http": RawHTTP(http_url),
        "rawlp-http": RawHTTP(http_url, long_poll=True),
    }
    groups = {"ws": ["lib-ws", "raw-ws"], "http": ["lib-http", "raw-http", "rawlp-http"]}
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {
        (name, mode): [] for name in clients for mode in ("seq", "conc")
    }
    polls = AbandonedPolls(int(conn_limit * 0.8) - 2 * CONCURRENCY)
    try:
        for client in clients.values():
            await asyncio.wait_for(client.connect(), 15.0)
        log("warming up ...")
        for name, client in clients.items():
            if name in ("lib-http", "rawlp-http"):
                await polls.reserve(cfg["warmup"] + CONCURRENCY)
            for _ in range(cfg["warmup"]):
                await asyncio.wait_for(client.cycle(), REQUEST_TIMEOUT * 4)
            await asyncio.wait_for(
                asyncio.gather(*(client.cycle() for _ in range(CONCURRENCY))), PHASE_TIMEOUT
            )
        rounds_done = 0
        for rnd in range(cfg["rounds"]):
            if rnd >= 2 and time.monotonic() > deadline:
                log(f"time budget used up: stopping after {rnd} rounds")
                break
            t0 = time.monotonic()
            for transport, group in groups.items():
                order = group if rnd % 2 == 0 else list(reversed(group))  # A/B, then B/A
                seq = cfg["seq_cycles"][transport]
                batches = cfg["conc_batches"][transport]
                for mode in ("seq", "conc"):
                    for name in order:
                        if name in ("lib-http", "rawlp-http"):
                            await polls.reserve(seq if mode == "seq" else batches * CONCURRENCY)
                        sample = await asyncio.wait_for(
                            _timed(clients[name].cycle, mode, seq, batches), PHASE_TIMEOUT
                        )
                        samples[(name, mode)].append(sample)
            rounds_done += 1
            log(f"round {rnd + 1}/{cfg['rounds']} done in {time.monotonic() - t0:.1f} s")
    finally:
        for client in clients.values():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.close(), 10.0)

    def summary(name: str, mode: str) -> dict[str, Any]:
        got = samples[(name, mode)]
        rates = [rate for rate, _ in got]
        cpus = [cpu for _, cpu in got]
        return {
            "median": statistics.median(rates),
            "cpu_us_per_cycle": statistics.median(cpus),
            "samples": rates,
            "cpu_samples": cpus,
        }

    rows: list[dict[str, Any]] = []
    for transport, (lib, raw, *refs) in (("ws", groups["ws"]), ("http", groups["http"])):
        for mode in ("seq", "conc"):
            lib_sum, raw_sum = summary(lib, mode), summary(raw, mode)
            ratio = lib_sum["median"] / raw_sum["median"]
            paired = [a / b for a, b in zip(lib_sum["samples"], raw_sum["samples"], strict=True)]
            row: dict[str, Any] = {
                "transport": transport,
                "mode": "sequential" if mode == "seq" else f"{CONCURRENCY} concurrent",
                "lib": lib_sum,
                "raw": raw_sum,
                "ratio": ratio,
                "paired_ratio_min": min(paired),
                "paired_ratio_max": max(paired),
                "target": TARGET_RATIO,
                "pass": ratio >= TARGET_RATIO,
            }
            for ref in refs:
                ref_sum = summary(ref, mode)
                ref_sum["lib_ratio"] = lib_sum["median"] / ref_sum["median"]
                row["raw_long_poll"] = ref_sum
            rows.append(row)
    return rows, rounds_done, polls.waited_s


# --------------------------------------------------------------------------- #
# Memory (child process: one fresh interpreter per measurement)


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


async def _mem_child(kind: str, count: int, url: str) -> dict[str, Any]:
    batch = 50
    opened: list[Any] = []
    if kind.startswith("lib"):
        transport = JanusTransport.create_transport(url)
        await transport.connect()

        async def open_one() -> Any:
            s = JanusSession(transport=transport)
            await s.create()
            if kind == "lib-http":
                # A listening session: over HTTP this starts its long-poll, so the
                # row shows the cost of an event-receiving HTTP session.
                s.on_event(lambda event: None)
            return s

        async def close_one(s: Any) -> None:
            await s.destroy()

        async def close_client() -> None:
            await transport.close()

    else:
        raw = RawWS(url)
        await raw.connect()
        ids: dict[int, int] = {}

        async def open_one() -> Any:
            sid = await raw.create()
            ids[sid] = sid
            return sid

        async def close_one(sid: Any) -> None:
            await raw.destroy(sid)
            del ids[sid]

        async def close_client() -> None:
            await raw.close()

    async def open_all(n: int) -> None:
        for start in range(0, n, batch):
            chunk = await asyncio.gather(*(open_one() for _ in range(min(batch, n - start))))
            opened.extend(chunk)

    async def close_all() -> None:
        while opened:
            chunk = opened[-batch:]
            del opened[-batch:]
            await asyncio.gather(*(close_one(s) for s in chunk))

    async def settle() -> None:
        await asyncio.sleep(0.1)  # let long-poll tasks start / cancelled tasks finish
        gc.collect()

    # warm-up: first-use allocations (imports, code paths) are not per-session cost
    await open_all(10)
    await close_all()
    await settle()
    rss0, tasks0 = rss_kib(), len(asyncio.all_tasks())
    t_open = time.perf_counter()
    await open_all(count)
    t_open = time.perf_counter() - t_open
    await settle()
    rss1, tasks1 = rss_kib(), len(asyncio.all_tasks())
    await close_all()
    await settle()
    rss2, tasks2 = rss_kib(), len(asyncio.all_tasks())
    # second pass: Python heap bytes per session, with tracemalloc (which costs RSS itself)
    tracemalloc.start()
    heap0 = tracemalloc.get_traced_memory()[0]
    await open_all(count)
    await settle()
    heap1 = tracemalloc.get_traced_memory()[0]
    await close_all()
    tracemalloc.stop()
    await close_client()
    return {
        "kind": kind,
        "sessions": count,
        "rss_before_kib": rss0,
        "rss_open_kib": rss1,
        "rss_after_destroy_kib": rss2,
        "rss_growth_mib": (rss1 - rss0) / 1024,
        "heap_growth_bytes": heap1 - heap0,
        "tasks_before": tasks0,
        "tasks_open": tasks1,
        "tasks_after_destroy": tasks2,
        "task_growth": tasks1 - tasks0,
        "open_seconds": t_open,
    }


def run_memory_child(kind: str, count: int, url: str) -> dict[str, Any]:
    argv = [sys.executable, os.path.abspath(__file__), "--mem-child", kind, str(count), url]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"memory child {kind} {count} failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- #
# Output


def print_table(result: dict[str, Any]) -> None:
    meta = result["meta"]
    print()
    print(
        f"janus_client {meta['janus_client']} ({meta['revision']}) vs raw clients, "
        f"Janus {meta['janus_version']}, "
        f"Python {meta['python']}, websockets {meta['websockets']}, aiohttp {meta['aiohttp']}, "
        f"{meta['cpus']} CPUs, profile {meta['profile']}"
    )
    print(
        f"Cycle = create -> attach {PLUGIN} -> detach -> destroy. "
        f"{meta['rounds']} interleaved rounds (A/B, B/A, ...), median cycles/s; "
        f"sequential = {meta['seq_cycles']['ws']} (ws) / {meta['seq_cycles']['http']} (http) "
        f"cycles one after another; concurrent = {meta['conc_batches']['ws']} (ws) / "
        f"{meta['conc_batches']['http']} (http) x gather({CONCURRENCY} cycles) on one "
        "connection."
    )
    print()
    header = (
        f"{'transport':<9} {'mode':<14} {'janus_client':>12} {'raw':>10} {'ratio':>6} "
        f"{'per-round':>11}  {'target':<6} {'result':<6}  {'client CPU us/cycle':>19}"
    )
    print(header)
    print("-" * len(header))
    for row in result["throughput"]:
        lib, raw = row["lib"], row["raw"]
        spread = f"{row['paired_ratio_min']:.2f}-{row['paired_ratio_max']:.2f}"
        cpu = f"{lib['cpu_us_per_cycle']:.0f} vs {raw['cpu_us_per_cycle']:.0f}"
        print(
            f"{row['transport']:<9} {row['mode']:<14} {lib['median']:10.0f}/s "
            f"{raw['median']:8.0f}/s {row['ratio']:6.2f} {spread:>11}  "
            f">={row['target']:<4} {'PASS' if row['pass'] else 'FAIL':<6}  {cpu:>19}"
        )
    for row in result["throughput"]:
        ref = row.get("raw_long_poll")
        if ref:
            print(
                f"  reference, http {row['mode']:<14}: raw+long-poll {ref['median']:6.0f}/s "
                f"({ref['cpu_us_per_cycle']:.0f} us CPU/cycle); janus_client / raw+long-poll "
                f"= {ref['lib_ratio']:.2f}"
            )
    print(
        "  ratio = median(janus_client) / median(raw); per-round = range of the paired "
        "per-round ratios;\n  client CPU = this process' CPU time per cycle (median), "
        "janus_client vs raw."
    )
    print()
    print("What each client does:")
    for name, text in CLIENT_DESCRIPTIONS.items():
        print(f"  {name:<10} {text}")
    print()
    print(
        "Open sessions (create only) on one transport, each row in a fresh interpreter after "
        "a warm-up; RSS = VmRSS after gc.collect(); heap = tracemalloc (second pass)"
    )
    header = (
        f"{'client':<9} {'sessions':>8} {'RSS growth':>11} {'per sess':>9} {'heap/sess':>10} "
        f"{'tasks before->open->destroyed':>30}  {'target':<22} {'result':<6}"
    )
    print(header)
    print("-" * len(header))
    for row in result["memory"]:
        n = row["sessions"]
        growth = row["rss_growth_mib"]
        tasks = f"{row['tasks_before']} -> {row['tasks_open']} -> {row['tasks_after_destroy']}"
        if row["kind"] == "lib-ws":
            target = f"RSS<={TARGET_RSS_MB:g}MB, tasks O(1)"
            ok = row["task_growth"] <= 2 and (n < 1000 or growth <= TARGET_RSS_MB)
            verdict = "PASS" if ok else "FAIL"
        elif row["kind"] == "lib-http":
            target = "info: listening, 1 poll/sess"
            verdict = ""
        else:
            target = "reference"
            verdict = ""
        print(
            f"{row['kind']:<9} {n:>8} {growth:>8.2f} MB {row['rss_growth_mib'] * 1024 / n:>6.2f} kB"
            f" {row['heap_growth_bytes'] / n / 1024:>7.2f} kB {tasks:>30}  {target:<22} {verdict}"
        )
    print()
    if result.get("notes"):
        for note in result["notes"]:
            print(f"note: {note}")
    print(f"total run time {result['meta']['elapsed_s']:.1f} s")


# --------------------------------------------------------------------------- #
# Main


async def _janus_version(url: str) -> str:
    async with JanusSession(url) as session:
        info = await asyncio.wait_for(session.info(), 10.0)
    return str(info.get("version_string", "?"))


def connection_limit() -> int:
    """Raise our (and so Janus') open-files soft limit; return Janus' HTTP connection limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = WANTED_HTTP_CONNECTIONS + 1000
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new_soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return WANTED_HTTP_CONNECTIONS
    return max(1020, min(WANTED_HTTP_CONNECTIONS, soft - 500))


def start_server(notes: list[str], conn_limit: int) -> JanusServer:
    http_conf = {"janus.transport.http": {"general": {"mhd_connection_limit": conn_limit}}}
    try:
        server = JanusServer(session_timeout=120, plugin_configs=http_conf)
        server.start()
    except JanusServerError as exc:
        if "ICE address" not in str(exc):
            raise
        # No PeerConnection is ever made here, so no ICE gathering happens.
        notes.append("ICE address 127.0.0.2 not assigned: Janus started with ice_address=None")
        server = JanusServer(session_timeout=120, ice_address=None, plugin_configs=http_conf)
        server.start()
    return server


def _git_revision() -> str:
    """Commit of the work tree (and whether janus_client/ has local changes)."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "janus_client"],
            cwd=os.path.dirname(here),
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return rev + ("+local changes in janus_client/" if dirty else "")


def run_bench(cfg_name: str) -> dict[str, Any]:
    cfg = PROFILES[cfg_name]
    started = time.monotonic()
    notes: list[str] = []
    conn_limit = connection_limit()
    notes.append(
        f"Janus HTTP mhd_connection_limit set to {conn_limit} (default 1020): Janus 1.1.2 keeps "
        "the connection of an abandoned long-poll (destroyed session) for ~30 s, so any "
        "long-polling client that destroys >~1000 sessions per 30 s stalls Janus' HTTP API"
    )
    server = start_server(notes, conn_limit)
    try:
        log(f"Janus started: {server.ws_url} {server.http_url}")
        version = asyncio.run(_janus_version(server.ws_url))
        rows, rounds_done, waited = asyncio.run(
            run_throughput(
                server.ws_url, server.http_url, cfg, started + cfg["budget_s"], conn_limit
            )
        )
        if waited > 0:
            notes.append(f"waited {waited:.1f} s for Janus to drop abandoned long-polls")
        memory = []
        for kind, count in cfg["memory"]:
            url = server.http_url if kind.endswith("http") else server.ws_url
            log(f"memory: {kind} x {count} ...")
            memory.append(run_memory_child(kind, count, url))
    finally:
        pid = server.pid
        server.stop()
    if server.running or (pid is not None and os.path.exists(f"/proc/{pid}")):
        notes.append(f"WARNING: Janus pid {pid} still running after stop()")
    else:
        notes.append(f"Janus pid {pid} stopped")
    return {
        "meta": {
            "janus_client": janus_client.__version__,
            "revision": _git_revision(),
            "janus_version": version,
            "python": platform.python_version(),
            "websockets": websockets.__version__,
            "aiohttp": aiohttp.__version__,
            "cpus": os.cpu_count(),
            "profile": cfg_name,
            "rounds": rounds_done,
            "seq_cycles": cfg["seq_cycles"],
            "conc_batches": cfg["conc_batches"],
            "concurrency": CONCURRENCY,
            "elapsed_s": time.monotonic() - started,
        },
        "throughput": rows,
        "memory": memory,
        "notes": notes,
        "clients": CLIENT_DESCRIPTIONS,
    }


# --------------------------------------------------------------- broker transports
# ``--brokers``: the Unix-socket, MQTT and RabbitMQ transports against raw clients
# that speak to the same Janus through the same broker, in the same run.
BROKER_KINDS = ("unix", "mqtt5", "mqtt3", "amqp")
# Sequential cycles per block and blocks per client: short blocks, many rounds, so
# that load from other processes on the machine hits both clients alike.
BROKER_CYCLES = {"quick": 25, "full": 50}
BROKER_ROUNDS = {"quick": 20, "full": 30}
LATENCY_TARGET_MS = 2.0


class _RawBase:
    """A raw client: send one JSON request, wait for the reply with its transaction."""

    def __init__(self) -> None:
        self.waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.counter = itertools.count()

    def feed(self, data: bytes | str) -> None:
        msg = json.loads(data)
        if msg.get("janus") == "ack":
            return
        fut = self.waiters.pop(str(msg.get("transaction")), None)
        if fut is not None and not fut.done():
            fut.set_result(msg)

    async def send(self, payload: bytes, tid: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    async def call(self, body: dict[str, Any]) -> dict[str, Any]:
        tid = f"r{next(self.counter)}"
        body["transaction"] = tid
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiters[tid] = fut
        await self.send(json.dumps(body).encode(), tid)
        return _checked(await _reply(fut), tid)

    async def cycle(self) -> None:
        sid = (await self.call({"janus": "create"}))["data"]["id"]
        hid = (await self.call({"janus": "attach", "session_id": sid, "plugin": PLUGIN}))[
            "data"
        ]["id"]
        await self.call({"janus": "detach", "session_id": sid, "handle_id": hid})
        await self.call({"janus": "destroy", "session_id": sid})


class _RawUnix(_RawBase):
    def __init__(self, path: str) -> None:
        super().__init__()
        import socket

        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.connect(path)
        self.sock.setblocking(False)
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        while data := await loop.sock_recv(self.sock, 1 << 20):
            self.feed(data)

    async def send(self, payload: bytes, tid: str) -> None:
        await asyncio.get_running_loop().sock_sendall(self.sock, payload)

    async def close(self) -> None:
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader
        self.sock.close()


class _RawMQTT(_RawBase):
    def __init__(self, url: str) -> None:
        super().__init__()
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 1883
        self.v5 = query.get("mqtt_version") == "5"
        self.request_topic, self.reply_topic = query["request_topic"], query["reply_topic"]
        self.response_topic = f"{self.reply_topic}/raw-{os.getpid()}"

    async def open(self) -> None:
        import socket as _socket

        import aiomqtt

        self.client = aiomqtt.Client(
            self.host,
            self.port,
            protocol=aiomqtt.ProtocolVersion.V5 if self.v5 else aiomqtt.ProtocolVersion.V311,
            socket_options=[(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)],
        )
        await self.client.__aenter__()
        await self.client.subscribe(self.response_topic if self.v5 else self.reply_topic)
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for message in self.client.messages:
            if isinstance(message.payload, (bytes, str)):
                self.feed(message.payload)

    async def send(self, payload: bytes, tid: str) -> None:
        properties = None
        if self.v5:
            from paho.mqtt.packettypes import PacketTypes
            from paho.mqtt.properties import Properties

            properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            properties.ResponseTopic = self.response_topic
            properties.CorrelationData = tid.encode()
        await self.client.publish(self.request_topic, payload, qos=0, properties=properties)

    async def close(self) -> None:
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader
        await self.client.__aexit__(None, None, None)


class _RawAMQP(_RawBase):
    def __init__(self, url: str) -> None:
        super().__init__()
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(url)
        self.query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.url = f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"

    async def open(self) -> None:
        import aio_pika

        self.aio_pika = aio_pika
        self.connection = await aio_pika.connect(self.url)
        self.channel = await self.connection.channel(publisher_confirms=False)
        queue = await self.channel.declare_queue("", exclusive=True, auto_delete=True)
        await queue.bind(self.query["exchange"], routing_key=self.query["from_janus"])
        await queue.consume(self._on_message, no_ack=True)

    async def _on_message(self, message: Any) -> None:
        self.feed(message.body)

    async def send(self, payload: bytes, tid: str) -> None:
        await self.channel.default_exchange.publish(
            self.aio_pika.Message(payload, correlation_id=tid),
            routing_key=self.query["to_janus"],
        )

    async def close(self) -> None:
        await self.connection.close()


async def _raw_client(kind: str, url: str) -> Any:
    if kind == "unix":
        return _RawUnix(url[len("unix://") :])
    client: Any = _RawMQTT(url) if kind.startswith("mqtt") else _RawAMQP(url)
    await client.open()
    return client


async def _lib_cycle(transport: JanusTransport) -> None:
    session = JanusSession(transport=transport)
    await session.create()
    handle = await session.attach(PLUGIN)
    await handle.detach()
    await session.destroy()


async def _broker_throughput(kind: str, url: str, cycles: int, rounds: int) -> dict[str, Any]:
    transport = JanusTransport.create_transport(url)
    await transport.connect()
    raw = await _raw_client(kind, url)
    lib_rates: list[float] = []
    raw_rates: list[float] = []
    try:
        for _ in range(10):  # warm-up
            await _lib_cycle(transport)
            await raw.cycle()
        for r in range(rounds):
            order = [("lib", lib_rates), ("raw", raw_rates)]
            if r % 2:
                order.reverse()
            for name, rates in order:
                start = time.perf_counter()
                for _ in range(cycles):
                    if name == "lib":
                        await _lib_cycle(transport)
                    else:
                        await raw.cycle()
                rates.append(cycles / (time.perf_counter() - start))
    finally:
        await raw.close()
        await transport.close()
    lib, base = statistics.median(lib_rates), statistics.median(raw_rates)
    paired = [a / b for a, b in zip(lib_rates, raw_rates, strict=True)]
    return {
        "kind": kind,
        "lib": lib,
        "raw": base,
        "ratio_of_medians": lib / base,
        # The verdict: median of the per-round ratios (each round runs both clients
        # back to back, so a burst of load elsewhere hits one round, not one client).
        "ratio": statistics.median(paired),
        "paired_min": min(paired),
        "paired_max": max(paired),
    }


async def _mqtt_latency(url: str, count: int) -> dict[str, float]:
    """p50/p90 of single requests over MQTT (create, attach, message, detach, destroy)."""
    samples: list[float] = []
    async with JanusTransport.create_transport(url) as transport:
        for _ in range(count):
            session = JanusSession(transport=transport)
            t0 = time.perf_counter()
            await session.create()
            t1 = time.perf_counter()
            handle = await session.attach(PLUGIN)
            t2 = time.perf_counter()
            await handle.send({"audio": True})
            t3 = time.perf_counter()
            await handle.detach()
            t4 = time.perf_counter()
            await session.destroy()
            t5 = time.perf_counter()
            samples += [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4]
    samples.sort()
    return {
        "p50_ms": 1000 * samples[len(samples) // 2],
        "p90_ms": 1000 * samples[int(len(samples) * 0.9)],
        "requests": float(len(samples)),
    }


def run_broker_bench(cfg_name: str) -> dict[str, Any]:
    from janus_client.testing._brokers import MosquittoBroker, RabbitMQBroker

    cycles, rounds = BROKER_CYCLES[cfg_name], BROKER_ROUNDS[cfg_name]
    rows: list[dict[str, Any]] = []
    with MosquittoBroker() as mqtt, RabbitMQBroker() as rabbit:
        log(f"brokers up: {mqtt.url} {rabbit.url}")
        main = JanusServer(
            ice_address=None,
            plugins=[PLUGIN],
            unix_sockets=True,
            mqtt_broker=mqtt.url,
            mqtt_version="5",
            rabbitmq_broker=rabbit.url,
        )
        v311 = JanusServer(
            ice_address=None, plugins=[PLUGIN], mqtt_broker=mqtt.url, mqtt_version="3.1.1"
        )
        with main, v311:
            urls = {
                "unix": main.unix_url,
                "mqtt5": main.mqtt_url,
                "mqtt3": v311.mqtt_url,
                "amqp": main.amqp_url,
            }
            for kind in BROKER_KINDS:
                url = urls[kind]
                assert url is not None
                log(f"throughput over {kind} ...")
                rows.append(asyncio.run(_broker_throughput(kind, url, cycles, rounds)))
            assert main.mqtt_url is not None
            latency = asyncio.run(_mqtt_latency(main.mqtt_url, 60 if cfg_name == "quick" else 200))
    return {"cycles": cycles, "rounds": rounds, "rows": rows, "mqtt_latency": latency}


def print_broker_table(result: dict[str, Any]) -> None:
    print(
        f"\nBroker transports: create->attach->detach->destroy cycles/s, median of "
        f"{result['rounds']} interleaved rounds of {result['cycles']} sequential cycles; "
        "ratio = median of the per-round ratios (range in brackets), medians ratio = "
        "ratio of the two medians"
    )
    print(
        f"{'transport':<10} {'janus_client':>13} {'raw client':>11} {'ratio':>7} "
        f"{'(per-round)':>13} {'medians':>8}  target"
    )
    for row in result["rows"]:
        verdict = "PASS" if row["ratio"] >= TARGET_RATIO else "FAIL"
        spread = f"{row['paired_min']:.2f}-{row['paired_max']:.2f}"
        print(
            f"{row['kind']:<10} {row['lib']:>13.1f} {row['raw']:>11.1f} {row['ratio']:>7.2f} "
            f"{spread:>13} {row['ratio_of_medians']:>8.2f}  >= {TARGET_RATIO} {verdict}"
        )
    lat = result["mqtt_latency"]
    verdict = "PASS" if lat["p50_ms"] <= LATENCY_TARGET_MS else "FAIL"
    print(
        f"MQTT 5 request latency (QoS 0 client, mosquitto set_tcp_nodelay, Janus QoS 1): "
        f"p50 {lat['p50_ms']:.2f} ms, p90 {lat['p90_ms']:.2f} ms over {lat['requests']:.0f} "
        f"requests; target p50 <= {LATENCY_TARGET_MS} ms {verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run (~30 s)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument(
        "--brokers",
        action="store_true",
        help="benchmark the unix, MQTT (5 and 3.1.1) and RabbitMQ transports instead "
        "(starts mosquitto and RabbitMQ)",
    )
    parser.add_argument(
        "--mem-child", nargs=3, metavar=("KIND", "N", "URL"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.mem_child:
        kind, count, url = args.mem_child
        if kind not in ("lib-ws", "lib-http", "raw-ws") or not url.startswith(
            ("ws://127.0.0.1:", "http://127.0.0.1:")
        ):
            parser.error("bad --mem-child arguments")
        print(json.dumps(asyncio.run(_mem_child(kind, int(count), url))))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run finally: stop Janus
    if args.brokers:
        brokers = run_broker_bench("quick" if args.quick else "full")
        if args.json:
            print(json.dumps(brokers, indent=2))
        else:
            print_broker_table(brokers)
        return 0
    result = run_bench("quick" if args.quick else "full")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
