"""VideoRoom cascading requests (remote publishers, publish_remotely)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...validate import (
    RoomId,
    enforce_id,
    enforce_port,
    enforce_str,
    enforce_timeout,
    opt_id,
    opt_int,
    opt_str,
    put,
)
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


class _Cascading(_VideoRoomBase):
    """VideoRoom cascading requests (remote publishers, publish_remotely)."""

    # ------------------------------------------------ sync: cascading (PR 3014)
    async def publish_remotely(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        remote_id: str,
        host: str,
        port: int,
        *,
        rtcp_port: int | None = None,
        host_family: str | None = None,
        secret: str | None = None,
        admin_key: str | None = None,
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
        body: dict[str, Any] = {
            "request": "publish_remotely",
            "room": enforce_id(room_id, name="room_id"),
            "publisher_id": enforce_id(publisher_id, name="publisher_id"),
            "remote_id": enforce_str(remote_id, name="remote_id"),
            "host": enforce_str(host, name="host"),
            "port": enforce_port(port, name="port"),
        }
        if enforce_port(rtcp_port, name="rtcp_port", optional=True) is not None:
            body["rtcp_port"] = rtcp_port
        if host_family is not None and host_family not in ("ipv4", "ipv6"):
            raise ValueError(f"host_family must be 'ipv4' or 'ipv6', got {host_family!r}")
        put(body, host_family=(host_family, str), secret=(secret, str), admin_key=(admin_key, str))
        enforce_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        found = data.get("remote_id")
        return found if isinstance(found, str) else remote_id

    async def unpublish_remotely(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        remote_id: str,
        *,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Stop sending a local publisher's media to another Janus (``unpublish_remotely``).

        The remote publisher on the other instance stays until
        `remove_remote_publisher` there; it just gets no more media.

        Raises:
            VideoRoomError: No such room (426), publisher or remotization (428), ...
        """
        body: dict[str, Any] = {
            "request": "unpublish_remotely",
            "room": enforce_id(room_id, name="room_id"),
            "publisher_id": enforce_id(publisher_id, name="publisher_id"),
            "remote_id": enforce_str(remote_id, name="remote_id"),
        }
        put(body, secret=(secret, str))
        enforce_timeout(timeout)
        await self.request(body, timeout=timeout)

    async def list_remotes(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        *,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> list[VideoRoomRemotization]:
        """Return where a local publisher is remotized (``listremotes``).

        Raises:
            VideoRoomError: No such room (426) or publisher (428), ...
        """
        body: dict[str, Any] = {
            "request": "listremotes",
            "room": enforce_id(room_id, name="room_id"),
            "publisher_id": enforce_id(publisher_id, name="publisher_id"),
        }
        put(body, secret=(secret, str))
        enforce_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        found = data.get("list")
        if not isinstance(found, list):
            return []
        return [VideoRoomRemotization.from_dict(r) for r in found if isinstance(r, Mapping)]

    async def add_remote_publisher(
        self,
        room_id: RoomId,
        streams: Iterable[VideoRoomStream | Mapping[str, Any]],
        *,
        publisher_id: RoomId | None = None,
        display: str | None = None,
        iface: str | None = None,
        port: int | None = None,
        rtcp_port: int | None = None,
        mcast: str | None = None,
        secret: str | None = None,
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
        body: dict[str, Any] = {
            "request": "add_remote_publisher",
            "room": enforce_id(room_id, name="room_id"),
            "streams": remote_streams(streams),
        }
        if publisher_id is not None:
            body["id"] = enforce_id(publisher_id, name="publisher_id")
        for name, value in (("port", port), ("rtcp_port", rtcp_port)):
            if enforce_port(value, name=name, optional=True) is not None:
                body[name] = value
        put(body, display=(display, str), iface=(iface, str), mcast=(mcast, str))
        put(body, secret=(secret, str))
        enforce_timeout(timeout)
        data = await self.request(body, timeout=timeout)
        pid = opt_id(data.get("id"))
        got_port = opt_int(data.get("port"))
        if pid is None or got_port is None:
            raise VideoRoomError(
                "add_remote_publisher: Janus replied without the publisher's id or port",
                plugin=_PLUGIN,
                request="add_remote_publisher",
            )
        return VideoRoomRemotePublisher(
            room=opt_id(data.get("room")) or room_id,
            id=pid,
            ip=opt_str(data.get("ip")),
            port=got_port,
            rtcp_port=opt_int(data.get("rtcp_port")),
            raw=dict(data),
        )

    async def update_remote_publisher(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        streams: Iterable[VideoRoomStream | Mapping[str, Any]],
        *,
        display: str | None = None,
        secret: str | None = None,
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
        checked = [
            _remote_stream(f"streams[{i}]", item)
            for i, item in enumerate(_stream_list("streams", streams))
        ]
        if not checked:
            raise ValueError("streams must not be empty")
        body: dict[str, Any] = {
            "request": "update_remote_publisher",
            "room": enforce_id(room_id, name="room_id"),
            "id": enforce_id(publisher_id, name="publisher_id"),
            "streams": checked,
        }
        put(body, display=(display, str), secret=(secret, str))
        enforce_timeout(timeout)
        await self.request(body, timeout=timeout)

    async def remove_remote_publisher(
        self,
        room_id: RoomId,
        publisher_id: RoomId,
        *,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Remove a remote publisher from a room (``remove_remote_publisher``).

        Its sockets close; its subscribers get an offer without its streams and
        the room's participants see it leave (``unpublished`` / ``leaving``).

        Raises:
            VideoRoomError: No such room (426) or remote publisher (428), ...
        """
        body: dict[str, Any] = {
            "request": "remove_remote_publisher",
            "room": enforce_id(room_id, name="room_id"),
            "id": enforce_id(publisher_id, name="publisher_id"),
        }
        put(body, secret=(secret, str))
        enforce_timeout(timeout)
        await self.request(body, timeout=timeout)
