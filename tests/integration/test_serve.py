"""`janus-client serve`, the ICE address life cycle, and nothing left behind."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from janus_client.testing import (
    JanusServer,
    JanusServerError,
    _network,
    _process,
    acquire_ice_address,
    ice_address_instructions,
)
from janus_client.testing._network import address_is_assigned, default_link_name

ROOT = Path(__file__).resolve().parents[2]
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="creating a veth pair needs root")


def _links() -> str:
    return subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout


def _netns() -> str:
    return subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JANUS_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _serve(*extra: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "janus_client", "serve", "--json"]
    argv += ["--ws-port", "0", "--http-port", "0", "--admin-ws-port", "0", "--admin-http-port", "0"]
    return subprocess.Popen(
        [*argv, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env()
    )


def _ready(proc: subprocess.Popen[str]) -> dict[str, object]:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, proc.stderr.read() if proc.stderr else ""
    ready = json.loads(line)
    assert ready["event"] == "ready"
    return ready


@ROOT_ONLY
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_serve_stays_up_then_removes_everything(how: signal.Signals) -> None:
    address = "127.0.0.91" if how == signal.SIGINT else "127.0.0.92"
    link = default_link_name(address)
    netns_before = _netns()
    assert link not in _links()
    proc = _serve("--ice-address", address)
    try:
        ready = _ready(proc)
        assert ready["ice_address"] == address and ready["ice_created"] is True
        assert link in _links() and address_is_assigned(address) is True
        workdir = Path(str(ready["workdir"]))
        assert workdir.is_dir()
        # Another program uses it while it is up: the core API answers on the printed URL.
        info = subprocess.run(
            [sys.executable, "-m", "janus_client", "info", "--json", "--url", str(ready["ws_url"])],
            capture_output=True, text=True, env=_env(), timeout=60, check=False,
        )
        assert info.returncode == 0 and json.loads(info.stdout)["version_string"], info.stderr
        assert proc.poll() is None  # still up after a client came and went
        proc.send_signal(how)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    stopped = [json.loads(line) for line in out.splitlines()]
    assert stopped[-1] == {"event": "stopped", "reason": how.name}
    assert link not in _links()
    # Other test runs may add links of their own meanwhile: look for this run's only.
    assert not any(link in line for line in _links().splitlines())
    new_netns = set(_netns().splitlines()) - set(netns_before.splitlines())
    assert not [ns for ns in new_netns if ns.startswith(("janus", "jt"))]
    assert not workdir.exists()
    assert not any(p.name.startswith(f"janus-client-ice-{link}") for p in Path("/tmp").iterdir())


def test_serve_text_output_names_urls_and_secret() -> None:
    argv = [sys.executable, "-m", "janus_client", "serve", "--admin-secret", "s3cret"]
    argv += ["--ws-port", "0", "--http-port", "0", "--admin-ws-port", "0", "--admin-http-port", "0"]
    argv += ["--plugins", "echotest,textroom", "--ice-address", "127.0.0.2"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env())
    try:
        assert proc.stdout is not None
        lines = []
        while not lines or not lines[-1].startswith("  export "):
            line = proc.stdout.readline()
            assert line, "serve ended before printing its URLs"
            lines.append(line)
        text = "".join(lines)
        assert "Janus API, WebSocket: ws://127.0.0.1:" in text
        assert "/janus" in text and "/admin" in text
        assert "admin secret:         s3cret" in text
        assert "export JANUS_URL=ws://127.0.0.1:" in text
        url = next(x.split()[-1] for x in lines if "Janus API, WebSocket" in x)
        info = subprocess.run(
            [sys.executable, "-m", "janus_client", "info", "--json", "--url", url],
            capture_output=True, text=True, env=_env(), timeout=60, check=False,
        )
        assert sorted(json.loads(info.stdout)["plugins"]) == [
            "janus.plugin.echotest", "janus.plugin.textroom"
        ]
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "stopped (SIGINT)" in out


def test_serve_port_in_use_is_one_clear_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "janus_client", "serve", "--ws-port", str(port),
             "--http-port", "0", "--admin-ws-port", "0", "--admin-http-port", "0",
             "--ice-address", "127.0.0.2"],
            capture_output=True, text=True, env=_env(), timeout=60, check=False,
        )
    assert run.returncode == 1
    assert f"ws {port}" in run.stderr and "already in use" in run.stderr
    assert "Traceback" not in run.stderr


@ROOT_ONLY
def test_janus_server_creates_and_removes_its_ice_address() -> None:
    address = "127.0.0.93"
    link = default_link_name(address)
    assert address_is_assigned(address) is False
    with JanusServer(ice_address=address) as server:
        assert server.ice_address == address and server.ice_created
        assert address_is_assigned(address) is True
        assert f'ice_enforce_list = "{address}"' in (server.config_dir / "janus.jcfg").read_text()
    assert address_is_assigned(address) is False
    assert link not in _links()


@ROOT_ONLY
def test_ice_address_removed_when_the_process_is_interrupted(tmp_path: Path) -> None:
    address = "127.0.0.94"
    link = default_link_name(address)
    script = tmp_path / "hold.py"
    script.write_text(
        "import time\n"
        "from janus_client.testing import JanusServer\n"
        f"server = JanusServer(ice_address={address!r})\n"
        "server.start()\n"
        "print('up', flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            env=_env())
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "up\n"
        assert link in _links()
        proc.send_signal(signal.SIGINT)  # KeyboardInterrupt, never caught: atexit cleans up
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0
    assert link not in _links()


@ROOT_ONLY
def test_lease_shared_in_process_and_existing_address_kept() -> None:
    address = "127.0.0.95"
    link = default_link_name(address)
    first = acquire_ice_address(address)
    second = acquire_ice_address(address)
    assert first.created and not second.created
    first.release()
    assert link in _links()  # the second lease still uses it
    second.release()
    assert link not in _links()
    # An address janus-client did not create is never removed.
    existing = acquire_ice_address("127.0.0.2")
    assert existing.address == "127.0.0.2" and not existing.created
    existing.release()
    assert address_is_assigned("127.0.0.2") is True


def test_non_root_falls_back_with_one_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(_network.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(_process, "_fallback_announced", False)
    caplog.set_level(logging.WARNING, logger="janus_client.testing")
    address = "127.0.0.96"
    assert address_is_assigned(address) is False
    with JanusServer(ice_address=address) as first, JanusServer(ice_address=address) as second:
        assert first.ice_address is None and second.ice_address is None
        assert "ice_enforce_list" not in (first.config_dir / "janus.jcfg").read_text()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    message = warnings[0].getMessage()
    assert "every interface" in message
    assert f"ip addr add {address}/32 dev {default_link_name(address)}" in message
    assert "_network" not in message  # public names only


def test_require_ice_raises_with_the_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_network.os, "geteuid", lambda: 1000)
    server = JanusServer(ice_address="127.0.0.97", require_ice=True)
    with pytest.raises(JanusServerError, match=r"ip link add jt000061 type veth"):
        server.start()
    server.stop()
    assert not server.running


def test_instructions_use_public_commands_only() -> None:
    text = ice_address_instructions("127.0.0.2")
    assert "ip link add jt0 type veth peer name jt0p" in text
    assert "ip link del jt0" in text
    assert "janus_client.testing._" not in text


def test_server_port_and_plugin_options_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown port name"):
        JanusServer(ports={"websocket": 8188})
    with pytest.raises(ValueError, match=r"0\.\.65535"):
        JanusServer(ports={"ws": 70000})
    with pytest.raises(ValueError, match="twice"):
        JanusServer(ports={"ws": 9000, "http": 9000})
    server = JanusServer(plugins=["echotest", "nosuchplugin"], ice_address=None)
    with pytest.raises(JanusServerError, match="nosuchplugin"):
        server.start()
    server.stop()


@ROOT_ONLY
def test_local_command_cleans_up_on_sigterm() -> None:
    address = "127.0.0.88"
    link = default_link_name(address)
    env = _env()
    env["JANUS_ICE_ADDRESS"] = address
    proc = subprocess.Popen(
        [sys.executable, "-m", "janus_client", "textroom", "join", "5", "--create", "--username",
         "u", "--local"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("* u joined room 5")  # waiting for input now
        assert link in _links()
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert link not in _links()
