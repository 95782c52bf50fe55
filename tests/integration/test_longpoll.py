"""The HTTP long-poll against the real Janus 1.1.2 when it refuses polls (issue 11).

Janus answers a poll at once with an empty body when it refuses it: 403 once the
session's token is revoked, 404 once it no longer knows the session (after a
restart). Each must end the session at the first such poll, never busy-loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from janus_client import (
    JanusAdminMonitorClient,
    JanusSession,
    ReconnectPolicy,
    SessionLost,
    SessionState,
    UnauthorizedError,
)
from janus_client.testing import JanusServer

ECHO = "janus.plugin.echotest"
ADMIN = "janusoverlord"  # the test Janus' admin_secret
POLICY = ReconnectPolicy(initial_delay=0.05, max_delay=0.5, deadline=10)


async def _until_not_active(session: JanusSession, limit: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while session.state is SessionState.ACTIVE:
        assert loop.time() < end, "the session is still active"
        await asyncio.sleep(0.02)


def _poll_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and "long-poll" in r.getMessage()
    ]


async def test_revoked_token_makes_the_session_unauthorized(
    janus_server_factory: Callable[..., JanusServer], caplog: pytest.LogCaptureFixture
) -> None:
    server = janus_server_factory(token_auth=True)
    async with JanusAdminMonitorClient(server.admin_http_url, ADMIN) as admin:
        await admin.add_token("lp-token")
        session = JanusSession(server.http_url, token="lp-token", reconnect=POLICY)
        try:
            handle = await session.attach(ECHO)
            session.events()  # the long-poll starts
            await asyncio.sleep(0.2)
            await admin.remove_token("lp-token")
            # An event ends the poll in flight; the next one is refused (HTTP 403).
            with caplog.at_level(logging.DEBUG, logger="janus_client"):
                await admin.detach_handle(session.session_id or 0, handle.handle_id)
                await _until_not_active(session)
            assert session.state is SessionState.LOST
            assert isinstance(session.lost_reason, SessionLost)
            assert isinstance(session.lost_reason.__cause__, UnauthorizedError)
            # One record for the lost session, no retry storm.
            assert len(_poll_warnings(caplog)) <= 1, _poll_warnings(caplog)[:3]
        finally:
            await session.destroy()


async def test_restarted_janus_makes_the_session_lost(
    janus_server_factory: Callable[..., JanusServer], caplog: pytest.LogCaptureFixture
) -> None:
    server = janus_server_factory()
    session = JanusSession(server.http_url, reconnect=POLICY)
    try:
        await session.create()
        session.events()
        await asyncio.sleep(0.2)
        with caplog.at_level(logging.DEBUG, logger="janus_client"):
            await asyncio.get_running_loop().run_in_executor(None, server.restart)
            await _until_not_active(session)
        assert session.state is SessionState.LOST
        assert isinstance(session.lost_reason, SessionLost)
        assert "404" in str(session.lost_reason)
        # The poll cut by the restart warns once; the 404 ends the session.
        assert len(_poll_warnings(caplog)) <= 2, _poll_warnings(caplog)[:3]
    finally:
        await session.destroy()
