"""Receive the events of Janus' event handlers: one async iterator for four sources.

* `HttpEventSource`: an aiohttp server for the HTTP handler (``sampleevh``),
  with optional basic auth and compressed bodies.
* `WebSocketEventSource`: a WebSocket server that Janus' ``wsevh`` connects to
  (subprotocol ``janus-event-handlers``).
* `MqttEventSource`: an MQTT subscriber for ``mqttevh`` (needs the ``mqtt``
  extra, aiomqtt).
* `RabbitMQEventSource`: an AMQP consumer for ``rabbitmqevh`` (needs the
  ``rabbitmq`` extra, aio-pika).

A `JanusEventReceiver` owns any number of sources, unpacks grouped arrays,
types each event (see `janus_client.observe.events`) and hands them to its
async iterator and to synchronous listeners (such as `LiveView`). Malformed
input is counted and dropped; it never stops a source.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from aiohttp import WSMsgType, web

from .._lifecycle import AsyncContext
from .._serve import serve_app
from .events import (
    MASK_NAMES,
    EventType,
    MalformedEventError,
    ServerEvent,
    decode_payload,
    parse_events,
)

__all__ = [
    "EventSource",
    "HttpEventSource",
    "JanusEventReceiver",
    "MqttEventSource",
    "RabbitMQEventSource",
    "ReceiverStats",
    "WebSocketEventSource",
    "source_from_url",
]

logger = logging.getLogger("janus_client.observe")

#: The WebSocket subprotocol Janus' wsevh asks for by default.
WSEVH_SUBPROTOCOL = "janus-event-handlers"

Listener = Callable[[ServerEvent], object]


@contextlib.contextmanager
def _extra_needed(user: str, package: str, extra: str) -> Iterator[None]:
    """Turn the ImportError of an optional dependency into the install hint."""
    try:
        yield
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"{user} needs {package}: pip install 'janus-client[{extra}]'") from exc


@dataclass
class ReceiverStats:
    """Counters of a `JanusEventReceiver` (live, not a snapshot).

    Attributes:
        messages: Messages (HTTP bodies, WebSocket/MQTT/AMQP messages) received.
        grouped: Messages that were arrays of events (``grouping = true``).
        events: Events parsed and delivered.
        malformed: Messages or array items that were not events (dropped).
        dropped: Events dropped because the iterator's queue was full.
        rejected: HTTP requests refused (bad credentials, wrong method).
        by_type: Events delivered, by type label (``"webrtc"``, ``"unknown"``, ...).
    """

    messages: int = 0
    grouped: int = 0
    events: int = 0
    malformed: int = 0
    dropped: int = 0
    rejected: int = 0

    def __post_init__(self) -> None:
        self.by_type: dict[str, int] = {}


_TYPE_LABELS = {t.value: t.label for t in EventType}
_CLOSED = object()


class EventSource(ABC):
    """Where events come from; owned and started by a `JanusEventReceiver`."""

    _receiver: JanusEventReceiver | None = None

    @property
    @abstractmethod
    def url(self) -> str:
        """The address Janus must be configured with (or the broker address)."""

    @abstractmethod
    async def _start(self) -> None:
        """Start listening (bind, connect, subscribe)."""

    @abstractmethod
    async def _stop(self) -> None:
        """Stop listening and release everything."""

    def _deliver(self, payload: Any, *, decoded: bool = False) -> None:
        receiver = self._receiver
        if receiver is not None:
            receiver.feed(payload, decoded=decoded)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"


class _AiohttpSource(EventSource):
    """An aiohttp server bound to one loopback-or-any address."""

    def __init__(self, host: str, port: int, path: str) -> None:
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be 0..65535, got {port}")
        self.host = host
        self.port = port
        self.path = path
        self._runner: web.AppRunner | None = None

    def _app(self) -> web.Application:  # pragma: no cover - overridden
        raise NotImplementedError

    async def _start(self) -> None:
        self._runner, self.port = await serve_app(self._app(), self.host, self.port)

    async def _stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()


class HttpEventSource(_AiohttpSource):
    """An HTTP server for Janus' HTTP event handler (``janus.eventhandler.sampleevh``).

    Configure Janus with ``backend = source.url`` (and ``backend_user`` /
    ``backend_pwd`` if you set ``username`` / ``password``). Bodies may be
    plain or compressed (``compress = true``); every POST gets ``200``.

    Args:
        host: Address to listen on.
        port: Port (0 picks a free one; read `url` after the receiver started).
        path: The path Janus posts to.
        username: Require HTTP basic auth with this user.
        password: The basic auth password.
        max_body: Largest body accepted, in bytes.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/",
        *,
        username: str | None = None,
        password: str | None = None,
        max_body: int = 16 * 1024 * 1024,
    ) -> None:
        super().__init__(host, port, path)
        if (username is None) != (password is None):
            raise ValueError("username and password go together")
        self._auth: bytes | None = None
        if username is not None and password is not None:
            self._auth = b"Basic " + base64.b64encode(f"{username}:{password}".encode())
        self._max_body = max_body

    @property
    def url(self) -> str:
        """``http://host:port/path`` (without credentials)."""
        return f"http://{self.host}:{self.port}{self.path}"

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=self._max_body)
        app.router.add_route("*", self.path, self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        receiver = self._receiver
        if self._auth is not None:
            given = request.headers.get("Authorization", "").encode("latin-1", "replace")
            if not hmac.compare_digest(given, self._auth):
                if receiver is not None:
                    receiver.stats.rejected += 1
                return web.Response(
                    status=401, headers={"WWW-Authenticate": 'Basic realm="janus-events"'}
                )
        if request.method != "POST":
            if receiver is not None:
                receiver.stats.rejected += 1
            return web.Response(status=405)
        try:
            body = await request.read()
        except (web.HTTPException, ValueError, OSError) as exc:
            logger.info("event body could not be read: %s", type(exc).__name__)
            if receiver is not None:
                receiver.stats.malformed += 1
            return web.Response(status=400)
        self._deliver(body)
        return web.Response(text="ok")


class WebSocketEventSource(_AiohttpSource):
    """A WebSocket server for Janus' WebSockets event handler (``wsevh``).

    Janus connects to it (``backend = source.url``) and asks for the
    subprotocol ``janus-event-handlers``; each text message is one event or
    an array of them.

    Args:
        host: Address to listen on.
        port: Port (0 picks a free one).
        path: The path Janus connects to.
        subprotocols: Subprotocols accepted.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/",
        *,
        subprotocols: Iterable[str] = (WSEVH_SUBPROTOCOL,),
    ) -> None:
        super().__init__(host, port, path)
        self._protocols = tuple(subprotocols)
        self._sockets: set[web.WebSocketResponse] = set()

    @property
    def url(self) -> str:
        """``ws://host:port/path``."""
        return f"ws://{self.host}:{self.port}{self.path}"

    @property
    def connections(self) -> int:
        """How many event handlers are connected now."""
        return len(self._sockets)

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get(self.path, self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(protocols=self._protocols, max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            async for msg in ws:
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    self._deliver(msg.data)
                elif msg.type is WSMsgType.ERROR:
                    break
        finally:
            self._sockets.discard(ws)
        return ws

    async def _stop(self) -> None:
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close()
        await super()._stop()


class MqttEventSource(EventSource):
    """An MQTT subscriber for Janus' MQTT event handler (``mqttevh``).

    Subscribes to ``topic`` and ``topic/#`` (``addevent = true`` appends the
    event kind to the topic). The handler's ``status`` messages are ignored.
    Needs ``pip install 'janus-client[mqtt]'`` (aiomqtt).

    Args:
        host: Broker address.
        port: Broker port.
        topic: The handler's ``topic`` setting.
        username: Broker user, if needed.
        password: Broker password.
        client_id: MQTT client id (default: chosen by the library).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 1883,
        topic: str = "/janus/events",
        *,
        username: str | None = None,
        password: str | None = None,
        client_id: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.topic = topic.rstrip("/") or "/"
        self._username = username
        self._password = password
        self._client_id = client_id
        self._task: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[None] | None = None
        self.reconnect_min = 0.2
        self.reconnect_max = 5.0

    @property
    def url(self) -> str:
        """``mqtt://host:port/topic``."""
        topic = self.topic if self.topic.startswith("/") else "/" + self.topic
        return f"mqtt://{self.host}:{self.port}{topic}"

    async def _start(self) -> None:
        with _extra_needed("MqttEventSource", "aiomqtt", "mqtt"):
            import aiomqtt
        loop = asyncio.get_running_loop()
        self._ready = loop.create_future()

        def make_client() -> Any:
            return aiomqtt.Client(
                self.host,
                self.port,
                username=self._username,
                password=self._password,
                identifier=self._client_id,
            )

        self._task = loop.create_task(self._run(make_client), name=f"janus-events-mqtt-{self.url}")
        try:
            await self._ready
        except BaseException:
            await self._stop()
            raise

    async def _run(self, make_client: Any) -> None:
        ready = self._ready
        assert ready is not None
        import aiomqtt

        delay = self.reconnect_min
        while True:
            try:
                async with make_client() as client:
                    await client.subscribe(self.topic)
                    await client.subscribe(self.topic.rstrip("/") + "/#")
                    if not ready.done():
                        ready.set_result(None)
                    else:
                        logger.info("MQTT event source %s reconnected", self.url)
                    delay = self.reconnect_min
                    status = self.topic.rstrip("/") + "/status"
                    async for message in client.messages:
                        if message.topic.value == status:
                            continue
                        payload = message.payload
                        if isinstance(payload, bytes | bytearray | str):
                            self._deliver(payload)
                        elif self._receiver is not None:
                            self._receiver.stats.malformed += 1
            except asyncio.CancelledError:
                raise
            except (aiomqtt.MqttError, OSError) as exc:
                if not ready.done():
                    ready.set_exception(exc)
                    return
                logger.warning(
                    "MQTT event source %s lost the broker (%s); retrying in %.1f s",
                    self.url,
                    exc,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.reconnect_max)

    async def _stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class RabbitMQEventSource(EventSource):
    """An AMQP consumer for Janus' RabbitMQ event handler (``rabbitmqevh``).

    With no exchange configured Janus publishes to the default exchange with
    ``route_key`` as the queue name; the queue is declared here the way Janus
    declares it (not durable, not exclusive), so either may start first.
    Needs ``pip install 'janus-client[rabbitmq]'`` (aio-pika).

    Args:
        url: ``amqp://user:password@host:port/vhost``.
        queue: The handler's ``route_key`` (``janus-events``).
    """

    def __init__(
        self, url: str = "amqp://guest:guest@127.0.0.1:5672/", queue: str = "janus-events"
    ) -> None:
        self._url = url
        self.queue = queue
        self._connection: Any = None

    @property
    def url(self) -> str:
        """The broker URL, without credentials, and the queue."""
        parts = urlsplit(self._url)
        host = parts.hostname or "127.0.0.1"
        port = f":{parts.port}" if parts.port else ""
        return f"amqp://{host}{port}{parts.path or '/'}?queue={self.queue}"

    async def _start(self) -> None:
        with _extra_needed("RabbitMQEventSource", "aio-pika", "rabbitmq"):
            import aio_pika
        connection = await aio_pika.connect_robust(self._url)
        try:
            channel = await connection.channel()
            queue = await channel.declare_queue(
                self.queue, durable=False, exclusive=False, auto_delete=False
            )
            await queue.consume(self._on_message, no_ack=True)
        except BaseException:
            await connection.close()
            raise
        self._connection = connection

    async def _on_message(self, message: Any) -> None:
        self._deliver(message.body)

    async def _stop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()


def source_from_url(url: str) -> EventSource:
    """Build the source for a ``--listen`` style URL.

    * ``http://[user:pass@]host:port/path``: `HttpEventSource` (basic auth from the userinfo)
    * ``ws://host:port/path``: `WebSocketEventSource`
    * ``mqtt://[user:pass@]host:port/topic``: `MqttEventSource` (default topic ``/janus/events``)
    * ``amqp://user:pass@host:port/vhost?queue=janus-events``: `RabbitMQEventSource`

    Args:
        url: The URL.

    Returns:
        An unstarted source.

    Raises:
        ValueError: On an unsupported scheme or a malformed URL.

    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or "127.0.0.1"
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"bad port in {url!r}") from None
    user = unquote(parts.username) if parts.username is not None else None
    pwd = unquote(parts.password) if parts.password is not None else None
    if scheme == "http":
        return HttpEventSource(
            host, port or 0, parts.path or "/", username=user, password=pwd if user else None
        )
    if scheme == "ws":
        return WebSocketEventSource(host, port or 0, parts.path or "/")
    if scheme == "mqtt":
        topic = parts.path if parts.path not in ("", "/") else "/janus/events"
        return MqttEventSource(host, port or 1883, topic, username=user, password=pwd)
    if scheme in ("amqp", "amqps"):
        queue = parse_qs(parts.query).get("queue", ["janus-events"])[0]
        base = url.split("?", 1)[0]
        return RabbitMQEventSource(base, queue)
    raise ValueError(f"unsupported event source URL scheme {parts.scheme!r} (http, ws, mqtt, amqp)")


def _mask_types(types: Iterable[EventType | int | str] | None) -> frozenset[int] | None:
    if types is None:
        return None
    by_name = {name: t.value for t, name in MASK_NAMES.items()}
    by_name.update({t.label: t.value for t in EventType})
    out: set[int] = set()
    for item in types:
        if isinstance(item, str):
            if item.lower() not in by_name:
                raise ValueError(f"unknown event type {item!r}")
            out.add(by_name[item.lower()])
        else:
            out.add(int(item))
    return frozenset(out)


class JanusEventReceiver(AsyncContext):
    """One async iterator over the events of any number of event-handler sources.

    Example:
        ::

            async with JanusEventReceiver(HttpEventSource(port=7777, path="/evh")) as rx:
                async for event in rx:
                    print(event)

    Listeners (`add_listener`) are called synchronously for every event, in
    order, before it is queued for the iterator; a listener that raises is
    logged and does not stop anything. The iterator's queue is bounded: when
    nobody reads, new events are dropped and counted in `stats`.

    Args:
        *sources: Event sources (or URLs for `source_from_url`).
        types: Only deliver these types (names such as ``"media"`` / ``"plugins"``,
            `EventType` or ints); others are counted and dropped.
        max_queue: Capacity of the iterator's queue.
    """

    def __init__(
        self,
        *sources: EventSource | str,
        types: Iterable[EventType | int | str] | None = None,
        max_queue: int = 10_000,
    ) -> None:
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        self.sources: list[EventSource] = [
            source_from_url(s) if isinstance(s, str) else s for s in sources
        ]
        for source in self.sources:
            if not isinstance(source, EventSource):
                raise TypeError(f"not an EventSource: {source!r}")
        self.stats = ReceiverStats()
        self._types = _mask_types(types)
        self._queue: asyncio.Queue[Any] = asyncio.Queue(max_queue)
        self._listeners: list[Listener] = []
        self._started = False
        self._closed = False

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(event)`` synchronously for every delivered event.

        Args:
            listener: A callable; for example a `LiveView` or `EventMetrics`.

        """
        if not callable(listener):
            raise TypeError(f"listener must be callable, got {listener!r}")
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling ``listener`` (no error if it was not registered)."""
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    @property
    def urls(self) -> list[str]:
        """Each source's URL (actual ports once started)."""
        return [s.url for s in self.sources]

    async def start(self) -> None:
        """Start every source; on a failure the started ones are stopped again."""
        if self._started:
            return
        if self._closed:
            raise RuntimeError("this receiver is closed")
        started: list[EventSource] = []
        try:
            for source in self.sources:
                source._receiver = self
                await source._start()
                started.append(source)
        except BaseException:
            for source in reversed(started):
                with contextlib.suppress(Exception):
                    await source._stop()
            raise
        self._started = True

    async def close(self) -> None:
        """Stop every source and end the iterator (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for source in reversed(self.sources):
            try:
                await source._stop()
            except Exception:
                logger.exception("stopping %r failed", source)
            source._receiver = None
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(_CLOSED)

    def feed(self, payload: Any, *, decoded: bool = False) -> int:
        """Hand one received message to the receiver (what sources call).

        Useful to replay captured events. Never raises on bad input.

        Args:
            payload: The body (str/bytes, possibly compressed), or decoded JSON
                with ``decoded=True``.
            decoded: Whether ``payload`` is already decoded.

        Returns:
            How many events were delivered.

        """
        stats = self.stats
        stats.messages += 1
        if not decoded:
            try:
                payload = decode_payload(payload)
            except MalformedEventError:
                stats.malformed += 1
                return 0
        if isinstance(payload, list):
            stats.grouped += 1
        events, bad = parse_events(payload, decoded=True)
        if bad:
            stats.malformed += bad
        delivered = 0
        mask = self._types
        by_type = stats.by_type
        for event in events:
            if mask is not None and event.type not in mask:
                continue
            label = _TYPE_LABELS.get(event.type, "unknown")
            by_type[label] = by_type.get(label, 0) + 1
            for listener in self._listeners:
                try:
                    listener(event)
                except Exception:
                    logger.exception("event listener %r raised", listener)
            try:
                self._queue.put_nowait(event)
            except asyncio.QueueFull:
                stats.dropped += 1
                continue
            delivered += 1
        stats.events += delivered
        return delivered

    def __aiter__(self) -> AsyncIterator[ServerEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[ServerEvent]:
        while True:
            if self._closed and self._queue.empty():
                return
            item = await self._queue.get()
            if item is _CLOSED:
                return
            yield item

    async def get(self, timeout: float | None = None) -> ServerEvent:
        """Return the next event.

        Args:
            timeout: Seconds to wait (None: forever).

        Raises:
            TimeoutError: No event in time.
            RuntimeError: The receiver is closed and drained.

        """
        if self._closed and self._queue.empty():
            raise RuntimeError("the receiver is closed")
        try:
            item = await asyncio.wait_for(self._queue.get(), timeout)
        except asyncio.TimeoutError:  # not the builtin TimeoutError on Python 3.10
            raise TimeoutError(f"no event within {timeout:g} s") from None
        if item is _CLOSED:
            raise RuntimeError("the receiver is closed")
        return cast(ServerEvent, item)

    def get_nowait(self) -> ServerEvent | None:
        """Return a queued event, or None if there is none."""
        try:
            item = self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None
        return None if item is _CLOSED else item
