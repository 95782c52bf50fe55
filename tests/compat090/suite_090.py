"""A janus-client 0.9.x-style acceptance suite: written against the 0.9.x API only.

It runs unchanged on janus-client 0.9.0 and on this package, against a real Janus
whose URLs come from the environment:

* ``JANUS_WS_URL``: the Janus API over WebSocket (``ws://127.0.0.1:8188``);
* ``JANUS_HTTP_URL``: the Janus API over HTTP (``http://127.0.0.1:8088/janus``);
* ``JANUS_ICE_ADDRESS`` (optional): the only address aiortc offers as ICE
  candidate (the test bed's ``127.0.0.2``).

``python tests/compat090/run_suite.py [--python PYTHON]`` starts a test Janus
(with this package's test bed) and runs the suite with any interpreter, for
example one of a virtualenv holding janus-client 0.9.0.

Only names that exist in 0.9.0 are used, the way 0.9.x code uses them: plugins
are constructed with ``pc_config``, attached with ``attach(session)``, raw
messages go through ``send()`` transactions, handlers receive dicts, and a
handler never awaits a request itself (0.9.0 ran handlers in its reader).
"""

# ruff: noqa: PT009, PT027 - a unittest suite in the 0.9.x style, on purpose (no pytest)
from __future__ import annotations

import asyncio
import fractions
import os
import shutil
import tempfile
import unittest
from typing import Any

import av
from aiortc import RTCConfiguration
from aiortc.contrib.media import MediaPlayer, MediaRecorder

from janus_client import (
    JanusEchoTestPlugin,
    JanusPlugin,
    JanusSession,
    JanusTextRoomPlugin,
    JanusTransport,
    JanusVideoCallPlugin,
    JanusVideoRoomPlugin,
    PluginAttachFail,
    TextRoomEventType,
    VideoCallEventType,
)
from janus_client.message_transaction import is_subset

WS_URL = os.environ.get("JANUS_WS_URL", "")
HTTP_URL = os.environ.get("JANUS_HTTP_URL", "")
ICE_ADDRESS = os.environ.get("JANUS_ICE_ADDRESS", "")
TIMEOUT = 20.0
MEDIA_SECONDS = 4.0

_workdir = ""
_clip = ""


def _make_clip(path: str, seconds: float = 6.0) -> None:
    """Write a small MP4: moving gray video, 320x240 at 15 fps.

    Video only, on purpose: aiortc's `MediaRecorder` writes an MP4's header with
    its first packet, so when audio reaches a recorder before the first video frame
    (which waits for a key frame) the recording has no video stream at all, in
    0.9.0 and here alike. A video-only source keeps the frame counts meaningful.
    """
    container = av.open(path, mode="w")
    video = container.add_stream("mpeg4", rate=15)
    video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
    for i in range(int(seconds * 15)):
        frame = av.VideoFrame(320, 240, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes([(i * 7) % 256]) * plane.buffer_size)
        frame.pts = i
        frame.time_base = fractions.Fraction(1, 15)
        for packet in video.encode(frame):
            container.mux(packet)
    for packet in video.encode(None):
        container.mux(packet)
    container.close()


def _video_frames(path: str) -> int:
    """Count the video frames of a recorded file (0 if it has none or is unreadable)."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return 0
    try:
        with av.open(path) as container:
            if not container.streams.video:
                return 0
            return sum(1 for _ in container.decode(video=0))
    except av.FFmpegError:
        return 0


def _describe(path: str) -> str:
    """What a recording holds, for failure messages."""
    if not os.path.exists(path):
        return f"{path} does not exist"
    size = os.path.getsize(path)
    try:
        with av.open(path) as container:
            streams = [f"{s.type}:{s.frames}" for s in container.streams]
    except av.FFmpegError as exc:
        return f"{path}: {size} bytes, unreadable ({exc})"
    return f"{path}: {size} bytes, streams {streams}"


def setUpModule() -> None:
    global _workdir, _clip
    if not WS_URL or not HTTP_URL:
        raise unittest.SkipTest("set JANUS_WS_URL and JANUS_HTTP_URL (see run_suite.py)")
    if ICE_ADDRESS:
        import aioice.ice

        aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: [ICE_ADDRESS]
    _workdir = tempfile.mkdtemp(prefix="jc090-suite-")
    _clip = os.path.join(_workdir, "clip.mp4")
    _make_clip(_clip)


def tearDownModule() -> None:
    if _workdir:
        shutil.rmtree(_workdir, ignore_errors=True)


def pc_config() -> RTCConfiguration:
    return RTCConfiguration(iceServers=[])


class _Base(unittest.IsolatedAsyncioTestCase):
    url = ""

    async def asyncSetUp(self) -> None:
        # IsolatedAsyncioTestCase runs the loop in debug mode, which slows aiortc's
        # media start enough that a short recording can miss every frame.
        asyncio.get_running_loop().set_debug(False)

    def out(self, name: str) -> str:
        return os.path.join(_workdir, f"{type(self).__name__}-{self._testMethodName}-{name}")


# ------------------------------------------------------------------- transport
class _TransportTests(_Base):
    async def test_connect_and_disconnect(self) -> None:
        transport = JanusTransport.create_transport(base_url=self.url)
        await transport.connect()
        self.assertTrue(transport.connected)
        await transport.disconnect()
        self.assertFalse(transport.connected)
        await transport.connect()  # the same transport connects again
        self.assertTrue(transport.connected)
        await transport.disconnect()
        self.assertFalse(transport.connected)

    async def test_ping(self) -> None:
        transport = JanusTransport.create_transport(base_url=self.url)
        await transport.connect()
        try:
            response = await transport.ping()
            self.assertEqual(response["janus"], "pong")
        finally:
            await transport.disconnect()

    async def test_info(self) -> None:
        transport = JanusTransport.create_transport(base_url=self.url)
        await transport.connect()
        try:
            info = await transport.info()
            self.assertEqual(info["janus"], "server_info")
            self.assertEqual(info["name"], "Janus WebRTC Server")
            for plugin in ("echotest", "videocall", "videoroom", "textroom"):
                self.assertIn(f"janus.plugin.{plugin}", info["plugins"])
        finally:
            await transport.disconnect()

    async def test_base_url(self) -> None:
        transport = JanusTransport.create_transport(base_url=self.url + "/")
        self.assertEqual(transport.base_url.rstrip("/"), self.url.rstrip("/"))


# -------------------------------------------------------------------- sessions
class _Echo(JanusPlugin):
    """A minimal 0.9.x custom plugin: it only collects the async events."""

    name = "janus.plugin.echotest"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.events: list[dict[str, Any]] = []

    async def on_receive(self, response: dict[str, Any]) -> None:
        self.events.append(response)


class _SessionTests(_Base):
    async def test_keepalive_ack(self) -> None:
        session = JanusSession(base_url=self.url)
        try:
            transaction = await session.send({"janus": "keepalive"})
            response = await transaction.get({"janus": "ack"}, timeout=TIMEOUT)
            await transaction.done()
            self.assertEqual(response["janus"], "ack")
            self.assertTrue(session.created)
        finally:
            await session.destroy()
            await session.transport.disconnect()

    async def test_plugin_message_ack_then_event(self) -> None:
        session = JanusSession(base_url=self.url)
        plugin = _Echo(pc_config=pc_config())
        try:
            await plugin.attach(session=session)
            self.assertIsInstance(plugin.id, int)
            transaction = await session.send(
                {"janus": "message", "body": {"audio": False}}, handle_id=plugin.id
            )
            event = await transaction.get(
                lambda r: r["janus"] == "event", timeout=TIMEOUT
            )
            ack = await transaction.get({"janus": "ack"}, timeout=TIMEOUT)
            await transaction.done()
            self.assertEqual(ack["janus"], "ack")
            self.assertTrue(
                is_subset(event, {"plugindata": {"data": {"echotest": "event", "result": "ok"}}})
            )
        finally:
            await plugin.destroy()
            await session.destroy()
            await session.transport.disconnect()

    async def test_plugin_send_matches_nested_pattern(self) -> None:
        session = JanusSession(base_url=self.url)
        plugin = _Echo(pc_config=pc_config())
        try:
            await plugin.attach(session)
            transaction = await plugin.send({"janus": "message", "body": {"video": False}})
            event = await transaction.get(
                {"janus": "event", "plugindata": {"plugin": "janus.plugin.echotest"}},
                timeout=TIMEOUT,
            )
            await transaction.done()
            self.assertEqual(event["plugindata"]["data"]["result"], "ok")
        finally:
            await plugin.destroy()
            await session.destroy()
            await session.transport.disconnect()

    async def test_error_reply_is_a_message(self) -> None:
        session = JanusSession(base_url=self.url)
        try:
            transaction = await session.send(
                {"janus": "message", "body": {}}, handle_id=123456789
            )
            error = await transaction.get({"janus": "error"}, timeout=TIMEOUT)
            await transaction.done()
            self.assertEqual(error["error"]["code"], 459)
        finally:
            await session.destroy()
            await session.transport.disconnect()

    async def test_context_manager(self) -> None:
        session = JanusSession(base_url=self.url)
        async with session:
            plugin = _Echo(pc_config=pc_config())
            await plugin.attach(session)
            self.assertTrue(session.created)
            await plugin.destroy()


# ---------------------------------------------------------------------- attach
class _AttachTests(_Base):
    async def _attach_and_destroy(self, plugin: JanusPlugin) -> None:
        session = JanusSession(base_url=self.url)
        try:
            await plugin.attach(session)
            self.assertIsInstance(plugin.id, int)
            await plugin.destroy()
        finally:
            await session.destroy()
            await session.transport.disconnect()

    async def test_attach_echotest(self) -> None:
        await self._attach_and_destroy(JanusEchoTestPlugin(pc_config=pc_config()))

    async def test_attach_videocall(self) -> None:
        await self._attach_and_destroy(JanusVideoCallPlugin(pc_config=pc_config()))

    async def test_attach_videoroom(self) -> None:
        await self._attach_and_destroy(JanusVideoRoomPlugin(pc_config=pc_config()))

    async def test_attach_textroom(self) -> None:
        await self._attach_and_destroy(JanusTextRoomPlugin(pc_config=pc_config()))

    async def test_attach_unknown_plugin_fails(self) -> None:
        class Nope(_Echo):
            name = "janus.plugin.does.not.exist"

        session = JanusSession(base_url=self.url)
        try:
            with self.assertRaisesRegex(PluginAttachFail, "Fail to attach plugin"):
                await Nope(pc_config=pc_config()).attach(session)
        finally:
            await session.destroy()
            await session.transport.disconnect()


# ------------------------------------------------------------------ media flows
class _FlowTests(_Base):
    async def test_echotest_file_to_file(self) -> None:
        record_to = self.out("echo.mp4")
        session = JanusSession(base_url=self.url)
        plugin = JanusEchoTestPlugin(pc_config=pc_config())
        try:
            await plugin.attach(session)
            await plugin.start(play_from=_clip, record_to=record_to)
            await asyncio.wait_for(plugin.wait_webrtcup(), TIMEOUT)
            await asyncio.sleep(MEDIA_SECONDS)
            await plugin.close_stream()
        finally:
            await plugin.destroy()
            await session.destroy()
            await session.transport.disconnect()
        self.assertGreater(_video_frames(record_to), 5, _describe(record_to))

    async def test_videocall_between_two_users(self) -> None:
        session = JanusSession(base_url=self.url)
        alice = JanusVideoCallPlugin(pc_config=pc_config())
        bob = JanusVideoCallPlugin(pc_config=pc_config())
        loop = asyncio.get_running_loop()
        incoming: asyncio.Future[dict[str, Any]] = loop.create_future()
        accepted: asyncio.Future[dict[str, Any]] = loop.create_future()

        def on_incoming(data: dict[str, Any]) -> None:
            if not incoming.done():
                incoming.set_result(data)

        async def on_accepted(data: dict[str, Any]) -> None:
            if not accepted.done():
                accepted.set_result(data)

        bob.on_event(VideoCallEventType.INCOMINGCALL, on_incoming)
        alice.on_event(VideoCallEventType.ACCEPTED, on_accepted)
        alice_out, bob_out = self.out("alice.mp4"), self.out("bob.mp4")
        alice_recorder, bob_recorder = MediaRecorder(alice_out), MediaRecorder(bob_out)
        try:
            await alice.attach(session)
            await bob.attach(session)
            self.assertTrue(await alice.register("alice-090"))
            self.assertTrue(await bob.register("bob-090"))
            users = await alice.list_users()
            self.assertIn("alice-090", users)
            self.assertIn("bob-090", users)
            self.assertTrue(
                await alice.call("bob-090", player=MediaPlayer(_clip), recorder=alice_recorder)
            )
            call = await asyncio.wait_for(incoming, TIMEOUT)
            self.assertEqual(call["username"], "alice-090")
            self.assertTrue(
                await bob.accept(call["jsep"], player=MediaPlayer(_clip), recorder=bob_recorder)
            )
            await asyncio.wait_for(accepted, TIMEOUT)
            self.assertTrue(alice.in_call)
            await asyncio.sleep(MEDIA_SECONDS)
            self.assertTrue(await alice.hangup())
        finally:
            await alice.destroy()
            await bob.destroy()
            await session.destroy()
            await session.transport.disconnect()
        await alice_recorder.stop()
        await bob_recorder.stop()
        self.assertGreater(_video_frames(alice_out), 5, _describe(alice_out))
        self.assertGreater(_video_frames(bob_out), 5, _describe(bob_out))

    async def test_videoroom_publish_and_subscribe(self) -> None:
        session = JanusSession(base_url=self.url)
        publisher = JanusVideoRoomPlugin(pc_config=pc_config())
        subscriber = JanusVideoRoomPlugin(pc_config=pc_config())
        record_to = self.out("sub.mp4")
        recorder = MediaRecorder(record_to)
        room_id = 90900 + (os.getpid() % 1000)
        try:
            await publisher.attach(session)
            await subscriber.attach(session)
            created = await publisher.create_room(room_id=room_id, description="0.9.x suite")
            self.assertEqual(created, room_id)
            self.assertTrue(await publisher.exists(room_id))
            joined = await publisher.join_as_publisher(room_id, display="pub")
            self.assertEqual(joined["videoroom"], "joined")
            publisher_id = joined["id"]
            await publisher.publish(MediaPlayer(_clip))
            await asyncio.wait_for(publisher.webrtcup_event.wait(), TIMEOUT)
            participants = await publisher.list_participants(room_id)
            self.assertIn(publisher_id, [p["id"] for p in participants])
            await subscriber.subscribe_to_publisher(
                room_id, streams=[{"feed": publisher_id}], recorder=recorder
            )
            await asyncio.wait_for(subscriber.webrtcup_event.wait(), TIMEOUT)
            await asyncio.sleep(MEDIA_SECONDS)
            await subscriber.leave()
            await publisher.unpublish()
            await publisher.leave()
            await publisher.destroy_room(room_id)
            self.assertFalse(await publisher.exists(room_id))
        finally:
            await subscriber.destroy()
            await publisher.destroy()
            await session.destroy()
            await session.transport.disconnect()
        await recorder.stop()
        self.assertGreater(_video_frames(record_to), 5, _describe(record_to))

    async def test_textroom_messages(self) -> None:
        session = JanusSession(base_url=self.url)
        alice = JanusTextRoomPlugin(pc_config=pc_config())
        bob = JanusTextRoomPlugin(pc_config=pc_config())
        loop = asyncio.get_running_loop()
        received: asyncio.Future[dict[str, Any]] = loop.create_future()

        def on_message(data: dict[str, Any]) -> None:
            if not received.done():
                received.set_result(data)

        bob.on_event(TextRoomEventType.MESSAGE, on_message)
        room = 91900 + (os.getpid() % 1000)
        try:
            await alice.attach(session)
            await bob.attach(session)
            await alice.setup(timeout=TIMEOUT)
            await bob.setup(timeout=TIMEOUT)
            self.assertEqual(await alice.create_room(room=room, is_private=False), room)
            rooms = await alice.list_rooms()
            self.assertIn(room, [r["room"] for r in rooms])
            await alice.join_room(room, username="alice", display="Alice")
            await bob.join_room(room, username="bob", display="Bob")
            names = [p["username"] for p in await alice.list_participants(room)]
            self.assertEqual(sorted(names), ["alice", "bob"])
            await alice.send_message(room, "hello from 0.9.x")
            message = await asyncio.wait_for(received, TIMEOUT)
            self.assertEqual(message["text"], "hello from 0.9.x")
            self.assertEqual(message["from"], "alice")
            await bob.leave_room(room)
            await alice.leave_room(room)
            await alice.destroy_room(room)
        finally:
            await alice.destroy()
            await bob.destroy()
            await session.destroy()
            await session.transport.disconnect()


# ------------------------------------------------------- both transports each
class WebSocketTransport(_TransportTests):
    url = WS_URL


class HTTPTransport(_TransportTests):
    url = HTTP_URL


class WebSocketSession(_SessionTests):
    url = WS_URL


class HTTPSession(_SessionTests):
    url = HTTP_URL


class WebSocketAttach(_AttachTests):
    url = WS_URL


class HTTPAttach(_AttachTests):
    url = HTTP_URL


class WebSocketFlows(_FlowTests):
    url = WS_URL


class HTTPFlows(_FlowTests):
    url = HTTP_URL


def load_tests(
    loader: unittest.TestLoader, standard_tests: unittest.TestSuite, pattern: str | None
) -> unittest.TestSuite:
    """Run only the concrete classes (the ``_``-prefixed bases hold no URL)."""
    suite = unittest.TestSuite()
    for cls in (
        WebSocketTransport,
        HTTPTransport,
        WebSocketSession,
        HTTPSession,
        WebSocketAttach,
        HTTPAttach,
        WebSocketFlows,
        HTTPFlows,
    ):
        suite.addTests(loader.loadTestsFromTestCase(cls))
    return suite


if __name__ == "__main__":
    unittest.main()
