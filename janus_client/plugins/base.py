"""`JanusPlugin`: the base of every plugin class, a thin layer over `JanusHandle`."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .._dispatch import Callback, EventStream
from ..errors import InvalidStateError, PluginError
from ..events import JanusEvent
from ..handle import JanusHandle, PluginResponse

if TYPE_CHECKING:
    from ..session import JanusSession

__all__ = ["JanusPlugin", "typed_fields"]

logger = logging.getLogger("janus_client")


def typed_fields(fields: Iterable[tuple[str, object, type]]) -> dict[str, Any]:
    """Build a request body from ``(key, value, type)`` triples, checking each value.

    None values are left out; an ``int`` field refuses bools and negative numbers.

    Raises:
        TypeError: A value has the wrong type (the message names the key).
        ValueError: A number is negative.
    """
    body: dict[str, Any] = {}
    for key, value, kind in fields:
        if value is None:
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"{key} must be {kind.__name__}, got {type(value).__name__}")
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            raise ValueError(f"{key} must not be negative, got {value}")
        body[key] = value
    return body


class JanusPlugin:
    """Base class of the plugin classes; usable directly for any plugin.

    Construct it, then attach it to a session, as in janus-client 0.9.x:

    ```python
    plugin = JanusPlugin(name="janus.plugin.echotest")
    await plugin.attach(session)
    reply = await plugin.message({"audio": True})
    await plugin.destroy()
    ```

    Subclasses set `name` (the plugin package) and `error_class`, and may override
    `on_receive` (the 0.9.x hook, given each event's raw message) or
    `_process_event` (typed events). Both run outside the connection's reader.

    Args:
        name: The plugin package name, for the generic class (subclasses set it).
    """

    #: The Janus plugin package name.
    name: ClassVar[str] = ""
    #: The exception class raised for this plugin's errors.
    error_class: ClassVar[type[PluginError]] = PluginError

    def __init__(self, *, name: str | None = None) -> None:
        if name is not None:
            if not isinstance(name, str) or not name:
                raise ValueError(f"name must be a plugin package name, got {name!r}")
            self.plugin_name = name
        else:
            self.plugin_name = type(self).name
        if not self.plugin_name:
            raise ValueError(f"{type(self).__name__} needs a plugin name")
        self._handle: JanusHandle | None = None
        self._callbacks: list[tuple[Any, Callback]] = []

    def __repr__(self) -> str:
        hid = self._handle.handle_id if self._handle is not None else None
        return f"<{type(self).__name__} {self.plugin_name} handle={hid}>"

    # ------------------------------------------------------------- lifecycle
    @property
    def handle(self) -> JanusHandle:
        """The underlying handle.

        Raises:
            InvalidStateError: The plugin is not attached.
        """
        if self._handle is None or self._handle.closed:
            raise InvalidStateError(f"{type(self).__name__} is not attached to a session")
        return self._handle

    @property
    def attached(self) -> bool:
        """Whether the plugin is attached and its handle open."""
        return self._handle is not None and not self._handle.closed

    @property
    def id(self) -> int:
        """The handle id."""
        return self.handle.handle_id

    @property
    def session(self) -> JanusSession:
        """The session the plugin is attached to."""
        return self.handle.session

    async def attach(
        self, session: JanusSession, *, opaque_id: str | None = None, timeout: float | None = None
    ) -> None:
        """Attach to ``session`` (created on the server first if needed).

        Raises:
            InvalidStateError: Already attached.
            PluginNotFoundError: The server does not have this plugin.
        """
        if self.attached:
            raise InvalidStateError(f"{type(self).__name__} is already attached")
        handle = await session._attach_handle(
            self.plugin_name, opaque_id=opaque_id, timeout=timeout, error_class=self.error_class
        )
        self._handle = handle
        handle.on_event(self._dispatch)
        handle._add_close_hook(self._close_media)

    async def destroy(self, *, timeout: float | None = None) -> None:
        """Release the plugin: close its media, then detach its handle (idempotent)."""
        handle = self._handle
        try:
            await self._close_media()
        finally:
            if handle is not None:
                await handle.detach(timeout=timeout)

    async def detach(self, *, timeout: float | None = None) -> None:
        """Same as `destroy`."""
        await self.destroy(timeout=timeout)

    async def _close_media(self) -> None:
        """Hook for subclasses owning a PeerConnection: close it. Must not raise."""

    # --------------------------------------------------------------- requests
    async def message(
        self,
        body: Mapping[str, Any],
        jsep: Mapping[str, Any] | None = None,
        *,
        wait: Literal["event", "ack"] = "event",
        timeout: float | None = None,
    ) -> PluginResponse:
        """Send a plugin message; see `JanusHandle.send`."""
        return await self.handle.send(body, jsep, wait=wait, timeout=timeout)

    async def request(
        self, body: Mapping[str, Any], *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Send a synchronous plugin request and return its data; see `JanusHandle.request`."""
        return await self.handle.request(body, timeout=timeout)

    async def send(
        self, message: dict[str, Any], *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Send a raw Janus message on this handle and return the raw reply (0.9.x style).

        ``message`` is a whole Janus request such as ``{"janus": "message", "body":
        {...}}``; transaction and ids are filled in. Returns the ``ack`` or
        synchronous reply; events arrive through `on_receive` and callbacks.
        """
        handle = self.handle
        return await handle.session.send(message, handle.handle_id, timeout=timeout)

    async def trickle(
        self,
        sdpMLineIndex: int | None = None,
        candidate: str | Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> None:
        """Trickle one candidate, or end-of-candidates when ``candidate`` is None.

        ``candidate`` is the candidate line (0.9.x) or a full candidate dict.
        """
        if candidate is None:
            await self.handle.trickle(completed=True, timeout=timeout)
        elif isinstance(candidate, str):
            await self.handle.trickle(
                {"candidate": candidate, "sdpMLineIndex": sdpMLineIndex or 0}, timeout=timeout
            )
        else:
            await self.handle.trickle(candidate, timeout=timeout)

    async def hangup(self, *, timeout: float | None = None) -> None:
        """Ask Janus to close the handle's PeerConnection."""
        await self.handle.hangup(timeout=timeout)

    # ----------------------------------------------------------------- events
    def events(self, *types: type[JanusEvent]) -> EventStream[JanusEvent]:
        """Async iterator over the handle's events; see `JanusHandle.events`."""
        return self.handle.events(*types)

    def on_event(self, event_type: Any, handler: Callback | None = None) -> None:
        """Register a callback for events, before or after attaching.

        Call it as ``on_event(handler)`` for every event, or
        ``on_event(EventClassOrType, handler)`` for one kind: an event class such
        as `WebRTCUpEvent`, or a plugin's event-type enum value (for example
        ``VideoCallEventType.INCOMINGCALL``). Handlers may be coroutine functions;
        an exception they raise is logged and stops nothing.
        """
        if handler is None:
            handler, event_type = event_type, None
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {handler!r}")
        self._callbacks.append((event_type, handler))

    def _matches(self, event_type: Any, event: JanusEvent) -> bool:
        """Whether ``event`` is of ``event_type``; subclasses add their enum types."""
        if event_type is None:
            return True
        if isinstance(event_type, type):
            return isinstance(event, event_type)
        return False

    async def _process_event(self, event: JanusEvent) -> None:
        """Hook for subclasses: update state from an event (runs before callbacks)."""

    async def on_receive(self, response: dict[str, Any]) -> None:
        """0.9.x hook: called with the raw message of every event. Default: nothing."""

    async def _dispatch(self, event: JanusEvent) -> None:
        try:
            await self._process_event(event)
        except Exception:
            logger.exception("%s failed to process %r", type(self).__name__, event)
        for event_type, handler in list(self._callbacks):
            if not self._matches(event_type, event):
                continue
            try:
                result = handler(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("event handler %r of %s raised", handler, type(self).__name__)
        try:
            await self.on_receive(event.raw)
        except Exception:
            logger.exception("%s.on_receive raised", type(self).__name__)
