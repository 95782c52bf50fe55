"""The core API against the real Janus, over both transports."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest

from janus_client import (
    ConnectError,
    DetachedEvent,
    HandleNotFoundError,
    InvalidStateError,
    JanusHandle,
    JanusSession,
    JanusTransport,
    PluginError,
    PluginEvent,
    PluginNotFoundError,
    ServerError,
    SessionLost,
    SessionNotFoundError,
    SessionState,
    SessionTimeoutEvent,
    Timeouts,
    UnauthorizedError,
)
from janus_client.errors import (
    InvalidElementTypeError,
    InvalidJSONError,
    InvalidJSONObjectError,
    MissingMandatoryElementError,
)
from janus_client.testing import JanusServer

ECHO = "janus.plugin.echotest"
VIDEOROOM = "janus.plugin.videoroom"


def url_of(server: JanusServer, kind: str) -> str:
    return server.ws_url if kind == "ws" else server.http_url


async def test_info_and_ping(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        info = await session.info()
        assert info["janus"] == "server_info"
        assert info["version_string"] == "1.1.2"
        assert ECHO in info["plugins"]
        rtt = await session.ping()
        assert 0 < rtt < 5


async def test_create_and_destroy(janus_url: str) -> None:
    session = JanusSession(janus_url)
    assert session.state is SessionState.NEW
    sid = await session.create()
    assert isinstance(sid, int) and sid > 0
    assert await session.create() == sid  # idempotent
    assert session.state is SessionState.ACTIVE
    await session.destroy()
    assert session.state is SessionState.CLOSED
    await session.destroy()  # idempotent
    assert session.transport.closed  # it created the transport, so it closed it


async def test_attach_to_every_loaded_plugin(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        plugins = sorted((await session.info())["plugins"])
        assert len(plugins) >= 5
        handles = [await session.attach(name, opaque_id=f"test-{i}") for i, name in
                   enumerate(plugins)]
        assert len({h.handle_id for h in handles}) == len(plugins)
        assert set(session.handles) == {h.handle_id for h in handles}
        for handle in handles:
            await handle.detach()
            assert handle.closed
        assert session.handles == {}


async def test_sync_and_async_plugin_messages(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        room = await session.attach(VIDEOROOM)
        reply = await room.send({"request": "list"})
        assert reply.kind == "success"
        assert reply.data["videoroom"] == "success"
        assert isinstance(reply.data["list"], list)

        echo = await session.attach(ECHO)
        reply = await echo.send({"audio": True, "video": True})
        assert reply.kind == "event"
        assert reply.data == {"echotest": "event", "result": "ok"}

        stream = echo.events(PluginEvent)
        ack = await echo.send({"bitrate": 128000}, wait="ack")
        assert ack.kind in ("ack", "event")
        event = await stream.get(timeout=5)
        assert event.data["result"] == "ok"
        assert event.handle_id == echo.handle_id
        await stream.aclose()


async def test_plugin_error_is_typed(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        room = await session.attach(VIDEOROOM)
        with pytest.raises(PluginError) as info:
            await room.send({"request": "destroy", "room": 987654321})
        err = info.value
        assert err.plugin == VIDEOROOM
        assert err.code == 426  # JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM
        assert "987654321" in str(err) or "No such room" in str(err)


async def test_many_concurrent_requests_are_matched(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        room = await session.attach(VIDEOROOM)
        echo = await session.attach(ECHO)
        results = await asyncio.gather(
            *(room.send({"request": "exists", "room": i}) for i in range(1, 41)),
            *(echo.send({"bitrate": 1000 * i}) for i in range(1, 41)),
        )
        assert [r.data.get("room") for r in results[:40]] == list(range(1, 41))
        assert all(r.data.get("result") == "ok" for r in results[40:])
        assert session.transport.pending_count == 0


@pytest.mark.parametrize("kind", ["ws", "http"])
async def test_claim_from_second_connection(janus_server: JanusServer, kind: str) -> None:
    url = url_of(janus_server, kind)
    first = JanusSession(url)
    sid = await first.create()
    async with JanusTransport.create_transport(url) as second_transport:
        second = JanusSession(transport=second_transport)
        assert await second.claim(sid) == sid
        assert second.session_id == sid and second.state is SessionState.ACTIVE
        echo = await second.attach(ECHO)
        assert (await echo.send({"audio": False})).data["result"] == "ok"
        await second.destroy()
        assert not second_transport.closed  # a shared transport stays open
    await first.destroy()  # already gone on the server: released locally, no error


async def test_claim_unknown_session(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        other = JanusSession(transport=session.transport)
        with pytest.raises(SessionNotFoundError) as info:
            await other.claim(1234567)
        assert info.value.code == 458


async def test_unknown_session_and_handle(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        with pytest.raises(SessionNotFoundError) as info:
            await session.transport.request(
                {"janus": "keepalive", "transaction": session.transport.new_transaction(),
                 "session_id": 42}
            )
        assert info.value.code == 458
        assert "keepalive" in str(info.value) and "458" in str(info.value)
        with pytest.raises(HandleNotFoundError) as hinfo:
            await session.request({"janus": "message", "body": {}}, handle_id=99)
        assert hinfo.value.code == 459


async def test_unknown_plugin(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        with pytest.raises(PluginNotFoundError) as info:
            await session.attach("janus.plugin.nope")
        assert info.value.code == 460
        assert session.handles == {}


async def test_invalid_json_request(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        with pytest.raises(InvalidJSONError) as info:
            await session.transport.send_raw("{this is not json")
        assert info.value.code == 454
        with pytest.raises(InvalidElementTypeError) as tinfo:
            await session.transport.send_raw('{"janus": 5, "transaction": "x"}')
        assert tinfo.value.code == 467
        with pytest.raises(MissingMandatoryElementError) as minfo:
            await session.transport.send_raw('{"janus": "create"}')
        assert minfo.value.code == 456 and "transaction" in minfo.value.reason
        # Janus' HTTP transport checks for an object; its WebSocket one asks for the
        # transaction first.
        expected = InvalidJSONObjectError if janus_url.startswith("http") else \
            MissingMandatoryElementError
        with pytest.raises(expected):
            await session.transport.send_raw("[1, 2, 3]")
        # The connection is still fine afterwards.
        assert (await session.info())["janus"] == "server_info"


@pytest.mark.parametrize("kind", ["ws", "http"])
async def test_api_secret(janus_server_factory: Callable[..., JanusServer], kind: str) -> None:
    server = janus_server_factory(api_secret="s3cret-api")
    url = url_of(server, kind)
    with pytest.raises(UnauthorizedError) as info:
        async with JanusSession(url):
            pass
    assert info.value.code == 403
    assert "create" in str(info.value)
    with pytest.raises(UnauthorizedError):
        async with JanusSession(url, api_secret="wrong"):
            pass
    async with JanusSession(url, api_secret="s3cret-api") as session:
        handle = await session.attach(ECHO)
        assert (await handle.send({"audio": True})).data["result"] == "ok"


@pytest.mark.parametrize("kind", ["ws", "http"])
async def test_keepalive_holds_and_expiry(
    janus_server_factory: Callable[..., JanusServer], kind: str
) -> None:
    server = janus_server_factory(session_timeout=3)
    url = url_of(server, kind)
    kept = JanusSession(url, timeouts=Timeouts(keepalive=0.7))
    left = JanusSession(url, timeouts=Timeouts(keepalive=3600))
    await kept.create()
    await left.create()
    left_handle = await left.attach(ECHO)
    timeouts = left.events(SessionTimeoutEvent)
    await asyncio.sleep(7.5)  # well past session_timeout (Janus checks every ~2 s)
    assert kept.state is SessionState.ACTIVE
    await kept.keepalive()
    echo = await kept.attach(ECHO)
    assert (await echo.send({"audio": True})).data["result"] == "ok"
    assert left.state is SessionState.LOST
    assert isinstance(left.lost_reason, SessionLost)
    assert left_handle.closed
    if kind == "ws":  # over HTTP the timeout notice may race the poll's end
        assert isinstance(await timeouts.get(timeout=1), SessionTimeoutEvent)
    with pytest.raises(SessionLost):
        await left_handle.send({"audio": True}) if not left_handle.closed else \
            left._require_id("message")
    await left.destroy()
    await kept.destroy()
    # A lost or destroyed session can be created again on the same object.
    again = JanusSession(url)
    await again.create()
    await again.destroy()


async def test_recreate_on_shared_transport(janus_url: str) -> None:
    async with JanusTransport.create_transport(janus_url) as transport:
        session = JanusSession(transport=transport)
        first = await session.create()
        await session.destroy()
        assert session.state is SessionState.CLOSED
        assert not transport.closed
        second = await session.create()
        assert second != first
        handle = await session.attach(ECHO)
        assert (await handle.send({"audio": True})).data["result"] == "ok"
        await session.destroy()
        async with JanusSession(transport=transport) as other:
            assert other.session_id is not None
        assert not transport.closed


async def test_destroy_detaches_handles_and_fails_calls(janus_url: str) -> None:
    session = JanusSession(janus_url)
    handles = [await session.attach(ECHO) for _ in range(3)]
    detached: list[DetachedEvent] = []
    handles[0].on_event(detached.append, DetachedEvent)
    await session.destroy()
    assert all(h.closed for h in handles)
    with pytest.raises(InvalidStateError):
        await handles[1].send({"audio": True})


async def test_callback_may_await_a_request(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        echo = await session.attach(ECHO)
        room = await session.attach(VIDEOROOM)
        done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

        async def on_event(event: PluginEvent) -> None:
            # Awaiting another request from inside a callback must not deadlock.
            data = await room.request({"request": "list"})
            if not done.done():
                done.set_result(data)

        echo.on_event(on_event, PluginEvent)
        await echo.send({"audio": True}, wait="ack")
        data = await asyncio.wait_for(done, 5)
        assert data["videoroom"] == "success"


async def test_raising_callback_does_not_stop_events(
    janus_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with JanusSession(janus_url) as session:
        echo = await session.attach(ECHO)
        seen: list[PluginEvent] = []
        got_three = asyncio.Event()

        def boom(event: PluginEvent) -> None:
            raise RuntimeError("handler bug")

        def count(event: PluginEvent) -> None:
            seen.append(event)
            if len(seen) == 3:
                got_three.set()

        echo.on_event(boom, PluginEvent)
        echo.on_event(count, PluginEvent)
        with caplog.at_level(logging.ERROR, logger="janus_client"):
            for _ in range(3):
                await echo.send({"audio": True}, wait="ack")
            await asyncio.wait_for(got_three.wait(), 5)
        assert len(seen) == 3
        assert sum("handler bug" in (r.exc_text or "") or r.exc_info is not None
                   for r in caplog.records) >= 3
        # The session still works.
        assert (await echo.send({"audio": True})).data["result"] == "ok"


async def test_events_iterator_ends_on_detach(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        echo: JanusHandle = await session.attach(ECHO)
        stream = echo.events()
        await echo.detach()
        items = [e async for e in stream]  # terminates: the stream ends on detach
        # EchoTest reports {"result": "done"} as the handle goes away.
        assert all(e.handle_id == echo.handle_id for e in items)
        assert [e async for e in echo.events()] == []


async def test_user_transport_survives_session_exit(janus_url: str) -> None:
    transport = JanusTransport.create_transport(janus_url)
    try:
        async with JanusSession(transport=transport) as a, JanusSession(transport=transport) as b:
            assert a.session_id != b.session_id
            assert set(transport.sessions) == {a.session_id, b.session_id}
        assert not transport.closed and transport.connected
        async with JanusSession(transport=transport) as c:
            assert (await c.attach(ECHO)).handle_id > 0
    finally:
        await transport.close()
    assert transport.closed


async def test_connect_error_names_url() -> None:
    for url in ("ws://127.0.0.1:9", "http://127.0.0.1:9/janus"):
        session = JanusSession(url, timeouts=Timeouts(connect=2))
        with pytest.raises(ConnectError) as info:
            await session.create()
        assert "127.0.0.1:9" in str(info.value)
        await session.destroy()


def test_unknown_scheme() -> None:
    schemes = r"amqp, amqps, http, https, mqtt, mqtts, unix, unix\+dgram, ws, wss"
    with pytest.raises(ValueError, match=f"accepted schemes: {schemes}"):
        JanusSession("ftp://127.0.0.1/janus")


async def test_server_error_message_names_request_and_url(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        with pytest.raises(ServerError) as info:
            await session.attach("janus.plugin.missing")
        text = str(info.value)
        assert "460" in text and "attach" in text and session.base_url in text
