"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from _strategies import ECHO

from janus_client import JanusSession
from janus_client.testing import FakeJanus


@pytest.fixture
async def live(fake_janus: FakeJanus) -> AsyncIterator[tuple[FakeJanus, JanusSession, Any]]:
    """A fake Janus, a session on it over WebSocket and an EchoTest handle."""
    session = JanusSession(fake_janus.ws_url)
    handle = await session.attach(ECHO)
    try:
        yield fake_janus, session, handle
    finally:
        await session.destroy()
