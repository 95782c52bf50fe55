"""What a plugin-class cycle does beyond the core path (issue 21), and what it still keeps.

``experiments/count_path_instructions.py`` counts the instructions; these tests pin
the work a plugin cycle (``JanusEchoTestPlugin().attach(session)`` -> ``destroy()``
-> ``session.destroy()``) no longer does: no event dispatcher for a handle nobody
else listens to, no asyncio flags for media never started, the media closed once,
no extra call layer for attach or detach. And that the behaviours those served stay.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
from typing import Any

from test_per_cycle_work import _plugin as _plugin_cycle

from janus_client import (
    JanusEchoTestPlugin,
    JanusPlugin,
    JanusSession,
    JanusTransport,
    PluginEvent,
)
from janus_client.testing import FakeJanus

ECHO = "janus.plugin.echotest"


def _calls(stats: Any, filename_end: str, name: str) -> int:
    """Calls (for a coroutine: starts and resumes) of ``name`` defined in ``filename_end``."""
    return sum(
        value[1]
        for (filename, _line, func), value in stats.items()
        if filename.endswith(filename_end) and func == name
    )


def _library_calls(stats: Any, code: Any) -> int:
    """Calls of ``code`` made by janus_client itself (not by the fake Janus it talks to)."""
    key = (code.co_filename, code.co_firstlineno, code.co_name)
    callers = stats.get(key, (0, 0, 0, 0, {}))[4]
    return sum(
        value[1]
        for (filename, _line, _func), value in callers.items()
        if "janus_client" in filename and "testing" not in filename
    )


async def test_a_plugin_cycle_does_only_the_work_it_needs(fake_janus: FakeJanus) -> None:
    cycles = 4
    async with JanusTransport.create_transport(fake_janus.ws_url) as transport:
        await _plugin_cycle(transport)  # warm
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            for _ in range(cycles):
                await _plugin_cycle(transport)
        finally:
            profiler.disable()
    stats: Any = pstats.Stats(profiler).stats
    # Nothing but the plugin listens to its handle: no dispatcher is made or closed.
    assert _calls(stats, "janus_client/_dispatch.py", "__init__") == 0
    assert _calls(stats, "janus_client/_dispatch.py", "aclose") == 0
    # No media was started: no webrtcup / hangup flag is made.
    assert _library_calls(stats, asyncio.Event.__init__.__code__) == 0
    # destroy closes the media before detaching; the close hook does not again.
    assert _calls(stats, "janus_client/plugins/base.py", "_close_media") == cycles
    assert _calls(stats, "janus_client/plugins/media.py", "_close_pc") == cycles
    # detach goes straight to the session's request (no extra layer).
    assert _calls(stats, "janus_client/handle.py", "_request") == 0
    # A fresh session's first plugin is registered without scanning for stale ones.
    assert _calls(stats, "janus_client/_session_090.py", "<listcomp>") == 0


async def test_media_opened_during_the_detach_of_destroy_is_still_closed(
    fake_janus: FakeJanus,
) -> None:
    plugin = JanusEchoTestPlugin()
    opened: list[Any] = []

    async def detach(request: Any) -> None:
        await plugin.reset_connection()  # new media while destroy waits for Janus
        opened.append(plugin.peer_connection)
        return None  # the default reply

    fake_janus.on_request("detach", detach)
    async with JanusSession(fake_janus.ws_url) as session:
        await plugin.attach(session)
        await plugin.destroy()
        assert opened and opened[0] is not None
        assert opened[0].closed
        assert plugin.peer_connection is None


class _Counting(JanusEchoTestPlugin):
    closes = 0

    async def _close_media(self) -> None:
        type(self).closes += 1
        await super()._close_media()


async def test_the_media_is_closed_once_however_the_handle_closes(fake_janus: FakeJanus) -> None:
    async with JanusSession(fake_janus.ws_url) as session:
        plugin = _Counting()
        await plugin.attach(session)
        await plugin.destroy()
        assert _Counting.closes == 1

        # Closed by the session, not by destroy: the close hook closes the media.
        _Counting.closes = 0
        plugin = _Counting()
        await plugin.attach(session)
        await plugin.handle.detach()
        assert _Counting.closes == 1

        # Attached again after a destroy: its next close still closes the media.
        _Counting.closes = 0
        await plugin.attach(session)
        await plugin.destroy()
        await plugin.attach(session)
        await plugin.handle.detach()
        assert _Counting.closes == 2


async def test_listeners_come_first_and_can_be_removed_before_any_event(
    fake_janus: FakeJanus,
) -> None:
    async with JanusSession(fake_janus.ws_url) as session:
        handle = await session.attach(ECHO)
        seen: list[str] = []
        dropped: list[str] = []

        def listener(event: Any) -> None:
            seen.append("listener")

        def removed(event: Any) -> None:
            dropped.append("removed")

        handle.add_listener(listener)
        handle.add_listener(removed)
        handle.remove_callback(removed)
        assert handle._event_hub is None  # a listener alone makes no dispatcher
        handle.on_event(lambda event: seen.append("callback"))
        await fake_janus.push_event(session.session_id, handle.handle_id, ECHO, {"a": 1})
        for _ in range(100):
            if len(seen) == 2:
                break
            await asyncio.sleep(0.01)
        assert seen == ["listener", "callback"]
        assert dropped == []
        try:
            handle.add_listener(42)  # type: ignore[arg-type]
        except TypeError:
            pass
        else:
            raise AssertionError("a non-callable listener was accepted")
        await handle.detach()


async def test_a_plugin_still_gets_the_events_of_its_handle(fake_janus: FakeJanus) -> None:
    async with JanusSession(fake_janus.ws_url) as session:
        plugin = JanusPlugin(name=ECHO)
        await plugin.attach(session)
        assert plugin.handle._event_hub is None
        sid, hid = session.session_id, plugin.handle.handle_id
        assert sid is not None and hid is not None
        await fake_janus.push_event(sid, hid, ECHO, {"before": "events()"})
        stream = plugin.events(PluginEvent)
        first = await stream.get(timeout=5)
        assert first.data == {"before": "events()"}
        await fake_janus.push_event(sid, hid, ECHO, {"after": "events()"})
        second = await stream.get(timeout=5)
        assert second.data == {"after": "events()"}
        await plugin.destroy()
