"""The two Admin API requests only Janus' source documents: query_logger, set_nack_optimizations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from janus_client import JanusAdminMonitorClient, PluginError, PluginNotFoundError
from janus_client.coverage import JANUS_REQUESTS, missing
from janus_client.testing import JanusServer

SECRET = "janusoverlord"
JSONLOG = "janus.logger.jsonlog"


@pytest.fixture(params=["http", "ws"])
def admin_url(
    request: pytest.FixtureRequest, janus_admin_http_url: str, janus_admin_ws_url: str
) -> str:
    """The shared test Janus' admin URL, once per admin transport."""
    return janus_admin_http_url if request.param == "http" else janus_admin_ws_url


def test_admin_has_all_39_requests() -> None:
    assert len(JANUS_REQUESTS["admin"]) == 39
    assert {"query_logger", "set_nack_optimizations"} <= set(JANUS_REQUESTS["admin"])
    assert missing("admin") == []


async def test_arguments_checked_before_sending() -> None:
    admin = JanusAdminMonitorClient("http://127.0.0.1:9/admin", SECRET)
    cases = [
        (admin.set_nack_optimizations("yes"), TypeError, "nack_optimizations"),  # type: ignore[arg-type]
        (admin.set_nack_optimizations(1), TypeError, "nack_optimizations"),  # type: ignore[arg-type]
        (admin.query_logger(""), ValueError, "logger"),
        (admin.query_logger(7), TypeError, "logger"),  # type: ignore[arg-type]
        (admin.query_logger(JSONLOG, ["info"]), TypeError, "request"),  # type: ignore[arg-type]
    ]
    for call, error, name in cases:
        with pytest.raises(error, match=name):
            await call
    assert not admin.connected
    await admin.close()


async def test_set_nack_optimizations(admin_url: str) -> None:
    async with JanusAdminMonitorClient(admin_url, SECRET) as admin:
        before = (await admin.get_status()).raw["nack-optimizations"]
        assert isinstance(before, bool)
        try:
            assert await admin.set_nack_optimizations(not before) is (not before)
            assert (await admin.get_status()).raw["nack-optimizations"] is (not before)
            assert (await admin.info()).raw["nack-optimizations"] is (not before)
            assert await admin.set_nack_optimizations(before) is before
        finally:
            await admin.set_nack_optimizations(before)
        assert (await admin.get_status()).raw["nack-optimizations"] is before


async def test_query_logger_without_loggers(admin_url: str) -> None:
    # The shared test Janus loads no external logger.
    async with JanusAdminMonitorClient(admin_url, SECRET) as admin:
        with pytest.raises(PluginNotFoundError, match="Invalid logger") as caught:
            await admin.query_logger(JSONLOG, {"request": "info"})
        assert caught.value.code == 460


async def test_query_logger_json_logger(
    janus_server_factory: Callable[..., JanusServer], tmp_path: Path
) -> None:
    log_file = tmp_path / "janus-log.json"
    server = janus_server_factory(
        plugin_configs={
            "janus": {"loggers": {"disable": None}},
            "janus.logger.jsonlog": {
                "general": {"enabled": True, "json": "plain", "filename": str(log_file)}
            },
        }
    )
    for url in (server.admin_http_url, server.admin_ws_url):
        async with JanusAdminMonitorClient(url, SECRET) as admin:
            assert JSONLOG in (await admin.info()).loggers
            assert await admin.query_logger(JSONLOG, {"request": "info"}) == {"result": 200}
            with pytest.raises(PluginError, match="Unknown request") as bad:
                await admin.query_logger(JSONLOG, {"request": "tweak"})
            assert bad.value.code is not None and bad.value.request == "tweak"
            with pytest.raises(PluginError) as empty:  # no "request": the logger's own error
                await admin.query_logger(JSONLOG)
            assert empty.value.code is not None
            with pytest.raises(PluginNotFoundError):
                await admin.query_logger("janus.logger.nope", {"request": "info"})
    assert log_file.exists() and log_file.stat().st_size > 0
