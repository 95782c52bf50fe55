"""SIP, NoSIP and VoiceMail without a server: typed events, request bodies, SIPp helpers."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from janus_client import JanusSession
from janus_client.coverage import missing
from janus_client.events import PluginEvent
from janus_client.plugins.nosip import JanusNoSipPlugin, NoSipEvent, NoSipEventType, PlainSdp
from janus_client.plugins.sip import (
    JanusSipPlugin,
    SipAck,
    SipEvent,
    SipEventType,
    SipRegistrationError,
    parse_dtmf_relay,
)
from janus_client.plugins.voicemail import VoiceMailEvent, VoiceMailResult, VoiceMailStatus
from janus_client.testing import MockTransport, plugin_reply
from janus_client.testing._sipp import SippMessage, caller_scenario, registrar_scenario

SIP = "janus.plugin.sip"


def _event(data: dict[str, Any], jsep: dict[str, Any] | None = None) -> PluginEvent:
    return PluginEvent(plugin=SIP, data=data, jsep=jsep, raw={"janus": "event", "x": 1})


def test_sip_events_are_typed_and_frozen() -> None:
    offer = {"type": "offer", "sdp": "v=0\r\n"}
    incoming = SipEvent.from_plugin_event(
        _event(
            {
                "sip": "event",
                "call_id": "abc",
                "result": {
                    "event": "incomingcall",
                    "username": "sip:bob@x",
                    "callee": "sip:alice@x",
                    "displayname": "Bob",
                    "headers": {"X-Foo": "1"},
                },
            },
            offer,
        )
    )
    assert incoming is not None and incoming.type is SipEventType.INCOMINGCALL
    assert (incoming.call_id, incoming.username, incoming.callee) == (
        "abc",
        "sip:bob@x",
        "sip:alice@x",
    )
    assert incoming.headers == {"X-Foo": "1"} and incoming.jsep == offer
    assert incoming.raw == {"janus": "event", "x": 1}
    assert "v=0" not in repr(incoming)  # no SDP body in repr
    with pytest.raises(dataclasses.FrozenInstanceError):
        incoming.code = 3  # type: ignore[misc]
    hangup = SipEvent.from_plugin_event(
        _event({"sip": "event", "result": {"event": "hangup", "code": 486, "reason": "Busy Here"}})
    )
    assert hangup is not None and (hangup.code, hangup.reason) == (486, "Busy Here")
    notify = SipEvent.from_plugin_event(
        _event(
            {
                "sip": "event",
                "result": {
                    "event": "notify",
                    "notify": "message-summary",
                    "substate": "active",
                    "content-type": "application/simple-message-summary",
                    "content": "Messages-Waiting: yes",
                },
            }
        )
    )
    assert notify is not None and notify.content_type == "application/simple-message-summary"
    assert notify.notify == "message-summary" and notify.substate == "active"
    info = SipEvent.from_plugin_event(
        _event(
            {
                "sip": "event",
                "result": {
                    "event": "info",
                    "sender": "sip:bob@x",
                    "type": "application/dtmf-relay",
                    "content": "Signal=9\r\nDuration=120",
                },
            }
        )
    )
    assert info is not None and info.dtmf == "9" and info.sender == "sip:bob@x"
    assert SipEvent.from_plugin_event(_event({"sip": "event", "result": {"event": "nope"}})) is None
    assert SipEvent.from_plugin_event(_event({"sip": "event", "error_code": 444})) is None


def test_dtmf_relay_and_acks() -> None:
    assert parse_dtmf_relay("Signal=#\r\nDuration=160") == ("#", 160)
    assert parse_dtmf_relay("Duration=160") is None and parse_dtmf_relay(None) is None
    ack = SipAck.from_data({"sip": "event", "call_id": "c1", "result": {"event": "calling"}})
    assert (ack.event, ack.call_id) == ("calling", "c1") and ack.raw["call_id"] == "c1"


def test_nosip_and_voicemail_types() -> None:
    sdp = "v=0\r\nm=audio 33002 RTP/AVP 96 0\r\nc=IN IP4 127.0.0.1\r\n"
    plain = PlainSdp.from_data(
        {"nosip": "event", "result": {"event": "generated", "type": "offer", "sdp": sdp}}
    )
    assert plain.type == "offer" and plain.audio_port == 33002 and "m=audio" not in repr(plain)
    event = NoSipEvent.from_plugin_event(
        PluginEvent(
            plugin="janus.plugin.nosip",
            data={"nosip": "event", "result": {"event": "processed", "srtp": "sdes_optional"}},
        )
    )
    assert (
        event is not None
        and event.type is NoSipEventType.PROCESSED
        and event.srtp == "sdes_optional"
    )
    done = VoiceMailResult.from_data(
        {"voicemail": "event", "status": "done", "recording": "/vm/janus-voicemail-7.opus"}
    )
    assert done.filename == "janus-voicemail-7.opus"
    assert str(done.path_in("/data")) == "/data/janus-voicemail-7.opus"
    vm = VoiceMailEvent.from_plugin_event(
        PluginEvent(plugin="janus.plugin.voicemail", data={"status": "started"})
    )
    assert vm is not None and vm.status is VoiceMailStatus.STARTED


def test_coverage_is_complete() -> None:
    for api in ("janus.plugin.sip", "janus.plugin.nosip", "janus.plugin.voicemail"):
        assert missing(api) == []
    assert JanusSipPlugin.requests["message"] == "send_message"
    assert JanusNoSipPlugin.requests["generate"] == "generate"


def _sip_mock(
    register_result: str, final: dict[str, Any] | None
) -> tuple[MockTransport, list[dict[str, Any]]]:
    bodies: list[dict[str, Any]] = []

    def janus(req: dict[str, Any]) -> Any:
        if req["janus"] != "message":
            return None
        body = req["body"]
        bodies.append(body)
        name = {"register": register_result, "unregister": "unregistering"}.get(
            body["request"], "ok"
        )
        reply = plugin_reply(req, {"sip": "event", "result": {"event": name}}, event=True)
        if final is None or body["request"] != "register":
            return reply
        later = {
            "janus": "event",
            "session_id": req["session_id"],
            "sender": req["handle_id"],
            "plugindata": {"plugin": SIP, "data": {"sip": "event", "result": final}},
        }
        return [reply, later]

    return MockTransport(janus), bodies


async def test_register_body_waits_for_registered_and_hides_secrets() -> None:
    final = {"event": "registered", "username": "alice", "register_sent": True, "master_id": 42}
    transport, bodies = _sip_mock("registering", final)
    async with JanusSession(transport=transport) as session, JanusSipPlugin() as sip:
        await sip.attach(session)
        ack = await sip.register(
            "sip:alice@x",
            secret="pw-1",
            proxy="sip:x",
            headers={"X-A": "b"},
            register_ttl=60,
            type="guest",
        )
        assert ack.event == "registered" and sip.registration is not None
        assert sip.registration.master_id == 42 and sip.registered
        assert bodies[-1] == {
            "request": "register",
            "username": "sip:alice@x",
            "secret": "pw-1",
            "proxy": "sip:x",
            "headers": {"X-A": "b"},
            "register_ttl": 60,
            "type": "guest",
        }
        sent = len(bodies)
        with pytest.raises(ValueError, match="type"):
            await sip.register("sip:alice@x", type="friend")  # type: ignore[arg-type]
        with pytest.raises(TypeError) as bad:
            await sip.register("sip:alice@x", ha1_secret=b"raw-hash")  # type: ignore[arg-type]
        assert "raw-hash" not in str(bad.value)
        with pytest.raises(ValueError, match="srtp"):
            await sip.call("sip:bob@x", srtp="always")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="on_track must be callable"):
            await sip.call("sip:bob@x", on_track="not a callback")  # type: ignore[arg-type]
        assert sip._pc is None  # refused before a peer connection was made
        assert len(bodies) == sent  # refused before sending


async def test_registration_failed_raises_typed() -> None:
    final = {"event": "registration_failed", "code": 403, "reason": "Forbidden"}
    transport, _ = _sip_mock("registering", final)
    async with JanusSession(transport=transport) as session, JanusSipPlugin() as sip:
        await sip.attach(session)
        with pytest.raises(SipRegistrationError) as failed:
            await sip.register("sip:alice@x", secret="pw-2", proxy="sip:x")
        assert failed.value.sip_code == 403 and failed.value.event.reason == "Forbidden"
        assert "pw-2" not in str(failed.value) and not sip.registered


def test_sipp_scenarios_are_xml_and_messages_parse() -> None:
    for xml in (
        registrar_scenario(),
        registrar_scenario(register_code=403, hangup_after_ms=100, notify=False),
        registrar_scenario(answer=False),
        caller_scenario(),
        caller_scenario(expect_code=603),
        caller_scenario(cancel_after_ms=100),
        caller_scenario(wait_bye=True, dtmf_info="5"),
        caller_scenario(refer_to="sip:c@d"),
        registrar_scenario(early_media_ms=100),
    ):
        root = ET.fromstring(xml.encode("iso-8859-1"))
        assert root.tag == "scenario" and len(root) > 3
    msg = SippMessage(
        "received",
        "INFO sip:a@b SIP/2.0\nContent-Type: application/dtmf-relay\nCSeq: 3 INFO\n\n"
        "Signal=5\nDuration=160",
    )
    assert msg.method == "INFO" and msg.status is None
    assert msg.header("content-type") == "application/dtmf-relay" and msg.body.startswith(
        "Signal=5"
    )
    assert SippMessage("sent", "SIP/2.0 486 Busy Here\nCSeq: 1 INVITE").status == 486


async def test_second_event_with_a_pending_transaction_is_routed() -> None:
    """Janus' SIP plugin pushes ``ringing``/``accepted`` with the ``call`` transaction.

    When they arrive before the caller took ``calling`` (its answer) and discarded
    the transaction, they are events for the handle, not duplicates to drop.
    """
    from janus_client.protocol import classify
    from janus_client.transactions import TransactionTable

    def sip_event(name: str) -> Any:
        data = {"sip": "event", "result": {"event": name}}
        return classify(
            {
                "janus": "event",
                "transaction": "t",
                "sender": 1,
                "plugindata": {"plugin": SIP, "data": data},
            }
        )

    table = TransactionTable()
    fut = table.register("t", "h", "message", wait_event=True)
    assert table.resolve(classify({"janus": "ack", "transaction": "t"})) is False
    calling = sip_event("calling")
    assert table.resolve(calling) is False  # the answer
    assert table.resolve(sip_event("accepted")) is True  # routed to the handle
    assert fut.result() is calling
