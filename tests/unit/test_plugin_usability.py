"""Plugin rough edges a user meets: hints in errors, handle_id, async with."""

from __future__ import annotations

import sys

import pytest

from janus_client import JanusEchoTestPlugin, JanusSession
from janus_client.plugins.media import webrtc_state_hint
from janus_client.plugins.textroom import JanusTextRoomPlugin, TextRoomStateError
from janus_client.testing import FakeJanus


async def test_textroom_request_before_setup_says_to_call_setup(fake_janus: FakeJanus) -> None:
    async with JanusSession(fake_janus.ws_url) as session, JanusTextRoomPlugin() as text:
        await text.attach(session)
        with pytest.raises(TextRoomStateError) as info:
            await text.join_room(1234, "alice")
        # The 0.9.x message is kept; the hint says what to do.
        assert str(info.value) == "TextRoom error 0: DataChannel not established"
        assert info.value.hint is not None and "setup()" in info.value.hint
        if sys.version_info >= (3, 11):
            assert any("setup()" in note for note in info.value.__notes__)


async def test_wait_webrtcup_without_media_says_so(fake_janus: FakeJanus) -> None:
    async with JanusSession(fake_janus.ws_url) as session, JanusEchoTestPlugin() as echo:
        await echo.attach(session)
        assert echo.handle_id == echo.id and isinstance(echo.handle_id, int)
        with pytest.raises(TimeoutError, match="no peer connection was started"):
            await echo.wait_webrtcup(timeout=0.05)
    assert echo.handle_id is None


def test_state_hint_for_no_peer() -> None:
    assert "start media first" in webrtc_state_hint(None)


class _Transport:
    def __init__(self, state: str) -> None:
        self.state = state


class _Receiver:
    def __init__(self, state: str) -> None:
        self.transport = _Transport(state)


class _Transceiver:
    def __init__(self, state: str) -> None:
        self.receiver = _Receiver(state)


class _PC:
    def __init__(self, ice: str, dtls: str) -> None:
        self.iceGatheringState = "complete"
        self.iceConnectionState = ice
        self.connectionState = "connecting"
        self.sctp = None
        self._dtls = dtls

    def getTransceivers(self) -> list[_Transceiver]:
        return [_Transceiver(self._dtls), _Transceiver(self._dtls)]


class _Peer:
    def __init__(self, ice: str, dtls: str) -> None:
        self.pc = _PC(ice, dtls)


def test_state_hint_names_the_states_reached_and_what_to_check() -> None:
    stuck = webrtc_state_hint(_Peer("checking", "new"))
    assert "ICE gathering complete, ICE checking, DTLS new" in stuck
    assert "STUN" in stuck and "advertises" in stuck
    dtls = webrtc_state_hint(_Peer("completed", "connecting"))
    assert "ICE completed" in dtls and "DTLS did not complete" in dtls


async def test_one_name_per_media_argument_with_the_0_9_aliases() -> None:
    from janus_client import JanusVideoCallPlugin, JanusVideoRoomPlugin
    from janus_client.plugins.media import media_alias

    assert media_alias("play_from", None, "player", "x.mp4") == "x.mp4"
    assert media_alias("play_from", "y.mp4", "player", None) == "y.mp4"
    room = JanusVideoRoomPlugin()
    with pytest.raises(TypeError, match=r"play_from or its 0\.9\.x name player"):
        await room.join_and_configure(1, "a.mp4", player=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"record_to or its 0\.9\.x name recorder"):
        await room.subscribe_to_publisher(1, 2, object(), record_to="r.mp4")  # type: ignore[arg-type]
    call = JanusVideoCallPlugin()
    with pytest.raises(TypeError, match=r"play_from or its 0\.9\.x name player"):
        await call.call("bob", "a.mp4", play_from="b.mp4")
