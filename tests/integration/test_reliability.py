"""Reconnection, dead connections, crashes and restarts, against the real Janus."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from janus_client import (
    ConnectionClosedError,
    JanusSession,
    PluginEvent,
    SessionLost,
    SessionState,
    Timeouts,
)
from janus_client.config import ReconnectPolicy
from janus_client.events import ConnectionState, ConnectionStateEvent
from janus_client.testing import JanusServer, TcpProxy

ECHO = "janus.plugin.echotest"
FAST = ReconnectPolicy(initial_delay=0.05, max_delay=0.5, deadline=10)


@pytest.fixture
async def proxy(janus_server: JanusServer) -> AsyncIterator[TcpProxy]:
    port = int(janus_server.ws_url.rsplit(":", 1)[1])
    async with TcpProxy("127.0.0.1", port) as p:
        yield p


async def wait_state(
    stream: object, state: ConnectionState, timeout: float = 10
) -> ConnectionStateEvent:
    deadline = time.monotonic() + timeout
    while True:
        event = await stream.get(timeout=max(deadline - time.monotonic(), 0.01))  # type: ignore[attr-defined]
        if isinstance(event, ConnectionStateEvent) and event.state is state:
            return event


async def test_reconnect_reclaims_session(proxy: TcpProxy, janus_server: JanusServer) -> None:
    url = proxy.url_for(janus_server.ws_url)
    async with JanusSession(url, reconnect=FAST) as session:
        states = session.events(ConnectionStateEvent)
        echo = await session.attach(ECHO)
        sid = session.session_id
        assert (await echo.send({"audio": True})).data["result"] == "ok"
        before = proxy.connections_made
        proxy.cut()
        await wait_state(states, ConnectionState.DISCONNECTED)
        event = await wait_state(states, ConnectionState.RECONNECTED)
        assert event.attempt >= 1
        assert proxy.connections_made == before + 1
        assert session.session_id == sid and session.state is SessionState.ACTIVE
        # The same handle answers a new request...
        assert (await echo.send({"video": True})).data["result"] == "ok"
        # ...and events flow again to it.
        events = echo.events(PluginEvent)
        await echo.send({"audio": False}, wait="ack")
        assert (await events.get(timeout=5)).data["result"] == "ok"


async def test_without_policy_the_session_fails(proxy: TcpProxy, janus_server: JanusServer) -> None:
    session = JanusSession(proxy.url_for(janus_server.ws_url))
    echo = await session.attach(ECHO)
    proxy.cut()
    for _ in range(200):
        if session.state is SessionState.LOST:
            break
        await asyncio.sleep(0.01)
    assert session.state is SessionState.LOST
    assert isinstance(session.lost_reason, SessionLost)
    assert isinstance(session.lost_reason.__cause__, ConnectionClosedError)
    assert echo.closed
    await session.destroy()


async def test_calls_in_flight_fail_and_are_not_replayed(
    proxy: TcpProxy, janus_server: JanusServer
) -> None:
    async with JanusSession(proxy.url_for(janus_server.ws_url), reconnect=FAST) as session:
        states = session.events(ConnectionStateEvent)
        echo = await session.attach(ECHO)
        proxy.freeze()  # the request goes out but no reply comes back
        task = asyncio.create_task(echo.send({"audio": True}, timeout=10))
        await asyncio.sleep(0.1)
        proxy.cut()
        proxy.thaw()
        with pytest.raises(ConnectionClosedError):
            await task
        await wait_state(states, ConnectionState.RECONNECTED)
        assert session.transport.pending_count == 0
        assert (await echo.send({"audio": True})).data["result"] == "ok"


async def test_half_open_line_is_detected(proxy: TcpProxy, janus_server: JanusServer) -> None:
    # No clock: the LOST event itself says what noticed the line. A keepalive round
    # waits one keepalive interval (0.5 s here, not the 5 s request deadline), so a
    # line found dead by it was found within two intervals of freezing.
    session = JanusSession(
        proxy.url_for(janus_server.ws_url), timeouts=Timeouts(keepalive=0.5, request=5)
    )
    await session.attach(ECHO)
    states = session.events(ConnectionStateEvent)
    proxy.freeze()
    event = await wait_state(states, ConnectionState.LOST, timeout=30)
    assert session.state is SessionState.LOST
    assert "no keepalive answered within 0.5 s" in (event.error or ""), event
    proxy.thaw()
    await session.destroy()


async def test_restarted_janus_cannot_reclaim(
    janus_server_factory: Callable[..., JanusServer],
) -> None:
    server = janus_server_factory()
    async with JanusSession(server.ws_url, reconnect=FAST) as session:
        states = session.events(ConnectionStateEvent)
        echo = await session.attach(ECHO)
        await asyncio.get_running_loop().run_in_executor(None, server.restart)
        event = await wait_state(states, ConnectionState.LOST, timeout=15)
        assert "reclaim" in (event.error or "") or "458" in (event.error or "")
        assert session.state is SessionState.LOST
        assert isinstance(session.lost_reason, SessionLost)
        assert echo.closed
        # The transport itself reconnected: a new session works on it.
        async with JanusSession(transport=session.transport) as fresh:
            assert (await fresh.attach(ECHO)).handle_id > 0


@pytest.mark.usefixtures("media_address")
async def test_janus_killed_during_echo_call(
    janus_server_factory: Callable[..., JanusServer],
) -> None:
    from janus_client import JanusEchoTestPlugin
    from janus_client.webrtc import open_peer_connections

    server = janus_server_factory()
    port = int(server.ws_url.rsplit(":", 1)[1])
    async with TcpProxy("127.0.0.1", port) as proxy:
        session = JanusSession(proxy.url_for(server.ws_url), timeouts=Timeouts(request=3))
        echo = JanusEchoTestPlugin()
        await echo.attach(session)
        await echo.start(data_channel=False)
        await echo.wait_webrtcup()
        proxy.freeze()  # the next request is surely still pending when...
        task = asyncio.create_task(echo.configure(bitrate=100_000))
        await asyncio.sleep(0.1)
        assert not task.done()
        started = time.monotonic()
        server.kill()  # ...Janus dies (and with it the proxied connection)
        proxy.thaw()
        with pytest.raises(ConnectionClosedError):
            await task
        assert time.monotonic() - started < 3
        for _ in range(200):
            if not open_peer_connections():
                break
            await asyncio.sleep(0.02)
        assert open_peer_connections() == []
        assert session.state is SessionState.LOST
        await session.destroy()


async def test_state_events_without_policy(proxy: TcpProxy, janus_server: JanusServer) -> None:
    seen: list[ConnectionState] = []
    session = JanusSession(proxy.url_for(janus_server.ws_url))
    session.transport.on_state_change(lambda event: seen.append(event.state))
    await session.create()
    states = session.events(ConnectionStateEvent)
    proxy.cut()
    assert (await states.get(timeout=5)).state is ConnectionState.DISCONNECTED
    assert (await states.get(timeout=5)).state is ConnectionState.LOST
    assert seen == [ConnectionState.DISCONNECTED, ConnectionState.LOST]
    await session.destroy()
