"""SIP plugin against a real Janus and SIPp (registrar, callee with RTP echo, caller)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sip_helpers import TONE_HZ, AudioProbe, measure, sip_janus, tone, until, url

from janus_client import JanusSession
from janus_client.plugins.sip import (
    JanusSipPlugin,
    SipCallError,
    SipCallState,
    SipError,
    SipEvent,
    SipEventType,
    SipRegistrationError,
)
from janus_client.testing import JanusServer
from janus_client.testing._sipp import (
    SippMessage,
    SippProcess,
    caller_scenario,
    registrar_scenario,
)

__all__ = ["sip_janus", "url"]  # fixtures
USER = "sip:alice@127.0.0.1"

pytestmark = pytest.mark.usefixtures("media_address")


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
            call = await sip.call(f"sip:bob@{sipp.address}", tracks=[tone()], on_track=probe)
            assert call.active and call.direction == "outgoing"
            assert await call.answered(timeout=10) is call
            assert call.state is SipCallState.ACCEPTED and call.call_id
            ringing = await _next(events, SipEventType.RINGING)
            assert ringing.call_id == call.call_id
            fps = await measure(probe, 3.0)
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
            await until(lambda: sip.peer_connection is None, 5)
        finally:
            await probe.close()


# --------------------------------------------------------------------- incoming calls
async def _registered(sip: JanusSipPlugin, registrar: SippProcess) -> str:
    """Register ``sip`` at ``registrar``; return the handle's own SIP address."""
    await sip.register(USER, secret="x", proxy=registrar.uri)
    return await registrar.wait_contact()


async def test_incoming_call_accept_media_and_remote_bye(url: str) -> None:
    async with SippProcess(registrar_scenario(), timeout=30) as registrar, _sip(url) as sip:
        contact = await _registered(sip, registrar)
        events = sip.events(SipEvent)
        scenario = caller_scenario(talk_ms=4000, dtmf_info="7")
        async with SippProcess(scenario, remote=contact, service="alice", calls=1) as caller:
            call = await sip.wait_incoming_call(timeout=10)
            assert call.direction == "incoming" and call.state is SipCallState.INCOMING
            assert call.peer_uri is not None and call.peer_uri.startswith("sip:caller@127.0.0.1")
            assert call.offer is not None and call.offer["type"] == "offer"
            incoming = await _next(events, SipEventType.INCOMINGCALL)
            assert incoming.call_id == call.call_id and incoming.callee
            probe = AudioProbe()
            try:
                await call.accept(tracks=[tone()], on_track=probe)
                assert call.state is SipCallState.ACCEPTED
                await call.answered(timeout=1)
                assert await call.wait_dtmf(1, timeout=10) == ["7"]
                info = await _next(events, SipEventType.INFO)
                assert info.dtmf == "7" and info.content_type == "application/dtmf-relay"
                fps = await measure(probe, 2.0)
                assert fps >= 40, f"{fps:.1f} echoed audio frames/s"
                assert abs(probe.frequency() - TONE_HZ) < TONE_HZ * 0.05, probe.frequency()
                ended = await call.ended(timeout=10)
                assert ended is not None and ended.code == 200
                assert not call.missed
            finally:
                await probe.close()
            assert await caller.wait(10) == 0


@pytest.mark.parametrize("code", [603, 480])
async def test_decline_sends_our_code(url: str, code: int) -> None:
    async with SippProcess(registrar_scenario(), timeout=30) as registrar, _sip(url) as sip:
        contact = await _registered(sip, registrar)
        scenario = caller_scenario(expect_code=code)
        async with SippProcess(scenario, remote=contact, service="alice", calls=1) as caller:
            call = await sip.wait_incoming_call(timeout=10)
            # Janus 1.1.2 sends `incomingcall` before it keeps the INVITE's handle (it
            # does that after its 180): a decline in between is acknowledged and never
            # sent ("NUA Handle for 200 OK still null??"). Once the 180 went out it is.
            await until(lambda: 180 in [m.status for m in caller.messages()], 10)
            ack = await call.decline(code)
            assert ack.event == "declining"
            assert await caller.wait(10) == 0  # the scenario requires our code
            ended = await call.ended(timeout=10)
            assert call.missed and ended is not None


async def test_cancelled_incoming_call_is_missed(url: str) -> None:
    async with SippProcess(registrar_scenario(), timeout=30) as registrar, _sip(url) as sip:
        contact = await _registered(sip, registrar)
        scenario = caller_scenario(cancel_after_ms=300)
        async with SippProcess(scenario, remote=contact, service="alice", calls=1) as caller:
            call = await sip.wait_incoming_call(timeout=10)
            ended = await call.ended(timeout=10)
            assert ended is not None and ended.type is SipEventType.HANGUP
            assert call.missed and call.state is SipCallState.ENDED
            with pytest.raises(SipCallError):
                await call.answered(timeout=1)
            assert await caller.wait(10) == 0


async def test_missed_call_while_busy(url: str) -> None:
    async with SippProcess(registrar_scenario(), timeout=30) as registrar, _sip(url) as sip:
        contact = await _registered(sip, registrar)
        events = sip.events(SipEvent)
        call = await sip.call(f"sip:bob@{registrar.address}")
        await call.answered(timeout=10)
        scenario = caller_scenario(expect_code=486)
        async with SippProcess(scenario, remote=contact, service="alice", calls=1) as caller:
            missed = await _next(events, SipEventType.MISSED_CALL)
            assert missed.caller is not None and missed.caller.startswith("sip:caller@")
            assert await caller.wait(10) == 0
        assert call.active  # our call goes on
        await call.hangup()
        await call.ended(timeout=10)


# ------------------------------------------------------------------ in-call requests
async def test_in_call_requests_seen_by_sipp(url: str) -> None:
    async with SippProcess(registrar_scenario(), timeout=40) as sipp, _sip(url) as sip:
        await sip.register(USER, secret="x", proxy=sipp.uri)
        events = sip.events(SipEvent)
        call = await sip.call(f"sip:bob@{sipp.address}")
        await call.answered(timeout=10)
        # hold / unhold: re-INVITEs with the SDP direction
        ack = await call.hold()
        assert ack.event == "holding" and call.on_hold
        held = await sipp.wait_message("INVITE", count=2)
        assert "a=sendonly" in held.body
        ack = await call.unhold()
        assert ack.event == "resuming" and not call.on_hold
        resumed = await sipp.wait_message("INVITE", count=3)
        assert "a=sendonly" not in resumed.body and "a=inactive" not in resumed.body
        # SIP MESSAGE, INFO and DTMF over INFO
        ack = await sip.send_message("hello from janus-client")
        assert ack.event == "messagesent"
        message = await sipp.wait_message("MESSAGE")
        assert message.body == "hello from janus-client"
        ack = await sip.info("application/x-test", "ping=1")
        assert ack.event == "infosent"
        info = await sipp.wait_message("INFO", contains="ping=1")
        assert info.header("Content-Type") == "application/x-test"
        await call.send_dtmf("5#")
        first = await sipp.wait_message("INFO", contains="Signal=5")
        assert first.header("Content-Type") == "application/dtmf-relay"
        await sipp.wait_message("INFO", contains="Signal=#")
        # blind transfer: a REFER
        ack = await call.transfer("sip:carol@127.0.0.1")
        assert ack.event == "transferring"
        refer = await sipp.wait_message("REFER")
        assert "sip:carol@127.0.0.1" in (refer.header("Refer-To") or "")
        assert sipp.unexpected() == []  # SIPp kept the call (and answered) throughout
        await call.hangup()
        await call.ended(timeout=10)
        kinds = {e.type for e in call.events}
        assert SipEventType.ACCEPTED in kinds and SipEventType.HANGUP in kinds
        assert await _next(events, SipEventType.HANGUP)


@contextlib.contextmanager
def _frozen(sipp: SippProcess) -> Iterator[None]:
    """Stop SIPp (SIGSTOP) inside the block: what Janus sends waits in its socket."""
    assert sipp.pid is not None
    os.kill(sipp.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(sipp.pid, signal.SIGCONT)


def _answer(sipp: SippProcess, request: SippMessage) -> int | None:
    """The status of SIPp's last response to ``request`` (same CSeq), if any."""
    cseq = request.header("CSeq")
    codes = [
        m.status
        for m in sipp.messages()
        if m.direction == "sent" and m.status is not None and m.header("CSeq") == cseq
    ]
    return codes[-1] if codes else None


def _requests(sipp: SippProcess) -> list[tuple[str | None, str]]:
    """The method and CSeq number of each request SIPp received, in order."""
    return [(m.method, (m.header("CSeq") or "").split(" ")[0]) for m in sipp.received()]


async def test_in_call_requests_that_overtake_the_ack(url: str) -> None:
    """Requests Janus sends before the ACK of its re-INVITE are answered all the same.

    SIPp is stopped while Janus sends a re-INVITE (hold), a MESSAGE and an INFO, so
    it reads the MESSAGE right after answering the re-INVITE, before Janus' ACK:
    what a loaded machine does by chance (SIPp then dropped the call and left the
    INFOs that followed unanswered).
    """
    async with SippProcess(registrar_scenario(), timeout=40) as sipp, _sip(url) as sip:
        await sip.register(USER, secret="x", proxy=sipp.uri)
        call = await sip.call(f"sip:bob@{sipp.address}")
        await call.answered(timeout=10)
        with _frozen(sipp):
            assert (await call.hold()).event == "holding"
            assert (await sip.send_message("before the ack")).event == "messagesent"
            assert (await sip.info("application/x-test", "ping=2")).event == "infosent"
            await asyncio.sleep(0.2)  # the three requests reach SIPp's socket
        info = await sipp.wait_message("INFO", contains="ping=2")
        await until(lambda: _answer(sipp, info) == 200, 10)
        assert _answer(sipp, await sipp.wait_message("MESSAGE")) == 200
        reinvite = await sipp.wait_message("INVITE", count=2)
        assert _answer(sipp, reinvite) == 200
        ack = ("ACK", (reinvite.header("CSeq") or "").split(" ")[0])
        await until(lambda: ack in _requests(sipp), 10)
        requests = _requests(sipp)
        # The order this test is about: SIPp read the MESSAGE before that ACK.
        assert [method for method, _ in requests].index("MESSAGE") < requests.index(ack)
        await call.send_dtmf("7")  # Janus sends it once the INFO before it was answered
        dtmf = await sipp.wait_message("INFO", contains="Signal=7")
        await until(lambda: _answer(sipp, dtmf) == 200, 10)
        assert sipp.unexpected() == []
        await call.hangup()
        ended = await call.ended(timeout=10)
        assert ended is not None and ended.code == 200


async def test_subscribe_notify_update_recording_reset(url: str, sip_janus: JanusServer) -> None:
    async with SippProcess(registrar_scenario(), timeout=40) as sipp, _sip(url) as sip:
        await sip.register(USER, secret="x", proxy=sipp.uri)
        events = sip.events(SipEvent)
        ack = await sip.subscribe("message-summary", to=f"sip:alice@{sipp.address}")
        assert ack.event == "subscribing"
        await sipp.wait_message("SUBSCRIBE")
        notify = await _next(events, SipEventType.NOTIFY)
        assert notify.notify == "message-summary" and notify.substate == "active"
        assert notify.content is not None and "Messages-Waiting: yes" in notify.content
        call = await sip.call(f"sip:bob@{sipp.address}")
        await call.answered(timeout=10)
        ack = await sip.update()
        assert ack.event == "updating"
        await sipp.wait_message("INVITE", count=2)
        base = sip_janus.recordings_dir / "sip-call"
        ack = await sip.recording("start", audio=True, peer_audio=True, filename=str(base))
        assert ack.event == "recordingupdated"
        await asyncio.sleep(0.5)
        ack = await sip.recording("stop", audio=True, peer_audio=True)
        assert ack.event == "recordingupdated"
        assert list(sip_janus.recordings_dir.glob("sip-call*.mjr"))
        await call.hangup()
        await call.ended(timeout=10)
        ack = await sip.reset()
        assert ack.event == "reset"


async def test_secrets_stay_out_of_logs_repr_and_errors(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    secret, ha1 = "pw-Xq81-secret", "ha1-7f3e-secret"
    caplog.set_level("DEBUG", logger="janus_client")
    async with (
        SippProcess(registrar_scenario(register_code=403), timeout=30) as sipp,
        _sip(url) as sip,
    ):
        with pytest.raises(SipRegistrationError) as refused:
            await sip.register(USER, secret=secret, proxy=sipp.uri)
        with pytest.raises(SipError) as bad:
            await sip.register("not a sip uri", ha1_secret=ha1, proxy=sipp.uri)
        with pytest.raises(TypeError) as typed:
            await sip.register(USER, secret=12345678)  # type: ignore[arg-type]
        texts = [
            caplog.text,
            repr(sip),
            str(refused.value),
            repr(refused.value),
            str(bad.value),
            str(typed.value),
            repr(refused.value.event),
        ]
        assert "12345678" not in str(typed.value)
        for text in texts:
            assert secret not in text and ha1 not in text
        assert "register" in caplog.text  # the requests were logged, redacted


async def test_early_media_progress_then_accepted(url: str) -> None:
    async with (
        SippProcess(registrar_scenario(early_media_ms=2000), timeout=30) as sipp,
        _sip(url) as sip,
    ):
        await sip.register(USER, secret="x", proxy=sipp.uri)
        events = sip.events(SipEvent)
        probe = AudioProbe()
        try:
            call = await sip.call(f"sip:bob@{sipp.address}", tracks=[tone()], on_track=probe)
            progress = await _next(events, SipEventType.PROGRESS)
            assert progress.jsep is not None and progress.jsep["type"] == "answer"
            assert call.state is SipCallState.PROGRESS
            await until(lambda: len(probe.frames) > 10, 5)  # media before the answer
            assert call.state is SipCallState.PROGRESS
            await call.answered(timeout=10)
            accepted = next(e for e in call.events if e.type is SipEventType.ACCEPTED)
            assert accepted.jsep is None  # the 183's SDP was the answer
            await call.hangup()
            await call.ended(timeout=10)
        finally:
            await probe.close()


async def test_helper_handle_takes_the_second_call(url: str) -> None:
    async with (
        SippProcess(registrar_scenario(), timeout=40) as registrar,
        _sip(url) as master,
        _sip(url) as helper,
    ):
        contact = await _registered(master, registrar)
        assert master.registration is not None
        ack = await helper.register(USER, type="helper", master_id=master.registration.master_id)
        assert ack.event == "registered" and helper.registration is not None
        assert helper.registration.register_sent is False
        first = await master.call(f"sip:bob@{registrar.address}")
        await first.answered(timeout=10)
        scenario = caller_scenario(talk_ms=1000)
        async with SippProcess(scenario, remote=contact, service="alice") as caller:
            second = await helper.wait_incoming_call(timeout=10)  # not a missed call
            await second.accept()
            ended = await second.ended(timeout=10)
            assert ended is not None and ended.code == 200
            assert await caller.wait(10) == 0
        assert first.active
        await first.hangup()
        await first.ended(timeout=10)


async def test_incoming_refer_gives_a_transfer_event(url: str) -> None:
    async with SippProcess(registrar_scenario(), timeout=30) as registrar, _sip(url) as sip:
        contact = await _registered(sip, registrar)
        events = sip.events(SipEvent)
        scenario = caller_scenario(talk_ms=1500, refer_to="sip:carol@127.0.0.1")
        async with SippProcess(scenario, remote=contact, service="alice") as caller:
            call = await sip.wait_incoming_call(timeout=10)
            await call.accept()
            transfer = await _next(events, SipEventType.TRANSFER)
            assert transfer.refer_to is not None and "sip:carol@127.0.0.1" in transfer.refer_to
            assert transfer.refer_id is not None
            await call.ended(timeout=10)
            assert await caller.wait(10) == 0
