"""The command line's rough edges (issue 12, point 6), each against the real Janus."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from janus_client import JanusAdminMonitorClient, JanusSession, JanusTextRoomPlugin
from janus_client.cli import _start_local, build_parser

ROOT = Path(__file__).resolve().parents[2]


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JANUS_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra or {})
    return env


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> (
    subprocess.CompletedProcess[str]
):
    return subprocess.run(
        [sys.executable, "-m", "janus_client", *args],
        capture_output=True, text=True, timeout=timeout, env=_env(env), check=False,
    )


def _json_lines(text: str) -> list[object]:
    lines = text.splitlines()
    assert lines, "no output"
    return [json.loads(line) for line in lines]  # every line is one JSON document


@pytest.mark.usefixtures("media_address")
def test_echotest_record_counts_the_recorded_frames(
    janus_ws_url: str, media_address: str, tmp_path: Path
) -> None:
    target = tmp_path / "echo.mp4"
    env = {"JANUS_ICE_ADDRESS": media_address}
    run = cli("echotest", "--url", janus_ws_url, "--seconds", "2", "--record", str(target),
              "--json", env=env)
    assert run.returncode == 0, run.stderr
    (summary,) = _json_lines(run.stdout)
    assert isinstance(summary, dict)
    assert summary["video_frames_recorded"] >= 30, summary
    run = cli("echotest", "--url", janus_ws_url, "--seconds", "1", "--record",
              str(tmp_path / "again.mp4"), env=env)
    assert run.returncode == 0, run.stderr
    assert "None" not in run.stdout and "video frames echoed: 0" not in run.stdout
    assert "recorded to" in run.stdout


def test_json_is_one_document_per_line(janus_ws_url: str) -> None:
    for args in (("info",), ("ping", "--count", "2", "--interval", "0"), ("videoroom", "list")):
        run = cli(*args, "--url", janus_ws_url, "--json")
        assert run.returncode == 0, run.stderr
        assert len(_json_lines(run.stdout)) == 1, run.stdout


@pytest.mark.usefixtures("media_address")
async def test_textroom_say_stays_to_see_replies(janus_ws_url: str, media_address: str) -> None:
    room = 770123
    async with JanusSession(janus_ws_url) as session:
        bot = JanusTextRoomPlugin()
        await bot.attach(session)
        await bot.create_room(room=room, description="echo bot", is_private=False)
        await bot.setup(timeout=20)
        await bot.join_room(room, "bot")
        got: asyncio.Queue[str] = asyncio.Queue()

        async def answer(event: object) -> None:
            sender = getattr(event, "sender", None)
            if sender == "carol":
                await bot.send_message(room, f"hello {sender}")
                await got.put(sender)

        from janus_client import TextRoomMessageEvent

        bot.on_event(TextRoomMessageEvent, answer)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "janus_client", "textroom", "join", str(room), "--username",
            "carol", "--say", "hi bot", "--listen", "3", "--url", janus_ws_url,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=_env({"JANUS_ICE_ADDRESS": media_address}),
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0, err.decode()
        text = out.decode()
        assert got.qsize() == 1
        assert "[bot] hello carol" in text
        assert "* bot" not in text or "{'" not in text  # events are sentences, not dicts
        assert "{'textroom'" not in text
        assert "left room" in text
        await bot.leave_room(room)
        await bot.destroy_room(room)
        await bot.destroy()


def test_help_texts_name_the_defaults() -> None:
    expected = {
        "ping": ["how many pings (default 3)", "seconds between pings (default 0.2)"],
        "echotest": ["(default 640)", "(default 480)", "(default 30)", "(default 5)"],
        "videoroom": ["the room's description"],
        "serve": ["(default 8188)", "(default 7088)", "Ctrl-C"],
        "videocall": ["list", "call"],
    }
    for command, texts in expected.items():
        run = cli(command, "--help")
        assert run.returncode == 0, run.stderr
        flat = " ".join(run.stdout.split())
        for text in texts:
            assert text in flat, (command, text)


def test_usage_errors_point_to_the_command_help() -> None:
    run = cli("ping", "--count", "0", "--url", "ws://127.0.0.1:9")
    assert run.returncode == 2
    assert "see janus-client ping --help" in run.stderr
    run = cli("admin", "handles", "--admin-url", "http://127.0.0.1:9/admin")
    assert run.returncode == 2 and "see janus-client admin --help" in run.stderr


def test_broken_pipe_is_quiet(janus_ws_url: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "janus_client", "ping", "--count", "20", "--interval", "0.05",
         "--url", janus_ws_url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"pong from")
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert "Broken pipe" not in err and "Traceback" not in err, err


def test_media_commands_fail_fast_without_the_media_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['aiortc'] = None\n"
        "sys.modules['av'] = None\n"
        "from janus_client.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    for args in (["echotest", "--local"], ["videocall", "call", "--local"]):
        run = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60,
            env=_env(), check=False,
        )
        assert run.returncode == 2, run.stderr
        assert "pip install 'janus-client[media]'" in run.stderr
        assert "started a local Janus" not in run.stderr


def test_local_honours_janus_ice_address(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JANUS_ICE_ADDRESS", "127.0.0.98")
    args = build_parser().parse_args(["info", "--local"])
    server = _start_local(args)
    try:
        config = (server.config_dir / "janus.jcfg").read_text()
        if os.geteuid() == 0:
            assert server.ice_address == "127.0.0.98"
            assert 'ice_enforce_list = "127.0.0.98"' in config
        else:  # announced, with what to do
            assert server.ice_address is None
            assert "ip addr add 127.0.0.98/32" in capsys.readouterr().err
    finally:
        server.stop()


async def test_admin_handle_info_is_readable(janus_ws_url: str, janus_admin_http_url: str) -> None:
    async with JanusSession(janus_ws_url) as session:
        handle = await session.attach("janus.plugin.echotest")
        async with JanusAdminMonitorClient(janus_admin_http_url, "janusoverlord") as admin:
            assert handle.handle_id in await admin.list_handles(session.session_id)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "janus_client", "admin", "handle-info", str(session.session_id),
            str(handle.handle_id), "--admin-url", janus_admin_http_url, "--admin-secret",
            "janusoverlord", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=_env(),
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err.decode()
    text = out.decode()
    assert f"handle {handle.handle_id} (janus.plugin.echotest)" in text
    assert "None" not in text and "{" not in text
    assert "no PeerConnection yet" in text and "flags set:" in text


def test_videocall_list(janus_ws_url: str) -> None:
    run = cli("videocall", "list", "--url", janus_ws_url, "--json")
    assert run.returncode == 0, run.stderr
    (users,) = _json_lines(run.stdout)
    assert isinstance(users, list)


@pytest.mark.usefixtures("media_address")
def test_videocall_call(janus_ws_url: str, media_address: str) -> None:
    run = cli("videocall", "call", "--url", janus_ws_url, "--seconds", "2", "--json",
              env={"JANUS_ICE_ADDRESS": media_address})
    assert run.returncode == 0, run.stderr
    (summary,) = _json_lines(run.stdout)
    assert isinstance(summary, dict)
    assert summary["caller_video_frames_received"] >= 20, summary
    assert summary["callee_video_frames_received"] >= 20, summary
