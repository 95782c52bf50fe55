"""Token authentication against the real Janus (HMAC-signed tokens)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from janus_client import (
    JanusSession,
    UnauthorizedError,
)
from janus_client.auth import make_signed_token
from janus_client.errors import UnauthorizedPluginError
from janus_client.testing import JanusServer

SECRET = "hmac-secret-for-tests"
VIDEOROOM = "janus.plugin.videoroom"


@pytest.mark.parametrize("kind", ["ws", "http"])
async def test_signed_token(janus_server_factory: Callable[..., JanusServer], kind: str) -> None:
    server = janus_server_factory(token_auth_secret=SECRET)
    url = server.ws_url if kind == "ws" else server.http_url

    # No token: 403 on create, a typed error (not a KeyError).
    with pytest.raises(UnauthorizedError) as info:
        async with JanusSession(url):
            pass
    assert info.value.code == 403

    # A token signed with another secret, or expired, is refused too.
    for bad in (make_signed_token("other-secret", [VIDEOROOM]),
                make_signed_token(SECRET, [VIDEOROOM], expires_in=1, now=1_000_000)):
        with pytest.raises(UnauthorizedError):
            async with JanusSession(url, token=bad):
                pass

    token = make_signed_token(SECRET, [VIDEOROOM])
    async with JanusSession(url, token=token) as session:
        room = await session.attach(VIDEOROOM)
        assert (await room.request({"request": "list"}))["videoroom"] == "success"
        # The token only grants the VideoRoom plugin.
        with pytest.raises(UnauthorizedPluginError) as pinfo:
            await session.attach("janus.plugin.echotest")
        assert pinfo.value.code == 405
        # Keepalives carry the token as well (Janus would refuse them otherwise).
        await session.keepalive()


def test_make_signed_token_shape() -> None:
    token = make_signed_token("k", ["a.b", "c.d"], expires_in=60, now=1000)
    payload, signature = token.split(":")
    assert payload == "1060,janus,a.b,c.d"
    assert len(signature) == 28  # base64 of a 20-byte SHA-1 digest
    with pytest.raises(ValueError, match="plugins"):
        make_signed_token("k", ["bad,name"])
    with pytest.raises(ValueError, match="secret"):
        make_signed_token("", [])
