"""The WebSocket transport's short path for replies (issue 21).

A complete text or binary frame goes from websockets' ``process_event`` straight
to the transport's ``_receive``; fragmented messages, and anything queued behind
one, are read by the reader task. These tests run both ways (short path and the
reader alone) against a scripted WebSocket server and expect the same outcome.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import ServerConnection, serve

from janus_client import JanusSession, JanusTransport
from janus_client.testing import FakeJanus
from janus_client.transports import websocket as ws_module
from janus_client.transports.websocket import JanusTransportWebsocket, fast_path_supported

Script = Callable[[ServerConnection], Awaitable[None]]


class ScriptedServer:
    """A WebSocket server speaking janus-protocol that plays one script per connection."""

    def __init__(self) -> None:
        self.script: Script | None = None
        self.done = asyncio.Event()
        self.url = ""

    async def handler(self, conn: ServerConnection) -> None:
        try:
            await conn.recv()  # the client's go: its connection is fully set up
            if self.script is not None:
                await self.script(conn)
        finally:
            self.done.set()
        await conn.wait_closed()


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    scripted = ScriptedServer()
    async with serve(
        scripted.handler,
        "127.0.0.1",
        0,
        subprotocols=[websockets.Subprotocol("janus-protocol")],
        compression=None,
    ) as srv:
        port = next(iter(srv.sockets)).getsockname()[1]
        scripted.url = f"ws://127.0.0.1:{port}"
        yield scripted


@pytest.fixture(params=["short-path", "process-event", "reader-only"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the short path, then with the reader task alone (the fallback).

    ``short-path`` reads frames in ``data_received``; ``process-event`` leaves
    parsing to websockets and takes complete messages from ``process_event``.
    """
    if request.param == "reader-only":
        monkeypatch.setattr(ws_module, "_FAST_PATH", False)
    elif request.param == "process-event":
        monkeypatch.setattr(ws_module, "_READ_FRAMES", False)
    return "short-path" if request.param == "process-event" else str(request.param)


class Recorder:
    """Records what reaches the transport's ``_receive`` and from where."""

    def __init__(self, transport: JanusTransportWebsocket) -> None:
        self.items: list[tuple[str | bytes | bytearray, str]] = []
        self.count = 0
        self.enough = asyncio.Event()
        original = transport._receive

        def receive(data: str | bytes | bytearray) -> None:
            reader = transport.receive_message_task
            via = "reader" if asyncio.current_task() is reader else "short"
            self.items.append((data, via))
            if len(self.items) >= self.count:
                self.enough.set()
            original(data)

        transport._receive = receive  # type: ignore[method-assign]

    def messages(self) -> list[Any]:
        return [json.loads(data) for data, _ in self.items]

    async def wait_for(self, count: int) -> None:
        self.count = count
        if len(self.items) < count:
            self.enough.clear()
            await asyncio.wait_for(self.enough.wait(), 5)


async def _connected(url: str) -> tuple[JanusTransportWebsocket, Recorder]:
    transport = JanusTransport.create_transport(url)
    assert isinstance(transport, JanusTransportWebsocket)
    recorder = Recorder(transport)
    await transport.connect()
    await transport._send_raw("go")
    return transport, recorder


def test_the_installed_websockets_has_the_seam() -> None:
    # Fails on a websockets release that changed the hook the short path uses:
    # then check `_Connection.process_event` against the new release.
    assert fast_path_supported()


async def test_replies_skip_the_reader_task(fake_janus: FakeJanus) -> None:
    transport = JanusTransport.create_transport(fake_janus.ws_url)
    assert isinstance(transport, JanusTransportWebsocket)
    recorder = Recorder(transport)
    async with transport:
        session = JanusSession(transport=transport)
        await session.create()
        handle = await session.attach("janus.plugin.echotest")
        await handle.detach()
        await session.destroy()
        ws = transport.ws
        assert isinstance(ws, ws_module._Connection)
        assert ws.sink is not None
        assert recorder.items, "nothing was received"
        assert {via for _, via in recorder.items} == {"short"}


async def test_without_the_seam_the_reader_does_it_all(
    fake_janus: FakeJanus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(ws_module._Connection, "deliver_to")

    def unchanged(self: Any, sink: Any) -> bool:
        return False  # as if websockets' assembler had no queue to look at

    monkeypatch.setattr(ws_module._Connection, "deliver_to", unchanged, raising=False)
    transport = JanusTransport.create_transport(fake_janus.ws_url)
    assert isinstance(transport, JanusTransportWebsocket)
    recorder = Recorder(transport)
    async with transport:
        async with JanusSession(transport=transport) as session:
            handle = await session.attach("janus.plugin.echotest")
            reply = await handle.send({"audio": True})
            assert reply.kind == "event"
        ws = transport.ws
        assert isinstance(ws, ws_module._Connection)
        assert ws.sink is None
        assert recorder.items
        assert {via for _, via in recorder.items} == {"reader"}


def test_the_seam_check_notices_a_missing_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(ClientConnection, "process_event")
    assert not fast_path_supported()


async def test_fallback_uses_a_plain_connection(fake_janus: FakeJanus, path: str) -> None:
    async with JanusSession(fake_janus.ws_url) as session:
        handle = await session.attach("janus.plugin.echotest")
        assert (await handle.send({"audio": True})).kind == "event"
        ws = session.transport.ws  # type: ignore[attr-defined]
        assert isinstance(ws, ws_module._Connection) == (path == "short-path")


async def test_fragmented_messages_keep_their_order(server: ScriptedServer, path: str) -> None:
    async def script(conn: ServerConnection) -> None:
        await conn.send(json.dumps({"janus": "keepalive", "n": 1}))
        # A fragmented message (three frames), then whole ones right behind it.
        await conn.send(['{"janus": "keepalive",', ' "n": 2, "pad": "', "x" * 50 + '"}'])
        await conn.send(json.dumps({"janus": "keepalive", "n": 3}))
        await conn.send(json.dumps({"janus": "keepalive", "n": 4}).encode())  # binary
        await conn.send([b'{"janus": "keepalive", ', b'"n": 5}'])  # fragmented binary
        await conn.send(json.dumps({"janus": "keepalive", "n": 6}))

    server.script = script
    transport, recorder = await _connected(server.url)
    try:
        await recorder.wait_for(6)
        assert [m["n"] for m in recorder.messages()] == [1, 2, 3, 4, 5, 6]
        vias = [via for _, via in recorder.items]
        # Fragmented messages are always read by the reader task.
        assert vias[1] == vias[4] == "reader"
        if path == "short-path":
            assert vias[0] == "short"
        else:
            assert set(vias) == {"reader"}
        assert isinstance(recorder.items[3][0], bytes)
        assert transport.connected
    finally:
        await transport.close()


async def test_a_message_after_a_fragmented_one_is_not_overtaken(
    server: ScriptedServer, path: str
) -> None:
    # Frames written in one go: the whole message behind the fragmented one is
    # parsed in the same data_received, while the fragments wait for the reader.
    async def script(conn: ServerConnection) -> None:
        from websockets.frames import Frame, Opcode

        frames = [
            Frame(Opcode.TEXT, b'{"janus": "keepalive", ', fin=False),
            Frame(Opcode.CONT, b'"n": 1}', fin=True),
            Frame(Opcode.TEXT, b'{"janus": "keepalive", "n": 2}'),
            Frame(Opcode.TEXT, b'{"janus": "keepalive", "n": 3}'),
        ]
        for frame in frames:
            conn.protocol.send_frame(frame)
        conn.send_data()

    server.script = script
    transport, recorder = await _connected(server.url)
    try:
        await recorder.wait_for(3)
        assert [m["n"] for m in recorder.messages()] == [1, 2, 3]
        assert recorder.items[0][1] == "reader"
    finally:
        await transport.close()


async def test_bad_json_is_dropped_with_a_warning(
    server: ScriptedServer, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def script(conn: ServerConnection) -> None:
        await conn.send("{not json")
        await conn.send(b"\xff\xfe binary, not UTF-8")
        await conn.send('{"janus": "keepalive"} trailing')
        await conn.send("  " + json.dumps({"janus": "keepalive", "n": 1}) + "\n")
        await conn.send("[1, 2")
        await conn.send(json.dumps({"janus": "keepalive", "n": 2}))

    server.script = script
    with caplog.at_level(logging.WARNING, logger="janus_client"):
        transport, recorder = await _connected(server.url)
        try:
            await recorder.wait_for(6)
            assert transport.connected
        finally:
            await transport.close()
    dropped = [r for r in caplog.records if "undecodable" in r.getMessage()]
    assert len(dropped) == 4, [r.getMessage() for r in caplog.records]
    # (whitespace around a document is JSON too: that one is not dropped)
    assert all(r.levelno == logging.WARNING for r in dropped)


async def test_text_that_is_not_utf8_fails_the_connection(
    server: ScriptedServer, path: str
) -> None:
    # As websockets does (RFC 6455: close code 1007), whichever way frames are read.
    async def script(conn: ServerConnection) -> None:
        await conn.send(json.dumps({"janus": "keepalive", "n": 1}))
        await conn.send(b'{"janus": "keepalive", "bad": "\xff\xfe"}', text=True)
        await conn.send(json.dumps({"janus": "keepalive", "n": 2}))

    server.script = script
    transport, recorder = await _connected(server.url)
    try:
        await recorder.wait_for(1)
        await asyncio.wait_for(transport.receive_message(), 5)  # the reader saw the end
        assert not transport.connected
        ws = transport.ws
        assert ws is not None and ws.protocol.close_sent is not None
        assert ws.protocol.close_sent.code == 1007  # invalid frame payload data
        assert [m["n"] for m in recorder.messages()] == [1]
    finally:
        await transport.close()
