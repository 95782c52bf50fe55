"""`JanusMediaPlugin`: the base of plugin classes that own a WebRTC peer connection.

The peer connection lives in `janus_client.webrtc`, imported only when media is
first used, so that these classes (and ``import janus_client``) work without the
``media`` extra: signalling methods run, media methods raise
`MediaUnavailableError` naming the extra to install.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import JanusError, MediaUnavailableError
from ..events import HangupEvent, JanusEvent, PluginEvent, TypedPluginEvent, WebRTCUpEvent
from .base import JanusPlugin

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack

    from ..handle import PluginResponse
    from ..webrtc import JanusPeerConnection, TrackStats

__all__ = [
    "MEDIA_SETTINGS",
    "JanusMediaPlugin",
    "load_webrtc",
    "media_alias",
    "wait_set",
    "webrtc_state_hint",
]

#: The media settings several plugins take (EchoTest, VideoCall), with their JSON
#: types; a plugin adds its own to build request bodies with ``validate.typed_body``.
MEDIA_SETTINGS: dict[str, type] = {
    "audio": bool,
    "video": bool,
    "bitrate": int,
    "record": bool,
    "filename": str,
    "substream": int,
    "temporal": int,
}

logger = logging.getLogger("janus_client")

_Typed = TypeVar("_Typed", bound=TypedPluginEvent)


def load_webrtc() -> ModuleType:
    """Import `janus_client.webrtc`, or raise `MediaUnavailableError` with the hint."""
    try:
        from .. import webrtc
    except MediaUnavailableError:
        raise
    except ImportError as exc:  # pragma: no cover - defensive
        raise MediaUnavailableError() from exc
    return webrtc


async def wait_set(flag: asyncio.Event, timeout: float | None, message: str) -> None:
    """Wait until ``flag`` is set (at once if it is).

    Args:
        flag: The event to wait for.
        timeout: Seconds to wait; None: no limit.
        message: The `TimeoutError`'s message.

    Raises:
        TimeoutError: ``flag`` was not set within ``timeout`` seconds.
    """
    try:
        await asyncio.wait_for(flag.wait(), timeout)
    except asyncio.TimeoutError:
        raise TimeoutError(message) from None


def media_alias(name: str, value: Any, old_name: str, old_value: Any) -> Any:
    """Merge a media argument with its 0.9.x alias (``play_from``/``player``, ...).

    Raises:
        TypeError: Both were given.
    """
    if value is not None and old_value is not None:
        raise TypeError(f"give {name} or its 0.9.x name {old_name}, not both")
    return value if old_value is None else old_value


def webrtc_state_hint(peer: Any) -> str:
    """Describe how far a peer connection got, with a hint on what to check.

    Args:
        peer: Our `JanusPeerConnection`, or None when no media was started.

    Returns:
        One sentence for an error message (no SDP, no candidates' addresses).
    """
    if peer is None:
        return "no peer connection was started (start media first)"
    pc = peer.pc
    dtls = sorted(
        {
            str(getattr(t.receiver.transport, "state", "?"))
            for t in pc.getTransceivers()
            if t.receiver.transport is not None
        }
        | ({str(pc.sctp.transport.state)} if pc.sctp is not None else set())
    )
    state = (
        f"ICE gathering {pc.iceGatheringState}, ICE {pc.iceConnectionState}, "
        f"DTLS {'/'.join(dtls) or 'none'}, connection {pc.connectionState}"
    )
    if pc.iceConnectionState not in ("connected", "completed"):
        hint = (
            "ICE did not connect: check the address Janus advertises in its candidates "
            "(nat_1_1_mapping, ice_ignore_list, the interface it binds) is reachable "
            "from here, and the STUN/TURN servers in pc_config"
        )
    else:
        hint = "ICE connected but DTLS did not complete: check Janus' DTLS certificate and log"
    return f"reached {state}; {hint}"


class JanusMediaPlugin(JanusPlugin):
    """A plugin class with one peer connection (EchoTest, VideoCall, ...).

    Renegotiation offers that Janus sends later are answered automatically, and a
    ``hangup`` from Janus closes the local peer connection.

    Args:
        pc_config: An `aiortc.RTCConfiguration` (ICE servers). Default: no ICE
            servers, host candidates only.
    """

    # Class-level defaults, so that making a plugin object runs no __init__ of this
    # class; the flags are made on first use (most short exchanges start no media).
    _hangup_reason: str | None = None
    _webrtcup_flag: asyncio.Event | None = None
    _janus_hangup_flag: asyncio.Event | None = None

    @property
    def _webrtcup(self) -> asyncio.Event:
        """Set when Janus reports the current peer connection up (``webrtcup``)."""
        flag = self._webrtcup_flag
        if flag is None:
            flag = self._webrtcup_flag = asyncio.Event()
        return flag

    @property
    def _janus_hangup(self) -> asyncio.Event:
        """Set once Janus' hangup of the peer connection is processed.

        That is, the plugin dropped the viewer or the recording; a plugin clears it
        before asking.
        """
        flag = self._janus_hangup_flag
        if flag is None:
            flag = self._janus_hangup_flag = asyncio.Event()
        return flag

    async def _new_pc(
        self, *, record_to: Any = None, read_counters: bool = False
    ) -> JanusPeerConnection:
        webrtc = load_webrtc()
        await self._close_pc()
        self._webrtcup.clear()
        self._hangup_reason = None
        pc: JanusPeerConnection = webrtc.JanusPeerConnection(
            self.pc_config, record_to=record_to, read_counters=read_counters
        )
        self._pc = pc
        self._last_pc = None
        self._media_closed_for = None  # a destroy running now closes this one too
        return pc

    def _add_media(
        self,
        pc: JanusPeerConnection,
        play_from: Any,
        tracks: Iterable[MediaStreamTrack] | None,
        *,
        audio: bool = True,
        video: bool = True,
        data: bool = False,
    ) -> None:
        """Add what we send: ``tracks``, else ``play_from``, else synthetic sources.

        ``play_from`` is a player object (with ``audio``/``video`` tracks) or a
        file or device path for `MediaPlayer`; the synthetic sources are a tone
        (``audio``) and a frame-counter video (``video``). ``data`` opens the data
        channel janus.js opens.
        """
        webrtc = load_webrtc()
        if tracks is not None:
            for track in tracks:
                pc.add_track(track)
        elif play_from is not None:
            player = webrtc.MediaPlayer(play_from) if isinstance(play_from, str) else play_from
            pc.add_player(player)
        else:
            if audio:
                pc.add_track(webrtc.ToneAudioTrack())
            if video:
                pc.add_track(webrtc.FrameCounterVideoTrack())
        if data:
            pc.create_data_channel("JanusDataChannel")

    async def _offer_media(
        self,
        body: Mapping[str, Any],
        play_from: Any,
        tracks: Iterable[MediaStreamTrack] | None,
        *,
        audio: bool = True,
        video: bool = True,
        data: bool = False,
        record_to: Any = None,
        read_counters: bool = False,
        timeout: float | None = None,
    ) -> PluginResponse:
        """Send ``body`` with an offer of a new peer connection; apply Janus' answer.

        The peer connection is closed again if anything fails.

        Raises:
            PluginError: The plugin's `error_class`, when Janus answered without a
                JSEP answer.
        """
        pc = await self._new_pc(record_to=record_to, read_counters=read_counters)
        try:
            self._add_media(pc, play_from, tracks, audio=audio, video=video, data=data)
            offer = await pc.create_offer()
            reply = await self.message(body, offer, timeout=timeout)
            if reply.jsep is None or reply.jsep.get("type") != "answer":
                what = str(body.get("request", "the offer"))
                raise self.error_class(
                    f"{type(self).__name__}: Janus answered {what!r} without a JSEP answer",
                    plugin=self.plugin_name,
                    request=what,
                    data=reply.data,
                )
            await pc.apply(reply.jsep)
        except BaseException:
            await self._close_pc()
            raise
        return reply

    async def _answer_and_start(
        self, body: Mapping[str, Any], record_to: Any, read_counters: bool, *, timeout: float | None
    ) -> PluginResponse:
        """Send ``body``, answer the offer Janus replies with, send the answer with ``start``.

        For the plugins where Janus makes the offer (Streaming ``watch``,
        Record&Play ``play``): the answer is made on a new peer connection (with
        ``record_to`` and ``read_counters``, as in `_new_pc`), which is closed again
        if anything fails.

        Returns:
            The reply to ``start``.

        Raises:
            PluginError: The plugin's `error_class`, when Janus replied without a
                JSEP offer.
        """
        reply = await self.message(body, timeout=timeout)
        if reply.jsep is None or reply.jsep.get("type") != "offer":
            what = str(body.get("request"))
            raise self.error_class(
                f"{type(self).__name__}: Janus answered {what!r} without a JSEP offer",
                plugin=self.plugin_name,
                request=what,
                data=reply.data,
            )
        pc = await self._new_pc(record_to=record_to, read_counters=read_counters)
        try:
            answer = await pc.apply(reply.jsep)
            if answer is None:  # pragma: no cover - checked above
                raise ValueError("expected an offer from Janus")
            return await self.message({"request": "start"}, answer, timeout=timeout)
        except BaseException:
            await self._close_pc()
            raise

    def _typed_reply(self, cls: type[_Typed], reply: PluginResponse) -> _Typed:
        """Type a reply that is an event (``cls.from_data``), with this handle's ids."""
        return cls.from_data(reply.data, reply.jsep, **self._reply_fields(reply))

    async def wait_webrtcup(self, *, timeout: float | None = None) -> None:
        """Wait until Janus reports the peer connection up (``webrtcup``).

        Returns at once if it is already up.

        Args:
            timeout: Seconds to wait; None means the session's ``Timeouts.connect``
                (setting up ICE and DTLS is opening a connection).

        Raises:
            TimeoutError: Not up within ``timeout`` seconds. The message says how
                far our side got (ICE gathering and connection state, DTLS state)
                and what to check (the ICE address Janus advertises, STUN).
        """
        limit = self._deadline(timeout, "connect")
        try:
            await asyncio.wait_for(self._webrtcup.wait(), limit)
        except asyncio.TimeoutError:
            raise TimeoutError(
                f"{type(self).__name__}: no webrtcup from Janus within {limit:g} s; "
                f"{webrtc_state_hint(self._pc)}"
            ) from None

    async def wait_first_frame(
        self, mid: str | None = None, *, kind: str | None = None, timeout: float | None = None
    ) -> TrackStats:
        """Wait until a received track delivers its first frame; return its `TrackStats`.

        Works for recorded tracks too (they are counted as the recorder reads them).

        Args:
            mid: The m-line of the track (a VideoRoom subscription's mid), or None
                for any track.
            kind: ``"audio"`` or ``"video"``, or None for any.
            timeout: Seconds to wait (None: the session's ``Timeouts.connect``).

        Raises:
            TimeoutError: No such track, or no frame on it, within ``timeout``.
            InvalidStateError: No peer connection.
        """
        limit = self._deadline(timeout, "connect")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            peer = self.peer
            found = [
                stats
                for track_mid, stats in peer.stats_by_mid.items()
                if mid in (None, track_mid) and kind in (None, stats.kind)
            ]
            if mid is None and not found:
                found = [s for s in peer.stats.values() if kind in (None, s.kind)]
            for stats in found:
                if stats.first_frame_at is not None:
                    return stats
            left = deadline - loop.time()
            if left <= 0:
                what = f"mid {mid}" if mid is not None else (kind or "any") + " track"
                raise TimeoutError(f"{type(self).__name__}: no frame on {what} within {limit:g} s")
            if found:
                with contextlib.suppress(asyncio.TimeoutError):
                    await found[0].wait_first_frame(timeout=min(left, 0.25))
            else:
                await asyncio.sleep(min(left, 0.05))

    @property
    def webrtc_up(self) -> bool:
        """Whether Janus reported the current peer connection up."""
        flag = self._webrtcup_flag
        return flag is not None and flag.is_set()

    async def _close_pc(self) -> None:
        flag = self._webrtcup_flag
        if flag is not None:
            flag.clear()
        if self._pc is not None or self._last_pc is not None:  # else nothing to close
            await super()._close_pc()

    def _answer_body(self, event: PluginEvent) -> dict[str, Any]:
        """The message body that carries our answer to a renegotiation offer."""
        return {}

    async def _process_event(self, event: JanusEvent) -> None:
        if isinstance(event, WebRTCUpEvent):
            self._webrtcup.set()
        elif isinstance(event, HangupEvent):
            self._hangup_reason = event.reason
            await self._close_pc()
            self._janus_hangup.set()
        elif isinstance(event, PluginEvent) and event.jsep is not None:
            await self._handle_jsep(event, event.jsep)

    async def _wait_janus_hangup(self, timeout: float) -> None:
        """Wait at most ``timeout`` seconds for Janus' hangup of the peer connection."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._janus_hangup.wait(), timeout)

    async def _handle_jsep(self, event: PluginEvent, jsep: Mapping[str, Any]) -> None:
        """Apply a JSEP that came with an event; answer offers (renegotiation)."""
        pc = self._pc
        if pc is None or pc.closed:
            logger.debug(
                "%s: JSEP %s without a peer connection", type(self).__name__, jsep.get("type")
            )
            return
        answer = await pc.apply(jsep)
        if answer is not None:
            try:
                await self.message(self._answer_body(event), answer)
            except JanusError as exc:
                logger.warning(
                    "%s: sending the renegotiation answer failed: %s", type(self).__name__, exc
                )
