"""`JanusAdminMonitorClient`: one method per Admin/Monitor API request."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any, ClassVar

from .._lifecycle import AsyncContext
from ..coverage import JANUS_REQUESTS
from ..protocol import plugin_error
from ._base import AdminConnection
from ._util import (
    as_dict,
    as_int,
    check_bool,
    check_id,
    check_int,
    check_mapping,
    check_plugins,
    check_str,
    data_list,
    expect,
    id_list,
)
from .handles import HandleInfo
from .info import ServerInfo, StatusInfo
from .snapshot import (
    AdminSnapshot,
    check_concurrency,
    check_interval,
    take_snapshot,
    watch_snapshots,
)

__all__ = ["JanusAdminMonitorClient"]

#: The ``set_*`` requests: the method's argument name, the request's field, and
#: the reply field that reports the value now in force.
_SETTINGS: dict[str, tuple[str, str, str]] = {
    "set_session_timeout": ("session_timeout", "timeout", "timeout"),
    "set_log_level": ("log_level", "level", "level"),
    "set_log_timestamps": ("log_timestamps", "timestamps", "log_timestamps"),
    "set_log_colors": ("log_colors", "colors", "log_colors"),
    "set_locking_debug": ("locking_debug", "debug", "locking_debug"),
    "set_refcount_debug": ("refcount_debug", "debug", "refcount_debug"),
    "set_libnice_debug": ("libnice_debug", "debug", "libnice_debug"),
    "set_min_nack_queue": ("min_nack_queue", "min_nack_queue", "min_nack_queue"),
    "set_no_media_timer": ("no_media_timer", "no_media_timer", "no_media_timer"),
    "set_slowlink_threshold": ("slowlink_threshold", "slowlink_threshold", "slowlink_threshold"),
    "set_nack_optimizations": ("nack_optimizations", "nack_optimizations", "nack-optimizations"),
}


class JanusAdminMonitorClient(AdminConnection, AsyncContext):
    """Client of the Janus Admin/Monitor API.

    No Janus session is involved: requests go straight to the admin endpoint.
    The connection opens on first use (or with `connect`); close it with
    `disconnect` / `close`, or use the client as an async context manager.
    Every method takes ``timeout=`` (seconds; default ``timeouts.request``) and
    raises the typed `ServerError` Janus answers with, for example
    `UnauthorizedError` (403) for a wrong or missing admin secret.

    Args:
        base_url: The admin endpoint: ``http(s)://host:7088/admin`` or
            ``ws(s)://host:7188`` (the WebSocket uses the ``janus-admin-protocol``
            subprotocol). Not needed when ``transport`` is given.
        admin_secret: The server's ``admin_secret`` (None sends none; only
            ``info`` and ``ping`` then work on a server that has one).
        api_secret: Kept for janus-client 0.9.x compatibility; the Admin API
            authenticates with ``admin_secret`` only, so it is not sent.
        token: Kept for 0.9.x compatibility, not sent (see ``api_secret``).
        transport: A transport to the admin endpoint to use instead of creating
            one; the client never closes a transport it was given.
        timeouts: Deadlines (default: the transport's).
        ssl: TLS context for ``https://`` / ``wss://``.

    Raises:
        ValueError: Neither ``base_url`` nor ``transport``, an unknown scheme, or a
            WebSocket transport without the admin subprotocol.
    """

    _opens_with = "connect"
    _closes_with = "disconnect"

    #: Admin API requests and the methods that send them (see `janus_client.coverage`).
    # Every admin request is sent by the method of the same name.
    requests: ClassVar[dict[str, str]] = {name: name for name in JANUS_REQUESTS["admin"]}

    # ---------------------------------------------------------------- generic
    async def info(self, *, timeout: float | None = None) -> ServerInfo:
        """Return the server's information (needs no admin secret).

        Returns:
            A `ServerInfo`; ``info["key"]`` still reads the raw reply as in 0.9.x.
        """
        return ServerInfo.from_json(await self._call("info", {}, timeout=timeout))

    async def ping(self, *, timeout: float | None = None) -> dict[str, Any]:
        """Send ``ping`` (needs no admin secret) and return the ``pong`` reply."""
        return await self._call("ping", {}, timeout=timeout)

    async def loops_info(self, *, timeout: float | None = None) -> list[dict[str, Any]]:
        """Return how many handles each static event loop serves.

        Returns:
            One object per loop (``id``, ``handles``); empty when Janus uses no
            static event loops (the default).
        """
        body = await self._call("loops_info", {}, timeout=timeout)
        loops = expect(body, "loops", "loops_info")
        return [dict(loop) for loop in loops if isinstance(loop, Mapping)]

    # ---------------------------------------------------------- configuration
    async def get_status(self, *, timeout: float | None = None) -> StatusInfo:
        """Return the settings that can be changed at runtime."""
        body = await self._call("get_status", {}, timeout=timeout)
        return StatusInfo.from_json(as_dict(expect(body, "status", "get_status")))

    async def get_settings(self, *, timeout: float | None = None) -> dict[str, Any]:
        """Return ``get_status``' raw ``status`` object (the janus-client 0.9.x name)."""
        return (await self.get_status(timeout=timeout)).raw

    async def _set(self, request: str, value: Any, *, timeout: float | None) -> Any:
        """Send one ``set_*`` request of `_SETTINGS`; return the value Janus reports."""
        _, field_name, reply_key = _SETTINGS[request]
        body = await self._call(request, {field_name: value}, timeout=timeout)
        return expect(body, reply_key, request)

    async def _set_flag(self, request: str, value: bool, *, timeout: float | None) -> bool:
        check_bool(_SETTINGS[request][0], value)
        return await self._set(request, value, timeout=timeout) is True

    async def _set_number(
        self, request: str, value: int, *, high: int | None = None, timeout: float | None
    ) -> int:
        check_int(_SETTINGS[request][0], value, 0, high)
        return as_int(await self._set(request, value, timeout=timeout))

    async def set_session_timeout(
        self, session_timeout: int, *, timeout: float | None = None
    ) -> int:
        """Set the global session timeout in seconds (0 disables it); return it."""
        return await self._set_number("set_session_timeout", session_timeout, timeout=timeout)

    async def set_log_level(self, log_level: int, *, timeout: float | None = None) -> int:
        """Set the log level (0 none to 7 huge); return it."""
        return await self._set_number("set_log_level", log_level, high=7, timeout=timeout)

    async def set_log_timestamps(
        self, log_timestamps: bool, *, timeout: float | None = None
    ) -> bool:
        """Turn timestamps in log lines on or off; return the new setting."""
        return await self._set_flag("set_log_timestamps", log_timestamps, timeout=timeout)

    async def set_log_colors(self, log_colors: bool, *, timeout: float | None = None) -> bool:
        """Turn colours in log lines on or off; return the new setting."""
        return await self._set_flag("set_log_colors", log_colors, timeout=timeout)

    async def set_locking_debug(self, locking_debug: bool, *, timeout: float | None = None) -> bool:
        """Turn live lock debugging on or off; return the new setting."""
        return await self._set_flag("set_locking_debug", locking_debug, timeout=timeout)

    async def set_refcount_debug(
        self, refcount_debug: bool, *, timeout: float | None = None
    ) -> bool:
        """Turn live reference counter debugging on or off; return the new setting."""
        return await self._set_flag("set_refcount_debug", refcount_debug, timeout=timeout)

    async def set_libnice_debug(self, libnice_debug: bool, *, timeout: float | None = None) -> bool:
        """Turn libnice debugging on or off; return the new setting."""
        return await self._set_flag("set_libnice_debug", libnice_debug, timeout=timeout)

    async def set_min_nack_queue(self, min_nack_queue: int, *, timeout: float | None = None) -> int:
        """Set the minimum NACK queue window in milliseconds; return it."""
        return await self._set_number("set_min_nack_queue", min_nack_queue, timeout=timeout)

    async def set_no_media_timer(self, no_media_timer: int, *, timeout: float | None = None) -> int:
        """Set the seconds without media before a ``media`` event reports it; return it."""
        return await self._set_number("set_no_media_timer", no_media_timer, timeout=timeout)

    async def set_slowlink_threshold(
        self, slowlink_threshold: int, *, timeout: float | None = None
    ) -> int:
        """Set the NACKs per second that trigger ``slowlink`` (0 disables); return it."""
        return await self._set_number(
            "set_slowlink_threshold", slowlink_threshold, timeout=timeout
        )

    async def set_nack_optimizations(
        self, nack_optimizations: bool, *, timeout: float | None = None
    ) -> bool:
        """Turn the NACK optimizations on or off; return the new setting.

        With them on, Janus does not retransmit a packet it retransmitted very
        recently (``media.nack_optimizations`` in ``janus.jcfg``). The request is
        missing from 1.1.2's HTML documentation; the current value is also in
        `info` and `get_status` as ``nack-optimizations``.

        Args:
            nack_optimizations: Whether to enable them.
            timeout: Deadline in seconds.
        """
        return await self._set_flag("set_nack_optimizations", nack_optimizations, timeout=timeout)

    # ------------------------------------------------------------------ tokens
    async def add_token(
        self,
        token: str | None = None,
        plugins: Iterable[str] | None = None,
        *,
        timeout: float | None = None,
    ) -> str:
        """Add a stored token (the server needs ``token_auth``).

        Args:
            token: The token; a random one is made when None.
            plugins: The plugins it may attach to; none or empty means all of them.
                Janus silently leaves out unknown plugin names.
            timeout: Deadline in seconds.

        Returns:
            The token.

        Raises:
            UnknownJanusError: Stored-token authentication is disabled (490).
        """
        token = uuid.uuid4().hex if token is None else check_str("token", token)
        names = check_plugins("plugins", plugins if plugins is not None else [], allow_empty=True)
        await self._call("add_token", {"token": token, "plugins": names or None}, timeout=timeout)
        return token

    async def allow_token(
        self, token: str, plugins: Iterable[str], *, timeout: float | None = None
    ) -> list[str]:
        """Let a stored token attach to more plugins; return all the plugins it may use.

        Raises:
            ValueError: ``plugins`` is empty.
            TokenNotFoundError: No such token (470).
        """
        return await self._token_plugins("allow_token", token, plugins, timeout)

    async def disallow_token(
        self, token: str, plugins: Iterable[str], *, timeout: float | None = None
    ) -> list[str]:
        """Stop a stored token from attaching to plugins; return the plugins it may still use.

        Raises:
            ValueError: ``plugins`` is empty.
            TokenNotFoundError: No such token (470).
        """
        return await self._token_plugins("disallow_token", token, plugins, timeout)

    async def _token_plugins(
        self, request: str, token: str, plugins: Iterable[str], timeout: float | None
    ) -> list[str]:
        check_str("token", token)
        names = check_plugins("plugins", plugins, allow_empty=False)
        body = await self._call(request, {"token": token, "plugins": names}, timeout=timeout)
        return [p for p in data_list(body, "plugins", request) if isinstance(p, str)]

    async def list_tokens(self, *, timeout: float | None = None) -> list[dict[str, Any]]:
        """Return the stored tokens, each as ``{"token": ..., "allowed_plugins": [...]}``.

        Raises:
            UnknownJanusError: Stored-token authentication is disabled (490).
        """
        body = await self._call("list_tokens", {}, timeout=timeout)
        return [dict(t) for t in data_list(body, "tokens", "list_tokens") if isinstance(t, Mapping)]

    async def remove_token(self, token: str, *, timeout: float | None = None) -> bool:
        """Remove a stored token; return True.

        Raises:
            UnknownJanusError: No such token: Janus answers 490, not 470.
        """
        check_str("token", token)
        await self._call("remove_token", {"token": token}, timeout=timeout)
        return True

    # ---------------------------------------------------------------- sessions
    async def accept_new_sessions(self, accept: bool, *, timeout: float | None = None) -> bool:
        """Make Janus accept new sessions or refuse them (472); return the setting."""
        check_bool("accept", accept)
        body = await self._call("accept_new_sessions", {"accept": accept}, timeout=timeout)
        return body.get("accept", accept) is True

    async def list_sessions(self, *, timeout: float | None = None) -> list[int]:
        """Return the ids of the sessions alive on the server."""
        body = await self._call("list_sessions", {}, timeout=timeout)
        return id_list(body, "sessions", "list_sessions")

    async def destroy_session(self, session_id: int, *, timeout: float | None = None) -> None:
        """Destroy a session, as its owner's ``destroy`` would.

        Janus does not tell the session's client: it finds out on its next
        request or keepalive (`SessionNotFoundError`).

        Raises:
            SessionNotFoundError: No such session (458).
        """
        check_id("session_id", session_id)
        await self._call("destroy_session", {}, session_id=session_id, timeout=timeout)

    async def list_handles(self, session_id: int, *, timeout: float | None = None) -> list[int]:
        """Return the ids of a session's handles.

        Raises:
            SessionNotFoundError: No such session (458).
        """
        check_id("session_id", session_id)
        body = await self._call("list_handles", {}, session_id=session_id, timeout=timeout)
        return id_list(body, "handles", "list_handles")

    # ----------------------------------------------------------------- handles
    async def handle_info(
        self,
        session_id: int,
        handle_id: int,
        *,
        plugin_only: bool = False,
        timeout: float | None = None,
    ) -> HandleInfo:
        """Return a snapshot of a handle: plugin state and WebRTC (ICE, DTLS, media).

        Args:
            session_id: The session.
            handle_id: The handle.
            plugin_only: Only the plugin's information, without the WebRTC details.
            timeout: Deadline in seconds.

        Raises:
            SessionNotFoundError: No such session (458).
            HandleNotFoundError: No such handle (459).
        """
        check_id("session_id", session_id)
        check_id("handle_id", handle_id)
        check_bool("plugin_only", plugin_only)
        body = await self._call(
            "handle_info",
            {"plugin_only": True if plugin_only else None},
            session_id=session_id,
            handle_id=handle_id,
            timeout=timeout,
        )
        info = as_dict(expect(body, "info", "handle_info"))
        return HandleInfo.from_json(info, session_id, handle_id)

    async def snapshot(
        self,
        *,
        plugin_only: bool = False,
        concurrency: int = 8,
        timeout: float | None = None,
    ) -> AdminSnapshot:
        """Walk the whole server once: sessions → handles → `handle_info` of each.

        Sessions and handles that go away during the walk (458/459) are not
        errors: they are listed in the snapshot's ``vanished_sessions`` and
        ``vanished_handles``.

        Args:
            plugin_only: Ask each ``handle_info`` for the plugin's view only.
            concurrency: At most this many requests in flight at once.
            timeout: Deadline of each request, in seconds.

        Returns:
            An `AdminSnapshot`.

        Raises:
            ServerError: A request failed for another reason (for example
                `UnauthorizedError`).
        """
        check_bool("plugin_only", plugin_only)
        return await take_snapshot(
            self, plugin_only=plugin_only, concurrency=concurrency, timeout=timeout
        )

    def watch(
        self,
        interval: float = 5.0,
        *,
        plugin_only: bool = False,
        concurrency: int = 8,
        timeout: float | None = None,
    ) -> AsyncIterator[AdminSnapshot]:
        """Return an async iterator of `snapshot` results, one every ``interval`` seconds.

        The first snapshot comes at once; the interval runs from the end of a walk
        to the start of the next. Arguments are checked here, before anything is
        sent.

        Examples:
            ```python
            async with contextlib.aclosing(admin.watch(2.0)) as snapshots:
                async for snap in snapshots:
                    print(len(snap.sessions), "sessions")
            ```

        Args:
            interval: Seconds between two walks.
            plugin_only: See `snapshot`.
            concurrency: See `snapshot`.
            timeout: See `snapshot`.
        """
        check_bool("plugin_only", plugin_only)
        check_interval(interval)
        check_concurrency(concurrency)
        return watch_snapshots(
            self, interval, plugin_only=plugin_only, concurrency=concurrency, timeout=timeout
        )

    async def _capture(
        self,
        request: str,
        session_id: int,
        handle_id: int,
        folder: str | None,
        filename: str | None,
        truncate: int | None,
        timeout: float | None,
    ) -> None:
        check_id("session_id", session_id)
        check_id("handle_id", handle_id)
        if folder is not None:
            check_str("folder", folder)
        if filename is not None:
            check_str("filename", filename)
        if truncate is not None:
            check_int("truncate", truncate)
        await self._call(
            request,
            {"folder": folder, "filename": filename, "truncate": truncate},
            session_id=session_id,
            handle_id=handle_id,
            timeout=timeout,
        )

    async def start_pcap(
        self,
        session_id: int,
        handle_id: int,
        *,
        folder: str | None = None,
        filename: str | None = None,
        truncate: int | None = None,
        timeout: float | None = None,
    ) -> None:
        """Dump the handle's unencrypted RTP/RTCP to a pcap file on the server.

        Args:
            session_id: The session.
            handle_id: The handle.
            folder: Folder on the server (Janus creates it; default: its current folder).
            filename: File name (default: a random one); `HandleInfo.dump_file`
                tells the full path.
            truncate: Cut packets at this many bytes (0 or None: whole packets).
            timeout: Deadline in seconds.

        Raises:
            UnknownJanusError: A capture (pcap or text2pcap) already runs (490).
        """
        await self._capture(
            "start_pcap", session_id, handle_id, folder, filename, truncate, timeout
        )

    async def stop_pcap(
        self, session_id: int, handle_id: int, *, timeout: float | None = None
    ) -> None:
        """Stop the handle's pcap dump.

        Raises:
            UnknownJanusError: No capture runs (490).
        """
        await self._capture("stop_pcap", session_id, handle_id, None, None, None, timeout)

    async def start_text2pcap(
        self,
        session_id: int,
        handle_id: int,
        *,
        folder: str | None = None,
        filename: str | None = None,
        truncate: int | None = None,
        timeout: float | None = None,
    ) -> None:
        """Dump the handle's RTP/RTCP as text for ``text2pcap`` (see `start_pcap`).

        A handle has one capture at a time, pcap or text2pcap.
        """
        await self._capture(
            "start_text2pcap", session_id, handle_id, folder, filename, truncate, timeout
        )

    async def stop_text2pcap(
        self, session_id: int, handle_id: int, *, timeout: float | None = None
    ) -> None:
        """Stop the handle's text2pcap dump.

        Raises:
            UnknownJanusError: No capture runs (490).
        """
        await self._capture("stop_text2pcap", session_id, handle_id, None, None, None, timeout)

    async def hangup_webrtc(
        self, session_id: int, handle_id: int, *, timeout: float | None = None
    ) -> None:
        """Close a handle's PeerConnection; its client gets a ``hangup`` (reason "Admin API")."""
        check_id("session_id", session_id)
        check_id("handle_id", handle_id)
        await self._call(
            "hangup_webrtc", {}, session_id=session_id, handle_id=handle_id, timeout=timeout
        )

    async def detach_handle(
        self, session_id: int, handle_id: int, *, timeout: float | None = None
    ) -> None:
        """Detach a handle from its plugin; its client gets a ``detached`` event."""
        check_id("session_id", session_id)
        check_id("handle_id", handle_id)
        await self._call(
            "detach_handle", {}, session_id=session_id, handle_id=handle_id, timeout=timeout
        )

    # --------------------------------------------------- plugins and transports
    async def message_plugin(
        self,
        plugin: str,
        request: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a synchronous request to a plugin, outside any session or handle.

        Args:
            plugin: The plugin package (``"janus.plugin.videoroom"``).
            request: The plugin request (``{"request": "list"}``).
            timeout: Deadline in seconds.

        Returns:
            The plugin's response.

        Raises:
            PluginNotFoundError: No such plugin (460).
            PluginError: The plugin answered with an error of its own.
        """
        return await self._query("message_plugin", "plugin", plugin, request, timeout=timeout)

    async def query_transport(
        self,
        transport: str,
        request: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a request to a transport plugin (``{"request": "connections"}``, ...).

        Raises:
            PluginNotFoundError: No such transport (460).
            PluginError: The transport answered with an error of its own.
        """
        return await self._query(
            "query_transport", "transport", transport, request, timeout=timeout
        )

    async def query_eventhandler(
        self,
        handler: str,
        request: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a request to an event handler plugin.

        Raises:
            PluginNotFoundError: No such event handler loaded, or event handlers
                are disabled (460).
            PluginError: The event handler answered with an error of its own.
        """
        return await self._query("query_eventhandler", "handler", handler, request, timeout=timeout)

    async def query_logger(
        self,
        logger: str,
        request: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a request to a logger plugin (``query_logger``).

        The request is missing from 1.1.2's HTML documentation. Janus' own JSON
        logger (``janus.logger.jsonlog``) answers ``{"request": "info"}`` with
        ``{"result": 200}``.

        Args:
            logger: The logger's package name, e.g. ``"janus.logger.jsonlog"``.
            request: The request for the logger (None: an empty one).
            timeout: Deadline in seconds.

        Returns:
            The logger's response object.

        Raises:
            PluginNotFoundError: No such logger loaded (460, "Invalid logger").
            UnknownJanusError: The logger takes no queries (490).
            PluginError: The logger answered with an error of its own.
        """
        return await self._query("query_logger", "logger", logger, request, timeout=timeout)

    async def _query(
        self,
        request_name: str,
        target_field: str,
        target: str,
        request: Mapping[str, Any] | None,
        *,
        timeout: float | None,
    ) -> dict[str, Any]:
        """Send a plugin/transport/event handler/logger request; return its response."""
        check_str(target_field, target)
        body = await self._call(
            request_name,
            {target_field: target, "request": check_mapping("request", request)},
            timeout=timeout,
        )
        return self._response(body, request_name, target, request)

    @staticmethod
    def _response(
        body: dict[str, Any], what: str, target: str, request: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        response = as_dict(body.get("response"))
        name = request.get("request") if request is not None else None
        err = plugin_error(target, response, request=name if isinstance(name, str) else what)
        if err is not None:
            raise err
        return response

    async def custom_event(
        self, schema: str, data: Mapping[str, Any], *, timeout: float | None = None
    ) -> None:
        """Push a custom event to the event handlers (accepted even when none is enabled).

        Args:
            schema: The event's schema name, for the handlers.
            data: The event's content.
            timeout: Deadline in seconds.
        """
        check_str("schema", schema)
        if not isinstance(data, Mapping):
            raise TypeError(f"data must be a dict, got {type(data).__name__}")
        await self._call("custom_event", {"schema": schema, "data": dict(data)}, timeout=timeout)

    async def custom_logline(
        self, line: str, level: int | None = None, *, timeout: float | None = None
    ) -> None:
        """Write a line into Janus' log, at ``level`` (0 to 7; Janus' default is 4, info)."""
        check_str("line", line)
        if level is not None:
            check_int("level", level, 0, 7)
        await self._call("custom_logline", {"line": line, "level": level}, timeout=timeout)

    # ----------------------------------------------------------------- helpers
    async def resolve_address(
        self, address: str, *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Ask Janus to resolve a host name.

        Returns:
            The reply's fields: ``ip`` (the address found) and ``elapsed`` (how
            long it took, in microseconds).
        """
        check_str("address", address)
        body = await self._call("resolve_address", {"address": address}, timeout=timeout)
        return {k: v for k, v in body.items() if k not in ("janus", "transaction")}

    async def test_stun(
        self,
        address: str,
        port: int,
        *,
        localport: int | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Ask Janus to send a STUN binding request to a server.

        Janus waits up to about 5 seconds for the answer.

        Args:
            address: The STUN server's address.
            port: Its UDP port.
            localport: The local UDP port Janus sends from (default: any).
            timeout: Deadline in seconds.

        Returns:
            The reply's fields: ``public_ip``, ``public_port`` (the mapped address
            the server saw) and ``elapsed`` (microseconds).

        Raises:
            UnknownJanusError: No answer, or an unusable one (490).
        """
        check_str("address", address)
        check_int("port", port, 1, 65535)
        if localport is not None:
            check_int("localport", localport, 1, 65535)
        body = await self._call(
            "test_stun", {"address": address, "port": port, "localport": localport}, timeout=timeout
        )
        return {k: v for k, v in body.items() if k not in ("janus", "transaction")}
