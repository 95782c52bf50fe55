"""The WebSocket transport reads small data frames itself (issue 21).

``_Connection.data_received`` reads complete, small, final text and binary
frames and hands them to the transport; every other frame goes to websockets
byte for byte. These tests send raw frame bytes, split anyhow, and check that
messages arrive whole and in order, and that what websockets did (pongs, the
closing handshake, close codes) still happens.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from test_ws_fast_path import Recorder, ScriptedServer, _connected, server  # noqa: F401
from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode

from janus_client import JanusTransport
from janus_client.transports import websocket as ws_module
from janus_client.transports.websocket import JanusTransportWebsocket


def _frame(n: int, *, pad: int = 0, binary: bool = False) -> bytes:
    text = json.dumps({"janus": "keepalive", "n": n, "pad": "x" * pad})
    if binary:
        return Frame(Opcode.BINARY, text.encode()).serialize(mask=False)
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


async def _write_in_pieces(conn: ServerConnection, data: bytes, size: int) -> None:
    for start in range(0, len(data), size):
        conn.transport.write(data[start : start + size])
        await asyncio.sleep(0.002)  # separate reads on the client's side


def _numbers(recorder: Recorder) -> list[int]:
    return [m["n"] for m in recorder.messages()]


async def _failed_with(transport: JanusTransportWebsocket, code: int) -> None:
    """Wait for the reader to see the end; websockets closed with ``code``."""
    await asyncio.wait_for(transport.receive_message(), 5)
    assert not transport.connected
    ws = transport.ws
    assert ws is not None and ws.protocol.close_sent is not None
    assert ws.protocol.close_sent.code == code


@pytest.mark.parametrize("piece", [1, 3, 7, 1000])
async def test_frames_split_anyhow_arrive_whole_and_in_order(
    server: ScriptedServer,  # noqa: F811
    piece: int,
) -> None:
    data = (
        _frame(1)
        + _frame(2, pad=200)  # 16-bit length
        + _frame(3, binary=True)
        + _frame(4, pad=300)
        + _frame(5)
    )

    async def script(conn: ServerConnection) -> None:
        await _write_in_pieces(conn, data, piece)

    server.script = script
    transport, recorder = await _connected(server.url)
    try:
        ws = transport.ws
        assert isinstance(ws, ws_module._Connection) and ws.parsing
        await recorder.wait_for(5)
        assert _numbers(recorder) == [1, 2, 3, 4, 5]
        assert {via for _, via in recorder.items} == {"short"}
        assert isinstance(recorder.items[2][0], bytes)
        assert transport.connected
    finally:
        await transport.close()


async def test_large_messages_go_to_websockets_and_order_is_kept(
    server: ScriptedServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed_by_websockets: list[int] = []
    original = ws_module._Connection.process_event

    def process_event(conn: ws_module._Connection, event: object) -> None:
        if isinstance(event, Frame) and event.opcode in (Opcode.TEXT, Opcode.BINARY):
            parsed_by_websockets.append(json.loads(event.data)["n"])
        original(conn, event)

    monkeypatch.setattr(ws_module._Connection, "process_event", process_event)
    big = ws_module._SMALL_FRAME + 10
    data = (
        _frame(1)
        + _frame(2, pad=big)  # 64-bit length, read by websockets
        + _frame(3)  # behind it: must not overtake it
        + _frame(4, pad=big, binary=True)
        + _frame(5)
    )

    async def script(conn: ServerConnection) -> None:
        await _write_in_pieces(conn, data, 50_000)

    server.script = script
    transport, recorder = await _connected(server.url)
    try:
        await recorder.wait_for(5)
        assert _numbers(recorder) == [1, 2, 3, 4, 5]
        assert parsed_by_websockets == [2, 4]  # only the large ones
        assert len(recorder.messages()[1]["pad"]) == big
        ws = transport.ws
        assert isinstance(ws, ws_module._Connection)
        await _settled(ws)
        assert ws.parsing and not ws.held and not ws.passing  # back at a frame boundary
    finally:
        await transport.close()


async def _settled(ws: ws_module._Connection) -> None:
    for _ in range(100):
        if not ws.queued:
            return
        await asyncio.sleep(0.01)


async def test_pings_are_answered_between_messages(server: ScriptedServer) -> None:  # noqa: F811
    pongs: list[float] = []

    async def script(conn: ServerConnection) -> None:
        conn.transport.write(_frame(1))
        waiter = await conn.ping(b"are you there")
        conn.transport.write(_frame(2))
        pongs.append(await asyncio.wait_for(waiter, 5))
        conn.transport.write(_frame(3) + Frame(Opcode.PING, b"again").serialize(mask=False))
        pongs.append(await asyncio.wait_for(await conn.ping(b"third"), 5))

    server.script = script
    transport, recorder = await _connected(server.url)
    try:
        await recorder.wait_for(3)
        await asyncio.wait_for(server.done.wait(), 5)
        assert _numbers(recorder) == [1, 2, 3]
        assert len(pongs) == 2
        assert transport.connected
    finally:
        await transport.close()


async def test_a_message_over_max_size_fails_the_connection_with_1009(
    server: ScriptedServer,  # noqa: F811
) -> None:
    async def script(conn: ServerConnection) -> None:
        conn.transport.write(_frame(1) + _frame(2, pad=2000) + _frame(3))

    server.script = script
    transport = JanusTransport.create_transport(server.url, max_size=1000)
    assert isinstance(transport, JanusTransportWebsocket)
    recorder = Recorder(transport)
    await transport.connect()
    await transport._send_raw("go")
    try:
        await recorder.wait_for(1)
        await _failed_with(transport, 1009)  # message too big
        assert _numbers(recorder) == [1]
    finally:
        await transport.close()


async def test_a_masked_frame_from_the_server_is_a_protocol_error(
    server: ScriptedServer,  # noqa: F811
) -> None:
    async def script(conn: ServerConnection) -> None:
        masked = Frame(Opcode.TEXT, b'{"janus": "keepalive", "n": 2}').serialize(mask=True)
        conn.transport.write(_frame(1) + masked + _frame(3))

    server.script = script
    transport, recorder = await _connected(server.url)
    try:
        await recorder.wait_for(1)
        await _failed_with(transport, 1002)  # protocol error
        assert _numbers(recorder) == [1]
    finally:
        await transport.close()


async def test_reserved_bits_are_a_protocol_error(server: ScriptedServer) -> None:  # noqa: F811
    async def script(conn: ServerConnection) -> None:
        bad = bytearray(_frame(2))
        bad[0] |= 0x40  # RSV1, with no extension that defines it
        conn.transport.write(_frame(1) + bytes(bad))

    server.script = script
    transport, recorder = await _connected(server.url)
    try:
        await recorder.wait_for(1)
        await _failed_with(transport, 1002)
    finally:
        await transport.close()


async def test_the_server_closing_completes_the_closing_handshake(
    server: ScriptedServer,  # noqa: F811
) -> None:
    async def script(conn: ServerConnection) -> None:
        conn.transport.write(_frame(1))
        await conn.close(1001, "going away")

    server.script = script
    transport, recorder = await _connected(server.url)
    try:
        await recorder.wait_for(1)
        await asyncio.wait_for(transport.receive_message(), 5)
        assert not transport.connected
        ws = transport.ws
        assert ws is not None
        assert ws.protocol.close_rcvd is not None and ws.protocol.close_rcvd.code == 1001
        assert ws.protocol.close_sent is not None  # websockets answered the close
        assert not ws.parsing  # once not open, every byte goes to websockets
    finally:
        await transport.close()


async def test_a_whole_message_inside_a_fragmented_one_is_a_protocol_error(
    server: ScriptedServer,  # noqa: F811
) -> None:
    # RFC 6455 5.4: between the fragments of a message only control frames may come.
    async def script(conn: ServerConnection) -> None:
        first = Frame(Opcode.TEXT, b'{"janus": "keepalive", ', fin=False)
        conn.transport.write(_frame(1) + first.serialize(mask=False))
        await asyncio.sleep(0.1)  # the reader task takes the first fragment meanwhile
        rest = Frame(Opcode.CONT, b'"n": 3}').serialize(mask=False)
        conn.transport.write(_frame(2) + rest)

    server.script = script
    transport, recorder = await _connected(server.url)
    try:
        await recorder.wait_for(1)
        await _failed_with(transport, 1002)  # "expected a continuation frame"
        assert _numbers(recorder) == [1]
    finally:
        await transport.close()
