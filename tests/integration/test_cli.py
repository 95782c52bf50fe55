"""The janus-client command line against the real test Janus."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest

from janus_client.testing import JanusServer


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("JANUS_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "janus_client", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        check=False,
    )


def test_help() -> None:
    run = cli("--help")
    assert run.returncode == 0
    for command in ("info", "ping", "echotest", "videoroom", "textroom", "admin"):
        assert command in run.stdout


def test_info_text_and_json(janus_ws_url: str, janus_http_url: str) -> None:
    run = cli("info", "--url", janus_ws_url)
    assert run.returncode == 0, run.stderr
    assert "Janus WebRTC Server 1.1.2" in run.stdout and "janus.plugin.echotest" in run.stdout
    run = cli("info", "--json", env={"JANUS_URL": janus_http_url})
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["version_string"] == "1.1.2"


def test_ping(janus_ws_url: str) -> None:
    run = cli("ping", "--url", janus_ws_url, "--count", "2", "--interval", "0")
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("pong from") == 2
    data = json.loads(cli("ping", "--url", janus_ws_url, "--count", "1", "--json").stdout)
    assert data["count"] == 1 and data["min_ms"] > 0


def test_wrong_url_is_one_clear_line() -> None:
    run = cli("info", "--url", "ws://127.0.0.1:9", "--timeout", "2")
    assert run.returncode == 3
    assert run.stderr.strip().count("\n") == 0, run.stderr
    assert run.stderr.startswith("janus-client: error:") and "127.0.0.1:9" in run.stderr
    assert "Traceback" not in run.stderr


def test_no_url_is_a_usage_error() -> None:
    run = cli("info")
    assert run.returncode == 2
    assert "--url" in run.stderr


def test_wrong_secret(janus_server_factory: Callable[..., JanusServer]) -> None:
    server = janus_server_factory(api_secret="right")
    run = cli("info", "--url", server.ws_url, "--api-secret", "right")
    assert run.returncode == 0, run.stderr
    run = cli("videoroom", "list", "--url", server.ws_url, "--api-secret", "wrong")
    assert run.returncode == 4
    assert "403" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_videoroom_commands(janus_ws_url: str) -> None:
    run = cli(
        "videoroom",
        "create",
        "987001",
        "--url",
        janus_ws_url,
        "--description",
        "cli room",
        "--json",
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["room"] == 987001
    run = cli("videoroom", "list", "--url", janus_ws_url)
    assert "987001" in run.stdout and "cli room" in run.stdout
    run = cli("videoroom", "participants", "987001", "--url", janus_ws_url, "--json")
    assert json.loads(run.stdout) == []
    run = cli("videoroom", "destroy", "987001", "--url", janus_ws_url)
    assert run.returncode == 0 and "destroyed room 987001" in run.stdout
    run = cli("videoroom", "destroy", "987001", "--url", janus_ws_url)
    assert run.returncode == 1 and "426" in run.stderr


@pytest.mark.usefixtures("media_address")
def test_echotest_local() -> None:
    run = cli("echotest", "--local", "--seconds", "2", "--json")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["video_frames_echoed"] >= 30
    assert summary["video_frames_sent"] >= summary["video_frames_echoed"]
    assert summary["frame_numbers_checked"] >= 30
    run = cli("echotest", "--local", "--seconds", "1")
    assert run.returncode == 0, run.stderr
    assert "video frames echoed" in run.stdout and "EchoTest summary" in run.stdout


def test_admin_commands(janus_admin_http_url: str, janus_ws_url: str) -> None:
    admin = ("--admin-url", janus_admin_http_url, "--admin-secret", "janusoverlord")
    run = cli("admin", "sessions", *admin, "--json")
    assert run.returncode == 0, run.stderr
    assert isinstance(json.loads(run.stdout), list)
    run = cli("admin", "log-level", *admin)
    assert run.returncode == 0 and "log level" in run.stdout
    run = cli("admin", "sessions", "--admin-url", janus_admin_http_url, "--admin-secret", "nope")
    assert run.returncode == 4
    assert "403" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    run = cli("admin", "handles", *admin)
    assert run.returncode == 2 and "session id" in run.stderr


@pytest.mark.usefixtures("media_address")
def test_textroom_commands(janus_ws_url: str, media_address: str) -> None:
    env = {"JANUS_ICE_ADDRESS": media_address}
    run = cli(
        "textroom",
        "join",
        "777001",
        "--create",
        "--username",
        "bob",
        "--say",
        "hi there",
        "--url",
        janus_ws_url,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert "[bob] hi there" in run.stdout and "left room 777001" in run.stdout
    run = cli("textroom", "list", "--url", janus_ws_url, "--json")
    assert run.returncode == 0, run.stderr
    assert 777001 in [room["room"] for room in json.loads(run.stdout)]
    run = cli("textroom", "join", "--url", janus_ws_url)
    assert run.returncode == 2


def test_options_before_or_after_the_command(janus_ws_url: str) -> None:
    for args in (
        ("--url", janus_ws_url, "--json", "info"),
        ("info", "--url", janus_ws_url, "--json"),
    ):
        run = cli(*args)
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout)["janus"] == "server_info"


def test_usage_errors_before_any_work() -> None:
    for args, text in (
        (("ping", "--count", "0", "--url", "ws://127.0.0.1:9"), "--count"),
        (("info", "--url", "ftp://127.0.0.1/janus"), "scheme"),
        (("videoroom", "destroy", "--local"), "room id"),
        (("textroom", "join", "5", "--url", "ws://127.0.0.1:9"), "--username"),
    ):
        run = cli(*args, timeout=30)
        assert run.returncode == 2, (args, run.stderr)
        assert text in run.stderr and len(run.stderr.strip().splitlines()) == 1
        assert "started a local Janus" not in run.stderr


def _opus_file(path: Path, seconds: float) -> None:
    """An Ogg Opus file with a 660 Hz tone, written with PyAV."""
    import av

    container = av.open(str(path), "w", format="ogg")
    stream = container.add_stream("libopus", rate=48000, layout="mono")
    for i in range(int(seconds * 50)):
        tone = array(
            "h",
            (int(9000 * math.sin(2 * math.pi * 660 * (i * 960 + k) / 48000)) for k in range(960)),
        )
        frame = av.AudioFrame(format="s16", layout="mono", samples=960)
        frame.planes[0].update(tone.tobytes())
        frame.sample_rate, frame.pts = 48000, i * 960
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()


@pytest.mark.usefixtures("media_address")
def test_audiobridge_commands(janus_ws_url: str, media_address: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JANUS_")}
    env["JANUS_ICE_ADDRESS"] = media_address
    opus = tmp_path / "speech.opus"
    _opus_file(opus, seconds=20)  # longer than the listener stays
    speaker = subprocess.Popen(  # plays the file into the room
        [sys.executable, "-m", "janus_client", "audiobridge", "join", "777002", "--create",
         "--play", str(opus), "--seconds", "60", "--json", "--url", janus_ws_url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert speaker.stdout is not None
        first = json.loads(speaker.stdout.readline())  # the speaker is in and set up
        assert first["frames"] > 0
        run = cli("audiobridge", "rooms", "--url", janus_ws_url, "--json")
        assert run.returncode == 0, run.stderr
        rooms = {room["room"]: room for room in json.loads(run.stdout)}
        assert rooms[777002]["num_participants"] == 1
        run = cli(
            "audiobridge", "join", "777002", "--seconds", "3", "--json", "--url", janus_ws_url,
            env={"JANUS_ICE_ADDRESS": media_address},
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        lines = [json.loads(line) for line in run.stdout.splitlines()]
        levels = [line for line in lines if "rms" in line]
        assert levels and levels[-1]["rms"] > 1000 and levels[-1]["participants"] == 1
        summary = lines[-1]
        assert summary["room"] == 777002 and summary["frames"] > 0
        assert summary["peak_rms"] > 1000
    finally:
        speaker.terminate()  # SIGTERM: the command leaves the room and ends (130)
        speaker.wait(timeout=30)
        assert speaker.stdout is not None and speaker.stderr is not None
        speaker.stdout.close()
        speaker.stderr.close()
    assert speaker.returncode == 130
    run = cli("audiobridge", "rooms", "--url", janus_ws_url)
    assert run.returncode == 0 and "777002: 'room 777002' 48000 Hz, 0 participant(s)" in run.stdout
    run = cli("audiobridge", "join", "--url", janus_ws_url)
    assert run.returncode == 2 and "room id" in run.stderr


@pytest.mark.usefixtures("media_address")
def test_audiobridge_live_level_on_a_terminal(janus_ws_url: str, media_address: str) -> None:
    import pty

    env = {k: v for k, v in os.environ.items() if not k.startswith("JANUS_")}
    env["JANUS_ICE_ADDRESS"] = media_address
    main_fd, tty_fd = pty.openpty()
    try:
        run = subprocess.run(
            [sys.executable, "-m", "janus_client", "audiobridge", "join", "777003", "--create",
             "--seconds", "1.5", "--url", janus_ws_url],
            stdout=tty_fd, stderr=subprocess.PIPE, text=True, env=env, timeout=120,
            check=False,
        )  # fmt: skip
        os.close(tty_fd)
        tty_fd = -1
        output = b""
        while True:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            output += chunk
    finally:
        if tty_fd != -1:
            os.close(tty_fd)
        os.close(main_fd)
    assert run.returncode == 0, run.stderr
    text = output.decode()
    assert "\r  [" in text and "dBFS" in text and "frames/s" in text  # a refreshing line
    assert "left room 777003" in text
