"""Event receiver benchmark: 10,000 events/s from Janus' HTTP event handler on loopback.

Runs two receivers, one at a time, each in its own process so that its CPU time
can be measured alone:

* ``bare``: an aiohttp handler that only reads the body and parses the JSON;
* ``ours``: `JanusEventReceiver` with an `HttpEventSource` (typed events,
  grouped arrays unpacked, stats) and a consumer iterating over the events and
  a `LiveView` fed from them.

Load generator processes (raw keep-alive HTTP/1.1 connections) posts
real-looking events (media stats, webrtc, plugin) at a fixed offered rate,
either one event per POST (``grouping = false``) or arrays of 5 (``grouping =
true``). Printed per mode: events received per second, the receiver's CPU
share of one core, and the ratio ``bare CPU / ours CPU`` for the same events
(>= 0.8 means the library costs at most 25 % more than parsing JSON alone).

Run: ``python experiments/bench_events.py [--rate 10000] [--seconds 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

SID, HID = 6513123582400967, 8030776053944320
SAMPLES: list[dict[str, Any]] = [
    {
        "emitter": "bench",
        "type": 32,
        "subtype": 3,
        "timestamp": 1796160326674661,
        "session_id": SID,
        "handle_id": HID,
        "event": {
            "mid": "1",
            "mindex": 1,
            "media": "video",
            "codec": "vp8",
            "base": 90000,
            "rtt": 2,
            "lost": 0,
            "lost-by-remote": 0,
            "jitter-local": 1,
            "jitter-remote": 1,
            "in-link-quality": 100,
            "in-media-link-quality": 100,
            "out-link-quality": 100,
            "out-media-link-quality": 100,
            "packets-received": 3400,
            "packets-sent": 3400,
            "bytes-received": 466800,
            "bytes-sent": 466800,
            "bytes-received-lastsec": 20900,
            "bytes-sent-lastsec": 20900,
            "nacks-received": 0,
            "nacks-sent": 0,
            "retransmissions-received": 0,
        },
    },
    {
        "emitter": "bench",
        "type": 16,
        "subtype": 1,
        "timestamp": 1796160325421810,
        "session_id": SID,
        "handle_id": HID,
        "event": {"ice": "connected", "stream_id": 1, "component_id": 1},
    },
    {
        "emitter": "bench",
        "type": 64,
        "timestamp": 1796160325423372,
        "session_id": SID,
        "handle_id": HID,
        "event": {
            "plugin": "janus.plugin.echotest",
            "data": {"audio_active": True, "video_active": True, "bitrate": 0},
        },
    },
]


# ------------------------------------------------------------------------- receivers
async def serve(kind: str, port: int) -> None:
    from aiohttp import web

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_reader(sys.stdin.fileno(), stop.set)  # the parent closes our stdin to stop us
    count = 0
    if kind == "bare":

        async def handle(request: web.Request) -> web.Response:
            nonlocal count
            body = json.loads(await request.read())
            count += len(body) if isinstance(body, list) else 1
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/evh", handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print("ready", flush=True)
        await stop.wait()
        await runner.cleanup()
    else:
        from janus_client.observe import HttpEventSource, JanusEventReceiver, LiveView

        rx = JanusEventReceiver(HttpEventSource("127.0.0.1", port, "/evh"), max_queue=100_000)
        rx.add_listener(LiveView())
        await rx.start()

        async def consume() -> None:
            nonlocal count
            async for _event in rx:
                count += 1

        task = loop.create_task(consume())
        print("ready", flush=True)
        await stop.wait()
        await rx.close()
        await task
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"events": count, "cpu": usage.ru_utime + usage.ru_stime}), flush=True)


# -------------------------------------------------------------------------- load
async def load(port: int, rate: float, seconds: float, group: int, conns: int) -> int:
    """Post ``rate`` events/s for ``seconds`` over ``conns`` connections; return events sent."""
    requests = []
    for i in range(len(SAMPLES)):
        batch = [SAMPLES[(i + j) % len(SAMPLES)] for j in range(group)]
        body = json.dumps(batch if group > 1 else batch[0]).encode()
        head = (
            f"POST /evh HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        requests.append(head + body)
    posts_per_conn = rate / group / conns
    sent = 0
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def one(n: int) -> None:
        nonlocal sent
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = 0
        try:
            while True:
                due = start + i / posts_per_conn
                now = loop.time()
                if now - start >= seconds:
                    break
                if due > now:
                    await asyncio.sleep(due - now)
                writer.write(requests[(i + n) % len(requests)])
                # read one response: headers then Content-Length bytes
                headers = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in headers.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                sent += group
                i += 1
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(one(n) for n in range(conns)))
    return sent


def run_one(
    kind: str, rate: float, seconds: float, group: int, conns: int, procs: int
) -> dict[str, float]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ)
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stdin is not None
    assert proc.stdout.readline().strip() == "ready"
    with open(f"/proc/{proc.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    cpu_before = (int(fields[11]) + int(fields[12])) / tick
    t0 = time.perf_counter()
    # The load comes from `procs` generator processes (one Python process cannot
    # offer 10,000 POSTs/s on its own).
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--load-worker",
                str(port),
                str(rate / procs),
                str(seconds),
                str(group),
                str(max(conns // procs, 1)),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(procs)
    ]
    sent = 0
    for w in workers:
        out, _ = w.communicate(timeout=seconds + 60)
        sent += int(out.strip())
    elapsed = time.perf_counter() - t0
    with open(f"/proc/{proc.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu_load = (int(fields[11]) + int(fields[12])) / tick - cpu_before
    proc.stdin.close()
    result = json.loads(proc.stdout.readline())
    proc.wait(timeout=30)
    proc.stdout.close()
    return {
        "sent": sent,
        "received": result["events"],
        "rate": result["events"] / elapsed,
        "cpu": cpu_load,
        "share": cpu_load / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10_000, help="offered events/s")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--conns", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs; best kept")
    parser.add_argument("--procs", type=int, default=2, help="load generator processes")
    parser.add_argument("--serve", choices=("bare", "ours"), help=argparse.SUPPRESS)
    parser.add_argument("--load-worker", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.port))
        return
    if args.load_worker:
        port, rate, seconds, group, conns = args.load_worker
        sent = asyncio.run(load(int(port), float(rate), float(seconds), int(group), int(conns)))
        print(sent, flush=True)
        return
    print(
        f"offered load: {args.rate:,.0f} events/s for {args.seconds:g} s, "
        f"{args.conns} keep-alive connections from {args.procs} processes, "
        "receiver CPU measured from /proc"
    )
    for group, label in (
        (1, "grouping=false (1 event/POST)"),
        (5, "grouping=true (5 events/POST)"),
    ):
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.rounds):
            for kind in ("bare", "ours"):
                r = run_one(kind, args.rate, args.seconds, group, args.conns, args.procs)
                if kind not in best or r["cpu"] / max(r["received"], 1) < best[kind]["cpu"] / max(
                    best[kind]["received"], 1
                ):
                    best[kind] = r
        print(f"\n{label}")
        for kind in ("bare", "ours"):
            r = best[kind]
            print(
                f"  {kind:5} received {r['received']:>7,.0f}/{r['sent']:,.0f} events, "
                f"{r['rate']:>8,.0f} events/s, CPU {r['share'] * 100:5.1f} % of one core, "
                f"{r['cpu'] / max(r['received'], 1) * 1e6:6.1f} µs/event"
            )
        per_bare = best["bare"]["cpu"] / max(best["bare"]["received"], 1)
        per_ours = best["ours"]["cpu"] / max(best["ours"]["received"], 1)
        ratio = per_bare / per_ours if per_ours else float("inf")
        verdict = "OK" if ratio >= 0.8 and best["ours"]["share"] < 1.0 else "BELOW TARGET"
        print(f"  ratio bare/ours CPU per event: {ratio:.2f} (target >= 0.8): {verdict}")


if __name__ == "__main__":
    main()
