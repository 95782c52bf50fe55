"""`JanusSession`: one Janus session on a (possibly shared) transport."""

from __future__ import annotations

import asyncio
import enum
import logging
import ssl as _ssl
from collections.abc import Callable, Coroutine, Hashable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, overload

from . import protocol as _p
from ._dispatch import Callback, EventDispatcher, EventStream
from ._session_090 import Session090API
from .config import ReconnectPolicy, Timeouts, resolve_timeout
from .errors import (
    InvalidStateError,
    JanusError,
    PluginAttachFail,
    RequestTimeoutError,
    ServerError,
    SessionLost,
    SessionNotFoundError,
    TransportError,
)
from .events import ConnectionState, ConnectionStateEvent, JanusEvent, event_from_incoming
from .protocol import CORE_REQUESTS, Incoming, MessageKind
from .transports.base import JanusTransport

if TYPE_CHECKING:
    from .handle import JanusHandle
    from .health import HealthResult
    from .plugins.base import JanusPlugin

__all__ = ["JanusSession", "PluginAttachFail", "SessionState"]

logger = logging.getLogger("janus_client")

P = TypeVar("P", bound="JanusPlugin")

# Core requests sent by a handle method rather than a session method of the same name.
_HANDLE_METHODS = {v: f"JanusHandle.{v}" for v in ("detach", "hangup", "trickle")}
_HANDLE_METHODS["message"] = "JanusHandle.send"
# Handle requests whose outcome (or consequences) arrive as events.
_EVENTFUL = frozenset({"message", "trickle", "hangup"})


class SessionState(str, enum.Enum):
    """Lifecycle of a `JanusSession`."""

    NEW = "new"
    """Not created on the server yet (or destroyed and ready to be created again)."""
    CREATING = "creating"
    """``create`` or ``claim`` in flight."""
    ACTIVE = "active"
    """Exists on the server; requests can be made."""
    CLOSING = "closing"
    """`JanusSession.destroy` is running."""
    CLOSED = "closed"
    """Destroyed; `JanusSession.create` makes a new session."""
    LOST = "lost"
    """Expired on the server or cut off; pending calls failed with `SessionLost`."""


class JanusSession(Session090API):
    """A Janus session: the unit that owns plugin handles.

    Use it as an async context manager, which creates the session on entry and
    destroys it (detaching its handles first) on exit:

    ```python
    async with JanusSession("ws://127.0.0.1:8188") as session:
        handle = await session.attach("janus.plugin.echotest")
    ```

    The session is also created on first use (``attach``), as in janus-client 0.9.x.

    Args:
        base_url: Janus API URL; the scheme picks the transport (``ws``, ``wss``,
            ``http``, ``https``). Not needed when ``transport`` is given.
        api_secret: Sent as ``apisecret`` with every request (default: the
            transport's).
        token: Sent as ``token`` with every request (default: the transport's).
        transport: A transport to share with other sessions. The session never
            closes a transport it was given; it closes one it created itself.
        timeouts: Deadlines (default: the transport's).
        ssl: TLS context, when the session creates its transport.
        reconnect: When the session creates its transport: reconnect and reclaim
            the session after a drop (see `ReconnectPolicy`). State changes arrive
            as `ConnectionStateEvent` through `events`.

    Raises:
        ValueError: Neither ``base_url`` nor ``transport``, or an unknown scheme.
    """

    #: Core API requests and the methods that send them (see `janus_client.coverage`).
    requests: ClassVar[dict[str, str]] = {
        verb: _HANDLE_METHODS.get(verb, verb) for verb in CORE_REQUESTS
    }

    #: The handle class `attach` makes (set by `janus_client.handle`, the layer above).
    handle_class: ClassVar[type[JanusHandle]]

    def __init__(
        self,
        base_url: str | None = None,
        api_secret: str | None = None,
        token: str | None = None,
        transport: JanusTransport | None = None,
        *,
        timeouts: Timeouts | None = None,
        ssl: _ssl.SSLContext | None = None,
        reconnect: ReconnectPolicy | None = None,
    ) -> None:
        if timeouts is not None and not isinstance(timeouts, Timeouts):
            raise TypeError(f"timeouts must be a Timeouts instance, got {type(timeouts).__name__}")
        for name, value in (("api_secret", api_secret), ("token", token)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a string or None, got {type(value).__name__}")
        if transport is None:
            if base_url is None:
                raise ValueError("JanusSession needs a base_url or a transport")

            def make_transport() -> JanusTransport:
                return JanusTransport.create_transport(
                    base_url, api_secret, token, timeouts=timeouts, ssl=ssl, reconnect=reconnect
                )

            transport = make_transport()
            self._make_transport: Callable[[], JanusTransport] | None = make_transport
            self._owns_transport = True
        else:
            if not isinstance(transport, JanusTransport):
                raise TypeError(
                    f"transport must be a JanusTransport, got {type(transport).__name__}"
                )
            self._owns_transport = False
            self._make_transport = None
        self.transport = transport
        self.base_url = transport.base_url
        self.api_secret = api_secret if api_secret is not None else transport.api_secret
        self.token = token if token is not None else transport.token
        self.timeouts = timeouts if timeouts is not None else transport.timeouts
        self.session_id: int | None = None
        self._state = SessionState.NEW
        self._lost_reason: BaseException | None = None
        self._handles: dict[int, JanusHandle] = {}
        self._create_lock = asyncio.Lock()
        self._closing: asyncio.Future[None] | None = None
        # Made on first use: a session nobody listens to needs none.
        self._event_hub: EventDispatcher[JanusEvent] | None = None
        self._wants_events = False
        self._cleanups: set[asyncio.Task[Any]] = set()

    def __repr__(self) -> str:
        return f"<JanusSession {self.session_id} {self._state.value} {self.base_url}>"

    @property
    def _events(self) -> EventDispatcher[JanusEvent]:
        """The session's event dispatcher, made on first use (ended once destroyed)."""
        hub = self._event_hub
        if hub is None:
            hub = self._event_hub = EventDispatcher("session")
            if self._state is SessionState.CLOSED:
                hub._closed = True
        return hub

    # ------------------------------------------------------------- properties
    @property
    def id(self) -> int | None:
        """The session id (None before creation)."""
        return self.session_id

    @property
    def state(self) -> SessionState:
        """Where the session is in its lifecycle."""
        return self._state

    @property
    def closed(self) -> bool:
        """Whether the session is closing, closed or lost."""
        return self._state in (SessionState.CLOSING, SessionState.CLOSED, SessionState.LOST)

    @property
    def handles(self) -> dict[int, JanusHandle]:
        """The open handles, by id (a copy)."""
        return dict(self._handles)

    @property
    def lost_reason(self) -> BaseException | None:
        """Why the session was lost, when `state` is `SessionState.LOST`."""
        return self._lost_reason

    def _stamp(self, msg: dict[str, Any]) -> dict[str, Any]:
        """Add the session's credentials to an outgoing message."""
        if self.api_secret is not None:
            msg["apisecret"] = self.api_secret
        if self.token is not None:
            msg["token"] = self.token
        return msg

    def credentials(self) -> dict[str, str]:
        """The ``apisecret`` / ``token`` fields this session stamps on its requests."""
        return _p.credentials(self.api_secret, self.token)

    def _require_id(self, what: str, *, closing_ok: bool = False) -> int:
        if self.session_id is not None and (
            self._state is SessionState.ACTIVE
            or (closing_ok and self._state is SessionState.CLOSING)
        ):
            return self.session_id
        if self._state is SessionState.LOST:
            raise SessionLost(
                f"cannot {what}: session {self.session_id} is lost ({self._lost_reason})"
            )
        raise InvalidStateError(f"cannot {what}: session is {self._state.value}, not active")

    # -------------------------------------------------------------- lifecycle
    async def __aenter__(self) -> JanusSession:
        try:
            await self.create()
        except BaseException:
            await asyncio.shield(self.destroy())
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.destroy()

    async def create(self, *, timeout: float | None = None) -> int:
        """Create the session on the server if it does not exist yet; return its id.

        Idempotent while the session is active. After `destroy` or a loss it
        creates a new session. A session that created its own transport (it was
        given a URL, not a ``transport``) opens a new transport when `destroy`
        closed the old one; a transport you passed in is never reopened.

        Raises:
            TypeError: ``timeout`` is not a number.
            ValueError: ``timeout`` is not positive and finite.
            ConnectError: The server cannot be reached.
            ServerError: Janus refused (for example `UnauthorizedError`).
            InvalidStateError: The session is being destroyed, or the transport
                it was given has been closed.
        """
        if timeout is not None:
            resolve_timeout(timeout, 0.0)  # checked even when active
        if self._state is SessionState.ACTIVE and self.session_id is not None:
            return self.session_id
        async with self._create_lock:
            if self._state is SessionState.ACTIVE and self.session_id is not None:
                return self.session_id
            if self._state is SessionState.CLOSING:
                raise InvalidStateError("cannot create: the session is being destroyed")
            if self._make_transport is not None and self.transport.closed:
                # destroy() closed the transport this session created: make a new one.
                self.transport = self._make_transport()
            transport = self.transport
            self._state = SessionState.CREATING
            try:
                msg = self._stamp(_p.create(transport.new_transaction()))
                reply = await transport.request(msg, owner=self, timeout=timeout)
                sid = _p.reply_id(reply.body, "create")
            except BaseException:
                self._state = SessionState.NEW
                if self._make_transport is not None and not transport.sessions:
                    # Nothing uses the connection this session opened: close it now
                    # (no "Unclosed client session" later) and start afresh next time.
                    await asyncio.shield(transport.close())
                    self.transport = self._make_transport()
                raise
            self._activate(sid)
            logger.debug("created session %s on %s", sid, self.base_url)
            return sid

    def _activate(self, sid: int) -> None:
        self.session_id = sid
        self._state = SessionState.ACTIVE
        self._lost_reason = None
        if self._event_hub is not None and self._event_hub._closed:
            self._event_hub = None
        self.transport.add_session(self)
        if self._wants_events:
            self.transport.want_events(sid)

    def want_events(self) -> None:
        """Note that events are expected (a listener; over HTTP this starts the long-poll)."""
        self._wants_events = True
        if self._state is SessionState.ACTIVE and self.session_id is not None:
            self.transport.want_events(self.session_id)

    async def claim(self, session_id: int | None = None, *, timeout: float | None = None) -> int:
        """Take over a session with ``claim``, so that its events come to this connection.

        Args:
            session_id: The session to claim (created by another connection, for
                example before a reconnect). Default: this session's own id.
            timeout: Deadline in seconds.

        Raises:
            SessionNotFoundError: No such session (it expired, or Janus restarted).
            InvalidStateError: No id given and this session has none.
        """
        sid = session_id if session_id is not None else self.session_id
        if sid is None:
            raise InvalidStateError("claim needs a session_id: this session was never created")
        if isinstance(sid, bool) or not isinstance(sid, int):
            raise TypeError(f"session_id must be an int, got {type(sid).__name__}")
        async with self._create_lock:
            transport = self.transport
            msg = self._stamp(_p.claim(transport.new_transaction(), sid))
            await transport.request(msg, owner=self, timeout=timeout)
            if self.session_id != sid or self._state is not SessionState.ACTIVE:
                if self._state is SessionState.ACTIVE and self.session_id is not None:
                    self.transport.remove_session(self.session_id)
                self._activate(sid)
            return sid

    async def destroy(self, *, timeout: float | None = None) -> None:
        """Destroy the session: detach its handles, destroy it on the server, release it.

        Idempotent. Bounded by ``timeout`` (default ``timeouts.close``): if Janus does
        not answer in time the local state is released anyway. Pending calls fail
        with `InvalidStateError`. A transport the session created is closed (a
        later `create` opens a new one); a shared transport is left open.
        """
        limit = resolve_timeout(timeout, self.timeouts.close)
        if self._closing is not None:
            await asyncio.shield(self._closing)
            return
        loop = asyncio.get_running_loop()
        self._closing = loop.create_future()
        previous = self._state
        self._state = SessionState.CLOSING
        try:
            if previous is SessionState.ACTIVE and self.session_id is not None:
                try:
                    await self._destroy_remote(limit)
                except JanusError as exc:
                    logger.debug("destroying session %s: %s", self.session_id, exc)
        finally:
            self._release(
                InvalidStateError(f"session {self.session_id} was destroyed"), SessionState.CLOSED
            )
            try:
                await self._close_local()
            finally:
                closing, self._closing = self._closing, None
                closing.set_result(None)

    async def _destroy_remote(self, limit: float) -> None:
        # Every request below has a deadline, and together they stay within `limit`.
        sid = self.session_id
        assert sid is not None
        loop = asyncio.get_running_loop()
        end = loop.time() + limit
        handles = list(self._handles.values())
        if len(handles) == 1:
            await handles[0].detach(timeout=limit / 2)
        elif handles:
            await asyncio.gather(
                *(h.detach(timeout=limit / 2) for h in handles), return_exceptions=True
            )
        transport = self.transport
        transport.remove_session(sid)
        if not transport.connected:
            return
        msg = self._stamp(_p.destroy(transport.new_transaction(), sid))
        try:
            await transport.request(msg, owner=self, timeout=max(end - loop.time(), 0.001))
        except (SessionNotFoundError, TransportError) as exc:
            logger.debug("destroy of session %s: %s", sid, exc)

    def _release(self, exc: BaseException, state: SessionState) -> None:
        """Release local state at once: handles, pending calls, routing."""
        for handle in list(self._handles.values()):
            handle.release(exc)
        self._handles.clear()
        self.transport.fail_calls(self, exc)
        if self.session_id is not None:
            self.transport.remove_session(self.session_id, self)
        self._state = state
        if self._event_hub is not None:
            for stream in list(self._event_hub._streams):
                stream._end()

    def _spawn_cleanup(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a cleanup (closing a plugin's media) owned by the session."""
        task = asyncio.get_running_loop().create_task(coro, name="janus-handle-cleanup")
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)

    async def _close_local(self) -> None:
        if self._cleanups:
            await asyncio.gather(*list(self._cleanups), return_exceptions=True)
        if self._event_hub is not None:
            await self._event_hub.aclose()
        if self._owns_transport:
            await self.transport.close()

    # ------------------------------------------ the transport's seam (SessionLink)
    def connection_lost(self, exc: BaseException) -> None:
        """Called by the transport: the connection dropped or Janus forgot the session.

        The session is marked lost (`SessionState.LOST`) and its pending calls fail.
        """
        if self._state is not SessionState.ACTIVE:
            return
        reason = (
            exc
            if isinstance(exc, SessionLost)
            else SessionLost(f"session {self.session_id} lost: {exc}")
        )
        if reason is not exc:
            reason.__cause__ = exc
        self._mark_lost(reason)

    def connection_state_changed(
        self, state: ConnectionState, *, attempt: int = 0, error: str | None = None
    ) -> None:
        """Called by the transport: publish a `ConnectionStateEvent` to the session's events."""
        if self._event_hub is None:
            return  # nobody listens
        self._event_hub.publish(
            ConnectionStateEvent(
                session_id=self.session_id, state=state, attempt=attempt, error=error
            )
        )

    def keepalive_failed(self, exc: BaseException) -> None:
        """Called by the transport: a keepalive failed; Janus errors and timeouts lose it."""
        if isinstance(exc, (SessionNotFoundError, RequestTimeoutError, ServerError)):
            self._mark_lost(SessionLost(f"keepalive of session {self.session_id} failed: {exc}"))

    def _mark_lost(self, exc: SessionLost) -> None:
        if self._state is not SessionState.ACTIVE:
            return
        logger.warning("%s", exc)
        self._lost_reason = exc
        self._release(exc, SessionState.LOST)

    async def restore(self, *, attempt: int, timeout: float) -> bool:
        """Called by the transport after reconnect ``attempt``: ``claim`` the session again.

        Returns:
            True when it is back (``RECONNECTED`` is published); False when Janus
            refused within ``timeout`` (``LOST`` is published, the session is lost).
        """
        sid = self.session_id
        if sid is None:
            return True
        transport = self.transport
        msg = self._stamp(_p.claim(transport.new_transaction(), sid))
        try:
            await transport.request(msg, owner=self, timeout=timeout)
        except JanusError as exc:
            self.connection_state_changed(ConnectionState.LOST, attempt=attempt, error=str(exc))
            self.connection_lost(
                SessionLost(f"session {sid} could not be reclaimed after reconnecting: {exc}")
            )
            return False
        self.connection_state_changed(ConnectionState.RECONNECTED, attempt=attempt)
        return True

    # ---------------------------------------------------------------- routing
    def deliver(self, incoming: Incoming) -> None:
        """Called by the transport: route a message of this session to its handle or events."""
        if incoming.kind is MessageKind.TIMEOUT:
            event = event_from_incoming(incoming)
            if event is not None:
                self._events.publish(event)
            self._mark_lost(
                SessionLost(
                    f"Janus expired session {self.session_id} (no keepalive within its "
                    "session_timeout)"
                )
            )
            return
        sender = incoming.sender
        if sender is not None:
            handle = self._handles.get(sender)
            if handle is None:
                logger.debug("session %s: event for unknown handle %s", self.session_id, sender)
                return
            handle.deliver(incoming)
            return
        event = event_from_incoming(incoming)
        if event is not None:
            self._events.publish(event)

    def _forget_handle(self, handle: JanusHandle) -> None:
        if self._handles.get(handle.handle_id) is handle:
            del self._handles[handle.handle_id]
            plugins = self.__dict__.get("_plugin_objects")
            if plugins:
                plugins.pop(handle.handle_id, None)

    # ----------------------------------------------- the handle's seam (one call)
    async def send_request(
        self,
        request: dict[str, Any],
        *,
        owner: Hashable = None,
        wait_event: bool = False,
        timeout: float | None = None,
    ) -> Incoming:
        """Send a handle's request (`protocol.handle_request`) and return the reply.

        The session adds only its own fields (``session_id``, credentials); the
        transport adds the transaction. ``owner``, ``wait_event`` and ``timeout``
        are passed to `JanusTransport.request`.

        Raises:
            InvalidStateError: The session is not active (``detach`` is also
                accepted while it closes).
            SessionLost: The session was lost.
        """
        verb = request["janus"]
        sid = self._require_id(verb, closing_ok=verb == "detach")
        if verb in _EVENTFUL and not self._wants_events:
            self.want_events()
        msg = _p.in_session(request, sid, self.api_secret, self.token)
        return await self.transport.request(
            msg, owner=owner, wait_event=wait_event, timeout=timeout
        )

    def handle_closed(
        self,
        handle: JanusHandle,
        exc: BaseException,
        cleanup: Coroutine[Any, Any, None] | None = None,
    ) -> None:
        """A handle closed: forget it, fail its calls with ``exc``, run ``cleanup``.

        ``cleanup`` (closing media) runs in a task the session owns; `destroy` awaits it.
        """
        self._forget_handle(handle)
        self.transport.fail_calls(handle, exc)
        if cleanup is not None:
            self._spawn_cleanup(cleanup)

    # --------------------------------------------------------------- requests
    async def info(self, *, timeout: float | None = None) -> dict[str, Any]:
        """Return the server's ``info`` (version, plugins, transports, ...).

        Needs no session: it does not create one.
        """
        transport = self.transport
        msg = self._stamp(_p.info(transport.new_transaction()))
        reply = await transport.request(msg, owner=self, timeout=timeout)
        return reply.body

    async def ping(self, *, timeout: float | None = None) -> float:
        """Send ``ping`` and return the round-trip time in seconds."""
        transport = self.transport
        loop = asyncio.get_running_loop()
        start = loop.time()
        msg = self._stamp(_p.ping(transport.new_transaction()))
        await transport.request(msg, owner=self, timeout=timeout)
        return loop.time() - start

    async def health(self, *, timeout: float | None = None) -> HealthResult:
        """Check the server behind this session (see `janus_client.health`).

        Sends ``info`` (no session is created) and never raises for a server
        that is down: the `HealthResult` says so.
        """
        from .health import session_health

        return await session_health(self, timeout=timeout)

    async def keepalive(self, *, timeout: float | None = None) -> None:
        """Send one ``keepalive`` now (the transport also sends them periodically)."""
        sid = self._require_id("keepalive")
        transport = self.transport
        msg = self._stamp(_p.keepalive(transport.new_transaction(), sid))
        try:
            await transport.request(msg, owner=self, timeout=timeout)
        except SessionNotFoundError as exc:
            self._mark_lost(SessionLost(f"session {sid} no longer exists: {exc}"))
            raise

    async def request(
        self, message: dict[str, Any], handle_id: int | None = None, *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Send a raw Janus request in this session and return the raw reply.

        The transaction, ``session_id``, ``handle_id`` and credentials are filled in.
        For a plugin ``message`` this returns the ``ack`` (or a synchronous
        ``success``); the event then arrives through the handle's events.

        Raises:
            ValueError: ``message`` has no string ``janus`` field.
            ServerError: Janus answered with an error.
        """
        if not isinstance(message, dict) or not isinstance(message.get("janus"), str):
            raise ValueError("message must be a dict with a string 'janus' field")
        await self.create()
        sid = self._require_id(str(message["janus"]))
        transport = self.transport
        msg = self._stamp(
            {**message, "transaction": transport.new_transaction(), "session_id": sid}
        )
        owner: object = self
        if handle_id is not None:
            msg["handle_id"] = handle_id
            owner = self._handles.get(handle_id, self)
        reply = await transport.request(msg, owner=owner, timeout=timeout)
        return reply.body

    @overload
    async def attach(
        self, plugin: str, *, opaque_id: str | None = ..., timeout: float | None = ...
    ) -> JanusHandle: ...

    @overload
    async def attach(
        self, plugin: P, *, opaque_id: str | None = ..., timeout: float | None = ...
    ) -> P: ...

    async def attach(
        self,
        plugin: str | JanusPlugin,
        *,
        opaque_id: str | None = None,
        timeout: float | None = None,
    ) -> JanusHandle | JanusPlugin:
        """Attach to a plugin, creating the session first if needed.

        Args:
            plugin: The plugin package name (``"janus.plugin.echotest"``), or a
                plugin object such as ``JanusEchoTestPlugin()`` (then this is the
                same as ``await plugin.attach(session)`` and returns the plugin).
            opaque_id: An opaque id Janus attaches to the handle (shown by the
                admin API, useful to find your handles).
            timeout: Deadline in seconds.

        Returns:
            A `JanusHandle`, or the plugin object when one was given.

        Raises:
            PluginNotFoundError: Janus has no such plugin.
        """
        if not isinstance(plugin, str) and callable(getattr(plugin, "attach", None)):
            await plugin.attach(self, opaque_id=opaque_id, timeout=timeout)
            return plugin
        name: Any = plugin  # anything else is refused (ValueError) there
        return await self._attach_handle(name, opaque_id=opaque_id, timeout=timeout)

    async def _attach_handle(
        self,
        plugin: str,
        *,
        opaque_id: str | None = None,
        timeout: float | None = None,
        handle_class: type[JanusHandle] | None = None,
        **handle_kwargs: Any,
    ) -> JanusHandle:
        if not isinstance(plugin, str) or not plugin:
            raise ValueError(f"plugin must be a plugin package name, got {plugin!r}")
        if opaque_id is not None and not isinstance(opaque_id, str):
            raise TypeError(f"opaque_id must be a string, got {type(opaque_id).__name__}")
        await self.create(timeout=timeout)
        sid = self._require_id("attach")
        transport = self.transport
        msg = self._stamp(_p.attach(transport.new_transaction(), sid, plugin, opaque_id))
        reply = await self._attach_request(msg, timeout)
        hid = _p.reply_id(reply.body, "attach")
        make = handle_class if handle_class is not None else self.handle_class
        handle = make(self, hid, plugin, opaque_id=opaque_id, **handle_kwargs)
        if self._state is not SessionState.ACTIVE or self.session_id != sid:
            handle.release(InvalidStateError("the session closed while attaching"))
            raise InvalidStateError(f"session {sid} closed while attaching {plugin}")
        self._handles[hid] = handle
        return handle

    async def _attach_request(self, msg: dict[str, Any], timeout: float | None) -> Incoming:
        """Send ``attach``; if the caller is cancelled, detach the handle it creates.

        A reply arriving after the caller gave up (within the request's deadline)
        names a handle Janus made: it is detached instead of staying orphaned on
        the server. The transport keeps the abandoned transaction and reports its
        late reply (no task per attach; over HTTP the POST's connection reads it).
        On a transport that cannot hear a reply once its caller left
        (``replies_in_send``), the request runs in a task of its own instead.
        """
        sid: int = msg["session_id"]
        transport = self.transport
        if not transport.replies_in_send:
            return await transport.request(
                msg,
                owner=self,
                timeout=timeout,
                on_late_reply=lambda reply: self._detach_orphan(reply, sid),
            )
        call = asyncio.get_running_loop().create_task(
            transport.request(msg, owner=self, timeout=timeout), name="janus-attach"
        )
        try:
            return await asyncio.shield(call)
        except asyncio.CancelledError:
            if call.done():
                self._orphan_task_done(call, sid)
            else:
                self._cleanups.add(call)
                call.add_done_callback(self._cleanups.discard)
                call.add_done_callback(lambda t: self._orphan_task_done(t, sid))
            raise

    def _orphan_task_done(self, call: asyncio.Task[Incoming], sid: int) -> None:
        if not call.cancelled() and call.exception() is None:
            self._detach_orphan(call.result(), sid)

    def _detach_orphan(self, reply: Incoming, sid: int) -> None:
        try:
            hid = _p.reply_id(reply.body, "attach")
        except JanusError:
            return
        if self._state is not SessionState.ACTIVE or self.session_id != sid:
            return  # the session is gone on the server, and its handles with it
        logger.debug("session %s: detaching handle %s (its attach was cancelled)", sid, hid)
        transport = self.transport
        detach = self._stamp(_p.detach(transport.new_transaction(), sid, hid))
        self._spawn_cleanup(self._request_quietly(detach))

    async def _request_quietly(self, msg: dict[str, Any]) -> None:
        try:
            await self.transport.request(msg, owner=self, timeout=self.timeouts.close)
        except JanusError as exc:
            logger.debug("%s of handle %s: %s", msg.get("janus"), msg.get("handle_id"), exc)

    # ----------------------------------------------------------------- events
    def events(self, *types: type[JanusEvent]) -> EventStream[JanusEvent]:
        """Async iterator over session-level events (such as `SessionTimeoutEvent`)."""
        self.want_events()
        return self._events.stream(types)

    def on_event(self, callback: Callback, *types: type[JanusEvent]) -> None:
        """Call ``callback(event)`` for session-level events (see `events`)."""
        self.want_events()
        self._events.add_callback(callback, types)
