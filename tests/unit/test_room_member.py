"""The one-room state AudioBridge and VideoRoom share (plugins.rooms._RoomMember)."""

from __future__ import annotations

import pytest

from janus_client import JanusSession
from janus_client.errors import JanusError
from janus_client.plugins.audiobridge import JanusAudioBridgePlugin
from janus_client.plugins.base import JanusPlugin
from janus_client.plugins.rooms import _RoomMember
from janus_client.plugins.videoroom import JanusVideoRoomPlugin
from janus_client.testing import FakeJanus, FakeRequest


async def test_the_room_state_is_reset_on_attach_and_when_the_handle_closes(
    fake_janus: FakeJanus,
) -> None:
    # The fake has no AudioBridge: tests/integration/test_audiobridge.py covers it.
    assert issubclass(JanusAudioBridgePlugin, _RoomMember)
    plugin = JanusVideoRoomPlugin()
    async with JanusSession(fake_janus.ws_url) as session:
        plugin._room, plugin._display = 1234, "left over"
        await plugin.attach(session)
        assert (plugin.room_id, plugin.display_name) == (None, None)
        plugin._room, plugin._display = 1234, "alice"
        await plugin.destroy()  # Janus drops the participant with the handle
        assert (plugin.room_id, plugin.display_name) == (None, None)


async def test_attached_runs_once_at_the_end_of_attach(fake_janus: FakeJanus) -> None:
    seen: list[tuple[bool, int | None]] = []

    class Probe(JanusPlugin):
        name = "janus.plugin.echotest"

        def _attached(self) -> None:
            super()._attached()
            seen.append((self.attached, self.handle_id))

    async with JanusSession(fake_janus.ws_url) as session, Probe() as probe:
        await probe.attach(session)
        assert seen == [(True, probe.handle_id)]


async def test_leave_drops_the_state_even_when_janus_refuses(fake_janus: FakeJanus) -> None:
    room = JanusVideoRoomPlugin()
    async with JanusSession(fake_janus.ws_url) as session:
        await room.attach(session)
        room._room, room._display = 1234, "alice"
        fake_janus.on_request("message", lambda request: request.error(490, "refused"))
        with pytest.raises(JanusError):
            await room._leave(timeout=5)
        fake_janus.on_request("message", None)
        assert (room.room_id, room.display_name) == (None, None)
        await room.destroy()


async def test_videoroom_publisher_settings_are_checked_and_sent_from_one_table(
    fake_janus: FakeJanus,
) -> None:
    from janus_client.plugins.videoroom import ParticipantType

    sent: list[dict[str, object]] = []

    def configured(request: FakeRequest) -> list[dict[str, object]]:
        sent.append(dict(request.message["body"]))
        return [request.ack(), request.event(data={"videoroom": "event", "configured": "ok"})]

    room = JanusVideoRoomPlugin()
    async with JanusSession(fake_janus.ws_url) as session:
        await room.attach(session)
        room._ptype = ParticipantType.PUBLISHER
        fake_janus.on_request("message", configured)
        await room.configure(bitrate=0, display="bob", audio_level_average=40, restart=False)
        assert sent == [
            {
                "request": "configure",
                "bitrate": 0,
                "display": "bob",
                "audio_level_average": 40,
                "restart": False,
            }
        ]
        assert room.display_name == "bob"
        with pytest.raises(TypeError, match=r"^restart "):
            await room.configure(restart="yes")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=r"^bitrate "):
            await room.configure(bitrate=-1)
        with pytest.raises(TypeError, match=r"^audiocodec "):
            await room.publish(audiocodec=8)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=r"^descriptions\[0\] needs .description."):
            await room.publish(descriptions=[{"mid": "0"}])
        assert len(sent) == 1  # the refused calls sent nothing
        fake_janus.on_request("message", None)
        await room.destroy()
