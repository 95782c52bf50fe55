"""SIP plugin against a real Janus and SIPp (registrar, callee with RTP echo, caller)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from array import array
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from janus_client import JanusSession
from janus_client.plugins.sip import (
    JanusSipPlugin,
    SipCall,
    SipCallError,
    SipCallState,
    SipEvent,
    SipEventType,
    SipRegistrationError,
)
from janus_client.testing import JanusServer
from janus_client.testing._sipp import (
    SippProcess,
    caller_scenario,
    registrar_scenario,
    sipp_available,
)
from janus_client.testing.pytest_plugin import _require_janus

pytestmark = pytest.mark.usefixtures("media_address")

#: The tone we send; the echo must come back at this frequency.
TONE_HZ = 600.0
USER = "sip:alice@127.0.0.1"


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
        # No OPTIONS keep-alives to the registrar: SIPp scenarios do not expect them.
        plugin_configs={"janus.plugin.sip": {"general": {"keepalive_interval": 0}}},
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
                chunk = array("h", bytes(frame.planes[0])[: frame.samples * 2])
                self.samples.extend(chunk)
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
        crossings = sum(1 for a, b in zip(data, data[1:]) if (a < 0) != (b < 0))
        return crossings / 2 / (len(data) / self.rate)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def _measure(probe: AudioProbe, seconds: float = 3.0) -> float:
    await _until(lambda: len(probe.frames) > 5, 10)
    start = time.monotonic()
    await asyncio.sleep(seconds)
    return probe.fps(start)


async def _until(check: Any, timeout: float = 10.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := check()):
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)
    return value


async def _next(stream: Any, kind: SipEventType, timeout: float = 10.0) -> SipEvent:
    while True:
        event = await stream.get(timeout=timeout)
        if isinstance(event, SipEvent) and event.type is kind:
            return event


@contextlib.asynccontextmanager
async def _sip(url: str) -> AsyncIterator[JanusSipPlugin]:
    async with JanusSession(url) as session:
        sip = JanusSipPlugin()
        await sip.attach(session)
        try:
            yield sip
        finally:
            await sip.destroy()


def _tone() -> Any:
    from janus_client.webrtc import ToneAudioTrack

    return ToneAudioTrack(frequency=TONE_HZ)


# --------------------------------------------------------------------------- register
async def test_register_and_unregister(url: str) -> None:
    async with SippProcess(registrar_scenario(), timeout=30) as sipp, _sip(url) as sip:
        events = sip.events(SipEvent)
        ack = await sip.register(USER, secret="s3cret-pw", proxy=sipp.uri)
        assert ack.event == "registered"
        assert sip.registered and sip.registration is not None
        assert sip.registration.username == "alice" and sip.registration.register_sent is True
        registered = await _next(events, SipEventType.REGISTERED)
        assert registered.master_id == sip.registration.master_id
        seen = await sipp.wait_message("REGISTER")
        assert "alice@127.0.0.1" in (seen.header("From") or "")
        assert sipp.contact() is not None  # the handle's own SIP port
        ack = await sip.unregister()
        assert ack.event == "unregistered" and not sip.registered
        await sipp.wait_message("REGISTER", count=2)


async def test_registration_refused_403(url: str) -> None:
    async with (
        SippProcess(registrar_scenario(register_code=403), timeout=30) as sipp,
        _sip(url) as sip,
    ):
        events = sip.events(SipEvent)
        with pytest.raises(SipRegistrationError) as info:
            await sip.register(USER, secret="s3cret-pw", proxy=sipp.uri)
        assert info.value.sip_code == 403
        assert "s3cret-pw" not in str(info.value) and "s3cret-pw" not in repr(info.value)
        failed = await _next(events, SipEventType.REGISTRATION_FAILED)
        assert (failed.code, failed.reason) == (403, "Forbidden")
        assert not sip.registered


# --------------------------------------------------------------------- outgoing calls
@pytest.mark.parametrize("who_hangs_up", ["us", "sipp"])
async def test_outgoing_call_echo(url: str, who_hangs_up: str) -> None:
    hangup_after = 4500 if who_hangs_up == "sipp" else None
    async with (
        SippProcess(registrar_scenario(hangup_after_ms=hangup_after), timeout=40) as sipp,
        _sip(url) as sip,
    ):
        await sip.register(USER, secret="x", proxy=sipp.uri)
        probe = AudioProbe()
        events = sip.events(SipEvent)
        try:
            call = await sip.call(f"sip:bob@{sipp.address}", tracks=[_tone()], on_track=probe)
            assert call.state in (SipCallState.CALLING, SipCallState.RINGING)
            assert await call.answered(timeout=10) is call
            assert call.state is SipCallState.ACCEPTED and call.call_id
            ringing = await _next(events, SipEventType.RINGING)
            assert ringing.call_id == call.call_id
            fps = await _measure(probe, 3.0)
            assert fps >= 40, f"{fps:.1f} echoed audio frames/s"
            assert abs(probe.frequency() - TONE_HZ) < TONE_HZ * 0.05, probe.frequency()
            invite = await sipp.wait_message("INVITE")
            assert "m=audio" in invite.body and "c=IN IP4 127.0.0.1" in invite.body
            if who_hangs_up == "us":
                ack = await call.hangup()
                assert ack.event == "hangingup"
                ended = await call.ended(timeout=10)
                assert ended is not None and ended.code == 200
                await sipp.wait_message("BYE")
            else:
                ended = await call.ended(timeout=10)
                assert ended is not None and ended.code == 200
                assert ended.type is SipEventType.HANGUP
            assert not call.active and call.hangup_code == 200
            await _until(lambda: sip.peer_connection is None, 5)
        finally:
            await probe.close()
