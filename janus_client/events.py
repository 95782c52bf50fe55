"""Typed events: frozen dataclasses for what Janus sends without being asked.

Core events (`WebRTCUpEvent`, `MediaEvent`, `SlowLinkEvent`, `HangupEvent`,
`DetachedEvent`, `TrickleEvent`) concern a handle's PeerConnection;
`PluginEvent` carries a plugin's own event data and optional JSEP;
`SessionTimeoutEvent` tells that Janus expired the session.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

from .protocol import Incoming, MessageKind, RedactedReprDict, plugin_data
from .validate import RoomId, opt_bool, opt_id, opt_int, opt_str

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
    "TypedPluginEvent",
    "TypedResult",
    "WebRTCUpEvent",
    "event_from_incoming",
    "plugin_event_fields",
    "plugin_event_type",
    "read_fields",
    "result_object",
]

_Kind = TypeVar("_Kind", bound=enum.Enum)
_Typed = TypeVar("_Typed", bound="TypedPluginEvent")
_Result = TypeVar("_Result", bound="TypedResult")


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


def result_object(data: Mapping[str, Any], key: str = "result") -> Mapping[str, Any]:
    """Return the ``result`` object of a plugin's data, or an empty mapping.

    Most plugins (Streaming, Record&Play, VideoCall, SIP, NoSIP) put an event's
    or a reply's details in ``result``; some put a string there instead
    (Record&Play's ``"done"``), which gives the empty mapping too.

    Args:
        data: The plugin's data (``plugindata.data``).
        key: The object's key, when it is not ``result`` (``stream``, ``settings``).
    """
    value = data.get(key)
    return value if isinstance(value, (dict, Mapping)) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _object(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, (dict, Mapping)) else {}


# The lenient reader of each field annotation `read_fields` knows.
_READERS: tuple[tuple[object, Callable[[Any], Any]], ...] = (
    (str | None, opt_str),
    (int | None, opt_int),
    (bool | None, opt_bool),
    (RoomId | None, opt_id),
    (str, _text),
    (bool, bool),
    (dict[str, Any], _object),
)


# Each field `read_fields` reads: its name, its key, the keys to try first (None: just
# the key), its reader (None: none), its type.
_Step = tuple[str, str, "tuple[str, ...] | None", Callable[[Any], Any] | None, object]
_Plan = tuple[_Step, ...]
_PLANS: dict[type[Any], _Plan] = {}
_KEYED_PLANS: dict[type[Any], _Plan] = {}


def _plan(cls: type[Any], keys: Mapping[str, str | tuple[str, ...]] | None) -> _Plan:
    # Cached for no keys and for the class's own `field_keys` (the usual calls).
    if keys and keys is not getattr(cls, "field_keys", None):
        return _renamed(_plan(cls, None), keys)
    cache = _KEYED_PLANS if keys else _PLANS
    plan = cache.get(cls)
    if plan is None:
        plan = cache[cls] = _renamed(_plan(cls, None), keys) if keys else _read_plan(cls)
    return plan


def _renamed(plan: _Plan, keys: Mapping[str, str | tuple[str, ...]]) -> _Plan:
    steps: list[_Step] = []
    for name, _, _, read, hint in plan:
        key = keys.get(name, name)
        if isinstance(key, tuple):
            steps.append((name, key[0], key, read, hint))
        else:
            steps.append((name, key, None, read, hint))
    return tuple(steps)


def _read_plan(cls: type[Any]) -> _Plan:
    hints = typing.get_type_hints(cls)
    envelope = {f.name for f in fields(PluginEvent)} if issubclass(cls, PluginEvent) else set()
    plan: list[_Step] = []
    for f in fields(cls):
        if not f.init or f.name == "raw" or f.name in envelope:
            continue
        hint = hints[f.name]
        reader = f.metadata.get("reader") or next(
            (read for kind, read in _READERS if kind == hint), None
        )
        plan.append((f.name, f.name, None, reader, hint))
    return tuple(plan)


def read_fields(
    cls: type[Any],
    data: Mapping[str, Any],
    keys: Mapping[str, str | tuple[str, ...]] | None = None,
    /,
    **given: Any,
) -> dict[str, Any]:
    """Read the fields of a typed result or event class from a reply's data.

    Each field of the dataclass ``cls`` is read from the key of its name and
    converted leniently by its annotation, as Janus' replies need: ``str |
    None``, ``int | None``, ``bool | None`` and ``RoomId | None`` keep a value
    of that type and give None otherwise (an int is never a bool); ``str``
    gives ``""`` for a missing one; ``bool`` is the value's truth; ``dict[str,
    Any]`` copies a mapping and gives ``{}`` otherwise; a field declared with
    ``field(metadata={"reader": func})`` is read with ``func(value)``. The fields
    in ``given`` are taken as given; ``raw`` and, for a `PluginEvent`, the fields it inherits
    (``data``, ``jsep``, ``session_id``, ...) are not read.

    ```python
    @classmethod
    def from_data(cls, item: Mapping[str, Any]) -> Recording:
        return cls(**read_fields(cls, item, raw=dict(item)))
    ```

    Args:
        cls: The dataclass.
        data: The JSON object the fields are in.
        keys: For the fields whose key is not their name: field name -> key, or
            several keys (the first one present is read).
        **given: Fields read otherwise; they are returned as they are.

    Returns:
        The keyword arguments that build ``cls``.

    Raises:
        TypeError: A field to read has an annotation with no reader here (read
            it yourself and pass it in ``given``).
    """
    for name, key, first, reader, hint in _plan(cls, keys):
        if name in given:
            continue
        if reader is None:
            raise TypeError(f"{cls.__name__}.{name}: no reader for {hint!r}; give it")
        if first is not None:
            key = next((k for k in first if k in data), key)
        given[name] = reader(data.get(key))
    return given


_ENVELOPE_PLANS: dict[type[Any], tuple[tuple[str, Callable[[Any], Any] | None], ...]] = {}


def _envelope_plan(cls: type[Any]) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    # A typed event's fields read beside the others: ``result`` (reader None: the
    # source copied) and the errors, from the data itself.
    plan = _ENVELOPE_PLANS.get(cls)
    if plan is None:
        plan = _ENVELOPE_PLANS[cls] = tuple(
            (name, None if name == "result" else reader)
            for name, _, _, reader, _ in _plan(cls, None)
            if name == "result" or (name in ("error_code", "error") and reader is not None)
        )
    return plan


def _source(
    cls: type[TypedResult] | type[TypedPluginEvent], data: Mapping[str, Any]
) -> Mapping[str, Any]:
    # The object a typed result's or event's fields are read from.
    return data if cls.source_key is None else result_object(data, cls.source_key)


@dataclass(frozen=True)
class TypedResult:
    """Base of a plugin's typed result (a reply's data), its fields read by `read_fields`.

    A subclass lists its fields; `from_data` reads them from the data itself,
    or from its `source_key` object, by name and annotation,
    renamed by `field_keys`, and keeps the data in ``raw``; `extra_fields`
    reads those that take more.

    ```python
    @dataclass(frozen=True)
    class Recording(TypedResult):
        id: int | None
        name: str | None = None
        audio: bool = False
    ```

    Attributes:
        raw: The plugin data as Janus sent it (keyword-only).
    """

    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, kw_only=True)

    #: The key of the data's object the fields are read from; None: the data itself.
    source_key: ClassVar[str | None] = None
    #: For the fields whose key is not their name: field name -> key(s) (see `read_fields`).
    field_keys: ClassVar[Mapping[str, str | tuple[str, ...]]] = {}

    @classmethod
    def extra_fields(cls, data: Mapping[str, Any], source: Mapping[str, Any]) -> dict[str, Any]:
        """Return the fields read otherwise than by name and annotation (none here).

        Args:
            data: The plugin's data.
            source: The object the fields are read from (see `source_key`).
        """
        return {}

    @classmethod
    def from_data(cls: type[_Result], data: Mapping[str, Any]) -> _Result:
        """Build it from the plugin's data (or from one item of a list in it).

        Args:
            data: The JSON object.
        """
        source = _source(cls, data)
        given = cls.extra_fields(data, source)
        return cls(**read_fields(cls, source, cls.field_keys, raw=dict(data), **given))


@dataclass(frozen=True, kw_only=True)
class TypedPluginEvent(PluginEvent):
    """Base of a plugin's typed event, its fields read from the plugin's data.

    A subclass declares its fields (the kind in ``type``, often ``result``) and
    how its kind is told: by default, the `kinds` member named by the
    `kind_key` of the `source_key` object (``result.event``); or it overrides
    `kind_of`. `from_plugin_event` and `from_data` then build it with
    `read_fields`: ``error_code`` and ``error`` from the data itself (where
    Janus puts a plugin's errors), ``result`` as a copy of the `source_key`
    object, the other fields from that object, renamed by `field_keys`; `extra_fields`
    reads those that take more.

    ```python
    @dataclass(frozen=True, kw_only=True)
    class VideoCallEvent(TypedPluginEvent):
        plugin_package: ClassVar[str] = "janus.plugin.videocall"
        plugin_label: ClassVar[str] = "VideoCall"
        kinds: ClassVar[type[enum.Enum]] = VideoCallEventType

        type: VideoCallEventType
        username: str | None = None
        result: dict[str, Any] = field(default_factory=dict)
    ```
    """

    #: The plugin's package name: the ``plugin`` of an event built by `from_data`.
    plugin_package: ClassVar[str] = ""
    #: How errors name the plugin (``"not a Streaming event"``).
    plugin_label: ClassVar[str] = "plugin"
    #: The event-type enum the default `kind_of` reads.
    kinds: ClassVar[type[enum.Enum] | None] = None
    #: The kind of an event whose data has ``error_code`` or ``error``, for plugins
    #: that send errors as events (Streaming, Record&Play); None: not told apart.
    error_kind: ClassVar[enum.Enum | None] = None
    #: The key of the `source_key` object that names the kind, for the default `kind_of`.
    kind_key: ClassVar[str] = "event"
    #: The field that holds the kind.
    kind_field: ClassVar[str] = "type"
    #: The key of the data's object the fields are read from; None: the data itself.
    source_key: ClassVar[str | None] = "result"
    #: For the fields whose key is not their name: field name -> key(s) (see `read_fields`).
    field_keys: ClassVar[Mapping[str, str | tuple[str, ...]]] = {}

    @classmethod
    def kind_of(cls, data: Mapping[str, Any]) -> enum.Enum | None:
        """Return the kind of event the plugin's data is, or None when it has no typed form.

        By default: `error_kind` for an error, else the `kinds` member named by
        `kind_key` of the `source_key` object.

        Args:
            data: The plugin's data.
        """
        if cls.kinds is None:
            raise NotImplementedError(f"{cls.__name__} needs kinds or its own kind_of")
        if cls.error_kind is not None and (
            data.get("error_code") is not None or data.get("error") is not None
        ):
            return cls.error_kind
        try:
            return cls.kinds(_source(cls, data).get(cls.kind_key))
        except ValueError:
            return None

    @classmethod
    def extra_fields(
        cls, kind: enum.Enum, data: Mapping[str, Any], source: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Return the fields read otherwise than by name and annotation (none here).

        Args:
            kind: The kind of event.
            data: The plugin's data.
            source: The object the fields are read from (see `source_key`).
        """
        return {}

    @classmethod
    def from_data(
        cls: type[_Typed],
        data: Mapping[str, Any],
        jsep: Mapping[str, Any] | None = None,
        **common: Any,
    ) -> _Typed:
        """Type the plugin data of an event, or of a reply that is an event.

        Args:
            data: The plugin's data (``{"streaming": "event", "result": {...}}``).
            jsep: The JSEP that came with it.
            **common: `PluginEvent` fields (``plugin``, ``raw``, ``handle_id``, ...).

        Raises:
            ValueError: ``data`` is not an event of a known kind.
        """
        kind = cls.kind_of(data)
        if kind is None:
            raise ValueError(f"not a {cls.plugin_label} event: {sorted(data)!r}")
        return cls._build(kind, dict(data), dict(jsep) if jsep is not None else None, common)

    @classmethod
    def from_plugin_event(cls: type[_Typed], event: PluginEvent) -> _Typed | None:
        """Return the typed form of a plugin event, or None if it has none.

        Args:
            event: The untyped plugin event.
        """
        kind = cls.kind_of(event.data)
        if kind is None:
            return None
        # The untyped event is replaced by this one: its data and JSEP are taken over.
        return cls._build(kind, event.data, event.jsep, plugin_event_fields(event))

    @classmethod
    def _build(
        cls: type[_Typed],
        kind: enum.Enum,
        data: dict[str, Any],
        jsep: dict[str, Any] | None,
        common: dict[str, Any],
    ) -> _Typed:
        source = _source(cls, data)
        given = cls.extra_fields(kind, data, source)
        given[cls.kind_field] = kind
        for name, reader in _envelope_plan(cls):
            if name not in given:
                given[name] = dict(source) if reader is None else reader(data.get(name))
        common.setdefault("plugin", cls.plugin_package)
        common.setdefault("raw", {})
        return cls(
            **read_fields(cls, source, cls.field_keys, **given),
            data=data,
            jsep=jsep,
            **common,
        )


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
