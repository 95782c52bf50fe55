"""The cluster client's exceptions (all are `JanusError`)."""

from __future__ import annotations

from ..errors import JanusError, TransportError

__all__ = ["CircuitOpenError", "ClusterError", "NoServerAvailableError"]


class ClusterError(JanusError):
    """Root of the cluster client's own errors."""


class CircuitOpenError(ClusterError, TransportError):
    """A call to a server whose circuit breaker is open failed fast, unsent.

    The server failed its health checks (or its connection dropped) too often;
    the cluster probes it again after a back-off and closes the breaker when it
    answers. It is also a `TransportError`, so code that handles a server being
    unreachable handles this too.

    Attributes:
        url: The server's URL (password masked).
    """


class NoServerAvailableError(ClusterError):
    """No server of the cluster can take a new session.

    Every server is draining, has an open breaker, or refused the session.
    The message lists each server's state.
    """
