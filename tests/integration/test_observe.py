"""Janus' event handlers received and typed, the live view and the Prometheus export.

Every test runs a real Janus whose event handlers (HTTP sampleevh, WebSockets
wsevh, MQTT mqttevh, RabbitMQ rabbitmqevh) point at receivers started by the
test, and makes a real EchoTest call with media.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import aiohttp
import pytest

from janus_client import HangupEvent, JanusAdminMonitorClient, JanusEchoTestPlugin, JanusSession
from janus_client.instrument import ClientMetrics, set_client_hook
from janus_client.observe import (
    CoreServerEvent,
    DtlsStateServerEvent,
    ExternalServerEvent,
    HandleServerEvent,
    HttpEventSource,
    IceCandidateServerEvent,
    IceStateServerEvent,
    JanusEventReceiver,
    JsepServerEvent,
    LiveView,
    MediaStateServerEvent,
    MediaStatsServerEvent,
    MqttEventSource,
    PluginServerEvent,
    RabbitMQEventSource,
    SelectedPairServerEvent,
    ServerEvent,
    SessionServerEvent,
    WebRTCConnectionServerEvent,
    WebSocketEventSource,
)
from janus_client.testing import (
    JanusServer,
    MosquittoBroker,
    RabbitMQBroker,
    event_handler_configs,
)
from janus_client.webrtc import FrameCounterVideoTrack, ToneAudioTrack

pytestmark = pytest.mark.usefixtures("media_address")

ECHO = "janus.plugin.echotest"


def evh_configs(
    handlers: dict[str, dict[str, object]], *, stats_period: int = 1
) -> dict[str, dict[str, dict[str, object]]]:
    return event_handler_configs(handlers, stats_period=stats_period)


def mqtt_settings(broker: MosquittoBroker, topic: str, **extra: object) -> dict[str, object]:
    return {
        "url": broker.janus_url,
        "client_id": f"janus-evh-{uuid.uuid4().hex[:8]}",
        "topic": topic,
        **extra,
    }


def amqp_settings(broker: RabbitMQBroker, queue: str, **extra: object) -> dict[str, object]:
    return {"host": "127.0.0.1", "port": broker.port, "route_key": queue, **extra}


class Collector:
    """Drains a receiver into a list."""

    def __init__(self, receiver: JanusEventReceiver) -> None:
        self.receiver = receiver
        self.events: list[ServerEvent] = []

    def drain(self) -> None:
        while (event := self.receiver.get_nowait()) is not None:
            self.events.append(event)

    def of(self, cls: type[Any], **match: Any) -> list[Any]:
        self.drain()
        return [
            e
            for e in self.events
            if isinstance(e, cls) and all(getattr(e, k) == v for k, v in match.items())
        ]


async def wait_until(
    collectors: Iterable[Collector], done: Callable[[Collector], bool], timeout: float = 15.0
) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    pending = list(collectors)
    while pending and loop.time() < end:
        for c in pending:
            c.drain()
        pending = [c for c in pending if not done(c)]
        if pending:
            await asyncio.sleep(0.1)
    for c in pending:  # the assertion below says what is missing
        c.drain()


async def echotest_call(
    url: str, seconds: float = 3.0, *, schema: str | None = None, admin: str | None = None
) -> tuple[int, int, dict[str, int]]:
    """One EchoTest call with audio and video; return session id, handle id, client counts."""
    async with JanusSession(url) as session:
        echo = JanusEchoTestPlugin()
        await echo.attach(session)
        await echo.start(tracks=[ToneAudioTrack(), FrameCounterVideoTrack(320, 240, fps=15)])
        await echo.wait_webrtcup(timeout=10)
        await asyncio.sleep(seconds)
        counts = await client_packet_counts(echo)
        sid, hid = session.session_id, echo.id
        assert sid is not None and hid is not None
        if schema is not None and admin is not None:
            async with JanusAdminMonitorClient(admin, "janusoverlord") as client:
                await client.custom_event(schema, {"hello": 1, "handle": hid})
        async with echo.events(HangupEvent) as hangups:
            await echo.close_stream()
            # Janus tells its event handlers of the PeerConnection's hang-up when it
            # sends us this core event; a session destroyed before then can lose it.
            await hangups.get(timeout=10)
        await echo.destroy()
    return sid, hid, counts


async def client_packet_counts(echo: JanusEchoTestPlugin) -> dict[str, int]:
    """Stop sending, then read aiortc's packet counters by kind and direction."""
    pc = echo.pc
    for sender in pc.getSenders():
        if sender.track is not None:
            sender.replaceTrack(None)
    await asyncio.sleep(2.5)  # > 2 stats periods: Janus' last stats cover everything sent
    report = await pc.getStats()
    counts: dict[str, int] = {}
    for stats in report.values():
        if stats.type == "outbound-rtp":
            counts[f"{stats.kind}_sent"] = counts.get(f"{stats.kind}_sent", 0) + stats.packetsSent
        elif stats.type == "inbound-rtp":
            key = f"{stats.kind}_received"
            counts[key] = counts.get(key, 0) + stats.packetsReceived
    return counts


def has_echotest_events(c: Collector, sid: int, hid: int) -> bool:
    """Whether `check_echotest_events` passes yet (events of one call arrive over seconds)."""
    try:
        check_echotest_events(c, sid, hid)
    except AssertionError:
        return False
    return True


def check_echotest_events(c: Collector, sid: int, hid: int) -> None:
    """The session, handle, jsep, webrtc, media and plugin events of one EchoTest call."""
    assert c.of(SessionServerEvent, session_id=sid, name="created")
    assert c.of(SessionServerEvent, session_id=sid, name="destroyed")
    attached = c.of(HandleServerEvent, handle_id=hid, name="attached")
    assert attached and attached[0].plugin == ECHO and attached[0].session_id == sid
    assert c.of(HandleServerEvent, handle_id=hid, name="detached")
    jsep = {(e.owner, e.sdp_type) for e in c.of(JsepServerEvent, handle_id=hid)}
    assert {("remote", "offer"), ("local", "answer")} <= jsep
    assert all(e.sdp and e.sdp.startswith("v=0") for e in c.of(JsepServerEvent, handle_id=hid))
    ice = {e.ice for e in c.of(IceStateServerEvent, handle_id=hid)}
    assert {"gathering", "connecting", "connected", "ready"} <= ice, ice
    assert c.of(IceCandidateServerEvent, handle_id=hid, local=True)
    remote = c.of(IceCandidateServerEvent, handle_id=hid, local=False)
    assert remote and all(e.candidate for e in remote)
    pairs = c.of(SelectedPairServerEvent, handle_id=hid)
    assert pairs and "127.0.0.2" in (pairs[0].selected_pair or "")
    assert set(pairs[0].candidates) == {"local", "remote"}
    assert "connected" in {e.dtls for e in c.of(DtlsStateServerEvent, handle_id=hid)}
    connection = [e.connection for e in c.of(WebRTCConnectionServerEvent, handle_id=hid)]
    assert "webrtcup" in connection and "hangup" in connection, connection
    assert connection.index("webrtcup") < connection.index("hangup"), connection
    states = c.of(MediaStateServerEvent, handle_id=hid, receiving=True)
    assert {e.media for e in states} >= {"audio", "video"}
    stats = c.of(MediaStatsServerEvent, handle_id=hid)
    for kind in ("audio", "video"):
        assert max(e.packets_received for e in stats if e.media == kind) > 10, kind
    assert any(e.codec == "opus" for e in stats)
    plugin = c.of(PluginServerEvent, handle_id=hid)
    assert plugin and plugin[0].plugin == ECHO and isinstance(plugin[0].data, dict)
    assert all(e.emitter == "janus-client-testbed" for e in c.events)


async def test_four_receivers_type_a_real_call(
    mosquitto_broker: MosquittoBroker,
    rabbitmq_broker: RabbitMQBroker,
    janus_server_factory: Callable[..., JanusServer],
) -> None:
    tag = uuid.uuid4().hex[:8]
    http = HttpEventSource(path="/evh", username="evh", password="s3cret")
    ws = WebSocketEventSource(path="/events")
    mqtt = MqttEventSource(port=mosquitto_broker.port, topic=f"/janus/events-{tag}")
    amqp = RabbitMQEventSource(rabbitmq_broker.url, queue=f"janus-events-{tag}")
    receivers = {
        name: JanusEventReceiver(src)
        for name, src in (("http", http), ("ws", ws), ("mqtt", mqtt), ("amqp", amqp))
    }
    for rx in receivers.values():
        await rx.start()
    try:
        janus = janus_server_factory(
            plugin_configs=evh_configs(
                {
                    "sampleevh": {
                        "backend": http.url,
                        "backend_user": "evh",
                        "backend_pwd": "s3cret",
                        "grouping": True,
                        "compress": True,
                    },
                    "wsevh": {"backend": ws.url, "grouping": False},
                    "mqttevh": mqtt_settings(mosquitto_broker, mqtt.topic),
                    "rabbitmqevh": amqp_settings(rabbitmq_broker, amqp.queue, grouping=True),
                }
            )
        )
        schema = f"test.observe.{tag}"
        sid, hid, _ = await echotest_call(janus.ws_url, schema=schema, admin=janus.admin_http_url)
        collectors = {name: Collector(rx) for name, rx in receivers.items()}

        def complete(c: Collector) -> bool:
            # Janus emits the hangup from its media loop: it may come after "destroyed"
            return bool(
                c.of(SessionServerEvent, session_id=sid, name="destroyed")
                and c.of(ExternalServerEvent, schema=schema)
                and c.of(WebRTCConnectionServerEvent, handle_id=hid, connection="hangup")
                and has_echotest_events(c, sid, hid)
            )

        await wait_until(collectors.values(), complete)
        for name, c in collectors.items():
            check_echotest_events(c, sid, hid)
            custom = c.of(ExternalServerEvent, schema=schema)
            assert len(custom) == 1 and custom[0].data == {"hello": 1, "handle": hid}, name
            assert c.of(CoreServerEvent, status="started"), name
            assert c.receiver.stats.malformed == 0, name
        # grouping: arrays from sampleevh/rabbitmqevh (grouping on), single objects otherwise
        assert receivers["http"].stats.grouped > 0
        assert receivers["amqp"].stats.grouped > 0
        assert receivers["ws"].stats.grouped == 0
        assert receivers["mqtt"].stats.grouped == 0
        assert receivers["ws"].stats.messages == receivers["ws"].stats.events
    finally:
        for rx in receivers.values():
            await rx.close()


async def test_grouping_off_and_masks(
    mosquitto_broker: MosquittoBroker,
    rabbitmq_broker: RabbitMQBroker,
    janus_server_factory: Callable[..., JanusServer],
) -> None:
    tag = uuid.uuid4().hex[:8]
    http = HttpEventSource(path="/evh")
    ws = WebSocketEventSource()
    mqtt = MqttEventSource(port=mosquitto_broker.port, topic=f"/janus/masked-{tag}")
    amqp = RabbitMQEventSource(rabbitmq_broker.url, queue=f"janus-masked-{tag}")
    receivers = {
        name: JanusEventReceiver(src)
        for name, src in (("http", http), ("ws", ws), ("mqtt", mqtt), ("amqp", amqp))
    }
    masks = {
        "http": ({"sessions", "handles", "external"}, {1, 2, 4}),
        "mqtt": ({"webrtc", "external"}, {16, 4}),
        "amqp": ({"media", "plugins", "external"}, {32, 64, 4}),
    }
    for rx in receivers.values():
        await rx.start()
    try:
        janus = janus_server_factory(
            plugin_configs=evh_configs(
                {
                    "sampleevh": {
                        "backend": http.url,
                        "grouping": False,
                        "events": ",".join(sorted(masks["http"][0])),
                    },
                    "wsevh": {"backend": ws.url, "grouping": True},
                    "mqttevh": mqtt_settings(
                        mosquitto_broker, mqtt.topic, events=",".join(sorted(masks["mqtt"][0]))
                    ),
                    "rabbitmqevh": amqp_settings(
                        rabbitmq_broker,
                        amqp.queue,
                        grouping=False,
                        events=",".join(sorted(masks["amqp"][0])),
                    ),
                }
            )
        )
        schema = f"test.mask.{tag}"
        sid, hid, _ = await echotest_call(
            janus.ws_url, 2.0, schema=schema, admin=janus.admin_http_url
        )
        collectors = {name: Collector(rx) for name, rx in receivers.items()}
        await wait_until(
            collectors.values(), lambda c: bool(c.of(ExternalServerEvent, schema=schema))
        )
        await wait_until(
            [collectors["ws"]],
            lambda c: bool(
                c.of(SessionServerEvent, session_id=sid, name="destroyed")
                and c.of(WebRTCConnectionServerEvent, handle_id=hid, connection="hangup")
                and has_echotest_events(c, sid, hid)
            ),
        )
        check_echotest_events(collectors["ws"], sid, hid)  # unmasked, grouped
        assert receivers["ws"].stats.grouped > 0
        for name, (_, types) in masks.items():
            seen = {e.type for e in collectors[name].events}
            assert seen == types, (name, seen)
        assert receivers["http"].stats.grouped == 0
        assert receivers["amqp"].stats.grouped == 0
        # the masked handlers still carry their types in full
        assert collectors["http"].of(HandleServerEvent, handle_id=hid, name="attached")
        assert collectors["mqtt"].of(
            WebRTCConnectionServerEvent, handle_id=hid, connection="webrtcup"
        )
        assert collectors["amqp"].of(MediaStatsServerEvent, handle_id=hid, media="video")
    finally:
        for rx in receivers.values():
            await rx.close()


async def test_live_view_matches_the_admin_api(
    janus_server_factory: Callable[..., JanusServer],
) -> None:
    http = HttpEventSource(path="/evh")
    view = LiveView()
    async with JanusEventReceiver(http) as rx:
        rx.add_listener(view)
        janus = janus_server_factory(
            plugin_configs=evh_configs({"sampleevh": {"backend": http.url, "grouping": True}})
        )
        url = janus.ws_url
        async with (
            JanusSession(url) as s1,
            JanusSession(janus.http_url) as s2,
            JanusSession(url) as s3,
            JanusAdminMonitorClient(janus.admin_http_url, "janusoverlord") as admin,
        ):
            echo = JanusEchoTestPlugin()
            await echo.attach(s1)
            await echo.start(tracks=[ToneAudioTrack(), FrameCounterVideoTrack(320, 240, fps=15)])
            await echo.wait_webrtcup(timeout=10)
            others = [
                await s1.attach("janus.plugin.videoroom"),
                await s2.attach("janus.plugin.textroom"),
                await s2.attach(ECHO),
                await s3.attach("janus.plugin.videocall"),
            ]
            sessions = {s.session_id for s in (s1, s2, s3)}
            handles = {echo.id, *(h.id for h in others)}
            loop = asyncio.get_running_loop()
            end = loop.time() + 10
            # until the view has seen everything, including the media stats of both kinds
            while loop.time() < end:
                h = view.handle(echo.id)
                kinds = {s.media for s in h.streams.values() if s.stats} if h else set()
                if set(view.handles) == handles and {"audio", "video"} <= kinds:
                    break
                await asyncio.sleep(0.1)
            assert set(view.sessions) == set(await admin.list_sessions()) == sessions
            for sid in sessions:
                assert {h.handle_id for h in view.handles_of(sid)} == set(
                    await admin.list_handles(sid)
                )
            for handle in view:
                info = await admin.handle_info(handle.session_id, handle.handle_id)
                assert handle.plugin == info.plugin
                assert handle.session_id == info.session_id
            media_view = view.handle(echo.id)
            assert media_view is not None
            info = await admin.handle_info(s1.session_id, echo.id)
            assert media_view.ice_state == info.ice_state == "ready"
            assert media_view.dtls_state == info.dtls_state == "connected"
            assert media_view.webrtc_up
            assert {
                s.mid for s in media_view.streams.values() if s.media in ("audio", "video")
            } == {
                str(m.get("mid"))
                for m in info.media.values()
                if m.get("type") in ("audio", "video")
            }
            assert view.webrtc_up_count() == 1
            await echo.close_stream()
        await wait_until([Collector(rx)], lambda c: not view.sessions, timeout=10)
        assert view.sessions == {} and len(view) == 0
        totals = view.media_totals()
        assert totals["audio"].packets_received > 0 and totals["video"].packets_received > 0
        assert view.sessions_created == 3 and view.handles_attached == 5


async def _scrape(url: str) -> dict[str, float]:
    from prometheus_client.parser import text_string_to_metric_families

    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain")
        text = await resp.text()
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
            samples[f"{s.name}{{{labels}}}"] = s.value
    return samples


async def test_prometheus_endpoint_matches_the_run(
    janus_server_factory: Callable[..., JanusServer],
) -> None:
    from janus_client.observe.prometheus import MetricsServer, make_registry

    metrics = ClientMetrics()
    previous = set_client_hook(metrics)
    http = HttpEventSource(path="/evh")
    view = LiveView()
    try:
        async with JanusEventReceiver(http) as rx:
            rx.add_listener(view)
            async with MetricsServer(make_registry(metrics, view, rx)) as server:
                janus = janus_server_factory(
                    plugin_configs=evh_configs({"sampleevh": {"backend": http.url}})
                )
                _, _, counts = await echotest_call(janus.ws_url, 4.0)
                await wait_until(
                    [Collector(rx)], lambda c: not view.sessions and view.hangups > 0, timeout=10
                )
                m = await _scrape(server.url)
    finally:
        set_client_hook(previous)
    # request counts: one session, one handle; the series equal the hook's own counts
    for verb in ("create", "attach", "detach", "destroy"):
        assert m[f'janus_client_requests_total{{request="{verb}"}}'] == 1, verb
    assert m['janus_client_requests_total{request="message"}'] >= 1
    for verb, n in metrics.requests.items():
        assert m[f'janus_client_requests_total{{request="{verb}"}}'] == n
        assert m[f'janus_client_request_duration_seconds_count{{request="{verb}"}}'] == n
        assert m[f'janus_client_request_duration_seconds_bucket{{le="+Inf",request="{verb}"}}'] == n
    assert m["janus_client_requests_in_flight{}"] == 0
    assert m["janus_client_sessions_open{}"] == 0
    assert not any(k.startswith("janus_client_request_errors_total") for k in m)
    # server side, from the events
    assert m['janus_events_total{type="media"}'] > 0
    assert m['janus_events_total{type="webrtc"}'] > 0
    assert m["janus_events_malformed_total{}"] == 0
    assert m["janus_sessions{}"] == 0 and m["janus_handles{}"] == 0
    assert m["janus_webrtc_up_total{}"] == 1 and m["janus_webrtc_hangups_total{}"] == 1
    for kind in ("audio", "video"):
        sent, echoed = counts[f"{kind}_sent"], counts[f"{kind}_received"]
        got = m[f'janus_media_packets_total{{direction="received",media="{kind}"}}']
        back = m[f'janus_media_packets_total{{direction="sent",media="{kind}"}}']
        assert abs(got - sent) <= 0.1 * sent, (kind, got, sent)
        assert abs(back - echoed) <= 0.1 * echoed, (kind, back, echoed)
    # bounded cardinality: no session/handle id (or any long number) in a label
    assert not [k for k in m if re.search(r'="\d{6,}"', k)]


async def test_mqtt_source_survives_a_broker_restart() -> None:
    import aiomqtt

    broker = MosquittoBroker()
    await asyncio.to_thread(broker.start)
    try:
        source = MqttEventSource(port=broker.port, topic="/janus/restart")
        source.reconnect_min = 0.05
        event = json.dumps({"type": 4, "event": {"schema": "again", "data": 1}})
        async with JanusEventReceiver(source) as rx:
            async with aiomqtt.Client("127.0.0.1", broker.port) as pub:
                await pub.publish("/janus/restart/external", event)
                first = await rx.get(timeout=5)
            assert isinstance(first, ExternalServerEvent)
            await asyncio.to_thread(broker.restart)
            loop = asyncio.get_running_loop()
            end = loop.time() + 15
            got = None
            while got is None and loop.time() < end:  # until the source has resubscribed
                async with aiomqtt.Client("127.0.0.1", broker.port) as pub:
                    await pub.publish("/janus/restart", event)
                try:
                    got = await rx.get(timeout=0.5)
                except TimeoutError:
                    continue
            assert isinstance(got, ExternalServerEvent) and got.schema == "again"
    finally:
        await asyncio.to_thread(broker.stop)
