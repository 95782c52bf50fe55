"""`SessionLink`: the declared seam between a transport and the sessions on it.

A transport never reaches into a session's internals: everything it needs from
a session, and everything it tells one, goes through these few methods (in the
manner of asyncio's ``Protocol.connection_lost`` and aio-pika's ``restore``).
`janus_client.JanusSession` implements it; so can a test double.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..events import ConnectionState
    from ..protocol import Incoming

__all__ = ["SessionLink"]


class SessionLink(Protocol):
    """What a transport may ask of, and tell, a session that lives on it."""

    def __hash__(self) -> int:
        """Sessions own pending calls, keyed by identity."""

    @property
    def session_id(self) -> int | None:
        """The session's id on the server (None before it exists)."""

    @property
    def closed(self) -> bool:
        """Whether the session is closing, closed or lost (no keepalives then)."""

    def credentials(self) -> dict[str, str]:
        """The ``apisecret`` / ``token`` fields to stamp on requests sent for it."""

    def deliver(self, incoming: Incoming) -> None:
        """An incoming message of this session that no pending call consumed."""

    def connection_state_changed(
        self, state: ConnectionState, *, attempt: int = 0, error: str | None = None
    ) -> None:
        """The connection (or this session's keepalive) changed state."""

    def connection_lost(self, exc: BaseException) -> None:
        """The line is gone for good, or Janus forgot the session: it is lost."""

    def keepalive_failed(self, exc: BaseException) -> None:
        """A keepalive of this session failed with ``exc`` (it may be lost)."""

    async def restore(self, *, attempt: int, timeout: float) -> bool:
        """After a reconnect: take the session over again on the new connection.

        The session sends its own ``claim``. Returns False when it could not be
        restored (it has then reported itself lost).
        """
