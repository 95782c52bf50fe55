"""MQTT transport: ``mqtt://host:port`` and ``mqtts://host:port`` (extra ``mqtt``).

Janus' MQTT transport subscribes to one request topic (``to-janus``) and
publishes on one reply topic (``from-janus``) for every client of the broker.

* **MQTT 5** (the default here): every request carries a *response topic*
  private to this transport (``<reply_topic>/<client id>``) and its transaction
  as *correlation data*; a Janus configured with ``mqtt_version = "5"`` sends the
  reply, the ack and the request's events there, so clients sharing a broker do
  not see each other's traffic. Events without a transaction (``webrtcup``,
  ``hangup``, ...) still come on the shared reply topic and are filtered.
* **MQTT 3.1.1**: everything comes on the shared reply topic; replies are
  matched by their (random, per-transport) transaction id and events by their
  session, and the rest is dropped.

Recommended for low latency (see the transports guide): mosquitto with
``set_tcp_nodelay true`` and the client publishing at QoS 0 (the default);
Janus' own QoS left at 1.

The MQTT client is `aiomqtt <https://pypi.org/project/aiomqtt/>`_ (on paho-mqtt),
imported only when a transport is created.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl as _ssl
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from .._dispatch import cancel_and_wait
from ..config import ReconnectPolicy, Timeouts
from ..errors import ConnectError, ConnectionClosedError
from ..protocol import url_without_password
from ._inflight import InFlightLimit
from ._probe import BrokerProbe
from .base import JanusTransport

if TYPE_CHECKING:
    import aiomqtt

__all__ = ["JanusTransportMQTT", "MQTT_VERSIONS"]

logger = logging.getLogger("janus_client")

#: The MQTT protocol versions accepted by ``mqtt_version``.
MQTT_VERSIONS = ("3.1.1", "5")

_DEFAULT_TOPICS = {False: ("to-janus", "from-janus"), True: ("to-janus-admin", "from-janus-admin")}
_QUERY_OPTIONS = ("request_topic", "reply_topic", "client_id", "qos", "mqtt_version", "admin")


def import_extra(module: str, extra: str, scheme: str) -> Any:
    """Import an optional dependency, or say which extra provides it.

    Raises:
        ImportError: The module is missing; the message names the extra.
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"the {scheme}:// transport needs {module}: pip install 'janus-client[{extra}]'"
        ) from exc


def url_options(url: str, names: tuple[str, ...]) -> dict[str, str]:
    """Return the options given in ``url``'s query string (last value wins).

    Raises:
        ValueError: An option is not one of ``names``.
    """
    found: dict[str, str] = {}
    for key, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items():
        if key not in names:
            raise ValueError(
                f"unknown option {key!r} in {url_without_password(url)!r}; "
                f"known options: {', '.join(names)}"
            )
        found[key] = values[-1]
    return found


def _truthy(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{name} must be a boolean, got {value!r}")


@JanusTransport._register_builtin
class JanusTransportMQTT(InFlightLimit, BrokerProbe, JanusTransport):
    """Janus through an MQTT broker (``mqtt://`` or ``mqtts://``), extra ``mqtt``.

    Options may also be given in the URL's query string, e.g.
    ``mqtt://127.0.0.1:1883?request_topic=janus1/in&mqtt_version=3.1.1``;
    keyword arguments win over the URL. User name and password come from the
    URL (``mqtt://user:pass@host``).

    Args:
        base_url: ``mqtt://host:port`` (default port 1883) or ``mqtts://host:port``
            (default 8883).
        api_secret: Default ``apisecret`` for its sessions.
        token: Default ``token`` for its sessions.
        timeouts: Deadlines; see `Timeouts`.
        ssl: TLS context for ``mqtts://`` (default: system trust).
        reconnect: Reconnect to the broker after a drop (`ReconnectPolicy`);
            sessions are reclaimed (Janus keeps them while its own MQTT client
            stays up).
        request_topic: Topic Janus subscribes to (its ``subscribe_topic``).
            Default ``to-janus``, or ``to-janus-admin`` with ``admin``.
        reply_topic: Topic Janus publishes on (its ``publish_topic``). Default
            ``from-janus``, or ``from-janus-admin`` with ``admin``.
        client_id: MQTT client identifier; default a unique ``janus-client-…``.
            Two clients on one broker must not share it.
        qos: QoS of the requests this client publishes and of its subscriptions
            (0, 1 or 2). Default 0: QoS 1 adds a delayed-ACK round trip
            (40 ms or more per request on Linux).
        mqtt_version: ``"5"`` (default; private response topic and correlation
            data) or ``"3.1.1"`` (shared reply topic, filtered).
        admin: Use the Admin API topics by default (`JanusAdminMonitorClient`
            sets it).
        max_in_flight: How many requests may wait for their reply at once
            (default 32; None for no limit). Janus' MQTT client buffers at most
            100 outgoing messages and drops the rest ("Can't publish ... return
            code: -12" in its log), so a larger burst would lose replies.
            Further calls wait for a free slot within their own deadline.

    Raises:
        ValueError: An option is invalid or unknown.
        ImportError: aiomqtt is not installed (``pip install 'janus-client[mqtt]'``).
    """

    schemes = ("mqtt", "mqtts")

    def __init__(
        self,
        base_url: str,
        api_secret: str | None = None,
        token: str | None = None,
        *,
        timeouts: Timeouts | None = None,
        ssl: _ssl.SSLContext | None = None,
        reconnect: ReconnectPolicy | None = None,
        request_topic: str | None = None,
        reply_topic: str | None = None,
        client_id: str | None = None,
        qos: int | None = None,
        mqtt_version: str | None = None,
        admin: bool | None = None,
        max_in_flight: int | None = 32,
    ) -> None:
        parts = urlsplit(base_url)
        scheme = parts.scheme.lower()
        shown = url_without_password(base_url)  # what logs and errors show
        super().__init__(
            shown, api_secret, token, timeouts=timeouts, ssl=ssl, reconnect=reconnect
        )
        self._mqtt: Any = import_extra("aiomqtt", "mqtt", scheme)
        query = url_options(base_url, _QUERY_OPTIONS)
        is_admin = _truthy("admin", admin if admin is not None else query.get("admin", False))
        topics = _DEFAULT_TOPICS[is_admin]
        self.request_topic = request_topic or query.get("request_topic") or topics[0]
        self.reply_topic = reply_topic or query.get("reply_topic") or topics[1]
        for name in ("request_topic", "reply_topic"):
            value = getattr(self, name)
            if not isinstance(value, str) or any(c in value for c in "+#\0"):
                raise ValueError(f"{name} must be a topic name without wildcards, got {value!r}")
        self.client_id = client_id or query.get("client_id") or f"janus-client-{uuid.uuid4().hex}"
        raw_qos: object = qos if qos is not None else query.get("qos", 0)
        try:
            self.qos = int(str(raw_qos))
        except ValueError:
            self.qos = -1
        if isinstance(raw_qos, bool) or self.qos not in (0, 1, 2):
            raise ValueError(f"qos must be 0, 1 or 2, got {raw_qos!r}")
        version = mqtt_version or query.get("mqtt_version") or "5"
        if version in ("5.0", "v5"):
            version = "5"
        if version not in MQTT_VERSIONS:
            raise ValueError(f"mqtt_version must be one of {MQTT_VERSIONS}, got {version!r}")
        self.mqtt_version = version
        #: The private response topic (MQTT 5 only).
        self.response_topic: str | None = (
            f"{self.reply_topic}/{self.client_id}" if version == "5" else None
        )
        if parts.hostname is None:
            raise ValueError(f"{shown!r} names no broker host")
        self.host = parts.hostname
        self.port = parts.port or (8883 if scheme == "mqtts" else 1883)
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._tls = scheme == "mqtts"
        self._client: aiomqtt.Client | None = None
        self._properties: tuple[Any, Any] = (None, None)
        self._reader: asyncio.Task[None] | None = None
        self._probing = None
        self._limit_in_flight(max_in_flight)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.host}:{self.port} MQTT {self.mqtt_version} "
            f"{self.request_topic!r} -> {self.reply_topic!r}>"
        )

    async def _open(self) -> None:
        mqtt = self._mqtt
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        version = mqtt.ProtocolVersion.V5 if self.mqtt_version == "5" else mqtt.ProtocolVersion.V311
        tls = None
        if self._tls:
            tls = self.ssl if self.ssl is not None else _ssl.create_default_context()
        client = mqtt.Client(
            self.host,
            self.port,
            username=self._username,
            password=self._password,
            identifier=self.client_id,
            protocol=version,
            timeout=self.timeouts.connect,
            keepalive=max(int(self.timeouts.keepalive), 5),
            tls_context=tls,
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
            logger=logging.getLogger("janus_client.mqtt"),
        )
        try:
            await client.__aenter__()
        except (mqtt.MqttError, OSError) as exc:
            raise ConnectError(
                f"could not connect to the MQTT broker {self.host}:{self.port}: {exc}",
                url=self.base_url,
            ) from exc
        try:
            topics = [(self.reply_topic, self.qos)]
            if self.response_topic is not None:
                topics.append((self.response_topic, self.qos))
            await client.subscribe(topics, timeout=self.timeouts.connect)
        except (mqtt.MqttError, OSError) as exc:
            with contextlib.suppress(Exception):
                await client.__aexit__(None, None, None)
            raise ConnectError(
                f"could not subscribe to {self.reply_topic!r} on {self.host}:{self.port}: {exc}",
                url=self.base_url,
            ) from exc
        self._client = client
        self._properties = (Properties, PacketTypes)
        self._reader = asyncio.get_running_loop().create_task(
            self._read_loop(client), name=f"janus-mqtt-reader-{self.client_id}"
        )
        try:
            await self._probe_janus()
        except ConnectError:
            await self._close_connection()
            raise

    async def _read_loop(self, client: aiomqtt.Client) -> None:
        reason = "the broker closed the connection"
        try:
            async for message in client.messages:
                payload = message.payload
                if isinstance(payload, (bytes, bytearray, str)):
                    if self._probing is not None:
                        self._probe_reply(payload)
                    self._receive(payload)
        except self._mqtt.MqttError as exc:
            reason = f"connection lost ({exc})"
        self._connection_failed(
            ConnectionClosedError(
                f"MQTT broker {self.host}:{self.port}: {reason}", url=self.base_url
            )
        )

    async def _publish(
        self, payload: str | bytes, correlation: str | None, *, probing: bool = False
    ) -> None:
        client = self._client
        if client is None or not (self._connected or probing):
            raise ConnectionClosedError(
                f"MQTT broker {self.host}:{self.port} is not connected", url=self.base_url
            )
        properties = None
        if self.response_topic is not None:
            props_cls, packet_types = self._properties
            properties = props_cls(packet_types.PUBLISH)
            properties.ResponseTopic = self.response_topic
            if correlation is not None:
                properties.CorrelationData = correlation.encode()
        try:
            await client.publish(self.request_topic, payload, qos=self.qos, properties=properties)
        except self._mqtt.MqttError as exc:
            raise ConnectionClosedError(
                f"MQTT broker {self.host}:{self.port} failed while publishing: {exc}",
                url=self.base_url,
            ) from None

    def _probe_where(self) -> str:
        return f"the MQTT topic {self.request_topic!r} of {self.host}:{self.port}"

    async def _close_connection(self) -> None:
        self._probing = None
        client, self._client = self._client, None
        reader, self._reader = self._reader, None
        if reader is not None and reader is not asyncio.current_task():
            await cancel_and_wait(reader)
        if client is not None:
            try:
                await asyncio.wait_for(client.__aexit__(None, None, None), self.timeouts.close)
            except Exception:
                logger.debug("closing the MQTT connection to %s failed", self.host, exc_info=True)
