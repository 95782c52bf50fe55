"""Recording benchmark: transcode-free `PassthroughRecorder` vs aiortc's `MediaRecorder`.

One Janus on loopback, one VideoRoom, one publisher in a child process sending
640x480 VP8 at 30 fps and a tone (so that its encoding is not counted here). This
process then subscribes and records, measuring its own CPU time
(`time.process_time`, all threads) over a fixed wall time:

1. ``--compare`` subscriptions recorded by aiortc's `MediaRecorder` (decode +
   re-encode, ``transcode=True``), then the same number by `PassthroughRecorder`:
   CPU per recorded stream, side by side (target: passthrough <= 25 % of
   MediaRecorder's);
2. ``--streams`` (20) subscriptions recorded at once by `PassthroughRecorder`:
   the process' CPU in cores (target <= 1.0) and, per file, the frames in the
   file against the frames received (target: within 2 %, every file).

Prints a table and one JSON object (also written to ``--json PATH``).
Run: ``python experiments/bench_recording.py [--seconds 10] [--streams 20]``. Starts
and stops its own Janus; needs root for the ICE address (see the README).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import av

from janus_client import JanusSession, JanusVideoRoomPlugin
from janus_client.recording import PassthroughRecorder
from janus_client.testing import JanusServer, ensure_ice_address
from janus_client.webrtc import (
    FrameCounterVideoTrack,
    MediaRecorder,
    ToneAudioTrack,
    set_host_addresses,
)

ICE = "127.0.0.2"


# ---------------------------------------------------------------- publisher
async def publish(url: str, room: int) -> None:
    """Child process: publish 640x480@30 video and a tone until stdin closes."""
    set_host_addresses([ICE])
    async with JanusSession(url) as session:
        pub = await session.attach(JanusVideoRoomPlugin())
        await pub.join_as_publisher(room, display="bench")
        await pub.publish(tracks=[ToneAudioTrack(), FrameCounterVideoTrack(640, 480, fps=30)])
        await pub.wait_webrtcup()
        print(pub.publisher_id, flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes it
        await pub.leave()


# --------------------------------------------------------------- recording
def file_frames(path: Path) -> tuple[int, float]:
    """Video packets (frames) in a recorded file and the seconds their timestamps span."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            times = [
                float(p.pts * p.time_base)
                for p in container.demux(stream)
                if p.size and p.pts is not None
            ]
    except (av.FFmpegError, IndexError, OSError):
        return -1, 0.0
    return len(times), (max(times) - min(times)) if times else 0.0


async def record(
    url: str, room: int, feed: int, count: int, seconds: float, folder: Path, transcode: bool
) -> dict[str, Any]:
    """Subscribe ``count`` times and record for ``seconds``; return CPU and file checks."""
    label = "media_recorder" if transcode else "passthrough"
    async with JanusSession(url) as session:
        subs: list[JanusVideoRoomPlugin] = []
        paths = [folder / f"{label}-{i}.webm" for i in range(count)]
        for path in paths:
            sub = await session.attach(JanusVideoRoomPlugin())
            recorder: Any = MediaRecorder(str(path)) if transcode else PassthroughRecorder(path)
            await sub.join_as_subscriber(room, [{"feed": feed}], record_to=recorder)
            subs.append(sub)
        for sub in subs:
            await sub.wait_webrtcup()
        await asyncio.sleep(1.0)  # let every stream settle before measuring
        wall0, cpu0 = time.monotonic(), time.process_time()
        await asyncio.sleep(seconds)
        cpu = time.process_time() - cpu0
        wall = time.monotonic() - wall0
        recorders = [sub.peer.recorder for sub in subs]
        for sub in subs:
            await sub.leave()
    files = []
    for path, recorder in zip(paths, recorders, strict=True):
        in_file, span = file_frames(path)
        received = skipped = None
        if isinstance(recorder, PassthroughRecorder):
            video = next(t for t in recorder.tracks if t.kind == "video")
            received, skipped = video.frames_received, video.frames_skipped
        files.append(
            {
                "file": path.name,
                "frames_in_file": in_file,
                "frames_received": received,
                "frames_skipped_before_keyframe": skipped,
                "file_seconds": round(span, 2),
                # Frames per second of the file's timestamps: 30 when nothing is missing.
                "file_fps": round((in_file - 1) / span, 1) if span > 0 else 0.0,
            }
        )
        path.unlink(missing_ok=True)
    return {
        "recorder": label,
        "streams": count,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 3),
        "cores": round(cpu / wall, 3),
        "cpu_per_stream": round(cpu / wall / count, 4),
        "files": files,
    }


async def run(url: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    async with JanusSession(url) as session:
        admin = await session.attach(JanusVideoRoomPlugin())
        room = await admin.create_room(description="bench-recording", publishers=1)
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--publisher",
            url,
            str(room),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert child.stdout is not None
        assert child.stdin is not None
        try:
            feed = int(await asyncio.wait_for(child.stdout.readline(), 30))
            media = await record(url, room, feed, args.compare, args.seconds, folder, True)
            passthrough = await record(url, room, feed, args.compare, args.seconds, folder, False)
            many = await record(url, room, feed, args.streams, args.seconds, folder, False)
        finally:
            child.stdin.close()
            try:
                await asyncio.wait_for(child.wait(), 15)
            except asyncio.TimeoutError:
                child.kill()
                await child.wait()
        await admin.destroy_room(room)
    return {"media_recorder": media, "passthrough": passthrough, "many": many}


def _complete(entry: dict[str, Any]) -> bool:
    received, in_file = entry["frames_received"], entry["frames_in_file"]
    return bool(received) and abs(in_file - received) <= 0.02 * received


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--compare", type=int, default=2, help="streams per recorder compared")
    parser.add_argument("--streams", type=int, default=20, help="concurrent passthrough streams")
    parser.add_argument("--json", type=Path, help="also write the JSON result here")
    parser.add_argument("--publisher", nargs=2, metavar=("URL", "ROOM"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.publisher:
        asyncio.run(publish(args.publisher[0], int(args.publisher[1])))
        return 0
    if not ensure_ice_address(ICE):
        print("needs root to create the loopback ICE address", file=sys.stderr)
        return 2
    set_host_addresses([ICE])
    with tempfile.TemporaryDirectory() as tmp, JanusServer(ice_address=ICE) as server:
        result = asyncio.run(run(server.ws_url, args, Path(tmp)))
    media, passthrough, many = result["media_recorder"], result["passthrough"], result["many"]
    ratio = passthrough["cpu_per_stream"] / media["cpu_per_stream"]
    complete = sum(1 for f in many["files"] if _complete(f))
    result.update(
        {
            "ratio_cpu_per_stream": round(ratio, 3),
            "many_complete_files": complete,
            "machine": f"{platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}",
            "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        }
    )
    print(f"Recording benchmark: VideoRoom, 640x480 VP8 @ 30 fps + Opus, {args.seconds:g} s")
    print(
        f"{'recorder':<16}{'streams':>8}{'cores':>8}{'CPU/stream':>12}"
        f"{'frames file/recv':>20}{'file fps':>10}"
    )
    for entry in (media, passthrough, many):
        frames = entry["files"][0]
        recv = frames["frames_received"] if frames["frames_received"] is not None else "-"
        print(
            f"{entry['recorder']:<16}{entry['streams']:>8}{entry['cores']:>8.3f}"
            f"{entry['cpu_per_stream'] * 100:>11.2f}%{frames['frames_in_file']:>12}/{recv:<7}"
            f"{frames['file_fps']:>10.1f}"
        )
    print("(first file of each row; MediaRecorder's frames received are not known)")
    print(f"ratio CPU per stream passthrough/MediaRecorder: {ratio:.3f}")
    print(f"target ratio <= 0.25: {'PASS' if ratio <= 0.25 else 'FAIL'} ({ratio:.3f})")
    cores = many["cores"]
    print(
        f"target {args.streams} streams within one core: {'PASS' if cores <= 1.0 else 'FAIL'} "
        f"({cores:.3f} cores)"
    )
    per_core = 1.0 / many["cpu_per_stream"] if many["cpu_per_stream"] > 0 else float("inf")
    result["streams_per_core_estimate"] = round(per_core)
    print(
        f"640x480@30 subscriptions one core records: about {per_core:.0f} "
        f"(1 / CPU per stream of the {args.streams}-stream row; {args.streams} measured "
        f"in {cores:.3f} cores, more not measured on this machine)"
    )
    print(
        f"target every file complete (within 2 %): "
        f"{'PASS' if complete == args.streams else 'FAIL'} ({complete}/{args.streams})"
    )
    text = json.dumps(result)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
