"""Event parsing, the receiver's robustness (fuzzed), the live view, client metrics, health."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import random
import zlib
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from janus_client import JanusSession
from janus_client.errors import RequestTimeoutError
from janus_client.health import EXIT_UNREACHABLE, HealthResult, check_health
from janus_client.instrument import (
    LATENCY_BUCKETS,
    ClientHook,
    ClientMetrics,
    error_label,
    get_client_hook,
    set_client_hook,
)
from janus_client.observe import (
    CoreServerEvent,
    EventType,
    ExternalServerEvent,
    HttpEventSource,
    IceStateServerEvent,
    JanusEventReceiver,
    JsepServerEvent,
    LiveView,
    MediaStatsServerEvent,
    MqttEventSource,
    RabbitMQEventSource,
    SessionServerEvent,
    UnknownServerEvent,
    WebRTCConnectionServerEvent,
    WebSocketEventSource,
    event_from_json,
    parse_events,
    source_from_url,
)
from janus_client.observe.events import MalformedEventError, decode_payload
from janus_client.testing import FakeJanus

SID, HID = 6513123582400967, 8030776053944320
BASE = {"emitter": "j1", "timestamp": 1796160325404248, "session_id": SID, "handle_id": HID}


def ev(etype: int, event: dict[str, Any], subtype: int | None = None, **extra: Any) -> dict:
    out = {**BASE, "type": etype, "event": event, **extra}
    if subtype is not None:
        out["subtype"] = subtype
    return out


STATS = {
    "mid": "1",
    "mindex": 1,
    "media": "video",
    "codec": "vp8",
    "rtt": 2,
    "lost": 3,
    "lost-by-remote": 1,
    "jitter-local": 1,
    "jitter-remote": 1,
    "packets-received": 340,
    "packets-sent": 338,
    "bytes-received": 46680,
    "bytes-sent": 46000,
    "bytes-received-lastsec": 2090,
    "bytes-sent-lastsec": 2000,
    "nacks-received": 0,
    "nacks-sent": 4,
}


# ----------------------------------------------------------------------------- parsing
@pytest.mark.parametrize(
    ("raw", "cls", "fields"),
    [
        (
            ev(1, {"name": "created", "transport": {"transport": "janus.transport.http"}}),
            SessionServerEvent,
            {"name": "created", "transport": {"transport": "janus.transport.http"}},
        ),
        (
            ev(16, {"ice": "connected", "stream_id": 1, "component_id": 1}, 1),
            IceStateServerEvent,
            {"ice": "connected", "stream_id": 1},
        ),
        (
            ev(16, {"connection": "hangup", "reason": "DTLS alert"}, 6),
            WebRTCConnectionServerEvent,
            {"connection": "hangup", "reason": "DTLS alert"},
        ),
        (
            ev(32, STATS, 3),
            MediaStatsServerEvent,
            {
                "packets_received": 340,
                "packets_sent": 338,
                "lost": 3,
                "nacks_sent": 4,
                "mid": "1",
                "codec": "vp8",
                "rtt": 2,
                "bytes_received_lastsec": 2090,
            },
        ),
        (
            ev(4, {"schema": "wv.test", "data": {"hello": 1}}),
            ExternalServerEvent,
            {"schema": "wv.test", "data": {"hello": 1}},
        ),
        (
            ev(8, {"owner": "local", "jsep": {"type": "answer", "sdp": "v=0\r\n"}}),
            JsepServerEvent,
            {"owner": "local", "sdp_type": "answer", "sdp": "v=0\r\n"},
        ),
        (
            ev(256, {"status": "started", "info": {"name": "Janus"}}, 1),
            CoreServerEvent,
            {"status": "started", "info": {"name": "Janus"}},
        ),
        (ev(512, {"future": True}), UnknownServerEvent, {"type": 512}),
        (ev(16, {"what": "new"}, 99), UnknownServerEvent, {"subtype": 99}),
    ],
)
def test_event_types(raw: dict, cls: type, fields: dict[str, Any]) -> None:
    event = event_from_json(raw)
    assert type(event) is cls
    for key, value in fields.items():
        assert getattr(event, key) == value, key
    assert event.session_id == SID and event.handle_id == HID and event.emitter == "j1"
    assert event.raw is raw


def test_events_are_frozen_and_sdp_stays_out_of_repr() -> None:
    event = event_from_json(ev(8, {"owner": "remote", "jsep": {"type": "offer", "sdp": "SECRET"}}))
    with pytest.raises(AttributeError):
        event.owner = "x"  # type: ignore[misc]
    assert "SECRET" not in repr(event)
    assert event.type_label == "jsep" and EventType(event.type) is EventType.JSEP


def test_grouped_arrays_are_unpacked_and_bad_items_counted() -> None:
    body = json.dumps([ev(2, {"name": "attached"}), 17, {"type": "x"}, ev(64, {"plugin": "p"})])
    events, bad = parse_events(body)
    assert [e.type for e in events] == [2, 64]
    assert bad == 2


@pytest.mark.parametrize("compress", [gzip.compress, zlib.compress])
def test_compressed_bodies(compress: Any) -> None:
    events, bad = parse_events(compress(json.dumps([ev(1, {"name": "created"})]).encode()))
    assert bad == 0 and isinstance(events[0], SessionServerEvent)


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"\xff\xfe", b"\x1f\x8b\x08garbage", b"x\x9cbroken", b"[1,2", b"null", "\ud800"],
)
def test_malformed_bodies_raise_or_count(body: Any) -> None:
    events, bad = parse_events(body)
    assert events == [] and bad == 1
    if body not in (b"null",):
        with pytest.raises(MalformedEventError):
            decode_payload(body)


# ------------------------------------------------------------------------------ fuzzing
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "subtype",
                    "event",
                    "session_id",
                    "handle_id",
                    "emitter",
                    "timestamp",
                    "mid",
                    "media",
                    "name",
                    "jsep",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)
event_like = st.fixed_dictionaries(
    {"type": st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128, 256, 3, -1]) | st.integers()},
    optional={
        "subtype": st.integers(min_value=-1, max_value=8) | json_values,
        "event": st.dictionaries(
            st.sampled_from(
                [
                    *list(STATS),
                    "name",
                    "ice",
                    "dtls",
                    "connection",
                    "jsep",
                    "data",
                    "candidates",
                    "receiving",
                    "transport",
                    "info",
                ]
            ),
            json_values,
        )
        | json_values,
        "session_id": st.integers() | json_values,
        "handle_id": st.integers() | json_values,
        "emitter": json_values,
        "timestamp": json_values,
    },
)
bodies = (
    st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.lists(event_like, max_size=5).map(lambda v: json.dumps(v).encode())
    | event_like.map(lambda v: json.dumps(v).encode())
)


@pytest.mark.property
@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(body=bodies)
def test_fuzzed_bodies_never_break_the_receiver_or_the_view(body: bytes) -> None:
    rx = JanusEventReceiver(max_queue=100)
    view = LiveView()
    rx.add_listener(view)
    delivered = rx.feed(body)
    assert rx.stats.messages == 1
    assert delivered + rx.stats.malformed + rx.stats.dropped >= 0
    assert rx.stats.events == delivered
    # and the receiver still works afterwards
    assert rx.feed(json.dumps(ev(1, {"name": "created"}))) == 1
    assert SID in view.sessions
    view.media_totals()


async def test_malformed_http_and_ws_traffic_never_stops_the_sources() -> None:
    http = HttpEventSource(path="/evh", username="u", password="p")
    ws = WebSocketEventSource(path="/ws")
    rng = random.Random(19)
    valid = json.dumps(ev(4, {"schema": "still", "data": 1})).encode()
    bad_bodies = [
        bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for _ in range(60)
    ]
    bad_bodies += [valid[: rng.randrange(1, len(valid))] for _ in range(30)]
    bad_bodies += [gzip.compress(valid)[:20], b"[" * 5000 + b"]" * 5000, b"\x1f\x8b" * 10]
    auth = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
    async with JanusEventReceiver(http, ws) as rx, aiohttp.ClientSession() as client:
        for body in bad_bodies:
            async with client.post(http.url, data=body, headers=auth) as resp:
                assert resp.status == 200
        async with client.post(http.url, data=valid) as resp:  # no credentials
            assert resp.status == 401
        async with client.get(http.url, headers=auth) as resp:
            assert resp.status == 405
        async with client.ws_connect(ws.url, protocols=("janus-event-handlers",)) as sock:
            assert sock.protocol == "janus-event-handlers"
            for body in bad_bodies[:40]:
                await sock.send_bytes(body)
            await sock.send_str("not json")
            await sock.send_str(valid.decode())
            got = await rx.get(timeout=5)
        assert isinstance(got, ExternalServerEvent) and got.schema == "still"
        async with client.post(http.url, data=gzip.compress(valid), headers=auth) as resp:
            assert resp.status == 200
        got = await rx.get(timeout=5)
        assert isinstance(got, ExternalServerEvent)
        assert rx.stats.malformed >= len(bad_bodies) - 3
        assert rx.stats.rejected == 2
        assert rx.stats.events == 2


async def test_queue_overflow_is_counted_not_fatal() -> None:
    rx = JanusEventReceiver(max_queue=3)
    for _ in range(5):
        rx.feed(json.dumps(ev(64, {"plugin": "p"})))
    assert rx.stats.dropped == 2 and rx.stats.events == 3
    await rx.close()
    assert [e.type async for e in rx] == [64, 64, 64]


async def test_type_filter() -> None:
    rx = JanusEventReceiver(types=["sessions", "media"])
    rx.feed(json.dumps([ev(1, {"name": "created"}), ev(64, {}), ev(32, STATS, 3)]))
    assert rx.stats.by_type == {"session": 1, "media": 1}
    with pytest.raises(ValueError, match="unknown event type"):
        JanusEventReceiver(types=["nope"])


def test_sources_from_urls() -> None:
    http = source_from_url("http://evh:pw@127.0.0.1:7777/evh")
    assert isinstance(http, HttpEventSource) and http.url == "http://127.0.0.1:7777/evh"
    assert "pw" not in repr(http)
    ws = source_from_url("ws://127.0.0.1:7778/")
    assert isinstance(ws, WebSocketEventSource) and ws.port == 7778
    mqtt = source_from_url("mqtt://127.0.0.1:1883/janus/events")
    assert isinstance(mqtt, MqttEventSource) and mqtt.topic == "/janus/events"
    amqp = source_from_url("amqp://guest:secret@127.0.0.1:5672/?queue=evq")
    assert isinstance(amqp, RabbitMQEventSource) and amqp.queue == "evq"
    assert "secret" not in amqp.url and "secret" not in repr(amqp)
    with pytest.raises(ValueError, match="scheme"):
        source_from_url("udp://127.0.0.1:1")


# ---------------------------------------------------------------------------- live view
def test_live_view_life_cycle_and_monotonic_totals() -> None:
    view = LiveView()
    view(event_from_json(ev(1, {"name": "created"}, handle_id=None)))
    view(event_from_json(ev(2, {"name": "attached", "plugin": "janus.plugin.echotest"})))
    view(event_from_json(ev(16, {"connection": "webrtcup"}, 6)))
    view(event_from_json(ev(32, STATS, 3)))
    handle = view.handle(HID)
    assert handle is not None and handle.webrtc_up and handle.plugin == "janus.plugin.echotest"
    assert handle.streams["1"].stats is not None and view.webrtc_up_count() == 1
    assert view.media_totals()["video"].packets_received == 340
    view(event_from_json(ev(2, {"name": "detached"})))
    assert len(view) == 0 and view.session(SID) is not None
    assert view.media_totals()["video"].packets_received == 340  # retired, still counted
    view(event_from_json(ev(16, {"connection": "hangup", "reason": "late"}, 6)))
    view(event_from_json(ev(32, STATS, 3)))  # late events do not bring the handle back
    assert len(view) == 0 and view.hangups == 1
    view(event_from_json(ev(1, {"name": "destroyed"}, handle_id=None)))
    assert view.sessions == {}
    view(event_from_json(ev(16, {"ice": "failed"}, 1, handle_id=HID + 1)))
    assert len(view) == 0 and view.sessions == {}  # nor a handle of a destroyed session


# ------------------------------------------------------------------------ client metrics
def test_hook_is_off_by_default_and_replaceable() -> None:
    assert get_client_hook() is None
    hook = ClientHook()
    assert set_client_hook(hook) is None
    assert set_client_hook(None) is hook
    with pytest.raises(TypeError):
        set_client_hook(object())  # type: ignore[arg-type]


def test_error_labels_are_bounded() -> None:
    assert error_label(RequestTimeoutError("x", request="attach", timeout=1)) == "timeout"
    assert error_label(ValueError()) == "other"


async def test_client_metrics_count_requests_errors_and_latency(fake_janus: FakeJanus) -> None:
    metrics = ClientMetrics()
    previous = set_client_hook(metrics)
    try:
        async with JanusSession(fake_janus.ws_url) as session:
            await session.create()
            assert metrics.open_sessions == 1
            await session.attach("janus.plugin.echotest")
            assert metrics.open_handles == 1
            fake_janus.on_request("attach", lambda req: req.error(460, "no such plugin"))
            with pytest.raises(Exception, match=r"460|plugin"):
                await session.attach("janus.plugin.nope")
    finally:
        set_client_hook(previous)
    assert metrics.requests["create"] == 1
    assert metrics.requests["attach"] == 2
    assert metrics.errors == {("attach", "460"): 1}
    assert metrics.in_flight == 0
    assert sum(metrics.latency_buckets["attach"]) == 2
    assert len(metrics.latency_buckets["attach"]) == len(LATENCY_BUCKETS) + 1
    assert metrics.sessions_opened == 1 and metrics.sessions_closed == 1
    assert metrics.open_sessions == 0


async def test_a_raising_hook_does_not_break_requests(fake_janus: FakeJanus) -> None:
    class Broken(ClientHook):
        def request_started(self, verb: str) -> None:
            raise RuntimeError("boom")

    previous = set_client_hook(Broken())
    try:
        async with JanusSession(fake_janus.ws_url) as session:
            assert await session.create() > 0
    finally:
        set_client_hook(previous)


# --------------------------------------------------------------------------------- health
async def test_health_of_an_unreachable_server() -> None:
    result = await check_health("http://127.0.0.1:9/janus", timeout=2)
    assert not result.reachable and not result.healthy
    assert result.exit_code == EXIT_UNREACHABLE
    assert result.to_json()["error"]


async def test_session_health_on_the_fake(fake_janus: FakeJanus) -> None:
    async with JanusSession(fake_janus.ws_url) as session:
        result = await session.health()
    assert result.reachable and result.latency is not None and result.latency >= 0
    assert result.server is not None and result.exit_code in (0, 1)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"reachable": True, "healthy": True}, 0),
        ({"reachable": True, "healthy": False, "error": "x"}, 1),
        ({"reachable": False, "healthy": False, "error": "x"}, 3),
        ({"reachable": True, "healthy": False, "error": "x", "error_code": 403}, 4),
    ],
)
def test_health_exit_codes(kwargs: dict[str, Any], code: int) -> None:
    assert HealthResult(url="ws://x", **kwargs).exit_code == code


def test_prometheus_collector_caps_label_values() -> None:
    from prometheus_client import generate_latest

    from janus_client.observe.prometheus import MAX_LABEL_VALUES, make_registry

    metrics = ClientMetrics()
    for i in range(MAX_LABEL_VALUES + 50):
        metrics.request_started(f"verb{i}")
        metrics.request_finished(f"verb{i}", 0.001, None)
    view = LiveView()
    for i in range(200):
        view(
            event_from_json({**ev(2, {"name": "attached", "plugin": f"p{i}"}), "handle_id": i + 1})
        )
    text = generate_latest(make_registry(metrics, view, None)).decode()
    request_series = [
        line for line in text.splitlines() if line.startswith("janus_client_requests_total")
    ]
    assert len(request_series) == MAX_LABEL_VALUES + 1  # + "other"
    assert 'request="other"' in text
    plugin_series = [
        line for line in text.splitlines() if line.startswith("janus_handles_by_plugin{")
    ]
    assert len(plugin_series) == MAX_LABEL_VALUES + 1
    assert "janus_handles 200.0" in text


async def test_client_metrics_count_reconnects_and_timeouts(fake_janus: FakeJanus) -> None:
    from janus_client import ReconnectPolicy, Timeouts

    metrics = ClientMetrics()
    previous = set_client_hook(metrics)
    try:
        policy = ReconnectPolicy(initial_delay=0.05, max_delay=0.2, deadline=10)
        session = JanusSession(fake_janus.ws_url, reconnect=policy, timeouts=Timeouts(request=0.3))
        await session.create()
        fake_janus.drop("ping")
        with pytest.raises(RequestTimeoutError):
            await session.ping()
        await fake_janus.close_connections()
        # the fake forgets sessions on disconnect: the reconnect succeeds, the claim fails
        for _ in range(200):
            if session.state.value != "active":
                break
            await asyncio.sleep(0.05)
        await session.destroy()
    finally:
        set_client_hook(previous)
    assert metrics.reconnects >= 1
    assert metrics.connection_states["disconnected"] == 1
    assert metrics.errors[("ping", "timeout")] == 1
    assert metrics.errors[("claim", "458")] == 1
    assert metrics.in_flight == 0
    assert metrics.open_sessions == 0


async def test_opentelemetry_metrics(fake_janus: FakeJanus) -> None:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    from janus_client.observe.otel import OtelClientMetrics, register_otel_metrics

    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    metrics = OtelClientMetrics(provider)
    previous = set_client_hook(metrics)
    try:
        async with JanusSession(fake_janus.ws_url) as session:
            await session.attach("janus.plugin.echotest")
    finally:
        set_client_hook(previous)
    rx = JanusEventReceiver()
    view = LiveView()
    rx.add_listener(view)
    rx.feed(json.dumps([ev(2, {"name": "attached", "plugin": "p"}), ev(32, STATS, 3)]))
    rx.feed(b"garbage")
    register_otel_metrics(client=metrics, live=view, receiver=rx, meter_provider=provider)
    data = reader.get_metrics_data()
    points: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for p in metric.data.data_points:
                    points.setdefault(metric.name, []).append((dict(p.attributes), p))
    requests = {a["request"]: p.value for a, p in points["janus.client.requests"]}
    assert requests["create"] == 1 and requests["attach"] == 1 and requests["destroy"] == 1
    durations = {a["request"]: p.count for a, p in points["janus.client.request.duration"]}
    assert durations["attach"] == 1
    assert {a["type"]: p.value for a, p in points["janus.events"]} == {"handle": 1, "media": 1}
    assert points["janus.events.malformed"][0][1].value == 1
    assert points["janus.handles"][0][1].value == 1
    packets = {(a["media"], a["direction"]): p.value for a, p in points["janus.media.packets"]}
    assert packets == {("video", "received"): 340, ("video", "sent"): 338}
    provider.shutdown()
