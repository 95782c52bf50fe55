"""The Streaming plugin: mountpoints fed by RTP (or RTSP, or files), watched over WebRTC.

Managing mountpoints is synchronous (``list``, ``info``, ``create``, ``edit``,
``destroy``, ``enable``, ``disable``, ``recording``, ``kick_all``); watching one is a
negotiation where Janus makes the offer:

```python
streaming = JanusStreamingPlugin()
await streaming.attach(session)
created = await streaming.create_mountpoint(
    media=[RtpMedia("video", "v1", codec="vp8", pt=100),
           RtpMedia("audio", "a1", codec="opus", pt=111)],
)
# ... send RTP to created.host, created.port_of("v1") / port_of("a1") ...
await streaming.watch(created.id)
await streaming.wait_webrtcup()
video = await streaming.wait_track("video")     # TrackStats: frames, fps()
```
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ..errors import InvalidStateError, JanusError
from ..events import HangupEvent, JanusEvent, PluginEvent
from ..validate import (
    RoomId,
    enforce_bool,
    enforce_id,
    enforce_json_values,
    enforce_mapping,
    enforce_secret,
    enforce_str,
    enforce_strings,
    enforce_timeout,
    put,
)
from . import streaming_events as _events
from ._playback import _Playback
from .declare import Secret, request, sends
from .streaming_events import *  # noqa: F403 - the events and results are part of this module
from .streaming_events import (
    _PLUGIN,
    Mountpoint,
    MountpointChange,
    MountpointCreated,
    RtpMedia,
    StreamingError,
    StreamingEvent,
    StreamingEventType,
    _media_items,
)

if TYPE_CHECKING:
    from aiortc import RTCConfiguration
    from aiortc.contrib.media import MediaRecorder

    from ..handle import PluginResponse
    from ..webrtc import TrackStats

__all__ = ["JanusStreamingPlugin", *_events.__all__]

logger = logging.getLogger("janus_client")

#: Mountpoint types ``create`` accepts (``live`` and ``ondemand`` play a file).
MountpointType = Literal["rtp", "live", "ondemand", "rtsp"]


class JanusStreamingPlugin(_Playback):
    """Client of ``janus.plugin.streaming``: manage mountpoints and watch them.

    Watching (`watch`) answers Janus' offer on a new peer connection and sends
    the answer with ``start``; the received tracks are consumed and counted per
    mid (`track_stats`, `wait_track`), or recorded to a file (``record_to``).
    `pause` / `start` stop and resume the relay, `switch` moves the viewer to
    another mountpoint with the same media layout (no renegotiation), `stop`
    ends it. A mountpoint destroyed or disabled by someone else ends the viewer
    with a ``STOPPED`` event and a hangup.

    Typed events: ``events(StreamingEvent)`` or ``on_event(cb,
    StreamingEventType.STARTED)``; the methods return the event that answers
    their request.

    Args:
        pc_config: An `aiortc.RTCConfiguration` for the peer connections.
    """

    name = _PLUGIN
    error_class = StreamingError
    event_class = StreamingEvent
    event_types = StreamingEventType
    #: Whether mountpoint ids are strings (Janus' ``string_ids`` setting).
    string_ids: bool | None = None

    def __init__(self, pc_config: RTCConfiguration | None = None, **kwargs: Any) -> None:
        super().__init__(pc_config, **kwargs)
        self._watching: RoomId | None = None
        self._started = False

    # ------------------------------------------------------------ mountpoints
    @request("list", result=Mountpoint.list_from_data)
    async def list_mountpoints(
        self, *, admin_key: Secret | None = None, timeout: float | None = None
    ) -> list[Mountpoint]:
        """List the public mountpoints (``list``); private ones too with ``admin_key``.

        Args:
            admin_key: The plugin's admin key (shows private mountpoints).
            timeout: Deadline in seconds.

        Returns:
            The mountpoints, with their media and ``age_ms`` per stream.
        """
        ...

    @request("info", keys={"mountpoint_id": "id"}, result=Mountpoint.info_from_data)
    async def info(
        self,
        mountpoint_id: RoomId,
        *,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> Mountpoint:
        """Describe one mountpoint (``info``); with its ``secret``, ports and more.

        Args:
            mountpoint_id: The mountpoint.
            secret: The mountpoint's secret, for the private details.
            timeout: Deadline in seconds.

        Raises:
            StreamingError: 455 no such mountpoint.
        """
        ...

    @sends("create")
    async def create_mountpoint(
        self,
        mountpoint_id: RoomId | None = None,
        *,
        type: MountpointType = "rtp",
        media: Sequence[RtpMedia | Mapping[str, Any]] | None = None,
        name: str | None = None,
        description: str | None = None,
        metadata: str | None = None,
        is_private: bool | None = None,
        secret: Secret | None = None,
        pin: Secret | None = None,
        permanent: bool | None = None,
        admin_key: Secret | None = None,
        filename: str | None = None,
        url: str | None = None,
        rtsp_user: str | None = None,
        rtsp_pwd: Secret | None = None,
        timeout: float | None = None,
        **settings: Any,
    ) -> MountpointCreated:
        """Create a mountpoint (``create``).

        Args:
            mountpoint_id: Its id; Janus picks one when None.
            type: ``"rtp"`` (fed by RTP to Janus' ports), ``"live"`` or
                ``"ondemand"`` (an Opus/A-law/mu-law file), ``"rtsp"`` (pulled from
                an RTSP server; needs Janus built with libcurl).
            media: The streams of an RTP mountpoint (required for ``"rtp"``).
            name: Its name.
            description: Its description (shown by ``list``).
            metadata: A free-form string shown by ``list`` and ``info``.
            is_private: Hide it from ``list``.
            secret: The secret later needed to edit, destroy or record it.
            pin: A PIN viewers must give to ``watch``.
            permanent: Save it to Janus' configuration file.
            admin_key: The plugin's admin key, when Janus is configured with one.
            filename: The file of a ``"live"``/``"ondemand"`` mountpoint (required there).
            url: The RTSP URL of an ``"rtsp"`` mountpoint (required there).
            rtsp_user: The RTSP user name.
            rtsp_pwd: The RTSP password (never logged).
            timeout: Deadline in seconds.
            **settings: Other ``create`` settings (``collision``, ``threads``,
                ``srtpsuite``, ``e2ee``, ``audiocodec``, ``videocodec``, RTSP timeouts...).

        Returns:
            The new mountpoint, with the ports Janus listens on (`port_of`).

        Raises:
            ValueError: A required setting of the type is missing, or a media
                stream is malformed.
            StreamingError: 456 cannot create (port in use...), 457 bad admin key.
        """
        if type not in ("rtp", "live", "ondemand", "rtsp"):
            raise ValueError(f"type must be rtp, live, ondemand or rtsp, got {type!r}")
        body: dict[str, Any] = {"request": "create", "type": type}
        if mountpoint_id is not None:
            body["id"] = enforce_id(mountpoint_id, name="mountpoint_id", string_ids=self.string_ids)
        put(
            body,
            name=(name, str),
            description=(description, str),
            metadata=(metadata, str),
            is_private=(is_private, bool),
            permanent=(permanent, bool),
            url=(url, str),
            rtsp_user=(rtsp_user, str),
            filename=(filename, str),
        )
        for key, value in (
            ("secret", secret),
            ("pin", pin),
            ("admin_key", admin_key),
            ("rtsp_pwd", rtsp_pwd),
        ):
            if enforce_secret(value, name=key) is not None:
                body[key] = value
        if type == "rtp":
            if media is None:
                raise ValueError("an rtp mountpoint needs media (a list of RtpMedia)")
            body["media"] = _media_items(media)
        elif media is not None:
            raise ValueError(f"media is for rtp mountpoints, not {type!r}")
        if type in ("live", "ondemand") and not filename:
            raise ValueError(f"a {type} mountpoint needs filename")
        if type == "rtsp" and not url:
            raise ValueError("an rtsp mountpoint needs url")
        for key, value in enforce_json_values(settings).items():
            if key != "request":
                body.setdefault(key, value)
        limit = enforce_timeout(timeout)
        data = await self.request(body, timeout=limit)
        return MountpointCreated.from_data(data)

    @request(
        "edit",
        keys={"mountpoint_id": "id"},
        result=MountpointChange.from_data,
    )
    async def edit_mountpoint(
        self,
        mountpoint_id: RoomId,
        *,
        secret: Secret | None = None,
        new_description: str | None = None,
        new_metadata: str | None = None,
        new_secret: Secret | None = None,
        new_pin: Secret | None = None,
        new_is_private: bool | None = None,
        permanent: bool | None = None,
        edited_event: bool | None = None,
        timeout: float | None = None,
    ) -> MountpointChange:
        """Change a mountpoint's settings (``edit``).

        Args:
            mountpoint_id: The mountpoint.
            secret: Its secret, when it has one.
            new_description: A new description.
            new_metadata: New metadata.
            new_secret: A new secret.
            new_pin: A new PIN for viewers.
            new_is_private: Hide it from ``list`` or show it.
            permanent: Save the change to the configuration file.
            edited_event: Tell the viewers with an ``edited`` event.
            timeout: Deadline in seconds.

        Raises:
            StreamingError: 455 no such mountpoint, 457 wrong secret.
        """
        ...

    @request("destroy", keys={"mountpoint_id": "id"}, result=MountpointChange.from_data)
    async def destroy_mountpoint(
        self,
        mountpoint_id: RoomId,
        *,
        secret: Secret | None = None,
        permanent: bool | None = None,
        timeout: float | None = None,
    ) -> MountpointChange:
        """Destroy a mountpoint (``destroy``): its viewers get ``STOPPED`` and a hangup.

        Args:
            mountpoint_id: The mountpoint.
            secret: Its secret, when it has one.
            permanent: Remove it from the configuration file too.
            timeout: Deadline in seconds.
        """
        ...

    @request("enable", keys={"mountpoint_id": "id"}, result=MountpointChange.from_data)
    async def enable_mountpoint(
        self,
        mountpoint_id: RoomId,
        *,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> MountpointChange:
        """Let viewers watch a disabled mountpoint again (``enable``).

        Args:
            mountpoint_id: The mountpoint.
            secret: Its secret, when it has one.
            timeout: Deadline in seconds.
        """
        ...

    @request("disable", keys={"mountpoint_id": "id"}, result=MountpointChange.from_data)
    async def disable_mountpoint(
        self,
        mountpoint_id: RoomId,
        *,
        secret: Secret | None = None,
        stop_recording: bool | None = None,
        timeout: float | None = None,
    ) -> MountpointChange:
        """Stop a mountpoint for viewers (``disable``); its viewers are ended.

        Args:
            mountpoint_id: The mountpoint.
            secret: Its secret, when it has one.
            stop_recording: Also stop its recording (Janus' default: yes).
            timeout: Deadline in seconds.
        """
        ...

    @request("kick_all", keys={"mountpoint_id": "id"}, result=MountpointChange.from_data)
    async def kick_all(
        self,
        mountpoint_id: RoomId,
        *,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> MountpointChange:
        """End every viewer of a mountpoint (``kick_all``).

        Args:
            mountpoint_id: The mountpoint.
            secret: Its secret, when it has one.
            timeout: Deadline in seconds.
        """
        ...

    @request("recording", keys={"mountpoint_id": "id"}, result=MountpointChange.from_data)
    async def recording(
        self,
        mountpoint_id: RoomId,
        action: Literal["start", "stop"],
        *,
        media: Any = None,
        secret: Secret | None = None,
        timeout: float | None = None,
        **settings: Any,
    ) -> MountpointChange:
        """Start or stop recording a live RTP mountpoint to .mjr files (``recording``).

        `start_recording` and `stop_recording` are the convenient forms.

        Args:
            mountpoint_id: The mountpoint.
            action: ``"start"`` or ``"stop"``.
            media: For ``start``, ``[{"mid": "v1", "filename": "/path/base"}]``
                (Janus adds ``.mjr``); for ``stop``, ``[{"mid": "v1"}]``.
            secret: Its secret, when it has one.
            timeout: Deadline in seconds.
            **settings: The deprecated ``audio``/``video``/``data`` forms.

        Raises:
            StreamingError: 459 cannot record (a path Janus cannot write), 452 not
                a live RTP mountpoint.
        """
        ...

    async def start_recording(
        self,
        mountpoint_id: RoomId,
        files: Mapping[str, str],
        *,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> MountpointChange:
        """Record streams of a mountpoint: ``files`` maps a mid to a file base name.

        Janus writes ``<name>.mjr`` (a relative name is under Janus' current folder).

        Args:
            mountpoint_id: The mountpoint.
            files: ``{"v1": "/tmp/cam-video", "a1": "/tmp/cam-audio"}``.
            secret: Its secret, when it has one.
            timeout: Deadline in seconds.
        """
        checked = enforce_mapping(files, name="files") or {}
        if not checked:
            raise ValueError("files must name at least one mid")
        media = [
            {"mid": mid, "filename": enforce_str(path, name=f"files[{mid!r}]")}
            for mid, path in checked.items()
        ]
        return await self.recording(
            mountpoint_id, "start", media=media, secret=secret, timeout=timeout
        )

    async def stop_recording(
        self,
        mountpoint_id: RoomId,
        mids: Sequence[str],
        *,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> MountpointChange:
        """Stop recording the given streams (mids) of a mountpoint.

        Args:
            mountpoint_id: The mountpoint.
            mids: The mids whose recording stops.
            secret: Its secret, when it has one.
            timeout: Deadline in seconds.
        """
        media = [{"mid": mid} for mid in enforce_strings(mids, name="mids", empty_ok=False)]
        return await self.recording(
            mountpoint_id, "stop", media=media, secret=secret, timeout=timeout
        )

    # ---------------------------------------------------------------- viewer
    @property
    def watching(self) -> RoomId | None:
        """The mountpoint this handle watches (None before `watch` and after `stop`)."""
        return self._watching

    @property
    def track_stats(self) -> dict[str, TrackStats]:
        """The `TrackStats` of each received track, by mid (empty before any media).

        Kept once the viewer ends, until the next `watch`.
        """
        return self._received_stats()

    async def wait_track(self, kind: str, timeout: float = 10.0) -> TrackStats:
        """Wait until a track of ``kind`` (``"audio"``/``"video"``) is received; return its stats.

        Raises:
            InvalidStateError: Not watching.
            TimeoutError: No such track within ``timeout`` seconds.
        """
        pc = self.peer
        track = await pc.wait_track(kind, timeout=timeout)
        stats = pc.stats.get(kind)
        for candidate in pc.stats_by_mid.values():
            if candidate.kind == kind:
                stats = candidate
        if stats is None:
            raise InvalidStateError(f"the {track.kind} track is recorded, not counted")
        return stats

    @sends("watch")
    async def watch(
        self,
        mountpoint_id: RoomId,
        *,
        pin: Secret | None = None,
        media: Sequence[str] | None = None,
        record_to: str | MediaRecorder | None = None,
        read_counters: bool = False,
        timeout: float | None = None,
    ) -> StreamingEvent:
        """Watch a mountpoint (``watch``, then ``start`` with our answer).

        Janus answers ``preparing`` with its offer; the answer is made on a new
        peer connection and sent with ``start``.

        Args:
            mountpoint_id: The mountpoint.
            pin: Its PIN, when it has one.
            media: The mids to receive (default: every stream).
            record_to: A file path or `MediaRecorder` for the received media
                (instead of counting it in `track_stats`).
            read_counters: Decode `FrameCounterVideoTrack` numbers from the video.
            timeout: Deadline in seconds for each of the two requests.

        Returns:
            The ``STARTING`` (or ``STARTED``) event answering ``start``.

        Raises:
            InvalidStateError: This handle already watches a mountpoint.
            StreamingError: 455 no such mountpoint, 457 wrong PIN, 460 not enabled.
        """
        body: dict[str, Any] = {
            "request": "watch",
            "id": enforce_id(mountpoint_id, name="mountpoint_id", string_ids=self.string_ids),
        }
        if enforce_secret(pin, name="pin") is not None:
            body["pin"] = pin
        if media is not None:
            body["media"] = enforce_strings(media, name="media", empty_ok=False)
        enforce_bool(read_counters, name="read_counters")
        limit = enforce_timeout(timeout)
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        if self._watching is not None:
            raise InvalidStateError(
                f"this handle already watches mountpoint {self._watching!r} (stop or switch)"
            )
        started = await self._answer_and_start(body, record_to, read_counters, timeout=limit)
        self._watching = body["id"]
        self._started = True
        return self._typed_reply(StreamingEvent, started)

    @sends("start")
    async def start(self, *, timeout: float | None = None) -> StreamingEvent:
        """Resume the relay after `pause` (``start``).

        Returns:
            The ``STARTING``/``STARTED`` event.

        Raises:
            InvalidStateError: Not watching.
        """
        limit = enforce_timeout(timeout)
        self._require_watching("start")
        return self._typed_reply(
            StreamingEvent, await self.message({"request": "start"}, timeout=limit)
        )

    @request("pause", mode="async", result=StreamingEvent.from_data)
    async def pause(self, *, timeout: float | None = None) -> StreamingEvent:
        """Stop the relay to this viewer until `start` (``pause``); the connection stays.

        Args:
            timeout: Deadline in seconds.

        Returns:
            The ``PAUSING`` event.

        Raises:
            StreamingError: 455 not watching.
        """
        ...

    @request("configure", mode="async", result=StreamingEvent.from_data)
    async def configure(
        self,
        *,
        mid: str | None = None,
        send: bool | None = None,
        substream: int | None = None,
        temporal: int | None = None,
        fallback: int | None = None,
        spatial_layer: int | None = None,
        temporal_layer: int | None = None,
        min_delay: int | None = None,
        max_delay: int | None = None,
        timeout: float | None = None,
    ) -> StreamingEvent:
        """Change what this viewer receives (``configure``).

        Args:
            mid: The stream the settings apply to (default: every stream).
            send: Relay that stream (or every stream) or not.
            substream: Simulcast substream to receive (0-2).
            temporal: Simulcast temporal layer to receive (0-2).
            fallback: Microseconds without packets before falling back a substream.
            spatial_layer: VP9-SVC spatial layer to receive.
            temporal_layer: VP9-SVC temporal layer to receive.
            min_delay: Playout-delay extension minimum (when negotiated).
            max_delay: Playout-delay extension maximum (when negotiated).
            timeout: Deadline in seconds.

        Returns:
            The ``CONFIGURED`` event.
        """
        ...

    @sends("switch")
    async def switch(
        self, mountpoint_id: RoomId, *, timeout: float | None = None
    ) -> StreamingEvent:
        """Move this viewer to another mountpoint without renegotiating (``switch``).

        The new mountpoint must be a live RTP one with the same media in the same
        order (same codecs).

        Returns:
            The ``SWITCHED`` event.

        Raises:
            InvalidStateError: Not watching.
            StreamingError: 458 cannot switch, 455 no such mountpoint.
        """
        new_id = enforce_id(mountpoint_id, name="mountpoint_id", string_ids=self.string_ids)
        limit = enforce_timeout(timeout)
        self._require_watching("switch")
        reply = await self.message({"request": "switch", "id": new_id}, timeout=limit)
        self._watching = new_id
        return self._typed_reply(StreamingEvent, reply)

    @sends("stop")
    async def stop(self, *, timeout: float | None = None) -> StreamingEvent | None:
        """Stop watching (``stop``): Janus closes the PeerConnection; so do we.

        Idempotent: without a viewer (never started, already ended) nothing is
        sent (Janus would not answer) and None is returned. Before the
        PeerConnection is up Janus ignores ``stop``: the viewer is then ended with
        a hangup, and None is returned. Returns once Janus reports the
        PeerConnection closed (its ``hangup`` event, waited for at most
        ``timeout`` or 5 s), so that the handle can `watch` again at once.

        Returns:
            The ``STOPPING`` event, or None.
        """
        reply = await self._stop_run(enforce_timeout(timeout))
        return None if reply is None else self._typed_reply(StreamingEvent, reply)

    def _require_watching(self, what: str) -> None:
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        if self._watching is None:
            raise InvalidStateError(f"cannot {what}: not watching a mountpoint (watch first)")

    def _running(self) -> bool:
        return self._watching is not None and self._started

    def _forget(self) -> None:
        self._watching = None
        self._started = False

    async def _send_stop(self, limit: float | None) -> PluginResponse | None:
        if self.webrtc_up:
            return await super()._send_stop(limit)
        # Janus ignores (never answers) a stop before the PeerConnection is up;
        # hanging the PeerConnection up ends the viewer as well.
        with contextlib.suppress(JanusError):
            await self.hangup(timeout=limit)
        return None

    def _answer_body(self, event: PluginEvent) -> dict[str, Any]:
        return {"request": "start"}

    async def _process_event(self, event: JanusEvent) -> None:
        ended = isinstance(event, StreamingEvent) and event.type is StreamingEventType.STOPPED
        if ended or isinstance(event, HangupEvent):
            self._forget()
        await super()._process_event(event)  # a hangup closes the peer connection

    async def close_stream(self, *, timeout: float | None = None) -> None:
        """Stop watching and release the media, ignoring errors (best effort)."""
        await self._close_run(timeout)
