"""RabbitMQ (AMQP 0-9-1) transport: ``amqp://user:pass@host:port/vhost`` (extra ``rabbitmq``).

Janus' RabbitMQ transport consumes requests from one queue (``to_janus``) and
publishes every reply and event with one routing key (``from_janus``). It
copies a request's ``correlation_id`` onto its synchronous reply but ignores
``reply_to``: there is no private reply queue on the Janus side. So:

* With ``exchange`` set to Janus' ``janus_exchange`` (recommended when several
  clients share a broker), each transport declares a private, exclusive,
  auto-deleted queue bound to that exchange with the ``from_janus`` routing key:
  every client gets a copy of Janus' output and keeps only its own (replies by
  transaction, events by session).
* Without ``exchange`` (Janus' default exchange), the transport consumes the
  ``from_janus`` queue itself: only one client per queue, as RabbitMQ hands each
  message to one consumer.

The AMQP client is `aio-pika <https://pypi.org/project/aio-pika/>`_ (on aiormq),
imported only when a transport is created.
"""

from __future__ import annotations

import asyncio
import logging
import ssl as _ssl
import uuid
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from ..config import ReconnectPolicy, Timeouts
from ..errors import ConnectError, ConnectionClosedError
from ..protocol import url_without_password
from ._probe import BrokerProbe
from .base import JanusTransport
from .mqtt import _truthy, import_extra, url_options

__all__ = ["JanusTransportAMQP"]

logger = logging.getLogger("janus_client")

_DEFAULT_QUEUES = {False: ("to-janus", "from-janus"), True: ("to-janus-admin", "from-janus-admin")}
_QUERY_OPTIONS = ("to_janus", "from_janus", "exchange", "reply_queue", "admin")


@JanusTransport._register_builtin
class JanusTransportAMQP(BrokerProbe, JanusTransport):
    """Janus through a RabbitMQ broker (``amqp://`` or ``amqps://``), extra ``rabbitmq``.

    Options may also be given in the URL's query string, e.g.
    ``amqp://guest:guest@127.0.0.1:5672/?exchange=janus-exchange``; keyword
    arguments win over the URL.

    Args:
        base_url: ``amqp://user:pass@host:port/vhost`` (default port 5672, vhost
            ``/``) or ``amqps://`` (default port 5671).
        api_secret: Default ``apisecret`` for its sessions.
        token: Default ``token`` for its sessions.
        timeouts: Deadlines; see `Timeouts`.
        ssl: TLS context for ``amqps://`` (default: system trust).
        reconnect: Reconnect to the broker after a drop (`ReconnectPolicy`);
            sessions are reclaimed.
        to_janus: The queue Janus consumes (its ``to_janus``). Default
            ``to-janus``, or ``to-janus-admin`` with ``admin``.
        from_janus: The routing key (and, without ``exchange``, the queue) of
            Janus' output (its ``from_janus``). Default ``from-janus``, or
            ``from-janus-admin`` with ``admin``.
        exchange: Janus' ``janus_exchange``; when set, a private reply queue is
            bound to it (see the module text).
        reply_queue: Name of the private reply queue (default: a unique
            ``janus-client-…`` name); only with ``exchange``.
        admin: Use the Admin API queues by default (`JanusAdminMonitorClient`
            sets it).

    Raises:
        ValueError: An option is invalid or unknown.
        ImportError: aio-pika is not installed (``pip install 'janus-client[rabbitmq]'``).
    """

    schemes = ("amqp", "amqps")

    def __init__(
        self,
        base_url: str,
        api_secret: str | None = None,
        token: str | None = None,
        *,
        timeouts: Timeouts | None = None,
        ssl: _ssl.SSLContext | None = None,
        reconnect: ReconnectPolicy | None = None,
        to_janus: str | None = None,
        from_janus: str | None = None,
        exchange: str | None = None,
        reply_queue: str | None = None,
        admin: bool | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        scheme = parts.scheme.lower()
        shown = url_without_password(base_url)  # what logs and errors show
        super().__init__(
            shown, api_secret, token, timeouts=timeouts, ssl=ssl, reconnect=reconnect
        )
        self._connect_url = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
        self._pika: Any = import_extra("aio_pika", "rabbitmq", scheme)
        query = url_options(base_url, _QUERY_OPTIONS)
        is_admin = _truthy("admin", admin if admin is not None else query.get("admin", False))
        queues = _DEFAULT_QUEUES[is_admin]
        self.to_janus = to_janus or query.get("to_janus") or queues[0]
        self.from_janus = from_janus or query.get("from_janus") or queues[1]
        self.exchange = exchange or query.get("exchange") or None
        given_queue = reply_queue or query.get("reply_queue")
        if given_queue and self.exchange is None:
            raise ValueError(
                "reply_queue needs exchange= (Janus' janus_exchange): without it Janus "
                f"publishes to the {self.from_janus!r} queue only"
            )
        #: The queue this transport consumes.
        self.reply_queue = (
            (given_queue or f"janus-client-{uuid.uuid4().hex}")
            if self.exchange is not None
            else self.from_janus
        )
        if parts.hostname is None:
            raise ValueError(f"{shown!r} names no broker host")
        self.host = parts.hostname
        self.port = parts.port or (5671 if scheme == "amqps" else 5672)
        self.vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
        self._tls = scheme == "amqps"
        self._connection: Any = None
        self._channel: Any = None
        self._probing = None

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.host}:{self.port} vhost {self.vhost!r} "
            f"{self.to_janus!r} -> {self.reply_queue!r}>"
        )

    def _pika_url(self) -> str:
        return self._connect_url

    async def _open(self) -> None:
        pika = self._pika
        kwargs: dict[str, Any] = {"timeout": self.timeouts.connect}
        if self._tls:
            kwargs["ssl_context"] = (
                self.ssl if self.ssl is not None else _ssl.create_default_context()
            )
        connection = None
        try:
            connection = await asyncio.wait_for(
                pika.connect(self._pika_url(), **kwargs), self.timeouts.connect
            )
            channel = await connection.channel(publisher_confirms=False)
            if self.exchange is not None:
                queue = await channel.declare_queue(
                    self.reply_queue, exclusive=True, auto_delete=True
                )
                await queue.bind(self.exchange, routing_key=self.from_janus)
            else:
                queue = await channel.declare_queue(self.reply_queue, passive=True)
            await queue.consume(self._on_message, no_ack=True, exclusive=self.exchange is None)
        except (asyncio.TimeoutError, OSError, pika.exceptions.AMQPError) as exc:
            if connection is not None:
                await self._close_quietly(connection)
            hint = ""
            if isinstance(exc, pika.exceptions.ChannelNotFoundEntity):
                hint = " (is Janus' RabbitMQ transport up, with these queue/exchange names?)"
            elif "ACCESS_REFUSED" in str(exc) or "RESOURCE_LOCKED" in str(exc):
                hint = " (another client consumes that queue: set exchange= to share a broker)"
            raise ConnectError(
                f"could not connect to RabbitMQ at {self.host}:{self.port} vhost "
                f"{self.vhost!r}: {exc or type(exc).__name__}{hint}",
                url=self.base_url,
            ) from exc
        connection.close_callbacks.add(self._on_close)
        self._connection = connection
        self._channel = channel
        try:
            await self._probe_janus()
        except ConnectError:
            await self._close_connection()
            raise

    async def _on_message(self, message: Any) -> None:
        if self._probing is not None:
            self._probe_reply(message.body)
        self._receive(message.body)

    def _on_close(self, _sender: Any, exc: BaseException | None) -> None:
        if self._connection is None:
            return  # closed by us
        self._connection_failed(
            ConnectionClosedError(
                f"RabbitMQ at {self.host}:{self.port}: connection lost ({exc})",
                url=self.base_url,
            )
        )

    async def _publish(
        self, payload: str | bytes, correlation: str | None, *, probing: bool = False
    ) -> None:
        channel = self._channel
        if channel is None or not (self._connected or probing):
            raise ConnectionClosedError(
                f"RabbitMQ at {self.host}:{self.port} is not connected", url=self.base_url
            )
        pika = self._pika
        message = pika.Message(
            payload.encode() if isinstance(payload, str) else payload,
            correlation_id=correlation,
            reply_to=self.reply_queue if self.exchange is not None else None,
            content_type="application/json",
        )
        try:
            await channel.default_exchange.publish(message, routing_key=self.to_janus)
        except (OSError, pika.exceptions.AMQPError, RuntimeError) as exc:
            raise ConnectionClosedError(
                f"RabbitMQ at {self.host}:{self.port} failed while publishing: {exc}",
                url=self.base_url,
            ) from None

    async def _close_quietly(self, connection: Any) -> None:
        try:
            await asyncio.wait_for(connection.close(), self.timeouts.close)
        except Exception:
            logger.debug("closing the RabbitMQ connection to %s failed", self.host, exc_info=True)

    def _probe_where(self) -> str:
        return f"the RabbitMQ queue {self.to_janus!r} of {self.host}:{self.port}"

    async def _close_connection(self) -> None:
        self._probing = None
        connection, self._connection = self._connection, None
        self._channel = None
        if connection is not None:
            await self._close_quietly(connection)
