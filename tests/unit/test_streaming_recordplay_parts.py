"""Streaming and Record&Play pieces that need no Janus: bodies, checks, typed events."""

from __future__ import annotations

from typing import Any

import pytest

from janus_client import (
    InvalidStateError,
    JanusRecordPlayPlugin,
    JanusSession,
    JanusStreamingPlugin,
    PluginEvent,
    Recording,
    RecordPlayError,
    RecordPlayEvent,
    RecordPlayEventType,
    RtpMedia,
    StreamingError,
    StreamingEvent,
    StreamingEventType,
)
from janus_client.coverage import missing
from janus_client.plugins.streaming_events import MountpointCreated
from janus_client.protocol import plugin_error
from janus_client.testing import MockTransport, RtpFeed, plugin_reply

STREAMING = "janus.plugin.streaming"


def _event(plugin: str, data: dict[str, Any], jsep: dict[str, Any] | None = None) -> PluginEvent:
    return PluginEvent(plugin=plugin, data=data, jsep=jsep, handle_id=3, raw={"r": 1})


def test_coverage_is_complete() -> None:
    assert missing(STREAMING) == []
    assert missing("janus.plugin.recordplay") == []


def test_error_code_names() -> None:
    err = plugin_error(
        STREAMING,
        {"streaming": "event", "error_code": 455, "error": "No such mountpoint/stream 9"},
        request="watch",
        error_class=StreamingError,
    )
    assert isinstance(err, StreamingError) and err.code == 455
    assert err.code_name == "JANUS_STREAMING_ERROR_NO_SUCH_MOUNTPOINT"
    assert RecordPlayError("x", code=420).code_name == "JANUS_RECORDPLAY_ERROR_RECORDING_EXISTS"


@pytest.mark.parametrize(
    ("result", "kind"),
    [
        ({"status": "preparing"}, StreamingEventType.PREPARING),
        ({"status": "starting"}, StreamingEventType.STARTING),
        ({"status": "started"}, StreamingEventType.STARTED),
        ({"status": "pausing"}, StreamingEventType.PAUSED),
        ({"status": "stopping"}, StreamingEventType.STOPPING),
        ({"status": "stopped"}, StreamingEventType.STOPPED),
        ({"status": "updating"}, StreamingEventType.UPDATED),
        ({"switched": "ok", "id": 7}, StreamingEventType.SWITCHING),
        ({"event": "configured"}, StreamingEventType.CONFIGURED),
        ({"substream": 1}, StreamingEventType.SIMULCAST),
        ({"spatial_layer": 0}, StreamingEventType.SVC),
    ],
)
def test_streaming_event_types(result: dict[str, Any], kind: StreamingEventType) -> None:
    typed = StreamingEvent.from_plugin_event(
        _event(STREAMING, {"streaming": "event", "result": result})
    )
    assert typed is not None and typed.type is kind
    assert typed.raw == {"r": 1} and typed.handle_id == 3
    assert typed.result == result


def test_streaming_event_details() -> None:
    switched = StreamingEvent.from_data(
        {"streaming": "event", "result": {"switched": "ok", "id": 7}}
    )
    assert switched.id == 7 and switched.type is StreamingEventType.SWITCHED
    error = StreamingEvent.from_data({"streaming": "event", "error_code": 460, "error": "x"})
    assert error.type is StreamingEventType.ERROR and error.error_code == 460
    assert StreamingEvent.from_plugin_event(_event(STREAMING, {"streaming": "list"})) is None
    with pytest.raises(ValueError, match="not a Streaming event"):
        StreamingEvent.from_data({"streaming": "ok"})


def test_recordplay_event_types() -> None:
    done = RecordPlayEvent.from_plugin_event(
        _event("janus.plugin.recordplay", {"recordplay": "event", "result": "done"})
    )
    assert done is not None and done.type is RecordPlayEventType.DONE and done.result == {}
    recording = RecordPlayEvent.from_data(
        {"recordplay": "event", "result": {"status": "recording", "id": 12}}
    )
    assert recording.type is RecordPlayEventType.RECORDING and recording.id == 12
    assert RecordPlayEvent.from_plugin_event(_event("x", {"recordplay": "list"})) is None


def test_typed_results() -> None:
    created = MountpointCreated.from_data(
        {
            "streaming": "created",
            "created": "cam",
            "permanent": False,
            "stream": {
                "id": 5,
                "type": "live",
                "host": "127.0.0.1",
                "ports": [{"type": "video", "mid": "v1", "port": 39002}],
            },
        }
    )
    assert (created.id, created.name, created.host) == (5, "cam", "127.0.0.1")
    assert created.port_of("v1") == 39002
    with pytest.raises(KeyError):
        created.port_of("a1")
    rec = Recording.from_data({"id": 3, "name": "n", "audio": True, "video_codec": "vp8"})
    assert (rec.id, rec.audio, rec.video, rec.video_codec) == (3, True, False, "vp8")
    assert rec.raw["name"] == "n"


def test_rtp_media_checks() -> None:
    body = RtpMedia("video", "v1", pt=100, codec="vp8", iface="127.0.0.1", bufferkf=True).to_json()
    assert body == {
        "type": "video",
        "mid": "v1",
        "port": 0,
        "pt": 100,
        "codec": "vp8",
        "iface": "127.0.0.1",
        "bufferkf": True,
    }
    assert RtpMedia("data", "d1").to_json() == {"type": "data", "mid": "d1", "port": 0}
    with pytest.raises(ValueError, match="pt and codec"):
        RtpMedia("audio", "a1").to_json()
    with pytest.raises(ValueError, match="type"):
        RtpMedia("text", "t1").to_json()  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="port"):
        RtpMedia("audio", "a1", port=70000, pt=111, codec="opus").to_json()
    with pytest.raises(TypeError):
        RtpMedia("audio", "a1", pt="111", codec="opus").to_json()  # type: ignore[arg-type]


def test_rtp_feed_pipeline_and_checks() -> None:
    feed = RtpFeed(40000, 40002, pattern="white", max_seconds=2)
    args = feed.pipeline()
    assert "pattern=white" in args and "port=40000" in args and "port=40002" in args
    assert "num-buffers=60" in args and "num-buffers=100" in args  # bounded
    assert not feed.running and feed.pid is None
    feed.stop()  # idempotent before start
    assert "videotestsrc" not in RtpFeed(None, 40002).pipeline()
    with pytest.raises(ValueError, match="needs a video_port"):
        RtpFeed(None, None)
    with pytest.raises(ValueError, match="pattern"):
        RtpFeed(40000, None, pattern="plaid")
    with pytest.raises(ValueError, match="video_port"):
        RtpFeed(0, None)


async def test_create_bodies_and_checks() -> None:
    sent: list[dict[str, Any]] = []

    def janus(request: dict[str, Any]) -> Any:
        if request["janus"] == "message":
            sent.append(request["body"])
            return plugin_reply(
                request, {"streaming": "created", "created": "x", "stream": {"id": 9}}
            )
        return None

    async with JanusSession(transport=MockTransport(janus)) as session:
        streaming = await session.attach(JanusStreamingPlugin())
        created = await streaming.create_mountpoint(
            media=[RtpMedia("audio", "a1", pt=111, codec="opus")], secret="hidden", threads=2
        )
        assert created.id == 9
        assert sent[-1] == {
            "request": "create",
            "type": "rtp",
            "secret": "hidden",
            "media": [{"type": "audio", "mid": "a1", "port": 0, "pt": 111, "codec": "opus"}],
            "threads": 2,
        }
        await streaming.create_mountpoint(type="rtsp", url="rtsp://127.0.0.1/x", rtsp_pwd="pw")
        assert sent[-1]["url"] == "rtsp://127.0.0.1/x" and sent[-1]["rtsp_pwd"] == "pw"
        count = len(sent)
        with pytest.raises(ValueError, match="needs media"):
            await streaming.create_mountpoint()
        with pytest.raises(ValueError, match="needs filename"):
            await streaming.create_mountpoint(type="ondemand")
        with pytest.raises(ValueError, match="needs url"):
            await streaming.create_mountpoint(type="rtsp")
        with pytest.raises(ValueError, match="type must be"):
            await streaming.create_mountpoint(type="webrtc")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="used twice"):
            await streaming.create_mountpoint(media=[RtpMedia("data", "d"), RtpMedia("data", "d")])
        with pytest.raises(TypeError) as caught:
            await streaming.create_mountpoint(type="rtsp", url="u", rtsp_pwd=123)  # type: ignore[arg-type]
        assert "123" not in str(caught.value)
        assert len(sent) == count  # nothing was sent for refused calls
        with pytest.raises(InvalidStateError, match="not watching"):
            await streaming.switch(3)
        with pytest.raises(InvalidStateError, match="not watching"):
            await streaming.start()
        assert await streaming.stop() is None
        assert len(sent) == count


async def test_recordplay_state_checks() -> None:
    async with JanusSession(transport=MockTransport(lambda r: None)) as session:
        plugin = await session.attach(JanusRecordPlayPlugin())
        with pytest.raises(TypeError):
            await plugin.record(5)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="name"):
            await plugin.record("")
        with pytest.raises(TimeoutError, match="done"):
            await plugin.wait_done(timeout=0.01)
        assert await plugin.stop() is None


async def test_fake_streaming_management() -> None:
    from janus_client.testing.fake import FakeJanus, FakeStreaming

    async with FakeJanus() as fake:
        model = FakeStreaming()
        model.install(fake)
        async with JanusSession(fake.ws_url) as session:
            plugin = await session.attach(JanusStreamingPlugin())
            created = await plugin.create_mountpoint(
                media=[RtpMedia("audio", "a1", pt=111, codec="opus")], secret="k", name="fake"
            )
            assert created.id == 1 and created.port_of("a1") == 20000
            assert [m.id for m in await plugin.list_mountpoints()] == [1]
            info = await plugin.info(1)
            assert info.name == "fake" and info.media[0].mid == "a1"
            with pytest.raises(StreamingError) as caught:
                await plugin.destroy_mountpoint(1, secret="wrong")
            assert caught.value.code == 457
            assert (await plugin.disable_mountpoint(1, secret="k")).result == "ok"
            assert model.mountpoints[1]["enabled"] is False
            await plugin.start_recording(1, {"a1": "/tmp/x"}, secret="k")
            assert model.mountpoints[1]["recording"] == {"a1": "/tmp/x"}
            assert (await plugin.destroy_mountpoint(1, secret="k")).id == 1
            with pytest.raises(StreamingError) as caught:
                await plugin.info(1)
            assert caught.value.code_name == "JANUS_STREAMING_ERROR_NO_SUCH_MOUNTPOINT"
            assert [b["request"] for b in model.requests][:2] == ["create", "list"]


def _stop_mock(plugin: str, stopped: dict[str, Any]) -> MockTransport:
    """Janus answering ``stop`` with its event, then the PeerConnection's hangup."""

    def janus(request: dict[str, Any]) -> Any:
        if request["janus"] == "hangup":
            return None
        if request["janus"] != "message" or request["body"] != {"request": "stop"}:
            return None
        hangup = {
            "janus": "hangup",
            "session_id": request["session_id"],
            "sender": request["handle_id"],
            "reason": "Close PC",
        }
        return [plugin_reply(request, stopped, event=True), hangup]

    return MockTransport(janus)


@pytest.mark.parametrize("name", ["streaming", "recordplay"])
async def test_stop_ends_the_run_once_janus_hung_up(name: str) -> None:
    # Streaming's viewer and Record&Play end a run with one shared sequence.
    if name == "streaming":
        cls: Any = JanusStreamingPlugin
        data: dict[str, Any] = {"streaming": "event", "result": {"status": "stopping"}}
    else:
        cls = JanusRecordPlayPlugin
        data = {"recordplay": "event", "result": {"status": "stopped"}}
    transport = _stop_mock(cls.name, data)
    async with JanusSession(transport=transport) as session:
        plugin = await session.attach(cls())
        if name == "streaming":
            plugin._watching, plugin._started = 7, True
            plugin._webrtcup.set()
        else:
            plugin._active = True
        event = await plugin.stop(timeout=5)
        assert event is not None and event.type.value == data["result"]["status"]
        assert plugin._janus_hangup.is_set()  # returned after Janus' hangup, not before
        assert (plugin.watching if name == "streaming" else plugin.active) in (None, False)
        sent = [r for r in transport.requests if r["janus"] == "message"]
        assert [r["body"] for r in sent] == [{"request": "stop"}]
        assert await plugin.stop() is None  # nothing runs any more: nothing is sent
        assert len([r for r in transport.requests if r["janus"] == "message"]) == 1


async def test_streaming_stop_before_webrtcup_hangs_up_instead() -> None:
    transport = _stop_mock(STREAMING, {})
    async with JanusSession(transport=transport) as session:
        plugin = await session.attach(JanusStreamingPlugin())
        plugin._watching, plugin._started = 7, True
        assert await plugin.stop(timeout=0.2) is None
        assert plugin.watching is None
        verbs = [r["janus"] for r in transport.requests]
        assert "hangup" in verbs and "message" not in verbs


async def test_record_refuses_no_media_and_an_answerless_reply() -> None:
    def janus(request: dict[str, Any]) -> Any:
        if request["janus"] != "message":
            return None
        data = {"recordplay": "event", "result": {"status": "recording", "id": 5}}
        return plugin_reply(request, data, event=True)  # and no JSEP answer

    transport = MockTransport(janus)
    async with JanusSession(transport=transport) as session:
        plugin = await session.attach(JanusRecordPlayPlugin())
        with pytest.raises(ValueError, match="audio or video"):
            await plugin.record("demo", audio=False, video=False)
        assert not [r for r in transport.requests if r["janus"] == "message"]
        with pytest.raises(RecordPlayError, match="without a JSEP answer"):
            await plugin.record("demo", video=False, timeout=5)
        sent = [r for r in transport.requests if r["janus"] == "message"]
        assert [r["body"]["request"] for r in sent] == ["record"]
        assert sent[0]["jsep"]["type"] == "offer" and "m=audio" in sent[0]["jsep"]["sdp"]
        assert "m=video" not in sent[0]["jsep"]["sdp"]
        assert not plugin.active and plugin._pc is None  # the offer's connection is closed
