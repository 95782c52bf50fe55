"""janus-client 0.9.x import paths and helpers keep working."""

from __future__ import annotations

import asyncio
import importlib

import pytest

PATHS = {
    "janus_client.session": ["JanusSession", "SessionState"],
    "janus_client.plugin_base": ["JanusPlugin"],
    "janus_client.plugin_echotest": ["JanusEchoTestPlugin"],
    "janus_client.plugin_video_call": [
        "JanusVideoCallPlugin",
        "VideoCallError",
        "VideoCallEventType",
    ],
    "janus_client.plugin_video_room": [
        "JanusVideoRoomPlugin",
        "ParticipantType",
        "VideoRoomError",
        "VideoRoomEventType",
    ],
    "janus_client.plugin_textroom": ["JanusTextRoomPlugin", "TextRoomError", "TextRoomEventType"],
    "janus_client.admin_monitor": ["JanusAdminMonitorClient"],
    "janus_client.transport": ["JanusTransport"],
    "janus_client.transport_http": ["JanusTransportHTTP"],
    "janus_client.transport_websocket": ["JanusTransportWebsocket"],
    "janus_client.message_transaction": ["MessageTransaction", "is_subset"],
    "janus_client.media": ["MediaKind", "MediaPlayer", "MediaRecorder", "MediaStreamTrack"],
}

TOP_LEVEL = [
    "JanusAdminMonitorClient",
    "JanusSession",
    "PluginAttachFail",
    "JanusPlugin",
    "JanusEchoTestPlugin",
    "JanusTextRoomPlugin",
    "TextRoomError",
    "TextRoomEventType",
    "JanusVideoCallPlugin",
    "VideoCallError",
    "VideoCallEventType",
    "JanusVideoRoomPlugin",
    "VideoRoomError",
    "VideoRoomEventType",
    "ParticipantType",
    "JanusTransport",
    "JanusTransportHTTP",
    "JanusTransportWebsocket",
    "MediaKind",
    "MediaStreamTrack",
    "MediaPlayer",
    "MediaRecorder",
]


@pytest.mark.parametrize("module", sorted(PATHS))
def test_old_import_paths(module: str) -> None:
    imported = importlib.import_module(module)
    root = importlib.import_module("janus_client")
    for name in PATHS[module]:
        obj = getattr(imported, name)
        if hasattr(root, name) and name not in ("MediaPlayer", "MediaRecorder", "MediaStreamTrack"):
            assert obj is getattr(root, name), name


def test_top_level_names_of_0_9() -> None:
    import janus_client

    for name in TOP_LEVEL:
        assert getattr(janus_client, name) is not None, name
    assert janus_client.MediaKind.VIDEO.value == "video"
    assert janus_client.MediaKind.AUDIO.value == "audio"


def test_is_subset() -> None:
    from janus_client.message_transaction import is_subset

    msg = {"janus": "event", "plugindata": {"data": {"videoroom": "joined", "id": 5}}, "x": [1]}
    assert is_subset(msg, {})
    assert is_subset(msg, {"janus": "event"})
    assert is_subset(msg, {"plugindata": {"data": {"videoroom": "joined"}}})
    assert is_subset(msg, {"plugindata": {}})
    assert is_subset(msg, {"x": None})  # other pattern values only need the key
    assert not is_subset(msg, {"janus": "ack"})
    assert not is_subset(msg, {"missing": None})
    assert not is_subset(msg, {"x": {}})
    with pytest.raises(TypeError):
        is_subset(msg, [])  # type: ignore[arg-type]


async def test_message_transaction() -> None:
    from janus_client.message_transaction import MessageTransaction

    tx = MessageTransaction()
    assert len(tx.id) == 32
    tx.put_msg({"janus": "ack"})
    waiter = asyncio.create_task(tx.get({"janus": "event"}, timeout=2))
    await asyncio.sleep(0)
    tx.put_msg({"janus": "event", "n": 1})
    assert (await waiter)["n"] == 1
    assert (await tx.get())["janus"] == "ack"  # earlier messages stay available
    assert (await tx.get(lambda m: m.get("n") == 1))["janus"] == "event"
    with pytest.raises(TimeoutError):
        await tx.get({"janus": "never"}, timeout=0.05)
    with pytest.raises(TypeError):
        await tx.get(42)  # type: ignore[arg-type]
    await tx.done()
    await asyncio.sleep(0.01)  # let the notify tasks finish
