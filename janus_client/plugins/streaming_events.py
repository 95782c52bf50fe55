"""Streaming plugin errors, typed events, typed results (mountpoints, ports), `RtpMedia`."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, cast

from ..errors import PluginError
from ..events import TypedPluginEvent, TypedResult, result_object
from ..validate import (
    RoomId,
    enforce_bool,
    enforce_int,
    enforce_json_values,
    enforce_str,
    opt_str,
)

_PLUGIN = "janus.plugin.streaming"

__all__ = [
    "Mountpoint",
    "MountpointChange",
    "MountpointCreated",
    "MountpointMedia",
    "RtpMedia",
    "StreamingError",
    "StreamingEvent",
    "StreamingEventType",
]


class StreamingError(PluginError):
    """An error reported by the Streaming plugin (``JANUS_STREAMING_ERROR_*``).

    ``code`` is the plugin's number and ``code_name`` its name, for example 455
    ``JANUS_STREAMING_ERROR_NO_SUCH_MOUNTPOINT``.
    """

    code_names: ClassVar[dict[int, str]] = {
        450: "JANUS_STREAMING_ERROR_NO_MESSAGE",
        451: "JANUS_STREAMING_ERROR_INVALID_JSON",
        452: "JANUS_STREAMING_ERROR_INVALID_REQUEST",
        453: "JANUS_STREAMING_ERROR_MISSING_ELEMENT",
        454: "JANUS_STREAMING_ERROR_INVALID_ELEMENT",
        455: "JANUS_STREAMING_ERROR_NO_SUCH_MOUNTPOINT",
        456: "JANUS_STREAMING_ERROR_CANT_CREATE",
        457: "JANUS_STREAMING_ERROR_UNAUTHORIZED",
        458: "JANUS_STREAMING_ERROR_CANT_SWITCH",
        459: "JANUS_STREAMING_ERROR_CANT_RECORD",
        460: "JANUS_STREAMING_ERROR_INVALID_STATE",
        470: "JANUS_STREAMING_ERROR_UNKNOWN_ERROR",
    }


class StreamingEventType(str, enum.Enum):
    """The kinds of Streaming events, named as Janus 1.1.2 sends them.

    Janus writes the viewer's state in ``result.status``; a few events carry
    another key instead (``switched``, ``event: configured``, ``substream``...).
    ``PAUSED``, ``SWITCHING`` and ``UPDATED`` are aliases of the members Janus
    actually sends for those steps (``pausing``, ``switched``, ``updating``).
    """

    #: Janus prepared the viewer and sends its offer (answer it, then ``start``).
    PREPARING = "preparing"
    #: A ``watch`` with ``restart``: Janus sends a new offer (ICE restart).
    UPDATING = "updating"
    #: Our ``start`` was accepted; media flows once the PeerConnection is up.
    STARTING = "starting"
    #: The PeerConnection is up and Janus relays the mountpoint's media.
    STARTED = "started"
    #: Our ``pause`` was accepted: Janus stops relaying until ``start``.
    PAUSING = "pausing"
    #: Our ``switch`` moved this viewer to another mountpoint.
    SWITCHED = "switched"
    #: Our ``stop`` was accepted; Janus closes the PeerConnection.
    STOPPING = "stopping"
    #: The viewer was ended by Janus (the mountpoint was destroyed or disabled).
    STOPPED = "stopped"
    #: Our ``configure`` was applied.
    CONFIGURED = "configured"
    #: The mountpoint's viewers were all kicked (``kick_all``).
    KICKED_ALL = "kicked_all"
    #: The simulcast substream or temporal layer we receive changed.
    SIMULCAST = "simulcast"
    #: The SVC spatial or temporal layer we receive changed.
    SVC = "svc"
    #: An error event (``error_code`` and ``error``) with no request waiting for it.
    ERROR = "error"
    PAUSED = "pausing"
    SWITCHING = "switched"
    UPDATED = "updating"


@dataclass(frozen=True, kw_only=True)
class StreamingEvent(TypedPluginEvent):
    """A Streaming plugin event (or the event answering one of our requests), typed.

    It is a `PluginEvent`: ``data``, ``jsep`` and ``raw`` are there as Janus sent them.
    Build one with `from_data` (plugin data) or `from_plugin_event`.

    Attributes:
        type: The kind of event.
        id: The mountpoint the event names (``switched``, ``preparing`` with
            ``restart``), when it names one.
        error_code: The plugin's error code of an ``ERROR`` event.
        error: The error text of an ``ERROR`` event.
        substream: The simulcast substream now received (``SIMULCAST``).
        temporal: The simulcast temporal layer now received (``SIMULCAST``).
        spatial_layer: The SVC spatial layer now received (``SVC``).
        temporal_layer: The SVC temporal layer now received (``SVC``).
        result: The ``result`` object of the plugin's data (empty when absent).
    """

    plugin_package: ClassVar[str] = _PLUGIN
    plugin_label: ClassVar[str] = "Streaming"
    kinds: ClassVar[type[enum.Enum]] = StreamingEventType
    kind_key: ClassVar[str] = "status"
    error_kind: ClassVar[enum.Enum] = StreamingEventType.ERROR

    type: StreamingEventType
    id: RoomId | None = None
    error_code: int | None = None
    error: str | None = None
    substream: int | None = None
    temporal: int | None = None
    spatial_layer: int | None = None
    temporal_layer: int | None = None
    result: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def kind_of(cls, data: Mapping[str, Any]) -> StreamingEventType | None:
        """Tell the kind of a Streaming event (None: not an event of a known kind).

        An error; else ``result.status``; without a status, the key that tells
        it (``switched``, ``event: configured``, the simulcast or SVC layers).

        Args:
            data: The plugin's data.
        """
        kind = cast("StreamingEventType | None", super().kind_of(data))
        result = result_object(data)
        if kind is not None or isinstance(result.get("status"), str):
            return kind
        if "switched" in result:
            return StreamingEventType.SWITCHED
        if result.get("event") == "configured":
            return StreamingEventType.CONFIGURED
        if "substream" in result or "temporal" in result:
            return StreamingEventType.SIMULCAST
        if "spatial_layer" in result or "temporal_layer" in result:
            return StreamingEventType.SVC
        return None


@dataclass(frozen=True)
class MountpointMedia(TypedResult):
    """One media stream of a mountpoint (an item of ``media`` or ``ports``).

    Attributes:
        mid: The stream's mid (``"v1"``).
        type: ``"audio"``, ``"video"`` or ``"data"``.
        label: The stream's label, when Janus gives it.
        msid: The stream's msid, when set.
        codec: The codec name (``info``).
        pt: The RTP payload type (``info``).
        port: The UDP port Janus receives RTP on (``create``, ``info`` with the secret).
        rtcp_port: The RTCP port, when there is one.
        port_2: The second simulcast port, when there is one.
        port_3: The third simulcast port, when there is one.
        age_ms: Milliseconds since Janus last received a packet on it.
        raw: The item as Janus sent it.
    """

    field_keys: ClassVar[Mapping[str, str | tuple[str, ...]]] = {
        "rtcp_port": ("rtcp_port", "rtcpport")
    }

    mid: str | None
    type: str | None
    label: str | None = None
    msid: str | None = None
    codec: str | None = None
    pt: int | None = None
    port: int | None = None
    rtcp_port: int | None = None
    port_2: int | None = None
    port_3: int | None = None
    age_ms: int | None = None


def _media(items: Any) -> tuple[MountpointMedia, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(MountpointMedia.from_data(i) for i in items if isinstance(i, Mapping))


@dataclass(frozen=True)
class Mountpoint(TypedResult):
    """A mountpoint as ``list`` or ``info`` describes it.

    Attributes:
        id: The mountpoint id.
        type: ``"live"`` or ``"on demand"``.
        description: Its description.
        name: Its name (``info`` only).
        metadata: Its metadata string, when set.
        enabled: Whether viewers may watch it.
        is_private: Whether ``list`` hides it (``info`` only).
        viewers: How many viewers watch it (``info`` only).
        media: Its media streams.
        raw: The entry as Janus sent it.
    """

    id: RoomId | None
    type: str | None = None
    description: str | None = None
    name: str | None = None
    metadata: str | None = None
    enabled: bool | None = None
    is_private: bool | None = None
    viewers: int | None = None
    media: tuple[MountpointMedia, ...] = field(default=(), metadata={"reader": _media})

    @classmethod
    def list_from_data(cls, data: Mapping[str, Any]) -> list[Mountpoint]:
        """The mountpoints of a ``list`` reply."""
        items = data.get("list")
        if not isinstance(items, list):
            return []
        return [cls.from_data(i) for i in items if isinstance(i, Mapping)]

    @classmethod
    def info_from_data(cls, data: Mapping[str, Any]) -> Mountpoint:
        """The mountpoint of an ``info`` reply."""
        return cls.from_data(result_object(data, "info"))


@dataclass(frozen=True)
class MountpointCreated(TypedResult):
    """The reply to ``create``.

    Attributes:
        id: The new mountpoint's id.
        name: Its name.
        permanent: Whether Janus saved it to its configuration file.
        type: ``"live"`` or ``"on demand"``.
        description: Its description.
        is_private: Whether ``list`` hides it.
        host: The address Janus receives RTP on (RTP mountpoints).
        ports: The ports of each media stream, in the ``media`` order.
        raw: The plugin data as Janus sent it.
    """

    source_key: ClassVar[str | None] = "stream"

    id: RoomId | None
    name: str | None
    permanent: bool
    type: str | None = None
    description: str | None = None
    is_private: bool | None = None
    host: str | None = None
    ports: tuple[MountpointMedia, ...] = field(default=(), metadata={"reader": _media})

    def port_of(self, mid: str) -> int:
        """The UDP port Janus receives the stream ``mid`` on.

        Raises:
            KeyError: No stream with that mid has a port.
        """
        for media in self.ports:
            if media.mid == mid and media.port is not None:
                return media.port
        raise KeyError(mid)

    @classmethod
    def extra_fields(cls, data: Mapping[str, Any], source: Mapping[str, Any]) -> dict[str, Any]:
        """Read ``name`` (``created``) and ``permanent`` beside the ``stream`` object.

        Args:
            data: The ``created`` reply's data.
            source: Its ``stream`` object.
        """
        return {"name": opt_str(data.get("created")), "permanent": bool(data.get("permanent"))}


@dataclass(frozen=True)
class MountpointChange(TypedResult):
    """The reply to ``edit``, ``destroy``, ``enable``, ``disable``, ``recording``, ``kick_all``.

    Attributes:
        result: What Janus answered (``"edited"``, ``"destroyed"``, ``"ok"``,
            ``"kicked_all"``).
        id: The mountpoint, when the reply names it.
        permanent: Whether the change was saved to the configuration file, when said.
        raw: The plugin data as Janus sent it.
    """

    field_keys: ClassVar[Mapping[str, str | tuple[str, ...]]] = {
        "result": "streaming",
        "id": ("id", "destroyed"),
    }

    result: str | None
    id: RoomId | None = None
    permanent: bool | None = None


_MEDIA_TYPES = ("audio", "video", "data")


@dataclass(frozen=True)
class RtpMedia:
    """One media stream of an RTP mountpoint, for `JanusStreamingPlugin.create_mountpoint`.

    Attributes:
        type: ``"audio"``, ``"video"`` or ``"data"``.
        mid: The stream's mid, unique in the mountpoint (``"v1"``).
        port: The UDP port Janus listens on for it; 0 lets Janus pick one in its
            ``rtp_port_range`` (read it from `MountpointCreated.port_of`).
        pt: The RTP payload type the sender uses (audio and video).
        codec: The codec name (``"vp8"``, ``"opus"``, ...; audio and video).
        iface: The address to bind (``"127.0.0.1"``); Janus binds every interface
            without it.
        label: A label for the stream.
        msid: The msid to put in the offer.
        mcast: A multicast group to join.
        rtcpport: A port for RTCP from the sender (enables keyframe requests).
        fmtp: The codec's fmtp line.
        skew: Compensate clock skew of the sender.
        bufferkf: Keep the latest keyframe and send it to new viewers (video).
        simulcast: The sender simulcasts on ``port``, ``port2`` and ``port3`` (video).
        port2: The second simulcast port (video).
        port3: The third simulcast port (video).
        svc: The video is VP9-SVC (video).
        buffermsg: Keep the latest message for new viewers (data).
    """

    type: Literal["audio", "video", "data"]
    mid: str
    port: int = 0
    pt: int | None = None
    codec: str | None = None
    iface: str | None = None
    label: str | None = None
    msid: str | None = None
    mcast: str | None = None
    rtcpport: int | None = None
    fmtp: str | None = None
    skew: bool | None = None
    bufferkf: bool | None = None
    simulcast: bool | None = None
    port2: int | None = None
    port3: int | None = None
    svc: bool | None = None
    buffermsg: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``media`` item Janus expects, checked.

        Raises:
            TypeError: A field has the wrong type.
            ValueError: An unknown type, an empty mid, a port out of range, or an
                audio/video stream without ``pt`` and ``codec``.
        """
        if self.type not in _MEDIA_TYPES:
            raise ValueError(f"RtpMedia.type must be one of {_MEDIA_TYPES}, got {self.type!r}")
        enforce_str(self.mid, name="RtpMedia.mid")
        enforce_int(self.port, name="RtpMedia.port", high=65535)
        if self.type != "data" and (self.pt is None or self.codec is None):
            raise ValueError(f"RtpMedia {self.mid!r}: {self.type} needs pt and codec")
        body: dict[str, Any] = {"type": self.type, "mid": self.mid, "port": self.port}
        for key in ("pt", "rtcpport", "port2", "port3"):
            value = getattr(self, key)
            if value is not None:
                body[key] = enforce_int(value, name=f"RtpMedia.{key}", high=65535)
        for key in ("codec", "iface", "label", "msid", "mcast", "fmtp"):
            value = getattr(self, key)
            if value is not None:
                body[key] = enforce_str(value, name=f"RtpMedia.{key}")
        for key in ("skew", "bufferkf", "simulcast", "svc", "buffermsg"):
            value = getattr(self, key)
            if value is not None:
                body[key] = enforce_bool(value, name=f"RtpMedia.{key}")
        return body


def _media_items(media: Sequence[RtpMedia | Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(media, (str, bytes, Mapping)) or not isinstance(media, Sequence):
        raise TypeError(f"media must be a list of RtpMedia, got {type(media).__name__}")
    items: list[dict[str, Any]] = []
    mids: set[str] = set()
    for i, item in enumerate(media):
        if isinstance(item, RtpMedia):
            entry = item.to_json()
        elif isinstance(item, Mapping):
            entry = enforce_json_values(dict(item))
            if entry.get("type") not in _MEDIA_TYPES:
                raise ValueError(f"media[{i}] needs a type among {_MEDIA_TYPES}")
            enforce_str(entry.get("mid"), name=f"media[{i}]['mid']")
            enforce_int(entry.get("port", 0), name=f"media[{i}]['port']", high=65535)
            entry.setdefault("port", 0)
        else:
            raise TypeError(f"media[{i}] must be an RtpMedia or a dict, got {type(item).__name__}")
        if entry["mid"] in mids:
            raise ValueError(f"media: mid {entry['mid']!r} is used twice")
        mids.add(entry["mid"])
        items.append(entry)
    if not items:
        raise ValueError("media must not be empty for an RTP mountpoint")
    return items
