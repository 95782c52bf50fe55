"""The janus-client 0.9.0 contract in behaviour: surface data, transports, sessions, plugins.

These run against the in-process fake Janus; `tests/integration/test_compat_090_janus.py`
runs the extension points against the real one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from janus_client import JanusSession, JanusTransport, PluginAttachFail
from janus_client.compat_090 import SURFACE, Entry, check, contract_markdown, problems
from janus_client.errors import PluginNotFoundError, UnauthorizedError
from janus_client.message_transaction import MessageTransaction
from janus_client.plugin_base import JanusPlugin
from janus_client.testing._fake import FakeJanus


@pytest.fixture
async def fake() -> Any:
    async with FakeJanus(poll_timeout=5.0) as server:
        yield server


@pytest.fixture(params=["ws", "http"])
def url(request: pytest.FixtureRequest, fake: FakeJanus) -> str:
    return fake.ws_url if request.param == "ws" else fake.http_url


@pytest.fixture
def matchers() -> Iterator[None]:
    """Remove the protocol matchers a test registered (the registry is global)."""
    saved = list(JanusTransport._matchers)
    yield
    JanusTransport._matchers[:] = saved


# ------------------------------------------------------------------ surface data
def test_surface_has_every_0_9_0_name() -> None:
    assert len(SURFACE) == 258
    assert problems() == []


def test_surface_check_reports_differences() -> None:
    missing = Entry("janus_client.session", "JanusSession.no_such_method", "async method", (), "")
    assert check(missing) == "missing"
    renamed = Entry("janus_client.session", "JanusSession.send", "async method", ("msg",), "")
    assert "do not start with" in (check(renamed) or "")
    wrong_return = Entry(
        "janus_client.session", "JanusSession.send", "async method", ("message",), "dict"
    )
    assert "returns MessageTransaction" in (check(wrong_return) or "")
    sync = Entry("janus_client.session", "JanusSession.detach_plugin", "async method", (), "")
    assert check(sync) == "not a coroutine method"
    value = Entry("janus_client.media", "MediaKind.VIDEO", "enum member", (), "audio")
    assert "value 'video'" in (check(value) or "")


def test_contract_page_lists_every_name_with_its_equivalent() -> None:
    page = contract_markdown()
    for entry in SURFACE:
        assert f"| `{entry.name}` |" in page
    assert "`JanusSession.request()`" in page
    assert page.count("### `janus_client") == len({e.module for e in SURFACE})


# --------------------------------------------------------- message transactions
async def test_message_transaction_keeps_every_message_until_done() -> None:
    tx = MessageTransaction("t1")
    tx.put_msg({"janus": "ack"})
    later = asyncio.get_running_loop().create_task(tx.get({"janus": "event"}))
    await asyncio.sleep(0)
    assert not later.done()
    tx.put_msg({"janus": "event", "plugindata": {"data": {"result": "ok"}}})
    assert (await later)["plugindata"]["data"]["result"] == "ok"
    assert await tx.get({"janus": "ack"}) == {"janus": "ack"}
    assert (await tx.get(lambda m: m["janus"] == "event"))["janus"] == "event"
    with pytest.raises(TimeoutError, match="no matching message"):
        await tx.get({"janus": "never"}, timeout=0.01)
    with pytest.raises(TypeError, match="matcher must be callable or dictionary"):
        await tx.get(3)  # type: ignore[arg-type]
    released: list[str] = []
    tx._release = lambda: released.append(tx.id)
    await tx.done()
    await tx.done()
    assert released == ["t1"] and tx.is_done


# ------------------------------------------------------------ transport lifecycle
async def test_transport_connect_disconnect_reusable_ping_info(url: str) -> None:
    transport = JanusTransport.create_transport(url)
    await transport.connect()
    assert transport.connected
    assert (await transport.ping())["janus"] == "pong"
    assert (await transport.info())["janus"] == "server_info"
    await transport.disconnect()
    assert not transport.connected
    await transport.disconnect()  # idempotent
    await transport.connect()  # reusable, unlike close()
    assert (await transport.ping())["janus"] == "pong"
    assert transport.base_url == url.rstrip("/") or transport.base_url == url
    await transport.close()


async def test_raw_messages_through_a_session(url: str) -> None:
    async with JanusSession(url) as session:
        message: dict[str, Any] = {"janus": "keepalive"}
        tx = await session.send(message)
        assert message["transaction"] == tx.id  # completed in place, as in 0.9.x
        ack = await tx.get({"janus": "ack"}, timeout=5)
        assert ack["session_id"] == session.session_id
        await tx.done()
        assert tx.id not in session.transport._message_transactions
        with pytest.raises(ValueError, match='Must set "janus" field'):
            await session.send({"body": {}})
        # An error is a message of the transaction, not an exception (0.9.x).
        tx = await session.send({"janus": "message", "body": {}}, handle_id=424242)
        error = await tx.get({"janus": "error"}, timeout=5)
        assert error["error"]["code"] == 459
        await tx.done()


async def test_attach_plugin_and_name_read_at_attach(url: str) -> None:
    class Echo(JanusPlugin):
        name = "janus.plugin.base.dummy"
        received: list[dict[str, Any]]

        async def on_receive(self, response: dict[str, Any]) -> None:
            self.received.append(response)

    plugin = Echo()
    plugin.received = []
    plugin.name = "janus.plugin.echotest"  # set on the instance, after construction
    assert plugin.id is None
    async with JanusSession(url) as session:
        handle_id = await session.attach_plugin(plugin)
        assert plugin.id == handle_id
        assert session.handles[handle_id].plugin == "janus.plugin.echotest"
        assert session.plugin_handles == {handle_id: plugin}
        with pytest.raises(Exception, match="Plugin already attached to session"):
            await plugin.attach(session)
        tx = await plugin.send({"janus": "message", "body": {"audio": True}})
        event = await tx.get({"janus": "event"}, timeout=5)
        assert event["plugindata"]["data"]["result"] == "ok"
        await tx.done()
        await plugin.destroy()
        assert plugin.id is None
        assert session.plugin_handles == {}
        with pytest.raises(Exception, match="Plugin not attached to session"):
            await plugin.send({"janus": "message", "body": {}})


async def test_every_attach_failure_is_plugin_attach_fail(url: str) -> None:
    class Unknown(JanusPlugin):
        name = "janus.plugin.nonexistent"

    async with JanusSession(url) as session:
        expected = r"^Fail to attach plugin: \{'code': 460"
        with pytest.raises(PluginAttachFail, match=expected) as info:
            await Unknown().attach(session)
        assert isinstance(info.value, PluginNotFoundError)


async def test_refused_create_keeps_the_0_9_message(fake: FakeJanus) -> None:
    async with FakeJanus(api_secret="s3cret") as server:
        session = JanusSession(server.ws_url)
        with pytest.raises(UnauthorizedError, match=r"^Create session fail: \{'code': 403"):
            await session.create()
        await session.destroy()


async def test_detach_plugin_only_forgets_the_handle(url: str) -> None:
    plugin = JanusPlugin(name="janus.plugin.echotest")
    async with JanusSession(url) as session:
        await plugin.attach(session)
        hid = plugin.id
        session.detach_plugin(plugin)
        assert hid not in session.handles and not plugin.attached
        with pytest.raises(Exception, match="Plugin not properly initialized"):
            session.detach_plugin(plugin)


# ------------------------------------------------------- 0.9.x custom transports
class LoopbackTransport(JanusTransport):
    """A 0.9.x-style transport: `_connect`/`_disconnect`/`_send`, replies fed to `receive`.

    It carries the messages over an inner WebSocket transport's connection, but
    only through the 0.9.x hooks.
    """

    def __init__(self, base_url: str, api_secret: str | None = None, token: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(base_url=base_url, api_secret=api_secret, token=token)
        self.sent: list[str] = []
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._pump: asyncio.Task[None] | None = None

    async def _connect(self) -> None:
        import websockets

        self._ws = await websockets.connect(
            self.base_url.replace("loop://", "ws://"), subprotocols=[websockets.Subprotocol(
                "janus-protocol")]
        )
        self._pump = asyncio.get_running_loop().create_task(self._read())
        self.connected = True

    async def _read(self) -> None:
        import json

        async for raw in self._ws:
            await self.receive(json.loads(raw))

    async def _disconnect(self) -> None:
        await self._ws.close()
        if self._pump is not None:
            await asyncio.wait({self._pump})
        self.connected = False

    async def _send(self, message: dict[str, Any]) -> None:
        import json

        self.sent.append(message["janus"])
        await self._ws.send(json.dumps(message))


async def test_custom_transport_registered_by_matcher(fake: FakeJanus, matchers: None) -> None:
    JanusTransport.register_transport(
        protocol_matcher=lambda url: url.startswith("loop://"), transport_cls=LoopbackTransport
    )
    url = fake.ws_url.replace("ws://", "loop://")
    session = JanusSession(url)
    assert isinstance(session.transport, LoopbackTransport)
    plugin = JanusPlugin(name="janus.plugin.echotest")
    async with session:
        await plugin.attach(session)
        reply = await plugin.message({"audio": True})
        assert reply.data["result"] == "ok"
        await plugin.destroy()
    assert session.transport.sent[:2] == ["create", "attach"]
    assert {"message", "detach", "destroy"} <= set(session.transport.sent)
    assert not session.transport.connected
    JanusTransport.register_transport(
        protocol_matcher=lambda url: url.startswith("loop:"), transport_cls=LoopbackTransport
    )
    with pytest.raises(ValueError, match=r"^Matched to more than 1 protocol"):
        JanusTransport.create_transport(url)
    with pytest.raises(ValueError, match=r"^No protocol matched"):
        JanusTransport.create_transport("nope://x")


# -------------------------------------------------- 0.9.x messages of the plugins
async def test_plugin_state_errors_start_with_the_0_9_messages(fake: FakeJanus) -> None:
    from janus_client import JanusVideoCallPlugin, JanusVideoRoomPlugin, VideoCallError
    from janus_client.plugins.videoroom import VideoRoomStateError

    call = JanusVideoCallPlugin()
    with pytest.raises(VideoCallError, match=r"^VideoCall error 0: Must register a username first"):
        await call.call("bob")
    with pytest.raises(VideoCallError, match="Must register a username first"):
        await call.accept({"type": "offer", "sdp": "v=0"})
    call._username = "alice"  # as after a successful register
    with pytest.raises(VideoCallError, match=r"^VideoCall error 0: Already registered as 'alice'"):
        await call.register("alice")
    with pytest.raises(VideoCallError, match="No incoming call to accept"):
        await call.accept()
    async with JanusSession(fake.ws_url) as session:
        room = JanusVideoRoomPlugin()
        await room.attach(session)
        expected = r"^VideoRoom error -1: Must join as publisher before publishing"
        with pytest.raises(VideoRoomStateError, match=expected) as info:
            await room.publish()
        assert info.value.error_code == -1
        await room.destroy()


def test_timeouts_are_asyncio_timeouts_too() -> None:
    # 0.9.x code catches asyncio.TimeoutError (its own class on Python 3.10).
    from janus_client.errors import RequestTimeoutError

    error = RequestTimeoutError("no reply", request="message", timeout=1.0)
    assert isinstance(error, asyncio.TimeoutError)
    assert isinstance(error, TimeoutError)


def test_pc_config_is_checked_and_kept() -> None:
    from aiortc import RTCConfiguration

    config = RTCConfiguration(iceServers=[])
    plugin = JanusPlugin(pc_config=config, name="janus.plugin.echotest")
    assert plugin.pc_config is config
    with pytest.raises(TypeError, match=r"pc_config must be an aiortc\.RTCConfiguration"):
        JanusPlugin("janus.plugin.echotest")  # type: ignore[arg-type]
