"""The VideoRoom publisher side: join, publish, configure, unpublish."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ...validate import (
    RoomId,
    enforce_id,
    enforce_timeout,
    enforce_typed,
    put,
    typed_body,
)

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack
    from aiortc.contrib.media import MediaPlayer

from ..declare import sends
from ..media import media_alias
from ._base import _VideoRoomBase
from .events import (
    ParticipantType,
    VideoRoomEvent,
    _check_objects,
)

#: The publisher settings of ``publish``, ``joinandconfigure`` and ``configure``
#: and their JSON types.
_SETTINGS: dict[str, type] = {
    "audiocodec": str,
    "videocodec": str,
    "bitrate": int,
    "record": bool,
    "filename": str,
    "display": str,
    "audio_level_average": int,
    "audio_active_packets": int,
    "restart": bool,
}


def _descriptions(value: Iterable[Mapping[str, str]]) -> list[dict[str, Any]]:
    """Check the ``descriptions`` of our streams (``mid`` and ``description`` in each)."""
    return _check_objects("descriptions", value, required=("mid", "description"), empty_ok=True)


class _Publishing(_VideoRoomBase):
    """The VideoRoom publisher side: join, publish, configure, unpublish."""

    # ---------------------------------------------------------- publishers
    def _joined(self, data: Mapping[str, Any], room_id: RoomId, display: str | None) -> None:
        event = VideoRoomEvent.from_data(data, plugin=self.plugin_name)
        self._ptype = ParticipantType.PUBLISHER
        self._room = event.room if event.room is not None else room_id
        self._publisher_id = event.id
        self._private_id = event.private_id
        self._display = display
        self._publishers = {p.id: p for p in event.publishers}

    def _join_body(
        self,
        room_id: RoomId,
        publisher_id: RoomId | None,
        display: str | None,
        token: str | None,
        pin: str | None,
        request: str = "join",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "request": request,
            "ptype": "publisher",
            "room": enforce_id(room_id, name="room_id"),
        }
        if publisher_id is not None:
            body["id"] = enforce_id(publisher_id, name="publisher_id")
        return put(body, display=(display, str), token=(token, str), pin=(pin, str))

    @sends("join")
    async def join_as_publisher(
        self,
        room_id: RoomId,
        publisher_id: RoomId | None = None,
        display: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        *,
        pin: str | None = None,
    ) -> dict[str, Any]:
        """Join a room as a participant that may publish (``join``, ``ptype: publisher``).

        Joining does not publish anything yet (see `publish`), but the handle then
        receives the room's events.

        Args:
            room_id: The room.
            publisher_id: The id to take in the room; Janus picks one when None.
            display: Our display name.
            token: An invitation token, when the room checks them (`allowed`).
            timeout: Deadline in seconds.
            pin: The room's PIN, when it has one.

        Returns:
            The plugin's ``joined`` data: ``room``, ``description``, ``id``,
            ``private_id``, ``publishers`` (see also the properties `publisher_id`,
            `private_id` and `publishers`).

        Raises:
            VideoRoomStateError: This handle already joined.
            VideoRoomError: 426 no such room, 433 wrong PIN or token, 436 the id is
                taken, ...
        """
        body = self._join_body(room_id, publisher_id, display, token, pin)
        enforce_timeout(timeout)
        self._require_free("join as a publisher")
        reply = await self.message(body, timeout=timeout)
        self._joined(reply.data, room_id, display)
        await self._echo(reply)
        return reply.data

    @staticmethod
    def _publish_settings(
        media: tuple[bool, bool, bool],
        descriptions: Iterable[Mapping[str, str]] | None,
        **settings: object,
    ) -> dict[str, Any]:
        """Check the ``publish`` settings (names of `_SETTINGS`) and return them as a body."""
        for key, value in zip(("audio", "video", "data"), media, strict=True):
            if not isinstance(value, bool):
                raise TypeError(f"{key} must be bool, got {type(value).__name__}")
        body = typed_body(_SETTINGS, **settings)
        if descriptions is not None:
            items = _descriptions(descriptions)
            if items:
                body["descriptions"] = items
        return body

    @sends("publish")
    async def publish(
        self,
        player: MediaPlayer | None = None,
        audiocodec: str | None = None,
        videocodec: str | None = None,
        bitrate: int | None = None,
        record: bool | None = None,
        filename: str | None = None,
        descriptions: Iterable[Mapping[str, str]] | None = None,
        trickle: bool = False,
        timeout: float | None = None,
        *,
        play_from: MediaPlayer | str | None = None,
        tracks: Iterable[MediaStreamTrack] | None = None,
        audio: bool = True,
        video: bool = True,
        data: bool = False,
        display: str | None = None,
        audio_level_average: int | None = None,
        audio_active_packets: int | None = None,
    ) -> dict[str, Any]:
        """Publish media in the room (``publish`` with our offer); apply Janus' answer.

        Media comes from ``tracks`` if given, else from ``play_from`` (a
        `MediaPlayer`, anything with ``audio``/``video`` tracks, or a file or device
        path), else from synthetic sources (a
        tone and a 640x480 frame counter video, as ``audio``/``video`` say). The
        other participants get a ``publishers`` event once the peer connection is
        up (see `wait_webrtcup`).

        Args:
            player: A media player (0.9.x name of ``play_from``).
            audiocodec: The audio codec to prefer among the negotiated ones.
            videocodec: The video codec to prefer.
            bitrate: The bitrate cap Janus asks us to respect (REMB, bit/s).
            record: Record this publisher on the server.
            filename: Base name of the recording files (Janus adds
                ``-audio-<mindex>.mjr``, ...). In a room with a ``rec_dir`` it is
                relative to that folder (an absolute path then fails, on the
                server only); otherwise absolute, or relative to Janus' working
                directory.
            descriptions: ``[{"mid": ..., "description": ...}]`` texts for streams.
            trickle: Ignored: offers carry every candidate (0.9.x argument).
            timeout: Deadline in seconds.
            play_from: What to send: a `MediaPlayer`, or a file or device path.
            tracks: aiortc tracks to send (they stop when the connection closes).
            audio: With no tracks nor player: send a tone.
            video: With no tracks nor player: send a frame counter video.
            data: Also open a data channel.
            display: A new display name.
            audio_level_average: This publisher's audio level threshold.
            audio_active_packets: This publisher's audio level packet count.

        Returns:
            The plugin's ``configured`` data (``streams``, codecs, ...).

        Raises:
            VideoRoomStateError: Not joined as a publisher.
            VideoRoomError: The plugin refused (434 already published, ...).
            MediaUnavailableError: The ``media`` extra is not installed.
        """
        source = media_alias("play_from", play_from, "player", player)
        body = self._publish_settings(
            (audio, video, data),
            descriptions,
            audiocodec=audiocodec,
            videocodec=videocodec,
            bitrate=bitrate,
            record=record,
            filename=filename,
            display=display,
            audio_level_average=audio_level_average,
            audio_active_packets=audio_active_packets,
        )
        enforce_typed(trickle, name="trickle", kind=bool)
        enforce_timeout(timeout)
        self._require(ParticipantType.PUBLISHER, "publish")
        reply = await self._offer_media(
            {"request": "publish", **body},
            source,
            tracks,
            audio=audio,
            video=video,
            data=data,
            timeout=timeout,
        )
        self._publishing = True
        if display is not None:
            self._display = display
        await self._echo(reply)
        return reply.data

    @sends("joinandconfigure")
    async def join_and_configure(
        self,
        room_id: RoomId,
        play_from: MediaPlayer | str | None = None,
        *,
        player: MediaPlayer | None = None,
        tracks: Iterable[MediaStreamTrack] | None = None,
        audio: bool = True,
        video: bool = True,
        data: bool = False,
        publisher_id: RoomId | None = None,
        display: str | None = None,
        token: str | None = None,
        pin: str | None = None,
        audiocodec: str | None = None,
        videocodec: str | None = None,
        bitrate: int | None = None,
        record: bool | None = None,
        filename: str | None = None,
        descriptions: Iterable[Mapping[str, str]] | None = None,
        timeout: float | None = None,
    ) -> VideoRoomEvent:
        """Join a room and publish at once (``joinandconfigure`` with our offer).

        The arguments are those of `join_as_publisher` and `publish` (``player``
        is accepted for ``play_from``, as in `publish`).

        Returns:
            The ``joined`` event (its JSEP answer already applied).

        Raises:
            VideoRoomStateError: This handle already joined.
            VideoRoomError: The plugin refused.
        """
        source = media_alias("play_from", play_from, "player", player)
        body = self._join_body(room_id, publisher_id, display, token, pin, "joinandconfigure")
        body.update(
            self._publish_settings(
                (audio, video, data),
                descriptions,
                audiocodec=audiocodec,
                videocodec=videocodec,
                bitrate=bitrate,
                record=record,
                filename=filename,
            )
        )
        enforce_timeout(timeout)
        self._require_free("join and publish")
        reply = await self._offer_media(
            body,
            source,
            tracks,
            audio=audio,
            video=video,
            data=data,
            timeout=timeout,
        )
        self._joined(reply.data, room_id, display)
        self._publishing = True
        return await self._echo(reply)

    @sends("unpublish")
    async def unpublish(self, timeout: float | None = None) -> None:
        """Stop publishing (``unpublish``) and close our peer connection.

        We stay in the room and may `publish` again.

        Raises:
            VideoRoomStateError: Not joined as a publisher.
            VideoRoomError: 435 when not publishing.
        """
        enforce_timeout(timeout)
        self._require(ParticipantType.PUBLISHER, "unpublish")
        reply = await self.message({"request": "unpublish"}, timeout=timeout)
        self._publishing = False
        await self._close_pc()
        await self._echo(reply)

    @sends("configure")
    async def configure(
        self,
        bitrate: int | None = None,
        keyframe: bool = False,
        record: bool | None = None,
        filename: str | None = None,
        display: str | None = None,
        streams: Iterable[Mapping[str, Any]] | None = None,
        descriptions: Iterable[Mapping[str, str]] | None = None,
        timeout: float | None = None,
        *,
        audio_active_packets: int | None = None,
        audio_level_average: int | None = None,
        restart: bool | None = None,
    ) -> VideoRoomEvent:
        """Change our publisher or subscriber settings (``configure``).

        Publishers: ``bitrate``, ``keyframe``, ``record``/``filename`` (as in
        `publish`), ``display``,
        ``descriptions`` and per-stream ``streams`` (``mid`` with ``send``,
        ``keyframe``, ``min_delay``, ``max_delay``). Subscribers: ``streams``
        (``mid`` with ``send``, ``substream``, ``temporal``, ``spatial_layer``, ...)
        and ``restart`` (an ICE restart: Janus sends a new offer, answered here).

        Returns:
            The ``configured`` event.

        Raises:
            VideoRoomStateError: Not in a room.
        """
        body: dict[str, Any] = {
            "request": "configure",
            **typed_body(
                _SETTINGS,
                bitrate=bitrate,
                record=record,
                filename=filename,
                display=display,
                audio_active_packets=audio_active_packets,
                audio_level_average=audio_level_average,
                restart=restart,
            ),
        }
        if enforce_typed(keyframe, name="keyframe", kind=bool):
            body["keyframe"] = True
        if streams is not None:
            body["streams"] = _check_objects("streams", streams, required=("mid",))
        if descriptions is not None:
            body["descriptions"] = _descriptions(descriptions)
        enforce_timeout(timeout)
        self._require(None, "configure")
        reply = await self.message(body, timeout=timeout)
        if display is not None:
            self._display = display
        if reply.jsep is not None and reply.jsep.get("type") == "offer":
            await self._answer_offer(reply.jsep, timeout=timeout)
        return await self._echo(reply)
