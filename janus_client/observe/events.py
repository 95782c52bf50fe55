"""Typed events from Janus' event handlers (sans-I/O parsing).

Janus' event handlers (HTTP ``sampleevh``, WebSockets ``wsevh``, MQTT
``mqttevh``, RabbitMQ ``rabbitmqevh``, ...) all send the same JSON: one event
object, or an array of them when ``grouping`` is on. Every event has the
envelope ``emitter``, ``type``, optional ``subtype``, ``timestamp`` (µs),
``session_id``, ``handle_id``, ``opaque_id`` and ``event``.

`parse_events` turns a payload into frozen dataclasses, one class per
type/subtype; an event of a type this module does not know is kept as an
`UnknownServerEvent` with its raw JSON. Nothing here does I/O.
"""

from __future__ import annotations

import enum
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CoreServerEvent",
    "DtlsStateServerEvent",
    "EventType",
    "ExternalServerEvent",
    "HandleServerEvent",
    "IceCandidateServerEvent",
    "IceStateServerEvent",
    "JsepServerEvent",
    "MalformedEventError",
    "MediaServerEvent",
    "MediaStateServerEvent",
    "MediaStatsServerEvent",
    "PluginServerEvent",
    "SelectedPairServerEvent",
    "ServerEvent",
    "SessionServerEvent",
    "SlowLinkServerEvent",
    "TransportServerEvent",
    "UnknownServerEvent",
    "WebRTCConnectionServerEvent",
    "WebRTCServerEvent",
    "decode_payload",
    "event_from_json",
    "parse_events",
]


class EventType(enum.IntEnum):
    """The ``type`` of an event-handler event (a bit mask in Janus)."""

    SESSION = 1
    HANDLE = 2
    EXTERNAL = 4
    JSEP = 8
    WEBRTC = 16
    MEDIA = 32
    PLUGIN = 64
    TRANSPORT = 128
    CORE = 256

    @property
    def label(self) -> str:
        """Lower-case name used as a metric label and in masks (``"webrtc"``)."""
        return self.name.lower()


#: The names Janus' ``events`` mask setting accepts, by type.
MASK_NAMES: dict[EventType, str] = {
    EventType.SESSION: "sessions",
    EventType.HANDLE: "handles",
    EventType.EXTERNAL: "external",
    EventType.JSEP: "jsep",
    EventType.WEBRTC: "webrtc",
    EventType.MEDIA: "media",
    EventType.PLUGIN: "plugins",
    EventType.TRANSPORT: "transports",
    EventType.CORE: "core",
}


class MalformedEventError(ValueError):
    """A payload (or one item of it) is not a Janus event."""


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True, slots=True)
class ServerEvent:
    """Fields every event-handler event has.

    Attributes:
        type: The event type (see `EventType`; an int for unknown types).
        subtype: The subtype where the type has them (webrtc, media, core).
        emitter: The Janus instance (``general.server_name``).
        timestamp: Microseconds since the epoch, as Janus wrote it.
        session_id: The session the event is about, if any.
        handle_id: The handle the event is about, if any.
        opaque_id: The handle's opaque id, if it has one.
        raw: The whole event object as received (not part of equality or repr).
    """

    type: int
    subtype: int | None
    emitter: str | None
    timestamp: int | None
    session_id: int | None
    handle_id: int | None
    opaque_id: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def body(self) -> dict[str, Any]:
        """The ``event`` member (an empty dict when absent)."""
        return _dict(self.raw.get("event"))

    @property
    def type_label(self) -> str:
        """``"session"``, ``"webrtc"``, ... or ``"unknown"``."""
        try:
            return EventType(self.type).label
        except ValueError:
            return "unknown"


@dataclass(frozen=True, slots=True)
class UnknownServerEvent(ServerEvent):
    """An event of a type or subtype this library does not model; see ``raw``."""


@dataclass(frozen=True, slots=True)
class SessionServerEvent(ServerEvent):
    """A session was created, destroyed or timed out (type 1).

    Attributes:
        name: ``"created"``, ``"destroyed"``, ``"timeout"``, ...
        transport: The transport that created it (``{"transport": ..., "id": ...}``).
    """

    name: str | None = None
    transport: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HandleServerEvent(ServerEvent):
    """A handle was attached or detached (type 2).

    Attributes:
        name: ``"attached"`` or ``"detached"``.
        plugin: The plugin package (``"janus.plugin.echotest"``).
    """

    name: str | None = None
    plugin: str | None = None


@dataclass(frozen=True, slots=True)
class ExternalServerEvent(ServerEvent):
    """A custom event pushed with the Admin API's ``custom_event`` (type 4).

    Attributes:
        schema: The schema the sender gave.
        data: The sender's data.
    """

    schema: str | None = None
    data: Any = None


@dataclass(frozen=True, slots=True)
class JsepServerEvent(ServerEvent):
    """An SDP was sent or received (type 8).

    Attributes:
        owner: ``"remote"`` (from the user) or ``"local"`` (from Janus).
        sdp_type: ``"offer"`` or ``"answer"``.
        sdp: The SDP (kept out of repr).
    """

    owner: str | None = None
    sdp_type: str | None = None
    sdp: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class WebRTCServerEvent(ServerEvent):
    """Base of the WebRTC events (type 16).

    Attributes:
        stream_id: The ICE stream, where given.
        component_id: The ICE component, where given.
    """

    stream_id: int | None = None
    component_id: int | None = None


@dataclass(frozen=True, slots=True)
class IceStateServerEvent(WebRTCServerEvent):
    """The ICE state changed (subtype 1).

    Attributes:
        ice: ``"gathering"``, ``"connecting"``, ``"connected"``, ``"ready"``, ``"failed"``.
    """

    ice: str | None = None


@dataclass(frozen=True, slots=True)
class IceCandidateServerEvent(WebRTCServerEvent):
    """A local (subtype 2) or remote (subtype 3) candidate.

    Attributes:
        local: True for a local candidate, False for a remote one.
        candidate: The candidate line.
    """

    local: bool = True
    candidate: str | None = None


@dataclass(frozen=True, slots=True)
class SelectedPairServerEvent(WebRTCServerEvent):
    """ICE selected a candidate pair (subtype 4).

    Attributes:
        selected_pair: ``"<local> <-> <remote>"`` as Janus writes it.
        candidates: The ``local`` and ``remote`` candidate details.
    """

    selected_pair: str | None = None
    candidates: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DtlsStateServerEvent(WebRTCServerEvent):
    """The DTLS state changed (subtype 5).

    Attributes:
        dtls: ``"trying"``, ``"connected"``, ``"failed"``, ...
    """

    dtls: str | None = None


@dataclass(frozen=True, slots=True)
class WebRTCConnectionServerEvent(WebRTCServerEvent):
    """The PeerConnection came up or went down (subtype 6).

    Attributes:
        connection: ``"webrtcup"`` or ``"hangup"``.
        reason: The hang-up reason, if any.
    """

    connection: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class MediaServerEvent(ServerEvent):
    """Base of the media events (type 32).

    Attributes:
        media: ``"audio"``, ``"video"`` or ``"data"``.
        mid: The stream's ``mid``.
        mindex: The stream's m-line index.
    """

    media: str | None = None
    mid: str | None = None
    mindex: int | None = None


@dataclass(frozen=True, slots=True)
class MediaStateServerEvent(MediaServerEvent):
    """Janus started or stopped receiving a stream (subtype 1).

    Attributes:
        receiving: Whether media arrives.
    """

    receiving: bool | None = None


@dataclass(frozen=True, slots=True)
class SlowLinkServerEvent(MediaServerEvent):
    """Janus saw many losses on a stream (subtype 2).

    Attributes:
        uplink: True when the losses are on what Janus receives.
        lost: Packets lost in the last second, if given.
    """

    uplink: bool | None = None
    lost: int | None = None


@dataclass(frozen=True, slots=True)
class MediaStatsServerEvent(MediaServerEvent):
    """Periodic statistics of one stream (subtype 3), cumulative since it started.

    Attributes:
        codec: The negotiated codec.
        packets_received: RTP packets Janus received from the peer.
        packets_sent: RTP packets Janus sent to the peer.
        bytes_received: Bytes Janus received.
        bytes_sent: Bytes Janus sent.
        bytes_received_lastsec: Bytes received in the last second.
        bytes_sent_lastsec: Bytes sent in the last second.
        lost: Packets Janus found lost (inbound).
        lost_by_remote: Packets the peer reported lost.
        jitter_local: Jitter of what Janus receives.
        jitter_remote: Jitter the peer reports.
        rtt: Round-trip time in ms, if known.
        nacks_received: NACKs Janus received.
        nacks_sent: NACKs Janus sent.
    """

    codec: str | None = None
    packets_received: int = 0
    packets_sent: int = 0
    bytes_received: int = 0
    bytes_sent: int = 0
    bytes_received_lastsec: int = 0
    bytes_sent_lastsec: int = 0
    lost: int = 0
    lost_by_remote: int = 0
    jitter_local: int = 0
    jitter_remote: int = 0
    rtt: int | None = None
    nacks_received: int = 0
    nacks_sent: int = 0


@dataclass(frozen=True, slots=True)
class PluginServerEvent(ServerEvent):
    """A plugin-originated event (type 64).

    Attributes:
        plugin: The plugin package.
        data: The plugin's data.
    """

    plugin: str | None = None
    data: Any = None


@dataclass(frozen=True, slots=True)
class TransportServerEvent(ServerEvent):
    """A transport-originated event (type 128): requests, connections.

    Attributes:
        transport: The transport package (``"janus.transport.http"``).
        transport_id: The transport instance's id.
        data: The transport's data (``{"event": "request", ...}``).
    """

    transport: str | None = None
    transport_id: str | None = None
    data: Any = None


@dataclass(frozen=True, slots=True)
class CoreServerEvent(ServerEvent):
    """A core event (type 256): the server started or is shutting down.

    Attributes:
        status: ``"started"``, ``"shutdown"``, ...
        info: The server info sent with ``started``.
    """

    status: str | None = None
    info: dict[str, Any] = field(default_factory=dict, repr=False)


_Common = tuple[
    int,
    "int | None",
    "str | None",
    "int | None",
    "int | None",
    "int | None",
    "str | None",
    dict[str, Any],
]


def _i(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _webrtc(common: _Common, subtype: int | None, body: dict[str, Any]) -> ServerEvent:
    stream = _int_or_none(body.get("stream_id"))
    component = _int_or_none(body.get("component_id"))
    if subtype == 1:
        return IceStateServerEvent(*common, stream, component, _str_or_none(body.get("ice")))
    if subtype in (2, 3):
        key = "local-candidate" if subtype == 2 else "remote-candidate"
        return IceCandidateServerEvent(
            *common, stream, component, subtype == 2, _str_or_none(body.get(key))
        )
    if subtype == 4:
        return SelectedPairServerEvent(
            *common,
            stream,
            component,
            _str_or_none(body.get("selected-pair")),
            _dict(body.get("candidates")),
        )
    if subtype == 5:
        return DtlsStateServerEvent(*common, stream, component, _str_or_none(body.get("dtls")))
    if subtype == 6:
        return WebRTCConnectionServerEvent(
            *common,
            stream,
            component,
            _str_or_none(body.get("connection")),
            _str_or_none(body.get("reason")),
        )
    return UnknownServerEvent(*common)


def _media(common: _Common, subtype: int | None, body: dict[str, Any]) -> ServerEvent:
    media = _str_or_none(body.get("media"))
    mid = body.get("mid")
    mid = str(mid) if isinstance(mid, str | int) and not isinstance(mid, bool) else None
    mindex = _int_or_none(body.get("mindex"))
    if subtype == 1:
        receiving = body.get("receiving")
        return MediaStateServerEvent(
            *common, media, mid, mindex, receiving if isinstance(receiving, bool) else None
        )
    if subtype == 2:
        link = body.get("slow_link")
        return SlowLinkServerEvent(
            *common,
            media,
            mid,
            mindex,
            (link == "uplink") if isinstance(link, str) else None,
            _int_or_none(body.get("lost_lastsec")),
        )
    if subtype == 3:
        return MediaStatsServerEvent(
            *common,
            media,
            mid,
            mindex,
            _str_or_none(body.get("codec")),
            _i(body, "packets-received"),
            _i(body, "packets-sent"),
            _i(body, "bytes-received"),
            _i(body, "bytes-sent"),
            _i(body, "bytes-received-lastsec"),
            _i(body, "bytes-sent-lastsec"),
            _i(body, "lost"),
            _i(body, "lost-by-remote"),
            _i(body, "jitter-local"),
            _i(body, "jitter-remote"),
            _int_or_none(body.get("rtt")),
            _i(body, "nacks-received"),
            _i(body, "nacks-sent"),
        )
    return UnknownServerEvent(*common)


def event_from_json(obj: Any) -> ServerEvent:
    """Build the typed event for one decoded event object.

    Args:
        obj: One event, as decoded from JSON.

    Returns:
        The most specific `ServerEvent` subclass for its type and subtype
        (`UnknownServerEvent` for types this library does not model).

    Raises:
        MalformedEventError: If ``obj`` is not an object with an integer ``type``.

    """
    if not isinstance(obj, dict):
        raise MalformedEventError(f"an event must be a JSON object, not {type(obj).__name__}")
    etype = obj.get("type")
    if not isinstance(etype, int) or isinstance(etype, bool):
        raise MalformedEventError("an event needs an integer 'type'")
    subtype = _int_or_none(obj.get("subtype"))
    body = obj.get("event")
    if not isinstance(body, dict):
        body = {}
    common: _Common = (
        etype,
        subtype,
        _str_or_none(obj.get("emitter")),
        _int_or_none(obj.get("timestamp")),
        _int_or_none(obj.get("session_id")),
        _int_or_none(obj.get("handle_id")),
        _str_or_none(obj.get("opaque_id")),
        obj,
    )
    if etype == 16:
        return _webrtc(common, subtype, body)
    if etype == 32:
        return _media(common, subtype, body)
    if etype == 1:
        return SessionServerEvent(
            *common, _str_or_none(body.get("name")), _dict(body.get("transport"))
        )
    if etype == 2:
        return HandleServerEvent(
            *common, _str_or_none(body.get("name")), _str_or_none(body.get("plugin"))
        )
    if etype == 64:
        return PluginServerEvent(*common, _str_or_none(body.get("plugin")), body.get("data"))
    if etype == 128:
        tid = body.get("id")
        return TransportServerEvent(
            *common,
            _str_or_none(body.get("transport")),
            str(tid) if isinstance(tid, str | int) and not isinstance(tid, bool) else None,
            body.get("data"),
        )
    if etype == 8:
        jsep = _dict(body.get("jsep"))
        return JsepServerEvent(
            *common,
            _str_or_none(body.get("owner")),
            _str_or_none(jsep.get("type")),
            _str_or_none(jsep.get("sdp")),
        )
    if etype == 4:
        return ExternalServerEvent(*common, _str_or_none(body.get("schema")), body.get("data"))
    if etype == 256:
        return CoreServerEvent(*common, _str_or_none(body.get("status")), _dict(body.get("info")))
    return UnknownServerEvent(*common)


_MAX_INFLATED = 64 * 1024 * 1024


def decode_payload(data: str | bytes | bytearray | memoryview) -> Any:
    """Decode one message body (JSON text, optionally gzip- or zlib-compressed).

    Args:
        data: The body as received.

    Returns:
        The decoded JSON value.

    Raises:
        MalformedEventError: If it is not (compressed) UTF-8 JSON.

    """
    if isinstance(data, str):
        text: str | bytes = data
    else:
        raw = bytes(data)
        wbits = 31 if raw[:2] == b"\x1f\x8b" else 15 if raw[:1] == b"\x78" else 0
        if wbits:
            inflater = zlib.decompressobj(wbits)
            try:
                raw = inflater.decompress(raw, _MAX_INFLATED)
            except zlib.error as exc:
                raise MalformedEventError(f"bad compressed body: {exc}") from None
            if inflater.unconsumed_tail:
                raise MalformedEventError("compressed body inflates past 64 MiB")
        text = raw
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise MalformedEventError(f"not JSON: {type(exc).__name__}") from None


def parse_events(data: Any, *, decoded: bool = False) -> tuple[list[ServerEvent], int]:
    """Parse a payload into events, unpacking grouped arrays.

    Args:
        data: The body (str/bytes), or an already decoded value with ``decoded=True``.
        decoded: Whether ``data`` is already decoded JSON.

    Returns:
        The events, and how many items were malformed and dropped (a payload
        that is not JSON at all counts as one).

    """
    if not decoded:
        try:
            data = decode_payload(data)
        except MalformedEventError:
            return [], 1
    items = data if isinstance(data, list) else [data]
    events: list[ServerEvent] = []
    bad = 0
    for item in items:
        try:
            events.append(event_from_json(item))
        except MalformedEventError:
            bad += 1
    return events, bad
