"""A short run of experiments/soak.py against the real Janus: nothing accumulates.

Runs the soak script's own phases (session lifecycles over one shared transport,
then reconnects through a TCP proxy) with small counts, and checks that the asyncio
task count and the open file descriptors come back to their starting values. RSS
and timing are left to the script itself (too noisy for a shared test machine).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

SOAK_PATH = Path(__file__).resolve().parents[2] / "experiments" / "soak.py"
CYCLES = 300
RECONNECTS = 20
TIME_LIMIT = 60.0  # seconds per phase; the counts above need a few seconds at most


def _load_soak() -> ModuleType:
    name = "janus_client_experiments_soak"
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.spec_from_file_location(name, SOAK_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def soak() -> ModuleType:
    return _load_soak()


def _counts() -> tuple[int, int]:
    return len(asyncio.all_tasks()), len(os.listdir("/proc/self/fd"))


async def _back_to(start: tuple[int, int], limit: float = 2.0) -> tuple[int, int]:
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while True:
        now = _counts()
        if (now[0] <= start[0] and now[1] <= start[1]) or loop.time() >= end:
            return now
        await asyncio.sleep(0.02)


async def test_soak_cycles_leave_nothing_behind(soak: ModuleType, janus_ws_url: str) -> None:
    start = _counts()
    loop = asyncio.get_running_loop()
    result = await soak.run_cycles(janus_ws_url, CYCLES, deadline=loop.time() + TIME_LIMIT)
    assert result["errors"] == 0, result["error_samples"]
    assert result["cycles"] == CYCLES
    assert await _back_to(start) == start


async def test_soak_reconnects_leave_nothing_behind(soak: ModuleType, janus_ws_url: str) -> None:
    start = _counts()
    loop = asyncio.get_running_loop()
    result = await soak.run_reconnects(janus_ws_url, RECONNECTS, deadline=loop.time() + TIME_LIMIT)
    assert result["errors"] == 0, result["error_samples"]
    assert result["reconnects"] == RECONNECTS
    assert result["connections"] == RECONNECTS + 1  # one connection per reconnect
    assert await _back_to(start) == start


def test_soak_script_options(soak: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        soak.main(["--help"])
    usage = capsys.readouterr().out
    for option in ("--cycles", "--reconnects", "--max-seconds", "--json"):
        assert option in usage
