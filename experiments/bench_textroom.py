"""TextRoom benchmark: messages between two participants through a local Janus.

Measures, in one run, for janus-client and for a minimal raw client (raw
`websockets` signalling + a raw aiortc data channel, no library):

* latency of one message from A to B (a whisper, so only B gets it): the time
  from A's send to B's code holding the message, one message in flight at a time
  (p50 / p99; target: janus-client p50 <= 2 ms);
* messages per second from A to B, A keeping a bounded window of acked messages
  in flight, counted when B has received the last one.

The two clients are measured in alternating rounds (library first, then raw
first) and the medians of the rounds are reported, so machine noise hits both.

Run: ``python experiments/bench_textroom.py [--rounds 5] [--latency 400]
[--messages 3000] [--window 32]``. Starts and stops its own Janus on loopback
(only 127.0.0.1 and the ICE address 127.0.0.2 are used); needs root for the ICE
address. Every loop is bounded in count and every phase in time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiortc import RTCDataChannel, RTCPeerConnection, RTCSessionDescription
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

from janus_client import JanusSession, JanusTextRoomPlugin, TextRoomMessageEvent
from janus_client.testing import JanusServer, ensure_ice_address
from janus_client.webrtc import set_host_addresses

ICE = "127.0.0.2"
PLUGIN = "janus.plugin.textroom"
TARGET_P50_MS = 2.0
STEP_TIMEOUT = 10.0  # one request, one setup, one received message
PHASE_TIMEOUT = 120.0  # one measured block


# ------------------------------------------------------------------ raw client
class RawParticipant:
    """The least code that does the job: raw Janus JSON over a WebSocket, raw aiortc."""

    def __init__(self) -> None:
        self.ws: ClientConnection | None = None
        self.pc: RTCPeerConnection | None = None
        self.channel: RTCDataChannel | None = None
        self.session_id = 0
        self.handle_id = 0
        self._ids = itertools.count(1)
        self._api: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._dc: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        assert self.ws is not None
        async for frame in self.ws:
            msg = json.loads(frame)
            future = self._api.get(msg.get("transaction", ""))
            if future is not None and msg.get("janus") != "ack" and not future.done():
                future.set_result(msg)

    async def call(self, msg: dict[str, Any]) -> dict[str, Any]:
        assert self.ws is not None
        tid = f"r{next(self._ids)}"
        msg["transaction"] = tid
        if self.session_id:
            msg["session_id"] = self.session_id
        if self.handle_id:
            msg["handle_id"] = self.handle_id
        future = asyncio.get_running_loop().create_future()
        self._api[tid] = future
        try:
            await self.ws.send(json.dumps(msg))
            return await asyncio.wait_for(future, STEP_TIMEOUT)
        finally:
            del self._api[tid]

    def _on_message(self, data: str | bytes) -> None:
        msg = json.loads(data)
        future = self._dc.pop(msg.get("transaction", ""), None)
        if future is not None:
            if not future.done():
                future.set_result(msg)
        else:
            self.inbox.put_nowait(msg)

    async def request(self, body: dict[str, Any]) -> dict[str, Any]:
        assert self.channel is not None
        tid = f"d{next(self._ids)}"
        body["transaction"] = tid
        future = asyncio.get_running_loop().create_future()
        self._dc[tid] = future
        self.channel.send(json.dumps(body))
        try:
            reply = await asyncio.wait_for(future, STEP_TIMEOUT)
        finally:
            self._dc.pop(tid, None)
        if reply.get("textroom") == "error":
            raise RuntimeError(reply)
        return reply

    def send(self, body: dict[str, Any]) -> None:
        assert self.channel is not None
        self.channel.send(json.dumps(body))

    async def start(self, url: str) -> None:
        self.ws = await ws_connect(url, subprotocols=["janus-protocol"])  # type: ignore[list-item]
        self._reader = asyncio.create_task(self._read())
        self.session_id = (await self.call({"janus": "create"}))["data"]["id"]
        attached = await self.call({"janus": "attach", "plugin": PLUGIN})
        self.handle_id = attached["data"]["id"]
        reply = await self.call({"janus": "message", "body": {"request": "setup"}})
        offer = reply["jsep"]
        self.pc = RTCPeerConnection()
        await self.pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], offer["type"]))
        self.channel = self.pc.createDataChannel("JanusDataChannel")
        self.channel.on("message", self._on_message)
        opened = asyncio.get_running_loop().create_future()
        self.channel.on("open", lambda: opened.done() or opened.set_result(None))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        local = self.pc.localDescription
        await self.call(
            {
                "janus": "message",
                "body": {"request": "ack"},
                "jsep": {"type": local.type, "sdp": local.sdp},
            }
        )
        await asyncio.wait_for(opened, STEP_TIMEOUT)

    async def stop(self) -> None:
        if self.pc is not None:
            await self.pc.close()
        if self.ws is not None:
            if self.session_id:
                with contextlib.suppress(asyncio.TimeoutError, OSError):
                    await self.call({"janus": "destroy"})
            await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)


async def raw_client(url: str, latency_n: int, messages: int, window: int) -> dict[str, Any]:
    alice, bob = RawParticipant(), RawParticipant()
    try:
        await asyncio.gather(alice.start(url), bob.start(url))
        created = await alice.call(
            {"janus": "message", "body": {"request": "create", "is_private": True}}
        )
        room = created["plugindata"]["data"]["room"]
        await alice.request({"textroom": "join", "room": room, "username": "alice"})
        await bob.request({"textroom": "join", "room": room, "username": "bob"})
        # Drop the join notices before measuring.
        await asyncio.sleep(0.2)
        while not bob.inbox.empty():
            bob.inbox.get_nowait()

        async def receive() -> dict[str, Any]:
            while True:
                msg = await bob.inbox.get()
                if msg.get("textroom") == "message":
                    return msg

        samples = []
        for i in range(latency_n):
            start = time.perf_counter()
            alice.send(
                {
                    "textroom": "message",
                    "transaction": f"l{i}",
                    "room": room,
                    "to": "bob",
                    "text": f"lat-{i}",
                    "ack": False,
                }
            )
            msg = await asyncio.wait_for(receive(), STEP_TIMEOUT)
            samples.append(time.perf_counter() - start)
            assert msg["text"] == f"lat-{i}"

        limit = asyncio.Semaphore(window)

        async def send_one(i: int) -> None:
            async with limit:
                await alice.request(
                    {"textroom": "message", "room": room, "to": "bob", "text": f"t-{i}"}
                )

        async def receive_all() -> None:
            for i in range(messages):
                msg = await receive()
                assert msg["text"] == f"t-{i}", msg

        start = time.perf_counter()
        receiver = asyncio.create_task(receive_all())
        await asyncio.gather(*(send_one(i) for i in range(messages)))
        await asyncio.wait_for(receiver, PHASE_TIMEOUT)
        rate = messages / (time.perf_counter() - start)
        await alice.call({"janus": "message", "body": {"request": "destroy", "room": room}})
        return {"latency": samples, "rate": rate}
    finally:
        await asyncio.gather(alice.stop(), bob.stop())


# -------------------------------------------------------------- library client
async def library_client(url: str, latency_n: int, messages: int, window: int) -> dict[str, Any]:
    async with JanusSession(url) as session_a, JanusSession(url) as session_b:
        alice = await session_a.attach(JanusTextRoomPlugin())
        bob = await session_b.attach(JanusTextRoomPlugin())
        try:
            await asyncio.gather(alice.setup(STEP_TIMEOUT), bob.setup(STEP_TIMEOUT))
            room = await alice.create_room()
            await alice.join_room(room, "alice")
            stream = bob.events(TextRoomMessageEvent)
            await bob.join_room(room, "bob")
            samples = []
            for i in range(latency_n):
                start = time.perf_counter()
                await alice.send_message(room, f"lat-{i}", to="bob", ack=False)
                event = await stream.get(STEP_TIMEOUT)
                samples.append(time.perf_counter() - start)
                assert event.text == f"lat-{i}"  # type: ignore[attr-defined]

            limit = asyncio.Semaphore(window)

            async def send_one(i: int) -> None:
                async with limit:
                    await alice.send_message(room, f"t-{i}", to="bob")

            async def receive_all() -> None:
                for i in range(messages):
                    event = await stream.get()
                    assert event.text == f"t-{i}", event  # type: ignore[attr-defined]

            start = time.perf_counter()
            receiver = asyncio.create_task(receive_all())
            await asyncio.gather(*(send_one(i) for i in range(messages)))
            await asyncio.wait_for(receiver, PHASE_TIMEOUT)
            rate = messages / (time.perf_counter() - start)
            await stream.aclose()
            await alice.destroy_room(room)
            return {"latency": samples, "rate": rate}
        finally:
            await alice.destroy()
            await bob.destroy()


# ----------------------------------------------------------------------- driver
Client = Callable[[str, int, int, int], Awaitable[dict[str, Any]]]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(url: str, rounds: int, latency_n: int, messages: int, window: int) -> dict[str, Any]:
    clients: dict[str, Client] = {"janus_client": library_client, "raw": raw_client}
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in clients}
    # Warm-up (imports, first connections), not counted.
    for call in clients.values():
        await asyncio.wait_for(call(url, 20, 100, window), PHASE_TIMEOUT)
    for r in range(rounds):
        order = list(clients) if r % 2 == 0 else list(reversed(clients))
        for name in order:
            result = await asyncio.wait_for(
                clients[name](url, latency_n, messages, window), PHASE_TIMEOUT
            )
            results[name].append(result)
    summary: dict[str, Any] = {}
    for name, runs in results.items():
        summary[name] = {
            "p50": statistics.median(_pct(x["latency"], 0.5) for x in runs) * 1000,
            "p99": statistics.median(_pct(x["latency"], 0.99) for x in runs) * 1000,
            "rate": statistics.median(x["rate"] for x in runs),
        }
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--latency", type=int, default=400, help="latency samples per round")
    parser.add_argument("--messages", type=int, default=3000, help="messages per rate round")
    parser.add_argument("--window", type=int, default=32, help="acked messages in flight")
    args = parser.parse_args()
    for name in ("rounds", "latency", "messages", "window"):
        value = getattr(args, name)
        if not 1 <= value <= 100_000:
            parser.error(f"--{name} must be within 1..100000")
    if not ensure_ice_address(ICE):
        print("needs root to create the loopback ICE address", file=sys.stderr)
        return 2
    set_host_addresses([ICE])
    started = time.monotonic()
    with JanusServer(ice_address=ICE) as server:
        summary = asyncio.run(
            run(server.ws_url, args.rounds, args.latency, args.messages, args.window)
        )
    elapsed = time.monotonic() - started
    print(
        f"TextRoom benchmark, WebSocket signalling, {args.rounds} rounds "
        f"(medians), {args.latency} latency samples and {args.messages} messages "
        f"(window {args.window}) per round, {elapsed:.0f} s"
    )
    print(f"{'client':<14}{'A->B p50':>11}{'p99':>11}{'msgs/s':>10}")
    for name in ("janus_client", "raw"):
        s = summary[name]
        print(f"{name:<14}{s['p50']:>8.3f} ms{s['p99']:>8.3f} ms{s['rate']:>10.0f}")
    lib, raw = summary["janus_client"], summary["raw"]
    print(f"ratio p50 janus_client/raw: {lib['p50'] / raw['p50']:.2f}")
    print(f"ratio p99 janus_client/raw: {lib['p99'] / raw['p99']:.2f}")
    print(f"ratio msgs/s janus_client/raw: {lib['rate'] / raw['rate']:.2f}")
    verdict = "PASS" if lib["p50"] <= TARGET_P50_MS else "FAIL"
    print(f"target p50 <= {TARGET_P50_MS:g} ms: {verdict} ({lib['p50']:.3f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
