"""Long-poll hammer: how often the HTTP transport polls a server that refuses at once.

A local aiohttp server answers every ``GET /janus/<session>`` immediately with a
given status and body (as Janus 1.1.2 does with 403 after a token is revoked and
404 after a restart). For each case the script counts, at the server, the polls
made in a fixed window and prints them with the most the ``ReconnectPolicy``
allows in that window, and whether and how the session ended.

Run: ``python experiments/longpoll_hammer.py [--window 2.0]``. No Janus needed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
from typing import Any

from aiohttp import web

from janus_client import JanusSession, ReconnectPolicy

SID = 777
CASES = [(403, b""), (404, b""), (500, b""), (200, b"not json"), (200, b"")]


async def run_case(status: int, body: bytes, window: float, policy: ReconnectPolicy) -> str:
    polls = 0

    async def info(request: web.Request) -> web.Response:
        return web.json_response({"janus": "server_info"})

    async def post(request: web.Request) -> web.Response:
        msg: dict[str, Any] = await request.json()
        reply: dict[str, Any] = {"janus": "success", "transaction": msg.get("transaction")}
        if msg.get("janus") == "create":
            reply["data"] = {"id": SID}
        return web.json_response(reply)

    async def poll(request: web.Request) -> web.Response:
        nonlocal polls
        polls += 1
        return web.Response(status=status, body=body)

    app = web.Application()
    app.router.add_get("/janus/info", info)
    app.router.add_post("/janus", post)
    app.router.add_post("/janus/{sid}", post)
    app.router.add_get("/janus/{sid}", poll)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        session = JanusSession(f"http://127.0.0.1:{port}/janus", reconnect=policy)
        await session.create()
        session.events()  # start the long-poll
        await asyncio.sleep(window)
        state = session.state.value
        cause = type(session.lost_reason.__cause__).__name__ if session.lost_reason else "-"
        await session.destroy()
    finally:
        await runner.cleanup()
    allowed = 1
    total = 0.0
    for delay in dataclasses.replace(policy, jitter=0.0).delays():
        total += delay * (1 - policy.jitter)  # the shortest each jittered delay can be
        if total > min(window, policy.deadline):
            break
        allowed += 1
    return (
        f"HTTP {status} {body[:10]!r:14} polls={polls:6d} ({polls / window:8.1f}/s)  "
        f"policy allows <= {allowed:3d}  ratio={polls / allowed:7.2f}  state={state} cause={cause}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--window", type=float, default=2.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    policy = ReconnectPolicy(attempts=None, initial_delay=0.05, max_delay=0.2, deadline=60.0)
    for status, body in CASES:
        print(await run_case(status, body, args.window, policy))


if __name__ == "__main__":
    asyncio.run(main())
