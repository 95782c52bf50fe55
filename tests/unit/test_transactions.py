"""Unit tests for transaction matching (janus_client.transactions.TransactionTable)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from janus_client.protocol import Incoming, MessageKind, classify
from janus_client.transactions import TransactionTable


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
