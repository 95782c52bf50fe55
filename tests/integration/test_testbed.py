"""Checks of the test bed itself: the real local Janus and the ICE address helpers."""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import ssl
import time
import uuid
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import websockets

from janus_client.testing._network import (
    address_is_assigned,
    ensure_ice_address,
    patch_aioice_host_addresses,
)
from janus_client.testing._server import JanusServer, JanusServerError, render_jcfg

# The fixtures come from the ``pytest11`` entry point once janus-client is
# installed; load the plugin by hand when running from a bare checkout.
_PLUGIN = "janus_client.testing.pytest_plugin"
pytest_plugins = (
    [] if any(ep.value == _PLUGIN for ep in entry_points(group="pytest11")) else [_PLUGIN]
)

pytestmark = pytest.mark.integration

Factory = Callable[..., JanusServer]


def _tx() -> str:
    return uuid.uuid4().hex[:12]


async def _post(url: str, body: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http,
        http.post(url, json=body) as response,
    ):
        result: dict[str, Any] = await response.json(content_type=None)
        return result


async def _ws_request(url: str, body: dict[str, Any], protocol: str) -> dict[str, Any]:
    async with websockets.connect(
        url, subprotocols=[websockets.Subprotocol(protocol)], proxy=None
    ) as ws:
        assert ws.subprotocol == protocol
        await ws.send(json.dumps(body))
        reply: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
        return reply


def _janus_pids(workdir: Path) -> list[int]:
    """Pids of processes whose command line mentions this server's work directory."""
    pids = []
    needle = str(workdir).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"janus" in cmdline and needle in cmdline:
            pids.append(int(entry.name))
    return pids


# --------------------------------------------------------------------------- #
# The session server and its URL fixtures


async def test_info_over_http(janus_server: JanusServer, janus_http_url: str) -> None:
    assert janus_http_url == janus_server.http_url
    assert janus_http_url.startswith("http://127.0.0.1:")
    assert janus_http_url.endswith("/janus")
    info = await _post(janus_http_url, {"janus": "info", "transaction": _tx()})
    assert info["janus"] == "server_info"
    assert info["version"] >= 1000  # Janus 1.x
    assert info["server-name"] == "janus-client-testbed"
    assert info["session-timeout"] == 60
    assert info["reclaim-session-timeout"] == 30
    assert info["local-ip"] == "127.0.0.1"
    assert info["api_secret"] is False
    assert sorted(info["transports"]) == ["janus.transport.http", "janus.transport.websockets"]
    assert "janus.plugin.videoroom" in info["plugins"]
    assert "janus.plugin.echotest" in info["plugins"]
    for disabled in ("voicemail", "duktape", "lua"):
        assert f"janus.plugin.{disabled}" not in info["plugins"]
    assert not info["events"]  # event handlers are off
    assert not info["loggers"]  # jsonlog is disabled


async def test_info_over_websocket(janus_ws_url: str) -> None:
    assert janus_ws_url.startswith("ws://127.0.0.1:")
    tx = _tx()
    reply = await _ws_request(janus_ws_url, {"janus": "info", "transaction": tx}, "janus-protocol")
    assert reply["janus"] == "server_info"
    assert reply["transaction"] == tx


async def test_websocket_needs_the_subprotocol(janus_ws_url: str) -> None:
    with pytest.raises(websockets.InvalidHandshake):
        async with websockets.connect(janus_ws_url, proxy=None, open_timeout=5):
            pass


async def test_admin_api_over_http_and_websocket(
    janus_server: JanusServer, janus_admin_http_url: str, janus_admin_ws_url: str
) -> None:
    assert janus_admin_http_url.endswith("/admin")
    denied = await _post(janus_admin_http_url, {"janus": "list_sessions", "transaction": _tx()})
    assert denied["janus"] == "error"
    assert denied["error"]["code"] == 403
    body = {"janus": "list_sessions", "transaction": _tx(), "admin_secret": "janusoverlord"}
    listed = await _post(janus_admin_http_url, body)
    assert listed["janus"] == "success"
    assert isinstance(listed["sessions"], list)
    assert janus_server.admin_secret == "janusoverlord"
    over_ws = await _ws_request(janus_admin_ws_url, body, "janus-admin-protocol")
    assert over_ws["janus"] == "success"


async def test_session_lifecycle_over_http(janus_http_url: str) -> None:
    created = await _post(janus_http_url, {"janus": "create", "transaction": _tx()})
    assert created["janus"] == "success"
    session_url = f"{janus_http_url}/{created['data']['id']}"
    destroyed = await _post(session_url, {"janus": "destroy", "transaction": _tx()})
    assert destroyed["janus"] == "success"


def test_session_server_layout(janus_server: JanusServer, janus_ice_address: str | None) -> None:
    assert janus_server.running
    assert janus_server.pid is not None
    assert janus_server.ice_address == janus_ice_address
    assert janus_server.api_secret is None
    assert janus_server.https_url is None
    assert janus_server.wss_url is None
    assert janus_server.log_path.is_file()
    assert "Starting Meetecho Janus" in janus_server.read_log()
    ports = janus_server.ports
    assert sorted(ports) == ["admin_http", "admin_ws", "http", "ws"]
    assert len(set(ports.values())) == 4


# --------------------------------------------------------------------------- #
# Several servers, restarts, crashes


async def test_two_servers_at_once(janus_server_factory: Factory) -> None:
    first = janus_server_factory()
    second = janus_server_factory()
    assert first.running
    assert second.running
    assert first.pid != second.pid
    assert first.workdir != second.workdir
    assert not set(first.ports.values()) & set(second.ports.values())
    for server in (first, second):
        info = await _post(server.http_url, {"janus": "info", "transaction": _tx()})
        assert info["janus"] == "server_info"
        reply = await _ws_request(
            server.ws_url, {"janus": "info", "transaction": _tx()}, "janus-protocol"
        )
        assert reply["janus"] == "server_info"


async def test_restart_keeps_ports_and_drops_sessions(janus_server_factory: Factory) -> None:
    server = janus_server_factory()
    ports, pid, url = server.ports, server.pid, server.http_url
    created = await _post(url, {"janus": "create", "transaction": _tx()})
    session_id = created["data"]["id"]

    started = time.monotonic()
    server.restart()
    assert time.monotonic() - started < 5

    assert server.running
    assert server.pid != pid
    assert server.ports == ports
    assert server.http_url == url
    gone = await _post(f"{url}/{session_id}", {"janus": "keepalive", "transaction": _tx()})
    assert gone["janus"] == "error"
    assert gone["error"]["code"] == 458  # no such session
    info = await _ws_request(
        server.ws_url, {"janus": "info", "transaction": _tx()}, "janus-protocol"
    )
    assert info["janus"] == "server_info"
    assert server.read_log().count("Starting Meetecho Janus") == 2  # Janus appends to its log


def test_kill_leaves_no_process(janus_server_factory: Factory) -> None:
    server = janus_server_factory()
    pid = server.pid
    assert pid is not None
    assert _janus_pids(server.workdir) == [pid]
    server.kill()
    assert not server.running
    assert server.pid is None
    assert not Path(f"/proc/{pid}").exists()
    assert _janus_pids(server.workdir) == []
    server.kill()  # idempotent
    # A killed server comes back on the same ports.
    ports = server.ports
    server.start()
    assert server.ports == ports
    assert server.running


def test_stop_removes_process_and_temporary_workdir() -> None:
    server = JanusServer(ice_address=None)
    server.start()
    workdir, pid = server.workdir, server.pid
    assert workdir.is_dir()
    server.stop()
    assert not server.running
    assert pid is not None
    assert not Path(f"/proc/{pid}").exists()
    assert _janus_pids(workdir) == []
    assert not workdir.exists()
    server.stop()  # idempotent
    with pytest.raises(JanusServerError):
        _ = server.http_url


def test_context_manager_keeps_user_workdir(tmp_path: Path) -> None:
    workdir = tmp_path / "janus"
    with JanusServer(workdir=workdir, ice_address=None) as server:
        assert server.running
        assert server.workdir == workdir.resolve()
        pid = server.pid
    assert not server.running
    assert not Path(f"/proc/{pid}").exists()
    assert (workdir / "conf" / "janus.jcfg").is_file()
    assert (workdir / "janus.log").is_file()


async def test_pause_and_resume(janus_server_factory: Factory) -> None:
    server = janus_server_factory()
    server.pause()
    assert server.paused
    assert server.running
    with pytest.raises(asyncio.TimeoutError):
        await _post(server.http_url, {"janus": "info", "transaction": _tx()}, timeout=0.5)
    server.resume()
    assert not server.paused
    info = await _post(server.http_url, {"janus": "info", "transaction": _tx()})
    assert info["janus"] == "server_info"
    server.pause()  # stop() must also work on a paused server
    server.stop(timeout=5)
    assert not server.running


# --------------------------------------------------------------------------- #
# Authentication


async def test_api_secret_enforced(janus_server_factory: Factory) -> None:
    server = janus_server_factory(api_secret="s3cret")
    assert server.api_secret == "s3cret"
    denied = await _post(server.http_url, {"janus": "create", "transaction": _tx()})
    assert denied["janus"] == "error"
    assert denied["error"]["code"] == 403
    wrong = {"janus": "create", "transaction": _tx(), "apisecret": "nope"}
    assert (await _post(server.http_url, wrong))["error"]["code"] == 403
    body = {"janus": "create", "transaction": _tx(), "apisecret": "s3cret"}
    assert (await _post(server.http_url, body))["janus"] == "success"
    over_ws = await _ws_request(server.ws_url, {**body, "transaction": _tx()}, "janus-protocol")
    assert over_ws["janus"] == "success"
    denied_ws = await _ws_request(
        server.ws_url, {"janus": "create", "transaction": _tx()}, "janus-protocol"
    )
    assert denied_ws["error"]["code"] == 403
    info = await _post(server.http_url, {"janus": "info", "transaction": _tx()})
    assert info["api_secret"] is True  # info itself needs no secret


async def test_stored_token_auth(janus_server_factory: Factory) -> None:
    server = janus_server_factory(token_auth=True, admin_secret="adm")
    denied = await _post(server.http_url, {"janus": "create", "transaction": _tx()})
    assert denied["error"]["code"] == 403
    added = await _post(
        server.admin_http_url,
        {"janus": "add_token", "token": "tok", "transaction": _tx(), "admin_secret": "adm"},
    )
    assert added["janus"] == "success"
    body = {"janus": "create", "transaction": _tx(), "token": "tok"}
    assert (await _post(server.http_url, body))["janus"] == "success"


# --------------------------------------------------------------------------- #
# Generated configuration


def test_recordings_go_to_the_temporary_workdir(janus_server: JanusServer) -> None:
    workdir = janus_server.workdir
    recordings = janus_server.recordings_dir
    assert recordings == workdir / "recordings"
    assert recordings.is_dir()
    conf = janus_server.config_dir
    assert conf == workdir / "conf"
    assert f'path = "{recordings}"' in (conf / "janus.plugin.recordplay.jcfg").read_text()
    # Relative recording paths (VideoRoom rec_dir, EchoTest filename) land there too.
    assert Path(f"/proc/{janus_server.pid}/cwd").resolve() == recordings.resolve()
    core = (conf / "janus.jcfg").read_text()
    assert f'configs_folder = "{conf}"' in core
    assert '"/etc"' in core  # protected_folders keeps Janus out of system folders
    assert str(workdir).startswith(os.path.realpath(os.environ.get("TMPDIR", "/tmp")))


def test_generated_config_files(janus_server: JanusServer) -> None:
    conf = janus_server.config_dir
    names = sorted(p.name for p in conf.glob("*.jcfg"))
    assert "janus.jcfg" in names
    assert "janus.transport.http.jcfg" in names
    assert "janus.transport.websockets.jcfg" in names
    core = (conf / "janus.jcfg").read_text()
    if janus_server.ice_address is not None:
        assert f'ice_enforce_list = "{janus_server.ice_address}"' in core
    assert "ignore_mdns = true" in core
    assert '"libjanus_voicemail.so,libjanus_duktape.so,libjanus_lua.so"' in core
    assert "libjanus_nanomsg.so" in core
    assert "broadcast = false" in core
    assert "/etc/janus" not in core
    streaming = (conf / "janus.plugin.streaming.jcfg").read_text()
    assert "type" not in streaming  # no sample mountpoints
    videoroom = (conf / "janus.plugin.videoroom.jcfg").read_text()
    assert "room-" not in videoroom
    assert "admin_key" not in videoroom
    textroom = (conf / "janus.plugin.textroom.jcfg").read_text()
    assert 'json = "plain"' in textroom
    for name in ("sip", "nosip", "audiobridge"):
        assert 'local_ip = "127.0.0.1"' in (conf / f"janus.plugin.{name}.jcfg").read_text()
    for transport in ("http", "websockets"):
        text = (conf / f"janus.transport.{transport}.jcfg").read_text()
        assert "127.0.0.1" in text
        assert 'json = "plain"' in text


async def test_plugin_configs_and_enable_plugins(janus_server_factory: Factory) -> None:
    server = janus_server_factory(
        enable_plugins=["voicemail"],
        plugin_configs={"janus.plugin.videoroom": {"general": {"admin_key": "vr-key"}}},
        extra_general={"server_name": "custom-name"},
        session_timeout=7,
    )
    videoroom = (server.config_dir / "janus.plugin.videoroom.jcfg").read_text()
    assert 'admin_key = "vr-key"' in videoroom
    info = await _post(server.http_url, {"janus": "info", "transaction": _tx()})
    assert "janus.plugin.voicemail" in info["plugins"]
    assert info["server-name"] == "custom-name"
    assert info["session-timeout"] == 7


def test_render_jcfg_quotes_and_nests() -> None:
    text = render_jcfg(
        {
            "general": {
                "name": 'say "hi" \\ bye',
                "flag": True,
                "count": 3,
                "ratio": 0.5,
                "skipped": None,
                "list": ["a", "b"],
            },
            "room-1": {"nested": {"x": 1}},
        }
    )
    assert 'name = "say \\"hi\\" \\\\ bye"' in text
    assert "flag = true" in text
    assert "count = 3" in text
    assert "ratio = 0.5" in text
    assert "skipped" not in text
    assert '"a",' in text
    assert "room-1: {" in text
    with pytest.raises(ValueError, match="setting name"):
        render_jcfg({"general": {"bad key": 1}})


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.0/8"):
        JanusServer(host="0.0.0.0")
    with pytest.raises(ValueError, match="enable_plugins"):
        JanusServer(enable_plugins=["videoroom"])
    with pytest.raises(ValueError, match="tls_cert"):
        JanusServer(tls_cert="/nonexistent.pem")


async def test_tls_transports(janus_server_factory: Factory, tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    server = janus_server_factory(tls_cert=str(cert_path), tls_key=str(key_path))
    assert server.https_url is not None
    assert server.wss_url is not None
    assert server.https_url.startswith("https://127.0.0.1:")
    context = ssl.create_default_context(cafile=str(cert_path))
    context.check_hostname = False
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            server.https_url, json={"janus": "info", "transaction": _tx()}, ssl=context
        ) as response,
    ):
        assert (await response.json(content_type=None))["janus"] == "server_info"
    async with websockets.connect(
        server.wss_url,
        subprotocols=[websockets.Subprotocol("janus-protocol")],
        ssl=context,
        proxy=None,
    ) as ws:
        await ws.send(json.dumps({"janus": "info", "transaction": _tx()}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["janus"] == "server_info"
    ws.transport.close()  # Python 3.10 leaves a server-closed TLS transport unmarked


def test_missing_tls_file_fails_fast(tmp_path: Path) -> None:
    server = JanusServer(
        ice_address=None, tls_cert=str(tmp_path / "no.pem"), tls_key=str(tmp_path / "no.key")
    )
    with pytest.raises(JanusServerError, match="TLS file"):
        server.start()
    server.stop()


def test_start_retries_when_a_port_is_taken(
    monkeypatch: pytest.MonkeyPatch, janus_server_factory: Factory
) -> None:
    import socket

    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    original = JanusServer._choose_ports
    calls: list[dict[str, int]] = []

    def choose(self: JanusServer) -> dict[str, int]:
        ports = original(self)
        if not calls:
            ports["ws"] = blocker.getsockname()[1]
        calls.append(ports)
        return ports

    monkeypatch.setattr(JanusServer, "_choose_ports", choose)
    try:
        server = janus_server_factory()
    finally:
        blocker.close()
    assert len(calls) == 2
    assert server.ports == calls[1]
    assert server.running


# --------------------------------------------------------------------------- #
# ICE address helpers


def test_ensure_ice_address_makes_127_0_0_2_present() -> None:
    if os.geteuid() != 0 and not address_is_assigned("127.0.0.2"):
        pytest.skip("creating the veth pair needs root")
    assert ensure_ice_address("127.0.0.2") is True
    assert address_is_assigned("127.0.0.2") is True
    assert ensure_ice_address("127.0.0.2") is True  # idempotent


def test_ensure_ice_address_rejects_non_loopback() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.0/8"):
        ensure_ice_address("10.0.0.1")
    with pytest.raises(ValueError, match="link name"):
        ensure_ice_address("127.0.0.2", link="a-very-long-name")


def test_patch_aioice_host_addresses() -> None:
    ice = pytest.importorskip("aioice.ice")
    original = ice.get_host_addresses
    with patch_aioice_host_addresses(["127.0.0.2", "::1"]):
        assert ice.get_host_addresses(use_ipv4=True, use_ipv6=False) == ["127.0.0.2"]
        assert ice.get_host_addresses(use_ipv4=True, use_ipv6=True) == ["127.0.0.2", "::1"]
    assert ice.get_host_addresses is original
