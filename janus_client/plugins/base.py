"""`JanusPlugin`: the base of every plugin class, a thin layer over `JanusHandle`."""

from __future__ import annotations

import enum
import inspect
import logging
from collections import deque
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .._dispatch import Callback, EventDispatcher, EventStream
from ..config import Timeouts, resolve_timeout
from ..errors import InvalidStateError, MediaUnavailableError, PluginError
from ..events import JanusEvent, PluginEvent
from ..handle import JanusHandle, PluginResponse
from ..validate import enforce_typed
from ._compat_events import CompatHandler, split_on_event_args
from .declare import RequestSpec, SendsSpec, collect_requests

if TYPE_CHECKING:
    from aiortc import RTCConfiguration, RTCPeerConnection

    from ..message_transaction import MessageTransaction
    from ..session import JanusSession
    from ..webrtc import JanusPeerConnection

__all__ = ["JanusPlugin", "typed_fields"]

logger = logging.getLogger("janus_client")


def _check_pc_config(value: object) -> None:
    # Checked by class name: aiortc is optional and not imported here.
    if value is not None and type(value).__name__ != "RTCConfiguration":
        raise TypeError(f"pc_config must be an aiortc.RTCConfiguration, got {type(value).__name__}")


def _leave_track(track: object) -> None:
    """Track callback that leaves remote tracks to the 0.9.x code's own handlers."""


def typed_fields(fields: Iterable[tuple[str, object, type]]) -> dict[str, Any]:
    """Build a request body from ``(key, value, type)`` triples, checking each value.

    None values are left out; an ``int`` field refuses bools and negative numbers.

    Raises:
        TypeError: A value has the wrong type (the message names the key).
        ValueError: A number is negative.
    """
    body: dict[str, Any] = {}
    for key, value, kind in fields:
        if enforce_typed(value, name=key, kind=kind) is not None:
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

    #: The Janus plugin package name, read when the plugin attaches (0.9.x code may
    #: also set it on an instance before attaching).
    name: str = ""
    #: The exception class raised for this plugin's errors.
    error_class: ClassVar[type[PluginError]] = PluginError
    #: The plugin's typed event class: plugin events are turned into it with its
    #: ``from_plugin_event`` classmethod before anyone sees them (None: no conversion).
    event_class: ClassVar[Any] = None
    #: The plugin's event-type enum: its members (or their string values) select
    #: events of that ``type`` in `on_event`.
    event_types: ClassVar[type[enum.Enum] | None] = None
    #: How many events the plugin keeps from attach until the first `events` call
    #: (they are replayed to that stream); older ones are dropped and counted in
    #: `events_dropped`.
    event_buffer: ClassVar[int] = 256
    #: Janus request name → the method that sends it (built from the class's
    #: `request`/`sends` declarations, plus any explicit entries; read by
    #: `janus_client.coverage`).
    requests: ClassVar[dict[str, str]] = {}
    #: Janus request name → its declaration (`RequestSpec` for declared requests,
    #: `SendsSpec` for hand-written methods); the docs' coverage table reads it.
    request_specs: ClassVar[dict[str, RequestSpec | SendsSpec]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.requests, cls.request_specs = collect_requests(cls)

    def __init__(
        self, pc_config: RTCConfiguration | None = None, *, name: str | None = None
    ) -> None:
        if name is not None:
            if not isinstance(name, str) or not name:
                raise ValueError(f"name must be a plugin package name, got {name!r}")
            self.name = name
        if pc_config is not None:
            _check_pc_config(pc_config)
        self._pc_config = pc_config
        self._handle: JanusHandle | None = None
        self._callbacks: list[tuple[tuple[Any, ...], Callback]] = []
        self._hub: EventDispatcher[JanusEvent] | None = None
        self._backlog: deque[JanusEvent] | None = None
        self._dropped = 0
        self._pc: JanusPeerConnection | None = None
        self._last_pc: JanusPeerConnection | None = None
        # The handle whose `destroy` closed the media just before detaching it: its
        # close hook need not close it again (reset when media is opened again).
        self._media_closed_for: JanusHandle | None = None

    @property
    def plugin_name(self) -> str:
        """The plugin package this object attaches (attaching reads `name` then)."""
        handle = self._handle
        if handle is not None and not handle.closed:
            return handle.plugin
        return self.name

    @property
    def pc_config(self) -> RTCConfiguration | None:
        """The `aiortc.RTCConfiguration` of the peer connections this plugin creates."""
        return self._pc_config

    @pc_config.setter
    def pc_config(self, value: RTCConfiguration | None) -> None:
        _check_pc_config(value)
        self._pc_config = value

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
    def id(self) -> int | None:
        """The handle id, or None when not attached (as in 0.9.x)."""
        handle = self._handle
        return handle.handle_id if handle is not None and not handle.closed else None

    @property
    def handle_id(self) -> int | None:
        """The handle id, or None when not attached (the name handles and events use)."""
        return self.id

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
        if self._handle is not None and not self._handle.closed:
            raise InvalidStateError(
                f"Plugin already attached to session: {type(self).__name__} has handle {self.id}"
            )
        name = self.name
        if not isinstance(name, str) or not name:
            raise ValueError(f"{type(self).__name__} needs a plugin name (set `name`)")
        handle = await session.attach(name, opaque_id=opaque_id, timeout=timeout)
        handle.error_class = self.error_class  # before any reply or event reaches it
        self._handle = handle
        self._hub = None  # made by the first `events()`; until then events wait in the backlog
        self._backlog = deque()
        self._dropped = 0
        self._media_closed_for = None
        session.register_plugin(handle.handle_id, self)
        # Events are fetched (HTTP long-poll) once something can produce them or
        # someone listens: callbacks added before attach, a 0.9.x `on_receive`.
        handle.add_listener(self._dispatch)
        if self._callbacks or type(self).on_receive is not JanusPlugin.on_receive:
            session.want_events()
        handle.add_close_hook(self._release_on_close)
        self._attached()

    def _attached(self) -> None:
        """Hook: the plugin has just attached (`handle` is set); set up its state.

        Runs at the end of `attach`, after the base class's close hooks were added;
        a plugin can add its own there (``self.handle.add_close_hook(...)``).
        """

    async def _release_on_close(self) -> None:
        """The base class's close hook: close the media, then end the event streams.

        The media is not closed a second time when `destroy` closed it just before
        detaching (and nothing opened media since).
        """
        closed_for, self._media_closed_for = self._media_closed_for, None
        if closed_for is None or closed_for is not self._handle:
            await self._close_media()
        if self._hub is not None:
            await self._close_events()
        else:
            self._backlog = None

    async def _close_events(self) -> None:
        """End the plugin's event streams when its handle closes."""
        hub, self._hub = self._hub, None
        self._backlog = None
        if hub is not None:
            await hub.aclose()

    async def __aenter__(self) -> JanusPlugin:
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Leaving ``async with plugin:`` releases it (`destroy`)."""
        if self._handle is not None and not self._handle.closed:
            await self.destroy()

    async def destroy(self, *, timeout: float | None = None) -> None:
        """Release the plugin: close its media, then detach its handle (idempotent)."""
        handle = self._handle
        try:
            await self._close_media()
            # For `_release_on_close` during the detach below (if the handle is
            # closed already, no hook runs and the next attach resets this).
            self._media_closed_for = handle
        finally:
            if handle is not None:
                await handle.detach(timeout=timeout)

    async def detach(self, *, timeout: float | None = None) -> None:
        """Same as `destroy`."""
        await self.destroy(timeout=timeout)

    async def _close_media(self) -> None:
        """Close the plugin's peer connection (subclasses add their media). Must not raise."""
        try:
            await self._close_pc()
        except Exception:
            logger.exception("closing the peer connection of %s failed", type(self).__name__)

    # ------------------------------------------------------------------ WebRTC
    @property
    def peer_connection(self) -> JanusPeerConnection | None:
        """The current `JanusPeerConnection` (our wrapper), or None when there is none."""
        return self._pc

    @property
    def peer(self) -> JanusPeerConnection:
        """The current `JanusPeerConnection`: tracks, data channels, stats.

        Raises:
            InvalidStateError: There is none (no media started, or it was closed).
        """
        if self._pc is None or self._pc.closed:
            raise InvalidStateError(f"{type(self).__name__} has no open peer connection")
        return self._pc

    def _make_pc(self) -> JanusPeerConnection:
        try:
            from .. import webrtc
        except MediaUnavailableError:
            raise
        except ImportError as exc:  # pragma: no cover - defensive
            raise MediaUnavailableError() from exc
        pc: JanusPeerConnection = webrtc.JanusPeerConnection(self._pc_config)
        return pc

    @property
    def pc(self) -> RTCPeerConnection:
        """The aiortc `RTCPeerConnection` of this plugin (0.9.x API).

        Created on first use with `pc_config`, and kept (also once closed, as in
        0.9.x) until `reset_connection` or a new call replaces it. 0.9.x code adds
        tracks, creates offers and registers ``@plugin.pc.on("track")`` on it.
        The plugin closes it on `destroy`. `peer` is the same connection wrapped
        with the library's helpers.

        Raises:
            MediaUnavailableError: The ``media`` extra is not installed.
        """
        peer = self._pc if self._pc is not None else self._last_pc
        if peer is None:
            peer = self._make_pc()
            peer.on_track(_leave_track)  # 0.9.x code consumes the tracks itself
            self._pc = peer
            self._media_closed_for = None
        return peer.pc

    async def reset_connection(self) -> None:
        """Close the peer connection and create a new one with `pc_config` (0.9.x API)."""
        await self._close_pc()
        self._last_pc = None
        peer = self._make_pc()
        peer.on_track(_leave_track)
        self._pc = peer
        self._media_closed_for = None

    async def _close_pc(self) -> None:
        pc, self._pc = self._pc, None
        if pc is not None:
            self._last_pc = pc
            await pc.close()
        elif self._last_pc is not None:
            # Another task may be closing it (a hangup event while we hang up):
            # return once that close has ended (its recorder's file is complete).
            await self._last_pc.close()

    async def create_jsep(self, pc: RTCPeerConnection, trickle: bool = False) -> dict[str, Any]:
        """Return ``pc``'s local description as a JSEP dict (0.9.x API).

        Args:
            pc: The peer connection (after ``setLocalDescription``).
            trickle: The JSEP's ``trickle`` flag (aiortc gathers every candidate
                into the SDP, so False is the usual value).

        Raises:
            InvalidStateError: ``pc`` has no local description yet.
        """
        description = pc.localDescription
        if description is None:
            raise InvalidStateError("create_jsep: the peer connection has no local description")
        return {"sdp": description.sdp, "trickle": trickle, "type": description.type}

    async def on_receive_jsep(self, jsep: dict[str, Any]) -> None:
        """Set a JSEP from Janus as the remote description of `pc` (0.9.x API).

        Raises:
            InvalidStateError: The peer connection is closed (``Received JSEP when
                PeerConnection is closed``).
            ValueError: ``jsep`` has no string ``sdp`` and ``type``.
        """
        pc = self.pc
        if pc.signalingState == "closed":
            raise InvalidStateError(
                "Received JSEP when PeerConnection is closed: call reset_connection() first"
            )
        sdp, kind = jsep.get("sdp"), jsep.get("type")
        if not isinstance(sdp, str) or not isinstance(kind, str):
            raise ValueError("jsep needs a string 'sdp' and 'type'")
        from aiortc import RTCSessionDescription

        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))

    def _deadline(
        self, timeout: float | None, kind: Literal["connect", "request", "close"] = "request"
    ) -> float:
        """Check a ``timeout=`` argument; None gives the session's `Timeouts` ``kind``."""
        timeouts = self.session.timeouts if self.attached else Timeouts()
        return resolve_timeout(timeout, getattr(timeouts, kind))

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
        self._check_body(body)
        return await self.handle.send(body, jsep, wait=wait, timeout=timeout)

    async def request(
        self, body: Mapping[str, Any], *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Send a synchronous plugin request and return its data; see `JanusHandle.request`."""
        self._check_body(body)
        return await self.handle.request(body, timeout=timeout)

    def _check_body(self, body: Mapping[str, Any]) -> None:
        """Hook: check a body given to `message`/`request` before it is sent (raise)."""

    def _reply_fields(self, reply: PluginResponse) -> dict[str, Any]:
        """The `PluginEvent` fields of an event that answered one of our requests.

        ``plugin`` and ``raw`` come from the reply, ``session_id`` and ``handle_id``
        from our handle (left out when detached): the ``**common`` keyword arguments
        of a typed event's ``from_data(data, jsep, **common)``.
        """
        return {"plugin": reply.plugin or self.plugin_name, "raw": reply.raw, **self._handle_ids()}

    def _handle_ids(self) -> dict[str, Any]:
        """``session_id`` and ``handle_id`` for an event of our handle (none when detached)."""
        handle = self._handle
        if handle is None:
            return {}
        return {"session_id": handle.session.session_id, "handle_id": handle.handle_id}

    async def _send_declared(
        self, spec: RequestSpec, body: dict[str, Any], *, timeout: float | None
    ) -> dict[str, Any]:
        """Send a declared request's checked body and return the reply's data.

        ``"sync"`` requests go through `request`, ``"async"`` ones through `message`
        (their data is the plugin's event). A plugin that carries some requests
        elsewhere (TextRoom's data channel) overrides this.
        """
        if spec.mode == "sync":
            return await self.request(body, timeout=timeout)
        reply = await self.message(body, timeout=timeout)
        return reply.data

    async def send(self, message: dict[str, Any]) -> MessageTransaction:
        """Send a raw Janus message on this handle; return its `MessageTransaction` (0.9.x).

        ``message`` is a whole Janus request such as ``{"janus": "message", "body":
        {...}}``; transaction and ids are filled in (a ``handle_id`` in it is
        replaced). Replies with its transaction go to the returned object;
        ``await tx.get(matcher)`` then ``await tx.done()``. New code uses `message`.

        Raises:
            InvalidStateError: Not attached (``Plugin not attached to session``).
        """
        if not self.attached:
            raise InvalidStateError(f"Plugin not attached to session: {type(self).__name__}")
        handle = self.handle
        if isinstance(message, dict):
            message.pop("handle_id", None)
        return await handle.session.send(message, handle.handle_id)

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
        """Async iterator over this plugin's events (optionally of the given classes).

        Events come typed (the plugin's `event_class` where it has one), after the
        plugin has acted on them. The first call also yields the events that arrived
        since attach (up to `event_buffer` of them; see `events_dropped`), so none is
        lost between ``attach``/``join`` and the first ``events()``.

        Raises:
            InvalidStateError: Not attached.
        """
        self.handle.session.want_events()  # raises InvalidStateError when not attached
        hub = self._hub
        if hub is None:  # the first stream since attach
            hub = self._hub = EventDispatcher(f"{type(self).__name__}-{self.handle.handle_id}")
        stream = hub.stream(types)
        backlog, self._backlog = self._backlog, None
        for event in backlog or ():
            stream.offer(event)
        return stream

    @property
    def events_dropped(self) -> int:
        """How many events the attach-time buffer dropped (it keeps `event_buffer`)."""
        return self._dropped

    def on_event(self, event_type: Any, handler: Any = None, *types: Any) -> None:
        """Call ``callback(event)`` for each event, or for the given kinds only.

        The order is the one of `JanusHandle.on_event` and `JanusSession.on_event`:
        callback first, then any number of kinds, each an event class (such as
        `WebRTCUpEvent`) or a member of the plugin's `event_types` enum (or its
        string value), matched against the typed event's ``type``. Callbacks may be
        coroutine functions; an exception they raise is logged and stops nothing.
        They may be added before attaching.

        janus-client 0.9.x's ``on_event(EventType, handler)`` still works (hence
        the parameter names, kept for 0.9.x keyword calls): with an enum member (or
        its string) the handler gets the event's 0.9.x dict.

        Raises:
            TypeError: The callback is not callable, or a kind is not an event class
                or event type.
            ValueError: A string that names none of the plugin's event types.
        """
        args = (event_type,) if handler is None else (event_type, handler)
        callback, kinds, old_order = split_on_event_args(args[0], args[1:] + types)
        if not callable(callback):
            raise TypeError(f"handler must be callable, got {callback!r}")
        selectors = tuple(self._selector(kind) for kind in kinds)
        if old_order and any(isinstance(kind, enum.Enum) for kind in selectors):
            callback = CompatHandler(callback)
        self._callbacks.append((selectors, callback))
        handle = self._handle
        if handle is not None and not handle.closed:
            handle.session.want_events()

    def remove_callback(self, callback: Callback) -> None:
        """Stop calling a callback added with `on_event` (0.9.x handlers too)."""
        self._callbacks = [
            (kinds, cb)
            for kinds, cb in self._callbacks
            if cb != callback and getattr(cb, "handler", None) != callback
        ]

    def _selector(self, kind: Any) -> Any:
        enum_cls = self.event_types
        if isinstance(kind, type) or (enum_cls is not None and isinstance(kind, enum_cls)):
            return kind
        if isinstance(kind, str) and enum_cls is not None:
            try:
                return enum_cls(kind)
            except ValueError:
                label = enum_cls.__name__.removesuffix("EventType")
                raise ValueError(f"unknown {label} event type {kind!r}") from None
        return kind  # 0.9.x code may pass any marker: it matches no event

    def _matches(self, kinds: tuple[Any, ...], event: JanusEvent) -> bool:
        """Whether ``event`` is of one of ``kinds`` (every event when there are none)."""
        if not kinds:
            return True
        for kind in kinds:
            if isinstance(kind, type):
                if isinstance(event, kind):
                    return True
            elif isinstance(kind, enum.Enum) and getattr(event, "type", None) is kind:
                return True
        return False

    def _typed(self, event: JanusEvent) -> JanusEvent:
        """Turn a generic plugin event into the plugin's `event_class`, if it has one."""
        cls = self.event_class
        if cls is not None and isinstance(event, PluginEvent) and not isinstance(event, cls):
            convert = getattr(cls, "from_plugin_event", None)
            if convert is not None:
                return convert(event) or event
        return event

    async def _process_event(self, event: JanusEvent) -> None:
        """Hook for subclasses: update state from an event (runs before callbacks)."""

    async def on_receive(self, response: dict[str, Any]) -> None:
        """0.9.x hook: called with the raw message of every event. Default: nothing."""

    async def _dispatch(self, event: JanusEvent) -> None:
        event = self._typed(event)
        try:
            await self._process_event(event)
        except Exception:
            logger.exception("%s failed to process %r", type(self).__name__, event)
        self._publish(event)
        await self._run_callbacks(event)
        try:
            await self.on_receive(event.raw)
        except Exception:
            logger.exception("%s.on_receive raised", type(self).__name__)

    async def _run_callbacks(self, event: JanusEvent, *, by_type_only: bool = False) -> None:
        """Run the `on_event` callbacks that match ``event``.

        With ``by_type_only``, only those registered for an event-type enum member
        (VideoRoom runs them on its request replies too, as 0.9.x did).
        """
        for kinds, handler in list(self._callbacks):
            if by_type_only and not any(isinstance(kind, enum.Enum) for kind in kinds):
                continue
            if not self._matches(kinds, event):
                continue
            try:
                result = handler(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("event handler %r of %s raised", handler, type(self).__name__)

    def _publish(self, event: JanusEvent) -> None:
        """Give ``event`` to the plugin's streams and to the attach-time buffer."""
        hub = self._hub
        if hub is not None:
            hub.publish(event)
        backlog = self._backlog
        if backlog is not None:
            if len(backlog) >= self.event_buffer:
                backlog.popleft()
                self._dropped += 1
            backlog.append(event)
