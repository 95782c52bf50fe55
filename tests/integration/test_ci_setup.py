"""`.ci/setup` reports each step on one line and leaves no network device behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / ".ci" / "setup"


def _links() -> str:
    return subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout


@pytest.fixture
def ready_venv(tmp_path: Path) -> Path:
    """A virtualenv stand-in whose project and wheelhouse are already installed."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "wheelhouse").mkdir()
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    (venv / ".janus-client-installed").touch()
    (venv / "wheelhouse" / ".complete").touch()
    return venv


@pytest.mark.skipif(os.geteuid() != 0, reason="the set-up script is for root on Debian")
def test_setup_prints_a_line_per_step_and_leaves_no_link(ready_venv: Path) -> None:
    address = "127.0.0.89"  # not in use: the check must create it and remove it again
    link = "jt000059"
    assert link not in _links()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JANUS_")}
    env.update(JANUS_CLIENT_VENV=str(ready_venv), JANUS_ICE_ADDRESS=address)
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run(
        ["bash", str(SETUP)], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stderr.splitlines()
    for number in range(1, 6):
        assert sum(line.startswith(f"setup: [{number}/5] ") for line in lines) == 1, lines
    assert f"ICE address {address} can be created" in run.stderr
    assert link not in _links()
    assert not list(Path("/tmp").glob(f"janus-client-ice-{link}*"))


def test_setup_keeps_the_janus_service_off() -> None:
    text = SETUP.read_text()
    # apt-get runs with a policy-rc.d that forbids starting services, and the unit
    # the package enables is disabled afterwards.
    assert "policy-rc.d" in text and "exit 101" in text
    assert "systemctl disable janus.service" in text
    for package in ("gcc", "pkg-config", "python3-dev"):
        assert f"need_apt+=({package})" in text
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    for package in ("gcc", "pkg-config", "python3-dev"):
        assert package in workflow
    assert "hatchling" in text and "wheelhouse" in text
