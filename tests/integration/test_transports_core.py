"""The core API and the admin API over Unix sockets, MQTT (5 and 3.1.1) and RabbitMQ.

The core tests of ``test_core`` and the generic admin tests of ``test_admin`` run
again here, with ``janus_url`` / ``admin_url`` pointing at the shared brokered
Janus instances (see ``janus_brokered`` in ``tests/conftest.py``).
"""

from __future__ import annotations

import asyncio

import pytest
from brokered import BROKER_TRANSPORTS, brokered_urls
from test_admin import (  # noqa: F401 - collected again with this module's fixtures
    admin,
    test_destroy_session,
    test_detach_handle,
    test_generic_send_and_loops,
    test_info_ping_and_secret,
    test_list_sessions_and_handles,
)
from test_core import (  # noqa: F401 - collected again with this module's fixtures
    test_attach_to_every_loaded_plugin,
    test_callback_may_await_a_request,
    test_claim_unknown_session,
    test_create_and_destroy,
    test_destroy_detaches_handles_and_fails_calls,
    test_events_iterator_ends_on_detach,
    test_info_and_ping,
    test_many_concurrent_requests_are_matched,
    test_plugin_error_is_typed,
    test_raising_callback_does_not_stop_events,
    test_recreate_on_shared_transport,
    test_server_error_message_names_request_and_url,
    test_sync_and_async_plugin_messages,
    test_unknown_plugin,
    test_unknown_session_and_handle,
    test_user_transport_survives_session_exit,
)

from janus_client import HangupEvent, JanusAdminMonitorClient, JanusSession, PluginEvent
from janus_client.errors import InvalidJSONError, MissingMandatoryElementError, RequestTimeoutError

ECHO = "janus.plugin.echotest"
SECRET = "janusoverlord"


@pytest.fixture
def janus_url(janus_broker_url: str) -> str:
    """Override: the core tests run over the broker transports."""
    return janus_broker_url


@pytest.fixture(params=BROKER_TRANSPORTS)
def admin_kind(request: pytest.FixtureRequest) -> str:
    """Override: the admin tests run over the broker transports."""
    return str(request.param)


@pytest.fixture
def admin_url(request: pytest.FixtureRequest, admin_kind: str) -> str:
    """Override: the admin URL of the shared brokered Janus for ``admin_kind``."""
    return brokered_urls(request, admin_kind)[1]


@pytest.fixture
def api_url(request: pytest.FixtureRequest, admin_kind: str) -> str:
    """Override: the same Janus' WebSocket URL (the admin tests expect ws/http sessions)."""
    server = request.getfixturevalue(
        "janus_brokered_v311" if admin_kind in ("unix+dgram", "mqtt3") else "janus_brokered"
    )
    return str(server.ws_url)


async def test_transport_is_the_one_asked_for(janus_url: str) -> None:
    async with JanusAdminMonitorClient(janus_url.replace("janus-api", "janus-admin"), SECRET) as _:
        pass  # the admin client accepts every scheme (the unix path is that of the admin socket)
    async with JanusSession(janus_url) as session:
        info = await session.info()
        expected = {
            "unix": "janus.transport.pfunix",
            "mqtt": "janus.transport.mqtt",
            "amqp": "janus.transport.rabbitmq",
        }[janus_url.split(":", 1)[0].split("+", 1)[0]]
        assert expected in info["transports"]
        assert type(session.transport).__name__ != "JanusTransportWebsocket"


async def test_trickle_hangup_detach_and_events(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        echo = await session.attach(ECHO)
        events = echo.events(PluginEvent)
        # The event may overtake the ack (DGRAM, MQTT): it is then the reply.
        first = await echo.send({"audio": True}, wait="ack")
        if first.kind == "ack":
            event = await asyncio.wait_for(events.__anext__(), 10)
            assert isinstance(event, PluginEvent) and event.data["result"] == "ok"
        else:
            assert first.kind == "event" and first.data["result"] == "ok"
        candidate = {
            "candidate": "candidate:1 1 udp 2130706431 127.0.0.2 50000 typ host",
            "sdpMid": "0",
            "sdpMLineIndex": 0,
        }
        await echo.trickle(candidate)
        await echo.trickle(candidates=[candidate, candidate])
        await echo.trickle(completed=True)
        await echo.hangup()
        await echo.detach()
        assert echo.closed
        # The session is still usable.
        other = await session.attach(ECHO)
        assert (await other.send({"video": False})).data["result"] == "ok"
        assert HangupEvent is not None


async def test_malformed_requests_are_typed(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        if "mqtt_version=5" in janus_url:
            # Janus' MQTT 5 code replies only to a known transaction: an error
            # without one is never published (a Janus limit, checked here).
            with pytest.raises(RequestTimeoutError):
                await session.transport.send_raw("{this is not json", timeout=1)
            assert (await session.info())["janus"] == "server_info"
            return
        with pytest.raises(InvalidJSONError) as info:
            await session.transport.send_raw("{this is not json")
        assert info.value.code == 454
        with pytest.raises(MissingMandatoryElementError):
            await session.transport.send_raw('{"janus": "create"}')
        assert (await session.info())["janus"] == "server_info"
