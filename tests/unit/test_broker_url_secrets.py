"""URLs may carry a password: it never reaches base_url, repr(), a log line or an error."""

from __future__ import annotations

import logging

import pytest

from janus_client import ConnectError, JanusAdminMonitorClient
from janus_client.protocol import url_without_password
from janus_client.transports import JanusTransport

SECRET = "s3cret-broker-pw"


def test_url_without_password() -> None:
    assert url_without_password(f"amqp://bob:{SECRET}@127.0.0.1:5672/vh?x=1") == (
        "amqp://bob:***@127.0.0.1:5672/vh?x=1"
    )
    assert url_without_password("mqtt://127.0.0.1:1883") == "mqtt://127.0.0.1:1883"
    assert url_without_password("mqtt://bob@127.0.0.1") == "mqtt://bob@127.0.0.1"


@pytest.mark.parametrize("scheme", ["amqp", "mqtt", "ws", "http"])
def test_transport_hides_the_password(scheme: str) -> None:
    transport = JanusTransport.create_transport(f"{scheme}://bob:{SECRET}@127.0.0.1:9/")
    assert SECRET not in transport.base_url and "bob:***@" in transport.base_url
    assert SECRET not in repr(transport)


@pytest.mark.parametrize("scheme", ["amqp", "mqtt"])
def test_errors_hide_the_password(scheme: str) -> None:
    with pytest.raises(ValueError, match="unknown option") as caught:
        JanusTransport.create_transport(f"{scheme}://bob:{SECRET}@127.0.0.1:9/?nope=1")
    assert SECRET not in str(caught.value) and "nope" in str(caught.value)


@pytest.mark.parametrize("scheme", ["amqp", "ws", "http"])
async def test_connect_failure_hides_the_password(
    scheme: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    transport = JanusTransport.create_transport(f"{scheme}://bob:{SECRET}@127.0.0.1:9/")
    transport.timeouts = transport.timeouts.__class__(connect=1.0)
    with pytest.raises(ConnectError) as caught:
        await transport.connect()
    await transport.close()
    assert SECRET not in str(caught.value)
    assert SECRET not in str(getattr(caught.value, "url", ""))
    assert SECRET not in caplog.text


def test_admin_repr_hides_the_password() -> None:
    admin = JanusAdminMonitorClient(f"amqp://bob:{SECRET}@127.0.0.1:9/", "admin-secret")
    assert SECRET not in repr(admin) and "admin-secret" not in repr(admin)


def test_ssl_error_hides_the_password() -> None:
    import ssl

    with pytest.raises(ValueError, match="never uses TLS") as caught:
        JanusTransport.create_transport(
            f"ws://bob:{SECRET}@127.0.0.1:9/", ssl=ssl.create_default_context()
        )
    assert SECRET not in str(caught.value) and "bob:***@" in str(caught.value)


async def test_http_still_authenticates_with_the_url_credentials() -> None:
    """The masked form is only shown: requests carry the URL's user and password."""
    import base64

    from aiohttp import web

    seen: list[str | None] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        if request.method == "GET":
            return web.json_response({"janus": "server_info", "name": "x"})
        body = await request.json()
        return web.json_response(
            {"janus": "success", "transaction": body["transaction"], "data": {"id": 7}}
        )

    app = web.Application()
    app.router.add_route("*", "/janus", handle)
    app.router.add_route("*", "/janus/info", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        transport = JanusTransport.create_transport(
            f"http://bob:{SECRET}@127.0.0.1:{port}/janus"
        )
        assert SECRET not in transport.base_url
        await transport.connect()
        try:
            reply = await transport.request({"janus": "create"})
        finally:
            await transport.close()
    finally:
        await runner.cleanup()
    assert reply.body["data"]["id"] == 7
    expected = "Basic " + base64.b64encode(f"bob:{SECRET}".encode()).decode()
    assert seen and all(header == expected for header in seen), seen
