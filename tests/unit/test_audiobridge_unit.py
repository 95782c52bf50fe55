"""AudioBridge without a server: level measurement and the room state kept from events."""

from __future__ import annotations

import math
from array import array

import pytest

from janus_client import AudioBridgeEvent, AudioBridgeEventType, JanusAudioBridgePlugin


def _frame(samples: list[int], layout: str) -> object:
    av = pytest.importorskip("av")
    channels = 2 if layout == "stereo" else 1
    frame = av.AudioFrame(format="s16", layout=layout, samples=len(samples) // channels)
    frame.planes[0].update(array("h", samples).tobytes())
    frame.sample_rate = 48000
    return frame


def test_track_stats_measure_levels_only_when_asked() -> None:
    webrtc = pytest.importorskip("janus_client.webrtc")
    loud = _frame([1000, -1000] * 480, "stereo")
    quiet = _frame([0] * 960, "mono")
    stats = webrtc.TrackStats("audio", measure_level=True)
    stats._add(loud)
    assert stats.samples == 960 and stats.sum_squares == 960 * 1000**2
    assert stats.rms == pytest.approx(1000.0)
    stats._add(quiet)
    assert stats.samples == 1920
    assert stats.rms == pytest.approx(math.sqrt(960 * 1000**2 / 1920))
    plain = webrtc.TrackStats("audio")
    plain._add(loud)
    assert (plain.frames, plain.samples, plain.rms) == (1, 0, 0.0)
    assert webrtc.TrackStats("video", measure_level=True).measure_level is False


def _event(data: dict[str, object]) -> AudioBridgeEvent:
    return AudioBridgeEvent.from_data(data, plugin="janus.plugin.audiobridge")


async def test_room_state_follows_the_events() -> None:
    bridge = JanusAudioBridgePlugin()
    joined = _event(
        {
            "audiobridge": "joined",
            "room": 9,
            "id": 1,
            "participants": [{"id": 2, "display": "two", "setup": True, "muted": False}],
        }
    )
    bridge._entered(joined, "one")
    assert (bridge.room_id, bridge.participant_id, bridge.display_name) == (9, 1, "one")
    assert set(bridge.room_participants) == {2}
    await bridge._track_room(
        _event({"audiobridge": "joined", "room": 9, "participants": [{"id": 3, "muted": False}]})
    )
    await bridge._track_room(
        _event({"audiobridge": "event", "room": 9, "participants": [{"id": 1, "muted": True}]})
    )
    assert bridge.muted is True and set(bridge.room_participants) == {2, 3}
    await bridge._track_room(_event({"audiobridge": "talking", "room": 9, "id": 2}))
    assert bridge.room_participants[2].talking is True
    await bridge._track_room(_event({"audiobridge": "event", "room": 9, "leaving": 3}))
    await bridge._track_room(_event({"audiobridge": "event", "room": 9, "muted": True}))
    assert set(bridge.room_participants) == {2} and bridge.room_muted is True
    # An event of another room (one we left) changes nothing.
    await bridge._track_room(_event({"audiobridge": "event", "room": 8, "leaving": 2}))
    assert set(bridge.room_participants) == {2}
    await bridge._track_room(_event({"audiobridge": "event", "room": 9, "kicked": 1}))
    assert bridge.room_id is None and bridge.room_participants == {}


def test_event_types_select_callbacks() -> None:
    bridge = JanusAudioBridgePlugin()
    bridge.on_event(lambda event: None, AudioBridgeEventType.TALKING, "stopped-talking")
    with pytest.raises(ValueError, match="unknown AudioBridge event type"):
        bridge.on_event(lambda event: None, "chatting")


def test_list_rooms_are_read_into_the_audiobridge_room_type() -> None:
    from janus_client.plugins.audiobridge import AudioBridgeRoom
    from janus_client.plugins.audiobridge.events import rooms_of

    entry = {
        "room": 1234,
        "description": "lobby",
        "pin_required": False,
        "num_participants": 2,
        "sampling_rate": 48000,
        "spatial_audio": True,
        "record": False,
        "muted": "no",  # not a bool: read as None
        "extra": 1,
    }
    (room,) = rooms_of({"list": [entry]})
    assert type(room) is AudioBridgeRoom
    assert (room.room, room.description, room.pin_required, room.num_participants) == (
        1234,
        "lobby",
        False,
        2,
    )
    assert (room.sampling_rate, room.spatial_audio, room.record, room.muted) == (
        48000,
        True,
        False,
        None,
    )
    assert room.raw == entry
    assert type(AudioBridgeRoom.from_data({"room": "x"})) is AudioBridgeRoom
