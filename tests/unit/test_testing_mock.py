"""`janus_client.testing.MockTransport`: user code under test with no socket and no Janus."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from janus_client import JanusSession, ServerError
from janus_client.config import Timeouts
from janus_client.errors import RequestTimeoutError
from janus_client.events import PluginEvent
from janus_client.testing import (
    NO_REPLY,
    MockTransport,
    error_reply,
    plugin_reply,
    success_reply,
)

ECHO = "janus.plugin.echotest"


async def test_sync_handler_answers_plugin_messages_and_sees_each_request() -> None:
    def janus(request: dict[str, Any]) -> Any:
        if request["janus"] == "message":
            return plugin_reply(request, {"echotest": "event", "got": request["body"]["n"]})
        return None

    transport = MockTransport(janus, api_secret="s3")
    async with transport, JanusSession(transport=transport) as session:
        handle = await session.attach(ECHO)
        sid = session.session_id
        response = await handle.send({"n": 7})
        assert response.data == {"echotest": "event", "got": 7}
        assert response.plugin == ECHO  # named after the plugin attached to
    verbs = [r["janus"] for r in transport.requests]
    assert verbs[:3] == ["create", "attach", "message"]
    message = transport.requests[2]
    assert message["session_id"] == sid
    assert message["handle_id"] == handle.handle_id
    assert message["apisecret"] == "s3"
    assert isinstance(message["transaction"], str)


async def test_async_handler_can_answer_with_an_ack_then_the_event() -> None:
    async def janus(request: dict[str, Any]) -> Any:
        if request["janus"] != "message":
            return None
        await asyncio.sleep(0)
        ack = {"janus": "ack", "transaction": request["transaction"]}
        return [ack, plugin_reply(request, {"ok": True}, event=True)]

    async with JanusSession(transport=MockTransport(janus)) as session:
        handle = await session.attach(ECHO)
        response = await handle.send({"request": "x"})
        assert response.kind == "event"
        assert response.data == {"ok": True}
    await session.transport.close()


async def test_error_reply_raises_the_typed_error() -> None:
    def janus(request: dict[str, Any]) -> Any:
        if request["janus"] == "attach":
            return error_reply(request, 460, "No such plugin")
        return None

    async with MockTransport(janus) as transport, JanusSession(transport=transport) as session:
        with pytest.raises(ServerError) as info:
            await session.attach("janus.plugin.nope")
        assert info.value.code == 460


async def test_no_reply_times_out() -> None:
    def janus(request: dict[str, Any]) -> Any:
        return NO_REPLY if request["janus"] == "message" else None

    transport = MockTransport(janus, timeouts=Timeouts(request=0.05))
    async with transport, JanusSession(transport=transport) as session:
        handle = await session.attach(ECHO)
        with pytest.raises(RequestTimeoutError):
            await handle.send({"request": "x"})


async def test_pushed_event_reaches_the_handle() -> None:
    transport = MockTransport()
    async with transport, JanusSession(transport=transport) as session:
        handle = await session.attach(ECHO)
        events = handle.events(PluginEvent)
        transport.push(
            {
                "janus": "event",
                "session_id": session.session_id,
                "sender": handle.handle_id,
                "plugindata": {"plugin": ECHO, "data": {"result": "done"}},
            }
        )
        event = await asyncio.wait_for(events.__anext__(), 5)
        assert event.data == {"result": "done"}
        await events.aclose()


async def test_mock_url_uses_the_registered_handler() -> None:
    seen: list[str] = []

    def janus(request: dict[str, Any]) -> Any:
        seen.append(request["janus"])
        if request["janus"] == "create":
            return success_reply(request, {"id": 4242})
        return None

    MockTransport.register_handler("mock://bot", janus)
    try:
        async with JanusSession("mock://bot") as session:
            assert isinstance(session.transport, MockTransport)
            assert session.session_id == 4242
    finally:
        MockTransport.register_handler("mock://bot", None)
    assert seen == ["create", "destroy"]


async def test_handler_exception_fails_the_call_with_it() -> None:
    def janus(request: dict[str, Any]) -> Any:
        if request["janus"] == "message":
            raise LookupError("handler bug")
        return None

    async with MockTransport(janus) as transport, JanusSession(transport=transport) as session:
        handle = await session.attach(ECHO)
        with pytest.raises(LookupError, match="handler bug"):
            await handle.send({"request": "x"})


def test_handler_must_be_callable() -> None:
    with pytest.raises(TypeError, match="callable"):
        MockTransport(42)  # type: ignore[arg-type]
