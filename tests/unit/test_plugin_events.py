"""The plugin base's one event pipeline: events(), on_event(), the attach buffer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from janus_client import (
    JanusEchoTestPlugin,
    JanusSession,
    JanusVideoCallPlugin,
    PluginEvent,
    VideoCallEvent,
    VideoCallEventType,
    WebRTCUpEvent,
)
from janus_client.plugins.base import JanusPlugin
from janus_client.plugins.textroom import JanusTextRoomPlugin
from janus_client.plugins.videoroom import JanusVideoRoomPlugin, VideoRoomEvent
from janus_client.testing import FakeJanus

CALL = "janus.plugin.videocall"


def _call_event(result: dict[str, Any]) -> PluginEvent:
    data = {"videocall": "event", "result": result}
    return PluginEvent(plugin=CALL, data=data, jsep=None, handle_id=7, raw={"x": 1})


async def test_callback_first_order_as_on_handles_gets_typed_events() -> None:
    plugin = JanusVideoCallPlugin()
    typed: list[Any] = []
    by_type: list[Any] = []
    every: list[Any] = []
    plugin.on_event(typed.append, VideoCallEvent)
    plugin.on_event(by_type.append, VideoCallEventType.HANGUP, WebRTCUpEvent)
    plugin.on_event(every.append)
    await plugin._dispatch(_call_event({"event": "hangup", "username": "a", "reason": "r"}))
    await plugin._dispatch(WebRTCUpEvent(handle_id=7))
    await plugin._dispatch(_call_event({"event": "calling"}))
    assert [type(e) for e in typed] == [VideoCallEvent, VideoCallEvent]
    # The new order gives typed events even for enum kinds (no 0.9.x dict).
    assert isinstance(by_type[0], VideoCallEvent) and by_type[0].type is VideoCallEventType.HANGUP
    assert isinstance(by_type[1], WebRTCUpEvent) and len(by_type) == 2
    assert len(every) == 3


async def test_0_9_order_still_gives_dicts_for_enum_kinds() -> None:
    plugin = JanusVideoCallPlugin()
    dicts: list[Any] = []
    objects: list[Any] = []
    plugin.on_event(VideoCallEventType.HANGUP, dicts.append)
    plugin.on_event("hangup", dicts.append)
    plugin.on_event(VideoCallEvent, objects.append)
    plugin.on_event(event_type=WebRTCUpEvent, handler=objects.append)
    await plugin._dispatch(_call_event({"event": "hangup", "username": "a", "reason": "r"}))
    await plugin._dispatch(WebRTCUpEvent(handle_id=7))
    assert dicts == [{"event": "hangup", "username": "a", "reason": "r"}] * 2
    assert isinstance(objects[0], VideoCallEvent) and isinstance(objects[1], WebRTCUpEvent)


@pytest.mark.parametrize(
    ("plugin", "word"),
    [
        (JanusVideoCallPlugin(), "VideoCall"),
        (JanusVideoRoomPlugin(), "VideoRoom"),
        (JanusTextRoomPlugin(), "TextRoom"),
    ],
)
def test_unknown_type_string_refused_the_same_way(plugin: JanusPlugin, word: str) -> None:
    with pytest.raises(ValueError, match=f"unknown {word} event type 'nope'"):
        plugin.on_event("nope", print)
    with pytest.raises(TypeError, match="handler must be callable"):
        plugin.on_event(42)


async def test_videoroom_declares_its_event_class_and_enum() -> None:
    plugin = JanusVideoRoomPlugin()
    got: list[Any] = []
    plugin.on_event(got.append)
    data = {"videoroom": "event", "room": 5, "leaving": 9}
    await plugin._dispatch(PluginEvent(plugin="janus.plugin.videoroom", data=data, raw={}))
    assert isinstance(got[0], VideoRoomEvent) and got[0].room == 5
    assert got[0].compat_dict() is got[0].data


async def test_remove_callback_also_removes_0_9_handlers() -> None:
    plugin = JanusVideoCallPlugin()
    got: list[Any] = []
    plugin.on_event(VideoCallEventType.HANGUP, got.append)
    plugin.remove_callback(got.append)
    await plugin._dispatch(_call_event({"event": "hangup"}))
    assert got == []


async def test_events_before_the_first_events_call_are_kept(fake_janus: FakeJanus) -> None:
    async with JanusSession(fake_janus.ws_url) as session:
        async with JanusEchoTestPlugin() as echo:
            await echo.attach(session)
            await echo.message({"audio": True}, wait="ack")
            # The event arrives before anyone iterates: the attach buffer keeps it.
            for _ in range(200):
                if echo._backlog:
                    break
                await asyncio.sleep(0.01)
            stream = echo.events(PluginEvent)
            event = await stream.get(timeout=5)
            assert event.data.get("result") == "ok"
            assert echo.events_dropped == 0
            await stream.aclose()
        assert not echo.attached  # leaving the async with detached it


async def test_attach_buffer_is_bounded_and_counts_drops(fake_janus: FakeJanus) -> None:
    async with JanusSession(fake_janus.ws_url) as session:
        echo = JanusEchoTestPlugin()
        echo.event_buffer = 3  # type: ignore[misc]
        await echo.attach(session)
        for n in range(5):
            await echo._dispatch(WebRTCUpEvent(handle_id=n))
        stream = echo.events()
        kept = [await stream.get(timeout=1) for _ in range(3)]
        assert [e.handle_id for e in kept] == [2, 3, 4]
        assert echo.events_dropped == 2
        # After the first events() call nothing is buffered any more.
        await echo._dispatch(WebRTCUpEvent(handle_id=9))
        assert echo._backlog is None
        await stream.aclose()
        await echo.destroy()
