"""The generic plugin handle: messages, trickle, hangup, detach, and its events."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ._dispatch import Callback, EventDispatcher, EventStream
from .config import resolve_timeout
from .errors import InvalidStateError, JanusError, PluginError
from .events import DetachedEvent, JanusEvent, event_from_incoming
from .protocol import (
    Incoming,
    MessageKind,
    RedactedReprDict,
    handle_request,
    plugin_data,
    plugin_error,
    trickle_fields,
)
from .session import JanusSession

__all__ = ["JanusHandle", "PluginResponse"]

logger = logging.getLogger("janus_client")



@dataclass(frozen=True)
class PluginResponse:
    """The answer to a plugin message.

    Attributes:
        kind: ``"success"`` for a synchronous plugin reply, ``"event"`` for the
            asynchronous event, ``"ack"`` when only the ack was awaited.
        plugin: The plugin package name (None for an ack).
        data: The plugin's data (``plugindata.data``; empty for an ack).
        jsep: A JSEP offer or answer that came with the event, if any.
        raw: The whole message as Janus sent it.
    """

    kind: Literal["success", "event", "ack"]
    plugin: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    jsep: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # repr() (tracebacks, log lines) shows the SDP's size, never its body.
        if self.jsep is not None and type(self.jsep) is not RedactedReprDict:
            object.__setattr__(self, "jsep", RedactedReprDict(self.jsep))




def _check_mapping(name: str, value: object, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(value).__name__}")


class JanusHandle:
    """A handle attached to one plugin in a `JanusSession`.

    Obtain one with ``await session.attach("janus.plugin.echotest")``. Plugin classes
    (``JanusEchoTestPlugin``, ...) wrap a handle with typed methods; the handle
    itself speaks any plugin.

    Events (core events as their dataclasses, plugin events as `PluginEvent`) are
    delivered to ``async for event in handle.events()`` and to callbacks added
    with `on_event`; neither runs inside the connection's reader.

    Attributes:
        session: The session the handle belongs to.
        handle_id: The id Janus gave the handle.
        plugin: The plugin package name.
        opaque_id: The opaque id given at attach, if any.
    """

    def __init__(
        self,
        session: JanusSession,
        handle_id: int,
        plugin: str,
        *,
        opaque_id: str | None = None,
        error_class: type[PluginError] = PluginError,
    ) -> None:
        self.session = session
        self.handle_id = handle_id
        self.plugin = plugin
        self.opaque_id = opaque_id
        self.error_class = error_class
        self._closed = False
        self._detaching = False
        self._close_reason: BaseException | None = None
        # Made on first use: most handles of a short exchange never need one.
        self._event_hub: EventDispatcher[JanusEvent] | None = None
        # Listeners added before the dispatcher exists: they alone do not make it
        # (a plugin class always listens; most of its handles never get an event).
        self._listeners: tuple[Callback, ...] = ()
        self._close_hooks: list[Callable[[], Awaitable[None]]] = []

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<JanusHandle {self.handle_id} {self.plugin} {state}>"

    @property
    def _events(self) -> EventDispatcher[JanusEvent]:
        """The handle's event dispatcher, made on first use (ended if the handle is closed)."""
        hub = self._event_hub
        if hub is None:
            hub = self._event_hub = EventDispatcher(f"handle-{self.handle_id}")
            if self._closed:
                hub._closed = True
            listeners, self._listeners = self._listeners, ()
            for listener in listeners:  # first: they were added before any callback
                hub.add_callback(listener, ())
        return hub

    @property
    def id(self) -> int:
        """The handle id (same as `handle_id`)."""
        return self.handle_id

    @property
    def closed(self) -> bool:
        """Whether the handle was detached (by us, Janus, or the session closing)."""
        return self._closed

    def _check_open(self, what: str) -> None:
        if self._closed:
            raise InvalidStateError(
                f"cannot {what}: handle {self.handle_id} ({self.plugin}) is closed"
                + (f" ({self._close_reason})" if self._close_reason else "")
            )

    async def _request(
        self, janus: str, *, wait_event: bool = False, timeout: float | None = None, **fields: Any
    ) -> Incoming:
        self._check_open(janus)
        # The handle adds its own fields only; the session adds its own and sends.
        return await self.session.send_request(
            handle_request(janus, self.handle_id, **fields),
            owner=self,
            wait_event=wait_event,
            timeout=timeout,
        )

    # -------------------------------------------------------------- requests
    async def send(
        self,
        body: Mapping[str, Any],
        jsep: Mapping[str, Any] | None = None,
        *,
        wait: Literal["event", "ack"] = "event",
        timeout: float | None = None,
    ) -> PluginResponse:
        """Send a plugin message and return its answer.

        Synchronous plugin requests are answered at once (``kind="success"``).
        Asynchronous ones get an ``ack`` and later an ``event``: with
        ``wait="event"`` (the default) the call returns the event, whatever order
        the two arrive in, all under one deadline; with ``wait="ack"`` it returns
        at the ack and the event arrives later through `events` / callbacks.

        Args:
            body: The plugin request (``{"request": "..."}``, ...).
            jsep: An SDP offer or answer (``{"type": "offer", "sdp": "..."}``).
            wait: ``"event"`` or ``"ack"``.
            timeout: Deadline in seconds (default: the session's request timeout).

        Raises:
            PluginError: The plugin answered with an error (a subclass for plugin
                classes), carrying its code.
            ServerError: Janus refused the message (typed by code).
            RequestTimeoutError: No answer in time.
            InvalidStateError: The handle or its session is closed.
        """
        _check_mapping("body", body)
        _check_mapping("jsep", jsep, optional=True)
        if wait not in ("event", "ack"):
            raise ValueError(f"wait must be 'event' or 'ack', got {wait!r}")
        fields: dict[str, Any] = {"body": dict(body)}
        if jsep is not None:
            fields["jsep"] = dict(jsep)
        reply = await self._request(
            "message", wait_event=(wait == "event"), timeout=timeout, **fields
        )
        return self._response(reply, body)

    def _response(self, reply: Incoming, body: Mapping[str, Any]) -> PluginResponse:
        if reply.kind is MessageKind.ACK:
            return PluginResponse(kind="ack", raw=reply.body)
        plugin, data = plugin_data(reply.body)
        request = body.get("request")
        err = plugin_error(
            plugin or self.plugin,
            data,
            request=request if isinstance(request, str) else None,
            error_class=self.error_class,
        )
        if err is not None:
            raise err
        jsep = reply.body.get("jsep")
        return PluginResponse(
            kind="event" if reply.kind is MessageKind.EVENT else "success",
            plugin=plugin,
            data=data,
            jsep=dict(jsep) if isinstance(jsep, dict) else None,
            raw=reply.body,
        )

    async def request(
        self, body: Mapping[str, Any], *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Send a synchronous plugin request and return the plugin's data.

        A shortcut for ``(await handle.send(body)).data``.
        """
        return (await self.send(body, timeout=timeout)).data

    async def trickle(
        self,
        candidate: Mapping[str, Any] | None = None,
        *,
        candidates: Iterable[Mapping[str, Any]] | None = None,
        completed: bool = False,
        timeout: float | None = None,
    ) -> None:
        """Trickle one ICE candidate, several, or the end of candidates.

        Raises:
            ValueError: Not exactly one of ``candidate``, ``candidates``, ``completed``.
            TypeError: A candidate is not a dict.
        """
        fields = trickle_fields(candidate=candidate, candidates=candidates, completed=completed)
        await self._request("trickle", timeout=timeout, **fields)

    async def hangup(self, *, timeout: float | None = None) -> None:
        """Ask Janus to close this handle's PeerConnection (the handle stays attached)."""
        await self._request("hangup", timeout=timeout)

    async def detach(self, *, timeout: float | None = None) -> None:
        """Detach from the plugin and release the handle (idempotent).

        Local state is released even if Janus cannot be reached; pending calls of
        the handle fail with `InvalidStateError`.
        """
        session = self.session
        close_timeout = session.timeouts.close  # checked by `Timeouts`
        limit = close_timeout if timeout is None else resolve_timeout(timeout, close_timeout)
        if self._closed:
            return
        self._detaching = True
        try:
            if session.session_id is not None and session.transport.connected:
                # Not through `_request`: the handle is open (checked above).
                await session.send_request(
                    handle_request("detach", self.handle_id), owner=self, timeout=limit
                )
        except JanusError as exc:
            logger.debug("detach of handle %s failed: %s", self.handle_id, exc)
        finally:
            self._release(
                InvalidStateError(f"handle {self.handle_id} was detached"), run_hooks=False
            )
            if self._close_hooks:
                await self._run_close_hooks()
            if self._event_hub is not None:
                await self._event_hub.aclose(wait=0.0)

    def add_close_hook(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run ``await hook()`` once when the handle closes (plugins close media there)."""
        self._close_hooks.append(hook)

    _add_close_hook = add_close_hook  # the name plugins used before it was public

    async def _run_close_hooks(self) -> None:
        hooks, self._close_hooks = self._close_hooks, []
        for hook in hooks:
            try:
                await hook()
            except Exception:
                logger.exception("closing %r: a close hook failed", self)

    def _release(self, exc: BaseException, *, run_hooks: bool = True) -> None:
        """Drop local state at once (sync): used on detach, session close and loss.

        Close hooks (media) need awaiting: unless the caller runs them itself, they
        run in a task owned by the session, which `JanusSession.destroy` awaits.
        """
        if self._closed:
            return
        self._closed = True
        self._close_reason = exc
        self._listeners = ()  # never called now; dropped so that nothing keeps the plugin
        hub = self._event_hub
        if hub is not None:
            for stream in list(hub._streams):
                stream._end()
        cleanup = self._run_close_hooks() if run_hooks and self._close_hooks else None
        self.session.handle_closed(self, exc, cleanup)

    # ---------------------------------------------------------------- events
    def events(self, *types: type[JanusEvent]) -> EventStream[JanusEvent]:
        """Return an async iterator over this handle's events (optionally filtered).

        Examples:
            ```python
            async for event in handle.events(PluginEvent):
                print(event.data)
            ```
        """
        self.session.want_events()
        return self._events.stream(types)

    def on_event(self, callback: Callback, *types: type[JanusEvent]) -> None:
        """Call ``callback(event)`` for each event (of the given classes, if any).

        The callback may be a coroutine function; it runs outside the reader, so it
        may await requests. An exception it raises is logged and stops nothing.
        """
        self.session.want_events()
        self._events.add_callback(callback, types)

    def add_listener(self, callback: Callback) -> None:
        """Call ``callback(event)`` for each event, without asking for events.

        Unlike `on_event`, this does not by itself make the session fetch events
        (over HTTP: start its long-poll). Plugin classes use it for their own
        dispatcher; events then flow once something can produce them (a plugin
        message, trickle, hangup) or a user asks for them (`events`, `on_event`).

        Raises:
            TypeError: ``callback`` is not callable.
        """
        hub = self._event_hub
        if hub is not None:
            hub.add_callback(callback, ())
        elif not callable(callback):
            raise TypeError(f"callback must be callable, got {callback!r}")
        elif not self._closed:
            # Kept until the dispatcher is needed (the first event, stream or callback).
            self._listeners = (*self._listeners, callback)

    def remove_callback(self, callback: Callback) -> None:
        """Stop calling a callback added with `on_event` (or `add_listener`)."""
        if self._event_hub is not None:
            self._event_hub.remove_callback(callback)
        elif self._listeners:
            self._listeners = tuple(cb for cb in self._listeners if cb is not callback)

    def release(self, exc: BaseException) -> None:
        """Drop the handle's local state without telling Janus (its session closed).

        Pending calls fail with ``exc``; close hooks run in a task the session owns.
        """
        self._release(exc)

    def publish(self, event: JanusEvent) -> None:
        """Give ``event`` to this handle's streams and callbacks (a plugin's own events)."""
        self._events.publish(event)

    def deliver(self, incoming: Incoming) -> None:
        """Called by the session: publish one incoming message of this handle as an event."""
        if self._detaching and incoming.kind is MessageKind.DETACHED:
            # The consequence of our own detach (it may come before or after the
            # reply): dropped, as it is when it comes after; detach releases us.
            return
        event = event_from_incoming(incoming)
        if event is None:
            logger.debug("handle %s: ignoring %s", self.handle_id, incoming.janus)
            return
        if self._listeners:  # the first event for a listener: make the dispatcher
            self._events  # noqa: B018
        hub = self._event_hub
        if hub is not None:  # none: nobody listens
            hub.publish(event)
        if isinstance(event, DetachedEvent):
            self._release(InvalidStateError(f"handle {self.handle_id} was detached by Janus"))


# The session (the layer below) makes handles of this class in `JanusSession.attach`.
JanusSession.handle_class = JanusHandle
