"""What only the broker and Unix-socket transports do: isolation, restarts, limits."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from janus_client import (
    ConnectError,
    ConnectionClosedError,
    JanusSession,
    JanusTransport,
    PluginEvent,
    ReconnectPolicy,
    SessionLost,
    SessionState,
    Timeouts,
    TransportError,
)
from janus_client.testing import JanusServer
from janus_client.testing._brokers import MosquittoBroker, RabbitMQBroker
from janus_client.transports.unix import MAX_REQUEST_BYTES, RequestTooLargeError

ECHO = "janus.plugin.echotest"


def _is_socket(path: str) -> bool:
    return Path(path).is_socket()


def _exists(path: str) -> bool:
    return Path(path).exists()


def _spy(transport: JanusTransport) -> list[dict[str, Any]]:
    """Record every decoded message that reaches ``transport``'s reader."""
    seen: list[dict[str, Any]] = []
    original = transport._receive_message

    def record(msg: Any) -> None:
        if isinstance(msg, dict):
            seen.append(msg)
        original(msg)

    transport._receive_message = record  # type: ignore[method-assign]
    return seen


async def _exchange(session: JanusSession, rounds: int) -> tuple[int, list[PluginEvent]]:
    echo = await session.attach(ECHO)
    events: list[PluginEvent] = []
    echo.on_event(events.append, PluginEvent)
    for i in range(rounds):
        assert (await echo.send({"bitrate": 1000 + i})).data["result"] == "ok"
        await echo.send({"audio": True}, wait="ack")
    return echo.handle_id, events


@pytest.mark.parametrize("kind", ["mqtt5", "mqtt3", "amqp"])
async def test_two_clients_on_one_broker_see_nothing_of_each_other(
    request: pytest.FixtureRequest, kind: str
) -> None:
    from brokered import brokered_urls

    url = brokered_urls(request, kind)[0]
    async with (
        JanusTransport.create_transport(url) as ta,
        JanusTransport.create_transport(url) as tb,
    ):
        wire_a, wire_b = _spy(ta), _spy(tb)
        async with JanusSession(transport=ta) as a, JanusSession(transport=tb) as b:
            (ha, ev_a), (hb, ev_b) = await asyncio.gather(_exchange(a, 5), _exchange(b, 5))
            await asyncio.sleep(0.3)  # late events, if any, arrive
            # API level: every event a client gets is its own.
            assert ev_a and ev_b
            assert {e.handle_id for e in ev_a} == {ha}
            assert {e.handle_id for e in ev_b} == {hb}
            sid_b = b.session_id
        tx_a = {m.get("transaction") for m in wire_a}
        tx_b = {m.get("transaction") for m in wire_b}
        if kind == "mqtt5":
            # MQTT 5: replies, acks and the events of a request come on the private
            # response topic: none of the other's transactions reach the socket.
            # (Events without a transaction, such as ``detached``, still come on the
            # shared topic and are dropped.)
            assert not (tx_a - {None}) & (tx_b - {None})
            assert all(m.get("transaction") is None for m in wire_a if m.get("session_id") == sid_b)
        else:
            # Shared reply topic / exchange: the other's traffic arrives and is dropped.
            assert any(m.get("session_id") == sid_b for m in wire_a)
        assert ta.pending_count == tb.pending_count == 0


# --------------------------------------------------------------------- restarts
@pytest.fixture
def own_mosquitto() -> Iterator[MosquittoBroker]:
    if MosquittoBroker.find_binary() is None:
        pytest.skip("mosquitto is not installed")
    broker = MosquittoBroker()
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


POLICY = ReconnectPolicy(initial_delay=0.2, max_delay=1.0, deadline=40.0, attempts=None)


async def _in_flight_fails_then_recovers(
    janus: JanusServer, url: str, restart: Callable[[], None]
) -> None:
    transport = JanusTransport.create_transport(
        url, reconnect=POLICY, timeouts=Timeouts(request=20.0)
    )
    async with transport, JanusSession(transport=transport) as session:
        echo = await session.attach(ECHO)
        assert (await echo.send({"audio": True})).data["result"] == "ok"
        janus.pause()  # nothing answers: the next call stays in flight
        try:
            call = asyncio.ensure_future(echo.send({"audio": False}, timeout=15.0))
            await asyncio.sleep(0.3)
            assert not call.done()
            await asyncio.to_thread(restart)
            with pytest.raises(TransportError):
                await call  # typed, and before its own deadline
        finally:
            janus.resume()
        # The transport reconnects under the policy and reclaims the session,
        # which Janus kept: it works again.
        for _ in range(100):
            if transport.connected and not transport.reconnecting:
                break
            await asyncio.sleep(0.2)
        reply = await echo.send({"audio": True}, timeout=15.0)
        assert reply.data["result"] == "ok"
        assert session.state is SessionState.ACTIVE


async def test_mosquitto_restart_mid_session(
    janus_server_factory: Callable[..., JanusServer], own_mosquitto: MosquittoBroker
) -> None:
    janus = janus_server_factory(mqtt_broker=own_mosquitto.url, mqtt_version="5")
    assert janus.mqtt_url is not None
    await _in_flight_fails_then_recovers(janus, janus.mqtt_url, own_mosquitto.restart)


async def test_rabbitmq_restart_mid_session(
    janus_server_factory: Callable[..., JanusServer],
) -> None:
    if RabbitMQBroker.find_binary() is None:
        pytest.skip("rabbitmq-server is not installed")
    broker = RabbitMQBroker()
    await asyncio.to_thread(broker.start)
    try:
        janus = janus_server_factory(rabbitmq_broker=broker.url)
        assert janus.amqp_url is not None
        await _in_flight_fails_then_recovers(janus, janus.amqp_url, broker.restart)
    finally:
        await asyncio.to_thread(broker.stop)


async def test_unix_socket_sees_janus_restart_at_once(
    janus_server_factory: Callable[..., JanusServer],
) -> None:
    janus = janus_server_factory(unix_sockets=True)
    assert janus.unix_url is not None
    session = JanusSession(janus.unix_url)
    await session.create()
    echo = await session.attach(ECHO)
    janus.pause()
    call = asyncio.ensure_future(echo.send({"audio": True}, timeout=60.0))
    await asyncio.sleep(0.2)
    janus.kill()
    # The end of the SEQPACKET connection is seen at once: the call fails as
    # closed, not after its 60 s deadline.
    with pytest.raises(ConnectionClosedError):
        await call
    assert session.state is SessionState.LOST
    await session.destroy()
    assert not session.transport.connected


# ----------------------------------------------------------------- Unix sockets
@pytest.mark.parametrize("kind", ["unix", "unix+dgram"])
async def test_request_over_the_limit_is_refused_locally(
    request: pytest.FixtureRequest, kind: str
) -> None:
    from brokered import brokered_urls

    url = brokered_urls(request, kind)[0]
    async with JanusSession(url) as session:
        echo = await session.attach(ECHO)
        with pytest.raises(RequestTooLargeError) as info:
            await echo.send({"audio": True, "filler": "x" * MAX_REQUEST_BYTES})
        assert "8192-byte limit" in str(info.value)
        assert info.value.limit == 8192 and info.value.size > 8192
        assert session.transport.pending_count == 0
        # Just under the limit goes through.
        reply = await echo.send({"audio": True, "filler": "x" * (MAX_REQUEST_BYTES - 300)})
        assert reply.data["result"] == "ok"


async def test_dgram_client_path_is_private_and_removed(request: pytest.FixtureRequest) -> None:
    from brokered import brokered_urls

    url = brokered_urls(request, "unix+dgram")[0]
    first = JanusTransport.create_transport(url)
    second = JanusTransport.create_transport(url)
    async with first, second:
        paths = [first.client_path, second.client_path]  # type: ignore[attr-defined]
        assert all(p is not None and _is_socket(p) for p in paths)
        assert paths[0] != paths[1]
        async with JanusSession(transport=first) as a, JanusSession(transport=second) as b:
            assert a.session_id != b.session_id
    assert not any(_exists(p) for p in paths if p is not None)


def test_import_janus_client_imports_no_broker_client() -> None:
    code = (
        "import sys, janus_client, janus_client.transports;"
        "print(sorted(m for m in ('aiomqtt', 'paho', 'aio_pika', 'aiormq') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize(
    ("url", "extra", "module"),
    [("mqtt://127.0.0.1:1883", "mqtt", "aiomqtt"), ("amqp://127.0.0.1/", "rabbitmq", "aio_pika")],
)
def test_missing_extra_names_it(url: str, extra: str, module: str) -> None:
    code = (
        f"import sys; sys.modules[{module!r}] = None\n"
        "from janus_client import JanusSession\n"
        f"try:\n    JanusSession({url!r})\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert f"pip install 'janus-client[{extra}]'" in out and module in out


async def test_no_janus_behind_the_topics_is_a_connect_error(
    own_mosquitto: MosquittoBroker,
) -> None:
    # The transport pings Janus at connect: wrong topic names fail there, typed and
    # naming the topic, instead of every later call timing out.
    url = own_mosquitto.url + "?request_topic=nobody-listens&reply_topic=nobody-answers"
    transport = JanusTransport.create_transport(url, timeouts=Timeouts(connect=1.0))
    with pytest.raises(ConnectError, match="'nobody-listens'"):
        await transport.connect()
    assert not transport.connected
    await transport.close()


async def test_broker_down_without_policy_loses_the_session(
    janus_server_factory: Callable[..., JanusServer], own_mosquitto: MosquittoBroker
) -> None:
    janus = janus_server_factory(mqtt_broker=own_mosquitto.url, mqtt_version="3.1.1")
    assert janus.mqtt_url is not None
    async with JanusSession(janus.mqtt_url) as session:
        await session.attach(ECHO)
        await asyncio.to_thread(own_mosquitto.stop)
        for _ in range(100):
            if session.state is SessionState.LOST:
                break
            await asyncio.sleep(0.05)
        assert session.state is SessionState.LOST
        assert isinstance(session.lost_reason, SessionLost)
        assert "connection lost" in str(session.lost_reason)


def test_serve_offers_the_broker_transports() -> None:
    from test_serve import _ready, _serve

    if MosquittoBroker.find_binary() is None:
        pytest.skip("mosquitto is not installed")
    proc = _serve("--transports", "unix,mqtt3", "--plugins", "echotest")
    try:
        ready = _ready(proc)
        urls = [str(ready["unix_url"]), str(ready["mqtt_url"]), str(ready["admin_mqtt_url"])]
        assert urls[0].startswith("unix://") and "mqtt_version=3.1.1" in urls[1]
        code = (
            "import asyncio, sys\n"
            "from janus_client import JanusSession, JanusAdminMonitorClient\n"
            "async def main():\n"
            "    for url in sys.argv[1:3]:\n"
            "        async with JanusSession(url) as s:\n"
            "            await s.attach('janus.plugin.echotest')\n"
            "    async with JanusAdminMonitorClient(sys.argv[3], 'janusoverlord') as a:\n"
            "        print((await a.ping())['janus'])\n"
            "asyncio.run(main())\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, *urls], capture_output=True, text=True, timeout=60
        )
        assert out.stdout.strip() == "pong", out.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert not Path(str(ready["unix_url"])[len("unix://") :]).exists()


def test_serve_rejects_unknown_transports() -> None:
    from test_serve import _serve

    proc = _serve("--transports", "nanomsg")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "unknown transport(s) nanomsg" in err
