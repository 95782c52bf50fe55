"""VideoRoom cascading requests (remote publishers, publish_remotely)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from ...events import read_fields
from ...validate import RoomId, opt_id, opt_int, opt_objects
from ..declare import Check, NonEmpty, Range, Secret, request
from ..rooms import _nothing
from ._base import _VideoRoomBase
from .events import (
    _PLUGIN,
    VideoRoomError,
    VideoRoomRemotePublisher,
    VideoRoomRemotization,
    VideoRoomStream,
    _remote_stream,
    _stream_list,
    remote_streams,
)

#: A UDP port.
Port = Annotated[int, Range(1, 65535)]
_KEYS = {"room_id": "room"}
_KEYS_ID = {"room_id": "room", "publisher_id": "id"}


def _updated_streams(value: object, name: str) -> list[dict[str, Any]]:
    checked = [
        _remote_stream(f"{name}[{i}]", item) for i, item in enumerate(_stream_list(name, value))
    ]
    if not checked:
        raise ValueError(f"{name} must not be empty")
    return checked


#: Streams of a remote publisher (`VideoRoomStream` objects or dicts), checked.
RemoteStreams = Annotated[
    Iterable[VideoRoomStream | Mapping[str, Any]],
    Check(lambda value, name: remote_streams(value, name), "list[stream]"),
]
#: The same, for ``update_remote_publisher`` (any mindexes).
UpdatedStreams = Annotated[
    Iterable[VideoRoomStream | Mapping[str, Any]], Check(_updated_streams, "list[stream]")
]


def _remotes(data: dict[str, Any]) -> list[VideoRoomRemotization]:
    return [VideoRoomRemotization.from_dict(r) for r in opt_objects(data.get("list"))]


def _remote_publisher(data: dict[str, Any]) -> VideoRoomRemotePublisher:
    pid = opt_id(data.get("id"))
    port = opt_int(data.get("port"))
    room = opt_id(data.get("room"))
    if pid is None or port is None or room is None:
        raise VideoRoomError(
            "add_remote_publisher: Janus replied without the publisher's room, id or port",
            plugin=_PLUGIN,
            request="add_remote_publisher",
        )
    given = {"room": room, "id": pid, "port": port, "raw": dict(data)}
    return VideoRoomRemotePublisher(**read_fields(VideoRoomRemotePublisher, data, **given))


class _Cascading(_VideoRoomBase):
    """VideoRoom cascading requests (remote publishers, publish_remotely)."""

    # ------------------------------------------------ sync: cascading (PR 3014)
    @request("publish_remotely", keys=_KEYS, result=lambda data: str(data.get("remote_id", "")))
    async def publish_remotely(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        remote_id: NonEmpty,
        host: NonEmpty,
        port: Port,
        *,
        rtcp_port: Port | None = None,
        host_family: Literal["ipv4", "ipv6"] | None = None,
        secret: Secret | None = None,
        admin_key: Secret | None = None,
        timeout: float | None = None,
    ) -> str:
        """Send a local publisher's media to another Janus too (``publish_remotely``).

        Every stream of the publisher goes as plain RTP to ``host:port`` (told
        apart by SSRC), where the other instance's VideoRoom has a remote
        publisher for it (`add_remote_publisher`). With ``rtcp_port`` the other
        instance can ask for keyframes. `cascade_publisher` does both sides in one
        call.

        Args:
            room_id: The room of the publisher (on this instance).
            publisher_id: The publisher (a local one: remote publishers cannot be
                remotized again in Janus 1.1.2).
            remote_id: A name for this remotization, unique for the publisher
                (used by `unpublish_remotely`).
            host: The address of the other instance's remote publisher sockets.
            port: Its RTP port.
            rtcp_port: Its RTCP port, for keyframe requests.
            host_family: ``"ipv4"`` or ``"ipv6"`` to resolve ``host``.
            secret: The room's secret, when it has one.
            admin_key: The plugin's ``admin_key``, when RTP forwarding needs it.
            timeout: Deadline in seconds.

        Returns:
            The ``remote_id``.

        Raises:
            VideoRoomError: No such room (426) or publisher (428), a remote
                publisher (430: only local ones can be remotized), a ``remote_id``
                in use (436), a host Janus cannot resolve (430), wrong secret
                (433), ...
        """
        ...

    @request("unpublish_remotely", keys=_KEYS, result=_nothing)
    async def unpublish_remotely(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        remote_id: NonEmpty,
        *,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> None:
        """Stop sending a local publisher's media to another Janus (``unpublish_remotely``).

        The remote publisher on the other instance stays until
        `remove_remote_publisher` there; it just gets no more media.

        Raises:
            VideoRoomError: No such room (426), publisher or remotization (428), ...
        """
        ...

    @request("listremotes", keys=_KEYS, result=_remotes)
    async def list_remotes(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        *,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> list[VideoRoomRemotization]:
        """Return where a local publisher is remotized (``listremotes``).

        Raises:
            VideoRoomError: No such room (426) or publisher (428), ...
        """
        ...

    @request("add_remote_publisher", keys=_KEYS_ID, result=_remote_publisher)
    async def add_remote_publisher(
        self,
        room_id: RoomId,
        streams: RemoteStreams,
        *,
        publisher_id: RoomId | None = None,
        display: str | None = None,
        iface: str | None = None,
        port: Port | None = None,
        rtcp_port: Port | None = None,
        mcast: str | None = None,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> VideoRoomRemotePublisher:
        """Show a publisher of another Janus in a room here (``add_remote_publisher``).

        Janus opens a UDP socket for its RTP and one for RTCP and starts relaying
        what arrives there to subscribers, as for a local publisher. The other
        instance sends there with `publish_remotely`.

        Args:
            room_id: The room (on this instance).
            streams: The source publisher's streams (see `remote_streams`):
                `VideoRoomStream` objects or dicts with ``mid``, ``mindex``,
                ``type`` and ``codec``.
            publisher_id: The id to give it (default: Janus picks one). Using the
                source publisher's id keeps ids the same on both instances.
            display: Its display name.
            iface: The local address to bind the sockets to (default: every
                interface). Give one: Janus then reports it as `ip`.
            port: The RTP port (default: Janus picks one in 10000-60000).
            rtcp_port: The RTCP port (default: Janus picks one).
            mcast: A multicast group to join instead.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Returns:
            Its id and where to send its media.

        Raises:
            VideoRoomError: No such room (426), id in use (436), an unknown
                ``iface`` or a port in use (499), wrong secret (433), ...
        """
        ...

    @request("update_remote_publisher", keys=_KEYS_ID, result=_nothing)
    async def update_remote_publisher(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        streams: UpdatedStreams,
        *,
        display: str | None = None,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> None:
        """Change a remote publisher's streams or display (``update_remote_publisher``).

        A stream whose ``mid`` exists gets the new ``description`` and
        ``disabled``; other streams are added (at the next ``mindex``). When
        something changed, the room's participants get a ``publishers`` event.

        Args:
            room_id: The room (on this instance).
            publisher_id: The remote publisher.
            streams: Streams as for `add_remote_publisher` (any mindexes here).
            display: A new display name.
            secret: The room's secret, when it has one.
            timeout: Deadline in seconds.

        Raises:
            VideoRoomError: No such room (426) or remote publisher (428), ...
        """
        ...

    @request("remove_remote_publisher", keys=_KEYS_ID, result=_nothing)
    async def remove_remote_publisher(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        *,
        secret: Secret | None = None,
        timeout: float | None = None,
    ) -> None:
        """Remove a remote publisher from a room (``remove_remote_publisher``).

        Its sockets close; its subscribers get an offer without its streams and
        the room's participants see it leave (``unpublished`` / ``leaving``).

        Raises:
            VideoRoomError: No such room (426) or remote publisher (428), ...
        """
        ...
