"""Unit tests for event delivery (janus_client._dispatch)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from janus_client._dispatch import EventDispatcher, EventStream, cancel_and_wait


class Ev:
    def __init__(self, n: int) -> None:
        self.n = n

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.n})"


class A(Ev):
    pass


class B(Ev):
    pass


class C(Ev):
    pass


async def test_stream_receives_published_events_in_order() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    s = d.stream()
    assert isinstance(s, EventStream)
    events = [A(1), B(2), A(3)]
    for e in events:
        d.publish(e)
    assert s.pending() == 3
    got = [await s.get(1) for _ in range(3)]
    assert got == events
    assert s.pending() == 0


async def test_stream_type_filter() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    only_a = d.stream((A,))
    a_or_c = d.stream((A, C))
    everything = d.stream()
    evs = [A(1), B(2), C(3), A(4)]
    for e in evs:
        d.publish(e)
    await d.aclose()
    assert [e async for e in only_a] == [evs[0], evs[3]]
    assert [e async for e in a_or_c] == [evs[0], evs[2], evs[3]]
    assert [e async for e in everything] == evs


async def test_several_streams_each_get_every_event() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    s1, s2 = d.stream(), d.stream()
    e = A(1)
    d.publish(e)
    assert await s1.get(1) is e
    assert await s2.get(1) is e


async def test_stream_opened_later_misses_earlier_events() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    d.publish(A(1))
    s = d.stream()
    d.publish(A(2))
    assert (await s.get(1)).n == 2
    assert s.pending() == 0


async def test_sync_and_async_callbacks_run_outside_publish() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    sync_seen: list[Ev] = []
    async_seen: list[Ev] = []

    def on_sync(e: Ev) -> None:
        sync_seen.append(e)

    async def on_async(e: Ev) -> None:
        await asyncio.sleep(0)
        async_seen.append(e)

    d.add_callback(on_sync)
    d.add_callback(on_async)
    e = A(1)
    d.publish(e)
    # publish returned before any callback ran
    assert sync_seen == []
    assert async_seen == []
    assert d.busy
    await d.drain()
    assert sync_seen == [e]
    assert async_seen == [e]
    assert not d.busy


async def test_callback_type_filter() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    seen: list[Ev] = []
    d.add_callback(seen.append, (B,))
    evs = [A(1), B(2), C(3), B(4)]
    for e in evs:
        d.publish(e)
    await d.drain()
    assert seen == [evs[1], evs[3]]


async def test_callbacks_preserve_order() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    seen: list[int] = []

    async def slow(e: Ev) -> None:
        # later events must not overtake an earlier, slower one
        await asyncio.sleep(0.001 * (5 - e.n % 5))
        seen.append(e.n)

    d.add_callback(slow)
    for i in range(20):
        d.publish(A(i))
    await d.drain()
    assert seen == list(range(20))


async def test_callbacks_called_in_registration_order_per_event() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    calls: list[tuple[str, int]] = []
    d.add_callback(lambda e: calls.append(("first", e.n)))
    d.add_callback(lambda e: calls.append(("second", e.n)))
    d.publish(A(1))
    d.publish(A(2))
    await d.drain()
    assert calls == [("first", 1), ("second", 1), ("first", 2), ("second", 2)]


async def test_raising_callback_is_logged_and_events_keep_flowing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    d: EventDispatcher[Ev] = EventDispatcher("my-handle")
    bad_seen: list[int] = []
    good_seen: list[int] = []

    def bad(e: Ev) -> None:
        bad_seen.append(e.n)
        if e.n == 1:
            raise RuntimeError("callback exploded")

    async def bad_async(e: Ev) -> None:
        if e.n == 2:
            raise KeyError("async exploded")

    d.add_callback(bad)
    d.add_callback(bad_async)
    d.add_callback(lambda e: good_seen.append(e.n))
    with caplog.at_level(logging.ERROR, logger="janus_client"):
        for i in (1, 2, 3):
            d.publish(A(i))
        await d.drain()
    assert bad_seen == [1, 2, 3]
    assert good_seen == [1, 2, 3]
    records = [r for r in caplog.records if r.name == "janus_client"]
    assert len(records) == 2
    assert all(r.levelno == logging.ERROR for r in records)
    assert records[0].exc_info is not None
    assert isinstance(records[0].exc_info[1], RuntimeError)
    assert isinstance(records[1].exc_info[1], KeyError)
    assert "my-handle" in records[0].getMessage()
    assert not d.busy


async def test_no_task_when_idle() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    assert not d.busy
    # streams alone never need a task
    d.stream()
    d.publish(A(1))
    assert not d.busy
    seen: list[Ev] = []
    d.add_callback(seen.append)
    d.publish(A(2))
    assert d.busy
    await d.drain()
    assert not d.busy
    assert d._task is None
    assert len(seen) == 1
    names = {t.get_name() for t in asyncio.all_tasks()}
    assert "janus-dispatch-t" not in names
    # and a new task appears again on demand
    d.publish(A(3))
    assert d.busy
    await d.drain()
    assert [e.n for e in seen] == [2, 3]
    assert not d.busy


async def test_drain_when_idle_returns() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    seen: list[Ev] = []
    d.add_callback(seen.append)
    assert not d.busy
    # Nothing to deliver: drain returns at once, starts no task, delivers nothing.
    assert await asyncio.wait_for(d.drain(), 1) is None
    assert not d.busy
    assert d._task is None
    assert seen == []
    # and the dispatcher still works after an idle drain
    d.publish(A(1))
    await asyncio.wait_for(d.drain(), 1)
    assert [e.n for e in seen] == [1]


async def test_remove_callback() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    seen: list[int] = []

    def cb(e: Ev) -> None:
        seen.append(e.n)

    d.add_callback(cb)
    d.publish(A(1))
    await d.drain()
    d.remove_callback(cb)
    d.remove_callback(cb)  # unknown: ignored
    d.publish(A(2))
    await d.drain()
    assert seen == [1]


async def test_add_callback_rejects_non_callable() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    with pytest.raises(TypeError, match="callable"):
        d.add_callback("not callable")  # type: ignore[arg-type]


async def test_aclose_ends_streams_after_buffered_events() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    s = d.stream()
    evs = [A(1), A(2)]
    for e in evs:
        d.publish(e)
    await d.aclose()
    d.publish(A(3))  # after close: dropped
    got = [e async for e in s]
    assert got == evs
    # the end is sticky
    assert [e async for e in s] == []
    with pytest.raises(EOFError):
        await s.get(1)


async def test_stream_opened_after_close_is_already_ended() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    await d.aclose()
    s = d.stream()
    with pytest.raises(EOFError):
        await s.get(1)


async def test_aclose_cancels_hung_callback() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    started = asyncio.Event()
    cancelled = asyncio.Event()
    later: list[Ev] = []

    async def hung(e: Ev) -> None:
        if e.n == 1:
            started.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.set()
                raise
        later.append(e)

    d.add_callback(hung)
    d.publish(A(1))
    d.publish(A(2))
    await asyncio.wait_for(started.wait(), 1)
    await asyncio.wait_for(d.aclose(wait=0.01), 1)
    assert cancelled.is_set()
    assert not d.busy
    assert later == []  # queued events are dropped
    d.publish(A(3))
    assert not d.busy


async def test_aclose_twice_is_harmless() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    s = d.stream()
    await d.aclose()
    await d.aclose()
    with pytest.raises(EOFError):
        await s.get(0.5)


async def test_stream_aclose_and_context_manager() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    async with d.stream() as s:
        d.publish(A(1))
    d.publish(A(2))  # the stream has left the dispatcher
    assert [e.n async for e in s] == [1]
    # the dispatcher still works for others
    s2 = d.stream()
    d.publish(A(3))
    assert (await s2.get(1)).n == 3


async def test_stream_get_timeout() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    s = d.stream()
    with pytest.raises(TimeoutError):
        await s.get(0.01)
    # still usable after a timeout, and nothing was lost
    d.publish(A(1))
    assert (await s.get(1)).n == 1


async def test_stream_get_eof() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    s = d.stream()
    await s.aclose()
    with pytest.raises(EOFError, match="ended"):
        await s.get(1)


async def test_stream_get_waits_for_a_later_event() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    s = d.stream()
    getter = asyncio.create_task(s.get(1))
    await asyncio.sleep(0)
    assert not getter.done()
    d.publish(B(7))
    assert (await getter).n == 7


async def test_async_callback_can_wait_for_a_later_publish() -> None:
    """A callback awaiting a reply that only a later publish() delivers must not deadlock."""
    d: EventDispatcher[Ev] = EventDispatcher("t")
    reply: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    results: list[tuple[int, int]] = []

    async def cb(e: Ev) -> None:
        if isinstance(e, A):
            # like a callback sending a request and awaiting its answer
            results.append((e.n, await reply))

    d.add_callback(cb)

    async def reader() -> None:
        # the transport's reader: publishes, then resolves the pending reply
        d.publish(A(1))
        await asyncio.sleep(0.01)
        assert d.busy  # the callback is blocked on the reply
        d.publish(B(2))  # returns at once although the drain task is blocked
        reply.set_result(2)

    await asyncio.wait_for(reader(), 1)
    await asyncio.wait_for(d.drain(), 1)
    assert results == [(1, 2)]


async def test_publish_returns_while_callback_blocks() -> None:
    d: EventDispatcher[Ev] = EventDispatcher("t")
    gate = asyncio.Event()
    seen: list[int] = []

    async def cb(e: Ev) -> None:
        if e.n == 0:
            await gate.wait()
        seen.append(e.n)

    d.add_callback(cb)
    d.publish(A(0))
    await asyncio.sleep(0)
    for i in range(1, 50):
        d.publish(A(i))  # never blocks
    assert seen == []

    d.publish(A(50))
    gate.set()
    await asyncio.wait_for(d.drain(), 1)
    assert seen == list(range(51))


async def test_callback_awaits_stream_fed_by_later_publish() -> None:
    """A callback may read the dispatcher's own stream for an event published later."""
    d: EventDispatcher[Ev] = EventDispatcher("t")
    s = d.stream((B,))
    got: list[int] = []

    async def cb(e: Ev) -> None:
        if isinstance(e, A):
            got.append((await s.get(1)).n)

    d.add_callback(cb)
    d.publish(A(1))
    await asyncio.sleep(0)
    d.publish(B(2))
    await asyncio.wait_for(d.drain(), 1)
    assert got == [2]


async def test_cancel_and_wait_helpers() -> None:
    await cancel_and_wait(None)

    async def forever() -> None:
        await asyncio.Event().wait()

    t = asyncio.create_task(forever())
    await asyncio.sleep(0)
    await cancel_and_wait(t)
    assert t.cancelled()

    async def boom() -> None:
        raise RuntimeError("x")

    t2 = asyncio.create_task(boom())
    await asyncio.sleep(0)
    await cancel_and_wait(t2)  # finished with an error: retrieved, not raised
    assert t2.done()
