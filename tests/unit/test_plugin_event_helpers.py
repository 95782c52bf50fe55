"""The shared helpers that type room plugins' events (janus_client.events, plugins.base)."""

from __future__ import annotations

from janus_client import JanusSession
from janus_client.events import PluginEvent, plugin_event_fields, plugin_event_type
from janus_client.handle import PluginResponse
from janus_client.plugins.audiobridge import AudioBridgeEvent
from janus_client.plugins.audiobridge import AudioBridgeEventType as T
from janus_client.plugins.videoroom import JanusVideoRoomPlugin
from janus_client.testing import FakeJanus

KEYS = (("leaving", T.LEAVING), ("kicked", T.KICKED))


def kind(**data: object) -> T:
    return plugin_event_type(data, "audiobridge", T, KEYS)


def test_the_named_kind_wins() -> None:
    assert kind(audiobridge="joined", leaving=5) is T.JOINED
    assert kind(audiobridge="destroyed") is T.DESTROYED


def test_an_event_is_told_by_its_first_key_then_error_then_event() -> None:
    assert kind(audiobridge="event", kicked=3, leaving=4) is T.LEAVING
    assert kind(audiobridge="event", kicked=3) is T.KICKED
    assert kind(audiobridge="event", error_code=485, kicked=3) is T.ERROR
    assert kind(audiobridge="event", error="bad") is T.ERROR
    assert kind(audiobridge="event") is T.EVENT


def test_unknown_or_missing_kinds_are_plain_events() -> None:
    assert kind(audiobridge="something-new") is T.EVENT
    assert kind() is T.EVENT
    assert kind(audiobridge=7) is T.EVENT


def test_the_typed_event_keeps_the_untyped_events_fields() -> None:
    raw = {"janus": "event", "sender": 2}
    event = PluginEvent(
        plugin="janus.plugin.audiobridge",
        data={"audiobridge": "event", "leaving": 9, "room": 1},
        transaction="t1",
        session_id=1,
        handle_id=2,
        raw=raw,
    )
    assert plugin_event_fields(event) == {
        "plugin": "janus.plugin.audiobridge",
        "transaction": "t1",
        "session_id": 1,
        "handle_id": 2,
        "raw": raw,
    }
    typed = AudioBridgeEvent.from_plugin_event(event)
    assert typed is not None
    assert (typed.type, typed.id, typed.room) == (T.LEAVING, 9, 1)
    assert (typed.transaction, typed.session_id, typed.handle_id) == ("t1", 1, 2)
    assert typed.raw is raw
    assert AudioBridgeEvent.from_plugin_event(PluginEvent(data={"videoroom": "joined"})) is None


async def test_a_reply_event_gets_the_plugin_and_handle_fields(fake_janus: FakeJanus) -> None:
    raw = {"janus": "event", "sender": 7}
    reply = PluginResponse(kind="event", data={"videoroom": "event"}, raw=raw)
    room = JanusVideoRoomPlugin()
    # Detached: the plugin's package name and the message, no ids.
    assert room._reply_fields(reply) == {"plugin": "janus.plugin.videoroom", "raw": raw}
    async with JanusSession(fake_janus.ws_url) as session:
        await room.attach(session)
        named = PluginResponse(kind="event", plugin="janus.plugin.other", raw=raw)
        assert room._reply_fields(named) == {
            "plugin": "janus.plugin.other",
            "raw": raw,
            "session_id": session.session_id,
            "handle_id": room.handle_id,
        }
        event = room._event(reply)
        assert (event.session_id, event.handle_id) == (session.session_id, room.handle_id)
        await room.destroy()
