"""The broker transports of the test suite and the URLs of the shared Janus serving each.

A module of its own (not conftest.py): tests import it by name, and two
conftest modules would be ambiguous.
"""

from __future__ import annotations

import pytest

#: The transports beyond WebSocket and HTTP, each against a real Janus: pfunix
#: SEQPACKET and DGRAM, MQTT 5 and 3.1.1 (through mosquitto), RabbitMQ.
BROKER_TRANSPORTS = ("unix", "unix+dgram", "mqtt5", "mqtt3", "amqp")


def brokered_urls(request: pytest.FixtureRequest, kind: str) -> tuple[str, str]:
    """The ``(api_url, admin_url)`` of the shared Janus that serves ``kind``."""
    if kind in ("unix+dgram", "mqtt3"):
        server = request.getfixturevalue("janus_brokered_v311")
    else:
        server = request.getfixturevalue("janus_brokered")
    if kind.startswith("unix"):
        return server.unix_url, server.admin_unix_url
    if kind.startswith("mqtt"):
        return server.mqtt_url, server.admin_mqtt_url
    return server.amqp_url, server.admin_amqp_url
