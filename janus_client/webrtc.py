"""WebRTC media for plugin handles: peer connections, media sources and sinks.

This module, `janus_client.tracks` and `janus_client.recording` are the only ones
of janus-client that import aiortc and av, which come with the ``media`` extra (``pip install
'janus-client[media]'``). Without them, importing this module raises
`MediaUnavailableError` with that hint; signalling works anyway.

* `JanusPeerConnection` wraps one `aiortc.RTCPeerConnection` per handle: offers and
  answers with the complete SDP (aiortc gathers before it returns, so no trickle is
  needed), answers renegotiation offers, collects remote tracks and data channels,
  feeds recorders (`PassthroughRecorder` without re-encoding, or `MediaRecorder`)
  and sinks, and closes everything it owns.
* `MediaPlayer` (files, devices) and `MediaRecorder` as in janus-client 0.9.x; the
  player never keeps the process alive at exit.
* Synthetic sources for tests and demos (defined in `janus_client.tracks`, with
  `TrackStats`): `FrameCounterVideoTrack` stamps a frame number into each frame and
  `read_frame_counter` reads it back after the round trip; `ToneAudioTrack` plays a
  sine tone.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import string
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .errors import InvalidStateError, MediaUnavailableError

try:
    import aioice.ice
    from aiortc import (
        MediaStreamTrack,
        RTCConfiguration,
        RTCDataChannel,
        RTCIceServer,
        RTCPeerConnection,
        RTCSessionDescription,
        VideoStreamTrack,
    )
    from aiortc.contrib.media import MediaBlackhole, MediaRecorder, MediaRelay
    from aiortc.contrib.media import MediaPlayer as _AiortcMediaPlayer
    from aiortc.mediastreams import MediaStreamError
except ImportError as exc:  # pragma: no cover - exercised in a venv without the extra
    raise MediaUnavailableError("janus_client.webrtc") from exc

from .recording import (
    PassthroughRecorder,
    RecordingUnsupportedError,
    can_passthrough,
    negotiated_codec,
)
from .tracks import (
    FrameCounterVideoTrack,
    ToneAudioTrack,
    TrackStats,
    _RecordedTrack,
    read_frame_counter,
)

__all__ = [
    "FrameCounterVideoTrack",
    "JanusPeerConnection",
    "MediaBlackhole",
    "MediaPlayer",
    "MediaRecorder",
    "MediaRelay",
    "MediaStreamTrack",
    "PassthroughRecorder",
    "RTCConfiguration",
    "RTCIceServer",
    "TrackStats",
    "ToneAudioTrack",
    "open_peer_connections",
    "read_frame_counter",
    "set_host_addresses",
]

logger = logging.getLogger("janus_client")

# --------------------------------------------------------------------------- hosts
_original_get_host_addresses = aioice.ice.get_host_addresses


def set_host_addresses(addresses: Iterable[str] | None) -> None:
    """Restrict the local addresses aiortc gathers ICE candidates on (process-wide).

    aioice has no per-connection option for this, so the setting applies to every
    peer connection created afterwards. ``None`` restores the default (all local
    interfaces).

    Args:
        addresses: IPv4/IPv6 address strings, or None.
    """
    if addresses is None:
        aioice.ice.get_host_addresses = _original_get_host_addresses
        return
    chosen = [str(a) for a in addresses]
    if not chosen:
        raise ValueError("addresses must name at least one address (or be None)")

    def get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in chosen if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]

    aioice.ice.get_host_addresses = get_host_addresses


# ------------------------------------------------------------------------ player
_players: weakref.WeakSet[MediaPlayer] = weakref.WeakSet()


def _stop_players_at_exit() -> None:
    for player in list(_players):
        player.stop()


_register_atexit = getattr(threading, "_register_atexit", None)
if _register_atexit is not None:
    # Runs before the interpreter joins non-daemon threads, so a player's decoding
    # thread can never keep the process alive.
    _register_atexit(_stop_players_at_exit)
else:  # pragma: no cover - every supported CPython has it
    import atexit

    atexit.register(_stop_players_at_exit)


class MediaPlayer(_AiortcMediaPlayer):
    """Play a media file, stream or device as WebRTC tracks (aiortc's player).

    Same arguments as `aiortc.contrib.media.MediaPlayer` (``file``, ``format``,
    ``options``, ``loop``, ...). Unlike it, a player that was never stopped does not
    keep the process alive at exit, and `stop` ends both tracks at once.
    """

    def __init__(
        self,
        file: Any,
        format: str | None = None,
        options: dict[str, str] | None = None,
        timeout: int | None = None,
        event_loop: asyncio.AbstractEventLoop | None = None,
        loop_playback: bool = False,
        *,
        loop: bool = False,
        decode: bool = True,
    ) -> None:
        # 0.9.x spelled looping `loop_playback` and took an `event_loop` (not needed:
        # the tracks use the loop that reads them).
        del event_loop
        super().__init__(
            file,
            format=format,
            options=options,
            timeout=timeout,
            loop=loop or bool(loop_playback),
            decode=decode,
        )
        _players.add(self)

    @property
    def stream_tracks(self) -> list[MediaStreamTrack]:
        """The tracks to send (0.9.x): audio if any, then video.

        As in 0.9.x, a source without video gets a synthetic video track (so that
        an offer always has a video line).
        """
        tracks: list[MediaStreamTrack] = [t for t in (self.audio, self.video) if t is not None]
        if self.video is None:
            tracks.append(VideoStreamTrack())
        return tracks

    def stop(self) -> None:
        """Stop the audio and video tracks and the decoding thread (idempotent)."""
        for track in (self.audio, self.video):
            if track is not None and track.readyState == "live":
                track.stop()
        quit_event = getattr(self, "_MediaPlayer__thread_quit", None)
        if quit_event is not None:
            quit_event.set()


# ----------------------------------------------------------------- peer connection
_open_pcs: weakref.WeakSet[JanusPeerConnection] = weakref.WeakSet()


def open_peer_connections() -> list[JanusPeerConnection]:
    """Return the `JanusPeerConnection` objects not closed yet (for leak checks)."""
    return [pc for pc in _open_pcs if not pc.closed]


def _jsep(description: Any) -> dict[str, Any]:
    return {"type": description.type, "sdp": description.sdp}


_ICE_ALPHABET = string.ascii_letters + string.digits + "+/"


def _random_ice_string(length: int) -> str:
    # RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/"; at least 24 bits of randomness.
    return "".join(secrets.choice(_ICE_ALPHABET) for _ in range(length))


def _ice_credentials(sdp: str) -> tuple[str, str] | None:
    """Return the first ``ice-ufrag`` and ``ice-pwd`` of an SDP, or None."""
    ufrag = pwd = None
    for line in sdp.splitlines():
        if ufrag is None and line.startswith("a=ice-ufrag:"):
            ufrag = line[len("a=ice-ufrag:") :].strip()
        elif pwd is None and line.startswith("a=ice-pwd:"):
            pwd = line[len("a=ice-pwd:") :].strip()
    return (ufrag, pwd) if ufrag and pwd else None


class JanusPeerConnection:
    """One aiortc peer connection owned by a plugin handle.

    Args:
        configuration: ICE servers and other settings. Default: no ICE servers
            (host candidates only, no traffic to third parties); pass
            ``RTCConfiguration(iceServers=[RTCIceServer("stun:...")])`` for NAT
            traversal.
        record_to: Where to record the remote tracks: a file path, a
            `janus_client.recording.PassthroughRecorder`, a `MediaRecorder`, or None.
        read_counters: Decode `FrameCounterVideoTrack` numbers from received video.
        measure_levels: Measure the level of received audio (`TrackStats.rms`).
        transcode: For a ``record_to`` path: False (the default) writes the
            encoded media as received with `PassthroughRecorder` when the file's
            container takes the negotiated codecs (VP8/VP9/H.264 and Opus in
            ``.mkv``/``.webm``, H.264 and Opus in ``.mp4``), and falls back to
            aiortc's `MediaRecorder` (decoding and re-encoding) otherwise; True
            always uses `MediaRecorder`.

    Attributes:
        pc: The underlying `aiortc.RTCPeerConnection`.
        remote_tracks: Tracks received from Janus, in arrival order.
        stats: A `TrackStats` per received track kind (``"audio"``, ``"video"``),
            recorded ones too (counted as the recorder reads them); with several
            tracks of a kind, the latest one.
        stats_by_mid: The same `TrackStats`, keyed by the mid of the m-line each
            track arrived on: one per track, also when one connection receives
            several videos (a VideoRoom multistream subscription).
        data_channels: Data channels by label (ours and the remote side's).
    """

    def __init__(
        self,
        configuration: RTCConfiguration | None = None,
        *,
        record_to: str | MediaRecorder | PassthroughRecorder | None = None,
        read_counters: bool = False,
        measure_levels: bool = False,
        transcode: bool = False,
    ) -> None:
        self.pc = RTCPeerConnection(
            configuration if configuration is not None else RTCConfiguration(iceServers=[])
        )
        self.remote_tracks: list[MediaStreamTrack] = []
        self.stats: dict[str, TrackStats] = {}
        self._track_stats: list[tuple[MediaStreamTrack, TrackStats]] = []
        self.data_channels: dict[str, RTCDataChannel] = {}
        self.read_counters = read_counters
        #: Measure the level of received audio (`TrackStats.rms`); may be set before
        #: the tracks arrive.
        self.measure_levels = measure_levels
        # A path without transcode=True: the recorder is chosen once the codecs
        # are negotiated (`_start_recorder`); the tracks wait in _record_pending.
        self._record_path = record_to if isinstance(record_to, str) and not transcode else None
        self._recorder: MediaRecorder | PassthroughRecorder | None
        if isinstance(record_to, str):
            self._recorder = MediaRecorder(record_to) if transcode else None
        else:
            self._recorder = record_to
        self._record_pending: list[tuple[MediaStreamTrack, TrackStats]] = []
        self._recorder_started = False
        self._video_started = asyncio.Event()
        self._applying = False
        self._local_tracks: list[MediaStreamTrack] = []
        self._players: list[MediaPlayer] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._track_waiters: list[asyncio.Future[MediaStreamTrack]] = []
        self._messages: asyncio.Queue[str | bytes] = asyncio.Queue()
        self._closed = False
        # The close, once started: it runs to its end even when its caller is
        # cancelled, and every later `close()` waits for it.
        self._closing: asyncio.Future[None] | None = None
        self._track_callbacks: list[Callable[[MediaStreamTrack], object]] = []
        self._ice_restarts = 0
        self.pc.on("track", self._on_track)
        self.pc.on("datachannel", self._on_datachannel)
        _open_pcs.add(self)

    def __repr__(self) -> str:
        state = "closed" if self._closed else self.pc.connectionState
        return f"<JanusPeerConnection {state} tracks={len(self.remote_tracks)}>"

    @property
    def closed(self) -> bool:
        """Whether `close` was called."""
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidStateError("the peer connection is closed")

    # ---------------------------------------------------------------- local side
    def add_track(self, track: MediaStreamTrack) -> None:
        """Send a local track (stopped when the connection closes)."""
        self._check_open()
        self.pc.addTrack(track)
        self._local_tracks.append(track)

    def add_player(self, player: MediaPlayer | _AiortcMediaPlayer) -> None:
        """Send a player's audio and video tracks (the player is stopped on close)."""
        self._check_open()
        for track in (player.audio, player.video):
            if track is not None:
                self.add_track(track)
        if isinstance(player, MediaPlayer):
            self._players.append(player)

    def create_data_channel(
        self, label: str = "JanusDataChannel", **options: Any
    ) -> RTCDataChannel:
        """Open a data channel (before the offer); received text goes to `receive_data`."""
        self._check_open()
        channel = self.pc.createDataChannel(label, **options)
        self._watch_channel(channel)
        return channel

    def send_data(self, data: str | bytes, label: str | None = None) -> None:
        """Send a message on a data channel (the first one when no label is given).

        Raises:
            InvalidStateError: No such channel, or it is not open.
        """
        self._check_open()
        channel = self._channel(label)
        if channel.readyState != "open":
            raise InvalidStateError(f"data channel {channel.label!r} is {channel.readyState}")
        channel.send(data)

    def _channel(self, label: str | None) -> RTCDataChannel:
        if label is None:
            if not self.data_channels:
                raise InvalidStateError("the peer connection has no data channel")
            return next(iter(self.data_channels.values()))
        try:
            return self.data_channels[label]
        except KeyError:
            raise InvalidStateError(f"no data channel named {label!r}") from None

    async def wait_data_channel_open(self, label: str | None = None, timeout: float = 10.0) -> None:
        """Wait until a data channel is open."""
        channel = self._channel(label)
        if channel.readyState == "open":
            return
        opened = asyncio.get_running_loop().create_future()

        def on_open() -> None:
            if not opened.done():
                opened.set_result(None)

        channel.once("open", on_open)
        await asyncio.wait_for(opened, timeout)

    async def receive_data(self, timeout: float = 10.0) -> str | bytes:
        """Return the next message received on any data channel."""
        return await asyncio.wait_for(self._messages.get(), timeout)

    def _watch_channel(self, channel: RTCDataChannel) -> None:
        self.data_channels[channel.label] = channel
        channel.on("message", self._messages.put_nowait)

    # --------------------------------------------------------------- negotiation
    async def create_offer(self) -> dict[str, Any]:
        """Create the offer and return it as JSEP, with every candidate in the SDP."""
        self._check_open()
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return _jsep(self.pc.localDescription)

    async def apply(self, jsep: Mapping[str, Any]) -> dict[str, Any] | None:
        """Apply a JSEP from Janus: an answer to our offer, or an offer to answer.

        An offer with new ICE credentials (an ICE restart, such as TextRoom's
        ``restart``) is followed: the ICE connection takes Janus' new credentials
        and our answer carries new ones (see `ice_restarts`).

        Returns:
            Our answer as JSEP when ``jsep`` was an offer (send it to Janus), else None.

        Raises:
            ValueError: The JSEP is not an offer or an answer.
        """
        self._check_open()
        kind = jsep.get("type")
        sdp = jsep.get("sdp")
        if kind not in ("offer", "answer") or not isinstance(sdp, str):
            raise ValueError(f"expected a JSEP offer or answer, got {dict(jsep)!r:.80}")
        restart = kind == "offer" and self._ice_credentials_changed(sdp)
        self._applying = True
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))
        finally:
            self._applying = False
        if not any(track.kind == "video" for track in self.remote_tracks):
            self._video_started.set()  # nothing for recorded audio to wait for
        # Start the recorder once every track of this negotiation was announced: a
        # recorder started earlier would not record the tracks added after it.
        if self._recording and not self._recorder_started and self.remote_tracks:
            await self._start_recorder()
        if kind == "answer":
            return None
        if restart:
            self._restart_ice(sdp)
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return _jsep(self.pc.localDescription)

    @property
    def ice_restarts(self) -> int:
        """How many ICE restarts offered by Janus this connection went through."""
        return self._ice_restarts

    def _ice_credentials_changed(self, sdp: str) -> bool:
        current = self.pc.remoteDescription
        if current is None:
            return False
        old, new = _ice_credentials(current.sdp), _ice_credentials(sdp)
        return old is not None and new is not None and old != new

    def _ice_transports(self) -> list[Any]:
        found: list[Any] = []
        dtls = [t.receiver.transport for t in self.pc.getTransceivers()]
        if self.pc.sctp is not None:
            dtls.append(self.pc.sctp.transport)
        for transport in dtls:
            ice = getattr(transport, "transport", None)
            if ice is not None and all(ice is not other for other in found):
                found.append(ice)
        return found

    def _restart_ice(self, sdp: str) -> None:
        """Follow an ICE restart that Janus offers (new ``ice-ufrag``/``ice-pwd``).

        aiortc 1.x does not restart ICE by itself: it keeps checking with the old
        remote credentials, so that consent checks fail and the connection dies
        about 30 s later. Here every ICE connection takes the new remote
        credentials and gets new local ones (sent in our answer), while the
        selected candidate pair stays in use, as RFC 8445 allows.
        """
        credentials = _ice_credentials(sdp)
        if credentials is None:  # pragma: no cover - checked by the caller
            return
        ufrag, pwd = credentials
        for ice in self._ice_transports():
            connection = getattr(ice, "_connection", None)
            if connection is None:  # pragma: no cover - another aiortc layout
                logger.warning("ICE restart: this aiortc version hides its ICE connection")
                continue
            connection.remote_username = ufrag
            connection.remote_password = pwd
            if hasattr(connection, "_local_username") and hasattr(connection, "_local_password"):
                connection._local_username = _random_ice_string(4)
                connection._local_password = _random_ice_string(22)
        self._ice_restarts += 1
        logger.debug("ICE restart: new credentials on %d transport(s)", len(self._ice_transports()))

    # ---------------------------------------------------------------- remote side
    def on_track(self, callback: Callable[[MediaStreamTrack], object]) -> None:
        """Call ``callback(track)`` for each remote track (instead of consuming it)."""
        self._track_callbacks.append(callback)

    def _on_track(self, track: MediaStreamTrack) -> None:
        self.remote_tracks.append(track)
        for waiter in self._track_waiters:
            if not waiter.done():
                waiter.set_result(track)
        self._track_waiters.clear()
        if self._track_callbacks:
            for callback in self._track_callbacks:
                try:
                    callback(track)
                except Exception:
                    logger.exception("track callback %r raised", callback)
            return
        stats = TrackStats(
            track.kind,
            read_counters=self.read_counters,
            mid=self.mid_of(track),
            measure_level=self.measure_levels,
        )
        self.stats[track.kind] = stats
        self._track_stats.append((track, stats))
        if not self._recording:
            self._spawn(self._consume(track, stats))
            return
        # Recorded and counted: the frames pass the stats on their way to the file.
        self._record_track(track, stats)
        if not self._applying:  # otherwise `apply` starts it after the last track
            self._spawn(self._start_recorder())

    @property
    def stats_by_mid(self) -> dict[str, TrackStats]:
        """The `TrackStats` of each received track, by the mid of its m-line.

        Some aiortc versions announce a track before its transceiver has a mid, so
        the mapping is completed here, when asked.
        """
        found: dict[str, TrackStats] = {}
        for track, stats in self._track_stats:
            if stats.mid is None:
                stats.mid = self.mid_of(track)
            if stats.mid is not None:
                found[stats.mid] = stats
        return found

    def mid_of(self, track: MediaStreamTrack) -> str | None:
        """Return the mid of the m-line a remote track arrives on, or None if unknown."""
        for transceiver in self.pc.getTransceivers():
            if transceiver.receiver.track is track:
                mid = transceiver.mid
                return mid if isinstance(mid, str) else None
        return None

    def _on_datachannel(self, channel: RTCDataChannel) -> None:
        self._watch_channel(channel)

    async def wait_track(self, kind: str | None = None, timeout: float = 10.0) -> MediaStreamTrack:
        """Return a remote track (of ``kind``), waiting for it if needed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for track in self.remote_tracks:
                if kind is None or track.kind == kind:
                    return track
            waiter: asyncio.Future[MediaStreamTrack] = loop.create_future()
            self._track_waiters.append(waiter)
            await asyncio.wait_for(waiter, max(deadline - loop.time(), 0.001))

    @property
    def recorder(self) -> MediaRecorder | PassthroughRecorder | None:
        """The recorder of the remote tracks (for a path, chosen once negotiated)."""
        return self._recorder

    @property
    def _recording(self) -> bool:
        return self._recorder is not None or self._record_path is not None

    def _record_track(self, track: MediaStreamTrack, stats: TrackStats) -> None:
        if self._recorder is None:
            self._record_pending.append((track, stats))
        elif isinstance(self._recorder, PassthroughRecorder):
            transceiver = self._transceiver_of(track)
            if transceiver is not None:
                self._recorder.add_receiver(transceiver.receiver, on_frame=stats._add_encoded)
        else:
            if not self._expects_video():
                self._video_started.set()
            self._recorder.addTrack(_RecordedTrack(track, self._video_started, stats))

    def _choose_recorder(self, path: str) -> MediaRecorder | PassthroughRecorder:
        transceivers = [self._transceiver_of(track) for track, _ in self._record_pending]
        codecs = [negotiated_codec(t) if t is not None else None for t in transceivers]
        if all(codecs) and can_passthrough(path, [c for c in codecs if c]):
            try:
                recorder = PassthroughRecorder(path)
                for transceiver, (_, stats) in zip(transceivers, self._record_pending, strict=True):
                    recorder.add_receiver(transceiver.receiver, on_frame=stats._add_encoded)
                return recorder
            except RecordingUnsupportedError as exc:
                logger.warning("recording with MediaRecorder: %s", exc)
        else:
            logger.info("recording %s with MediaRecorder (re-encoding): codecs %s", path, codecs)
        media_recorder = MediaRecorder(path)
        if not any(track.kind == "video" for track, _ in self._record_pending):
            self._video_started.set()  # nothing to wait for
        for track, stats in self._record_pending:
            media_recorder.addTrack(_RecordedTrack(track, self._video_started, stats))
        return media_recorder

    def _expects_video(self) -> bool:
        """Whether the negotiation receives a video track (the audio then waits for it)."""
        return any(
            t.kind == "video" and (t.currentDirection or t.direction) in ("sendrecv", "recvonly")
            for t in self.pc.getTransceivers()
        )

    def _transceiver_of(self, track: MediaStreamTrack) -> Any:
        for transceiver in self.pc.getTransceivers():
            if transceiver.receiver.track is track:
                return transceiver
        return None

    async def _start_recorder(self) -> None:
        # Start once, after the tracks of the first negotiation have been added.
        await asyncio.sleep(0)
        if self._recorder is None and self._record_path is not None:
            self._recorder = self._choose_recorder(self._record_path)
            self._record_pending.clear()
        if self._recorder is not None and not self._recorder_started:
            self._recorder_started = True
            await self._recorder.start()

    async def _consume(self, track: MediaStreamTrack, stats: TrackStats) -> None:
        try:
            while True:
                frame = await track.recv()
                stats._add(frame)
        except MediaStreamError:
            return

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro, name="janus-media")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------- closing
    def _connecting_ice(self) -> list[Any]:
        """Aioice connections whose checks completed but whose connect() has not ended.

        Closed in that window, aioice's connect() still resumes afterwards and starts
        consent checks: a task that then sleeps forever (see `_late_consent_checks`).
        """
        found = []
        for ice in self._ice_transports():
            connection = getattr(ice, "_connection", None)
            if (
                getattr(ice, "state", None) == "checking"
                and getattr(connection, "_check_list_done", False)
                and getattr(connection, "_query_consent_task", 1) is None
            ):
                found.append(connection)
        return found

    @staticmethod
    async def _late_consent_checks(connections: list[Any]) -> list[asyncio.Task[Any]]:
        """Collect the consent-check tasks those connections start after close (≤ 1 s)."""
        found: list[asyncio.Task[Any]] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 1.0
        pending = list(connections)
        while pending and loop.time() < deadline:
            for connection in list(pending):
                task = getattr(connection, "_query_consent_task", None)
                if isinstance(task, asyncio.Task):
                    found.append(task)
                    pending.remove(connection)
            if pending:
                await asyncio.sleep(0.01)
        return found

    async def _stop_late_transceivers(self) -> None:
        """Stop senders and receivers that aiortc started after its own close.

        aiortc's connect step, when DTLS completes just before `close`, resumes after
        the close and starts the transceivers' RTP/RTCP tasks; they would run forever.
        `stop()` is aiortc's public, repeatable way to end them.
        """
        await asyncio.sleep(0)
        for transceiver in self.pc.getTransceivers():
            for part in (transceiver.sender, transceiver.receiver):
                try:
                    await part.stop()
                except Exception:
                    logger.debug("stopping a late %s failed", type(part).__name__, exc_info=True)

    async def close(self) -> None:
        """Close the connection, stop local tracks, players and recorder (idempotent).

        The close runs to its end even when the caller is cancelled (a recorder's
        file is finalized when it stops), and every call returns once it has ended,
        whichever call started it.
        """
        closing = self._closing
        if closing is None:
            self._closed = True
            closing = self._closing = asyncio.ensure_future(self._close())
        await asyncio.shield(closing)

    async def _close(self) -> None:
        for waiter in self._track_waiters:
            if not waiter.done():
                waiter.cancel()
        for track in self._local_tracks:
            track.stop()
        for player in self._players:
            player.stop()
        racing = self._connecting_ice()
        try:
            # Shielded: cancelling a task that awaits aiortc's close would cancel
            # aiortc's own "closed" future, and the close aiortc starts by itself
            # when the peer ends DTLS (a Janus hangup) then fails unretrieved.
            await asyncio.shield(self.pc.close())
        except Exception:
            logger.debug("closing the peer connection failed", exc_info=True)
        await self._stop_late_transceivers()
        tasks = list(self._tasks)
        tasks += await self._late_consent_checks(racing)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._recorder is not None and self._recorder_started:
            try:
                await self._recorder.stop()
            except Exception:
                logger.debug("stopping the recorder failed", exc_info=True)
