"""Unit tests for transaction matching (janus_client.transactions.TransactionTable)."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from typing import Any

import pytest
from _strategies import (
    CI,
    json_values,
    safe_text,
)
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from janus_client.protocol import Incoming, MessageKind, classify
from janus_client.transactions import CallState, TransactionTable


def msg(janus: str, transaction: str | None = None, **fields: Any) -> Incoming:
    body: dict[str, Any] = {"janus": janus, **fields}
    if transaction is not None:
        body["transaction"] = transaction
    return classify(body)


def event(transaction: str | None = None) -> Incoming:
    return msg(
        "event",
        transaction,
        session_id=1,
        sender=2,
        plugindata={"plugin": "janus.plugin.echotest", "data": {"result": "ok"}},
    )


async def test_new_ids_are_unique() -> None:
    table = TransactionTable()
    ids = [table.new_id() for _ in range(10_000)]
    assert len(set(ids)) == 10_000
    assert all(isinstance(i, str) and i for i in ids)


async def test_ids_differ_between_tables() -> None:
    a, b = TransactionTable(), TransactionTable()
    ids_a = {a.new_id() for _ in range(100)}
    ids_b = {b.new_id() for _ in range(100)}
    assert not ids_a & ids_b


@pytest.mark.parametrize("kind", ["success", "error", "server_info", "pong"])
async def test_register_and_resolve_final_replies(kind: str) -> None:
    table = TransactionTable()
    tid = table.new_id()
    fut = table.register(tid, "session", "create")
    assert tid in table
    assert len(table) == 1
    assert not fut.done()
    reply = msg(kind, tid)
    assert table.resolve(reply) is False
    assert fut.done()
    assert fut.result() is reply
    assert fut.result().kind is MessageKind(kind)


async def test_final_reply_resolves_even_when_waiting_for_event() -> None:
    # A plugin message answered synchronously (success + plugindata) or refused (error).
    table = TransactionTable()
    fut = table.register("t", "h", "message", wait_event=True)
    err = msg("error", "t", error={"code": 456, "reason": "x"})
    assert table.resolve(err) is False
    assert fut.result() is err


async def test_wait_event_ack_then_event() -> None:
    table = TransactionTable()
    fut = table.register("t", "h", "message", wait_event=True)
    assert table.resolve(msg("ack", "t")) is False
    assert not fut.done()
    ev = event("t")
    assert table.resolve(ev) is False  # consumed as the reply, not routed
    assert fut.result() is ev


async def test_wait_event_event_then_ack() -> None:
    table = TransactionTable()
    fut = table.register("t", "h", "message", wait_event=True)
    ev = event("t")
    assert table.resolve(ev) is False
    assert fut.result() is ev
    # the late ack is swallowed and does not replace the result
    assert table.resolve(msg("ack", "t")) is False
    assert fut.result() is ev


async def test_wait_event_false_resolves_on_ack() -> None:
    table = TransactionTable()
    fut = table.register("t", "h", "message", wait_event=False)
    ack = msg("ack", "t")
    assert table.resolve(ack) is False
    assert fut.result() is ack
    # the later event is news for the owner
    table.discard("t")
    assert table.resolve(event("t")) is True


async def test_wait_event_false_event_first_resolves_and_is_routed() -> None:
    table = TransactionTable()
    fut = table.register("t", "h", "message", wait_event=False)
    ev = event("t")
    assert table.resolve(ev) is True  # also routed to the owner
    assert fut.result() is ev
    assert table.resolve(msg("ack", "t")) is False
    assert fut.result() is ev


async def test_keepalive_ack_resolves() -> None:
    table = TransactionTable()
    fut = table.register("k", "session", "keepalive")
    ack = msg("ack", "k", session_id=1)
    assert table.resolve(ack) is False
    assert fut.result() is ack


@pytest.mark.parametrize(
    "janus", ["webrtcup", "media", "slowlink", "hangup", "detached", "trickle"]
)
async def test_other_events_with_pending_transaction_are_routed(janus: str) -> None:
    table = TransactionTable()
    fut = table.register("t", "h", "message", wait_event=True)
    assert table.resolve(msg(janus, "t", session_id=1, sender=2)) is True
    assert not fut.done()


@pytest.mark.parametrize(
    "janus",
    ["event", "webrtcup", "media", "slowlink", "hangup", "detached", "trickle", "timeout", "x"],
)
@pytest.mark.parametrize("transaction", [None, "never-registered"])
async def test_unknown_transaction_events_are_routed(janus: str, transaction: str | None) -> None:
    table = TransactionTable()
    table.register("other", "h", "message")
    assert table.resolve(msg(janus, transaction, session_id=1, sender=2)) is True


@pytest.mark.parametrize("janus", ["ack", "success", "error", "server_info", "pong"])
@pytest.mark.parametrize("transaction", [None, "never-registered"])
async def test_unknown_transaction_replies_are_dropped(janus: str, transaction: str | None) -> None:
    table = TransactionTable()
    fut = table.register("other", "h", "message")
    assert table.resolve(msg(janus, transaction)) is False
    assert not fut.done()


async def test_reply_after_future_cancelled_does_not_raise() -> None:
    table = TransactionTable()
    fut = table.register("t", "h", "info")
    fut.cancel()
    assert table.resolve(msg("server_info", "t")) is False


async def test_discard_removes_entry_and_owner_bookkeeping() -> None:
    table = TransactionTable()
    table.register("a", "h1", "message")
    table.register("b", "h1", "message")
    table.register("c", "h2", "message")
    assert table.pending_for("h1") == 2
    assert table.pending_for("h2") == 1
    table.discard("a")
    assert "a" not in table
    assert len(table) == 2
    assert table.pending_for("h1") == 1
    table.discard("b")
    assert table.pending_for("h1") == 0
    table.discard("b")  # twice: ignored
    table.discard("zzz")  # unknown: ignored
    assert len(table) == 1
    # after discard, a reply is no longer matched
    assert table.resolve(msg("success", "a")) is False
    # and the id can be registered again
    fut = table.register("a", "h1", "message")
    assert not fut.done()


async def test_pending_for_unknown_owner() -> None:
    assert TransactionTable().pending_for(object()) == 0


async def test_fail_owner_fails_only_that_owner() -> None:
    table = TransactionTable()
    a1 = table.register("a1", "A", "message")
    a2 = table.register("a2", "A", "message", wait_event=True)
    b1 = table.register("b1", "B", "message")
    exc = RuntimeError("handle detached")
    assert table.fail_owner("A", exc) == 2
    for fut in (a1, a2):
        assert fut.done()
        assert fut.exception() is exc
    assert not b1.done()
    assert "a1" not in table
    assert "a2" not in table
    assert "b1" in table
    assert table.pending_for("A") == 0
    assert table.pending_for("B") == 1
    assert len(table) == 1
    assert table.fail_owner("A", exc) == 0


async def test_fail_owner_skips_done_futures() -> None:
    table = TransactionTable()
    fut = table.register("t", "A", "message")
    table.resolve(msg("success", "t"))
    table.fail_owner("A", RuntimeError("x"))
    assert fut.exception() is None
    assert fut.result().kind is MessageKind.SUCCESS


async def test_fail_all() -> None:
    table = TransactionTable()
    futs = [table.register(f"t{i}", f"owner{i % 3}", "message") for i in range(6)]
    exc = ConnectionError("gone")
    assert table.fail_all(exc) == 6
    assert len(table) == 0
    for fut in futs:
        assert fut.exception() is exc
    for i in range(3):
        assert table.pending_for(f"owner{i}") == 0
    assert table.fail_all(exc) == 0


async def test_failed_future_raises_in_awaiter() -> None:
    table = TransactionTable()
    fut = table.register("t", "A", "create")

    async def waiter() -> Incoming:
        return await fut

    task = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    table.fail_all(ConnectionError("closed"))
    with pytest.raises(ConnectionError, match="closed"):
        await task


async def test_duplicate_register_raises() -> None:
    table = TransactionTable()
    fut = table.register("t", "A", "message")
    with pytest.raises(ValueError, match="already pending"):
        table.register("t", "B", "message")
    # the original entry is untouched
    assert table.pending_for("A") == 1
    assert table.pending_for("B") == 0
    assert table.resolve(msg("success", "t")) is False
    assert fut.done()


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


@pytest.mark.property
async def test_transaction_table_state_machine() -> None:
    # The table creates its futures on the running loop: run the machine inside it.
    run_state_machine_as_test(
        TableMachine, settings=settings(CI, max_examples=200, stateful_step_count=40)
    )
