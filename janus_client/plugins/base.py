"""`JanusPlugin`: the base of every plugin class, a thin layer over `JanusHandle`."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .._dispatch import Callback, EventStream
from ..errors import InvalidStateError, MediaUnavailableError, PluginError
from ..events import JanusEvent
from ..handle import JanusHandle, PluginResponse

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

    #: The Janus plugin package name, read when the plugin attaches (0.9.x code may
    #: also set it on an instance before attaching).
    name: str = ""
    #: The exception class raised for this plugin's errors.
    error_class: ClassVar[type[PluginError]] = PluginError

    def __init__(
        self, pc_config: RTCConfiguration | None = None, *, name: str | None = None
    ) -> None:
        if name is not None:
            if not isinstance(name, str) or not name:
                raise ValueError(f"name must be a plugin package name, got {name!r}")
            self.name = name
        _check_pc_config(pc_config)
        self._pc_config = pc_config
        self._handle: JanusHandle | None = None
        self._callbacks: list[tuple[Any, Callback]] = []
        self._pc: JanusPeerConnection | None = None
        self._last_pc: JanusPeerConnection | None = None

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
            raise InvalidStateError(
                f"Plugin already attached to session: {type(self).__name__} has handle {self.id}"
            )
        name = self.name
        if not isinstance(name, str) or not name:
            raise ValueError(f"{type(self).__name__} needs a plugin name (set `name`)")
        handle = await session._attach_handle(
            name, opaque_id=opaque_id, timeout=timeout, error_class=self.error_class
        )
        self._handle = handle
        session._register_plugin(handle.handle_id, self)
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
        return peer.pc

    async def reset_connection(self) -> None:
        """Close the peer connection and create a new one with `pc_config` (0.9.x API)."""
        await self._close_pc()
        self._last_pc = None
        peer = self._make_pc()
        peer.on_track(_leave_track)
        self._pc = peer

    async def _close_pc(self) -> None:
        pc, self._pc = self._pc, None
        if pc is not None:
            self._last_pc = pc
            await pc.close()

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
