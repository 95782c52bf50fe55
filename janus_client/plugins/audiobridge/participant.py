"""Taking part in an AudioBridge room: join (WebRTC or plain RTP), configure, leave."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from ...validate import (
    RoomId,
    enforce_bool,
    enforce_id,
    enforce_int,
    enforce_port,
    enforce_str,
    enforce_timeout,
    put_strings,
    typed_body,
)
from ..declare import sends
from ..media import load_webrtc
from ._base import _AudioBridgeBase
from .events import AudioBridgeError, AudioBridgeEvent, AudioBridgeStateError

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack

#: The participant settings of ``join``/``configure``/``changeroom`` and their types.
_SETTINGS: dict[str, type] = {
    "display": str,
    "muted": bool,
    "prebuffer": int,
    "bitrate": int,
    "quality": int,
    "expected_loss": int,
    "volume": int,
    "spatial_position": int,
    "record": bool,
    "filename": str,
    "group": str,
    "audio_level_average": int,
    "audio_active_packets": int,
}

_CODECS = ("opus", "pcma", "pcmu")


def _rtp_object(rtp: Mapping[str, Any]) -> dict[str, Any]:
    """Check the ``rtp`` object of a plain-RTP ``join`` and return a plain copy."""
    if not isinstance(rtp, Mapping):
        raise TypeError(f"rtp must be a dict, got {type(rtp).__name__}")
    unknown = set(rtp) - {"ip", "port", "payload_type", "audiolevel_ext", "fec"}
    if unknown:
        raise ValueError(f"rtp has unknown keys: {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {
        "ip": enforce_str(rtp.get("ip"), name="rtp['ip']"),
        "port": enforce_port(rtp.get("port"), name="rtp['port']"),
    }
    for key in ("payload_type", "audiolevel_ext"):
        if rtp.get(key) is not None:
            out[key] = enforce_int(rtp[key], name=f"rtp[{key!r}]")
    if rtp.get("fec") is not None:
        out["fec"] = enforce_bool(rtp["fec"], name="rtp['fec']")
    return out


def _settings(**values: Any) -> dict[str, Any]:
    body = typed_body(_SETTINGS, **{k: v for k, v in values.items() if k != "display"})
    return put_strings(body, display=values.get("display"))


class _Participant(_AudioBridgeBase):
    """Joining a room and taking part in its mix."""

    def _entry(
        self, request: str, room: RoomId, participant_id: RoomId | None, **credentials: object
    ) -> dict[str, Any]:
        """Start the body of ``join``/``changeroom``: the room, our id and credentials."""
        body: dict[str, Any] = {
            "request": request,
            "room": enforce_id(room, name="room", string_ids=self.string_ids),
        }
        if participant_id is not None:
            body["id"] = enforce_id(
                participant_id, name="participant_id", string_ids=self.string_ids
            )
        return put_strings(body, **credentials)

    @sends("join")
    async def join(
        self,
        room: RoomId,
        *,
        display: str | None = None,
        participant_id: RoomId | None = None,
        pin: str | None = None,
        token: str | None = None,
        secret: str | None = None,
        muted: bool | None = None,
        codec: Literal["opus", "pcma", "pcmu"] | None = None,
        tracks: Iterable[MediaStreamTrack] | None = None,
        play_from: str | None = None,
        rtp: Mapping[str, Any] | None = None,
        prebuffer: int | None = None,
        bitrate: int | None = None,
        quality: int | None = None,
        expected_loss: int | None = None,
        volume: int | None = None,
        spatial_position: int | None = None,
        audio_level_average: int | None = None,
        audio_active_packets: int | None = None,
        record: bool | None = None,
        filename: str | None = None,
        group: str | None = None,
        timeout: float | None = None,
    ) -> AudioBridgeEvent:
        """Join a room (``join``), over WebRTC or as a plain-RTP participant.

        Over WebRTC (the default) this sends an audio offer with the join and applies
        Janus' answer: our audio comes from ``tracks`` (aiortc audio tracks), else
        from ``play_from`` (a file or device, its audio only), else we only listen.
        The mix we receive (everybody but us) is counted in `mix_stats`, with its
        level (`audio_level`). Wait for `wait_webrtcup` before expecting media.

        With ``rtp``, no WebRTC is set up: Janus exchanges plain RTP with the
        address given there, and the returned event's ``rtp`` says where to send
        (also in `rtp`). Janus' socket is connected to ``rtp["ip"]:rtp["port"]``,
        so the RTP must be sent *from* that address and port; Janus starts sending
        the mix after the first packet arrives. The room must allow it
        (``allow_rtp_participants``).

        Args:
            room: The room.
            display: Our display name.
            participant_id: The id to take (Janus picks one when None).
            pin: The room's PIN, when it has one.
            token: Our invitation token, when the room has an ACL.
            secret: The room's secret: we become a moderator (not muted by ``mute_room``).
            muted: Join muted.
            codec: ``opus`` (default), ``pcma`` or ``pcmu``.
            tracks: The audio tracks to send (WebRTC).
            play_from: A media file or device to send the audio of (WebRTC).
            rtp: For a plain-RTP participant: ``{"ip": ..., "port": ...}`` where we
                receive, and optionally ``payload_type`` (Opus, default 100),
                ``audiolevel_ext`` (extension id) and ``fec``.
            prebuffer: Packets Janus buffers before mixing us.
            bitrate: Opus bitrate Janus encodes our mix with (bit/s).
            quality: Opus complexity, 0-10 (default 4).
            expected_loss: Expected loss in percent, for FEC (0-20).
            volume: Our volume in percent (100 unchanged).
            spatial_position: Our panning in spatial rooms (0 left, 50 centre, 100 right).
            audio_level_average: Our talking threshold (overrides the room's).
            audio_active_packets: Packets per talking decision (overrides the room's).
            record: Record our audio to a .mjr file.
            filename: Base name of that file (``-audio.mjr`` is added).
            group: Our group (rooms with groups).
            timeout: Deadline in seconds.

        Returns:
            The ``joined`` event: our ``id``, the other ``participants``, ``rtp``.

        Raises:
            AudioBridgeStateError: This handle is already in a room (use `changeroom`).
            MediaUnavailableError: WebRTC without the ``media`` extra.
            AudioBridgeError: The plugin refused (485 no such room, 489 wrong PIN, ...).
        """
        body = self._entry("join", room, participant_id, pin=pin, token=token, secret=secret)
        if codec is not None:
            if codec not in _CODECS:
                raise ValueError(f"codec must be one of {_CODECS}, got {codec!r}")
            body["codec"] = codec
        body.update(
            _settings(
                display=display,
                muted=muted,
                prebuffer=prebuffer,
                bitrate=bitrate,
                quality=quality,
                expected_loss=expected_loss,
                volume=volume,
                spatial_position=spatial_position,
                audio_level_average=audio_level_average,
                audio_active_packets=audio_active_packets,
                record=record,
                filename=filename,
                group=group,
            )
        )
        enforce_timeout(timeout)
        if rtp is not None:
            if tracks is not None or play_from is not None:
                raise ValueError("a plain-RTP participant (rtp=...) sends no tracks or files")
            body["rtp"] = _rtp_object(rtp)
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        if self._room is not None:
            raise AudioBridgeStateError(
                f"cannot join room {room!r}: this handle is in room {self._room!r} "
                "(use changeroom, or leave first)"
            )
        if rtp is not None:
            event = self._event(await self.message(body, timeout=timeout))
        else:
            event = await self._join_webrtc(body, tracks, play_from, timeout=timeout)
        self._muted = bool(muted)
        self._entered(event, display)
        return event

    async def _join_webrtc(
        self,
        body: dict[str, Any],
        tracks: Iterable[MediaStreamTrack] | None,
        play_from: str | None,
        *,
        timeout: float | None,
    ) -> AudioBridgeEvent:
        webrtc = load_webrtc()
        pc = await self._new_pc()
        pc.measure_levels = True
        try:
            if tracks is not None:
                for track in tracks:
                    pc.add_track(track)
            elif play_from is not None:
                player = webrtc.MediaPlayer(play_from)
                if player.audio is None:
                    player.stop()
                    raise ValueError(f"play_from {play_from!r} has no audio")
                pc.add_player(player)  # a video track is refused by Janus' answer
            else:
                pc.pc.addTransceiver("audio", direction="recvonly")
            offer = await pc.create_offer()
            reply = await self.message(body, offer, timeout=timeout)
            if reply.jsep is None:
                raise AudioBridgeError(
                    "the AudioBridge answered the join offer without a JSEP answer",
                    request="join",
                    data=reply.data,
                )
            await pc.apply(reply.jsep)
        except BaseException:
            await self._close_pc()
            raise
        return self._event(reply)

    @sends("configure")
    async def configure(
        self,
        *,
        muted: bool | None = None,
        display: str | None = None,
        prebuffer: int | None = None,
        bitrate: int | None = None,
        quality: int | None = None,
        expected_loss: int | None = None,
        volume: int | None = None,
        spatial_position: int | None = None,
        record: bool | None = None,
        filename: str | None = None,
        group: str | None = None,
        timeout: float | None = None,
    ) -> AudioBridgeEvent:
        """Change our participation (``configure``): mute ourselves, rename, record, ...

        Other participants get a ``participants`` event when ``muted`` or
        ``display`` changes.

        Args:
            muted: Mute (True) or unmute (False) ourselves.
            display: Our new display name.
            prebuffer: Packets Janus buffers before mixing us.
            bitrate: Opus bitrate Janus encodes our mix with (bit/s).
            quality: Opus complexity, 0-10.
            expected_loss: Expected loss in percent, for FEC (0-20).
            volume: Our volume in percent (100 unchanged).
            spatial_position: Our panning in spatial rooms (0-100).
            record: Start or stop recording our audio to a .mjr file.
            filename: Base name of that file.
            group: Our new group (rooms with groups).
            timeout: Deadline in seconds.

        Returns:
            The ``configured`` event (``result: ok``).

        Raises:
            ValueError: Nothing to change.
            AudioBridgeStateError: Not in a room.
        """
        body = _settings(
            muted=muted,
            display=display,
            prebuffer=prebuffer,
            bitrate=bitrate,
            quality=quality,
            expected_loss=expected_loss,
            volume=volume,
            spatial_position=spatial_position,
            record=record,
            filename=filename,
            group=group,
        )
        if not body:
            raise ValueError("configure needs at least one setting")
        enforce_timeout(timeout)
        self._require_joined("configure")
        event = self._event(await self.message({"request": "configure", **body}, timeout=timeout))
        if muted is not None:
            self._muted = muted
        if display is not None:
            self._display = display
        return event

    @sends("changeroom")
    async def changeroom(
        self,
        room: RoomId,
        *,
        display: str | None = None,
        participant_id: RoomId | None = None,
        pin: str | None = None,
        token: str | None = None,
        secret: str | None = None,
        muted: bool | None = None,
        bitrate: int | None = None,
        quality: int | None = None,
        expected_loss: int | None = None,
        group: str | None = None,
        timeout: float | None = None,
    ) -> AudioBridgeEvent:
        """Move to another room on the same media (``changeroom``).

        Our PeerConnection (or plain RTP) stays; the old room sees us leave, the
        new one sees us join, and we get ``roomchanged``.

        Args:
            room: The room to move to.
            display: Our display name there (default: the current one).
            participant_id: The id to take there (Janus picks one when None).
            pin: The new room's PIN, when it has one.
            token: Our invitation token, when the new room has an ACL.
            secret: The new room's secret (to be a moderator there).
            muted: Enter muted or not.
            bitrate: Opus bitrate Janus encodes our mix with (bit/s).
            quality: Opus complexity, 0-10.
            expected_loss: Expected loss in percent, for FEC (0-20).
            group: Our group there.
            timeout: Deadline in seconds.

        Returns:
            The ``roomchanged`` event: our new ``id`` and the ``participants`` there.

        Raises:
            AudioBridgeStateError: Not in a room.
            AudioBridgeError: The plugin refused (485 no such room, ...).
        """
        body = self._entry("changeroom", room, participant_id, pin=pin, token=token, secret=secret)
        if display is None:
            display = self._display
        body.update(
            _settings(
                display=display,
                muted=muted,
                bitrate=bitrate,
                quality=quality,
                expected_loss=expected_loss,
                group=group,
            )
        )
        enforce_timeout(timeout)
        self._require_joined("changeroom")
        event = self._event(await self.message(body, timeout=timeout))
        if muted is not None:
            self._muted = muted
        rtp = self._rtp
        self._entered(event, display)
        self._rtp = rtp
        return event

    @sends("leave")
    async def leave(self, *, timeout: float | None = None) -> AudioBridgeEvent:
        """Leave the room (``leave``) and close our media.

        The handle stays attached and may join again.

        Args:
            timeout: Deadline in seconds.

        Returns:
            The ``left`` event.

        Raises:
            AudioBridgeStateError: Not in a room.
        """
        enforce_timeout(timeout)
        self._require_joined("leave")
        return self._event(await self._leave(timeout))

    @sends("hangup")
    async def hangup(self, *, timeout: float | None = None) -> None:
        """Close our PeerConnection (the AudioBridge's ``hangup``); Janus answers ``hangingup``.

        Janus then drops a WebRTC participant from its room. Our side of the
        connection is closed too.

        Args:
            timeout: Deadline in seconds.
        """
        enforce_timeout(timeout)
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        try:
            await self.message({"request": "hangup"}, timeout=timeout)
        finally:
            await self._close_pc()
            if self._rtp is None:
                self._reset()
