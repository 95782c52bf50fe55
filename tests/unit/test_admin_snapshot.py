"""Unit tests for the admin snapshot walk and watch() (no server: a stub answers)."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator
from typing import Any

import pytest

from janus_client import HandleInfo, JanusAdminMonitorClient, UnauthorizedError
from janus_client.admin import (
    AdminSnapshot,
    SessionSnapshot,
)
from janus_client.errors import HandleNotFoundError, SessionNotFoundError


# ------------------------------------------------------------------ snapshot and watch
def _info(sid: int, hid: int, plugin: str = "janus.plugin.echotest") -> HandleInfo:
    return HandleInfo(session_id=sid, handle_id=hid, plugin=plugin)


class StubAdmin:
    """The three requests of a walk, over a table that tests change mid-walk."""

    def __init__(self, table: dict[int, list[int]]) -> None:
        self.table = table
        self.calls: list[tuple[Any, ...]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.on_list_handles: Any = None
        self.on_handle_info: Any = None
        self.fail_with: BaseException | None = None

    async def _step(self) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0)
        self.in_flight -= 1

    async def list_sessions(self, *, timeout: float | None = None) -> list[int]:
        self.calls.append(("list_sessions", timeout))
        await self._step()
        return list(self.table)

    async def list_handles(self, session_id: int, *, timeout: float | None = None) -> list[int]:
        self.calls.append(("list_handles", session_id))
        if self.on_list_handles is not None:
            self.on_list_handles(session_id)
        await self._step()
        if session_id not in self.table:
            raise SessionNotFoundError("No such session", code=458, request="list_handles")
        return list(self.table[session_id])

    async def handle_info(
        self,
        session_id: int,
        handle_id: int,
        *,
        plugin_only: bool = False,
        timeout: float | None = None,
    ) -> HandleInfo:
        self.calls.append(("handle_info", session_id, handle_id, plugin_only))
        if self.on_handle_info is not None:
            self.on_handle_info(session_id, handle_id)
        await self._step()
        if self.fail_with is not None:
            raise self.fail_with
        if session_id not in self.table:
            raise SessionNotFoundError("No such session", code=458, request="handle_info")
        if handle_id not in self.table[session_id]:
            raise HandleNotFoundError("No such handle", code=459, request="handle_info")
        return _info(session_id, handle_id)


@contextlib.asynccontextmanager
async def _admin(stub: StubAdmin) -> AsyncIterator[JanusAdminMonitorClient]:
    """A real client, never connected, whose three walk requests are the stub's."""
    client = JanusAdminMonitorClient("http://127.0.0.1:9/admin", "secret")
    client.list_sessions = stub.list_sessions  # type: ignore[method-assign]
    client.list_handles = stub.list_handles  # type: ignore[method-assign]
    client.handle_info = stub.handle_info  # type: ignore[method-assign]
    try:
        yield client
    finally:
        await client.close()
    assert not client.connected


async def test_snapshot_walks_sessions_handles_and_infos() -> None:
    stub = StubAdmin({10: [1, 2], 20: [], 30: [3]})
    async with _admin(stub) as admin:
        snap = await admin.snapshot(timeout=2.0)
    assert isinstance(snap, AdminSnapshot)
    assert snap.session_ids == (10, 20, 30)
    assert [(h.session_id, h.handle_id) for h in snap.handles()] == [(10, 1), (10, 2), (30, 3)]
    assert snap.session(20) == SessionSnapshot(20, ())
    assert snap.session(99) is None
    assert len(snap.by_plugin("janus.plugin.echotest")) == 3
    assert snap.by_plugin("janus.plugin.videoroom") == ()
    assert snap.vanished_sessions == () and snap.vanished_handles == ()
    assert snap.taken_at > 0
    assert ("list_sessions", 2.0) in stub.calls


async def test_snapshot_records_sessions_and_handles_that_vanish_mid_walk() -> None:
    stub = StubAdmin({10: [1, 2], 20: [4], 30: [3, 5]})

    def lose_session(sid: int) -> None:
        if sid == 20:  # destroyed between list_sessions and its list_handles
            stub.table.pop(20, None)

    def lose_handles(sid: int, hid: int) -> None:
        if (sid, hid) == (10, 1):  # detached between list_handles and handle_info
            stub.table[10].remove(1)
        if (sid, hid) == (30, 3):  # the whole session goes between the two
            stub.table.pop(30, None)

    stub.on_list_handles = lose_session
    stub.on_handle_info = lose_handles
    async with _admin(stub) as admin:
        snap = await admin.snapshot(plugin_only=True)
    assert snap.vanished_sessions == (20,)
    assert set(snap.vanished_handles) == {(10, 1), (30, 3), (30, 5)}
    assert [(h.session_id, h.handle_id) for h in snap.handles()] == [(10, 2)]
    assert snap.session_ids == (10, 30)
    assert all(c[3] is True for c in stub.calls if c[0] == "handle_info")


async def test_snapshot_bounds_requests_in_flight() -> None:
    stub = StubAdmin({sid: list(range(1, 6)) for sid in range(1, 8)})
    async with _admin(stub) as admin:
        snap = await admin.snapshot(concurrency=3)
    assert len(list(snap.handles())) == 35
    assert 1 < stub.most_in_flight <= 3


async def test_snapshot_raises_other_errors() -> None:
    stub = StubAdmin({10: [1]})
    stub.fail_with = UnauthorizedError("Unauthorized request", code=403, request="handle_info")
    async with _admin(stub) as admin:
        with pytest.raises(UnauthorizedError):
            await admin.snapshot()


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"concurrency": 0}, ValueError, "concurrency"),
        ({"concurrency": 2.5}, TypeError, "concurrency"),
        ({"concurrency": True}, TypeError, "concurrency"),
        ({"plugin_only": "yes"}, TypeError, "plugin_only"),
    ],
)
async def test_snapshot_checks_arguments_before_sending(
    kwargs: dict[str, Any], error: type[Exception], name: str
) -> None:
    stub = StubAdmin({10: [1]})
    async with _admin(stub) as admin:
        with pytest.raises(error, match=name):
            await admin.snapshot(**kwargs)
    assert stub.calls == []


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"interval": 0}, ValueError, "interval"),
        ({"interval": -1.0}, ValueError, "interval"),
        ({"interval": math.nan}, ValueError, "interval"),
        ({"interval": "1"}, TypeError, "interval"),
        ({"interval": 1.0, "concurrency": 0}, ValueError, "concurrency"),
        ({"interval": 1.0, "plugin_only": 1}, TypeError, "plugin_only"),
    ],
)
async def test_watch_checks_arguments_at_once(
    kwargs: dict[str, Any], error: type[Exception], name: str
) -> None:
    stub = StubAdmin({10: [1]})
    async with _admin(stub) as admin:
        with pytest.raises(error, match=name):
            admin.watch(**kwargs)
    assert stub.calls == []


async def test_watch_yields_fresh_snapshots_until_closed() -> None:
    stub = StubAdmin({10: [1]})
    seen: list[tuple[int, ...]] = []
    async with _admin(stub) as admin, contextlib.aclosing(admin.watch(0.01)) as snapshots:
        async for snap in snapshots:
            seen.append(snap.session_ids)
            if len(seen) == 1:
                stub.table[20] = [2]  # a new session appears before the next walk
            if len(seen) == 3:
                break
    assert seen == [(10,), (10, 20), (10, 20)]
    assert sum(1 for c in stub.calls if c[0] == "list_sessions") == 3
