"""The connection half of `JanusAdminMonitorClient`: transport, lifecycle, raw requests."""

from __future__ import annotations

import logging
import ssl as _ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..config import Timeouts
from ..errors import InvalidStateError, ServerError
from ..protocol import build_request, url_without_password
from ..transports.base import JanusTransport
from ..transports.websocket import JanusTransportWebsocket
from ._util import check_id, check_str

logger = logging.getLogger("janus_client")

#: The WebSocket subprotocol of the Admin API.
ADMIN_SUBPROTOCOL = "janus-admin-protocol"
# Broker transports, whose default topics / queues differ for the Admin API.
_BROKER_SCHEMES = ("mqtt", "mqtts", "amqp", "amqps")

# Requests Janus answers without the admin secret.
_PUBLIC = frozenset({"info", "ping"})

# Hints that fit the Admin API better than the Janus API ones of `errors`.
_ADMIN_HINTS: dict[int, str] = {
    403: "pass the server's admin_secret to JanusAdminMonitorClient",
    458: "no such session on the server: it was destroyed or expired",
    459: "no such handle in this session: it was detached",
}


class AdminConnection:
    """The connection to an admin endpoint; `JanusAdminMonitorClient` adds the requests.

    See `JanusAdminMonitorClient` for the arguments.
    """

    def __init__(
        self,
        base_url: str | None,
        admin_secret: str | None,
        api_secret: str | None = None,
        token: str | None = None,
        *,
        transport: JanusTransport | None = None,
        timeouts: Timeouts | None = None,
        ssl: _ssl.SSLContext | None = None,
    ) -> None:
        for name, value in (
            ("admin_secret", admin_secret),
            ("api_secret", api_secret),
            ("token", token),
        ):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a string or None, got {type(value).__name__}")
        if timeouts is not None and not isinstance(timeouts, Timeouts):
            raise TypeError(f"timeouts must be a Timeouts instance, got {type(timeouts).__name__}")
        self.admin_secret = admin_secret
        self.api_secret = api_secret
        self.token = token
        self._timeouts = timeouts
        self._ssl = ssl
        if transport is None:
            if base_url is None:
                raise ValueError("JanusAdminMonitorClient needs a base_url or a transport")
            self.base_url = base_url
            self._transport = self._new_transport()
            self._owns_transport = True
        else:
            if not isinstance(transport, JanusTransport):
                raise TypeError(
                    f"transport must be a JanusTransport, got {type(transport).__name__}"
                )
            if (
                isinstance(transport, JanusTransportWebsocket)
                and transport.subprotocol != ADMIN_SUBPROTOCOL
            ):
                raise ValueError(
                    f"the Admin API over WebSocket needs subprotocol {ADMIN_SUBPROTOCOL!r}, "
                    f"the transport uses {transport.subprotocol!r}"
                )
            self.base_url = transport.base_url
            self._transport = transport
            self._owns_transport = False
        self._closed = False

    def _new_transport(self) -> JanusTransport:
        kwargs: dict[str, Any] = {"timeouts": self._timeouts, "ssl": self._ssl}
        if urlsplit(self.base_url).scheme.lower() in JanusTransportWebsocket.schemes:
            kwargs["subprotocol"] = ADMIN_SUBPROTOCOL
        elif urlsplit(self.base_url).scheme.lower() in _BROKER_SCHEMES:
            kwargs["admin"] = True  # the admin topics / queues by default
        return JanusTransport.create_transport(self.base_url, self.api_secret, self.token, **kwargs)

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self.connected else "idle")
        return f"<JanusAdminMonitorClient {url_without_password(self.base_url)} {state}>"

    # -------------------------------------------------------------- lifecycle
    @property
    def transport(self) -> JanusTransport:
        """The transport requests go through."""
        return self._transport

    @property
    def timeouts(self) -> Timeouts:
        """The deadlines in use."""
        return self._transport.timeouts

    @property
    def connected(self) -> bool:
        """Whether the connection to the admin endpoint is open."""
        return self._transport.connected

    async def connect(self) -> None:
        """Open the connection (requests also open it on first use).

        After `disconnect`, this opens a new connection.

        Raises:
            ConnectError: The admin endpoint cannot be reached.
        """
        if self._owns_transport and self._transport.closed:
            self._transport = self._new_transport()
        self._closed = False
        await self._transport.connect()
        logger.debug("admin client connected to %s", url_without_password(self.base_url))

    async def disconnect(self) -> None:
        """Close the connection (idempotent); `connect` opens a new one.

        A transport given to the constructor is left open.
        """
        self._closed = True
        if self._owns_transport:
            await self._transport.close()

    async def close(self) -> None:
        """Same as `disconnect`."""
        await self.disconnect()

    # ---------------------------------------------------------------- requests
    async def send(
        self,
        request: str,
        /,
        *,
        session_id: int | None = None,
        handle_id: int | None = None,
        timeout: float | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Send any Admin API request and return Janus' reply.

        The transaction and ``admin_secret`` are added. ``session_id`` (and
        ``handle_id``) address session- and handle-level requests; over HTTP
        they also choose the path (``/admin/<session>/<handle>``).

        Args:
            request: The request name (``"get_status"``, ...).
            session_id: The session the request is about.
            handle_id: The handle the request is about (needs ``session_id``).
            timeout: Deadline in seconds.
            **fields: The request's fields (None values are left out).

        Returns:
            The whole reply (``{"janus": "success", ...}``).

        Raises:
            ServerError: Janus answered with an error (typed by code).
            RequestTimeoutError: No reply in time.
            TransportError: The connection failed.
            InvalidStateError: The client was disconnected.
        """
        check_str("request", request)
        if session_id is not None:
            check_id("session_id", session_id)
        if handle_id is not None:
            check_id("handle_id", handle_id)
            if session_id is None:
                raise ValueError("handle_id needs session_id")
        return await self._call(
            request, fields, session_id=session_id, handle_id=handle_id, timeout=timeout
        )

    async def _call(
        self,
        request: str,
        fields: Mapping[str, Any],
        *,
        session_id: int | None = None,
        handle_id: int | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        if self._closed:
            raise InvalidStateError(
                f"cannot send {request!r}: the admin client was disconnected (call connect())"
            )
        transport = self._transport
        msg = build_request(
            request,
            transport.new_transaction(),
            session_id=session_id,
            handle_id=handle_id,
            **fields,
        )
        if self.admin_secret is not None and request not in _PUBLIC:
            msg["admin_secret"] = self.admin_secret
        try:
            reply = await transport.request(msg, owner=self, timeout=timeout)
        except ServerError as exc:
            hint = _ADMIN_HINTS.get(exc.code)
            if hint is None:
                raise
            raise type(exc)(
                exc.reason, code=exc.code, request=exc.request, url=exc.url, hint=hint
            ) from None
        return reply.body

    async def send_wrapper(
        self,
        message: dict[str, Any],
        matcher: dict[str, Any] | None = None,
        jsep: dict[str, Any] | None = None,
        timeout: float | None = 15,
        authorize: bool = True,
    ) -> dict[str, Any]:
        """Send a raw Admin API message; return the first reply matching ``matcher`` (0.9.x).

        As in 0.9.x an error reply is returned, not raised. New code uses `send`.

        Args:
            message: The request, with its ``janus`` field.
            matcher: A pattern (see `is_subset`) for the reply; error replies match too.
            jsep: Added to the message as ``jsep`` when given.
            timeout: Seconds to wait for the reply.
            authorize: Add the ``admin_secret``.
        """
        from ..message_transaction import is_subset

        if self._closed:
            raise InvalidStateError("send_wrapper: the admin client was disconnected")
        full = {**message, "jsep": jsep} if jsep else dict(message)
        if authorize and self.admin_secret is not None:
            full["admin_secret"] = self.admin_secret
        pattern = matcher or {}

        def accept(reply: dict[str, Any]) -> bool:
            return reply.get("janus") == "error" or is_subset(reply, pattern)

        transaction = await self._transport.send(full)
        try:
            return await transaction.get(accept, timeout=timeout)
        finally:
            await transaction.done()
