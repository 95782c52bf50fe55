"""An example test of your own code, using the fixtures janus-client installs.

Run it with ``pytest examples/test_with_janus.py``: the fixtures start a real
local Janus (and an in-process fake) for the test.
"""

import pytest

from janus_client import JanusSession, RequestTimeoutError
from janus_client.testing import FakeJanus


async def count_plugins(url: str) -> int:
    """The code under test."""
    async with JanusSession(url) as session:
        return len((await session.info())["plugins"])


async def test_against_a_real_janus(janus_ws_url: str) -> None:
    assert await count_plugins(janus_ws_url) >= 4


async def test_when_janus_does_not_answer(fake_janus: FakeJanus) -> None:
    fake_janus.drop("info")
    with pytest.raises(RequestTimeoutError):
        async with JanusSession(fake_janus.ws_url) as session:
            await session.info(timeout=0.2)
