"""Logging: DEBUG records of requests and events never carry secrets or SDP bodies."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from janus_client import JanusError, JanusSession
from janus_client.testing import JanusServer

SECRETS = ("top-secret-api", "tok-3f9a1", "room-secret-77", "room-pin-88", "SDPMARKER")


@pytest.mark.parametrize("kind", ["ws", "http"])
async def test_debug_logs_are_redacted(
    janus_server_factory: Callable[..., JanusServer],
    caplog: pytest.LogCaptureFixture,
    kind: str,
) -> None:
    server = janus_server_factory(api_secret="top-secret-api")
    url = server.ws_url if kind == "ws" else server.http_url
    with caplog.at_level(logging.DEBUG, logger="janus_client"):
        async with JanusSession(url, api_secret="top-secret-api", token="tok-3f9a1") as session:
            room = await session.attach("janus.plugin.videoroom")
            created = await room.request({
                "request": "create", "secret": "room-secret-77", "pin": "room-pin-88",
            })
            await room.request({
                "request": "destroy", "room": created["room"], "secret": "room-secret-77",
            })
            echo = await session.attach("janus.plugin.echotest")
            offer = {"type": "offer", "sdp": (
                "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                "a=ice-ufrag:abcd\r\na=ice-pwd:SDPMARKER0123456789abcdef\r\n"
            )}
            with pytest.raises(JanusError):
                await echo.send({"audio": True}, offer)
    texts = [r.getMessage() for r in caplog.records]
    assert any("send" in t and "create" in t for t in texts), "requests are logged at DEBUG"
    assert any("recv" in t for t in texts), "replies are logged at DEBUG"
    assert any("***" in t for t in texts), "secrets are shown as ***"
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked into a log record: {text[:200]}"


def test_no_logging_configuration_at_import() -> None:
    logger = logging.getLogger("janus_client")
    assert [type(h).__name__ for h in logger.handlers] == ["NullHandler"]
    assert logger.level == logging.NOTSET
