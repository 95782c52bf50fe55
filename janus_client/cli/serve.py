"""``janus-client serve``: a private Janus on loopback until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import time
from typing import Any

from ._common import EXIT_ERROR, Subcommands, UsageError, add_command, port
from ._local import start_local
from ._output import Output, note

__all__ = ["SERVE_ADMIN_SECRET", "SERVE_PORTS", "SERVE_TRANSPORTS", "register", "serve"]

#: The Janus default ports, used by ``serve`` so that examples run as written.
SERVE_PORTS = {"ws": 8188, "http": 8088, "admin_ws": 7188, "admin_http": 7088}
#: The admin secret of ``serve`` unless --admin-secret is given (Janus' sample value).
SERVE_ADMIN_SECRET = "janusoverlord"


#: The URLs of the optional transports: the attribute of the server and its label.
_MORE_URLS = (
    ("unix_url", "Janus API, Unix:"),
    ("admin_unix_url", "Admin API, Unix:"),
    ("mqtt_url", "Janus API, MQTT:"),
    ("admin_mqtt_url", "Admin API, MQTT:"),
    ("amqp_url", "Janus API, RabbitMQ:"),
    ("admin_amqp_url", "Admin API, RabbitMQ:"),
)


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
    from ..testing import BrokerError, JanusServerError, MosquittoBroker, RabbitMQBroker

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


def serve(args: argparse.Namespace, out: Output) -> int:
    """Run ``janus-client serve``: a local Janus until Ctrl-C or SIGTERM."""
    from ..testing import JanusServerError

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
            server = start_local(
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
            note(f"error: {exc}")
            return EXIT_ERROR
        ready: dict[str, Any] = {
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
        more_lines = ""
        for key, label in _MORE_URLS:
            value = getattr(server, key)
            if value is not None:
                ready[key] = value
                more_lines += f"  {label:<22}{value}\n"
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


def _check(args: argparse.Namespace) -> None:
    if args.local:
        raise UsageError("serve starts a Janus itself; --local makes no sense with it")


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``serve`` command."""
    p = add_command(
        sub, common, "serve", serve, check=_check,
        help="run a private Janus on loopback until Ctrl-C",
        description="Start a private Janus on loopback (every plugin janus-client supports, "
        "a generated configuration in a temporary folder), print its URLs and admin secret, "
        "and keep it up until Ctrl-C or SIGTERM; then stop it and remove everything it "
        "created (folder, ICE address). The ports are Janus' defaults, so the examples run "
        "as written.",
    )
    p.add_argument("--ws-port", type=port, default=8188, help="WebSocket port (default 8188)")
    p.add_argument("--http-port", type=port, default=8088, help="HTTP port (default 8088)")
    p.add_argument(
        "--admin-ws-port", type=port, default=7188, help="Admin WebSocket port (default 7188)"
    )
    p.add_argument(
        "--admin-http-port", type=port, default=7088, help="Admin HTTP port (default 7088)"
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
