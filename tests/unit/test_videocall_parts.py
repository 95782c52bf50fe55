"""VideoCall plugin pieces that need no server: errors, typed events, dispatch."""

from __future__ import annotations

from typing import Any

import pytest

from janus_client import (
    InvalidStateError,
    JanusVideoCallPlugin,
    PluginError,
    PluginEvent,
    VideoCallError,
    VideoCallEvent,
    VideoCallEventType,
    WebRTCUpEvent,
)
from janus_client.coverage import missing
from janus_client.protocol import plugin_error

PLUGIN = "janus.plugin.videocall"
OFFER = {"type": "offer", "sdp": "v=0\r\n"}


def _event(result: dict[str, Any] | None, jsep: dict[str, Any] | None = None) -> PluginEvent:
    data: dict[str, Any] = {"videocall": "event"}
    if result is not None:
        data["result"] = result
    return PluginEvent(plugin=PLUGIN, data=data, jsep=jsep, handle_id=7, raw={"x": 1})


def test_error_library_form_as_the_handle_builds_it() -> None:
    err = plugin_error(
        PLUGIN,
        {"videocall": "event", "error_code": 478, "error": "Username 'x' doesn't exist"},
        request="call",
        error_class=VideoCallError,
    )
    assert isinstance(err, VideoCallError) and isinstance(err, PluginError)
    assert err.code == err.error_code == 478
    assert err.code_name == "JANUS_VIDEOCALL_ERROR_NO_SUCH_USERNAME"
    assert err.reason == err.error_message == "Username 'x' doesn't exist"
    assert err.request == "call" and err.plugin == PLUGIN
    assert "478" in str(err) and "call" in str(err)


def test_error_0_9_forms() -> None:
    err = VideoCallError(0, "not registered")
    assert (err.error_code, err.error_message) == (0, "not registered")
    assert err.code == 0 and err.code_name is None
    assert str(err) == "VideoCall error 0: not registered"
    err = VideoCallError(error_code=476, error_message="taken")
    assert err.code_name == "JANUS_VIDEOCALL_ERROR_USERNAME_TAKEN"
    assert str(err) == "VideoCall error 476: taken"
    assert VideoCallError("no code").error_code == 0
    with pytest.raises(TypeError):
        VideoCallError("text", "more text")  # type: ignore[call-overload]


def test_every_documented_code_has_a_name() -> None:
    codes = set(range(470, 484)) | {499}
    assert set(VideoCallError.code_names) == codes
    assert all(n.startswith("JANUS_VIDEOCALL_ERROR_") for n in VideoCallError.code_names.values())


def test_typed_event_and_0_9_dict() -> None:
    event = VideoCallEvent.from_plugin_event(
        _event({"event": "incomingcall", "username": "alice"}, OFFER)
    )
    assert event is not None and isinstance(event, PluginEvent)
    assert event.type is VideoCallEventType.INCOMINGCALL
    assert event.username == "alice" and event.jsep == OFFER and event.handle_id == 7
    assert event.compat_dict() == {"event": "incomingcall", "username": "alice", "jsep": OFFER}
    hangup = VideoCallEvent.from_plugin_event(
        _event({"event": "hangup", "username": "bob", "reason": "We did the hangup"})
    )
    assert hangup is not None and hangup.reason == "We did the hangup"
    assert hangup.compat_dict() == hangup.result
    answer = {"type": "answer", "sdp": "v=0\r\n"}
    accepted = VideoCallEvent.from_plugin_event(_event({"event": "accepted"}, answer))
    assert accepted is not None and "jsep" not in accepted.compat_dict()
    # Replies to "list", errors and unknown events have no typed form.
    assert VideoCallEvent.from_plugin_event(_event({"list": ["a"]})) is None
    assert VideoCallEvent.from_plugin_event(_event(None)) is None
    assert VideoCallEvent.from_plugin_event(_event({"event": "something-new"})) is None


async def test_dispatch_to_typed_and_enum_handlers() -> None:
    plugin = JanusVideoCallPlugin()
    typed: list[VideoCallEvent] = []
    compat: list[dict[str, Any]] = []
    hangups: list[dict[str, Any]] = []
    everything: list[object] = []
    ups: list[object] = []

    async def on_hangup(data: dict[str, Any]) -> None:
        hangups.append(data)

    plugin.on_event(VideoCallEvent, typed.append)
    plugin.on_event(VideoCallEventType.INCOMINGCALL, compat.append)
    plugin.on_event("hangup", on_hangup)
    plugin.on_event(everything.append)
    plugin.on_event(WebRTCUpEvent, ups.append)
    with pytest.raises(ValueError, match="unknown VideoCall event"):
        plugin.on_event("ringing", print)

    await plugin._dispatch(_event({"event": "incomingcall", "username": "alice"}, OFFER))
    assert compat == [{"event": "incomingcall", "username": "alice", "jsep": OFFER}]
    assert [e.type for e in typed] == [VideoCallEventType.INCOMINGCALL]
    assert plugin.in_call and plugin.call_state == "incoming"
    assert plugin.peer_username == "alice" and plugin.incoming_offer == OFFER
    assert await plugin.wait_incoming_call(timeout=0.1) == ("alice", OFFER)

    await plugin._dispatch(_event({"event": "hangup", "username": "alice", "reason": "gone"}))
    assert hangups == [{"event": "hangup", "username": "alice", "reason": "gone"}]
    assert not plugin.in_call and plugin.hangup_reason == "gone"
    assert await plugin.wait_hangup(timeout=0.1) == "gone"
    with pytest.raises(VideoCallError, match="gone"):
        await plugin.wait_accepted(timeout=0.1)
    with pytest.raises(InvalidStateError):  # nothing to wait for: not attached
        await plugin.wait_incoming_call(timeout=0.05)

    await plugin._dispatch(WebRTCUpEvent(handle_id=7))
    await plugin._dispatch(_event({"list": ["x"]}))
    assert len(ups) == 1 and len(everything) == 4 and len(typed) == 2


def test_every_videocall_request_has_a_method() -> None:
    assert missing(PLUGIN) == []
