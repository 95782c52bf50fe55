"""What one create -> attach -> detach -> destroy cycle costs (issue 21).

Speed itself is measured by ``experiments/bench_paths.py``; these tests pin down
the work a cycle must not do: no task, no long-poll, no reference cycles left
for the garbage collector, the same for the plugin classes as for the core path.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

import pytest

from janus_client import JanusEchoTestPlugin, JanusSession, JanusTransport, RequestTimeoutError
from janus_client.testing import DROP, FakeJanus

ECHO = "janus.plugin.echotest"


def url(fake: FakeJanus, kind: str) -> str:
    return fake.ws_url if kind == "ws" else fake.http_url


class TaskCounter:
    """Counts the tasks created on the loop for janus_client's own coroutines."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        code = getattr(coro, "cr_code", None)
        filename = code.co_filename if code is not None else ""
        if "janus_client" in filename and "testing" not in filename:
            self.names.append(code.co_qualname if hasattr(code, "co_qualname") else code.co_name)
        return asyncio.Task(coro, loop=loop, **kwargs)


async def _core(transport: JanusTransport) -> None:
    session = JanusSession(transport=transport)
    await session.create()
    handle = await session.attach(ECHO)
    await handle.detach()
    await session.destroy()


async def _plugin(transport: JanusTransport) -> None:
    session = JanusSession(transport=transport)
    plugin = JanusEchoTestPlugin()
    await plugin.attach(session)
    await plugin.destroy()
    await session.destroy()


@pytest.mark.parametrize("path", ["core", "plugin"])
async def test_a_cycle_creates_no_task(fake_janus: FakeJanus, kind: str, path: str) -> None:
    # Over HTTP not even for attach: its POST's answer is read by the connection,
    # so a cancelled attach still learns the handle to detach without a task.
    cycle = _core if path == "core" else _plugin
    async with JanusTransport.create_transport(url(fake_janus, kind)) as transport:
        await cycle(transport)  # warm: the connection and its reader exist now
        loop = asyncio.get_running_loop()
        counter = TaskCounter()
        previous = loop.get_task_factory()
        loop.set_task_factory(counter)
        try:
            for _ in range(5):
                await cycle(transport)
        finally:
            loop.set_task_factory(previous)
        assert counter.names == []


@pytest.mark.parametrize("path", ["core", "plugin"])
async def test_an_http_cycle_never_long_polls(fake_janus: FakeJanus, path: str) -> None:
    cycle = _core if path == "core" else _plugin
    async with JanusTransport.create_transport(fake_janus.http_url) as transport:
        loop = asyncio.get_running_loop()
        counter = TaskCounter()
        previous = loop.get_task_factory()
        loop.set_task_factory(counter)
        try:
            for _ in range(3):
                await cycle(transport)
        finally:
            loop.set_task_factory(previous)
        assert not any("poll" in name for name in counter.names), counter.names
        assert transport._pollers == {}  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["core", "plugin"])
async def test_http_cycles_reuse_their_keep_alive_connections(
    fake_janus: FakeJanus, path: str
) -> None:
    cycle = _core if path == "core" else _plugin
    async with JanusTransport.create_transport(fake_janus.http_url) as transport:
        posts: Any = transport._posts  # type: ignore[attr-defined]
        for _ in range(300):
            await cycle(transport)
        assert posts.opened == 1
        # Concurrent cycles need a connection each, once; then they are reused.
        await asyncio.gather(*(cycle(transport) for _ in range(50)))
        opened = posts.opened
        assert opened <= 51
        for _ in range(3):
            await asyncio.gather(*(cycle(transport) for _ in range(50)))
        assert posts.opened == opened


async def test_a_plugin_long_polls_once_someone_listens(fake_janus: FakeJanus) -> None:
    async with JanusTransport.create_transport(fake_janus.http_url) as transport:
        session = JanusSession(transport=transport)
        plugin = JanusEchoTestPlugin()
        await plugin.attach(session)
        assert transport._pollers == {}  # type: ignore[attr-defined]
        plugin.on_event(lambda event: None)
        assert session.session_id in transport._pollers  # type: ignore[attr-defined]
        await plugin.destroy()
        await session.destroy()

        # A callback added before attach counts too.
        session = JanusSession(transport=transport)
        plugin = JanusEchoTestPlugin()
        plugin.on_event(lambda event: None)
        await plugin.attach(session)
        assert session.session_id in transport._pollers  # type: ignore[attr-defined]
        await plugin.destroy()
        await session.destroy()


async def test_a_plugin_message_starts_the_long_poll(fake_janus: FakeJanus) -> None:
    async with JanusTransport.create_transport(fake_janus.http_url) as transport:
        session = JanusSession(transport=transport)
        plugin = JanusEchoTestPlugin()
        await plugin.attach(session)
        assert transport._pollers == {}  # type: ignore[attr-defined]
        await plugin.message({"audio": True})
        assert session.session_id in transport._pollers  # type: ignore[attr-defined]
        await plugin.destroy()
        await session.destroy()


@pytest.mark.parametrize("path", ["core", "plugin"])
async def test_a_finished_cycle_is_freed_without_the_garbage_collector(
    fake_janus: FakeJanus, kind: str, path: str
) -> None:
    async with JanusTransport.create_transport(url(fake_janus, kind)) as transport:
        session = JanusSession(transport=transport)
        if path == "core":
            obj: Any = await session.attach(ECHO)
            handle = obj
            await obj.detach()
        else:
            obj = JanusEchoTestPlugin()
            await obj.attach(session)
            handle = obj.handle
            await obj.destroy()
        await session.destroy()
        refs = [weakref.ref(x) for x in (session, obj, handle)]
        gc.disable()
        try:
            del session, obj, handle
            await asyncio.sleep(0)  # done callbacks of the last replies run
            alive = [r() for r in refs if r() is not None]
            assert alive == [], f"kept alive only by reference cycles: {alive}"
        finally:
            gc.enable()


class TimerCounter:
    """Counts the loop timers scheduled while installed, by callback name."""

    def __init__(self, loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        real_call_at = loop.call_at

        def call_at(when: float, callback: Any, *args: Any, **kwargs: Any) -> Any:
            self.names.append(getattr(callback, "__qualname__", repr(callback)))
            return real_call_at(when, callback, *args, **kwargs)

        monkeypatch.setattr(loop, "call_at", call_at)  # call_later goes through it too


@pytest.mark.parametrize("path", ["core", "plugin"])
async def test_a_websocket_cycle_arms_no_timer_per_request(
    fake_janus: FakeJanus, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycle = _core if path == "core" else _plugin
    async with JanusTransport.create_transport(fake_janus.ws_url) as transport:
        await cycle(transport)
        counter = TimerCounter(asyncio.get_running_loop(), monkeypatch)
        for _ in range(5):
            await cycle(transport)
        monkeypatch.undo()
        # 20 requests: their deadlines share one sweep timer, armed at most once here.
        assert counter.names.count("TransportCore._sweep") <= 1, counter.names
        assert not [n for n in counter.names if "expire" in n], counter.names


async def test_every_call_expires_at_its_own_deadline(fake_janus: FakeJanus, kind: str) -> None:
    fake_janus.on_request("message", lambda req: DROP)
    transport = JanusTransport.create_transport(url(fake_janus, kind))
    async with transport, JanusSession(transport=transport) as session:
        handle = await session.attach(ECHO)
        finished: list[float] = []

        async def call(timeout: float) -> None:
            with pytest.raises(RequestTimeoutError):
                await handle.send({"audio": True}, timeout=timeout)
            finished.append(timeout)

        # A long deadline first, shorter ones after it: each still ends first.
        calls = [asyncio.create_task(call(t)) for t in (3.0, 0.6, 0.2)]
        await asyncio.wait(calls[1:])
        assert finished == [0.2, 0.6]
        assert not calls[0].done()
        assert transport.pending_count == 1
        await calls[0]
        assert finished == [0.2, 0.6, 3.0]
        assert transport.pending_count == 0
        fake_janus.on_request("message", None)
        assert (await handle.send({"audio": True})).kind == "event"


async def test_an_event_during_our_detach_reaches_callbacks_and_plugin_streams(
    fake_janus: FakeJanus,
) -> None:
    """Janus' EchoTest may send an event while it detaches, before the reply.

    It is delivered like any other: to the handle's streams and callbacks, and so
    to a plugin class's streams, callbacks and ``on_receive`` (they all hang on a
    handle callback). The dispatcher task this costs in a cycle (0.06 per plugin
    cycle over WebSocket against Janus 1.1.2 here) is not work for nothing:
    skipping the handle's callbacks during our own detach (0fc310c, reverted)
    lost the event for all of those.
    """

    async def detach(request: Any) -> Any:
        event = {
            "janus": "event",
            "session_id": request.session_id,
            "sender": request.handle_id,
            "plugindata": {"plugin": ECHO, "data": {"echotest": "event", "result": "done"}},
        }
        default = request.default()
        return [event, *(default if isinstance(default, list) else [default])]

    raw: list[dict[str, Any]] = []

    class Echo(JanusEchoTestPlugin):
        async def on_receive(self, response: dict[str, Any]) -> None:
            raw.append(response)

    done = {"echotest": "event", "result": "done"}
    fake_janus.on_request("detach", detach)
    async with JanusTransport.create_transport(fake_janus.ws_url) as transport:
        session = JanusSession(transport=transport)
        await session.create()
        handle = await session.attach(ECHO)
        called: list[Any] = []
        handle.on_event(called.append)
        stream = handle.events()
        await handle.detach()
        received = [event async for event in stream]

        plugin = Echo()
        await plugin.attach(session)
        plugin_called: list[Any] = []
        plugin.on_event(plugin_called.append)
        plugin_stream = plugin.events()
        await plugin.destroy()
        plugin_received = [event async for event in plugin_stream]
        await session.destroy()
    assert [event.data for event in received] == [done]
    assert [event.data for event in called] == [done]
    assert [event.data for event in plugin_received] == [done]
    assert [event.data for event in plugin_called] == [done]
    assert [message["plugindata"]["data"] for message in raw] == [done]
