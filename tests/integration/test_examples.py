"""Every example of the documentation runs against the real test Janus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# demo.py starts its own Janus: test_demo_runs covers it.
SCRIPTS = sorted(
    p.name
    for p in EXAMPLES.glob("*.py")
    if not p.name.startswith(("_", "test_")) and p.name != "demo.py"
)


ADMIN_SECRET = "janusoverlord"  # the test Janus' admin_secret


def _env(url: str, ice: str | None, admin_url: str = "") -> dict[str, str]:
    env = dict(os.environ, JANUS_URL=url)
    if admin_url:
        env["JANUS_ADMIN_URL"] = admin_url
        env["JANUS_ADMIN_SECRET"] = ADMIN_SECRET
    if ice:
        env["JANUS_ICE_ADDRESS"] = ice
    env.pop("PYTHONPATH", None)
    return env


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs(
    script: str, janus_ws_url: str, janus_admin_http_url: str, media_address: str
) -> None:
    env = _env(janus_ws_url, media_address, janus_admin_http_url)
    run = subprocess.run(
        [sys.executable, script], cwd=EXAMPLES, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip(), "an example prints what it did"


def test_demo_runs(media_address: str) -> None:
    run = subprocess.run(
        [sys.executable, "demo.py"], cwd=EXAMPLES, env=_env("", media_address),
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "demo OK" in run.stdout


def test_example_test_file_passes() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_with_janus.py"],
        cwd=EXAMPLES, capture_output=True, text=True, timeout=300, check=False,
        env=dict(os.environ, JANUS_CLIENT_REQUIRE_JANUS="1"),
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
