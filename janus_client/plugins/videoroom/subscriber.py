"""The VideoRoom subscriber side: join as subscriber, subscribe, update, switch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ...validate import (
    RoomId,
    enforce_id,
    enforce_timeout,
    enforce_typed,
    put,
)

if TYPE_CHECKING:
    from aiortc.contrib.media import MediaRecorder

from ..declare import sends
from ..media import media_alias
from ._base import _VideoRoomBase
from .events import (
    ParticipantType,
    VideoRoomEvent,
    _check_objects,
)


class _Subscribing(_VideoRoomBase):
    """The VideoRoom subscriber side: join as subscriber, subscribe, update, switch."""

    # ---------------------------------------------------------- subscribers
    async def join_as_subscriber(
        self,
        room_id: RoomId,
        streams: Iterable[Mapping[str, Any]],
        *,
        private_id: int | None = None,
        use_msid: bool = False,
        autoupdate: bool = True,
        pin: str | None = None,
        record_to: str | MediaRecorder | None = None,
        read_counters: bool = False,
        timeout: float | None = None,
    ) -> VideoRoomEvent:
        """Subscribe to streams of publishers (``join``, ``ptype: subscriber``).

        Janus answers with an ``attached`` event and its offer; this method creates
        the peer connection, answers, and sends the answer with ``start``. The
        media is then counted in ``pc.stats_by_mid`` (per subscription mid), or
        recorded to ``record_to``.

        Args:
            room_id: The room.
            streams: What to receive: ``[{"feed": publisher_id}]`` for all the
                publisher's streams, ``{"feed": id, "mid": "1"}`` for one; items may
                also carry ``crossrefid`` and simulcast/SVC targets.
            private_id: Our publisher handle's private id (rooms with
                ``require_pvtid``).
            use_msid: Have the offer's msid name the publisher.
            autoupdate: Let Janus renegotiate when a subscribed publisher leaves.
            pin: The room's PIN, when it has one.
            record_to: A file path or `MediaRecorder` for the received media.
            read_counters: Decode `FrameCounterVideoTrack` numbers from the video.
            timeout: Deadline in seconds for each of the two requests.

        Returns:
            The ``attached`` event; `streams` holds the subscription's layout.

        Raises:
            VideoRoomStateError: This handle already joined.
            VideoRoomError: 426 no such room, 428 no such feed, ...
        """
        body: dict[str, Any] = {
            "request": "join",
            "ptype": "subscriber",
            "room": enforce_id(room_id, name="room_id"),
            "streams": _check_objects("streams", streams, required=("feed",)),
            "use_msid": enforce_typed(use_msid, name="use_msid", kind=bool),
            "autoupdate": enforce_typed(autoupdate, name="autoupdate", kind=bool),
        }
        put(body, private_id=(private_id, int), pin=(pin, str))
        enforce_typed(read_counters, name="read_counters", kind=bool)
        if (
            record_to is not None
            and not isinstance(record_to, str)
            and not callable(getattr(record_to, "addTrack", None))
        ):
            raise TypeError(
                f"record_to must be a path or a MediaRecorder, got {type(record_to).__name__}"
            )
        enforce_timeout(timeout)
        self._require_free("subscribe")
        reply = await self.message(body, timeout=timeout)
        event = self._event(reply)
        self._ptype = ParticipantType.SUBSCRIBER
        self._room = event.room if event.room is not None else room_id
        self._record_to = record_to
        self._read_counters = read_counters
        if event.streams is not None:
            self._streams = event.streams
        if reply.jsep is not None:
            try:
                await self._answer_offer(reply.jsep, timeout=timeout)
            except BaseException:
                await self._close_pc()
                raise
        return await self._echo(reply, event)

    async def subscribe_to_publisher(
        self,
        room_id: RoomId,
        streams: RoomId | Iterable[Mapping[str, Any]],
        recorder: MediaRecorder | None = None,
        private_id: int | None = None,
        use_msid: bool = False,
        autoupdate: bool = True,
        trickle: bool = False,
        timeout: float | None = None,
        *,
        pin: str | None = None,
        read_counters: bool = False,
        record_to: str | MediaRecorder | None = None,
    ) -> dict[str, Any]:
        """Subscribe to publishers, 0.9.x style (see `join_as_subscriber`).

        Args:
            room_id: The room.
            streams: ``[{"feed": id[, "mid": ...]}, ...]``, or just a publisher id
                for all its streams.
            recorder: A `MediaRecorder` for the received media.
            private_id: Our publisher handle's private id.
            use_msid: Have the offer's msid name the publisher.
            autoupdate: Let Janus renegotiate when a subscribed publisher leaves.
            trickle: Ignored: answers carry every candidate.
            timeout: Deadline in seconds.
            pin: The room's PIN, when it has one.
            read_counters: Decode `FrameCounterVideoTrack` numbers from the video.
            record_to: A file path or `MediaRecorder` for the received media (the
                name `join_as_subscriber` uses; ``recorder`` is the 0.9.x one).

        Returns:
            The plugin's ``attached`` data.
        """
        if isinstance(streams, (int, str)) and not isinstance(streams, bool):
            items: Iterable[Mapping[str, Any]] = [{"feed": enforce_id(streams, name="streams")}]
        else:
            items = streams  # type: ignore[assignment]
        enforce_typed(trickle, name="trickle", kind=bool)
        event = await self.join_as_subscriber(
            room_id,
            items,
            private_id=private_id,
            use_msid=use_msid,
            autoupdate=autoupdate,
            pin=pin,
            record_to=media_alias("record_to", record_to, "recorder", recorder),
            read_counters=read_counters,
            timeout=timeout,
        )
        return event.data

    @sends("start")
    async def start(
        self,
        trickle: bool = False,
        timeout: float | None = None,
        *,
        answer: Mapping[str, Any] | None = None,
    ) -> VideoRoomEvent:
        """Start (or resume after `pause`) the media of our subscription (``start``).

        The answers to Janus' offers are sent by this class already (with
        ``start``); call this to resume a paused subscription, or give ``answer``
        to send an answer you made yourself.

        Args:
            trickle: Ignored (0.9.x argument).
            timeout: Deadline in seconds.
            answer: A JSEP answer to send with the request.

        Returns:
            The ``started`` event.

        Raises:
            VideoRoomStateError: Not a subscriber.
        """
        enforce_typed(trickle, name="trickle", kind=bool)
        if answer is not None and (
            not isinstance(answer, Mapping) or answer.get("type") != "answer"
        ):
            raise ValueError("answer must be a JSEP answer ({'type': 'answer', 'sdp': ...})")
        enforce_timeout(timeout)
        self._require(ParticipantType.SUBSCRIBER, "start")
        reply = await self.message({"request": "start"}, answer, timeout=timeout)
        return await self._echo(reply)

    @sends("pause")
    async def pause(self, timeout: float | None = None) -> VideoRoomEvent:
        """Pause the media of our subscription (``pause``); `start` resumes it.

        Returns:
            The ``paused`` event.
        """
        enforce_timeout(timeout)
        self._require(ParticipantType.SUBSCRIBER, "pause")
        reply = await self.message({"request": "pause"}, timeout=timeout)
        return await self._echo(reply)

    async def _update(self, body: dict[str, Any], timeout: float | None) -> VideoRoomEvent:
        enforce_timeout(timeout)
        self._require(ParticipantType.SUBSCRIBER, str(body["request"]))
        reply = await self.message(body, timeout=timeout)
        event = self._event(reply)
        if event.streams is not None:
            self._streams = event.streams
        if reply.jsep is not None:
            await self._answer_offer(reply.jsep, timeout=timeout)
        return await self._echo(reply, event)

    @sends("subscribe")
    async def subscribe(
        self, streams: Iterable[Mapping[str, Any]], timeout: float | None = None
    ) -> VideoRoomEvent:
        """Add streams to our subscription (``subscribe``), on the same peer connection.

        Janus' new offer is answered here. When Janus is still busy with a previous
        update it answers ``updating`` and sends the offer later, in an ``updated``
        event: that one is answered automatically too.

        Args:
            streams: ``[{"feed": id[, "mid": ...]}, ...]`` as for `join_as_subscriber`.
            timeout: Deadline in seconds.

        Returns:
            The ``updated`` (or ``updating``) event.
        """
        items = _check_objects("streams", streams, required=("feed",))
        return await self._update({"request": "subscribe", "streams": items}, timeout)

    @sends("unsubscribe")
    async def unsubscribe(
        self, streams: Iterable[Mapping[str, Any]], timeout: float | None = None
    ) -> VideoRoomEvent:
        """Remove streams from our subscription (``unsubscribe``); renegotiates like `subscribe`.

        Args:
            streams: Items with ``feed`` (all its streams), ``feed`` and ``mid`` (one
                publisher stream) or ``sub_mid`` (one m-line of our subscription).
            timeout: Deadline in seconds.

        Returns:
            The ``updated`` (or ``updating``) event.
        """
        items = _check_objects("streams", streams, any_of=("feed", "sub_mid"))
        return await self._update({"request": "unsubscribe", "streams": items}, timeout)

    @sends("update")
    async def update_subscription(
        self,
        subscribe: Iterable[Mapping[str, Any]] | None = None,
        unsubscribe: Iterable[Mapping[str, Any]] | None = None,
        *,
        timeout: float | None = None,
    ) -> VideoRoomEvent:
        """Add and remove streams in one renegotiation (``update``).

        Args:
            subscribe: Streams to add, as for `subscribe`.
            unsubscribe: Streams to remove, as for `unsubscribe`.
            timeout: Deadline in seconds.

        Returns:
            The ``updated`` (or ``updating``) event.

        Raises:
            ValueError: Neither list given.
        """
        body: dict[str, Any] = {"request": "update"}
        if subscribe is not None:
            body["subscribe"] = _check_objects(
                "subscribe", subscribe, required=("feed",), empty_ok=True
            )
        if unsubscribe is not None:
            body["unsubscribe"] = _check_objects(
                "unsubscribe", unsubscribe, any_of=("feed", "sub_mid"), empty_ok=True
            )
        if not body.get("subscribe") and not body.get("unsubscribe"):
            raise ValueError("update_subscription needs streams to subscribe or unsubscribe")
        return await self._update(body, timeout)

    @sends("switch")
    async def switch_publisher(
        self, streams: Iterable[Mapping[str, Any]], timeout: float | None = None
    ) -> VideoRoomEvent:
        """Feed m-lines of our subscription from other publishers (``switch``).

        No renegotiation: the new source must use the same codec.

        Args:
            streams: ``[{"feed": new_publisher, "mid": its_mid, "sub_mid": our_mid}]``.
            timeout: Deadline in seconds.

        Returns:
            The ``switched`` event (``changes``, and the new `streams`).
        """
        items = _check_objects("streams", streams, required=("feed", "mid", "sub_mid"))
        return await self._update({"request": "switch", "streams": items}, timeout)
