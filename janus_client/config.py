"""Frozen option objects: deadlines and other settings shared by sessions and transports."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Timeouts"]


@dataclass(frozen=True)
class Timeouts:
    """Deadlines, in seconds, applied to every network operation.

    Each call that goes to Janus has one deadline covering the whole exchange (for an
    asynchronous plugin request: the ``ack`` and the ``event``). Most methods take a
    ``timeout=`` keyword that overrides `request` for that call.

    Attributes:
        connect: Opening the connection (TCP, TLS and WebSocket handshake).
        request: One request, from sending it to its complete reply.
        close: Closing: detaching handles, destroying the session, closing the socket.
            Closing never waits longer than this, and always releases local state.
        keepalive: Interval between keepalives sent for each session. Keep it below
            the server's ``session_timeout`` (60 s by default).
        long_poll: The HTTP long-poll request's own deadline. Janus answers an idle
            poll after about 30 s, so it must be larger than that.
    """

    connect: float = 10.0
    request: float = 15.0
    close: float = 5.0
    keepalive: float = 25.0
    long_poll: float = 45.0

    def __post_init__(self) -> None:
        for name in ("connect", "request", "close", "keepalive", "long_poll"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or value <= 0
            ):
                raise ValueError(
                    f"Timeouts.{name} must be a positive number of seconds, got {value!r}"
                )
