"""Broker URLs carry a password: it never reaches base_url, repr(), a log line or an error."""

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


@pytest.mark.parametrize("scheme", ["amqp", "mqtt"])
def test_transport_hides_the_password(scheme: str) -> None:
    transport = JanusTransport.create_transport(f"{scheme}://bob:{SECRET}@127.0.0.1:9/")
    assert SECRET not in transport.base_url and "bob:***@" in transport.base_url
    assert SECRET not in repr(transport)


@pytest.mark.parametrize("scheme", ["amqp", "mqtt"])
def test_errors_hide_the_password(scheme: str) -> None:
    with pytest.raises(ValueError, match="unknown option") as caught:
        JanusTransport.create_transport(f"{scheme}://bob:{SECRET}@127.0.0.1:9/?nope=1")
    assert SECRET not in str(caught.value) and "nope" in str(caught.value)


async def test_connect_failure_hides_the_password(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    transport = JanusTransport.create_transport(f"amqp://bob:{SECRET}@127.0.0.1:9/")
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
