"""The NoSIP plugin (``janus.plugin.nosip``): WebRTC to plain RTP, signalling left to us.

Janus turns our WebRTC SDP into a barebone SDP (plain RTP on its own ports) for a
peer that does not speak WebRTC, and the peer's barebone SDP back into WebRTC.
Whatever carries those SDPs (SIP, XMPP, a REST call) is the application's:

```python
legacy = JanusNoSipPlugin()
await legacy.attach(session)
plain = await legacy.generate()                # our WebRTC offer -> plain SDP offer
answer_sdp = await my_signalling(plain.sdp)    # the RTP peer's plain SDP answer
await legacy.process("answer", answer_sdp)     # -> WebRTC answer, media flows
```

`bridge_nosip` connects two NoSIP handles to each other through plain RTP, the
way two legacy endpoints would be.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..errors import InvalidStateError, PluginError
from ..events import PluginEvent, TypedPluginEvent, TypedResult
from ..validate import enforce_str, enforce_timeout
from .declare import request, sends
from .media import JanusMediaPlugin, load_webrtc

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack, RTCConfiguration
    from aiortc.contrib.media import MediaPlayer, MediaRecorder

__all__ = [
    "JanusNoSipPlugin",
    "NoSipAck",
    "NoSipBridge",
    "NoSipError",
    "NoSipEvent",
    "NoSipEventType",
    "PlainSdp",
    "bridge_nosip",
]

logger = logging.getLogger("janus_client")

_PLUGIN = "janus.plugin.nosip"
SrtpMode = Literal["sdes_optional", "sdes_mandatory"]
TrackCallback = Callable[["MediaStreamTrack"], object]


def _sdp_options(
    body: dict[str, Any],
    info: str | None,
    srtp: str | None,
    srtp_profile: str | None,
    update: bool | None,
) -> None:
    # The options `generate` and `process` share, checked and added to ``body``.
    for key, value in (("info", info), ("srtp", srtp), ("srtp_profile", srtp_profile)):
        if value is not None:
            body[key] = enforce_str(value, name=key)
    if update is not None:
        body["update"] = bool(update)


class NoSipError(PluginError):
    """An error reported by the NoSIP plugin (``JANUS_NOSIP_ERROR_*``)."""

    code_names: ClassVar[dict[int, str]] = {
        440: "JANUS_NOSIP_ERROR_NO_MESSAGE",
        441: "JANUS_NOSIP_ERROR_INVALID_JSON",
        442: "JANUS_NOSIP_ERROR_INVALID_REQUEST",
        443: "JANUS_NOSIP_ERROR_MISSING_ELEMENT",
        444: "JANUS_NOSIP_ERROR_INVALID_ELEMENT",
        445: "JANUS_NOSIP_ERROR_WRONG_STATE",
        446: "JANUS_NOSIP_ERROR_MISSING_SDP",
        447: "JANUS_NOSIP_ERROR_INVALID_SDP",
        448: "JANUS_NOSIP_ERROR_IO_ERROR",
        449: "JANUS_NOSIP_ERROR_RECORDING_ERROR",
        450: "JANUS_NOSIP_ERROR_TOO_STRICT",
        499: "JANUS_NOSIP_ERROR_UNKNOWN_ERROR",
    }


class NoSipEventType(str, enum.Enum):
    """The ``result.event`` names of the NoSIP plugin."""

    GENERATED = "generated"
    PROCESSED = "processed"
    HANGINGUP = "hangingup"
    RECORDINGUPDATED = "recordingupdated"


@dataclass(frozen=True, kw_only=True)
class NoSipEvent(TypedPluginEvent):
    """A NoSIP plugin event, typed.

    Attributes:
        type: The kind of event.
        sdp: The barebone SDP of a ``generated`` event.
        sdp_type: ``"offer"`` or ``"answer"`` (``generated``).
        srtp: The SRTP mode the barebone SDP asks (``processed``).
        result: The whole ``result`` object.
    """

    plugin_package: ClassVar[str] = _PLUGIN
    plugin_label: ClassVar[str] = "NoSIP"
    kinds: ClassVar[type[enum.Enum]] = NoSipEventType
    field_keys: ClassVar[Mapping[str, str | tuple[str, ...]]] = {"sdp_type": "type"}

    type: NoSipEventType
    sdp: str | None = field(default=None, repr=False)
    sdp_type: str | None = None
    srtp: str | None = None
    result: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class PlainSdp(TypedResult):
    """A barebone (plain RTP) SDP that Janus generated, for the non-WebRTC peer.

    Attributes:
        type: ``"offer"`` or ``"answer"``.
        sdp: The SDP text (``m=audio <port> RTP/AVP ...``, ``c=IN IP4 ...``).
        raw: The plugin data as Janus sent it.
    """

    source_key: ClassVar[str | None] = "result"

    type: str
    sdp: str = field(repr=False)

    @property
    def audio_port(self) -> int | None:
        """The port of the first ``m=audio`` line, or None."""
        for line in self.sdp.splitlines():
            if line.startswith("m=audio "):
                parts = line.split()
                if len(parts) > 1 and parts[1].isdigit():
                    return int(parts[1])
        return None


@dataclass(frozen=True)
class NoSipAck(TypedResult):
    """The plugin's answer to ``process``, ``hangup`` or ``recording``.

    Attributes:
        event: The ``result.event`` name (``"processed"``, ``"hangingup"``, ...).
        srtp: The SRTP mode of a processed SDP, when it asks one.
        raw: The plugin data as Janus sent it.
    """

    source_key: ClassVar[str | None] = "result"

    event: str | None
    srtp: str | None = None


class JanusNoSipPlugin(JanusMediaPlugin):
    """Client of ``janus.plugin.nosip``: bridge our WebRTC media to a plain RTP peer.

    As the caller: `generate` (our offer → a plain SDP offer for the peer), then
    `process` the peer's plain answer. As the callee: `process` the peer's plain
    offer (Janus gives us a WebRTC offer, answered here), then `generate` the plain
    answer for the peer. `hangup` ends the media; `recording` records it.

    Args:
        pc_config: An `aiortc.RTCConfiguration` for the peer connection.
    """

    name = _PLUGIN
    error_class = NoSipError
    event_class = NoSipEvent
    event_types = NoSipEventType

    def __init__(self, pc_config: RTCConfiguration | None = None, **kwargs: Any) -> None:
        super().__init__(pc_config, **kwargs)
        self._answer: dict[str, Any] | None = None

    async def _start_media(
        self,
        tracks: Iterable[MediaStreamTrack] | None,
        player: MediaPlayer | str | None,
        recorder: MediaRecorder | str | None,
        on_track: TrackCallback | None,
    ) -> None:
        if on_track is not None and not callable(on_track):
            raise TypeError(f"on_track must be callable, got {type(on_track).__name__}")
        load_webrtc()
        pc = await self._new_pc(record_to=recorder or None)
        if on_track is not None:
            pc.on_track(on_track)
        self._add_media(pc, player, tracks, audio=True, video=False)

    @sends("generate")
    async def generate(
        self,
        *,
        tracks: Iterable[MediaStreamTrack] | None = None,
        player: MediaPlayer | str | None = None,
        recorder: MediaRecorder | str | None = None,
        on_track: TrackCallback | None = None,
        info: str | None = None,
        srtp: SrtpMode | None = None,
        srtp_profile: str | None = None,
        update: bool | None = None,
        timeout: float | None = None,
    ) -> PlainSdp:
        """Turn our WebRTC SDP into a plain one (``generate``).

        After a `process` of the peer's offer, this sends our WebRTC answer and
        returns the plain answer. Otherwise it starts our media (``tracks``, else
        ``player``, else a tone; received media to ``recorder`` or ``on_track``, else
        counted in ``peer.stats``), sends our WebRTC offer and returns the plain offer.

        Args:
            tracks: Tracks to send.
            player: A player or media file to send instead.
            recorder: Where to record the received media.
            on_track: Called with each received track.
            info: An opaque string for context.
            srtp: Offer (``sdes_optional``) or require (``sdes_mandatory``) SDES-SRTP.
            srtp_profile: The SRTP profile.
            update: True for a renegotiation of a running session.
            timeout: Deadline in seconds.

        Raises:
            NoSipError: The plugin refused the SDP.
        """
        body: dict[str, Any] = {"request": "generate"}
        _sdp_options(body, info, srtp, srtp_profile, update)
        enforce_timeout(timeout)
        jsep = self._answer
        if jsep is None:
            self.handle  # noqa: B018 - raises InvalidStateError when not attached
            await self._start_media(tracks, player, recorder, on_track)
            jsep = await self.peer.create_offer()
        reply = await self.message(body, jsep, timeout=timeout)
        self._answer = None
        return PlainSdp.from_data(reply.data)

    @sends("process")
    async def process(
        self,
        sdp_type: Literal["offer", "answer"],
        sdp: str,
        *,
        tracks: Iterable[MediaStreamTrack] | None = None,
        player: MediaPlayer | str | None = None,
        recorder: MediaRecorder | str | None = None,
        on_track: TrackCallback | None = None,
        info: str | None = None,
        srtp: SrtpMode | None = None,
        srtp_profile: str | None = None,
        update: bool | None = None,
        timeout: float | None = None,
    ) -> NoSipAck:
        """Give Janus the peer's plain SDP (``process``); apply the WebRTC SDP it returns.

        For the peer's answer, Janus' WebRTC answer completes our offer. For the
        peer's offer, Janus sends a WebRTC offer: our media starts (as in
        `generate`), and our answer waits for the next `generate`.

        Args:
            sdp_type: ``"offer"`` or ``"answer"``.
            sdp: The peer's plain SDP.
            tracks: Tracks to send (for an offer).
            player: A player or media file to send instead.
            recorder: Where to record the received media.
            on_track: Called with each received track.
            info: An opaque string for context.
            srtp: SDES-SRTP mode.
            srtp_profile: The SRTP profile.
            update: True for a renegotiation.
            timeout: Deadline in seconds.

        Raises:
            NoSipError: The plugin refused the SDP (447: invalid).
            InvalidStateError: An answer without an offer of ours.
        """
        if sdp_type not in ("offer", "answer"):
            raise ValueError(f"sdp_type must be 'offer' or 'answer', got {sdp_type!r}")
        body: dict[str, Any] = {"request": "process", "type": sdp_type}
        body["sdp"] = enforce_str(sdp, name="sdp")
        _sdp_options(body, info, srtp, srtp_profile, update)
        enforce_timeout(timeout)
        if sdp_type == "answer" and self._pc is None:
            raise InvalidStateError("process('answer'): generate an offer first")
        reply = await self.message(body, timeout=timeout)
        jsep = reply.jsep
        if jsep is not None:
            if jsep.get("type") == "offer":
                await self._start_media(tracks, player, recorder, on_track)
            self._answer = await self.peer.apply(jsep)
        return NoSipAck.from_data(reply.data)

    @request("hangup", mode="async", result=NoSipAck.from_data)
    async def hangup(self, *, timeout: float | None = None) -> NoSipAck:  # type: ignore[override]
        """End the media session (``hangup``); the peer connection is closed."""
        ...

    @request("recording", mode="async", result=NoSipAck.from_data)
    async def recording(
        self,
        action: Literal["start", "stop"],
        *,
        audio: bool | None = None,
        video: bool | None = None,
        peer_audio: bool | None = None,
        peer_video: bool | None = None,
        filename: str | None = None,
        timeout: float | None = None,
    ) -> NoSipAck:
        """Start or stop recording the session to .mjr files (``recording``).

        Args:
            action: ``"start"`` or ``"stop"``.
            audio: Our audio.
            video: Our video.
            peer_audio: The peer's audio.
            peer_video: The peer's video.
            filename: Base path of the recordings.
            timeout: Deadline in seconds.
        """
        ...

    def _answer_body(self, event: PluginEvent) -> dict[str, Any]:
        return {"request": "generate", "update": True}


@dataclass(frozen=True)
class NoSipBridge:
    """Two NoSIP handles bridged through plain RTP (`bridge_nosip`).

    Attributes:
        offer: The plain offer the first handle generated.
        answer: The plain answer the second handle generated.
    """

    offer: PlainSdp
    answer: PlainSdp


async def bridge_nosip(
    caller: JanusNoSipPlugin,
    callee: JanusNoSipPlugin,
    *,
    caller_tracks: Iterable[MediaStreamTrack] | None = None,
    callee_tracks: Iterable[MediaStreamTrack] | None = None,
    caller_on_track: TrackCallback | None = None,
    callee_on_track: TrackCallback | None = None,
    timeout: float | None = None,
) -> NoSipBridge:
    """Connect two attached NoSIP handles to each other through plain RTP.

    ``caller`` generates a plain offer from its WebRTC offer; ``callee`` processes
    it (Janus gives it a WebRTC offer, answered) and generates the plain answer,
    which ``caller`` processes. The media then flows WebRTC → RTP → WebRTC both ways
    through Janus, as between two legacy endpoints.

    Args:
        caller: The offering handle.
        callee: The answering handle.
        caller_tracks: What the caller sends (default: a tone).
        callee_tracks: What the callee sends (default: a tone).
        caller_on_track: Called with the caller's received tracks.
        callee_on_track: Called with the callee's received tracks.
        timeout: Deadline of each request, in seconds.

    Returns:
        The plain offer and answer exchanged.
    """
    offer = await caller.generate(tracks=caller_tracks, on_track=caller_on_track, timeout=timeout)
    await callee.process(
        "offer", offer.sdp, tracks=callee_tracks, on_track=callee_on_track, timeout=timeout
    )
    answer = await callee.generate(timeout=timeout)
    await caller.process("answer", answer.sdp, timeout=timeout)
    return NoSipBridge(offer=offer, answer=answer)
