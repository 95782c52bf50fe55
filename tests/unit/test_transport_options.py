"""Option checks the transports share: ssl= on a plain scheme, max_in_flight."""

from __future__ import annotations

import ssl

import pytest

from janus_client.transports import JanusTransport
from janus_client.transports.mqtt import JanusTransportMQTT
from janus_client.transports.unix import JanusTransportUnix

SECRET = "s3cret-broker-pw"


@pytest.mark.parametrize(
    ("url", "tls_scheme"),
    [
        ("ws://127.0.0.1:9", "wss"),
        ("http://127.0.0.1:9/janus", "https"),
        (f"amqp://bob:{SECRET}@127.0.0.1:9/", "amqps"),
        (f"mqtt://bob:{SECRET}@127.0.0.1:9", "mqtts"),
    ],
)
def test_ssl_on_a_plain_scheme_names_the_tls_one(url: str, tls_scheme: str) -> None:
    scheme = url.split(":", 1)[0]
    with pytest.raises(ValueError, match=r"^ssl= was given but ") as caught:
        JanusTransport.create_transport(url, ssl=ssl.create_default_context())
    message = str(caught.value)
    assert f"uses {scheme}://, which never uses TLS; use {tls_scheme}:// or leave ssl out" in (
        message
    )
    assert SECRET not in message


@pytest.mark.parametrize("url", ["unix:///tmp/janus.sock", "unix+dgram:///tmp/janus.sock"])
def test_ssl_on_a_unix_socket_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="Unix sockets never use TLS"):
        JanusTransport.create_transport(url, ssl=ssl.create_default_context())


@pytest.mark.parametrize("url", ["wss://127.0.0.1:9", "https://127.0.0.1:9/janus"])
def test_ssl_on_a_tls_scheme_is_kept(url: str) -> None:
    context = ssl.create_default_context()
    assert JanusTransport.create_transport(url, ssl=context).ssl is context


@pytest.mark.parametrize("bad", [0, -1, True, 2.0, "4"])
@pytest.mark.parametrize(
    "url", ["mqtt://127.0.0.1:9", "unix:///tmp/janus.sock", "unix+dgram:///tmp/janus.sock"]
)
def test_max_in_flight_must_be_a_positive_integer(url: str, bad: object) -> None:
    with pytest.raises(ValueError, match=r"^max_in_flight must be a positive integer or None"):
        JanusTransport.create_transport(url, max_in_flight=bad)


def test_max_in_flight_applies_where_replies_can_be_dropped() -> None:
    mqtt = JanusTransport.create_transport("mqtt://127.0.0.1:9", max_in_flight=7)
    assert isinstance(mqtt, JanusTransportMQTT) and mqtt.max_in_flight == 7
    dgram = JanusTransport.create_transport("unix+dgram:///tmp/j.sock", max_in_flight=3)
    assert isinstance(dgram, JanusTransportUnix) and dgram.max_in_flight == 3
    # A SEQPACKET socket never drops a reply: the limit is checked, then not used.
    stream = JanusTransport.create_transport("unix:///tmp/j.sock", max_in_flight=3)
    assert isinstance(stream, JanusTransportUnix) and stream.max_in_flight is None
    unlimited = JanusTransport.create_transport("mqtt://127.0.0.1:9", max_in_flight=None)
    assert isinstance(unlimited, JanusTransportMQTT) and unlimited.max_in_flight is None
