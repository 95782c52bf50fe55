"""A live view of a Janus server, kept up to date from its event-handler events.

Feed a `LiveView` every event (``receiver.add_listener(view)``, or call
``view(event)`` yourself). It tracks the sessions and handles alive, each
handle's ICE/DTLS/PeerConnection state and the latest statistics of each of
its media streams, plus server-wide media totals that stay monotonic when
handles go away (for counters such as Prometheus').
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from .events import (
    DtlsStateServerEvent,
    HandleServerEvent,
    IceStateServerEvent,
    MediaStateServerEvent,
    MediaStatsServerEvent,
    PluginServerEvent,
    SelectedPairServerEvent,
    ServerEvent,
    SessionServerEvent,
    SlowLinkServerEvent,
    WebRTCConnectionServerEvent,
)

__all__ = ["HandleView", "LiveView", "MediaTotals", "SessionView", "StreamView"]

#: How many ended sessions and handles are remembered, to ignore their late events.
_REMEMBER_GONE = 65_536

#: Counters summed into `MediaTotals` (attribute names of `MediaStatsServerEvent`).
TOTAL_FIELDS: tuple[str, ...] = (
    "packets_received",
    "packets_sent",
    "bytes_received",
    "bytes_sent",
    "lost",
    "lost_by_remote",
    "nacks_received",
    "nacks_sent",
)


@dataclass
class StreamView:
    """One media stream (m-line) of a handle.

    Attributes:
        mid: The stream's ``mid``.
        media: ``"audio"``, ``"video"`` or ``"data"``.
        receiving: Whether Janus receives media on it (from media state events).
        stats: The latest statistics event, if any.
        slow_links: How many slow-link events it had.
    """

    mid: str
    media: str | None = None
    receiving: bool | None = None
    stats: MediaStatsServerEvent | None = None
    slow_links: int = 0


@dataclass
class HandleView:
    """One handle and its WebRTC state.

    Attributes:
        handle_id: The handle id.
        session_id: Its session.
        plugin: The plugin package, once known.
        opaque_id: The opaque id, if any.
        ice_state: The last ICE state.
        dtls_state: The last DTLS state.
        webrtc_up: Whether the PeerConnection is up (``webrtcup`` without ``hangup``).
        hangup_reason: The reason of the last hang-up.
        selected_pair: The last selected candidate pair.
        streams: Streams by ``mid``.
        plugin_events: How many plugin events it had.
        last_plugin_data: The data of its last plugin event.
    """

    handle_id: int
    session_id: int | None = None
    plugin: str | None = None
    opaque_id: str | None = None
    ice_state: str | None = None
    dtls_state: str | None = None
    webrtc_up: bool = False
    hangup_reason: str | None = None
    selected_pair: str | None = None
    streams: dict[str, StreamView] = field(default_factory=dict)
    plugin_events: int = 0
    last_plugin_data: object = None


@dataclass
class SessionView:
    """One session.

    Attributes:
        session_id: The session id.
        emitter: The Janus instance that reported it.
        transport: The transport that created it.
        handles: Ids of its handles alive.
    """

    session_id: int
    emitter: str | None = None
    transport: str | None = None
    handles: set[int] = field(default_factory=set)


@dataclass
class MediaTotals:
    """Server-wide media counters for one media kind, monotonic.

    Each field sums the latest cumulative value of every stream alive, plus
    the final values of the streams that went away.
    """

    packets_received: int = 0
    packets_sent: int = 0
    bytes_received: int = 0
    bytes_sent: int = 0
    lost: int = 0
    lost_by_remote: int = 0
    nacks_received: int = 0
    nacks_sent: int = 0


class LiveView:
    """Sessions, handles, WebRTC state and media stats, from events.

    Call it with each event (it is a valid `JanusEventReceiver` listener).
    Events about a handle or session that was never announced (the receiver
    started late) create it on the fly. Events that arrive after their handle
    was detached or their session destroyed (Janus sends some, such as the
    ``hangup``, from another thread) do not bring it back; they still count
    in the totals.
    """

    def __init__(self) -> None:
        self._sessions: dict[int, SessionView] = {}
        self._handles: dict[int, HandleView] = {}
        self._retired: dict[str, MediaTotals] = {}
        self._gone_sessions: OrderedDict[int, None] = OrderedDict()
        self._gone_handles: OrderedDict[int, None] = OrderedDict()
        self.webrtc_ups = 0
        self.hangups = 0
        self.sessions_created = 0
        self.sessions_destroyed = 0
        self.handles_attached = 0
        self.handles_detached = 0

    # ------------------------------------------------------------- queries
    @property
    def sessions(self) -> dict[int, SessionView]:
        """Sessions alive, by id (a copy)."""
        return dict(self._sessions)

    @property
    def handles(self) -> dict[int, HandleView]:
        """Handles alive, by id (a copy)."""
        return dict(self._handles)

    def session(self, session_id: int) -> SessionView | None:
        """Return one session, or None."""
        return self._sessions.get(session_id)

    def handle(self, handle_id: int) -> HandleView | None:
        """Return one handle, or None."""
        return self._handles.get(handle_id)

    def handles_of(self, session_id: int) -> list[HandleView]:
        """Return a session's handles alive."""
        session = self._sessions.get(session_id)
        if session is None:
            return []
        return [self._handles[h] for h in sorted(session.handles) if h in self._handles]

    def __iter__(self) -> Iterator[HandleView]:
        """Iterate over the handles alive."""
        return iter(list(self._handles.values()))

    def __len__(self) -> int:
        return len(self._handles)

    def media_totals(self) -> dict[str, MediaTotals]:
        """Return the server-wide media counters, by media kind (``audio``, ``video``)."""
        out: dict[str, MediaTotals] = {}
        for kind, retired in self._retired.items():
            out[kind] = MediaTotals(**{f: getattr(retired, f) for f in TOTAL_FIELDS})
        for handle in self._handles.values():
            for stream in handle.streams.values():
                stats = stream.stats
                if stats is None:
                    continue
                totals = out.setdefault(stream.media or "unknown", MediaTotals())
                for name in TOTAL_FIELDS:
                    setattr(totals, name, getattr(totals, name) + getattr(stats, name))
        return out

    def webrtc_up_count(self) -> int:
        """How many handles have their PeerConnection up now."""
        return sum(1 for h in self._handles.values() if h.webrtc_up)

    # ------------------------------------------------------------- updates
    @staticmethod
    def _remember(gone: OrderedDict[int, None], key: int) -> None:
        gone[key] = None
        if len(gone) > _REMEMBER_GONE:
            gone.popitem(last=False)

    def _session(self, event: ServerEvent, session_id: int) -> SessionView:
        session = self._sessions.get(session_id)
        if session is None:
            session = SessionView(session_id, emitter=event.emitter)
            self._sessions[session_id] = session
        return session

    def _handle(self, event: ServerEvent) -> HandleView | None:
        hid = event.handle_id
        if hid is None:
            return None
        handle = self._handles.get(hid)
        if handle is None:
            if hid in self._gone_handles or event.session_id in self._gone_sessions:
                return None
            handle = HandleView(hid, session_id=event.session_id, opaque_id=event.opaque_id)
            self._handles[hid] = handle
            if event.session_id is not None:
                self._session(event, event.session_id).handles.add(hid)
        return handle

    def _retire_handle(self, handle_id: int) -> None:
        self._remember(self._gone_handles, handle_id)
        handle = self._handles.pop(handle_id, None)
        if handle is None:
            return
        for stream in handle.streams.values():
            self._retire_stream(stream)
        if handle.session_id is not None and handle.session_id in self._sessions:
            self._sessions[handle.session_id].handles.discard(handle_id)

    def _retire_stream(self, stream: StreamView) -> None:
        stats = stream.stats
        if stats is None:
            return
        totals = self._retired.setdefault(stream.media or "unknown", MediaTotals())
        for name in TOTAL_FIELDS:
            setattr(totals, name, getattr(totals, name) + getattr(stats, name))
        stream.stats = None

    def __call__(self, event: ServerEvent) -> None:
        """Apply one event."""
        if isinstance(event, SessionServerEvent):
            sid = event.session_id
            if sid is None:
                return
            if event.name == "created":
                self.sessions_created += 1
                self._gone_sessions.pop(sid, None)
                session = self._session(event, sid)
                transport = event.transport.get("transport")
                session.transport = transport if isinstance(transport, str) else None
            elif event.name in ("destroyed", "timeout"):
                self.sessions_destroyed += 1
                self._remember(self._gone_sessions, sid)
                gone = self._sessions.pop(sid, None)
                for hid in list(gone.handles if gone else ()):
                    self._retire_handle(hid)
                for hid in [h.handle_id for h in self._handles.values() if h.session_id == sid]:
                    self._retire_handle(hid)
            return
        if isinstance(event, HandleServerEvent):
            if event.name == "detached":
                self.handles_detached += 1
                if event.handle_id is not None:
                    self._retire_handle(event.handle_id)
                return
            if event.name == "attached" and event.handle_id is not None:
                self._gone_handles.pop(event.handle_id, None)
            handle = self._handle(event)
            if handle is not None:
                if event.name == "attached":
                    self.handles_attached += 1
                handle.plugin = event.plugin or handle.plugin
                handle.opaque_id = event.opaque_id or handle.opaque_id
            return
        if event.session_id is not None and event.handle_id is None:
            return
        if isinstance(event, WebRTCConnectionServerEvent):
            if event.connection == "webrtcup":
                self.webrtc_ups += 1
            elif event.connection == "hangup":
                self.hangups += 1
        handle = self._handle(event)
        if handle is None:
            return
        if isinstance(event, MediaStatsServerEvent):
            stream = self._stream(handle, event.mid, event.media)
            if stream.stats is not None and event.packets_received + event.packets_sent < (
                stream.stats.packets_received + stream.stats.packets_sent
            ):
                self._retire_stream(stream)  # counters restarted (renegotiation)
            stream.stats = event
        elif isinstance(event, MediaStateServerEvent):
            self._stream(handle, event.mid, event.media).receiving = event.receiving
        elif isinstance(event, SlowLinkServerEvent):
            self._stream(handle, event.mid, event.media).slow_links += 1
        elif isinstance(event, IceStateServerEvent):
            handle.ice_state = event.ice
        elif isinstance(event, DtlsStateServerEvent):
            handle.dtls_state = event.dtls
        elif isinstance(event, SelectedPairServerEvent):
            handle.selected_pair = event.selected_pair
        elif isinstance(event, WebRTCConnectionServerEvent):
            if event.connection == "webrtcup":
                handle.webrtc_up = True
                handle.hangup_reason = None
            elif event.connection == "hangup":
                handle.webrtc_up = False
                handle.hangup_reason = event.reason
                for stream in handle.streams.values():
                    self._retire_stream(stream)
                handle.streams.clear()
        elif isinstance(event, PluginServerEvent):
            handle.plugin_events += 1
            handle.plugin = event.plugin or handle.plugin
            handle.last_plugin_data = event.data

    @staticmethod
    def _stream(handle: HandleView, mid: str | None, media: str | None) -> StreamView:
        key = mid if mid is not None else (media or "?")
        stream = handle.streams.get(key)
        if stream is None:
            stream = StreamView(key, media=media)
            handle.streams[key] = stream
        elif media is not None:
            stream.media = media
        return stream
