"""The 0.9.x extension points against the real Janus, over WebSocket and HTTP.

(a) a plugin written the 0.9.x way (subclass `JanusPlugin`, set ``name``, implement
``on_receive``, drive ``pc`` / ``create_jsep`` / ``send`` / ``on_receive_jsep`` /
``trickle``) completes an EchoTest call with media; (b) transports written the 0.9.x
way (subclass `JanusTransport`, implement ``_connect`` / ``_disconnect`` / ``_send``,
feed replies to ``receive()``, register with ``protocol_matcher=``) carry create,
attach, message and destroy; (c) the 0.9.x-style acceptance suite
(``tests/compat090``) passes on this package.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import websockets

from janus_client import JanusSession, JanusTransport
from janus_client.plugin_base import JanusPlugin

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["ws", "http"])
def url(request: pytest.FixtureRequest, janus_ws_url: str, janus_http_url: str) -> str:
    return janus_ws_url if request.param == "ws" else janus_http_url


@pytest.fixture
def matchers() -> Iterator[None]:
    saved = list(JanusTransport._matchers)
    yield
    JanusTransport._matchers[:] = saved


# ------------------------------------------------------------- (a) custom plugin
class OldStyleEcho(JanusPlugin):
    """An EchoTest client written against the 0.9.x API only."""

    name = "janus.plugin.echotest"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.webrtcup = asyncio.Event()
        self.events: list[dict[str, Any]] = []

    async def on_receive(self, response: dict[str, Any]) -> None:
        self.events.append(response)
        if "jsep" in response:
            await self.on_receive_jsep(response["jsep"])
        if response["janus"] == "webrtcup":
            self.webrtcup.set()


async def test_0_9_style_plugin_echoes_media(url: str) -> None:
    from aiortc import RTCConfiguration, RTCPeerConnection, VideoStreamTrack
    from aiortc.mediastreams import MediaStreamError

    plugin = OldStyleEcho(pc_config=RTCConfiguration(iceServers=[]))
    frames = 0
    enough = asyncio.Event()
    consumers: list[asyncio.Task[None]] = []

    async def consume(track: Any) -> None:
        nonlocal frames
        try:
            while True:
                await track.recv()
                frames += 1
                if frames >= 15:
                    enough.set()
        except MediaStreamError:
            return

    async with JanusSession(url) as session:
        await plugin.attach(session)
        pc = plugin.pc
        assert isinstance(pc, RTCPeerConnection)  # the real aiortc object, as in 0.9.x
        assert plugin.pc is pc

        @pc.on("track")
        def on_track(track: Any) -> None:
            if track.kind == "video":
                consumers.append(asyncio.get_running_loop().create_task(consume(track)))

        pc.addTrack(VideoStreamTrack())
        await pc.setLocalDescription(await pc.createOffer())
        jsep = await plugin.create_jsep(pc)
        assert jsep["type"] == "offer" and jsep["trickle"] is False
        tx = await plugin.send(
            {"janus": "message", "body": {"audio": False, "video": True}, "jsep": jsep}
        )
        event = await tx.get({"janus": "event", "jsep": {"type": "answer"}}, timeout=15)
        await tx.done()
        assert event["plugindata"]["data"]["result"] == "ok"
        await plugin.on_receive_jsep(event["jsep"])
        await plugin.trickle(0)  # end of candidates (aiortc puts them all in the SDP)
        await asyncio.wait_for(plugin.webrtcup.wait(), 15)
        await asyncio.wait_for(enough.wait(), 15)
        await plugin.destroy()
        assert pc.signalingState == "closed"  # destroy closed the plugin's connection
    for task in consumers:
        await asyncio.wait_for(task, 5)
    assert frames >= 15
    assert any(e["janus"] == "webrtcup" for e in plugin.events)


async def test_reset_connection_gives_a_fresh_pc(janus_ws_url: str) -> None:
    from aiortc import RTCConfiguration

    config = RTCConfiguration(iceServers=[])
    plugin = OldStyleEcho(pc_config=config)
    assert plugin.pc_config is config
    async with JanusSession(janus_ws_url) as session:
        await plugin.attach(session)
        first = plugin.pc
        await first.close()
        assert plugin.pc is first and first.signalingState == "closed"  # kept, as in 0.9.x
        with pytest.raises(Exception, match="Received JSEP when PeerConnection is closed"):
            await plugin.on_receive_jsep({"type": "answer", "sdp": "v=0"})
        await plugin.reset_connection()
        assert plugin.pc is not first and plugin.pc.signalingState == "stable"
        await plugin.destroy()


# ---------------------------------------------------------- (b) custom transports
class OldStyleWebsocket(JanusTransport):
    """A WebSocket transport written the 0.9.x way."""

    def __init__(self, base_url: str, api_secret: str | None = None, token: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(base_url=base_url, api_secret=api_secret, token=token)
        self.sent: list[str] = []
        self.reader: asyncio.Task[None] | None = None

    async def _connect(self) -> None:
        self.ws = await websockets.connect(
            self.base_url.replace("oldws://", "ws://"),
            subprotocols=[websockets.Subprotocol("janus-protocol")],
        )
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            await self.receive(json.loads(raw))

    async def _disconnect(self) -> None:
        await self.ws.close()
        if self.reader is not None:
            await asyncio.wait({self.reader})

    async def _send(self, message: dict[str, Any]) -> None:
        self.sent.append(message["janus"])
        await self.ws.send(json.dumps(message))


class OldStyleHTTP(JanusTransport):
    """An HTTP transport written the 0.9.x way (POST replies and a long-poll per session)."""

    def __init__(self, base_url: str, api_secret: str | None = None, token: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(base_url=base_url, api_secret=api_secret, token=token)
        self.sent: list[str] = []
        self.polls: dict[int, asyncio.Task[None]] = {}

    @property
    def http_url(self) -> str:
        return self.base_url.replace("oldhttp://", "http://")

    async def _connect(self) -> None:
        self.http = aiohttp.ClientSession()

    async def _disconnect(self) -> None:
        for task in list(self.polls.values()):
            task.cancel()
        if self.polls:
            await asyncio.wait(set(self.polls.values()))
        self.polls.clear()
        await self.http.close()

    async def _send(self, message: dict[str, Any]) -> None:
        self.sent.append(message["janus"])
        url = self.http_url
        if "session_id" in message:
            url += f"/{message['session_id']}"
            if "handle_id" in message:
                url += f"/{message['handle_id']}"
        async with self.http.post(url, json=message) as response:
            await self.receive(await response.json())

    async def _poll(self, session_id: int) -> None:
        while True:
            async with self.http.get(f"{self.http_url}/{session_id}?maxev=5") as response:
                body = await response.json()
            for message in body if isinstance(body, list) else [body]:
                if message.get("janus") != "keepalive":
                    await self.receive(message)

    async def dispatch_session_created(self, session_id: int) -> None:
        self.polls[session_id] = asyncio.get_running_loop().create_task(self._poll(session_id))

    async def dispatch_session_destroyed(self, session_id: int) -> None:
        task = self.polls.pop(session_id, None)
        if task is not None:
            task.cancel()
            await asyncio.wait({task})


@pytest.mark.parametrize("kind", ["ws", "http"])
async def test_0_9_style_transport_carries_a_session(
    kind: str, janus_ws_url: str, janus_http_url: str, matchers: None
) -> None:
    cls: type[JanusTransport] = OldStyleWebsocket if kind == "ws" else OldStyleHTTP
    scheme = "oldws://" if kind == "ws" else "oldhttp://"
    real = janus_ws_url if kind == "ws" else janus_http_url
    JanusTransport.register_transport(
        protocol_matcher=lambda base_url: base_url.startswith(scheme), transport_cls=cls
    )
    url = scheme + real.split("://", 1)[1]
    session = JanusSession(url)
    transport = session.transport
    assert type(transport) is cls
    plugin = JanusPlugin(name="janus.plugin.echotest")
    async with session:
        assert session.session_id is not None
        await plugin.attach(session)
        reply = await plugin.message({"audio": True})  # ack, then the event
        assert reply.data == {"echotest": "event", "result": "ok"}
        tx = await plugin.send({"janus": "message", "body": {"video": True}})
        event = await tx.get({"janus": "event"}, timeout=15)
        await tx.done()
        assert event["plugindata"]["data"]["result"] == "ok"
        assert (await transport.ping())["janus"] == "pong"
        await plugin.destroy()
    sent = transport.sent  # type: ignore[attr-defined]
    assert sent[0] == "create"
    assert {"attach", "message", "detach", "ping", "destroy"} <= set(sent)
    assert sent[-1] == "destroy"
    assert not transport.connected
    if kind == "http":
        assert transport.polls == {}  # type: ignore[attr-defined]


# ------------------------------------------------- (c) the 0.9.x acceptance suite
def test_0_9_style_acceptance_suite_passes(
    janus_ws_url: str, janus_http_url: str, janus_ice_address: str | None
) -> None:
    if janus_ice_address is None:
        pytest.skip("media needs the test bed's ICE address")
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "compat090" / "run_suite.py"),
            "--ws-url",
            janus_ws_url,
            "--http-url",
            janus_http_url,
            "--pythonpath",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    last = proc.stdout.strip().splitlines()[-1]
    assert last == "RESULT ran=36 failures=0 errors=0 skipped=0", proc.stdout[-4000:]
    assert proc.returncode == 0
