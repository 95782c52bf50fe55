"""The ``janus-client`` command: explore and debug a Janus server from a terminal.

Examples:
    ```sh
    janus-client serve            # a local Janus until Ctrl-C, on Janus' default ports
    janus-client info --url ws://127.0.0.1:8188
    janus-client echotest --local --seconds 5
    janus-client videoroom list --url http://127.0.0.1:8088/janus --json
    janus-client admin sessions --admin-url http://127.0.0.1:7088/admin --admin-secret s
    janus-client textroom join 1234 --username alice --local
    ```

Connection options come from flags or the environment (``JANUS_URL``,
``JANUS_API_SECRET``, ``JANUS_TOKEN``, ``JANUS_ADMIN_URL``, ``JANUS_ADMIN_SECRET``).
``--local`` starts a private Janus on loopback for the duration of the command;
``serve`` keeps one up for other programs.

Exit codes: 0 success, 1 Janus or plugin error, 2 bad usage, 3 connection failure or
timeout, 4 authentication refused, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, TextIO

from ._version import __version__
from .config import Timeouts
from .errors import (
    JanusError,
    MediaUnavailableError,
    PluginError,
    RequestTimeoutError,
    ServerError,
    TransportError,
    UnauthorizedError,
    UnauthorizedPluginError,
)
from .session import JanusSession

__all__ = [
    "EXIT_AUTH",
    "EXIT_BROKEN_PIPE",
    "EXIT_CONNECTION",
    "EXIT_ERROR",
    "EXIT_USAGE",
    "main",
    "main_entry",
]

#: Exit code: Janus or a plugin answered with an error.
EXIT_ERROR = 1
#: Exit code: bad command-line usage.
EXIT_USAGE = 2
#: Exit code: could not connect, the connection dropped, or a deadline passed.
EXIT_CONNECTION = 3
#: Exit code: Janus refused the credentials.
EXIT_AUTH = 4
#: Exit code: the reader of the output went away (as a process killed by SIGPIPE).
EXIT_BROKEN_PIPE = 141

Command = Callable[[argparse.Namespace, "Output"], Awaitable[int]]


class UsageError(Exception):
    """A problem with the command line that argparse could not see."""


class Output:
    """Where a command writes: text for people, or JSON documents, one per line."""

    def __init__(self, as_json: bool, stream: TextIO | None = None) -> None:
        self.as_json = as_json
        self.stream = stream if stream is not None else sys.stdout

    def line(self, text: str = "") -> None:
        """Write a line of text (ignored in JSON mode)."""
        if not self.as_json:
            print(text, file=self.stream, flush=True)

    def result(self, value: Any, text: Callable[[Any], str] | None = None) -> None:
        """Write a result: one line of JSON, or ``text(value)``."""
        if self.as_json:
            self.stream.write(json.dumps(value, sort_keys=True, default=str) + "\n")
            self.stream.flush()
        elif text is not None:
            print(text(value), file=self.stream, flush=True)


# ------------------------------------------------------------------- local Janus
#: The Janus default ports, used by ``serve`` so that examples run as written.
SERVE_PORTS = {"ws": 8188, "http": 8088, "admin_ws": 7188, "admin_http": 7088}
#: The admin secret of ``serve`` unless --admin-secret is given (Janus' sample value).
SERVE_ADMIN_SECRET = "janusoverlord"
#: The ICE address the local Janus uses unless JANUS_ICE_ADDRESS or --ice-address says otherwise.
DEFAULT_ICE_ADDRESS = "127.0.0.2"


def _wanted_ice_address(args: argparse.Namespace) -> str:
    """The ICE address for a local Janus: --ice-address, JANUS_ICE_ADDRESS, or 127.0.0.2."""
    value = getattr(args, "ice_address", None) or _env("JANUS_ICE_ADDRESS") or DEFAULT_ICE_ADDRESS
    return str(value)


def _start_local(args: argparse.Namespace, **options: Any) -> Any:
    """Start a private Janus (a started ``JanusServer``); announce an ICE fallback."""
    from .testing import JanusServer, ice_address_instructions

    wanted = _wanted_ice_address(args)
    server = JanusServer(ice_address=wanted, **options)
    server.start()
    if server.ice_address is None:
        print(
            f"janus-client: note: ICE address {wanted} is missing and creating it needs "
            f"root, so media may use another interface; {ice_address_instructions(wanted)}",
            file=sys.stderr,
            flush=True,
        )
    return server


@contextlib.contextmanager
def _local_janus(args: argparse.Namespace) -> Iterator[None]:
    """With ``--local``: start a private Janus and point the URLs at it."""
    if not getattr(args, "local", False):
        yield
        return
    admin_secret = args.admin_secret or secrets.token_urlsafe(16)
    server = _start_local(args, admin_secret=admin_secret)
    try:
        args.url = server.ws_url if args.transport == "ws" else server.http_url
        args.admin_url = server.admin_ws_url if args.transport == "ws" else server.admin_http_url
        args.admin_secret = admin_secret
        args.ice_address = server.ice_address
        if not args.json:
            print(
                f"started a local Janus (pid {server.pid}) at {args.url}",
                file=sys.stderr,
                flush=True,
            )
        yield
    finally:
        server.stop()


class _Stop(Exception):
    """Raised in the main thread by the SIGTERM/SIGHUP handler of ``serve``."""


SERVE_TRANSPORTS = ("unix", "mqtt", "mqtt3", "rabbitmq")


def _serve_transports(text: str) -> tuple[str, ...]:
    """Parse --transports: a comma-separated subset of `SERVE_TRANSPORTS`."""
    names = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in SERVE_TRANSPORTS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown transport(s) {', '.join(unknown)}; choose from {', '.join(SERVE_TRANSPORTS)}"
        )
    if "mqtt" in names and "mqtt3" in names:
        raise argparse.ArgumentTypeError("give mqtt (MQTT 5) or mqtt3 (MQTT 3.1.1), not both")
    return names


def _start_brokers(names: tuple[str, ...], stack: contextlib.ExitStack) -> dict[str, Any]:
    """Start the brokers --transports needs; they stop when ``stack`` closes."""
    from .testing._brokers import BrokerError, MosquittoBroker, RabbitMQBroker
    from .testing._server import JanusServerError

    options: dict[str, Any] = {"unix_sockets": "unix" in names}
    try:
        if "mqtt" in names or "mqtt3" in names:
            mqtt = MosquittoBroker()
            stack.callback(mqtt.stop)
            mqtt.start()
            options["mqtt_broker"] = mqtt.url
            options["mqtt_version"] = "3.1.1" if "mqtt3" in names else "5"
        if "rabbitmq" in names:
            rabbit = RabbitMQBroker()
            stack.callback(rabbit.stop)
            rabbit.start()
            options["rabbitmq_broker"] = rabbit.url
    except BrokerError as exc:
        raise JanusServerError(str(exc)) from exc
    return options


def _serve(args: argparse.Namespace, out: Output) -> int:
    """Run ``janus-client serve``: a local Janus until Ctrl-C or SIGTERM."""
    from .testing import JanusServerError

    def stop_now(signum: int, frame: Any) -> None:
        raise _Stop(signal.Signals(signum).name)

    # SIGINT too: a shell may start a background job with SIGINT ignored.
    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, stop_now) for sig in stop_signals}
    ports = {
        "ws": args.ws_port,
        "http": args.http_port,
        "admin_ws": args.admin_ws_port,
        "admin_http": args.admin_http_port,
    }
    admin_secret = args.admin_secret or SERVE_ADMIN_SECRET
    server = None
    reason = "interrupted"
    brokers = contextlib.ExitStack()
    try:
        try:
            extra = _start_brokers(args.transports, brokers)
            server = _start_local(
                args,
                **extra,
                ports=ports,
                admin_secret=admin_secret,
                api_secret=args.api_secret,
                plugins=args.plugins.split(",") if args.plugins else None,
                enable_plugins=args.enable_plugin or (),
                session_timeout=args.session_timeout,
                debug_level=args.debug_level,
                workdir=args.workdir,
            )
        except JanusServerError as exc:
            print(f"janus-client: error: {exc}", file=sys.stderr, flush=True)
            return EXIT_ERROR
        ready = {
            "event": "ready",
            "pid": server.pid,
            "ws_url": server.ws_url,
            "http_url": server.http_url,
            "admin_ws_url": server.admin_ws_url,
            "admin_http_url": server.admin_http_url,
            "admin_secret": admin_secret,
            "api_secret": args.api_secret,
            "ice_address": server.ice_address,
            "ice_created": server.ice_created,
            "workdir": str(server.workdir),
        }
        more = {
            "unix_url": server.unix_url,
            "admin_unix_url": server.admin_unix_url,
            "mqtt_url": server.mqtt_url,
            "admin_mqtt_url": server.admin_mqtt_url,
            "amqp_url": server.amqp_url,
            "admin_amqp_url": server.admin_amqp_url,
        }
        ready.update({k: v for k, v in more.items() if v is not None})
        labels = {
            "unix_url": "Janus API, Unix:",
            "admin_unix_url": "Admin API, Unix:",
            "mqtt_url": "Janus API, MQTT:",
            "admin_mqtt_url": "Admin API, MQTT:",
            "amqp_url": "Janus API, RabbitMQ:",
            "admin_amqp_url": "Admin API, RabbitMQ:",
        }
        more_lines = "".join(
            f"  {labels[k]:<22}{v}\n" for k, v in more.items() if v is not None
        )
        env = {
            "JANUS_URL": server.ws_url,
            "JANUS_ADMIN_URL": server.admin_http_url,
            "JANUS_ADMIN_SECRET": admin_secret,
        }
        if args.api_secret:
            env["JANUS_API_SECRET"] = args.api_secret
        if server.ice_address:
            env["JANUS_ICE_ADDRESS"] = server.ice_address
        ice = server.ice_address or "none (every interface)"
        if server.ice_created:
            ice += " (created for this run, removed on exit)"
        out.result(
            ready,
            lambda r: (
                f"Janus is up (pid {r['pid']}), loopback only. Ctrl-C stops it and removes "
                "everything it created.\n"
                f"  Janus API, WebSocket: {r['ws_url']}\n"
                f"  Janus API, HTTP:      {r['http_url']}\n"
                f"  Admin API, WebSocket: {r['admin_ws_url']}\n"
                f"  Admin API, HTTP:      {r['admin_http_url']}\n"
                + more_lines
                + f"  admin secret:         {admin_secret}\n"
                + (f"  api secret:           {args.api_secret}\n" if args.api_secret else "")
                + f"  ICE address:          {ice}\n"
                f"  log:                  {server.log_path}\n"
                "For the examples and janus-client commands in another shell:\n"
                "  export " + " ".join(f"{k}={v}" for k, v in env.items())
            ),
        )
        while server.running:
            time.sleep(0.2)
        reason = "Janus exited"
        print("janus-client: error: Janus exited; the end of its log:", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        reason = "SIGINT"
        return 0
    except _Stop as exc:
        reason = str(exc)
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # let the clean-up finish
        if server is not None:
            created = server.ice_created
            if reason == "Janus exited":
                for line in server.read_log().splitlines()[-10:]:
                    print(f"  {line}", file=sys.stderr)
            server.stop()
        brokers.close()
        if server is not None:
            out.result(
                {"event": "stopped", "reason": reason},
                lambda v: f"stopped ({v['reason']}); removed the work folder"
                + (" and the ICE address" if created else ""),
            )
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _session(args: argparse.Namespace) -> JanusSession:
    if not args.url:
        raise UsageError("no Janus URL: give --url, set JANUS_URL, or use --local")
    return JanusSession(
        args.url,
        api_secret=args.api_secret,
        token=args.token,
        timeouts=Timeouts(request=args.timeout, connect=args.timeout),
    )


def _setup_media(args: argparse.Namespace) -> None:
    ice = getattr(args, "ice_address", None) or os.environ.get("JANUS_ICE_ADDRESS")
    if ice:
        from .webrtc import set_host_addresses

        set_host_addresses([ice])


# ----------------------------------------------------------------------- commands
async def cmd_info(args: argparse.Namespace, out: Output) -> int:
    """Print the server's info."""
    session = _session(args)
    try:
        info = await session.info()
    finally:
        await session.destroy()

    def text(i: dict[str, Any]) -> str:
        plugins = ", ".join(sorted(i.get("plugins", {})))
        transports = ", ".join(sorted(i.get("transports", {})))
        return (
            f"{i.get('name')} {i.get('version_string')} at {args.url}\n"
            f"  plugins:    {plugins}\n  transports: {transports}\n"
            f"  session timeout {i.get('session-timeout')} s, "
            f"reclaim {i.get('reclaim-session-timeout')} s"
        )

    out.result(info, text)
    return 0


async def cmd_ping(args: argparse.Namespace, out: Output) -> int:
    """Ping the server and print round-trip times."""
    session = _session(args)
    times: list[float] = []
    try:
        for _ in range(args.count):
            rtt = await session.ping()
            times.append(rtt * 1000)
            out.line(f"pong from {args.url}: {rtt * 1000:.2f} ms")
            if len(times) < args.count:
                await asyncio.sleep(args.interval)
    finally:
        await session.destroy()
    summary = {
        "count": len(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "avg_ms": sum(times) / len(times),
    }
    out.result(
        summary,
        lambda s: (
            f"{s['count']} pings: min {s['min_ms']:.2f} ms, "
            f"avg {s['avg_ms']:.2f} ms, max {s['max_ms']:.2f} ms"
        ),
    )
    return 0


async def cmd_echotest(args: argparse.Namespace, out: Output) -> int:
    """Run an EchoTest call and report frames sent and echoed."""
    from .plugins.echotest import JanusEchoTestPlugin

    webrtc = _load_media()
    _setup_media(args)
    session = _session(args)
    echo = JanusEchoTestPlugin()
    video = None
    started = time.monotonic()
    # A path records without re-encoding where the file takes the codecs (see
    # janus_client.recording); --transcode re-encodes with aiortc's MediaRecorder.
    record_to = webrtc.MediaRecorder(args.record) if args.record and args.transcode else args.record
    try:
        await echo.attach(session)
        if args.play:
            await echo.start(play_from=args.play, record_to=record_to, data_channel=True)
        else:
            video = webrtc.FrameCounterVideoTrack(args.width, args.height, fps=args.fps)
            tracks = [webrtc.ToneAudioTrack(), video]
            await echo.start(tracks=tracks, record_to=record_to, read_counters=True)
        await echo.wait_webrtcup(timeout=args.timeout)
        up_ms = (time.monotonic() - started) * 1000
        pc = echo.peer
        first_ms = None
        if not args.record:
            stats = None
            for _ in range(int(args.timeout * 100)):
                stats = pc.stats.get("video")
                if stats is not None:
                    break
                await asyncio.sleep(0.01)
            if stats is not None:
                first = await stats.wait_first_frame(timeout=args.timeout)
                first_ms = (first - started) * 1000
        rtts: list[float] = []
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            await asyncio.sleep(min(1.0, max(end - time.monotonic(), 0)))
            stats = pc.stats.get("video")
            try:
                sent_at = time.monotonic()
                await echo.send_data(f"ping {sent_at}")
                await echo.receive_data(timeout=2)
                rtts.append((time.monotonic() - sent_at) * 1000)
            except (JanusError, TimeoutError, asyncio.TimeoutError):
                pass
            if stats is not None:
                out.line(
                    f"  echoed {stats.frames:5d} video frames, {stats.fps():5.1f} fps"
                    + (f", data channel rtt {rtts[-1]:.1f} ms" if rtts else "")
                )
        stats = pc.stats.get("video")
        audio = pc.stats.get("audio")
        recorder = pc.recorder
        summary = {
            "url": args.url,
            "webrtcup_ms": round(up_ms, 1),
            "first_echoed_frame_ms": round(first_ms, 1) if first_ms is not None else None,
            "video_frames_sent": video.frames_sent if video is not None else None,
            "video_frames_echoed": stats.frames if stats is not None else 0,
            "echoed_fps": round(stats.fps(), 1) if stats is not None else 0.0,
            "audio_frames_echoed": audio.frames if audio is not None else 0,
            "frame_numbers_checked": len(stats.counters) if stats is not None else 0,
            "data_channel_rtt_ms": round(sorted(rtts)[len(rtts) // 2], 2) if rtts else None,
            "recorded_to": args.record,
            "recorder": type(recorder).__name__ if recorder is not None else None,
            "video_frames_recorded": None,
        }
    finally:
        await echo.destroy()
        await session.destroy()
    if args.record:
        # The echoed video went into the file, not through the frame counters.
        summary["video_frames_recorded"] = _count_video_frames(args.record)

    def text(s: dict[str, Any]) -> str:
        sent = s["video_frames_sent"]
        shown = sent if sent is not None else f"(from {args.play})"
        lines = ["EchoTest summary:", f"  video frames sent:   {shown}"]
        if s["recorded_to"]:
            lines.append(
                f"  video frames echoed: {s['video_frames_recorded']} (recorded to "
                f"{s['recorded_to']} by {s['recorder']})"
            )
            lines.append(f"  webrtcup after {s['webrtcup_ms']} ms")
        else:
            lines += [
                f"  video frames echoed: {s['video_frames_echoed']} ({s['echoed_fps']} fps)",
                f"  audio frames echoed: {s['audio_frames_echoed']}",
                f"  webrtcup after {s['webrtcup_ms']} ms, first echoed frame after "
                + (
                    f"{s['first_echoed_frame_ms']} ms"
                    if s["first_echoed_frame_ms"] is not None
                    else "(none arrived)"
                ),
            ]
        rtt = s["data_channel_rtt_ms"]
        lines.append(
            f"  data channel round trip (median): {rtt} ms"
            if rtt is not None
            else "  data channel round trip: no answer"
        )
        return "\n".join(lines)

    out.result(summary, text)
    echoed = summary["video_frames_recorded"] if args.record else summary["video_frames_echoed"]
    return 0 if echoed or args.play else EXIT_ERROR


def _count_video_frames(path: str) -> int | None:
    """Count the video frames in a recorded file (None if it cannot be read)."""
    import av

    try:
        with av.open(path) as container:
            if not container.streams.video:
                return 0
            return sum(1 for _ in container.decode(video=0))
    except (OSError, av.error.FFmpegError):
        return None


async def _videoroom_request(args: argparse.Namespace, body: dict[str, Any]) -> dict[str, Any]:
    session = _session(args)
    try:
        handle = await session.attach("janus.plugin.videoroom")
        return await handle.request(body)
    finally:
        await session.destroy()


async def cmd_videoroom(args: argparse.Namespace, out: Output) -> int:
    """VideoRoom management: list, create, destroy, participants."""
    if args.action == "list":
        data = await _videoroom_request(args, {"request": "list"})
        rooms = data.get("list", [])
        out.result(
            rooms,
            lambda rs: (
                "\n".join(
                    f"{r.get('room')}: {r.get('description', '')!r} "
                    f"{r.get('num_participants', 0)} participant(s)"
                    for r in rs
                )
                or "no rooms"
            ),
        )
    elif args.action == "create":
        body: dict[str, Any] = {"request": "create"}
        if args.room is not None:
            body["room"] = args.room
        if args.description:
            body["description"] = args.description
        if args.secret:
            body["secret"] = args.secret
        if args.publishers is not None:
            body["publishers"] = args.publishers
        data = await _videoroom_request(args, body)
        out.result(data, lambda d: f"created room {d.get('room')}")
    elif args.action == "destroy":
        body = {"request": "destroy", "room": _room(args)}
        if args.secret:
            body["secret"] = args.secret
        data = await _videoroom_request(args, body)
        out.result(data, lambda d: f"destroyed room {d.get('room')}")
    else:
        data = await _videoroom_request(args, {"request": "listparticipants", "room": _room(args)})
        people = data.get("participants", [])
        out.result(
            people,
            lambda ps: (
                "\n".join(
                    f"{p.get('id')}: {p.get('display', '')!r}"
                    f"{' (publisher)' if p.get('publisher') else ''}"
                    for p in ps
                )
                or "no participants"
            ),
        )
    return 0


def _room(args: argparse.Namespace) -> int:
    if args.room is None:
        raise UsageError(f"videoroom {args.action} needs a room id")
    return int(args.room)


def _admin(args: argparse.Namespace) -> Any:
    from .admin import JanusAdminMonitorClient

    if not args.admin_url:
        raise UsageError("no admin URL: give --admin-url, set JANUS_ADMIN_URL, or use --local")
    return JanusAdminMonitorClient(
        args.admin_url,
        args.admin_secret,
        timeouts=Timeouts(request=args.timeout, connect=args.timeout),
    )


async def cmd_admin(args: argparse.Namespace, out: Output) -> int:
    """Admin/Monitor API: sessions, handles, handle info, tokens, log level."""
    action = args.action
    async with _admin(args) as admin:
        if action == "sessions":
            sessions = await admin.list_sessions()
            out.result(sessions, lambda v: "\n".join(map(str, v)) or "no sessions")
        elif action == "handles":
            handles = await admin.list_handles(_need_int(args.ids, 0, "a session id"))
            out.result(handles, lambda v: "\n".join(map(str, v)) or "no handles")
        elif action == "handle-info":
            info = await admin.handle_info(
                _need_int(args.ids, 0, "a session id"), _need_int(args.ids, 1, "a handle id")
            )
            out.result(info.raw, lambda _: _handle_info_text(info))
        elif action == "tokens":
            tokens = await admin.list_tokens()
            out.result(
                tokens,
                lambda v: (
                    "\n".join(
                        f"{t.get('token')}: "
                        f"{', '.join(t.get('allowed_plugins', [])) or 'all plugins'}"
                        for t in v
                    )
                    or "no tokens"
                ),
            )
        elif action == "add-token":
            token = await admin.add_token(args.token_value, args.plugin or None)
            out.result({"token": token}, lambda v: f"added token {v['token']}")
        elif action == "remove-token":
            if not args.token_value:
                raise UsageError("admin remove-token needs --token-value")
            await admin.remove_token(args.token_value)
            out.result({"removed": args.token_value}, lambda v: f"removed token {v['removed']}")
        else:  # log-level
            if args.ids:
                level = await admin.set_log_level(_need_int(args.ids, 0, "a log level"))
            else:
                level = (await admin.get_status()).log_level
            out.result({"log_level": level}, lambda v: f"log level {v['log_level']}")
    return 0


async def cmd_videocall(args: argparse.Namespace, out: Output) -> int:
    """VideoCall: list registered users, or call between two users of this process."""
    from .plugins.videocall import JanusVideoCallPlugin

    if args.action == "list":
        session = _session(args)
        try:
            plugin = JanusVideoCallPlugin()
            await plugin.attach(session)
            users = await plugin.list_users()
        finally:
            await session.destroy()
        out.result(sorted(users), lambda us: "\n".join(us) or "no registered users")
        return 0

    webrtc = _load_media()
    _setup_media(args)
    suffix = secrets.token_hex(3)
    names = (f"{args.username or 'caller'}-{suffix}", f"{args.peer or 'callee'}-{suffix}")
    caller_session, callee_session = _session(args), _session(args)
    caller, callee = JanusVideoCallPlugin(), JanusVideoCallPlugin()
    try:
        await caller.attach(caller_session)
        await callee.attach(callee_session)
        await caller.register(names[0])
        await callee.register(names[1])
        started = time.monotonic()

        def tracks() -> list[Any]:
            video = webrtc.FrameCounterVideoTrack(args.width, args.height, fps=args.fps)
            return [webrtc.ToneAudioTrack(), video]

        await caller.call(names[1], tracks=tracks())
        await callee.wait_incoming_call(timeout=args.timeout)
        await callee.accept(tracks=tracks())
        await caller.wait_accepted(timeout=args.timeout)
        await asyncio.gather(
            caller.wait_webrtcup(timeout=args.timeout), callee.wait_webrtcup(timeout=args.timeout)
        )
        up_ms = (time.monotonic() - started) * 1000
        out.line(f"call {names[0]} -> {names[1]} is up after {up_ms:.0f} ms")
        await asyncio.sleep(args.seconds)

        def frames(plugin: JanusVideoCallPlugin) -> int:
            stats = plugin.peer.stats.get("video")
            return stats.frames if stats is not None else 0

        summary = {
            "url": args.url,
            "caller": names[0],
            "callee": names[1],
            "webrtcup_ms": round(up_ms, 1),
            "caller_video_frames_received": frames(caller),
            "callee_video_frames_received": frames(callee),
        }
        await callee.hangup()
        await caller.wait_hangup(timeout=args.timeout)
    finally:
        await caller.destroy()
        await callee.destroy()
        await caller_session.destroy()
        await callee_session.destroy()
    out.result(
        summary,
        lambda v: (
            "VideoCall summary:\n"
            f"  {v['caller']} received {v['caller_video_frames_received']} video frames\n"
            f"  {v['callee']} received {v['callee_video_frames_received']} video frames\n"
            f"  webrtcup after {v['webrtcup_ms']} ms"
        ),
    )
    both = summary["caller_video_frames_received"] and summary["callee_video_frames_received"]
    return 0 if both else EXIT_ERROR


def _load_media() -> Any:
    """Import the media module, or fail with the install hint."""
    from .plugins.media import load_webrtc

    return load_webrtc()


def _handle_info_text(info: Any) -> str:
    """People-readable summary of an admin ``handle_info`` answer."""
    lines = [f"handle {info.handle_id} ({info.plugin}) of session {info.session_id}"]
    if info.ice_state is None and info.dtls_state is None:
        lines.append("  no PeerConnection yet (no ICE or DTLS state)")
    else:
        lines.append(f"  ICE state:  {info.ice_state or 'unknown'}")
        lines.append(f"  DTLS state: {info.dtls_state or 'unknown'}")
    flags = info.flags or {}
    on = sorted(name for name, value in flags.items() if value)
    lines.append(f"  flags set:  {', '.join(on) if on else 'none'}")
    return "\n".join(lines)


def _textroom_event_text(kind: str, data: dict[str, Any]) -> str:
    """One readable line for a TextRoom event that is not a message."""
    who = data.get("username") or data.get("from")
    display = data.get("display")
    room = data.get("room")
    if kind == "join":
        return f"* {who}{f' ({display})' if display else ''} joined room {room}"
    if kind == "leave":
        return f"* {who} left room {room}"
    if kind == "kicked":
        return f"* {who} was kicked from room {room}"
    if kind == "destroyed":
        return f"* room {room} was destroyed"
    if kind == "announcement":
        return f"* announcement in room {room}: {data.get('text')}"
    details = ", ".join(f"{k}={v}" for k, v in sorted(data.items()) if k != "textroom")
    return f"* {kind}: {details}"


async def cmd_textroom(args: argparse.Namespace, out: Output) -> int:
    """TextRoom: list rooms, or join one and chat from the terminal."""
    from .plugins.textroom import JanusTextRoomPlugin, TextRoomEvent

    session = _session(args)
    try:
        if args.action == "list":
            room = JanusTextRoomPlugin()
            await room.attach(session)
            rooms = await room.list_rooms()
            out.result(
                rooms,
                lambda rs: (
                    "\n".join(
                        f"{r.get('room')}: {r.get('description', '')!r} "
                        f"{r.get('num_participants', 0)} participant(s)"
                        for r in rs
                    )
                    or "no rooms"
                ),
            )
            return 0
        if args.room is None or not args.username:
            raise UsageError("textroom join needs a room id and --username")
        _setup_media(args)
        chat = JanusTextRoomPlugin()
        await chat.attach(session)
        if args.create:
            await chat.create_room(
                room=args.room, description=f"room {args.room}", is_private=False
            )

        def show(event: TextRoomEvent) -> None:
            data = dict(event.data)
            if args.json:
                print(json.dumps(data, default=str), flush=True)
            elif event.type.value == "message":
                who = data.get("from")
                tag = " (private)" if data.get("whisper") else ""
                print(f"[{who}{tag}] {data.get('text')}", flush=True)
            else:
                print(_textroom_event_text(event.type.value, data), flush=True)

        chat.on_event(TextRoomEvent, show)
        await chat.setup(timeout=args.timeout)
        await chat.join_room(args.room, args.username, display=args.display)
        out.line(
            f"joined room {args.room} as {args.username}; type messages, "
            "'/to USER text' for a private one, Ctrl-D to leave"
        )
        sent = 0
        lines = args.say if args.say else None
        loop = asyncio.get_running_loop()
        stdin_lines: asyncio.Queue[str] | None = None
        while True:
            if lines is not None:
                if not lines:
                    break
                line = lines.pop(0)
            else:
                if stdin_lines is None:
                    stdin_lines = _stdin_reader(loop)
                line = await stdin_lines.get()
                if not line:
                    break
            line = line.rstrip("\n")
            if not line:
                continue
            if line.startswith("/to "):
                parts = line.split(" ", 2)
                if len(parts) < 3:
                    out.line("usage: /to USER text")
                    continue
                await chat.send_message(args.room, parts[2], to=parts[1])
            else:
                await chat.send_message(args.room, line)
            sent += 1
        listen = args.listen if args.listen is not None else (2.0 if args.say else 0.0)
        if listen:
            out.line(f"listening for {listen:g} s")
            await asyncio.sleep(listen)  # replies print as they arrive
        await chat.leave_room(args.room)
        out.result({"room": args.room, "sent": sent}, lambda v: f"left room {v['room']}")
    finally:
        await session.destroy()
    return 0


def _stdin_reader(loop: asyncio.AbstractEventLoop) -> asyncio.Queue[str]:
    """Read stdin lines in a daemon thread (Ctrl-C or SIGTERM never waits for Enter)."""
    queue: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        while True:
            line = sys.stdin.readline()
            with contextlib.suppress(RuntimeError):  # the loop is closed: we are leaving
                loop.call_soon_threadsafe(queue.put_nowait, line)
            if not line:
                return

    threading.Thread(target=read, name="janus-client-stdin", daemon=True).start()
    return queue


def _need_int(values: list[str], index: int, what: str) -> int:
    try:
        return int(values[index])
    except (IndexError, ValueError):
        raise UsageError(f"this admin command needs {what}") from None


# ------------------------------------------------------------------------ parser
def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def _common_options(*, suppress: bool) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    common.add_argument(
        "--url",
        default=default(_env("JANUS_URL")),
        help="Janus API URL, ws(s):// or http(s):// (env JANUS_URL)",
    )
    common.add_argument(
        "--api-secret",
        default=default(_env("JANUS_API_SECRET")),
        help="the server's api_secret (env JANUS_API_SECRET)",
    )
    common.add_argument(
        "--token", default=default(_env("JANUS_TOKEN")), help="an auth token (env JANUS_TOKEN)"
    )
    common.add_argument(
        "--admin-url",
        default=default(_env("JANUS_ADMIN_URL")),
        help="Admin API URL (env JANUS_ADMIN_URL)",
    )
    common.add_argument(
        "--admin-secret",
        default=default(_env("JANUS_ADMIN_SECRET")),
        help="the admin_secret (env JANUS_ADMIN_SECRET)",
    )
    common.add_argument(
        "--local",
        action="store_true",
        default=default(False),
        help="start a private Janus on loopback for this command",
    )
    common.add_argument(
        "--transport",
        choices=("ws", "http"),
        default=default("ws"),
        help="with --local: which transport to use (default ws)",
    )
    common.add_argument(
        "--json", action="store_true", default=default(False), help="machine-readable output"
    )
    common.add_argument(
        "--timeout",
        type=float,
        default=default(10.0),
        help="deadline of each request, seconds (default 10)",
    )
    common.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="log at DEBUG (secrets redacted) and show tracebacks",
    )
    return common


def _media_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seconds", type=float, default=5.0, help="how long the call lasts, seconds (default 5)"
    )
    p.add_argument(
        "--width", type=int, default=640, help="synthetic video width, pixels (default 640)"
    )
    p.add_argument(
        "--height", type=int, default=480, help="synthetic video height, pixels (default 480)"
    )
    p.add_argument(
        "--fps", type=float, default=30.0, help="synthetic video frame rate (default 30)"
    )


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port (0..65535; 0 = any free port)")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser."""
    # The options are accepted before and after the command: the top-level parser
    # holds the defaults, the commands' copies leave unset options alone.
    top = _common_options(suppress=False)
    common = _common_options(suppress=True)

    parser = argparse.ArgumentParser(
        prog="janus-client",
        description="Explore and debug a Janus WebRTC server, or run a local one (serve).",
        epilog="Run 'janus-client COMMAND --help' for the options of a command. Exit codes: "
        "0 success, 1 Janus or plugin error, 2 bad usage, 3 connection failure or timeout, "
        "4 authentication refused, 130 interrupted.",
        parents=[top],
    )
    parser.add_argument("--version", action="version", version=f"janus-client {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "serve",
        parents=[common],
        help="run a private Janus on loopback until Ctrl-C",
        description="Start a private Janus on loopback (every plugin janus-client supports, "
        "a generated configuration in a temporary folder), print its URLs and admin secret, "
        "and keep it up until Ctrl-C or SIGTERM; then stop it and remove everything it "
        "created (folder, ICE address). The ports are Janus' defaults, so the examples run "
        "as written.",
    )
    p.add_argument("--ws-port", type=_port, default=8188, help="WebSocket port (default 8188)")
    p.add_argument("--http-port", type=_port, default=8088, help="HTTP port (default 8088)")
    p.add_argument(
        "--admin-ws-port", type=_port, default=7188, help="Admin WebSocket port (default 7188)"
    )
    p.add_argument(
        "--admin-http-port", type=_port, default=7088, help="Admin HTTP port (default 7088)"
    )
    p.add_argument(
        "--plugins",
        help="comma-separated plugins to load, e.g. echotest,videoroom (default: all but "
        "voicemail, duktape and lua)",
    )
    p.add_argument(
        "--enable-plugin",
        action="append",
        choices=("voicemail", "duktape", "lua"),
        help="also load this optional plugin (repeatable)",
    )
    p.add_argument(
        "--ice-address",
        help="loopback address for ICE (default: env JANUS_ICE_ADDRESS, else 127.0.0.2)",
    )
    p.add_argument(
        "--session-timeout",
        type=int,
        default=60,
        help="seconds without keepalive before Janus drops a session (default 60)",
    )
    p.add_argument(
        "--debug-level", type=int, default=4, choices=range(8), metavar="0..7",
        help="Janus log level (default 4)",
    )
    p.add_argument(
        "--workdir",
        help="keep config, log and recordings in this folder (default: a temporary "
        "folder, removed on exit)",
    )
    p.add_argument(
        "--transports",
        type=_serve_transports,
        default=(),
        metavar="LIST",
        help="also offer these Janus transports, comma-separated: unix (Unix sockets in the "
        "work folder), mqtt (starts its own mosquitto; add mqtt3 for MQTT 3.1.1 instead of "
        "5), rabbitmq (starts its own RabbitMQ, about 5 s); e.g. mqtt,rabbitmq,unix",
    )
    p.set_defaults(func=None)

    p = sub.add_parser("info", parents=[common], help="show server info")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("ping", parents=[common], help="measure round-trip times")
    p.add_argument("--count", type=int, default=3, help="how many pings (default 3)")
    p.add_argument(
        "--interval", type=float, default=0.2, help="seconds between pings (default 0.2)"
    )
    p.set_defaults(func=cmd_ping)

    p = sub.add_parser(
        "echotest", parents=[common], help="run an EchoTest call with synthetic media or a file"
    )
    p.add_argument("--play", help="a media file or device to send (default: synthetic)")
    p.add_argument(
        "--record",
        help="record the echoed media to this file (.mkv, .webm: written as received, "
        "without re-encoding; other formats are re-encoded)",
    )
    p.add_argument(
        "--transcode",
        action="store_true",
        help="with --record: decode and re-encode (aiortc's MediaRecorder) even when the "
        "file takes the media as received",
    )
    _media_options(p)
    p.set_defaults(func=cmd_echotest)

    p = sub.add_parser(
        "videocall",
        parents=[common],
        help="VideoCall: list users, or a test call between two users",
        description="list: the users registered with the VideoCall plugin. call: register "
        "two users (on two sessions) in this process, call from one to the other with "
        "synthetic media, and report the frames each received.",
    )
    p.add_argument("action", choices=("list", "call"))
    p.add_argument("--username", help="call: the caller's name prefix (default caller)")
    p.add_argument("--peer", help="call: the callee's name prefix (default callee)")
    _media_options(p)
    p.set_defaults(func=cmd_videocall)

    p = sub.add_parser("videoroom", parents=[common], help="VideoRoom rooms and participants")
    p.add_argument("action", choices=("list", "create", "destroy", "participants"))
    p.add_argument("room", nargs="?", type=int, help="room id (a number)")
    p.add_argument("--description", help="create: the room's description (default: none)")
    p.add_argument("--secret", help="room secret (create/destroy)")
    p.add_argument("--publishers", type=int, help="create: max publishers (default Janus' 3)")
    p.set_defaults(func=cmd_videoroom)

    p = sub.add_parser("textroom", parents=[common], help="TextRoom: list rooms, or join and chat")
    p.add_argument("action", choices=("list", "join"))
    p.add_argument("room", nargs="?", type=int, help="room id (join; a number)")
    p.add_argument("--username", help="join: your username in the room")
    p.add_argument("--display", help="join: your display name")
    p.add_argument("--create", action="store_true", help="join: create the room first")
    p.add_argument(
        "--say",
        action="append",
        help="join: send this message instead of reading the terminal (repeatable)",
    )
    p.add_argument(
        "--listen",
        type=float,
        default=None,
        help="join: seconds to stay after the last message and show what arrives "
        "(default 2 with --say, 0 when reading the terminal)",
    )
    p.set_defaults(func=cmd_textroom)

    p = sub.add_parser("admin", parents=[common], help="Admin/Monitor API")
    p.add_argument(
        "action",
        choices=(
            "sessions",
            "handles",
            "handle-info",
            "tokens",
            "add-token",
            "remove-token",
            "log-level",
        ),
    )
    p.add_argument("ids", nargs="*", help="session id, handle id, or a log level")
    p.add_argument("--token-value", help="the token to add or remove")
    p.add_argument("--plugin", action="append", help="add-token: a plugin it may use")
    p.set_defaults(func=cmd_admin)

    from .cli_observe import add_commands as _add_observe_commands

    _add_observe_commands(sub, common)  # health, events
    return parser


def _exit_code(exc: BaseException) -> int:
    if isinstance(exc, (UnauthorizedError, UnauthorizedPluginError)):
        return EXIT_AUTH
    if isinstance(exc, (TransportError, RequestTimeoutError, TimeoutError, OSError)):
        return EXIT_CONNECTION
    if isinstance(exc, (ServerError, PluginError, JanusError)):
        return EXIT_ERROR
    return EXIT_ERROR


def _check_args(args: argparse.Namespace) -> None:
    """Usage checks that need no server (done before ``--local`` starts one)."""
    command = args.command
    if command == "serve" and args.local:
        raise UsageError("serve starts a Janus itself; --local makes no sense with it")
    if command == "ping" and args.count < 1:
        raise UsageError("--count must be at least 1")
    if command == "ping" and args.interval < 0:
        raise UsageError("--interval must not be negative")
    if command in ("echotest", "videocall") and getattr(args, "seconds", 1) < 0:
        raise UsageError("--seconds must not be negative")
    if command == "textroom" and args.listen is not None and args.listen < 0:
        raise UsageError("--listen must not be negative")
    if command == "echotest" or (command == "videocall" and args.action == "call"):
        _load_media()  # fail fast, before any local Janus starts
    if command == "videoroom" and args.action in ("destroy", "participants") and args.room is None:
        raise UsageError(f"videoroom {args.action} needs a room id")
    if command == "textroom" and args.action == "join" and (args.room is None or not args.username):
        raise UsageError("textroom join needs a room id and --username")
    if command == "admin":
        needed = {"handles": ["a session id"], "handle-info": ["a session id", "a handle id"]}
        wanted = needed.get(args.action, [])
        if len(args.ids) < len(wanted):
            raise UsageError(f"admin {args.action} needs {' and '.join(wanted)}")
        if args.action == "remove-token" and not args.token_value:
            raise UsageError("admin remove-token needs --token-value")
    for name in ("url", "admin_url"):
        value = getattr(args, name, None)
        if value and not args.local:
            scheme = value.split("://", 1)[0].lower() if "://" in value else ""
            if scheme not in ("ws", "wss", "http", "https"):
                raise UsageError(
                    f"--{name.replace('_', '-')} {value!r}: the scheme must be ws, wss, http "
                    "or https"
                )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    if args.debug:
        # Every logger at DEBUG, through a filter that hides secrets and SDP bodies.
        from .logs import enable_debug_logging

        enable_debug_logging(fmt="%(asctime)s %(name)s %(message)s")
    out = Output(args.json)
    try:
        _check_args(args)
        if args.command == "serve":
            return _serve(args, out)
        with _local_janus(args):
            code: int = asyncio.run(_run_command(args, out))
            return code
    except UsageError as exc:
        print(
            f"janus-client: error: {exc} (see janus-client {args.command} --help)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except MediaUnavailableError as exc:
        print(f"janus-client: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if args.debug:
            raise
        print(f"janus-client: error: {exc}", file=sys.stderr)
        return _exit_code(exc)


async def _run_command(args: argparse.Namespace, out: Output) -> int:
    """Run a command; SIGTERM cancels it as Ctrl-C does, so that it cleans up.

    The command's own clean-up (leave, detach, destroy) then runs with the
    connection still working, and a ``--local`` Janus is stopped afterwards.
    """
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    terminated = False

    def on_sigterm() -> None:
        nonlocal terminated
        terminated = True
        if task is not None:
            task.cancel()

    # Not possible outside the main thread, or on Windows: then SIGTERM just ends us.
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    try:
        result: int = await args.func(args, out)
        return result
    except asyncio.CancelledError:
        if terminated:
            return 130
        raise
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signal.SIGTERM)


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so that exit does not fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main_entry() -> None:
    """Console-script entry point: run `main` and exit with its code."""
    try:
        code = main()
    except BrokenPipeError:  # e.g. argparse's help text into a closed pipe
        _silence_stdout()
        code = EXIT_BROKEN_PIPE
    sys.exit(code)
