"""Serving an aiohttp application on a loopback port (internal; observe and testing use it)."""

from __future__ import annotations

from aiohttp import web

__all__ = ["serve_app"]


async def serve_app(
    app: web.Application, host: str, port: int, *, shutdown_timeout: float = 60.0
) -> tuple[web.AppRunner, int]:
    """Start ``app`` on ``host:port`` (port 0: a free one) from the running loop.

    Args:
        app: The application.
        host: The address to listen on.
        port: The port (0: a free one).
        shutdown_timeout: How long ``cleanup()`` lets running handlers finish.

    Returns:
        The runner (``await runner.cleanup()`` stops it) and the port bound.
    """
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=shutdown_timeout
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    addresses = runner.addresses
    return runner, int(addresses[0][1]) if addresses else port
