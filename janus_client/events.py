"""Typed events: frozen dataclasses for what Janus sends without being asked.

Core events (`WebRTCUpEvent`, `MediaEvent`, `SlowLinkEvent`, `HangupEvent`,
`DetachedEvent`, `TrickleEvent`) concern a handle's PeerConnection;
`PluginEvent` carries a plugin's own event data and optional JSEP;
`SessionTimeoutEvent` tells that Janus expired the session.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .protocol import Incoming, MessageKind, RedactedReprDict, plugin_data

__all__ = [
    "ConnectionState",
    "ConnectionStateEvent",
    "DetachedEvent",
    "HangupEvent",
    "JanusEvent",
    "MediaEvent",
    "MediaKind",
    "PluginEvent",
    "SessionTimeoutEvent",
    "SlowLinkEvent",
    "TrickleEvent",
    "WebRTCUpEvent",
    "event_from_incoming",
    "plugin_event_fields",
    "plugin_event_type",
]

_Kind = TypeVar("_Kind", bound=enum.Enum)


class MediaKind(str, enum.Enum):
    """A kind of media on a peer connection."""

    AUDIO = "audio"
    VIDEO = "video"
    DATA = "data"


@dataclass(frozen=True, kw_only=True)
class JanusEvent:
    """Base of every event.

    Attributes:
        session_id: The session the event belongs to.
        handle_id: The handle (``sender``) it comes from, or None for session events.
        raw: The message as Janus sent it.
    """

    session_id: int | None = None
    handle_id: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class WebRTCUpEvent(JanusEvent):
    """The handle's PeerConnection is up (ICE and DTLS completed)."""


@dataclass(frozen=True, kw_only=True)
class MediaEvent(JanusEvent):
    """Janus started or stopped receiving a medium on the PeerConnection.

    Attributes:
        type: ``"audio"``, ``"video"`` or ``"data"``.
        receiving: Whether Janus is now receiving it.
        mid: The m-line's mid, when Janus gives it.
        seconds: For a stop, how long without media triggered it, when given.
    """

    type: str | None = None
    receiving: bool = False
    mid: str | None = None
    seconds: int | None = None


@dataclass(frozen=True, kw_only=True)
class SlowLinkEvent(JanusEvent):
    """Janus saw many NACKs on the PeerConnection.

    Attributes:
        uplink: True when the problem is on packets Janus receives from us.
        media: ``"audio"`` or ``"video"``.
        mid: The m-line's mid, when given.
        lost: Packets lost in the last interval.
    """

    uplink: bool = False
    media: str | None = None
    mid: str | None = None
    lost: int = 0


@dataclass(frozen=True, kw_only=True)
class HangupEvent(JanusEvent):
    """The handle's PeerConnection was closed.

    Attributes:
        reason: Why, as Janus says it (``"DTLS alert"``, ``"Close PC"``, ...).
    """

    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class DetachedEvent(JanusEvent):
    """The handle was detached from its plugin (by us, the plugin or an admin)."""


@dataclass(frozen=True, kw_only=True)
class TrickleEvent(JanusEvent):
    """Janus trickled an ICE candidate to us.

    Attributes:
        candidate: The candidate object (``candidate``, ``sdpMid``, ``sdpMLineIndex``),
            or None when ``completed`` is True.
        completed: True when Janus has no more candidates.
    """

    candidate: dict[str, Any] | None = None
    completed: bool = False


@dataclass(frozen=True, kw_only=True)
class PluginEvent(JanusEvent):
    """An event from the plugin a handle is attached to.

    Attributes:
        plugin: The plugin package name.
        data: The plugin's event data (``plugindata.data``).
        jsep: The JSEP offer or answer attached to the event, if any.
        transaction: The transaction this event answers, when it answers one.
    """

    plugin: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    jsep: dict[str, Any] | None = None
    transaction: str | None = None

    def __post_init__(self) -> None:
        # repr() (tracebacks, log lines) shows the SDP's size, never its body.
        if self.jsep is not None and type(self.jsep) is not RedactedReprDict:
            object.__setattr__(self, "jsep", RedactedReprDict(self.jsep))


def plugin_event_fields(event: PluginEvent) -> dict[str, Any]:
    """Return the fields a plugin's typed event copies from the `PluginEvent` it types.

    A plugin's ``from_plugin_event`` passes them on to its ``from_data``:
    ``plugin``, ``transaction``, ``session_id``, ``handle_id`` and ``raw``.

    Args:
        event: The untyped plugin event.
    """
    return {
        "plugin": event.plugin,
        "transaction": event.transaction,
        "session_id": event.session_id,
        "handle_id": event.handle_id,
        "raw": event.raw,
    }


def plugin_event_type(
    data: Mapping[str, Any],
    field_name: str,
    kinds: type[_Kind],
    event_keys: Iterable[tuple[str, _Kind]],
) -> _Kind:
    """Tell the kind of a room plugin's event from its data.

    Janus' room plugins (AudioBridge, VideoRoom) name most events in one field
    (``"videoroom": "joined"``) and send the others as ``"event"``, told apart by
    the first of some keys present; an ``"event"`` carrying ``error_code`` or
    ``error`` is an error.

    Args:
        data: The plugin's event data.
        field_name: The field that names the event (``"audiobridge"``, ``"videoroom"``).
        kinds: The plugin's event-type enum; it must have ``ERROR`` and ``EVENT``
            members (``EVENT``: any other event).
        event_keys: For ``"event"``: each key and the kind it tells, in order.

    Returns:
        The kind: the enum member named by the field, the one of the first key
        present, ``ERROR``, or ``EVENT`` when nothing else matches.
    """
    kind = data.get(field_name)
    if kind == "event":
        if "error_code" in data or "error" in data:
            return kinds["ERROR"]
        for key, event_type in event_keys:
            if key in data:
                return event_type
        return kinds["EVENT"]
    try:
        return kinds(kind)
    except ValueError:
        return kinds["EVENT"]


class ConnectionState(str, enum.Enum):
    """The state of a transport's connection, as seen by its sessions."""

    DISCONNECTED = "disconnected"
    """The connection dropped; calls in flight failed."""
    RECONNECTING = "reconnecting"
    """An attempt to reconnect is about to start."""
    RECONNECTED = "reconnected"
    """Connected again and the session reclaimed: its handles work again."""
    LOST = "lost"
    """Reconnecting or reclaiming failed: the session is lost."""


@dataclass(frozen=True, kw_only=True)
class ConnectionStateEvent(JanusEvent):
    """The connection under a session changed state (see `ReconnectPolicy`).

    Attributes:
        state: The new state.
        attempt: The reconnection attempt number (0 when not reconnecting).
        error: What went wrong, when the change is a failure.
    """

    state: ConnectionState = ConnectionState.DISCONNECTED
    attempt: int = 0
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class SessionTimeoutEvent(JanusEvent):
    """Janus destroyed the session because no keepalive or request reached it in time."""


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def event_from_incoming(msg: Incoming) -> JanusEvent | None:
    """Build the typed event for a classified message, or None if it is not an event."""
    body = msg.body
    common: dict[str, Any] = {"session_id": msg.session_id, "handle_id": msg.sender, "raw": body}
    kind = msg.kind
    if kind is MessageKind.EVENT:
        plugin, data = plugin_data(body)
        jsep = body.get("jsep")
        return PluginEvent(
            plugin=plugin,
            data=data,
            jsep=dict(jsep) if isinstance(jsep, dict) else None,
            transaction=msg.transaction,
            **common,
        )
    if kind is MessageKind.WEBRTCUP:
        return WebRTCUpEvent(**common)
    if kind is MessageKind.MEDIA:
        seconds = body.get("seconds")
        return MediaEvent(
            type=_str(body.get("type")),
            receiving=bool(body.get("receiving")),
            mid=_str(body.get("mid")),
            seconds=_int(seconds) if seconds is not None else None,
            **common,
        )
    if kind is MessageKind.SLOWLINK:
        return SlowLinkEvent(
            uplink=bool(body.get("uplink")),
            media=_str(body.get("media")),
            mid=_str(body.get("mid")),
            lost=_int(body.get("lost")),
            **common,
        )
    if kind is MessageKind.HANGUP:
        return HangupEvent(reason=_str(body.get("reason")), **common)
    if kind is MessageKind.DETACHED:
        return DetachedEvent(**common)
    if kind is MessageKind.TRICKLE:
        cand = body.get("candidate")
        if isinstance(cand, dict) and cand.get("completed") is True:
            return TrickleEvent(candidate=None, completed=True, **common)
        return TrickleEvent(candidate=dict(cand) if isinstance(cand, dict) else None, **common)
    if kind is MessageKind.TIMEOUT:
        return SessionTimeoutEvent(**common)
    return None
