"""Property-based tests: the wire decoder, redaction, transaction matching, a live reader
fed garbage, and user argument validation.

Every test runs under the ``janus-ci`` Hypothesis profile (derandomized, no example
database, fixed budget), so a run is reproducible and its cost is known in advance.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import math
from collections.abc import Hashable
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from janus_client import (
    JanusSession,
    ProtocolError,
    ReconnectPolicy,
    SessionState,
    Timeouts,
    protocol,
)
from janus_client.handle import JanusHandle
from janus_client.protocol import (
    SECRET_KEYS,
    Incoming,
    MessageKind,
    classify,
    decode,
    redact,
)
from janus_client.testing import FakeJanus
from janus_client.transactions import CallState, TransactionTable
from janus_client.transports.websocket import JanusTransportWebsocket

ECHO = "janus.plugin.echotest"

settings.register_profile(
    "janus-ci",
    derandomize=True,
    deadline=None,
    max_examples=250,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CI = settings.get_profile("janus-ci")
#: Examples that each need network round trips to the fake Janus.
LIVE = settings(CI, max_examples=30)
#: Cheap checks against a live fake (no round trip unless a bug sends one).
ARGS = settings(CI, max_examples=120)

# --------------------------------------------------------------------------- strategies
# Text that every transport can carry: no lone surrogates (not encodable as UTF-8).
safe_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | safe_text
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(safe_text, children, max_size=5)
    ),
    max_leaves=25,
)
# Any value json.dumps accepts, NaN and infinities included (Janus never sends them,
# but a broken peer might; Python's json reads them back).
json_values_nan = st.recursive(
    json_scalars | st.floats(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(safe_text, children, max_size=4)
    ),
    max_leaves=15,
)
KIND_VALUES = frozenset(k.value for k in MessageKind)
kinds = st.sampled_from(sorted(KIND_VALUES - {"unknown"}))
janus_field = kinds | safe_text


def _is_id(value: Any) -> bool:
    return value is None or type(value) is int


# --------------------------------------------------------------------------- decode/classify
@CI
@given(st.text())
def test_decode_arbitrary_text_only_raises_protocol_error(data: str) -> None:
    try:
        messages = decode(data)
    except ProtocolError:
        return
    assert isinstance(messages, list)
    assert all(isinstance(m, dict) for m in messages)


@CI
@given(st.binary(max_size=300))
def test_decode_arbitrary_bytes_only_raises_protocol_error(data: bytes) -> None:
    for raw in (data, bytearray(data)):
        try:
            messages = decode(raw)
        except ProtocolError:
            continue
        assert all(isinstance(m, dict) for m in messages)


@CI
@given(json_values_nan)
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
def test_decode_of_nested_json_is_a_protocol_error(depth: int, opener: str) -> None:
    with pytest.raises(ProtocolError):
        decode(opener * depth)


@CI
@given(json_values_nan)
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
def test_redact_keeps_everything_else(value: Any) -> None:
    out = redact(value)
    assert out == value or _has_nan(value)
    if isinstance(value, (dict, list)) and value:
        assert out is not value  # a copy


# --------------------------------------------------------------------------- TransactionTable
OWNERS: tuple[Hashable, ...] = ("session-1", "session-2", ("handle", 1), ("handle", 2), None)
FINAL = {"success", "error", "server_info", "pong"}
RESOLVE_KINDS = [
    *FINAL,
    "ack",
    "event",
    "webrtcup",
    "media",
    "hangup",
    "detached",
    "trickle",
    "timeout",
    "keepalive",
    "brand-new-kind",
]


class _StubTask:
    """Stands in for the task of a call still sending (CallState only cancels it)."""

    def __init__(self) -> None:
        self.cancels = 0

    def cancel(self) -> bool:
        self.cancels += 1
        return True


class _Model:
    def __init__(
        self,
        owner: Hashable,
        wait_event: bool,
        future: asyncio.Future[Incoming],
        stub: _StubTask | None,
        state: CallState | None,
    ) -> None:
        self.owner = owner
        self.wait_event = wait_event
        self.future = future
        self.stub = stub
        self.state = state
        self.sending = state is not None
        self.acked = False
        self.outcome: tuple[str, Any] | None = None
        self.expected_cancels = 0

    def decide(self, how: str, value: Any) -> None:
        if self.outcome is None:
            self.outcome = (how, value)
            if self.sending:
                self.sending = False
                self.expected_cancels = 1


class TableMachine(RuleBasedStateMachine):
    """Random register / resolve / discard / fail sequences against a simple model."""

    tids = Bundle("tids")

    def __init__(self) -> None:
        super().__init__()
        self.table = TransactionTable()
        self.live: dict[str, _Model] = {}
        self.every: list[_Model] = []
        self.known: set[str] = set()

    @rule(
        target=tids,
        owner=st.sampled_from(OWNERS),
        wait_event=st.booleans(),
        sending=st.booleans(),
    )
    def register(self, owner: Hashable, wait_event: bool, sending: bool) -> str:
        tid = self.table.new_id()
        assert tid not in self.known
        stub = _StubTask() if sending else None
        state = CallState(stub) if stub is not None else None  # type: ignore[arg-type]
        fut = self.table.register(tid, owner, "message", wait_event=wait_event, state=state)
        model = _Model(owner, wait_event, fut, stub, state)
        self.live[tid] = model
        self.every.append(model)
        self.known.add(tid)
        return tid

    @rule(tid=tids)
    def register_again(self, tid: str) -> None:
        if tid in self.live:
            with pytest.raises(ValueError, match="already pending"):
                self.table.register(tid, "intruder", "message")

    @rule(tid=tids)
    def send_finished(self, tid: str) -> None:
        model = self.live.get(tid)
        if model is not None and model.state is not None and model.outcome is None:
            model.state.sending = False
            model.sending = False

    @rule(
        tid=tids | safe_text | st.none(),
        kind=st.sampled_from(RESOLVE_KINDS),
        extra=st.dictionaries(
            st.sampled_from(["data", "plugindata", "error", "jsep"]), json_values, max_size=2
        ),
    )
    def resolve(self, tid: str | None, kind: str, extra: dict[str, Any]) -> None:
        body: dict[str, Any] = {**extra, "janus": kind}
        if tid is not None:
            body["transaction"] = tid
        msg = classify(body)
        model = self.live.get(tid) if tid is not None else None
        routed = self.table.resolve(msg)
        if model is None:
            assert routed is (kind not in FINAL and kind != "ack")
            return
        if kind == "ack":
            model.acked = True
            if not model.wait_event:
                model.decide("result", msg)
            assert routed is False
        elif kind in FINAL:
            model.decide("result", msg)
            assert routed is False
        elif kind == "event":
            model.decide("result", msg)
            assert routed is (not model.wait_event)
        else:
            assert routed is True

    @rule(tid=consumes(tids) | safe_text)
    def discard(self, tid: str) -> None:
        self.table.discard(tid)
        self.live.pop(tid, None)

    @rule(owner=st.sampled_from(OWNERS))
    def fail_owner(self, owner: Hashable) -> None:
        exc = ConnectionError(f"owner {owner} closed")
        mine = [tid for tid, m in self.live.items() if m.owner == owner]
        assert self.table.fail_owner(owner, exc) == len(mine)
        for tid in mine:
            self.live.pop(tid).decide("error", exc)

    @rule()
    def fail_all(self) -> None:
        exc = ConnectionError("connection lost")
        assert self.table.fail_all(exc) == len(self.live)
        for model in self.live.values():
            model.decide("error", exc)
        self.live.clear()

    @invariant()
    def consistent(self) -> None:
        table = self.table
        assert len(table) == len(self.live)
        for owner in OWNERS:
            expected = sum(1 for m in self.live.values() if m.owner == owner)
            assert table.pending_for(owner) == expected
        assert table.pending_for("nobody") == 0
        for tid in self.known:
            assert (tid in table) is (tid in self.live)
        for model in self.every:
            fut = model.future
            if model.outcome is None:
                assert not fut.done()
            elif model.outcome[0] == "result":
                assert fut.done() and not fut.cancelled()
                assert fut.exception() is None
                assert fut.result() is model.outcome[1]  # the first answer, never replaced
            else:
                assert fut.done() and fut.exception() is model.outcome[1]
            if model.stub is not None:
                assert model.stub.cancels == model.expected_cancels

    def teardown(self) -> None:
        for model in self.every:
            if model.future.done() and not model.future.cancelled():
                model.future.exception()  # retrieved: no "never retrieved" log


async def test_transaction_table_state_machine() -> None:
    # The table creates its futures on the running loop: run the machine inside it.
    run_state_machine_as_test(
        TableMachine, settings=settings(CI, max_examples=200, stateful_step_count=40)
    )


# --------------------------------------------------------------------------- reader entry point
class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
async def offline() -> Any:
    """A WebSocket transport that never connects, and a collector of error logs."""
    transport = JanusTransportWebsocket("ws://127.0.0.1:9")
    errors = _Collect()
    logging.getLogger("janus_client").addHandler(errors)
    try:
        yield transport, errors
    finally:
        logging.getLogger("janus_client").removeHandler(errors)
        await transport.close()


def _routed_session(transport: JanusTransportWebsocket) -> tuple[JanusSession, JanusHandle]:
    """Session 4242 with handle 77 routed on ``transport`` (not connected: no keepalive)."""
    session = JanusSession(transport=transport)
    session._activate(4242)
    handle = JanusHandle(session, 77, ECHO)
    session._handles[77] = handle
    return session, handle


def _message_shaped(sid: int, hid: int) -> st.SearchStrategy[dict[str, Any]]:
    ids = st.sampled_from([sid, hid, 1, 2**53]) | st.integers() | json_values
    return st.fixed_dictionaries(
        {"janus": janus_field},
        optional={
            "transaction": st.none() | safe_text | json_values,
            "session_id": ids,
            "sender": ids,
            "plugindata": json_values,
            "jsep": json_values,
            "data": json_values,
            "error": json_values,
            "candidate": json_values,
            "type": json_values,
            "receiving": json_values,
            "seconds": json_values,
            "lost": json_values,
        },
    )


reader_input = (
    st.binary(max_size=200)
    | st.text(max_size=200)
    | json_values_nan.map(json.dumps)
    | st.lists(_message_shaped(4242, 77), max_size=4).map(json.dumps)
    | _message_shaped(4242, 77).map(json.dumps)
)


@CI
@given(data=reader_input)
async def test_receive_never_raises(offline: Any, data: Any) -> None:
    transport, errors = offline
    session, _ = _routed_session(transport)
    try:
        transport._receive(data)
        transport._receive(data.encode() if isinstance(data, str) else data)
    finally:
        session._release(RuntimeError("example over"), SessionState.CLOSED)
    # Malformed events are dropped quietly, never by the catch-all of the router.
    assert not errors.records, [r.getMessage() for r in errors.records]
    assert transport.pending_count == 0
    assert not transport.sessions


# --------------------------------------------------------------------------- live reader
OURS, OUR_HANDLE = "<our session>", "<our handle>"


def _substitute(value: Any, sid: int, hid: int) -> Any:
    if value == OURS:
        return sid
    if value == OUR_HANDLE:
        return hid
    if isinstance(value, dict):
        return {k: _substitute(v, sid, hid) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, sid, hid) for v in value]
    return value


def _kills_session(item: Any, sid: int, hid: int, kind: str) -> bool:
    """Whether ``item`` is a legitimate way for Janus to end the session or handle."""
    messages: list[Any] = []
    if isinstance(item, dict):
        messages = [item]
    elif isinstance(item, (str, bytes)):
        try:
            value = json.loads(item)
        except (ValueError, RecursionError):
            return False
        messages = value if isinstance(value, list) else [value]
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        janus = msg.get("janus")
        if janus == "timeout" and msg.get("session_id") == sid:
            return True
        if janus == "detached" and msg.get("sender") == hid:
            return True
        if kind == "http" and janus == "error":  # the long-poll's "no such session"
            err = msg.get("error")
            if isinstance(err, dict) and err.get("code") == 458:
                return True
    return False


live_ids = (
    st.sampled_from([OURS, OUR_HANDLE]) | st.integers(min_value=1, max_value=2**53) | (json_values)
)
live_message = st.fixed_dictionaries(
    {"janus": janus_field},
    optional={
        "transaction": st.none() | safe_text | json_values,
        "session_id": live_ids,
        "sender": live_ids,
        "plugindata": json_values,
        "jsep": json_values,
        "error": json_values,
        "candidate": json_values,
    },
)


def _huge(size: int, shape: str) -> str:
    if shape == "event":
        return json.dumps({"janus": "event", "session_id": 1, "sender": 2, "pad": "x" * size})
    if shape == "truncated":
        return '{"janus": "event", "pad": "' + "x" * size
    count = max(1, size // 64)
    return json.dumps([{"janus": "webrtcup", "session_id": 3, "n": i} for i in range(count)])


garbage = (
    st.binary(min_size=1, max_size=200)
    | st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200)
    | json_values.map(json.dumps)
    | live_message
    | st.lists(live_message, min_size=1, max_size=4).map(json.dumps)
    | st.builds(
        _huge,
        st.sampled_from([50_000, 300_000, 1_000_000]),
        st.sampled_from(["event", "truncated", "list"]),
    )
)


@pytest.fixture(params=["ws", "http"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _url(fake: FakeJanus, kind: str) -> str:
    return fake.ws_url if kind == "ws" else fake.http_url


async def _until(predicate: Any, timeout: float = 2.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)


@LIVE
@given(
    batch=st.lists(garbage, min_size=1, max_size=5),
    late=st.sampled_from([None, "pong", "success", "ack", "event", "error"]),
)
async def test_live_reader_survives_garbage(
    fake_janus: FakeJanus, kind: str, batch: list[Any], late: str | None
) -> None:
    async with JanusSession(_url(fake_janus, kind), timeouts=Timeouts(request=3)) as session:
        handle = await session.attach(ECHO)
        assert (await handle.send({"audio": True})).kind == "event"  # HTTP: starts the poll
        sid, hid = session.session_id, handle.handle_id
        assert sid is not None
        items = [_substitute(item, sid, hid) for item in batch]
        assume(not any(_kills_session(item, sid, hid, kind) for item in items))

        if late is not None:
            # A call cancelled while waiting; its reply comes afterwards.
            fake_janus.drop("message", 1)
            seen = len(fake_janus.requests)
            task = asyncio.create_task(handle.send({"video": True}))
            await _until(
                lambda: any(r.get("janus") == "message" for r in fake_janus.requests[seen:])
            )
            request = next(r for r in fake_janus.requests[seen:] if r.get("janus") == "message")
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert session.transport.pending_count == 0
            reply: dict[str, Any] = {
                "janus": late,
                "transaction": request["transaction"],
                "session_id": sid,
            }
            if late == "event":
                reply.update(sender=hid, plugindata={"plugin": ECHO, "data": {"late": True}})
            if late == "error":
                reply["error"] = {"code": 490, "reason": "late"}
            items.append(reply)

        for item in items:
            await fake_janus.push(item, session_id=sid)
        # Over HTTP the garbage is in the long-poll queue before the event below, so
        # the event proves the poll went through all of it.
        reply_after = await handle.send({"audio": False})
        assert reply_after.kind == "event"
        assert reply_after.data["echo"] == {"audio": False}
        assert await session.ping() >= 0
        assert session.transport.connected
        assert session.state is SessionState.ACTIVE
        assert not handle.closed
        assert session.transport.pending_count == 0


# --------------------------------------------------------------------------- argument checks
not_a_mapping = (
    st.integers()
    | st.floats(allow_nan=False)
    | safe_text
    | st.binary(max_size=8)
    | st.lists(st.integers(), max_size=3)
    | st.booleans()
    | st.tuples(st.integers(), st.integers())
)
not_a_string = (
    st.integers()
    | st.floats(allow_nan=False)
    | st.binary(max_size=8)
    | st.booleans()
    | st.lists(safe_text, max_size=2)
    | st.dictionaries(safe_text, st.integers(), max_size=2)
)
# NaN is left out: see test_nan_timeout_is_rejected.
bad_timeout = (
    safe_text
    | st.booleans()
    | st.binary(max_size=4)
    | st.lists(st.integers(), max_size=2)
    | st.integers(max_value=0)
    | st.floats(max_value=0, allow_nan=False)
)


@pytest.fixture
async def live(fake_janus: FakeJanus) -> Any:
    session = JanusSession(fake_janus.ws_url)
    handle = await session.attach(ECHO)
    try:
        yield fake_janus, session, handle
    finally:
        await session.destroy()


def _scheme(url: str) -> str:
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return ""


def _sent(fake: FakeJanus) -> int:
    return sum(1 for r in fake.requests if r.get("janus") != "keepalive")


@ARGS
@given(data=st.data())
async def test_session_constructor_rejects_bad_arguments(
    fake_janus: FakeJanus, data: st.DataObject
) -> None:
    good: dict[str, Any] = {"base_url": fake_janus.ws_url}
    arg = data.draw(
        st.sampled_from(
            ["base_url", "api_secret", "token", "transport", "timeouts", "ssl", "reconnect"]
        )
    )
    names: tuple[str, ...] = (arg,)
    if arg == "base_url":
        value = data.draw(
            not_a_string
            | st.none()
            | safe_text.filter(lambda s: _scheme(s) not in ("ws", "wss", "http", "https"))
        )
        names = ("base_url", "URL scheme")
    elif arg in ("api_secret", "token"):
        value = data.draw(not_a_string)
    elif arg == "transport":
        value = data.draw(not_a_string | safe_text)
    else:
        value = data.draw(not_a_string | safe_text)
    kwargs = {**good, arg: value}
    before = _sent(fake_janus)
    with pytest.raises((TypeError, ValueError)) as info:
        JanusSession(**kwargs)
    assert any(name in str(info.value) for name in names), str(info.value)
    assert _sent(fake_janus) == before


bad_number = (
    safe_text
    | st.booleans()
    | st.none()
    | st.lists(st.integers(), max_size=2)
    | st.integers(max_value=0)
    | st.floats(max_value=0)
    | st.just(math.inf)
    | st.just(-math.inf)
    | st.just(math.nan)
)


@CI
@given(
    name=st.sampled_from(["connect", "request", "close", "keepalive", "long_poll"]),
    value=bad_number,
)
def test_timeouts_reject_bad_values(name: str, value: Any) -> None:
    with pytest.raises(ValueError, match=f"Timeouts.{name}"):
        Timeouts(**{name: value})


@CI
@given(
    name=st.sampled_from(
        ["attempts", "initial_delay", "max_delay", "multiplier", "jitter", "deadline"]
    ),
    value=safe_text
    | st.booleans()
    | st.lists(st.integers(), max_size=1)
    | st.just(math.nan)
    | st.just(math.inf)
    | st.integers(max_value=-1)
    | st.floats(max_value=-0.001),
)
def test_reconnect_policy_rejects_bad_values(name: str, value: Any) -> None:
    with pytest.raises(ValueError, match="ReconnectPolicy"):
        ReconnectPolicy(**{name: value})


@ARGS
@given(data=st.data())
async def test_handle_send_rejects_bad_arguments(live: Any, data: st.DataObject) -> None:
    fake, session, handle = live
    arg = data.draw(st.sampled_from(["body", "jsep", "wait", "timeout"]))
    kwargs: dict[str, Any] = {"body": {"audio": True}}
    if arg == "body":
        kwargs["body"] = data.draw(not_a_mapping | st.none())
    elif arg == "jsep":
        kwargs["jsep"] = data.draw(not_a_mapping)
    elif arg == "wait":
        kwargs["wait"] = data.draw(
            not_a_string | safe_text.filter(lambda s: s not in ("event", "ack"))
        )
    else:
        kwargs["timeout"] = data.draw(bad_timeout)
    before = _sent(fake)
    with pytest.raises((TypeError, ValueError)) as info:
        await handle.send(**kwargs)
    assert arg in str(info.value), str(info.value)
    assert _sent(fake) == before
    assert session.transport.pending_count == 0


@ARGS
@given(data=st.data())
async def test_handle_trickle_rejects_bad_arguments(live: Any, data: st.DataObject) -> None:
    fake, _, handle = live
    case = data.draw(st.sampled_from(["candidate", "candidates", "none", "several", "timeout"]))
    kwargs: dict[str, Any]
    name = "candidate"
    if case == "candidate":
        kwargs = {"candidate": data.draw(not_a_mapping)}
    elif case == "candidates":
        good = st.fixed_dictionaries({"candidate": safe_text, "sdpMLineIndex": st.integers()})
        items = data.draw(
            st.lists(good | not_a_mapping, min_size=1, max_size=4).filter(
                lambda xs: any(not isinstance(x, dict) for x in xs)
            )
        )
        kwargs = {"candidates": items}
        bad_at = next(i for i, x in enumerate(items) if not isinstance(x, dict))
        name = f"candidates[{bad_at}]"
    elif case == "none":
        kwargs = {}
    elif case == "several":
        kwargs = data.draw(
            st.sampled_from(
                [
                    {"candidate": {"candidate": "c"}, "completed": True},
                    {"candidates": [], "completed": True},
                    {"candidate": {"candidate": "c"}, "candidates": [{"candidate": "d"}]},
                ]
            )
        )
    else:
        kwargs = {"completed": True, "timeout": data.draw(bad_timeout)}
        name = "timeout"
    before = _sent(fake)
    with pytest.raises((TypeError, ValueError)) as info:
        await handle.trickle(**kwargs)
    assert name in str(info.value), str(info.value)
    assert _sent(fake) == before


@ARGS
@given(
    value=st.floats()
    | st.booleans()
    | safe_text
    | st.binary(max_size=4)
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(safe_text, st.integers())
)
async def test_claim_rejects_a_bad_session_id(live: Any, value: Any) -> None:
    fake, session, _ = live
    before = _sent(fake)
    with pytest.raises((TypeError, ValueError), match="session_id"):
        await session.claim(session_id=value)
    assert _sent(fake) == before
    assert session.state is SessionState.ACTIVE


@ARGS
@given(data=st.data())
async def test_attach_rejects_bad_arguments(live: Any, data: st.DataObject) -> None:
    fake, session, _ = live
    arg = data.draw(st.sampled_from(["plugin", "opaque_id", "timeout"]))
    kwargs: dict[str, Any] = {"plugin": ECHO}
    if arg == "plugin":
        kwargs["plugin"] = data.draw(not_a_string | st.just("") | st.none())
    elif arg == "opaque_id":
        kwargs["opaque_id"] = data.draw(not_a_string)
    else:
        kwargs["timeout"] = data.draw(bad_timeout)
    before = _sent(fake)
    handles = dict(session.handles)
    with pytest.raises((TypeError, ValueError)) as info:
        await session.attach(**kwargs)
    assert arg in str(info.value), str(info.value)
    assert _sent(fake) == before
    assert session.handles == handles


@ARGS
@given(
    call=st.sampled_from(["ping", "info", "keepalive", "hangup", "request", "send_raw_message"]),
    timeout=bad_timeout,
)
async def test_request_methods_reject_a_bad_timeout(live: Any, call: str, timeout: Any) -> None:
    fake, session, handle = live
    calls = {
        "ping": lambda: session.ping(timeout=timeout),
        "info": lambda: session.info(timeout=timeout),
        "keepalive": lambda: session.keepalive(timeout=timeout),
        "hangup": lambda: handle.hangup(timeout=timeout),
        "request": lambda: handle.request({"audio": True}, timeout=timeout),
        "send_raw_message": lambda: session.send({"janus": "keepalive"}, timeout=timeout),
    }
    before = _sent(fake)
    # TypeError for a value that is not a number, ValueError for a bad number.
    with pytest.raises((TypeError, ValueError), match="timeout"):
        await calls[call]()
    assert _sent(fake) == before
    assert session.transport.pending_count == 0


@ARGS
@given(
    message=not_a_mapping
    | st.none()
    | st.dictionaries(safe_text, st.integers(), max_size=2).filter(
        lambda d: not isinstance(d.get("janus"), str)
    )
)
async def test_session_send_rejects_a_bad_message(live: Any, message: Any) -> None:
    fake, session, _ = live
    before = _sent(fake)
    with pytest.raises((TypeError, ValueError), match="message"):
        await session.send(message)
    assert _sent(fake) == before


# ------------------------------------------------------------------ found by the properties
# Regression tests for bugs the properties above found (all fixed).


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_decode_of_deeply_nested_json_is_a_protocol_error(opener: str) -> None:
    # json.loads raises RecursionError (not a ValueError) past ~1000 levels: 2 KB of data.
    with pytest.raises(ProtocolError):
        decode(opener * 2_000)


async def test_receive_survives_deeply_nested_json(offline: Any) -> None:
    transport, _ = offline
    transport._receive("[" * 5_000)


async def test_nan_timeout_is_rejected(live: Any) -> None:
    fake, session, _ = live
    before = _sent(fake)
    with pytest.raises(ValueError, match="timeout"):
        await session.ping(timeout=math.nan)
    assert _sent(fake) == before


async def test_trickle_non_iterable_candidates_names_the_argument(live: Any) -> None:
    _, _, handle = live
    with pytest.raises(TypeError, match="candidates"):
        await handle.trickle(candidates=5)  # type: ignore[arg-type]


@pytest.mark.parametrize("what", ["detach", "destroy"])
async def test_close_with_a_bad_timeout_changes_nothing(live: Any, what: str) -> None:
    fake, session, handle = live
    before = _sent(fake)
    close = handle.detach if what == "detach" else session.destroy
    with pytest.raises((TypeError, ValueError), match="timeout"):
        await close(timeout="soon")
    assert _sent(fake) == before
    assert not handle.closed
    assert session.state is SessionState.ACTIVE
