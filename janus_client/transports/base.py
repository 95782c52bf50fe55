"""`JanusTransport`: the transport interface, its factory and its 0.9.x API.

A transport is one connection to one Janus endpoint, shared by any number of
sessions. The machinery is split by concept: `janus_client.transports.core`
(the transaction table, routing, requests and the subclass hooks),
`janus_client.transports.reconnect` (one keepalive loop for all sessions,
reconnection) and this module (URL-scheme factory, the janus-client 0.9.x
methods). Sessions are reached only through `SessionLink`.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, cast
from urllib.parse import urlsplit

from .. import protocol as _p
from ..errors import (
    ConnectionClosedError,
    InvalidStateError,
)
from ..message_transaction import MessageTransaction
from ..protocol import redact, url_without_password
from .reconnect import ReconnectingTransport

if TYPE_CHECKING:
    from ..session import JanusSession

__all__ = ["JanusTransport"]

#: URL schemes of the built-in transports, and the module (imported on first use)
#: that implements each.
_BUILTIN_SCHEMES = {
    "ws": "websocket",
    "wss": "websocket",
    "http": "http",
    "https": "http",
    "unix": "unix",
    "unix+dgram": "unix",
    "mqtt": "mqtt",
    "mqtts": "mqtt",
    "amqp": "amqp",
    "amqps": "amqp",
}

logger = logging.getLogger("janus_client")
_debug_enabled = functools.partial(logger.isEnabledFor, logging.DEBUG)



class JanusTransport(ReconnectingTransport):
    """One connection to a Janus API endpoint, shared by many sessions.

    Pick an implementation from the URL with `create_transport`, or instantiate
    `JanusTransportWebsocket` / `JanusTransportHTTP` directly. A transport connects
    on first use; close it with `close` (or ``async with``) when you created it
    yourself. Sessions never close a transport they were given.

    Args:
        base_url: The Janus endpoint (``ws://host:8188``, ``http://host:8088/janus``).
        api_secret: Default ``apisecret`` for sessions that do not set their own.
        token: Default ``token`` for sessions that do not set their own.
        timeouts: Deadlines; see `Timeouts`.
        ssl: An `ssl.SSLContext` for ``wss://`` / ``https://`` (default: system trust).
        reconnect: Reconnect and reclaim sessions when the connection drops (see
            `ReconnectPolicy`); None (the default) fails the sessions instead.
    """

    #: URL schemes this class handles, used by `create_transport`.
    schemes: ClassVar[tuple[str, ...]] = ()
    _registry: ClassVar[dict[str, type[JanusTransport]]] = {}
    _matchers: ClassVar[list[tuple[Callable[[str], bool], type[JanusTransport]]]] = []

    # ----------------------------------------------------------------- factory
    @classmethod
    def register_transport(
        cls,
        protocol_matcher: type[JanusTransport] | Callable[[str], bool] | None = None,
        transport_cls: type[JanusTransport] | None = None,
    ) -> type[JanusTransport]:
        """Register a transport class, by URL scheme or (0.9.x) by matcher function.

        Two forms:

        * ``JanusTransport.register_transport(MyTransport)`` (or as a class
          decorator): the class handles the URL schemes in its ``schemes``.
        * ``JanusTransport.register_transport(protocol_matcher=fn,
          transport_cls=MyTransport)`` (janus-client 0.9.x): ``fn(base_url)``
          returns True for the URLs the class handles. Matchers are consulted
          before the schemes; two matchers accepting the same URL is an error.

        Returns:
            The registered class (so it works as a decorator).

        Raises:
            TypeError: ``transport_cls`` is not a `JanusTransport` subclass, or the
                matcher is not callable.
        """
        if transport_cls is None and isinstance(protocol_matcher, type):
            transport_cls, protocol_matcher = protocol_matcher, None
        if not (isinstance(transport_cls, type) and issubclass(transport_cls, JanusTransport)):
            raise TypeError(
                f"transport_cls must be a JanusTransport subclass, got {transport_cls!r}"
            )
        if protocol_matcher is None:
            for scheme in transport_cls.schemes:
                cls._registry[scheme] = transport_cls
            return transport_cls
        if not callable(protocol_matcher):
            raise TypeError(f"protocol_matcher must be callable, got {protocol_matcher!r}")
        matcher = cast("Callable[[str], bool]", protocol_matcher)
        JanusTransport._matchers.append((matcher, transport_cls))
        return transport_cls

    @classmethod
    def _register_builtin(cls, transport_cls: type[JanusTransport]) -> type[JanusTransport]:
        """Register a built-in transport, unless its schemes were claimed already.

        The built-in modules are imported on first use of their scheme: a class the
        user registered for the same scheme before that keeps it.
        """
        for scheme in transport_cls.schemes:
            cls._registry.setdefault(scheme, transport_cls)
        return transport_cls

    @classmethod
    def create_transport(
        cls,
        base_url: str,
        api_secret: str | None = None,
        token: str | None = None,
        config: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> JanusTransport:
        """Create the transport that handles ``base_url``.

        Transports registered with a ``protocol_matcher`` are tried first, then the
        URL scheme picks a registered class.

        Args:
            base_url: The Janus endpoint.
            api_secret: Default ``apisecret``.
            token: Default ``token``.
            config: Extra constructor arguments (the 0.9.x form of ``**kwargs``).
            **kwargs: Constructor arguments of the transport class.

        Raises:
            ValueError: Nothing handles the URL (the message starts with 0.9.x's
                ``No protocol matched``), or two matchers accept it (``Matched to
                more than 1 protocol``).
        """
        if not isinstance(base_url, str):
            raise ValueError(
                f"No protocol matched: base_url must be a URL string, got {base_url!r}"
            )
        if config:
            kwargs = {**config, **kwargs}
        matched = [tc for matcher, tc in JanusTransport._matchers if matcher(base_url)]
        if len(matched) > 1:
            names = ", ".join(tc.__name__ for tc in matched)
            raise ValueError(
                f"Matched to more than 1 protocol: {url_without_password(base_url)!r} "
                f"matches {names}"
            )
        if matched:
            return matched[0](base_url=base_url, api_secret=api_secret, token=token, **kwargs)
        scheme = urlsplit(base_url).scheme.lower()
        transport_cls = cls._registry.get(scheme)
        if transport_cls is None and scheme in _BUILTIN_SCHEMES:
            # Built-in transports are imported on first use of their scheme, so that
            # a WebSocket user never loads aiohttp (nor a broker client).
            importlib.import_module(f"{__package__}.{_BUILTIN_SCHEMES[scheme]}")
            transport_cls = cls._registry.get(scheme)
        if transport_cls is None:
            accepted = ", ".join(sorted({*cls._registry, *_BUILTIN_SCHEMES}))
            raise ValueError(
                f"No protocol matched: unsupported URL scheme {scheme!r} in "
                f"{url_without_password(base_url)!r}; "
                f"accepted schemes: {accepted}"
            )
        return transport_cls(base_url, api_secret, token, **kwargs)

    async def __aenter__(self) -> JanusTransport:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _session_added(self, session_id: int) -> None:
        """Hook: a session now lives on this transport.

        The default runs the 0.9.x hook `dispatch_session_created` (in a task) when
        a subclass overrides it.
        """
        if type(self).dispatch_session_created is not JanusTransport.dispatch_session_created:
            self._run_09x_hook(self.dispatch_session_created(session_id))

    def _session_removed(self, session_id: int) -> None:
        """Hook: a session left this transport (HTTP stops its long-poll).

        The default runs the 0.9.x hook `dispatch_session_destroyed` (in a task)
        when a subclass overrides it.
        """
        if type(self).dispatch_session_destroyed is not JanusTransport.dispatch_session_destroyed:
            self._run_09x_hook(self.dispatch_session_destroyed(session_id))

    def _run_09x_hook(self, coro: Coroutine[Any, Any, None]) -> None:
        hooks: set[asyncio.Task[None]] = self.__dict__.setdefault("_hook_tasks", set())
        task = asyncio.get_running_loop().create_task(coro, name="janus-transport-hook")
        hooks.add(task)

        def done(task: asyncio.Task[None]) -> None:
            hooks.discard(task)
            if not task.cancelled() and task.exception() is not None:
                logger.error(
                    "%s hook failed: %r", type(self).__name__, task.exception()
                )

        task.add_done_callback(done)

    async def _wait_09x_hooks(self) -> None:
        hooks: set[asyncio.Task[None]] = self.__dict__.get("_hook_tasks", set())
        if hooks:
            await asyncio.wait(set(hooks))

    # ------------------------------------------------------------ 0.9.x API
    async def disconnect(self) -> None:
        """Close the connection; `connect` (or the next call) opens it again (0.9.x).

        Unlike `close`, the transport stays usable. Pending calls fail with
        `ConnectionClosedError` and the sessions on it are lost, as with a drop.
        Idempotent.
        """
        if self._closed or (not self._connected and self._reconnect_task is None):
            return
        async with self._connect_lock:
            await self._shutdown(
                ConnectionClosedError(
                    f"transport to {self.base_url} was disconnected", url=self.base_url
                )
            )
            logger.debug("disconnected from %s", self.base_url)

    async def info(self) -> dict[str, Any]:
        """Return the server's ``info`` reply (``{"janus": "server_info", ...}``), as in 0.9.x.

        Raises:
            ServerError: Janus refused the request.
            RequestTimeoutError: No reply within ``timeouts.request``.
        """
        message = _p.info(self.new_transaction())
        self._stamp_credentials(message)
        return (await self.request(message)).body

    async def ping(self) -> dict[str, Any]:
        """Send ``ping`` and return Janus' ``{"janus": "pong", ...}`` reply (0.9.x).

        Raises:
            RequestTimeoutError: No ``pong`` within ``timeouts.request``.
        """
        message = _p.ping(self.new_transaction())
        self._stamp_credentials(message)
        return (await self.request(message)).body

    def _stamp_credentials(self, message: dict[str, Any]) -> None:
        if self.api_secret is not None:
            message.setdefault("apisecret", self.api_secret)
        if self.token is not None:
            message.setdefault("token", self.token)

    async def send(
        self,
        message: dict[str, Any],
        session_id: int | None = None,
        handle_id: int | None = None,
    ) -> MessageTransaction:
        """Send a raw Janus message and return its `MessageTransaction` (0.9.x API).

        The message is completed in place: a fresh ``transaction`` (one already set
        is replaced, as in 0.9.x), the credentials and the ids. Every message Janus
        sends back with that transaction goes to the returned object (not to the
        session's events) until its `MessageTransaction.done` is called.

        Args:
            message: A Janus request with its ``janus`` field.
            session_id: Sent as ``session_id``.
            handle_id: Sent as ``handle_id``.

        Returns:
            The transaction: ``await tx.get(matcher)``, then ``await tx.done()``.

        Raises:
            ValueError: ``message`` has no ``janus`` field (``Must set "janus" field``).
            TransportError: The message could not be sent.
        """
        if not isinstance(message, dict) or "janus" not in message:
            raise ValueError('Must set "janus" field in the message (a dict)')
        if "transaction" in message:
            logger.debug("send(): replacing the transaction set by the caller")
        tid = self.new_transaction()
        message["transaction"] = tid
        self._stamp_credentials(message)
        if session_id is not None:
            message["session_id"] = session_id
        if handle_id is not None:
            message["handle_id"] = handle_id
        message_transaction = MessageTransaction(tid)

        def release() -> None:
            if self._message_transactions.get(tid) is message_transaction:
                del self._message_transactions[tid]

        message_transaction._release = release
        if not self._connected or self._reconnecting is not None:
            if self._reconnecting is not None:
                await self._wait_reconnected(self.timeouts.request)
            if not self._connected:
                await self.connect()
        self._message_transactions[tid] = message_transaction
        if _debug_enabled():
            logger.debug("send %s", redact(message))
        try:
            await self._send(message)
        except BaseException:
            release()
            raise
        return message_transaction

    async def receive(self, response: dict[str, Any]) -> None:
        """Feed one message received from Janus (0.9.x transports call it from their reader).

        The message is matched to its transaction first, then routed to its
        session and handle. Bad messages are logged and dropped; this never raises.
        """
        self._receive_message(response)

    async def create_session(self, session: JanusSession) -> int:
        """Create ``session`` on the server over this transport and return its id (0.9.x).

        Then runs the `dispatch_session_created` hook.

        Raises:
            ServerError: Janus refused (the message starts with 0.9.x's ``Create
                session fail: {...}``).
            InvalidStateError: ``session`` uses another transport.
        """
        if session.transport is not self:
            raise InvalidStateError("create_session: the session uses another transport")
        session_id = await session.create()
        await self._wait_09x_hooks()  # dispatch_session_created ran
        return session_id

    async def destroy_session(self, session_id: int) -> None:
        """Stop routing ``session_id`` here, run `dispatch_session_destroyed` (0.9.x).

        As in 0.9.x, the connection is released (`disconnect`) when it was the
        last session. It does not send ``destroy``: `JanusSession.destroy` does.
        """
        if session_id in self._sessions:
            self.remove_session(session_id)  # runs dispatch_session_destroyed
            await self._wait_09x_hooks()
        else:
            logger.debug("destroy_session: session %s is not on this transport", session_id)
            await self.dispatch_session_destroyed(session_id)
        if not self._sessions:
            await self.disconnect()

    async def dispatch_session_created(self, session_id: int) -> None:
        """0.9.x hook: a session was created on this transport. Default: nothing.

        Runs (in a task) whenever a session starts using the transport; 0.9.x
        transports start their per-session receiving there (HTTP long-poll).
        """

    async def dispatch_session_destroyed(self, session_id: int) -> None:
        """0.9.x hook: a session left this transport. Default: nothing."""

