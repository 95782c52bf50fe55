"""``janus-client sip register``: live call progress against SIPp, text and --json."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest
from sip_helpers import sip_janus

from janus_client.testing import JanusServer, SippProcess, caller_scenario, registrar_scenario

__all__ = ["sip_janus"]  # fixture

pytestmark = pytest.mark.usefixtures("media_address")
SECRET = "cli-pw-93z"


async def _cli(*args: str, ice: str) -> asyncio.subprocess.Process:
    env = dict(os.environ, JANUS_SIP_SECRET=SECRET, JANUS_ICE_ADDRESS=ice)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "janus_client", "sip", "register", *args,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip


async def _finish(proc: asyncio.subprocess.Process) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_cli_call_json_lines(sip_janus: JanusServer, media_address: str) -> None:
    async with SippProcess(registrar_scenario(), timeout=40) as pbx:
        proc = await _cli(
            "sip:alice@127.0.0.1", "--proxy", pbx.uri, "--call", f"sip:bob@{pbx.address}",
            "--seconds", "1.5", "--dtmf", "1", "--url", sip_janus.ws_url, "--json", "--debug",
            ice=media_address,
        )  # fmt: skip
        code, out, err = await _finish(proc)
        assert code == 0, out + err
        lines = [json.loads(line) for line in out.splitlines()]
        kinds = [line["event"] for line in lines]
        assert kinds[0] == "registered" and "accepted" in kinds and kinds[-1] == "unregistered"
        assert kinds.index("registered") < kinds.index("accepted") < kinds.index("summary")
        summary = next(line for line in lines if line["event"] == "summary")
        assert summary["audio_frames_received"] > 0 and summary["hangup_code"] == 200
        await pbx.wait_message("INFO", contains="Signal=1")
        await pbx.wait_message("BYE")
        assert SECRET not in out and SECRET not in err  # --debug logs are redacted


async def test_cli_answer_text(sip_janus: JanusServer, media_address: str) -> None:
    async with SippProcess(registrar_scenario(), timeout=40) as pbx:
        proc = await _cli(
            "sip:carol@127.0.0.1", "--proxy", pbx.uri, "--answer", "--seconds", "10",
            "--url", sip_janus.http_url, ice=media_address,
        )  # fmt: skip
        contact = await pbx.wait_contact(timeout=20)
        scenario = caller_scenario(talk_ms=1500, dtmf_info="4")
        async with SippProcess(scenario, remote=contact, service="carol") as phone:
            code, out, err = await _finish(proc)
            assert await phone.wait(10) == 0
        assert code == 0, out + err
        assert out.splitlines()[0].startswith("registered")
        assert any(line.startswith("incomingcall") for line in out.splitlines())
        assert "dtmf=4" in out and "hangup_code=200" in out


def test_cli_sip_usage_errors() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "janus_client", "sip", "register", "sip:a@b", "--call", "sip:c@d",
         "--answer", "--url", "ws://127.0.0.1:9"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert run.returncode == 2 and "exclude each other" in run.stderr
    run = subprocess.run(
        [sys.executable, "-m", "janus_client", "sip", "register", "alice", "--url", "ws://x:1"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert run.returncode == 2 and "sip: URI" in run.stderr
