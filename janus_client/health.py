"""Health checks: is a Janus server reachable, how fast does it answer, what is it.

`check_health` takes a URL (Janus API, or Admin API with ``admin_secret``);
`JanusSession.health` checks the server behind an open session. Both return
a `HealthResult` and never raise for a server that is down: that is a result.
``janus-client health URL`` wraps `check_health` with exit codes for probes
(see `HealthResult.exit_code`: 0 healthy, 1 unhealthy, 3 unreachable, 4
credentials refused, the same numbers as the other commands).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._compat import deadline
from .admin import JanusAdminMonitorClient, ServerInfo
from .config import Timeouts
from .errors import JanusError, ServerError, TransportError

if TYPE_CHECKING:
    from .session import JanusSession

__all__ = [
    "EXIT_HEALTHY",
    "EXIT_REFUSED",
    "EXIT_UNHEALTHY",
    "EXIT_UNREACHABLE",
    "HealthResult",
    "check_health",
    "session_health",
]

# The same numbers as the other janus-client commands (janus_client.cli).
#: Exit code: the server answered and is healthy.
EXIT_HEALTHY = 0
#: Exit code: the server answered but is not healthy (an error reply, or it
#: does not accept new sessions).
EXIT_UNHEALTHY = 1
#: Exit code: the server could not be reached (connection refused, timeout).
EXIT_UNREACHABLE = 3
#: Exit code: the server refused the credentials (api/admin secret, token).
EXIT_REFUSED = 4

_REFUSED_CODES = frozenset({403, 405})  # unauthorized, unauthorized plugin


@dataclass(frozen=True)
class HealthResult:
    """The outcome of one health check.

    Attributes:
        url: The URL checked.
        reachable: Whether the server answered at all.
        healthy: Whether it answered correctly and accepts new sessions.
        latency: Seconds for the ``info`` round trip (None if unreachable).
        server: The server's `ServerInfo` (None if unreachable).
        sessions: Sessions alive on the server (from the Admin API's
            ``list_sessions``; None without admin access).
        error: Why it is not healthy (None when healthy); never holds a secret.
        error_code: Janus' error code when the server answered with an error.
        checked_at: Wall-clock time of the check (``time.time()``).
    """

    url: str
    reachable: bool
    healthy: bool
    latency: float | None = None
    server: ServerInfo | None = field(default=None, repr=False)
    sessions: int | None = None
    error: str | None = None
    error_code: int | None = None
    checked_at: float = field(default_factory=time.time)

    @property
    def exit_code(self) -> int:
        """0 healthy, 1 unhealthy, 3 unreachable, 4 credentials refused (2: usage)."""
        if self.healthy:
            return EXIT_HEALTHY
        if not self.reachable:
            return EXIT_UNREACHABLE
        if self.error_code in _REFUSED_CODES:
            return EXIT_REFUSED
        return EXIT_UNHEALTHY

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready summary (what ``janus-client health --json`` prints)."""
        server = self.server
        return {
            "url": self.url,
            "reachable": self.reachable,
            "healthy": self.healthy,
            "latency_ms": None if self.latency is None else round(self.latency * 1000, 3),
            "server": None
            if server is None
            else {
                "name": server.name,
                "version": server.version_string,
                "server_name": server.server_name,
                "accepting_new_sessions": server.accepting_new_sessions,
                "plugins": sorted(server.plugins),
                "transports": sorted(server.transports),
                "event_handlers": server.event_handlers,
            },
            "sessions": self.sessions,
            "error": self.error,
            "error_code": self.error_code,
            "exit_code": self.exit_code,
            "checked_at": self.checked_at,
        }


def _answered_with_error(url: str, latency: float, exc: ServerError) -> HealthResult:
    """Janus answered ``info`` with an error: reachable, but not healthy."""
    return HealthResult(
        url=url,
        reachable=True,
        healthy=False,
        latency=latency,
        error=_describe(exc),
        error_code=exc.code,
    )


def _judge(
    url: str,
    latency: float,
    info: ServerInfo,
    sessions: int | None,
    error: str | None,
    code: int | None = None,
) -> HealthResult:
    if error is None and not info.accepting_new_sessions:
        error = "the server does not accept new sessions"
    return HealthResult(
        url=url,
        reachable=True,
        healthy=error is None,
        latency=latency,
        server=info,
        sessions=sessions,
        error=error,
        error_code=code,
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ServerError):
        return f"server error {exc.code}: {exc.reason}"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    return f"{type(exc).__name__}: {exc}"


async def check_health(
    url: str,
    *,
    admin_secret: str | None = None,
    admin_url: str | None = None,
    api_secret: str | None = None,
    token: str | None = None,
    timeout: float = 5.0,
) -> HealthResult:
    """Check a Janus server: reachable, ``info`` latency, server info, sessions.

    Without ``admin_secret`` it sends ``info`` to ``url`` over the Janus API
    (no session is created). With ``admin_secret`` it also counts the
    sessions with the Admin API's ``list_sessions`` at ``admin_url`` (by
    default ``url`` itself, which must then be the admin endpoint, e.g.
    ``http://host:7088/admin``).

    Args:
        url: Janus API (``ws://host:8188``, ``http://host:8088/janus``) or
            Admin API endpoint.
        admin_secret: The ``admin_secret`` for the session count.
        admin_url: The Admin API endpoint when it differs from ``url``.
        api_secret: The ``apisecret``, if the Janus API needs one.
        token: A token, if the Janus API needs one.
        timeout: Seconds for the whole check.

    Returns:
        The `HealthResult` (also when the server is down).

    """
    timeouts = Timeouts(connect=timeout, request=timeout, close=min(timeout, 2.0))
    try:
        async with deadline(timeout):
            return await _check(url, admin_secret, admin_url, api_secret, token, timeouts)
    except (JanusError, OSError, TimeoutError) as exc:
        return HealthResult(url=url, reachable=False, healthy=False, error=_describe(exc))


async def _check(
    url: str,
    admin_secret: str | None,
    admin_url: str | None,
    api_secret: str | None,
    token: str | None,
    timeouts: Timeouts,
) -> HealthResult:
    loop = asyncio.get_running_loop()
    if admin_secret is not None and admin_url is None:
        async with JanusAdminMonitorClient(url, admin_secret, timeouts=timeouts) as admin:
            start = loop.time()
            info = await admin.info()
            latency = loop.time() - start
            sessions: int | None = None
            error: str | None = None
            code: int | None = None
            try:
                sessions = len(await admin.list_sessions())
            except ServerError as exc:
                error, code = _describe(exc), exc.code
        return _judge(url, latency, info, sessions, error, code)

    from .session import JanusSession

    # Not entered: ``info`` needs no session, and a probe must not create one.
    session = JanusSession(url, api_secret=api_secret, token=token, timeouts=timeouts)
    try:
        start = loop.time()
        try:
            raw = await session.info()
        except ServerError as exc:
            return _answered_with_error(url, loop.time() - start, exc)
        latency = loop.time() - start
    finally:
        await asyncio.shield(session.destroy())
    info = ServerInfo.from_json(raw)
    sessions = None
    error = None
    code = None
    if admin_secret is not None and admin_url is not None:
        try:
            async with JanusAdminMonitorClient(admin_url, admin_secret, timeouts=timeouts) as admin:
                sessions = len(await admin.list_sessions())
        except ServerError as exc:
            error, code = f"admin: {_describe(exc)}", exc.code
        except (TransportError, OSError, TimeoutError) as exc:
            error = f"admin unreachable: {_describe(exc)}"
    return _judge(url, latency, info, sessions, error, code)


async def session_health(session: JanusSession, *, timeout: float | None = None) -> HealthResult:
    """Check the server behind ``session`` (what `JanusSession.health` does).

    Args:
        session: An open (or not yet created) session.
        timeout: Seconds for the ``info`` request (default: the transport's).

    Returns:
        The `HealthResult`; ``sessions`` is None (the Janus API cannot count them).

    """
    url = session.transport.base_url
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        raw = await session.info(timeout=timeout)
    except ServerError as exc:
        return _answered_with_error(url, loop.time() - start, exc)
    except (JanusError, OSError, TimeoutError) as exc:
        return HealthResult(url=url, reachable=False, healthy=False, error=_describe(exc))
    latency = loop.time() - start
    return _judge(url, latency, ServerInfo.from_json(raw), None, None)
