"""Errors a newcomer meets first say what is wrong (issue 12, point 7)."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable

import pytest

from janus_client import (
    ConnectError,
    JanusSession,
    JanusVideoRoomPlugin,
    ProtocolError,
    UnauthorizedError,
)
from janus_client.testing import JanusServer


async def test_http_url_without_janus_path_gets_a_hint(janus_http_url: str) -> None:
    base = janus_http_url.removesuffix("/janus")
    with pytest.raises(ProtocolError) as caught:
        async with JanusSession(base) as session:
            await session.info()
    message = str(caught.value)
    assert "HTTP 404" in message and "/janus" in message and "path" in message
    assert "b''" not in message


async def test_connect_error_has_no_aiohttp_internals() -> None:
    session = JanusSession("http://127.0.0.1:9/janus")
    with pytest.raises(ConnectError) as caught:
        await session.create()
    message = str(caught.value)
    assert "ssl:default" not in message
    assert "Connection refused" in message and "127.0.0.1:9" in message
    await session.destroy()


@pytest.mark.parametrize("kind", ["ws", "http"])
async def test_attach_after_destroy_opens_a_new_session(
    kind: str, janus_ws_url: str, janus_http_url: str
) -> None:
    """No "transport ... is closed": a destroyed session that owns its connection reopens it."""
    session = JanusSession(janus_ws_url if kind == "ws" else janus_http_url)
    first = await session.create()
    await session.destroy()
    handle = await session.attach("janus.plugin.echotest")
    try:
        assert session.session_id is not None and session.session_id != first
        assert handle.handle_id > 0
    finally:
        await session.destroy()


@pytest.mark.parametrize("kind", ["ws", "http"])
async def test_failed_bare_create_leaks_nothing(
    kind: str, janus_server_factory: Callable[..., JanusServer]
) -> None:
    server = janus_server_factory(api_secret="right")
    session = JanusSession(server.ws_url if kind == "ws" else server.http_url)
    with pytest.raises(UnauthorizedError):
        await session.create()  # no destroy(): a newcomer's script just ends here
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del session
        gc.collect()
    assert [str(w.message) for w in caught] == []
    # The same object can try again later (here, with the right secret).
    retry = JanusSession(server.http_url, api_secret="wrong")
    with pytest.raises(UnauthorizedError):
        await retry.create()
    retry.api_secret = "right"
    retry.transport.api_secret = "right"
    assert await retry.create() > 0
    await retry.destroy()


async def test_room_ids_are_checked_before_sending(janus_ws_url: str) -> None:
    async with JanusSession(janus_ws_url) as session:
        room = JanusVideoRoomPlugin()
        await room.attach(session)
        with pytest.raises(ValueError, match=r"pass the number 4242"):
            await room.exists("4242")  # a ValueError, not Janus' error 430
        with pytest.raises(ValueError, match="positive"):
            await room.list_participants(0)
        with pytest.raises(TypeError, match="must be an int"):
            await room.exists(4.5)  # type: ignore[arg-type]
        assert await room.exists(4242) is False  # a number goes through
        await room.destroy()
