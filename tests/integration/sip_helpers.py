"""Shared pieces of the SIP, NoSIP and VoiceMail tests: a Janus with those plugins,
an audio probe that counts frames and measures the tone's frequency."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from array import array
from collections.abc import Iterator
from typing import Any

import pytest

from janus_client.testing import JanusServer
from janus_client.testing._sipp import sipp_available
from janus_client.testing.pytest_plugin import _require_janus

#: The tone we send; the echo must come back at this frequency.
TONE_HZ = 600.0


@pytest.fixture(scope="module")
def sip_janus(janus_ice_address: str | None) -> Iterator[JanusServer]:
    """A Janus with the SIP, NoSIP and VoiceMail plugins (no SIP keep-alives)."""
    _require_janus()
    if not sipp_available():
        pytest.fail("SIPp is not installed (Debian package sip-tester; .ci/setup installs it)")
    server = JanusServer(
        ice_address=janus_ice_address,
        plugins=["sip", "nosip", "voicemail"],
        enable_plugins=["voicemail"],
        session_timeout=60,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["ws", "http"])
def url(request: pytest.FixtureRequest, sip_janus: JanusServer) -> str:
    return sip_janus.ws_url if request.param == "ws" else sip_janus.http_url


class AudioProbe:
    """Consumes a received audio track: counts frames, estimates the tone's frequency."""

    def __init__(self) -> None:
        self.frames: list[float] = []
        self.samples = array("h")
        self.rate = 0
        self._tasks: list[asyncio.Task[None]] = []

    def __call__(self, track: Any) -> None:
        if track.kind == "audio":
            self._tasks.append(asyncio.get_running_loop().create_task(self._read(track)))

    async def _read(self, track: Any) -> None:
        from aiortc.mediastreams import MediaStreamError

        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                self.frames.append(time.monotonic())
                self.rate = frame.sample_rate
                channels = len(frame.layout.channels)
                chunk = array("h", bytes(frame.planes[0])[: frame.samples * 2 * channels])
                self.samples.extend(chunk[::channels])  # the first channel (s16 packed)
                del self.samples[: max(0, len(self.samples) - self.rate)]  # keep ~1 s

    def fps(self, since: float) -> float:
        recent = [t for t in self.frames if t >= since]
        if len(recent) < 2:
            return 0.0
        return (len(recent) - 1) / (recent[-1] - recent[0])

    def frequency(self) -> float:
        """Zero-crossing estimate over the last second (0 when silent)."""
        data = self.samples
        if not self.rate or len(data) < 2 or max(abs(x) for x in data) < 500:
            return 0.0
        crossings = sum(1 for a, b in itertools.pairwise(data) if (a < 0) != (b < 0))
        return crossings / 2 / (len(data) / self.rate)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def measure(probe: AudioProbe, seconds: float = 3.0) -> float:
    await until(lambda: len(probe.frames) > 5, 10)
    start = time.monotonic()
    await asyncio.sleep(seconds)
    return probe.fps(start)


async def until(check: Any, timeout: float = 10.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := check()):
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)
    return value


def tone(frequency: float = TONE_HZ) -> Any:
    """A tone track at ``frequency``."""
    from janus_client.webrtc import ToneAudioTrack

    return ToneAudioTrack(frequency=frequency)
