"""Logging: DEBUG records of requests and events never carry secrets or SDP bodies."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable

import pytest

from janus_client import JanusError, JanusSession
from janus_client.logs import RedactingFilter
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


# --------------------------------------------------------------------------
# Everything through a root DEBUG handler, and the CLI with --debug (issue 11).
# --------------------------------------------------------------------------
API = "api-Secret-5b1d"
ADMIN = "admin-Secret-9c2e"
TOKEN = "tok-Stored-71f0"
ROOM_SECRET = "room-Secret-3a8b"
ROOM_PIN = "room-Pin-6d4c"
# An ice-pwd that is not redacted: `ice-pwd` followed by anything but ***.
_ICE_PWD = re.compile(r"ice[-_]pwd[\"']?\s*[:=]\s*[\"']?(?!\*\*\*)[^\s\"'\\,]+", re.IGNORECASE)


class _Capture:
    """Root DEBUG handlers: one plain (what a user's basicConfig gets), one with the recipe."""

    def __init__(self) -> None:
        self.plain = io.StringIO()
        self.filtered = io.StringIO()
        fmt = logging.Formatter("%(name)s %(levelname)s %(message)s")
        self._handlers = [logging.StreamHandler(self.plain), logging.StreamHandler(self.filtered)]
        self._handlers[1].addFilter(RedactingFilter())
        for handler in self._handlers:
            handler.setFormatter(fmt)
        self._root = logging.getLogger()
        self._level = self._root.level

    def __enter__(self) -> _Capture:
        for handler in self._handlers:
            self._root.addHandler(handler)
        self._root.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc: object) -> None:
        for handler in self._handlers:
            self._root.removeHandler(handler)
        self._root.setLevel(self._level)


def _check_clean(text: str, secrets: list[str], *, ice: bool) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret!r} leaked: ...{_around(text, secret)}..."
    if ice:
        found = _ICE_PWD.search(text)
        assert found is None, f"an ice-pwd leaked: {found.group(0)!r}"


def _around(text: str, needle: str) -> str:
    i = text.find(needle)
    return text[max(0, i - 120) : i + 40]


def _ice_pwds(*sdps: str) -> list[str]:
    return [m.group(1) for sdp in sdps for m in re.finditer(r"a=ice-pwd:(\S+)", sdp)]


@pytest.mark.usefixtures("media_address")
async def test_root_debug_handler_sees_no_secret(
    janus_server_factory: Callable[..., JanusServer],
) -> None:
    """Core, plugin and admin message kinds over both transports, logged at root DEBUG."""
    from janus_client import JanusAdminMonitorClient, JanusEchoTestPlugin, JanusTextRoomPlugin
    from janus_client.config import Timeouts

    server = janus_server_factory(api_secret=API, admin_secret=ADMIN, token_auth=True)
    ice_pwds: list[str] = []
    with _Capture() as capture:
        async with JanusAdminMonitorClient(server.admin_ws_url, ADMIN) as admin:
            await admin.add_token(TOKEN)
            assert TOKEN in [t["token"] for t in await admin.list_tokens()]
        for url in (server.ws_url, server.http_url):
            async with JanusSession(
                url, api_secret=API, token=TOKEN, timeouts=Timeouts(keepalive=0.5)
            ) as session:
                assert await session.ping() >= 0
                await session.info()
                room = await session.attach("janus.plugin.videoroom")
                created = await room.request(
                    {"request": "create", "secret": ROOM_SECRET, "pin": ROOM_PIN}
                )
                await room.request(
                    {"request": "destroy", "room": created["room"], "secret": ROOM_SECRET}
                )
                text = await session.attach(JanusTextRoomPlugin())
                await text.setup()
                number = await text.create_room(secret=ROOM_SECRET, pin=ROOM_PIN)
                await text.join_room(number, "alice", pin=ROOM_PIN)
                await text.send_message(number, "hello")
                await text.destroy_room(number, secret=ROOM_SECRET)
                await text.destroy()
                echo = await session.attach(JanusEchoTestPlugin())
                await echo.start(data_channel=False)
                await echo.wait_webrtcup()
                sid = session.session_id
                assert sid is not None
                await asyncio.sleep(0.6)  # one keepalive round
                async with JanusAdminMonitorClient(server.admin_http_url, ADMIN) as admin:
                    info = await admin.handle_info(sid, echo.id)
                    assert info.sdps["local"].startswith("v=0")
                    ice_pwds += _ice_pwds(info.sdps["local"], info.sdps["remote"])
                    await admin.list_sessions()
                    await admin.list_handles(sid)
                await echo.close_stream()
                await echo.destroy()
        async with JanusAdminMonitorClient(server.admin_http_url, ADMIN) as admin:
            await admin.remove_token(TOKEN)
    assert len(ice_pwds) >= 2
    secrets = [API, ADMIN, TOKEN, ROOM_SECRET, ROOM_PIN]
    plain, filtered = capture.plain.getvalue(), capture.filtered.getvalue()
    assert "janus_client DEBUG send" in plain and "websockets.client DEBUG > TEXT" in plain
    assert "***" in plain
    # A plain root handler: the library and websockets (through the library's
    # adapter) never show a secret, token, pin or ice-pwd.
    ours = "\n".join(
        line for line in plain.splitlines() if line.startswith(("janus_client", "websockets"))
    )
    _check_clean(ours, secrets + ice_pwds, ice=True)
    _check_clean(plain, secrets, ice=False)
    # With the documented recipe (RedactingFilter on the handler): nothing from anyone.
    _check_clean(filtered, secrets + ice_pwds, ice=True)


@pytest.mark.usefixtures("media_address")
def test_cli_debug_output_has_no_secret(janus_server_factory: Callable[..., JanusServer]) -> None:
    server = janus_server_factory(api_secret=API, admin_secret=ADMIN)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JANUS_")}
    runs = [
        ("--debug", "info", "--url", server.ws_url, "--api-secret", API, "--token", TOKEN),
        ("--debug", "ping", "--url", server.http_url, "--api-secret", API, "--count", "2"),
        (
            "--debug", "videoroom", "create", "--url", server.ws_url, "--api-secret", API,
            "--secret", ROOM_SECRET,
        ),
        ("--debug", "admin", "sessions", "--admin-url", server.admin_ws_url,
         "--admin-secret", ADMIN),
        ("--debug", "admin", "log-level", "--admin-url", server.admin_http_url,
         "--admin-secret", ADMIN),
        ("--debug", "echotest", "--local", "--seconds", "1", "--admin-secret", ADMIN),
    ]
    for args in runs:
        run = subprocess.run(
            [sys.executable, "-m", "janus_client", *args],
            capture_output=True, text=True, timeout=120, env=env, check=False,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        assert " DEBUG " not in run.stderr or "janus_client" in run.stderr
        assert "janus_client" in run.stderr, "--debug logs the library's records"
        _check_clean(run.stderr, [API, ADMIN, TOKEN, ROOM_SECRET], ice=True)
        if args[1] == "echotest":
            assert "<sdp," in run.stderr, "aiortc's SDP records are shown redacted"
