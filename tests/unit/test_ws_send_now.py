"""The WebSocket transport's short path for requests (issue 21).

When the connection is open and its write buffer has room, a request is framed
and written at once instead of through websockets' ``send`` coroutine (its
async context manager and its ``drain``). Whatever stands in the way (a full
write buffer, a subclass with its own ``_send``, websockets logging frames at
DEBUG) takes websockets' own way, and the outcome is the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from janus_client import JanusSession, JanusTransport
from janus_client.errors import ConnectionClosedError
from janus_client.testing import FakeJanus
from janus_client.transports import websocket as ws_module
from janus_client.transports.websocket import JanusTransportWebsocket

ECHO = "janus.plugin.echotest"


class SendCounter:
    """Counts the calls of websockets' ``send`` and of its protocol's ``send_text``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sends = 0
        self.frames_by_websockets = 0
        original_send = ws_module._Connection.send

        async def send(conn: Any, message: Any, *args: Any, **kwargs: Any) -> None:
            self.sends += 1
            await original_send(conn, message, *args, **kwargs)

        monkeypatch.setattr(ws_module._Connection, "send", send)
        self._monkeypatch = monkeypatch

    def watch_protocol(self, transport: JanusTransportWebsocket) -> None:
        ws = transport.ws
        assert ws is not None
        original = ws.protocol.send_text

        def send_text(data: bytes, fin: bool = True) -> None:
            self.frames_by_websockets += 1
            original(data, fin)

        self._monkeypatch.setattr(ws.protocol, "send_text", send_text)


async def _cycle(transport: JanusTransport) -> None:
    session = JanusSession(transport=transport)
    await session.create()
    handle = await session.attach(ECHO)
    await handle.detach()
    await session.destroy()


@pytest.fixture
async def transport(fake_janus: FakeJanus) -> AsyncIterator[JanusTransportWebsocket]:
    transport = JanusTransport.create_transport(fake_janus.ws_url)
    assert isinstance(transport, JanusTransportWebsocket)
    async with transport:
        await transport.connect()
        yield transport


async def test_requests_are_written_without_websockets_send(
    transport: JanusTransportWebsocket, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = SendCounter(monkeypatch)
    counter.watch_protocol(transport)
    await _cycle(transport)
    assert counter.sends == 0
    assert counter.frames_by_websockets == 0  # framed by the transport itself


async def test_a_full_write_buffer_takes_websockets_send(
    transport: JanusTransportWebsocket, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = SendCounter(monkeypatch)
    ws = transport.ws
    assert isinstance(ws, ws_module._Connection)
    ws.paused = True  # as if the kernel's buffer were full: send() must wait for room
    session = JanusSession(transport=transport)
    # websockets writes the request, then waits in its drain for room; the reply
    # ends that wait (a call decided while sending stops its send).
    await asyncio.wait_for(session.create(), 5)
    assert counter.sends == 1
    ws.resume_writing()
    await session.destroy()
    await _cycle(transport)
    assert counter.sends == 1  # once there is room, requests take the short path again


async def test_websockets_frames_them_when_it_logs_frames(
    transport: JanusTransportWebsocket, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = SendCounter(monkeypatch)
    counter.watch_protocol(transport)
    ws = transport.ws
    assert ws is not None
    monkeypatch.setattr(ws.protocol, "debug", True)  # websockets logs "> TEXT ..." then
    await _cycle(transport)
    assert counter.sends == 0
    assert counter.frames_by_websockets == 4


async def test_a_subclass_with_its_own_send_gets_every_request(fake_janus: FakeJanus) -> None:
    seen: list[str] = []

    class Recording(JanusTransportWebsocket):
        async def _send(self, message: dict[str, Any]) -> None:
            seen.append(message["janus"])
            await super()._send(message)

    async with Recording(fake_janus.ws_url) as transport:
        await _cycle(transport)
    assert seen == ["create", "attach", "detach", "destroy"]


async def test_a_request_that_is_not_json_leaves_the_connection_up(
    transport: JanusTransportWebsocket,
) -> None:
    with pytest.raises(TypeError):
        await transport.request({"janus": "info", "bad": object()})
    with pytest.raises(ValueError, match="'bad' is nan"):
        await transport.request({"janus": "info", "bad": float("nan")})
    assert transport.pending_count == 0
    assert transport.connected
    await _cycle(transport)


async def test_a_failed_write_fails_the_call_and_aborts_the_connection(
    transport: JanusTransportWebsocket, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = transport.ws
    assert ws is not None

    def broken(data: bytes) -> None:
        raise RuntimeError("the socket is gone")

    monkeypatch.setattr(ws.transport, "write", broken)
    with pytest.raises(ConnectionClosedError, match="failed while sending: the socket is gone"):
        await transport.request({"janus": "info"})
    assert transport.pending_count == 0
    await asyncio.wait_for(transport.receive_message(), 5)  # the reader saw the abort
    assert not transport.connected


def _parse(data: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    parser = Frame.parse(reader.read_exact, mask=True)
    try:
        next(parser)
    except StopIteration as done:
        frame: Frame = done.value
        return frame
    raise AssertionError("incomplete frame")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70000])
def test_frames_are_what_websockets_reads(size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    data = ws_module._masked_text_frame(payload)
    frame = _parse(data)
    assert frame.opcode is Opcode.TEXT
    assert frame.fin
    assert not (frame.rsv1 or frame.rsv2 or frame.rsv3)
    assert frame.data == payload
    # websockets' own serialisation has the same length (header, mask, payload)
    expected = Frame(Opcode.TEXT, payload).serialize(mask=True)
    assert len(data) == len(expected)
    assert data[:2] == expected[:2]


def test_each_frame_has_its_own_mask() -> None:
    masks = {ws_module._masked_text_frame(b"{}")[2:6] for _ in range(20)}
    assert len(masks) > 1


async def test_the_installed_websockets_has_what_the_short_paths_use(
    transport: JanusTransportWebsocket,
) -> None:
    # Fails on a websockets release that changed what `send_now` / `data_received`
    # rely on (they then fall back to websockets' own ways): check them against it.
    ws = transport.ws
    assert isinstance(ws, ws_module._Connection)
    assert ws.direct and ws.framing and ws.parsing
