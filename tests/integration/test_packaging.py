"""Installing without the media extra: signalling works, media says what to install."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import asyncio, importlib.util, sys
    import janus_client
    from janus_client import JanusEchoTestPlugin, JanusSession, MediaUnavailableError

    assert importlib.util.find_spec("aiortc") is None, "aiortc must not be installed here"
    assert importlib.util.find_spec("av") is None, "av must not be installed here"

    async def main(url):
        async with JanusSession(url) as session:
            info = await session.info()
            echo = JanusEchoTestPlugin()
            await echo.attach(session)
            reply = await echo.configure(audio=True)
            assert reply.data["result"] == "ok", reply
            try:
                await echo.start()
            except MediaUnavailableError as exc:
                print("MEDIA-ERROR:", exc)
            else:
                raise SystemExit("start() worked without aiortc")
            try:
                janus_client.MediaPlayer
            except MediaUnavailableError as exc:
                print("PLAYER-ERROR:", exc)
            await echo.destroy()
        print("SIGNALLING-OK", info["version_string"])

    asyncio.run(main(sys.argv[1]))
    """
)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the sdist and the wheel once, and check them with twine."""
    out = tmp_path_factory.mktemp("dist")
    # With the build backend pre-installed (.ci/setup does it), build without
    # fetching it: the packaging tests then need no package index.
    offline = importlib.util.find_spec("hatchling") is not None
    build = subprocess.run(
        [sys.executable, "-m", "build", *(["--no-isolation"] if offline else []),
         "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    files = sorted(p.name for p in out.iterdir())
    assert any(f.endswith(".whl") for f in files) and any(f.endswith(".tar.gz") for f in files)
    twine = subprocess.run(
        [sys.executable, "-m", "twine", "check", *map(str, out.iterdir())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert twine.returncode == 0 and twine.stdout.count("PASSED") == 2, twine.stdout
    return out


def _venv_with(tmp_path: Path, requirement: str) -> Path:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # .ci/setup keeps the runtime wheels next to the virtualenv: install from there.
    wheels = Path(sys.prefix) / "wheelhouse"
    index = ["--no-index", "--find-links", str(wheels)] if (wheels / ".complete").exists() else []
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *index, requirement],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    return env_dir


def _wheel(dist: Path) -> Path:
    return next(dist.glob("*.whl"))


def test_wheel_with_media_extra(dist: Path, tmp_path: Path) -> None:
    env_dir = _venv_with(tmp_path, f"{_wheel(dist)}[media]")
    run = subprocess.run(
        [
            str(env_dir / "bin" / "python"),
            "-c",
            "import janus_client, janus_client.webrtc as w; print(w.JanusPeerConnection.__name__)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 0 and "JanusPeerConnection" in run.stdout, run.stderr
    cli = subprocess.run(
        [str(env_dir / "bin" / "janus-client"), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert cli.returncode == 0 and cli.stdout.startswith("janus-client "), cli.stderr


def test_install_without_media_extra(dist: Path, tmp_path: Path, janus_ws_url: str) -> None:
    env_dir = _venv_with(tmp_path, str(_wheel(dist)))
    python = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    cli = subprocess.run(
        [str(env_dir / "bin" / "janus-client"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert cli.returncode == 0 and "echotest" in cli.stdout, cli.stderr
    run = subprocess.run(
        [str(python), "-c", SCRIPT, janus_ws_url],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SIGNALLING-OK 1.1.2" in run.stdout
    for marker in ("MEDIA-ERROR:", "PLAYER-ERROR:"):
        line = next(x for x in run.stdout.splitlines() if x.startswith(marker))
        assert "pip install 'janus-client[media]'" in line


def test_media_error_when_aiortc_is_missing() -> None:
    # The same check in-process style: block aiortc/av imports in a subprocess.
    code = textwrap.dedent(
        """
        import sys
        sys.modules["aiortc"] = None
        sys.modules["av"] = None
        import janus_client
        from janus_client import MediaUnavailableError
        try:
            import janus_client.webrtc
        except MediaUnavailableError as exc:
            assert isinstance(exc, ImportError)
            print(exc)
        else:
            raise SystemExit("webrtc imported without aiortc")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "pip install 'janus-client[media]'" in run.stdout


@pytest.mark.usefixtures("media_address")
def test_player_does_not_keep_the_process_alive(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import asyncio, sys, fractions
        import av
        from janus_client import MediaPlayer

        path = sys.argv[1]
        with av.open(path, "w") as out:
            stream = out.add_stream("mpeg4", rate=30)
            stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
            for i in range(90):
                frame = av.VideoFrame(160, 120, "yuv420p")
                for plane in frame.planes:
                    plane.update(bytes([i % 255]) * plane.buffer_size)
                frame.pts = i
                frame.time_base = fractions.Fraction(1, 30)
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)

        async def main():
            player = MediaPlayer(path, loop=True)
            frame = await player.video.recv()   # the decoding thread is now running
            print("FRAME", frame.width, frame.height)
            # No stop(), and a loop left open (as in many programs): with aiortc's
            # own player the decoding thread then keeps the process alive forever.

        loop = asyncio.new_event_loop()
        loop.run_until_complete(main())
        print("EXITING")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "clip.mp4")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "FRAME 160 120" in run.stdout and "EXITING" in run.stdout
