"""`read_fields` and `TypedPluginEvent`: typed results and events read from plugin data."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest

from janus_client.events import PluginEvent, TypedPluginEvent, read_fields, result_object
from janus_client.plugins.recordplay import Recording
from janus_client.plugins.streaming import Mountpoint, MountpointCreated
from janus_client.plugins.voicemail import VoiceMailEvent, VoiceMailStatus
from janus_client.validate import RoomId


@dataclass(frozen=True)
class _Reply:
    name: str | None
    count: int | None = None
    flag: bool | None = None
    room: RoomId | None = None
    text: str = ""
    truth: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def test_each_annotation_has_its_lenient_reader() -> None:
    data = {
        "name": "n",
        "count": 3,
        "flag": True,
        "room": "r1",
        "text": "t",
        "truth": 1,
        "extra": {"a": 1},
        "raw": "never read",
    }
    assert _Reply(**read_fields(_Reply, data)) == _Reply(
        name="n", count=3, flag=True, room="r1", text="t", truth=True, extra={"a": 1}
    )
    wrong = {"name": 5, "count": True, "flag": "yes", "room": False, "text": None, "extra": []}
    assert read_fields(_Reply, wrong) == {
        "name": None,
        "count": None,
        "flag": None,
        "room": None,
        "text": "",
        "truth": False,
        "extra": {},
    }


def test_keys_rename_and_the_first_present_key_is_read() -> None:
    keys: dict[str, str | tuple[str, ...]] = {"name": "display", "count": ("count", "total")}
    assert read_fields(_Reply, {"display": "d", "total": 4}, keys)["count"] == 4
    assert read_fields(_Reply, {"display": "d", "total": 4}, keys)["name"] == "d"
    # The first key present wins, even when its value is not of the field's type.
    assert read_fields(_Reply, {"count": "x", "total": 4}, keys)["count"] is None


def test_given_fields_are_taken_as_given() -> None:
    fields = read_fields(_Reply, {"name": "n", "count": 1}, count=7, raw={"r": 1})
    assert fields["count"] == 7 and fields["raw"] == {"r": 1} and fields["name"] == "n"


@dataclass(frozen=True)
class _Odd:
    items: tuple[int, ...] = ()


def test_an_annotation_without_a_reader_must_be_given() -> None:
    with pytest.raises(TypeError, match=r"_Odd\.items"):
        read_fields(_Odd, {"items": [1]})
    assert read_fields(_Odd, {}, items=(1,)) == {"items": (1,)}


def test_result_object() -> None:
    assert result_object({"result": {"a": 1}}) == {"a": 1}
    assert result_object({"result": "done"}) == {}
    assert result_object({"stream": {"id": 2}}, "stream") == {"id": 2}


class _Kind(str, enum.Enum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, kw_only=True)
class _Event(TypedPluginEvent):
    plugin_package: ClassVar[str] = "janus.plugin.x"
    plugin_label: ClassVar[str] = "X"
    kinds: ClassVar[type[enum.Enum]] = _Kind
    field_keys: ClassVar[dict[str, str | tuple[str, ...]]] = {"who": "user"}

    type: _Kind
    who: str | None = None
    error_code: int | None = None
    error: str | None = None
    result: dict[str, Any] = field(default_factory=dict)


def test_a_typed_event_reads_its_kind_fields_errors_and_result() -> None:
    data = {"x": "event", "error_code": 4, "error": "e", "result": {"event": "up", "user": "u"}}
    event = _Event.from_data(data, {"type": "offer", "sdp": "v=0"}, handle_id=9)
    assert (event.type, event.who, event.error_code, event.error) == (_Kind.UP, "u", 4, "e")
    assert event.result == {"event": "up", "user": "u"} and event.data == data
    assert event.plugin == "janus.plugin.x" and event.handle_id == 9 and event.raw == {}
    assert event.jsep is not None and "v=0" not in repr(event)
    with pytest.raises(ValueError, match="not a X event"):
        _Event.from_data({"result": {"event": "sideways"}})


def test_from_plugin_event_keeps_the_untyped_events_fields() -> None:
    raw = {"janus": "event"}
    plain = PluginEvent(
        plugin="janus.plugin.x",
        data={"result": {"event": "down"}},
        transaction="t",
        session_id=1,
        handle_id=2,
        raw=raw,
    )
    event = _Event.from_plugin_event(plain)
    assert event is not None and event.type is _Kind.DOWN
    assert (event.transaction, event.session_id, event.handle_id, event.raw) == ("t", 1, 2, raw)
    assert _Event.from_plugin_event(PluginEvent(data={"result": "done"})) is None


def test_the_kind_and_fields_can_be_read_from_the_data_itself() -> None:
    # VoiceMail names its kind ``status``, beside its fields, in the data itself.
    event = VoiceMailEvent.from_data({"voicemail": "event", "status": "done", "recording": "/r"})
    assert event.status is VoiceMailStatus.DONE and event.recording == "/r"
    assert event.plugin == "janus.plugin.voicemail"
    assert VoiceMailEvent.kind_of({"voicemail": "event", "status": "sideways"}) is None


@dataclass(frozen=True, kw_only=True)
class _NoKinds(TypedPluginEvent):
    type: str = ""


def test_a_typed_event_needs_kinds_or_its_own_kind_of() -> None:
    with pytest.raises(NotImplementedError, match="_NoKinds"):
        _NoKinds.kind_of({})


def test_a_typed_result_reads_its_source_object_and_keeps_the_data_in_raw() -> None:
    data = {"streaming": "created", "created": "cam", "permanent": True, "stream": {"id": 5}}
    created = MountpointCreated.from_data(data)
    assert (created.id, created.name, created.permanent, created.ports) == (5, "cam", True, ())
    assert created.raw == data and created.raw is not data


def test_a_field_can_name_its_own_reader() -> None:
    mountpoint = Mountpoint.from_data({"id": 1, "media": [{"mid": "v1", "rtcpport": 9}, "bad"]})
    assert [(m.mid, m.rtcp_port) for m in mountpoint.media] == [("v1", 9)]
    assert Mountpoint.from_data({"id": 1, "media": "none"}).media == ()


def test_a_typed_results_raw_is_keyword_only_and_not_compared() -> None:
    a = Recording(3, raw={"id": 3})
    assert a == Recording(3) and repr(a) == repr(Recording(3))
    with pytest.raises(TypeError):
        Recording(3, "n", "d", False, None, False, False, None, False, {})  # type: ignore[call-arg]
