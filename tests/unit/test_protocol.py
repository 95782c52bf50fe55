"""Unit tests for the sans-I/O protocol layer (janus_client.protocol)."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest
from _strategies import (
    CI,
    janus_field,
    json_values,
    json_values_nan,
    safe_text,
)
from hypothesis import given
from hypothesis import strategies as st

from janus_client import errors, protocol
from janus_client import protocol as p
from janus_client.errors import PluginError, ProtocolError, ServerError
from janus_client.protocol import SECRET_KEYS, Incoming, MessageKind, classify, decode, redact

TID = "tx1"

# ---------------------------------------------------------------------------
# request builders
# ---------------------------------------------------------------------------


def test_core_requests_lists_every_verb() -> None:
    assert set(p.CORE_REQUESTS) == {
        "info",
        "ping",
        "create",
        "claim",
        "keepalive",
        "destroy",
        "attach",
        "detach",
        "hangup",
        "message",
        "trickle",
    }


def test_info() -> None:
    assert p.info(TID) == {"janus": "info", "transaction": TID}


def test_ping() -> None:
    assert p.ping(TID) == {"janus": "ping", "transaction": TID}


def test_create_without_id() -> None:
    assert p.create(TID) == {"janus": "create", "transaction": TID}


def test_create_with_requested_id() -> None:
    assert p.create(TID, 1234) == {"janus": "create", "transaction": TID, "id": 1234}


def test_claim() -> None:
    assert p.claim(TID, 7) == {"janus": "claim", "transaction": TID, "session_id": 7}


def test_keepalive() -> None:
    assert p.keepalive(TID, 7) == {"janus": "keepalive", "transaction": TID, "session_id": 7}


def test_destroy() -> None:
    assert p.destroy(TID, 7) == {"janus": "destroy", "transaction": TID, "session_id": 7}


def test_attach_without_opaque_id() -> None:
    assert p.attach(TID, 7, "janus.plugin.echotest") == {
        "janus": "attach",
        "transaction": TID,
        "session_id": 7,
        "plugin": "janus.plugin.echotest",
    }


def test_attach_with_opaque_id() -> None:
    msg = p.attach(TID, 7, "janus.plugin.videoroom", opaque_id="me-1")
    assert msg == {
        "janus": "attach",
        "transaction": TID,
        "session_id": 7,
        "plugin": "janus.plugin.videoroom",
        "opaque_id": "me-1",
    }


def test_detach() -> None:
    assert p.detach(TID, 7, 9) == {
        "janus": "detach",
        "transaction": TID,
        "session_id": 7,
        "handle_id": 9,
    }


def test_hangup() -> None:
    assert p.hangup(TID, 7, 9) == {
        "janus": "hangup",
        "transaction": TID,
        "session_id": 7,
        "handle_id": 9,
    }


def test_message_without_jsep() -> None:
    body = {"request": "list"}
    msg = p.message(TID, 7, 9, body)
    assert msg == {
        "janus": "message",
        "transaction": TID,
        "session_id": 7,
        "handle_id": 9,
        "body": {"request": "list"},
    }
    assert "jsep" not in msg
    # the body is copied, not shared with the caller
    assert msg["body"] is not body


def test_message_with_jsep() -> None:
    jsep = {"type": "offer", "sdp": "v=0\r\n"}
    msg = p.message(TID, 7, 9, {"audio": True}, jsep=jsep)
    assert msg["body"] == {"audio": True}
    assert msg["jsep"] == {"type": "offer", "sdp": "v=0\r\n"}
    assert msg["jsep"] is not jsep


def test_trickle_one_candidate() -> None:
    cand = {
        "sdpMid": "0",
        "sdpMLineIndex": 0,
        "candidate": "candidate:1 1 udp 1 1.2.3.4 5 typ host",
    }
    msg = p.trickle(TID, 7, 9, candidate=cand)
    assert msg == {
        "janus": "trickle",
        "transaction": TID,
        "session_id": 7,
        "handle_id": 9,
        "candidate": cand,
    }
    assert "candidates" not in msg


def test_trickle_candidates() -> None:
    cands = [{"sdpMid": "0", "candidate": "a"}, {"sdpMid": "1", "candidate": "b"}]
    msg = p.trickle(TID, 7, 9, candidates=iter(cands))  # any iterable
    assert msg["janus"] == "trickle"
    assert msg["candidates"] == cands
    assert "candidate" not in msg
    assert msg["session_id"] == 7
    assert msg["handle_id"] == 9


def test_trickle_completed() -> None:
    msg = p.trickle(TID, 7, 9, completed=True)
    assert msg == {
        "janus": "trickle",
        "transaction": TID,
        "session_id": 7,
        "handle_id": 9,
        "candidate": {"completed": True},
    }


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"candidate": {"candidate": "a"}, "candidates": [{"candidate": "b"}]},
        {"candidate": {"candidate": "a"}, "completed": True},
        {"candidates": [{"candidate": "b"}], "completed": True},
        {"candidate": {"candidate": "a"}, "candidates": [], "completed": True},
    ],
    ids=["none", "candidate+candidates", "candidate+completed", "candidates+completed", "all"],
)
def test_trickle_needs_exactly_one(kwargs: dict) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        p.trickle(TID, 7, 9, **kwargs)


def test_build_request_leaves_out_none_fields() -> None:
    msg = p.build_request(
        "message",
        TID,
        session_id=None,
        handle_id=None,
        body={"a": 1},
        jsep=None,
        opaque_id=None,
        zero=0,
        empty="",
        false=False,
    )
    assert msg == {
        "janus": "message",
        "transaction": TID,
        "body": {"a": 1},
        "zero": 0,
        "empty": "",
        "false": False,
    }


def test_build_request_ids_and_fields() -> None:
    msg = p.build_request("attach", TID, session_id=1, handle_id=2, plugin="x")
    assert msg == {
        "janus": "attach",
        "transaction": TID,
        "session_id": 1,
        "handle_id": 2,
        "plugin": "x",
    }


def test_build_request_adds_apisecret_and_token() -> None:
    msg = p.build_request("create", TID, apisecret="s3cret", token="tok")
    assert msg["apisecret"] == "s3cret"
    assert msg["token"] == "tok"
    assert msg["janus"] == "create"


def test_build_request_without_auth_has_no_auth_keys() -> None:
    msg = p.build_request("create", TID)
    assert "apisecret" not in msg
    assert "token" not in msg


# ---------------------------------------------------------------------------
# classify
# ---------------------------------------------------------------------------

KIND_CASES = [
    ({"janus": "success", "transaction": "t", "data": {"id": 1}}, MessageKind.SUCCESS),
    (
        {"janus": "error", "transaction": "t", "error": {"code": 458, "reason": "x"}},
        MessageKind.ERROR,
    ),
    ({"janus": "ack", "transaction": "t", "session_id": 1}, MessageKind.ACK),
    (
        {
            "janus": "event",
            "session_id": 1,
            "sender": 2,
            "transaction": "t",
            "plugindata": {"plugin": "janus.plugin.echotest", "data": {"result": "ok"}},
        },
        MessageKind.EVENT,
    ),
    ({"janus": "webrtcup", "session_id": 1, "sender": 2}, MessageKind.WEBRTCUP),
    (
        {"janus": "media", "session_id": 1, "sender": 2, "type": "audio", "receiving": True},
        MessageKind.MEDIA,
    ),
    (
        {"janus": "slowlink", "session_id": 1, "sender": 2, "uplink": True, "lost": 3},
        MessageKind.SLOWLINK,
    ),
    ({"janus": "hangup", "session_id": 1, "sender": 2, "reason": "DTLS"}, MessageKind.HANGUP),
    ({"janus": "detached", "session_id": 1, "sender": 2}, MessageKind.DETACHED),
    (
        {"janus": "trickle", "session_id": 1, "sender": 2, "candidate": {"completed": True}},
        MessageKind.TRICKLE,
    ),
    ({"janus": "timeout", "session_id": 1}, MessageKind.TIMEOUT),
    ({"janus": "server_info", "transaction": "t", "version": 1102}, MessageKind.SERVER_INFO),
    ({"janus": "pong", "transaction": "t"}, MessageKind.PONG),
    ({"janus": "keepalive", "session_id": 1}, MessageKind.KEEPALIVE),
    ({"janus": "brand_new_thing", "session_id": 1}, MessageKind.UNKNOWN),
]


def test_kind_cases_cover_every_message_kind() -> None:
    assert {kind for _, kind in KIND_CASES} == set(MessageKind)


@pytest.mark.parametrize(("msg", "kind"), KIND_CASES, ids=[k.value for _, k in KIND_CASES])
def test_classify_every_kind(msg: dict, kind: MessageKind) -> None:
    inc = p.classify(msg)
    assert inc.kind is kind
    assert inc.janus == msg["janus"]
    assert inc.body is msg
    assert inc.transaction == msg.get("transaction")
    assert inc.session_id == msg.get("session_id")
    assert inc.sender == msg.get("sender")


def test_classify_fields() -> None:
    msg = {"janus": "event", "transaction": "abc", "session_id": 11, "sender": 22}
    inc = p.classify(msg)
    assert (inc.transaction, inc.session_id, inc.sender) == ("abc", 11, 22)


def test_classify_missing_ids_are_none() -> None:
    inc = p.classify({"janus": "pong"})
    assert inc.transaction is None
    assert inc.session_id is None
    assert inc.sender is None


def test_classify_unknown_keeps_raw_janus() -> None:
    inc = p.classify({"janus": "future_kind"})
    assert inc.kind is MessageKind.UNKNOWN
    assert inc.janus == "future_kind"


def test_classify_literal_unknown_is_unknown() -> None:
    assert p.classify({"janus": "unknown"}).kind is MessageKind.UNKNOWN


def test_classify_non_string_transaction_is_stringified() -> None:
    assert p.classify({"janus": "ack", "transaction": 42}).transaction == "42"


@pytest.mark.parametrize("value", [[{"janus": "ack"}], "ack", 1, None, 1.5, True])
def test_classify_rejects_non_objects(value: object) -> None:
    with pytest.raises(ProtocolError, match="JSON object"):
        p.classify(value)


@pytest.mark.parametrize("msg", [{}, {"transaction": "t"}, {"janus": 1}, {"janus": None}])
def test_classify_rejects_missing_or_non_string_janus(msg: dict) -> None:
    with pytest.raises(ProtocolError, match="janus"):
        p.classify(msg)


@pytest.mark.parametrize("field", ["session_id", "sender"])
@pytest.mark.parametrize("value", ["123", 1.0, True, [1], {"id": 1}])
def test_classify_rejects_non_int_ids(field: str, value: object) -> None:
    with pytest.raises(ProtocolError, match=field):
        p.classify({"janus": "event", field: value})


def test_protocol_error_is_janus_error() -> None:
    with pytest.raises(errors.JanusError):
        p.classify("nope")


# ---------------------------------------------------------------------------
# decode / encode
# ---------------------------------------------------------------------------


def test_decode_object() -> None:
    assert p.decode('{"janus":"ack","transaction":"t"}') == [{"janus": "ack", "transaction": "t"}]


def test_decode_array() -> None:
    text = '[{"janus":"event","sender":1},{"janus":"webrtcup","sender":1}]'
    assert p.decode(text) == [
        {"janus": "event", "sender": 1},
        {"janus": "webrtcup", "sender": 1},
    ]


def test_decode_empty_array() -> None:
    assert p.decode("[]") == []


@pytest.mark.parametrize("data", [b'{"janus":"pong"}', bytearray(b'{"janus":"pong"}')])
def test_decode_bytes(data: bytes) -> None:
    assert p.decode(data) == [{"janus": "pong"}]


def test_decode_utf8_bytes() -> None:
    data = json.dumps({"janus": "event", "note": "caf\u00e9"}, ensure_ascii=False).encode()
    assert p.decode(data) == [{"janus": "event", "note": "caf\u00e9"}]


@pytest.mark.parametrize(
    "data", ["{not json", "", '{"janus": "ack"', b"\xff\xfe garbage", bytearray(b"{")]
)
def test_decode_invalid_json(data: str | bytes) -> None:
    with pytest.raises(ProtocolError, match="invalid JSON"):
        p.decode(data)


def test_decode_invalid_json_error_has_no_cause_and_a_preview() -> None:
    with pytest.raises(ProtocolError) as info:
        p.decode("{oops" + "x" * 500)
    assert info.value.__cause__ is None
    assert "{oops" in str(info.value)
    # the preview is bounded
    assert "x" * 200 not in str(info.value)


@pytest.mark.parametrize("text", ['[{"janus":"ack"}, 1]', '["a"]', "[[{}]]", "[null]"])
def test_decode_array_with_non_objects(text: str) -> None:
    with pytest.raises(ProtocolError, match="not an object or a list of objects"):
        p.decode(text)


@pytest.mark.parametrize("text", ['"ack"', "1", "null", "true"])
def test_decode_scalars(text: str) -> None:
    with pytest.raises(ProtocolError, match="not an object"):
        p.decode(text)


def test_encode_is_compact() -> None:
    msg = {"janus": "message", "transaction": "t", "body": {"a": [1, 2], "b": "x y"}}
    text = p.encode(msg)
    assert text == '{"janus":"message","transaction":"t","body":{"a":[1,2],"b":"x y"}}'
    assert ", " not in text
    assert ": " not in text
    assert json.loads(text) == msg


@pytest.mark.property
@CI
@given(json_values_nan)
def test_encode_writes_what_json_dumps_writes(value: Any) -> None:
    # encode() uses the C encoder directly (issue 21): the same text, the same errors.
    msg = {"janus": "message", "transaction": "t", "body": value}
    try:
        expected = json.dumps(msg, separators=(",", ":"), allow_nan=False)
    except ValueError:
        with pytest.raises(ValueError, match="JSON has no NaN or Infinity"):
            p.encode(msg)
        return
    assert p.encode(msg) == expected


def test_encode_refuses_what_json_cannot_write() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        p.encode({"janus": "x", "body": {"when": object()}})
    with pytest.raises(TypeError, match="keys must be str"):
        p.encode({"janus": "x", "body": {(1, 2): 3}})
    loop: dict[str, Any] = {"janus": "x"}
    loop["self"] = loop
    with pytest.raises((ValueError, RecursionError)):
        p.encode(loop)
    assert p.encode({"janus": "x"}) == '{"janus":"x"}'  # nothing left behind


@pytest.mark.parametrize(
    ("built", "general"),
    [
        (p.info(TID), p.build_request("info", TID)),
        (p.ping(TID), p.build_request("ping", TID)),
        (p.create(TID), p.build_request("create", TID)),
        (p.create(TID, 7), p.build_request("create", TID, id=7)),
        (p.claim(TID, 7), p.build_request("claim", TID, session_id=7)),
        (p.keepalive(TID, 7), p.build_request("keepalive", TID, session_id=7)),
        (p.destroy(TID, 7), p.build_request("destroy", TID, session_id=7)),
        (p.attach(TID, 7, "x"), p.build_request("attach", TID, session_id=7, plugin="x")),
        (
            p.attach(TID, 7, "x", "o"),
            p.build_request("attach", TID, session_id=7, plugin="x", opaque_id="o"),
        ),
        (p.detach(TID, 7, 8), p.build_request("detach", TID, session_id=7, handle_id=8)),
    ],
)
def test_session_builders_match_build_request(
    built: dict[str, Any], general: dict[str, Any]
) -> None:
    # Built directly for speed (issue 21): the same keys in the same order (the same wire text).
    assert p.encode(built) == p.encode(general)


def test_encode_decode_roundtrip() -> None:
    msg = p.message(
        "t", 1, 2, {"request": "join", "room": 1234}, jsep={"type": "offer", "sdp": "v"}
    )
    assert p.decode(p.encode(msg)) == [msg]


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------

#: The 25 core error codes of Janus 1.1.2 (apierror.h) and the class each maps to.
CORE_ERRORS: list[tuple[int, str, type[ServerError]]] = [
    (403, "UNAUTHORIZED", errors.UnauthorizedError),
    (405, "UNAUTHORIZED_PLUGIN", errors.UnauthorizedPluginError),
    (450, "TRANSPORT_SPECIFIC", errors.TransportSpecificError),
    (452, "MISSING_REQUEST", errors.MissingRequestError),
    (453, "UNKNOWN_REQUEST", errors.UnknownRequestError),
    (454, "INVALID_JSON", errors.InvalidJSONError),
    (455, "INVALID_JSON_OBJECT", errors.InvalidJSONObjectError),
    (456, "MISSING_MANDATORY_ELEMENT", errors.MissingMandatoryElementError),
    (457, "INVALID_REQUEST_PATH", errors.InvalidRequestPathError),
    (458, "SESSION_NOT_FOUND", errors.SessionNotFoundError),
    (459, "HANDLE_NOT_FOUND", errors.HandleNotFoundError),
    (460, "PLUGIN_NOT_FOUND", errors.PluginNotFoundError),
    (461, "PLUGIN_ATTACH", errors.PluginAttachError),
    (462, "PLUGIN_MESSAGE", errors.PluginMessageError),
    (463, "PLUGIN_DETACH", errors.PluginDetachError),
    (464, "JSEP_UNKNOWN_TYPE", errors.JsepUnknownTypeError),
    (465, "JSEP_INVALID_SDP", errors.JsepInvalidSdpError),
    (466, "TRICKE_INVALID_STREAM", errors.TrickleInvalidStreamError),
    (467, "INVALID_ELEMENT_TYPE", errors.InvalidElementTypeError),
    (468, "SESSION_CONFLICT", errors.SessionConflictError),
    (469, "UNEXPECTED_ANSWER", errors.UnexpectedAnswerError),
    (470, "TOKEN_NOT_FOUND", errors.TokenNotFoundError),
    (471, "WEBRTC_STATE", errors.WebRTCStateError),
    (472, "NOT_ACCEPTING_SESSIONS", errors.NotAcceptingSessionsError),
    (490, "UNKNOWN", errors.UnknownJanusError),
]


def test_core_error_table_has_25_distinct_codes() -> None:
    assert len(CORE_ERRORS) == 25
    assert len({code for code, _, _ in CORE_ERRORS}) == 25
    assert len({cls for _, _, cls in CORE_ERRORS}) == 25


@pytest.mark.parametrize(
    ("code", "name", "cls"), CORE_ERRORS, ids=[f"{c}-{n}" for c, n, _ in CORE_ERRORS]
)
def test_error_from_message_every_core_code(code: int, name: str, cls: type) -> None:
    msg = {
        "janus": "error",
        "transaction": "t",
        "error": {"code": code, "reason": f"reason for {code}"},
    }
    url = "ws://janus.example:8188/"
    exc = p.error_from_message(msg, request="attach", url=url)
    assert isinstance(exc, cls)
    assert isinstance(exc, errors.PluginAttachFail)  # every attach failure (0.9.x)
    assert isinstance(exc, ServerError)
    assert isinstance(exc, errors.JanusError)
    assert exc.code == code
    assert exc.default_code == code
    assert exc.reason == f"reason for {code}"
    assert exc.code_name == f"JANUS_ERROR_{name}"
    assert exc.request == "attach"
    assert exc.url == url
    text = str(exc)
    assert str(code) in text
    assert "attach" in text
    assert url in text
    assert f"reason for {code}" in text
    assert f"JANUS_ERROR_{name}" in text


def test_error_from_message_without_request_or_url() -> None:
    exc = p.error_from_message({"janus": "error", "error": {"code": 458, "reason": "gone"}})
    assert isinstance(exc, errors.SessionNotFoundError)
    assert exc.request is None
    assert exc.url is None
    assert "458" in str(exc)
    assert " on " not in str(exc)
    assert " at " not in str(exc)


def test_error_from_message_hint_for_known_codes() -> None:
    exc = p.error_from_message({"janus": "error", "error": {"code": 403, "reason": "Unauthorized"}})
    assert "hint" in str(exc)
    assert "api_secret" in str(exc)


def test_error_from_message_unknown_code_keeps_code() -> None:
    exc = p.error_from_message({"janus": "error", "error": {"code": 499, "reason": "new"}})
    assert type(exc) is ServerError
    assert exc.code == 499
    assert exc.reason == "new"
    assert "499" in str(exc)


@pytest.mark.parametrize(
    "msg",
    [
        {"janus": "error"},
        {"janus": "error", "error": None},
        {"janus": "error", "error": "boom"},
        {"janus": "error", "error": [458, "x"]},
        {"janus": "error", "error": {}},
        {"janus": "error", "error": {"code": "458", "reason": "x"}},
        {"janus": "error", "error": {"code": True, "reason": "x"}},
        {"janus": "error", "error": {"code": None}},
    ],
    ids=["missing", "null", "string", "list", "empty", "code-str", "code-bool", "code-null"],
)
def test_error_from_message_garbage_gives_490(msg: dict) -> None:
    exc = p.error_from_message(msg, request="create", url="http://h/janus")
    assert type(exc) is errors.UnknownJanusError
    assert exc.code == 490
    assert isinstance(exc.reason, str)
    assert exc.reason
    assert "490" in str(exc)
    assert "create" in str(exc)
    assert "http://h/janus" in str(exc)


def test_error_from_message_non_string_reason() -> None:
    exc = p.error_from_message({"janus": "error", "error": {"code": 459, "reason": 12}})
    assert isinstance(exc, errors.HandleNotFoundError)
    assert exc.reason == "no reason given"


# ---------------------------------------------------------------------------
# plugin data and plugin errors
# ---------------------------------------------------------------------------


def test_plugin_data_extracts_plugin_and_data() -> None:
    data = {"videoroom": "joined", "room": 1234}
    msg = {"janus": "event", "plugindata": {"plugin": "janus.plugin.videoroom", "data": data}}
    plugin, got = p.plugin_data(msg)
    assert plugin == "janus.plugin.videoroom"
    assert got == data
    assert got is not data  # a copy


@pytest.mark.parametrize(
    "msg",
    [{"janus": "success"}, {"janus": "event", "plugindata": None}, {"plugindata": "x"}],
)
def test_plugin_data_absent(msg: dict) -> None:
    assert p.plugin_data(msg) == (None, {})


def test_plugin_data_bad_parts() -> None:
    assert p.plugin_data({"plugindata": {"plugin": 5, "data": [1]}}) == (None, {})
    assert p.plugin_data({"plugindata": {"plugin": "janus.plugin.x"}}) == ("janus.plugin.x", {})


def test_plugin_error_with_code_and_reason() -> None:
    data = {"videoroom": "event", "error_code": 426, "error": "No such room (1234)"}
    exc = p.plugin_error("janus.plugin.videoroom", data, request="join")
    assert isinstance(exc, PluginError)
    assert isinstance(exc, errors.JanusError)
    assert exc.code == 426
    assert exc.reason == "No such room (1234)"
    assert exc.plugin == "janus.plugin.videoroom"
    assert exc.request == "join"
    assert exc.data == data
    text = str(exc)
    assert "426" in text
    assert "janus.plugin.videoroom" in text
    assert "join" in text
    assert "No such room" in text


def test_plugin_error_textroom_style() -> None:
    data = {"textroom": "error", "error_code": 417, "error": "No such room"}
    exc = p.plugin_error("janus.plugin.textroom", data)
    assert exc is not None
    assert exc.code == 417


def test_plugin_error_reason_only() -> None:
    exc = p.plugin_error("janus.plugin.echotest", {"error": "bad"})
    assert exc is not None
    assert exc.code is None
    assert exc.reason == "bad"


def test_plugin_error_code_only() -> None:
    exc = p.plugin_error("janus.plugin.echotest", {"error_code": 411})
    assert exc is not None
    assert exc.code == 411
    assert exc.reason  # some text, never empty
    assert "411" in str(exc)


def test_plugin_error_non_int_code() -> None:
    exc = p.plugin_error(None, {"error_code": "411", "error": "bad"})
    assert exc is not None
    assert exc.code is None
    assert exc.plugin is None


@pytest.mark.parametrize(
    "data",
    [{}, {"videoroom": "joined", "room": 1}, {"result": "ok"}, {"textroom": "success"}],
)
def test_plugin_error_success_is_none(data: dict) -> None:
    assert p.plugin_error("janus.plugin.videoroom", data) is None


def test_plugin_error_custom_class() -> None:
    class VideoRoomError(PluginError):
        pass

    exc = p.plugin_error(
        "janus.plugin.videoroom",
        {"error_code": 427, "error": "Room exists"},
        request="create",
        error_class=VideoRoomError,
    )
    assert type(exc) is VideoRoomError
    assert exc.code == 427
    assert exc.request == "create"


# ---------------------------------------------------------------------------
# redact
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["apisecret", "token", "admin_secret", "secret", "pin", "new_secret", "new_pin"]
)
def test_redact_secret_keys(key: str) -> None:
    assert key in p.SECRET_KEYS
    out = p.redact({"janus": "create", key: "hunter2"})
    assert out == {"janus": "create", key: p.REDACTED}
    assert "hunter2" not in json.dumps(out)


def test_redact_keeps_none_secrets_as_none() -> None:
    assert p.redact({"secret": None}) == {"secret": None}


def test_redact_non_string_secret() -> None:
    assert p.redact({"pin": 1234}) == {"pin": p.REDACTED}


def test_redact_sdp_summary() -> None:
    sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n" * 10
    out = p.redact({"jsep": {"type": "offer", "sdp": sdp}})
    assert out["jsep"]["type"] == "offer"
    assert out["jsep"]["sdp"] == f"<sdp, {len(sdp)} chars>"
    assert "IN IP4" not in json.dumps(out)


def test_redact_nested_dicts_and_lists() -> None:
    msg = {
        "janus": "message",
        "apisecret": "A",
        "body": {
            "request": "create",
            "secret": "S",
            "pin": "P",
            "allowed": ["x", "y"],
            "nested": [{"token": "T", "keep": 1}, [{"admin_secret": "AS"}]],
        },
    }
    out = p.redact(msg)
    assert out == {
        "janus": "message",
        "apisecret": "***",
        "body": {
            "request": "create",
            "secret": "***",
            "pin": "***",
            "allowed": ["***", "***"],
            "nested": [{"token": "***", "keep": 1}, [{"admin_secret": "***"}]],
        },
    }


def test_redact_tokens_lists() -> None:
    msg = {
        "janus": "success",
        "data": {
            "tokens": ["t1", "t2", {"token": "t3", "allowed_plugins": ["janus.plugin.echotest"]}]
        },
    }
    out = p.redact(msg)
    assert out["data"]["tokens"] == [
        "***",
        "***",
        {"token": "***", "allowed_plugins": ["janus.plugin.echotest"]},
    ]
    dumped = json.dumps(out)
    for secret in ("t1", "t2", "t3"):
        assert f'"{secret}"' not in dumped


def test_redact_does_not_mutate_input() -> None:
    msg = {
        "apisecret": "A",
        "jsep": {"type": "answer", "sdp": "v=0"},
        "body": {"tokens": ["x"], "list": [{"pin": "1"}]},
    }
    before = copy.deepcopy(msg)
    out = p.redact(msg)
    assert msg == before
    assert out is not msg
    assert out["body"] is not msg["body"]
    assert out["body"]["list"] is not msg["body"]["list"]


def test_redact_passes_scalars_through() -> None:
    assert p.redact("text") == "text"
    assert p.redact(5) == 5
    assert p.redact(None) is None
    assert p.redact([1, "a"]) == [1, "a"]


# ---------------------------------------------------------------------------
# properties (Hypothesis)
# ---------------------------------------------------------------------------
KIND_VALUES = frozenset(k.value for k in MessageKind)


def _is_id(value: Any) -> bool:
    return value is None or type(value) is int


# --------------------------------------------------------------------------- decode/classify
@CI
@given(st.text())
@pytest.mark.property
def test_decode_arbitrary_text_only_raises_protocol_error(data: str) -> None:
    try:
        messages = decode(data)
    except ProtocolError:
        return
    assert isinstance(messages, list)
    assert all(isinstance(m, dict) for m in messages)


@CI
@given(st.binary(max_size=300))
@pytest.mark.property
def test_decode_arbitrary_bytes_only_raises_protocol_error(data: bytes) -> None:
    for raw in (data, bytearray(data)):
        try:
            messages = decode(raw)
        except ProtocolError:
            continue
        assert all(isinstance(m, dict) for m in messages)


@CI
@given(json_values_nan)
@pytest.mark.property
def test_decode_of_any_json_value(value: Any) -> None:
    text = json.dumps(value)
    if isinstance(value, dict):
        assert decode(text) == [value] or _has_nan(value)
    elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
        assert len(decode(text.encode())) == len(value)
    else:
        with pytest.raises(ProtocolError):
            decode(text)


def _has_nan(value: Any) -> bool:
    """NaN != NaN: a round trip of a value holding NaN compares unequal."""
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    return False


@CI
@given(st.sampled_from([10, 200, 500]), st.sampled_from(["[", '{"a":', '{"janus":[']))
@pytest.mark.property
def test_decode_of_nested_json_is_a_protocol_error(depth: int, opener: str) -> None:
    with pytest.raises(ProtocolError):
        decode(opener * depth)


@CI
@given(json_values_nan)
@pytest.mark.property
def test_classify_any_value_only_raises_protocol_error(value: Any) -> None:
    try:
        incoming = classify(value)
    except ProtocolError:
        return
    assert isinstance(value, dict)
    assert isinstance(incoming, Incoming)


@CI
@given(
    janus=janus_field,
    transaction=st.none() | safe_text | json_values,
    session_id=st.none() | st.integers() | json_values,
    sender=st.none() | st.integers() | json_values,
    extra=st.dictionaries(safe_text, json_values, max_size=4),
    omit=st.sets(st.sampled_from(["transaction", "session_id", "sender"])),
)
@pytest.mark.property
def test_classify_of_a_message_with_string_janus(
    janus: str, transaction: Any, session_id: Any, sender: Any, extra: Any, omit: set[str]
) -> None:
    msg: dict[str, Any] = dict(extra)
    msg["janus"] = janus
    fields = {"transaction": transaction, "session_id": session_id, "sender": sender}
    for key, value in fields.items():
        if key in omit:
            msg.pop(key, None)
        else:
            msg[key] = value
    sid, snd = msg.get("session_id"), msg.get("sender")
    if not (_is_id(sid) and _is_id(snd)):
        with pytest.raises(ProtocolError) as info:
            classify(msg)
        assert "session_id" in str(info.value) or "sender" in str(info.value)
        return
    incoming = classify(msg)
    assert incoming.janus == janus
    assert incoming.kind is (MessageKind(janus) if janus in KIND_VALUES else MessageKind.UNKNOWN)
    assert incoming.session_id == sid
    assert incoming.sender == snd
    tx = msg.get("transaction")
    assert incoming.transaction == (None if tx is None else str(tx))
    assert incoming.body is msg


# --------------------------------------------------------------------------- redact
MARK = "S3cr#t:"
plain_text = safe_text.filter(lambda s: MARK not in s)
# Keys redact() treats specially besides SECRET_KEYS: SDP bodies and lists of tokens.
TOKEN_LISTS = frozenset(getattr(protocol, "_TOKEN_LISTS", {"tokens"}))
SPECIAL_KEYS = SECRET_KEYS | TOKEN_LISTS | {"sdp"}
plain_keys = plain_text.filter(lambda k: k not in SPECIAL_KEYS)
plain_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | plain_text
secret_text = safe_text.map(lambda s: MARK + s)
secret_payload = st.recursive(
    secret_text | st.integers(),
    lambda children: (
        st.lists(children, min_size=1, max_size=3)
        | st.dictionaries(plain_keys, children, min_size=1, max_size=3)
    ),
    max_leaves=6,
)


def _with_secrets(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    plain = st.dictionaries(plain_keys, children, max_size=4)
    secret = st.dictionaries(st.sampled_from(sorted(SECRET_KEYS)), secret_payload, max_size=3)
    sdp = st.dictionaries(st.just("sdp"), secret_text, max_size=1)
    tokens = st.dictionaries(
        st.sampled_from(sorted(TOKEN_LISTS)), st.lists(secret_text, max_size=3), max_size=2
    )
    merged = st.tuples(plain, secret, sdp, tokens).map(
        lambda parts: {k: v for part in parts for k, v in part.items()}
    )
    return st.lists(children, max_size=4) | merged


secret_trees = st.recursive(plain_scalars, _with_secrets, max_leaves=30)


def _count_secrets(value: Any) -> int:
    if isinstance(value, str):
        return int(value.startswith(MARK))
    if isinstance(value, dict):
        return sum(_count_secrets(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_secrets(v) for v in value)
    return 0


@CI
@given(secret_trees)
@pytest.mark.property
def test_redact_never_leaks_a_secret(value: Any) -> None:
    original = copy.deepcopy(value)
    out = redact(value)
    assert MARK not in repr(out)
    assert MARK not in json.dumps(out, ensure_ascii=False)
    assert MARK not in str(out)
    assert value == original or _has_nan(value)  # the input is left alone


@CI
@given(
    st.recursive(
        plain_scalars,
        lambda ch: st.lists(ch, max_size=4) | st.dictionaries(plain_keys, ch, max_size=4),
        max_leaves=30,
    )
)
@pytest.mark.property
def test_redact_keeps_everything_else(value: Any) -> None:
    out = redact(value)
    assert out == value or _has_nan(value)
    if isinstance(value, (dict, list)) and value:
        assert out is not value  # a copy


@pytest.mark.parametrize("opener", ["[", '{"a":'])
@pytest.mark.property
def test_decode_of_deeply_nested_json_is_a_protocol_error(opener: str) -> None:
    # json.loads raises RecursionError (not a ValueError) past ~1000 levels: 2 KB of data.
    with pytest.raises(ProtocolError):
        decode(opener * 2_000)
