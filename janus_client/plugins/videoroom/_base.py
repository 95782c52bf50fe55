"""The VideoRoom handle's state, negotiation and event tracking."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...errors import InvalidStateError, JanusError
from ...events import HangupEvent, JanusEvent, PluginEvent
from ...handle import PluginResponse
from ...validate import (
    RoomId,
    enforce_timeout,
)
from ..declare import sends
from ..media import JanusMediaPlugin
from ..rooms import _RoomMember

if TYPE_CHECKING:
    from aiortc import RTCConfiguration
    from aiortc.contrib.media import MediaRecorder

    from ...webrtc import JanusPeerConnection
from .events import (
    _PLUGIN,
    ParticipantType,
    VideoRoomError,
    VideoRoomEvent,
    VideoRoomEventType,
    VideoRoomPublisher,
    VideoRoomStateError,
    VideoRoomStream,
    _check_ids,
    logger,
)


class _VideoRoomBase(_RoomMember, JanusMediaPlugin):
    """State, negotiation and events shared by the VideoRoom request groups."""

    name = _PLUGIN
    error_class = VideoRoomError
    event_class = VideoRoomEvent
    event_types = VideoRoomEventType
    #: Set to True when the server's VideoRoom runs with ``string_ids``: then ids
    #: made of digits (``"4242"``) are sent as given instead of being refused.
    string_ids: bool = False

    def __init__(self, pc_config: RTCConfiguration | None = None, **kwargs: Any) -> None:
        super().__init__(pc_config, **kwargs)
        self._negotiating = asyncio.Lock()
        self._reset()
        self._record_to: str | MediaRecorder | None = None
        self._read_counters = False

    def _check_body(self, body: Mapping[str, Any]) -> None:
        """Refuse room and participant ids Janus would answer with error 430.

        Every body sent with `request` or `message` is checked: an id that is
        neither an int nor a str raises `TypeError`; one that is not positive,
        empty, or a string of digits while `string_ids` is False, `ValueError`.
        """
        _check_ids(body, self.string_ids)

    # ------------------------------------------------------------------ state
    @property
    def room_id(self) -> RoomId | None:
        """The room this handle joined, or None."""
        return self._room

    @property
    def publisher_id(self) -> RoomId | None:
        """Our publisher id in the room (publishers only), or None."""
        return self._publisher_id

    @property
    def private_id(self) -> int | None:
        """Our private id (publishers only): give it to subscriptions we make."""
        return self._private_id

    @property
    def display_name(self) -> str | None:
        """Our display name in the room, when we set one."""
        return self._display

    @property
    def participant_type(self) -> ParticipantType | None:
        """Whether this handle is a publisher or a subscriber (None before joining)."""
        return self._ptype

    @property
    def is_publishing(self) -> bool:
        """Whether we publish media (between `publish` and `unpublish`)."""
        return self._publishing

    @property
    def webrtcup_event(self) -> asyncio.Event:
        """Set when Janus reports the peer connection up (0.9.x; see `wait_webrtcup`)."""
        return self._webrtcup

    @property
    def publishers(self) -> dict[RoomId, VideoRoomPublisher]:
        """The room's active publishers as this publisher handle knows them, by id.

        Filled from ``joined`` and kept up to date by ``publishers``,
        ``unpublished``, ``leaving``, ``kicked``, ``display`` and ``moderation``
        events. Empty for subscribers.
        """
        return dict(self._publishers)

    @property
    def streams(self) -> tuple[VideoRoomStream, ...]:
        """The streams of our subscription (subscribers), as Janus last described them."""
        return self._streams

    def _reset(self) -> None:
        super()._reset()
        self._ptype: ParticipantType | None = None
        self._publisher_id: RoomId | None = None
        self._private_id: int | None = None
        self._publishing = False
        self._publishers: dict[RoomId, VideoRoomPublisher] = {}
        self._streams: tuple[VideoRoomStream, ...] = ()

    def _require(self, ptype: ParticipantType | None, what: str) -> None:
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        if ptype is None:
            if self._ptype is None:
                raise VideoRoomStateError(f"cannot {what}: not in a room (join first)")
        elif self._ptype is not ptype:
            now = self._ptype.value if self._ptype is not None else "not in a room"
            if what == "publish":  # 0.9.x's message first, so its regexes still match
                raise VideoRoomStateError(
                    f"Must join as publisher before publishing (this handle is {now})"
                )
            raise VideoRoomStateError(f"cannot {what}: this handle is {now}, not a {ptype.value}")

    def _require_free(self, what: str) -> None:
        self.handle  # noqa: B018
        if self._ptype is not None and what == "subscribe":
            raise VideoRoomStateError(
                "Can only be either publisher or subscriber. "
                f"Now ParticipantType.{self._ptype.name} "
                f"(this handle already joined room {self._room!r}; attach another)",
            )
        if self._ptype is not None:
            raise VideoRoomStateError(
                f"cannot {what}: this handle already joined room {self._room!r} as a "
                f"{self._ptype.value} (one handle per role; attach another)"
            )

    # ----------------------------------------------------------------- both
    @sends("leave")
    async def leave(self, timeout: float | None = None) -> None:
        """Leave the room (``leave``): unpublish and close our peer connection.

        For a subscriber this ends the subscription. The handle stays attached and
        may join again.
        """
        enforce_timeout(timeout)
        self.handle  # noqa: B018
        await self._echo(await self._leave(timeout))

    # ---------------------------------------------------------- negotiation
    async def _subscriber_pc(self) -> JanusPeerConnection:
        pc = self._pc
        if pc is not None and not pc.closed:
            return pc
        if not self.attached:
            raise InvalidStateError(f"{type(self).__name__} is not attached to a session")
        return await self._new_pc(record_to=self._record_to, read_counters=self._read_counters)

    async def _answer_offer(
        self, offer: Mapping[str, Any], *, timeout: float | None
    ) -> VideoRoomEvent:
        """Answer an offer of Janus on our (new if needed) peer connection, with ``start``."""
        async with self._negotiating:
            try:
                pc = await self._subscriber_pc()
                answer = await pc.apply(offer)
                if answer is None:  # pragma: no cover - callers pass offers only
                    raise ValueError("expected an offer from Janus")
                reply = await self.message({"request": "start"}, answer, timeout=timeout)
            except BaseException:
                if not self.attached:
                    await self._close_pc()
                raise
            if not self.attached:  # the handle closed meanwhile: do not leak the pc
                await self._close_pc()
        return await self._echo(reply)

    def _answer_body(self, event: PluginEvent) -> dict[str, Any]:
        return {"request": "start"}

    async def _handle_jsep(self, event: PluginEvent, jsep: Mapping[str, Any]) -> None:
        if jsep.get("type") != "offer" or self._ptype is not ParticipantType.SUBSCRIBER:
            await super()._handle_jsep(event, jsep)
            return
        try:
            await self._answer_offer(jsep, timeout=None)
        except JanusError as exc:
            if self.attached:
                logger.warning("VideoRoom: answering Janus' new offer failed: %s", exc)
        except ValueError as exc:
            logger.warning("VideoRoom: Janus' new offer is unusable: %s", exc)
        except Exception as exc:  # aiortc's own errors when the pc closed meanwhile
            pc = self._pc
            if pc is not None and not pc.closed and self.attached:
                raise
            logger.debug("VideoRoom: offer not answered, the peer connection closed: %s", exc)

    # ---------------------------------------------------------------- events
    def _event(self, reply: PluginResponse) -> VideoRoomEvent:
        return VideoRoomEvent.from_data(reply.data, reply.jsep, **self._reply_fields(reply))

    async def _echo(
        self, reply: PluginResponse, event: VideoRoomEvent | None = None
    ) -> VideoRoomEvent:
        """Run the 0.9.x handlers on a reply event (0.9.x did); return the typed event."""
        if event is None:
            event = self._event(reply)
        if reply.kind != "event":
            return event
        await self._run_callbacks(event, by_type_only=True)
        return event

    async def _process_event(self, event: JanusEvent) -> None:
        if isinstance(event, VideoRoomEvent):
            await self._track_room(event)
        elif isinstance(event, HangupEvent):
            self._publishing = False
        await super()._process_event(event)

    async def _track_room(self, event: VideoRoomEvent) -> None:
        """Keep the room state (publishers, subscription streams, ...) up to date."""
        kind = event.type
        known = self._publishers
        if kind is VideoRoomEventType.PUBLISHERS:
            for publisher in event.publishers:
                known[publisher.id] = publisher
        elif kind in (
            VideoRoomEventType.UNPUBLISHED,
            VideoRoomEventType.LEAVING,
            VideoRoomEventType.KICKED,
        ):
            if event.id is not None:
                known.pop(event.id, None)
            elif kind is VideoRoomEventType.LEAVING and event.reason == "kicked":
                logger.info("VideoRoom: kicked out of room %s", self._room)
                await self._close_pc()
                self._reset()
        elif kind is VideoRoomEventType.DESTROYED:
            await self._close_pc()
            self._reset()
        elif kind is VideoRoomEventType.DISPLAY and event.id in known:
            assert event.id is not None
            known[event.id] = dataclasses.replace(known[event.id], display=event.display)
        elif kind is VideoRoomEventType.MODERATION and event.id in known and event.mid:
            assert event.id is not None
            publisher = known[event.id]
            streams = tuple(
                dataclasses.replace(s, moderated=bool(event.muted)) if s.mid == event.mid else s
                for s in publisher.streams
            )
            known[event.id] = dataclasses.replace(publisher, streams=streams)
        elif event.streams is not None and kind in (
            VideoRoomEventType.ATTACHED,
            VideoRoomEventType.UPDATED,
            VideoRoomEventType.SWITCHED,
        ):
            self._streams = event.streams
