"""The VideoRoom plugin: an SFU where publishers send media and subscribers receive it.

One `JanusVideoRoomPlugin` object is one Janus handle, and (as in Janus) one handle
is either a *publisher* or a *subscriber*:

* A publisher joins a room (`join_as_publisher`), then may `publish` media from
  aiortc tracks or a player, `configure` it, `unpublish` it and `leave`. Its
  handle receives the room's events: new publishers, who left, talking, ...
* A subscriber receives media from one or more publishers on one peer connection
  (`join_as_subscriber`, or the 0.9.x `subscribe_to_publisher`). Janus sends the
  offer; this class answers it with a ``start`` request. Later `subscribe`,
  `unsubscribe` and `update_subscription` change the streams on the same peer
  connection: Janus sends a new offer, answered the same way, automatically.
  `pause` and `start` stop and resume the media, `switch_publisher` changes the
  source of a stream without renegotiation.

Room management (`create_room`, `edit_room`, `destroy_room`, `list_rooms`,
`list_participants`, `allowed`, `kick_participant`, `moderate_participant`,
`enable_recording`, `rtp_forward`, ...) works from any handle, joined or not.

`watch_room` keeps one subscription per publisher of a room, including those who
come later, recording and counting their media.

Examples:
    ```python
    admin = await session.attach(JanusVideoRoomPlugin())
    room = await admin.create_room(description="demo", secret="s3cret")

    publisher = await session.attach(JanusVideoRoomPlugin())
    await publisher.join_as_publisher(room, display="alice")
    await publisher.publish(tracks=[ToneAudioTrack(), FrameCounterVideoTrack()])

    viewer = await session.attach(JanusVideoRoomPlugin())
    await viewer.join_as_subscriber(room, [{"feed": publisher.publisher_id}])
    await viewer.wait_webrtcup()
    print(viewer.peer.stats_by_mid)
    ```
"""

from __future__ import annotations

from . import events as _events
from ._base import _VideoRoomBase
from .cascade import _Cascading
from .events import *  # noqa: F403 - the events, errors and results are part of the package
from .publisher import _Publishing
from .rooms import _Rooms
from .subscriber import _Subscribing
from .watch import RoomWatcher, WatchedPublisher, _Watching

__all__ = ["JanusVideoRoomPlugin", "RoomWatcher", "WatchedPublisher", *_events.__all__]


class JanusVideoRoomPlugin(
    _Rooms, _Cascading, _Publishing, _Subscribing, _Watching, _VideoRoomBase
):
    """Client of ``janus.plugin.videoroom``: rooms, publishers and subscribers.

    One object is one handle: a publisher (`join_as_publisher`, `publish`, ...) or
    a subscriber (`join_as_subscriber` or `subscribe_to_publisher`, `subscribe`,
    ...), never both. Room management methods work on any handle.

    Requests Janus answers at once (``create``, ``list``, ``kick``, ...) return the
    useful part of the answer. Asynchronous requests wait for their event and
    return it as a `VideoRoomEvent`, except the methods that keep janus-client
    0.9.x's return values (`join_as_publisher`, `publish` and
    `subscribe_to_publisher` return the plugin's data dict).

    Events: ``on_event(VideoRoomEvent, cb)`` and ``events(VideoRoomEvent)`` give the
    typed events Janus sends on its own (new publishers, leaving, talking, offers
    of a subscription update, ...), after this object has acted on them;
    replies to our own requests are returned by the methods instead.
    ``on_event(VideoRoomEventType.X, cb)`` calls ``cb`` with the event's data dict
    as in 0.9.x, and, as in 0.9.x, also for the replies to our requests.

    Args:
        pc_config: An `aiortc.RTCConfiguration` for the peer connection.
    """
