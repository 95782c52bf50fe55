"""janus_client.validate: one set of argument checks, the same in every plugin."""

from __future__ import annotations

import pytest

from janus_client import validate as v
from janus_client.plugins.textroom import JanusTextRoomPlugin
from janus_client.plugins.videoroom import JanusVideoRoomPlugin


@pytest.mark.parametrize("good", [1, 1234, "lobby", "0042"])
def test_enforce_id_accepts_positive_ints_and_strings(good: object) -> None:
    assert v.enforce_id(good, name="room") == good


@pytest.mark.parametrize(
    ("bad", "error"),
    [(0, ValueError), (-3, ValueError), ("", ValueError), (True, TypeError), (1.5, TypeError)],
)
def test_enforce_id_refuses_and_names_the_argument(bad: object, error: type[Exception]) -> None:
    with pytest.raises(error, match=r"^room_id "):
        v.enforce_id(bad, name="room_id")


def test_enforce_id_digit_string_needs_string_ids() -> None:
    with pytest.raises(ValueError, match="string_ids"):
        v.enforce_id("1234", name="room", string_ids=False)
    assert v.enforce_id("1234", name="room", string_ids=True) == "1234"


def test_secret_never_appears_in_the_message() -> None:
    with pytest.raises(TypeError) as info:
        v.enforce_secret(12345678, name="pin", optional=False)
    assert "12345678" not in str(info.value)
    assert str(info.value).startswith("pin ")
    assert v.enforce_secret(None, name="pin") is None


def test_scalar_checks() -> None:
    assert v.enforce_bool(False, name="audio") is False
    with pytest.raises(TypeError, match=r"^audio must be a bool"):
        v.enforce_bool(1, name="audio")
    assert v.enforce_int(None, name="bitrate", optional=True) is None
    with pytest.raises(ValueError, match=r"^bitrate must not be negative"):
        v.enforce_int(-1, name="bitrate")
    with pytest.raises(ValueError, match=r"^substream must be at most 2"):
        v.enforce_int(3, name="substream", high=2)
    with pytest.raises(ValueError, match=r"^port must be 1..65535"):
        v.enforce_port(70000, name="port")
    with pytest.raises(ValueError, match=r"^display must not be empty"):
        v.enforce_str("", name="display")
    assert v.enforce_str("", name="text", empty=True) == ""
    with pytest.raises(TypeError, match=r"^tos\[1\]"):
        v.enforce_strings(["a", 2], name="tos")
    with pytest.raises(TypeError, match=r"^tos must be a list"):
        v.enforce_strings("alice", name="tos")


def test_timeout_uses_the_core_rule_and_its_name() -> None:
    assert v.enforce_timeout(None) is None
    assert v.enforce_timeout(2) == 2.0
    with pytest.raises(ValueError, match="timeout"):
        v.enforce_timeout(0)
    with pytest.raises(ValueError, match="ack_timeout"):
        v.enforce_timeout(-1, name="ack_timeout")


def test_put_adds_only_checked_non_none_fields() -> None:
    body = v.put({"request": "x"}, audio=(True, bool), bitrate=(None, int))
    assert body == {"request": "x", "audio": True}
    with pytest.raises(TypeError, match=r"^bitrate "):
        v.put({}, bitrate=("fast", int))
    assert v.put_strings({}, pin="1", secret=None) == {"pin": "1"}
    with pytest.raises(ValueError, match=r"^pin must not be empty"):
        v.put_strings({}, pin="")


def test_objects_check_ids_and_strings() -> None:
    items = v.enforce_objects([{"feed": 3, "mid": "0"}], name="streams", ids=("feed",))
    assert items == [{"feed": 3, "mid": "0"}]
    with pytest.raises(ValueError, match=r"^streams\[0\]\['feed'\]"):
        v.enforce_objects([{"feed": 0}], name="streams", ids=("feed",))
    with pytest.raises(ValueError, match=r"^streams must not be empty"):
        v.enforce_objects([], name="streams")


def test_opt_objects_keeps_the_dict_entries_of_an_array_only() -> None:
    entry = {"id": 1}
    assert v.opt_objects([entry, 3, "x", None, [1], {"id": 2}]) == [entry, {"id": 2}]
    assert v.opt_objects([entry])[0] is entry  # read, not copied
    for not_an_array in (None, {"id": 1}, "list", 5, (entry,)):
        assert v.opt_objects(not_an_array) == []


async def test_room_zero_refused_the_same_by_videoroom_and_textroom() -> None:
    """Room 0 means "no room" to Janus: both plugins refuse it before sending."""
    video = JanusVideoRoomPlugin()
    text = JanusTextRoomPlugin()
    with pytest.raises(ValueError, match=r"^room_id must be a positive number"):
        await video.exists(0)
    with pytest.raises(ValueError, match=r"^room must be a positive number"):
        await text.exists(0)


def test_enforce_callable_names_the_argument() -> None:
    def callback() -> None:
        return None

    assert v.enforce_callable(callback, name="on_track") is callback
    assert v.enforce_callable(None, name="on_track", optional=True) is None
    with pytest.raises(TypeError, match="on_track must be callable, got str"):
        v.enforce_callable("nope", name="on_track")
    with pytest.raises(TypeError, match="on_track must be callable"):
        v.enforce_callable(None, name="on_track")
