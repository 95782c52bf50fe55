"""The ``janus-client`` command: explore and debug a Janus server from a terminal.

Examples::

    janus-client info --url ws://127.0.0.1:8188
    janus-client echotest --local --seconds 5
    janus-client videoroom list --url http://127.0.0.1:8088/janus --json
    janus-client admin sessions --admin-url http://127.0.0.1:7088/admin --admin-secret s
    janus-client textroom join 1234 --username alice --local

Connection options come from flags or the environment (``JANUS_URL``,
``JANUS_API_SECRET``, ``JANUS_TOKEN``, ``JANUS_ADMIN_URL``, ``JANUS_ADMIN_SECRET``).
``--local`` starts a private Janus on loopback for the duration of the command.

Exit codes: 0 success, 1 Janus or plugin error, 2 bad usage, 3 connection failure or
timeout, 4 authentication refused, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
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

__all__ = ["EXIT_AUTH", "EXIT_CONNECTION", "EXIT_ERROR", "EXIT_USAGE", "main"]

#: Exit code: Janus or a plugin answered with an error.
EXIT_ERROR = 1
#: Exit code: bad command-line usage.
EXIT_USAGE = 2
#: Exit code: could not connect, the connection dropped, or a deadline passed.
EXIT_CONNECTION = 3
#: Exit code: Janus refused the credentials.
EXIT_AUTH = 4

Command = Callable[[argparse.Namespace, "Output"], Awaitable[int]]


class UsageError(Exception):
    """A problem with the command line that argparse could not see."""


class Output:
    """Where a command writes: text for people, or one JSON document."""

    def __init__(self, as_json: bool, stream: TextIO | None = None) -> None:
        self.as_json = as_json
        self.stream = stream if stream is not None else sys.stdout

    def line(self, text: str = "") -> None:
        """Write a line of text (ignored in JSON mode)."""
        if not self.as_json:
            print(text, file=self.stream, flush=True)

    def result(self, value: Any, text: Callable[[Any], str] | None = None) -> None:
        """Write the command's result: JSON, or ``text(value)``."""
        if self.as_json:
            json.dump(value, self.stream, indent=2, sort_keys=True, default=str)
            self.stream.write("\n")
        elif text is not None:
            print(text(value), file=self.stream, flush=True)


# ------------------------------------------------------------------- local Janus
@contextlib.contextmanager
def _local_janus(args: argparse.Namespace) -> Iterator[None]:
    """With ``--local``: start a private Janus and point the URLs at it."""
    if not getattr(args, "local", False):
        yield
        return
    from .testing import JanusServer, ensure_ice_address

    ice = "127.0.0.2" if ensure_ice_address("127.0.0.2") else None
    admin_secret = args.admin_secret or "janus-client-local"
    with JanusServer(ice_address=ice, admin_secret=admin_secret) as server:
        args.url = server.ws_url if args.transport == "ws" else server.http_url
        args.admin_url = server.admin_ws_url if args.transport == "ws" else server.admin_http_url
        args.admin_secret = admin_secret
        args.ice_address = ice
        if not args.json:
            print(
                f"started a local Janus (pid {server.pid}) at {args.url}",
                file=sys.stderr,
                flush=True,
            )
        yield


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
    from .plugins.media import load_webrtc

    webrtc = load_webrtc()
    _setup_media(args)
    session = _session(args)
    echo = JanusEchoTestPlugin()
    video = None
    started = time.monotonic()
    try:
        await echo.attach(session)
        if args.play:
            await echo.start(play_from=args.play, record_to=args.record, data_channel=True)
        else:
            video = webrtc.FrameCounterVideoTrack(args.width, args.height, fps=args.fps)
            tracks = [webrtc.ToneAudioTrack(), video]
            await echo.start(tracks=tracks, record_to=args.record, read_counters=True)
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
        }
    finally:
        await echo.destroy()
        await session.destroy()

    def text(s: dict[str, Any]) -> str:
        sent = s["video_frames_sent"]
        shown = sent if sent is not None else f"(from {args.play})"
        return (
            "EchoTest summary:\n"
            f"  video frames sent:   {shown}\n"
            f"  video frames echoed: {s['video_frames_echoed']} ({s['echoed_fps']} fps)\n"
            f"  audio frames echoed: {s['audio_frames_echoed']}\n"
            f"  webrtcup after {s['webrtcup_ms']} ms, first echoed frame after "
            f"{s['first_echoed_frame_ms']} ms\n"
            f"  data channel round trip (median): {s['data_channel_rtt_ms']} ms"
        )

    out.result(summary, text)
    return 0 if summary["video_frames_echoed"] or args.record or args.play else EXIT_ERROR


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
            out.result(
                info.raw,
                lambda _: (
                    f"handle {info.handle_id} ({info.plugin}) of session {info.session_id}\n"
                    f"  ICE {info.ice_state}, DTLS {info.dtls_state}, flags {info.flags}"
                ),
            )
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
                print(f"* {event.type.value}: {data}", flush=True)

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
        while True:
            if lines is not None:
                if not lines:
                    break
                line = lines.pop(0)
            else:
                line = await loop.run_in_executor(None, sys.stdin.readline)
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
        if args.say:
            await asyncio.sleep(0.3)  # let the last echoes arrive before leaving
        await chat.leave_room(args.room)
        out.result({"room": args.room, "sent": sent}, lambda v: f"left room {v['room']}")
    finally:
        await session.destroy()
    return 0


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


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser."""
    # The options are accepted before and after the command: the top-level parser
    # holds the defaults, the commands' copies leave unset options alone.
    top = _common_options(suppress=False)
    common = _common_options(suppress=True)

    parser = argparse.ArgumentParser(
        prog="janus-client",
        description="Explore and debug a Janus WebRTC server.",
        parents=[top],
    )
    parser.add_argument("--version", action="version", version=f"janus-client {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("info", parents=[common], help="show server info")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("ping", parents=[common], help="measure round-trip times")
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--interval", type=float, default=0.2)
    p.set_defaults(func=cmd_ping)

    p = sub.add_parser(
        "echotest", parents=[common], help="run an EchoTest call with synthetic media or a file"
    )
    p.add_argument("--play", help="a media file or device to send (default: synthetic)")
    p.add_argument("--record", help="record the echoed media to this file")
    p.add_argument("--seconds", type=float, default=5.0, help="call duration (default 5)")
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height", type=int, default=480)
    p.add_argument("--fps", type=float, default=30.0)
    p.set_defaults(func=cmd_echotest)

    p = sub.add_parser("videoroom", parents=[common], help="VideoRoom rooms and participants")
    p.add_argument("action", choices=("list", "create", "destroy", "participants"))
    p.add_argument("room", nargs="?", type=int, help="room id")
    p.add_argument("--description")
    p.add_argument("--secret", help="room secret (create/destroy)")
    p.add_argument("--publishers", type=int, help="max publishers (create)")
    p.set_defaults(func=cmd_videoroom)

    p = sub.add_parser("textroom", parents=[common], help="TextRoom: list rooms, or join and chat")
    p.add_argument("action", choices=("list", "join"))
    p.add_argument("room", nargs="?", type=int, help="room id (join)")
    p.add_argument("--username", help="join: your username in the room")
    p.add_argument("--display", help="join: your display name")
    p.add_argument("--create", action="store_true", help="join: create the room first")
    p.add_argument(
        "--say",
        action="append",
        help="join: send this message instead of reading the terminal (repeatable)",
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
    if command == "ping" and args.count < 1:
        raise UsageError("--count must be at least 1")
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
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(name)s %(message)s")
    out = Output(args.json)
    try:
        _check_args(args)
        with _local_janus(args):
            code: int = asyncio.run(args.func(args, out))
            return code
    except UsageError as exc:
        print(f"janus-client: error: {exc} (see janus-client --help)", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except MediaUnavailableError as exc:
        print(f"janus-client: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        if args.debug:
            raise
        print(f"janus-client: error: {exc}", file=sys.stderr)
        return _exit_code(exc)


def main_entry() -> None:
    """Console-script entry point: run `main` and exit with its code."""
    sys.exit(main())
