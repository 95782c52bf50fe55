"""``janus-client health`` and ``janus-client events``: check a server, watch its events.

(Also importable as ``janus_client.cli_observe``, their former home.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from typing import Any

from ..health import check_health
from ..observe.events import JsepServerEvent, ServerEvent
from ..observe.live import LiveView
from ..observe.receiver import JanusEventReceiver, source_from_url
from ._common import Subcommands, add_command, has_janus_scheme
from ._output import Output, json_line, note

__all__ = ["add_commands", "cmd_events", "cmd_health", "event_to_json", "register"]


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``health`` and ``events`` commands.

    Args:
        sub: What ``ArgumentParser.add_subparsers`` returned.
        common: The parent parser with the shared options.

    """
    p = add_command(
        sub, common, "health", cmd_health,
        help="check a server (exit 0 healthy, 1 unhealthy, 3 unreachable, 4 refused)",
        description=(
            "Check that a Janus server answers: latency of 'info', server info and, with "
            "--admin-secret, the number of sessions. URL is the Janus API, or the Admin "
            "API when --admin-secret is given without --admin-url. Exit codes: 0 healthy, "
            "1 answered but unhealthy, 2 usage error, 3 unreachable, 4 credentials refused."
        ),
    )
    p.add_argument("target", nargs="?", metavar="URL", help="the server URL (default --url)")

    p = add_command(
        sub, common, "events", cmd_events,
        help="receive Janus event-handler events and show a live summary",
        description=(
            "Listen for Janus' event handlers and show a refreshing summary on a terminal, "
            "or one JSON line per event otherwise. --listen takes http://HOST:PORT/PATH "
            "(sampleevh; user:password@ for basic auth), ws://HOST:PORT/PATH (wsevh), "
            "mqtt://HOST:PORT/TOPIC (mqttevh) or amqp://USER:PASS@HOST:PORT/?queue=NAME "
            "(rabbitmqevh)."
        ),
    )
    p.add_argument("--listen", action="append", required=True, metavar="URL")
    p.add_argument("--metrics-port", type=int, help="serve Prometheus /metrics on this port")
    p.add_argument("--metrics-host", default="127.0.0.1", help="address for /metrics")
    p.add_argument(
        "--types", help="comma-separated event types to keep (sessions,handles,media,...)"
    )
    p.add_argument("--duration", type=float, help="stop after this many seconds")
    p.add_argument("--refresh", type=float, default=1.0, help="summary refresh interval (TTY)")


#: The former name of `register`.
add_commands = register


async def cmd_health(args: argparse.Namespace, out: Output) -> int:
    """Run ``janus-client health``."""
    url = args.target or args.url
    if not url:
        note("error: health needs a URL")
        return 2
    if not has_janus_scheme(url):
        note(f"error: health URL {url!r}: use ws(s):// or http(s)://")
        return 2
    result = await check_health(
        url,
        admin_secret=args.admin_secret,
        admin_url=args.admin_url,
        api_secret=args.api_secret,
        token=args.token,
        timeout=args.timeout,
    )
    if out.as_json:
        out.result(result.to_json())
    else:
        if result.healthy:
            version = result.server.version_string if result.server else "?"
            parts = [f"healthy: {url}", f"Janus {version}"]
            if result.latency is not None:
                parts.append(f"info in {result.latency * 1000:.1f} ms")
            if result.sessions is not None:
                parts.append(f"{result.sessions} session(s)")
            out.line(", ".join(parts))
        else:
            state = "unhealthy" if result.reachable else "unreachable"
            out.line(f"{state}: {url}: {result.error}")
    return result.exit_code


def event_to_json(event: ServerEvent) -> dict[str, Any]:
    """Return a JSON-ready form of an event (SDP bodies replaced by their size)."""
    raw = dict(event.raw)
    if isinstance(event, JsepServerEvent) and event.sdp is not None:
        body = dict(raw.get("event") or {})
        jsep = dict(body.get("jsep") or {})
        jsep["sdp"] = f"<{len(event.sdp)} characters>"
        body["jsep"] = jsep
        raw["event"] = body
    return {"class": type(event).__name__, "type_name": event.type_label, **raw}


def _summary(view: LiveView, rx: JanusEventReceiver, started: float) -> str:
    lines = [
        f"janus-client events  {time.strftime('%H:%M:%S')}  up {time.monotonic() - started:.0f}s"
        f"  listening on {', '.join(rx.urls)}",
        f"events {rx.stats.events}  malformed {rx.stats.malformed}  dropped {rx.stats.dropped}"
        f"  by type: {', '.join(f'{k} {v}' for k, v in sorted(rx.stats.by_type.items()))}",
        f"sessions {len(view.sessions)}  handles {len(view)}  webrtc up {view.webrtc_up_count()}",
        "",
        f"{'handle':>18} {'session':>18} {'plugin':<26} {'ice':<10} {'dtls':<10} "
        f"{'streams (kbit/s in/out, lost)'}",
    ]
    for handle in sorted(view, key=lambda h: h.handle_id)[:40]:
        streams = []
        for stream in handle.streams.values():
            s = stream.stats
            if s is None:
                streams.append(f"{stream.media or '?'}:-")
            else:
                streams.append(
                    f"{stream.media or '?'}:{s.bytes_received_lastsec * 8 / 1000:.0f}/"
                    f"{s.bytes_sent_lastsec * 8 / 1000:.0f},{s.lost}"
                )
        plugin = (handle.plugin or "?").removeprefix("janus.plugin.")
        lines.append(
            f"{handle.handle_id:>18} {handle.session_id or 0:>18} {plugin:<26} "
            f"{handle.ice_state or '-':<10} {handle.dtls_state or '-':<10} {' '.join(streams)}"
        )
    if len(view) > 40:
        lines.append(f"... and {len(view) - 40} more handles")
    return "\n".join(lines)


async def cmd_events(args: argparse.Namespace, out: Output) -> int:
    """Run ``janus-client events``."""
    try:
        sources = [source_from_url(url) for url in args.listen]
        types = [t.strip() for t in args.types.split(",") if t.strip()] if args.types else None
        rx = JanusEventReceiver(*sources, types=types)
    except (ValueError, TypeError) as exc:
        note(f"error: {exc}")
        return 2
    view = LiveView()
    rx.add_listener(view)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    metrics_server: Any = None
    stream = out.stream
    tty = out.is_terminal
    try:
        await rx.start()
        print(f"listening on {' '.join(rx.urls)}", file=sys.stderr, flush=True)
        if args.metrics_port is not None:
            from ..instrument import ClientMetrics, get_client_hook
            from ..observe.prometheus import MetricsServer, make_registry

            hook = get_client_hook()
            client = hook if isinstance(hook, ClientMetrics) else None
            metrics_server = MetricsServer(
                make_registry(client, view, rx), args.metrics_host, args.metrics_port
            )
            await metrics_server.start()
            print(f"metrics on {metrics_server.url}", file=sys.stderr, flush=True)
        started = time.monotonic()
        deadline = None if args.duration is None else started + args.duration

        async def printer() -> None:
            if tty:
                while True:
                    stream.write("\x1b[H\x1b[2J" + _summary(view, rx, started) + "\n")
                    stream.flush()
                    await asyncio.sleep(max(args.refresh, 0.1))
            else:
                async for event in rx:
                    stream.write(json_line(event_to_json(event), sort_keys=False))
                    stream.flush()

        task = loop.create_task(printer())
        waiter = loop.create_task(stop.wait())
        try:
            timeout = None if deadline is None else max(deadline - time.monotonic(), 0)
            await asyncio.wait({task, waiter}, timeout=timeout, return_when="FIRST_COMPLETED")
        finally:
            for t in (task, waiter):
                t.cancel()
            for t in (task, waiter):
                with contextlib.suppress(asyncio.CancelledError):
                    await t
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
        if metrics_server is not None:
            await metrics_server.close()
        await rx.close()
    if not tty:
        # Whatever is still queued when stopping.
        while (event := rx.get_nowait()) is not None:
            stream.write(json_line(event_to_json(event), sort_keys=False))
        stream.flush()
    return 0
