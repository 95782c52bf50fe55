"""``janus-client health`` and ``janus-client events`` against a real Janus."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable

import aiohttp
import pytest

from janus_client import JanusAdminMonitorClient, JanusSession
from janus_client.health import check_health
from janus_client.testing import JanusServer, event_handler_configs

ECHO = "janus.plugin.echotest"


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "janus_client", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        check=False,
    )


def test_health_exit_codes(janus_server: JanusServer) -> None:
    ok = run_cli("health", janus_server.ws_url)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("healthy: ") and "Janus 1.1.2" in ok.stdout

    admin = run_cli(
        "health", janus_server.admin_http_url, "--admin-secret", "janusoverlord", "--json"
    )
    assert admin.returncode == 0, admin.stderr
    report = json.loads(admin.stdout)
    assert report["healthy"] is True and isinstance(report["sessions"], int)
    assert report["server"]["version"] == "1.1.2" and report["latency_ms"] > 0

    both = run_cli(
        "health",
        janus_server.http_url,
        "--admin-url",
        janus_server.admin_ws_url,
        "--admin-secret",
        "janusoverlord",
        "--json",
    )
    assert both.returncode == 0 and json.loads(both.stdout)["sessions"] is not None

    wrong = run_cli("health", janus_server.admin_http_url, "--admin-secret", "nope", "--json")
    assert wrong.returncode == 4
    assert "nope" not in wrong.stdout and json.loads(wrong.stdout)["reachable"] is True

    down = run_cli("health", "http://127.0.0.1:9/janus", "--timeout", "2")
    assert down.returncode == 3 and down.stdout.startswith("unreachable: ")

    usage = run_cli("health", "ftp://127.0.0.1:9")
    assert usage.returncode == 2


async def test_health_reports_a_server_refusing_new_sessions(janus_server: JanusServer) -> None:
    async with JanusAdminMonitorClient(janus_server.admin_http_url, "janusoverlord") as admin:
        await admin.accept_new_sessions(False)
        try:
            result = await check_health(janus_server.http_url)
            cli = await asyncio.to_thread(run_cli, "health", janus_server.ws_url)
        finally:
            await admin.accept_new_sessions(True)
    assert result.reachable and not result.healthy and result.exit_code == 1
    assert result.error == "the server does not accept new sessions"
    assert cli.returncode == 1 and cli.stdout.startswith("unhealthy: ")
    assert (await check_health(janus_server.http_url)).healthy


async def test_session_health_against_the_real_janus(janus_ws_url: str) -> None:
    async with JanusSession(janus_ws_url) as session:
        result = await session.health()
    assert result.healthy and result.reachable and result.exit_code == 0
    assert result.server is not None and result.server.version_string == "1.1.2"
    assert result.latency is not None and result.latency < 5


async def _line_with(stream: asyncio.StreamReader, prefix: str) -> str:
    while True:
        line = (await asyncio.wait_for(stream.readline(), 20)).decode()
        assert line, f"no {prefix!r} line"
        if line.startswith(prefix):
            return line[len(prefix) :].strip()


async def test_events_command_prints_json_lines_and_serves_metrics(
    janus_server_factory: Callable[..., JanusServer],
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "janus_client",
        "events",
        "--listen",
        "http://127.0.0.1:0/evh",
        "--metrics-port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert proc.stderr is not None and proc.stdout is not None
        listen = await _line_with(proc.stderr, "listening on ")
        metrics_url = await _line_with(proc.stderr, "metrics on ")
        janus = janus_server_factory(
            plugin_configs=event_handler_configs({"sampleevh": {"backend": listen}})
        )
        async with JanusSession(janus.ws_url) as session:
            handle = await session.attach(ECHO)
            sid, hid = session.session_id, handle.id
            await handle.detach()
        metrics = ""
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                async with http.get(metrics_url) as resp:
                    assert resp.status == 200
                    metrics = await resp.text()
                if 'janus_events_total{type="session"} 2.0' in metrics:
                    break
                await asyncio.sleep(0.1)
        assert 'janus_events_total{type="session"} 2.0' in metrics
        assert "janus_sessions 0.0" in metrics
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, err.decode()[-2000:]
    lines = [json.loads(line) for line in out.decode().splitlines()]
    mine = [e for e in lines if e.get("session_id") == sid]
    names = [(e["class"], e["event"].get("name")) for e in mine]
    assert ("SessionServerEvent", "created") in names
    assert ("SessionServerEvent", "destroyed") in names
    assert ("HandleServerEvent", "attached") in names
    assert all(e["type_name"] in ("session", "handle") for e in mine if "handle_id" not in e)
    assert any(e.get("handle_id") == hid for e in mine)
    assert any(e["class"] == "CoreServerEvent" for e in lines)


@pytest.mark.parametrize(
    "args", [["events", "--listen", "udp://127.0.0.1:1"], ["events", "--listen", "http://x:y"]]
)
def test_events_command_usage_errors(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert "error" in result.stderr


def test_events_command_on_a_terminal_shows_a_refreshing_summary() -> None:
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "janus_client",
                "events",
                "--listen",
                "http://127.0.0.1:0/evh",
                "--duration",
                "2.5",
                "--refresh",
                "0.5",
            ],
            stdout=slave,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        assert proc.wait(timeout=30) == 0
        assert proc.stderr is not None
        proc.stderr.close()
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    screen = b"".join(chunks).decode(errors="replace")
    assert screen.count("\x1b[2J") >= 2  # redrawn
    assert "sessions 0  handles 0  webrtc up 0" in screen
    assert "listening on http://127.0.0.1:" in screen


def test_event_json_lines_hide_sdp_bodies() -> None:
    from janus_client.cli_observe import event_to_json
    from janus_client.observe import event_from_json

    raw = {"type": 8, "event": {"owner": "remote", "jsep": {"type": "offer", "sdp": "v=0 secret"}}}
    line = event_to_json(event_from_json(raw))
    assert line["event"]["jsep"] == {"type": "offer", "sdp": "<10 characters>"}
    assert line["class"] == "JsepServerEvent" and line["type_name"] == "jsep"
    assert raw["event"]["jsep"]["sdp"] == "v=0 secret"  # the event itself is untouched
