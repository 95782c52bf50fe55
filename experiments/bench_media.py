"""Media benchmark: EchoTest with real WebRTC media against a local Janus.

Measures, in one run, for janus-client and for a hand-written raw client (raw
`websockets` signalling + aiortc, no library):

* time from session create to the first echoed video frame (p50/p90 over N runs,
  target p50 <= 150 ms);
* echoed frames per second over a 10 s call at 640x480 from a 30 fps source
  (target >= 29 fps), and the client process' CPU share during the call.

and a Streaming row: a mountpoint fed by GStreamer (VP8 320x240 @ 30 fps with a
keyframe every frame, Opus), watched by each client: time from sending
``watch`` to the first video frame (p50/p90), received fps and CPU share over the
hold, and the library/raw ratios (target <= 1.05).

Run: ``python experiments/bench_media.py [--runs 20] [--seconds 10] [--only
echotest|streaming]``. Starts and stops its own Janus on loopback; needs root for
the ICE address (see the README) and ``gst-launch-1.0`` for the Streaming row.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import websockets
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from janus_client import JanusEchoTestPlugin, JanusSession, JanusStreamingPlugin
from janus_client.testing import JanusServer, RtpFeed, ensure_ice_address, live_mountpoint
from janus_client.webrtc import (
    FrameCounterVideoTrack,
    JanusPeerConnection,
    ToneAudioTrack,
    TrackStats,
    set_host_addresses,
)

ICE = "127.0.0.2"


async def _wait_stats(get: Callable[[], TrackStats | None], timeout: float = 10) -> TrackStats:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = get()
        if stats is not None:
            return stats
        await asyncio.sleep(0.002)
    raise TimeoutError("no video track")


# ----------------------------------------------------------------------- library
async def lib_call(url: str, seconds: float) -> tuple[float, TrackStats, float]:
    """One EchoTest call with janus-client; returns (ms to first frame, stats, CPU share)."""
    t0 = time.monotonic()
    async with JanusSession(url) as session:
        echo = JanusEchoTestPlugin()
        await echo.attach(session)
        await echo.start(tracks=[ToneAudioTrack(), FrameCounterVideoTrack(640, 480, 30)],
                         data_channel=False)
        pc = echo.peer
        stats = await _wait_stats(lambda: pc.stats.get("video"))
        first = await stats.wait_first_frame()
        cpu_share = await _hold(seconds)
        await echo.close_stream()
    return (first - t0) * 1000, stats, cpu_share


# --------------------------------------------------------------------------- raw
class RawJanus:
    """Minimal raw client: one websocket, replies matched by transaction."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            msg = json.loads(frame)
            fut = self.waiters.get(msg.get("transaction", ""))
            if fut is None or fut.done():
                continue
            if msg["janus"] == "ack":
                continue  # the EchoTest answers with an event carrying the same id
            fut.set_result(msg)

    async def call(self, body: dict[str, Any]) -> dict[str, Any]:
        tid = f"t{next(self.ids)}"
        body["transaction"] = tid
        fut = asyncio.get_running_loop().create_future()
        self.waiters[tid] = fut
        await self.ws.send(json.dumps(body))
        try:
            return await asyncio.wait_for(fut, 10)
        finally:
            del self.waiters[tid]


async def raw_call(url: str, seconds: float) -> tuple[float, TrackStats, float]:
    """The same call with raw websockets + aiortc."""
    t0 = time.monotonic()
    async with websockets.connect(url, subprotocols=[websockets.Subprotocol("janus-protocol")],
                                  compression=None, proxy=None) as ws:
        raw = RawJanus(ws)
        sid = (await raw.call({"janus": "create"}))["data"]["id"]
        hid = (await raw.call({"janus": "attach", "session_id": sid,
                               "plugin": "janus.plugin.echotest"}))["data"]["id"]
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        stats = TrackStats("video")

        async def consume(track: Any) -> None:
            try:
                while True:
                    stats._add(await track.recv())
            except Exception:
                return

        tasks: list[asyncio.Task[None]] = []

        def on_track(track: Any) -> None:
            if track.kind == "video":
                tasks.append(asyncio.get_running_loop().create_task(consume(track)))

        pc.on("track", on_track)
        pc.addTrack(ToneAudioTrack())
        pc.addTrack(FrameCounterVideoTrack(640, 480, 30))
        await pc.setLocalDescription(await pc.createOffer())
        reply = await raw.call({
            "janus": "message", "session_id": sid, "handle_id": hid,
            "body": {"audio": True, "video": True},
            "jsep": {"type": "offer", "sdp": pc.localDescription.sdp},
        })
        jsep = reply["jsep"]
        await pc.setRemoteDescription(RTCSessionDescription(sdp=jsep["sdp"], type=jsep["type"]))
        first = await stats.wait_first_frame()
        cpu_share = await _hold(seconds)
        await pc.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await raw.call({"janus": "destroy", "session_id": sid})
        raw.reader.cancel()
        await asyncio.gather(raw.reader, return_exceptions=True)
    return (first - t0) * 1000, stats, cpu_share


# --------------------------------------------------------------------- streaming
async def lib_watch(url: str, mountpoint: int, seconds: float) -> tuple[float, TrackStats, float]:
    """Watch a mountpoint with janus-client; returns (ms watch->first frame, stats, CPU)."""
    async with JanusSession(url) as session:
        streaming = await session.attach(JanusStreamingPlugin())
        await _random_phase()
        t0 = time.monotonic()
        await streaming.watch(mountpoint)
        stats = await streaming.wait_track("video")
        first = await stats.wait_first_frame()
        cpu_share = await _hold(seconds)
        await streaming.stop()
    return (first - t0) * 1000, stats, cpu_share


async def raw_watch(url: str, mountpoint: int, seconds: float) -> tuple[float, TrackStats, float]:
    """The same viewer with raw websockets + aiortc."""
    async with websockets.connect(url, subprotocols=[websockets.Subprotocol("janus-protocol")],
                                  compression=None, proxy=None) as ws:
        raw = RawJanus(ws)
        sid = (await raw.call({"janus": "create"}))["data"]["id"]
        hid = (await raw.call({"janus": "attach", "session_id": sid,
                               "plugin": "janus.plugin.streaming"}))["data"]["id"]
        stats = TrackStats("video")
        tasks: list[asyncio.Task[None]] = []

        async def consume(track: Any, into: TrackStats) -> None:
            try:
                while True:
                    into._add(await track.recv())
            except Exception:
                return

        def on_track(track: Any) -> None:
            into = stats if track.kind == "video" else TrackStats("audio")
            tasks.append(asyncio.get_running_loop().create_task(consume(track, into)))

        await _random_phase()
        t0 = time.monotonic()
        reply = await raw.call({"janus": "message", "session_id": sid, "handle_id": hid,
                                "body": {"request": "watch", "id": mountpoint}})
        # As the library does: the peer connection is made for the offer that came.
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.on("track", on_track)
        offer = reply["jsep"]
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        await raw.call({"janus": "message", "session_id": sid, "handle_id": hid,
                        "body": {"request": "start"},
                        "jsep": {"type": "answer", "sdp": pc.localDescription.sdp}})
        first = await stats.wait_first_frame()
        cpu_share = await _hold(seconds)
        await pc.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await raw.call({"janus": "destroy", "session_id": sid})
        raw.reader.cancel()
        await asyncio.gather(raw.reader, return_exceptions=True)
    return (first - t0) * 1000, stats, cpu_share


async def _random_phase() -> None:
    """Start at a random point of the feed's frame cycle (33 ms): the first frame
    waits for a keyframe, so a fixed rhythm of runs would favour one client."""
    await asyncio.sleep(random.uniform(0, 0.1))


async def _quiet(admin: JanusStreamingPlugin, mountpoint: int) -> None:
    """Wait until Janus dropped the last viewer, so the next one starts on a quiet
    Janus (a teardown still under way delays the next handshake, up to a DTLS
    retransmission: about 1 s)."""
    for _ in range(100):
        if (await admin.info(mountpoint)).viewers == 0:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)


async def run_streaming(url: str, runs: int, seconds: float) -> dict[str, Any]:
    clients = {"janus_client": lib_watch, "raw": raw_watch}
    first: dict[str, list[float]] = {name: [] for name in clients}
    steady: dict[str, tuple[float, float]] = {}
    async with JanusSession(url) as session:
        admin = await session.attach(JanusStreamingPlugin())
        async with live_mountpoint(admin, keyframe_interval=1, max_seconds=600) as mp:
            assert isinstance(mp.id, int)
            for _ in range(runs):  # interleaved, so noise hits both alike
                for name, watch in clients.items():
                    ms, _, _ = await watch(url, mp.id, 0)
                    first[name].append(ms)
                    await _quiet(admin, mp.id)
            for _ in range(2):  # twice, alternating, for the CPU share
                for name, watch in clients.items():
                    await _quiet(admin, mp.id)
                    _, stats, cpu = await watch(url, mp.id, seconds)
                    fps, total = steady.get(name, (0.0, 0.0))
                    steady[name] = (fps + stats.fps() / 2, total + cpu / 2)
    return {"first": first, "steady": steady}


def _print_streaming(result: dict[str, Any], runs: int) -> None:
    print(f"Streaming benchmark, WebSocket, {runs} runs, VP8 320x240 @ 30 fps + Opus via RTP")
    print(f"{'client':<14}{'first frame p50':>16}{'p90':>9}{'fps':>8}{'CPU share':>11}")
    for name in ("janus_client", "raw"):
        values = sorted(result["first"][name])
        p50 = statistics.median(values)
        p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
        fps, cpu = result["steady"][name]
        print(f"{name:<14}{p50:>13.1f} ms{p90:>6.1f} ms{fps:>8.1f}{cpu * 100:>10.1f}%")
    lib50 = statistics.median(result["first"]["janus_client"])
    raw50 = statistics.median(result["first"]["raw"])
    lib_fps, lib_cpu = result["steady"]["janus_client"]
    raw_fps, raw_cpu = result["steady"]["raw"]
    first_ratio, cpu_ratio = lib50 / raw50, lib_cpu / raw_cpu
    print(f"ratio first-frame p50 janus_client/raw: {first_ratio:.2f} "
          f"({'PASS' if first_ratio <= 1.05 else 'FAIL'} <= 1.05)")
    print(f"ratio CPU share janus_client/raw: {cpu_ratio:.2f} "
          f"({'PASS' if cpu_ratio <= 1.05 else 'FAIL'} <= 1.05)")
    print(f"ratio fps raw/janus_client: {raw_fps / lib_fps:.2f}")


async def _hold(seconds: float) -> float:
    """Keep the call up for ``seconds``; return the process CPU share over that time."""
    if seconds <= 0:
        return 0.0
    wall0, cpu0 = time.monotonic(), time.process_time()
    await asyncio.sleep(seconds)
    return (time.process_time() - cpu0) / (time.monotonic() - wall0)


# ------------------------------------------------------------------------- main
Caller = Callable[[str, float], Awaitable[tuple[float, TrackStats, float]]]


async def run(url: str, runs: int, seconds: float) -> dict[str, Any]:
    clients: dict[str, Caller] = {"janus_client": lib_call, "raw": raw_call}
    first: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(runs):  # interleaved, so noise hits both alike
        for name, call in clients.items():
            ms, _, _ = await call(url, 0)
            first[name].append(ms)
    steady: dict[str, tuple[float, float]] = {}
    for name, call in clients.items():
        _, stats, cpu = await call(url, seconds)
        steady[name] = (stats.fps(), cpu)
    return {"first": first, "steady": steady}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--only", choices=("echotest", "streaming"), default=None)
    args = parser.parse_args()
    if not ensure_ice_address(ICE):
        print("needs root to create the loopback ICE address", file=sys.stderr)
        return 2
    set_host_addresses([ICE])
    assert JanusPeerConnection  # the library's media layer is what is measured
    streaming = args.only != "echotest" and RtpFeed.available()
    if args.only == "streaming" and not streaming:
        print("the Streaming row needs gst-launch-1.0 (GStreamer)", file=sys.stderr)
        return 2
    with JanusServer(ice_address=ICE) as server:
        if streaming:
            _print_streaming(
                asyncio.run(run_streaming(server.ws_url, args.runs, args.seconds)), args.runs
            )
        if args.only == "streaming":
            return 0
        result = asyncio.run(run(server.ws_url, args.runs, args.seconds))
    print(f"EchoTest media benchmark, WebSocket, {args.runs} runs, 640x480 @ 30 fps source")
    print(f"{'client':<14}{'first frame p50':>16}{'p90':>9}{'echoed fps':>12}{'CPU share':>11}")
    for name in ("janus_client", "raw"):
        values = sorted(result["first"][name])
        p50 = statistics.median(values)
        p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
        fps, cpu = result["steady"][name]
        print(f"{name:<14}{p50:>13.1f} ms{p90:>6.1f} ms{fps:>12.1f}{cpu * 100:>10.1f}%")
    lib50 = statistics.median(result["first"]["janus_client"])
    raw50 = statistics.median(result["first"]["raw"])
    lib_fps = result["steady"]["janus_client"][0]
    print(f"ratio first-frame p50 janus_client/raw: {lib50 / raw50:.2f}")
    print(f"target p50 <= 150 ms: {'PASS' if lib50 <= 150 else 'FAIL'} ({lib50:.1f} ms)")
    print(f"target echoed fps >= 29: {'PASS' if lib_fps >= 29 else 'FAIL'} ({lib_fps:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
