"""The fake's two transports: the WebSocket and the HTTP (REST and long-poll) endpoints.

Private to `janus_client.testing.fake`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import string
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web

from ._core import FakeCore
from ._model import (
    SUBPROTOCOL,
    FakeRequest,
    Pong,
    ReplyItem,
    WsConn,
    dumps,
    logger,
    positive_int,
)

_Serve = Callable[[Any, web.Request], Awaitable[web.StreamResponse]]


def _tracked(serve: _Serve) -> _Serve:
    """Keep the request in ``_http_inflight`` while it is served (``stop`` cancels those)."""

    @functools.wraps(serve)
    async def handler(self: Any, request: web.Request) -> web.StreamResponse:
        self._http_inflight[id(request)] = (request, asyncio.current_task())
        try:
            return await serve(self, request)
        finally:
            self._http_inflight.pop(id(request), None)

    return handler


class FakeWire(FakeCore):
    """The aiohttp handlers of the fake, over `FakeCore`'s state."""

    async def _handle_ws_root(self, request: web.Request) -> web.StreamResponse:
        if not is_upgrade(request):
            return web.Response(status=400, text="Expected a WebSocket upgrade\n")
        return await self._serve_ws(request)

    async def _handle_ws_janus(self, request: web.Request) -> web.StreamResponse:
        if not is_upgrade(request):
            return web.Response(status=404)  # a bare GET /janus: no session
        return await self._serve_ws(request)

    async def _serve_ws(self, request: web.Request) -> web.StreamResponse:
        offered = [
            p.strip()
            for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")
            if p.strip()
        ]
        if SUBPROTOCOL not in offered or self._stopping:
            logger.debug("refusing WebSocket upgrade with subprotocols %r", offered)
            return web.Response(
                status=400, text=f"The {SUBPROTOCOL!r} WebSocket subprotocol is required\n"
            )
        ws = web.WebSocketResponse(
            protocols=(SUBPROTOCOL,), autoping=False, compress=False, timeout=1.0
        )
        await ws.prepare(request)
        self._conn_counter += 1
        conn = WsConn(self._conn_counter, request, ws)
        conn.writer = self._spawn(self._run_writer(conn))
        self._conns.append(conn)
        logger.debug("%r opened", conn)
        try:
            while True:
                msg = await ws.receive()
                if msg.type is WSMsgType.TEXT:
                    self._on_ws_frame(conn, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    try:
                        text = msg.data.decode()
                    except UnicodeDecodeError:
                        conn.send(self._invalid_json("binary frame is not UTF-8"))
                    else:
                        self._on_ws_frame(conn, text)
                elif msg.type is WSMsgType.PING:
                    if not self._frozen:
                        conn.send(Pong(msg.data))
                elif msg.type is WSMsgType.PONG:
                    pass
                else:  # CLOSE, CLOSING, CLOSED, ERROR
                    break
        finally:
            await self._conn_gone(conn)
        return ws

    async def _conn_gone(self, conn: WsConn) -> None:
        conn.closed = True
        if conn in self._conns:
            self._conns.remove(conn)
        writer = conn.writer
        if writer is not None and writer is not asyncio.current_task():
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
        conn.discard_pending()
        loop = asyncio.get_running_loop()
        for sid, owner in list(self._owners.items()):
            if owner is conn:
                if self.reclaim_timeout and not self._stopping:
                    self._owners[sid] = None
                    self._orphaned[sid] = loop.time()
                else:
                    self._forget(sid)
        logger.debug("%r closed", conn)

    async def _run_writer(self, conn: WsConn) -> None:
        try:
            while True:
                item, fut = await conn.queue.get()
                try:
                    if await self._wait_thawed() and not conn.closed:
                        await conn.write(item)
                except (ConnectionError, RuntimeError) as exc:
                    logger.debug("%r: could not send: %r", conn, exc)
                finally:
                    if not fut.done():
                        fut.set_result(None)
        finally:
            conn.discard_pending()

    async def _close_conn(self, conn: WsConn, code: int, grace: float) -> None:
        try:
            await asyncio.wait_for(conn.ws.close(code=code), grace)
        except (asyncio.TimeoutError, ConnectionError, RuntimeError) as exc:
            logger.debug("%r: close did not complete: %r", conn, exc)
            transport = conn.request.transport
            if transport is not None:
                transport.abort()

    def _invalid_json(self, detail: str) -> dict[str, Any]:
        return {"janus": "error", "error": {"code": 454, "reason": f"JSON error: {detail}"}}

    def _on_ws_frame(self, conn: WsConn, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError as exc:
            reason = (
                f"on line {exc.lineno}: {exc.msg}"
                if isinstance(exc, json.JSONDecodeError)
                else str(exc)
            )
            conn.send(self._invalid_json(reason))
            return
        if not isinstance(message, dict):
            conn.send(
                {"janus": "error", "error": {"code": 455, "reason": "JSON error: not an object"}}
            )
            return
        req = FakeRequest(self._fake, message, "ws", text, conn)
        self._record(message)
        self._spawn(self._answer_ws(conn, req, self._frozen))

    async def _answer_ws(self, conn: WsConn, req: FakeRequest, frozen: bool) -> None:
        out = await self._process(req, frozen)
        if not out:
            return
        conn.send(out[0])
        for item in out[1:]:
            self._route(req.session_id, item, conn)

    # ------------------------------------------------------------------ HTTP

    @_tracked
    async def _handle_post(self, request: web.Request) -> web.StreamResponse:
        payload = await request.read()
        if not payload:
            return json_response(self._invalid_json("request payload missing"))
        try:
            text = payload.decode()
            message = json.loads(text)
        except UnicodeDecodeError:
            return json_response(self._invalid_json("payload is not UTF-8"))
        except json.JSONDecodeError as exc:
            return json_response(self._invalid_json(f"on line {exc.lineno}: {exc.msg}"))
        if not isinstance(message, dict):
            return json_response(
                {"janus": "error", "error": {"code": 455, "reason": "JSON error: not an object"}}
            )
        for name in ("session_id", "handle_id"):
            path_value = request.match_info.get(name)
            if path_value is None:
                continue
            from_path = int(path_value)
            in_body = positive_int(message.get(name))
            if in_body is not None and in_body != from_path:
                what = "session" if name == "session_id" else "handle"
                return json_response(
                    {
                        "janus": "error",
                        "error": {
                            "code": 457,
                            "reason": f"Conflicting {what} ID (payload and path)",
                        },
                    }
                )
            if in_body is None and from_path > 0:
                message[name] = from_path
        req = FakeRequest(self._fake, message, "http", text)
        self._record(message)
        return await self._answer_http(request, req)

    async def _answer_http(self, request: web.Request, req: FakeRequest) -> web.StreamResponse:
        out = await self._process(req, self._frozen)
        if not out:
            # Dropped: leave the request hanging until the client goes away,
            # the connection is aborted, or the fake stops.
            while not self._stopping and not gone(request):
                await self._wait_change(None)
            return web.Response(status=503)
        for item in out[1:]:
            self._route(req.session_id, item, None)
        return json_response(out[0])

    async def _handle_info_ping(self, request: web.Request) -> web.StreamResponse:
        if request.method != "GET":
            return web.Response(status=400)
        return await self._info_ping(request)

    @_tracked
    async def _info_ping(self, request: web.Request) -> web.StreamResponse:
        verb = request.path.rsplit("/", 1)[-1]
        transaction = "".join(self._rng.choices(string.ascii_letters + string.digits, k=12))
        message: dict[str, Any] = {"janus": verb, "transaction": transaction}
        req = FakeRequest(self._fake, message, "http", "")
        self._record(message)
        return await self._answer_http(request, req)

    async def _handle_get_handle(self, request: web.Request) -> web.StreamResponse:
        # Janus redirects a long-poll on a handle endpoint to the session one.
        raise web.HTTPFound(f"/janus/{request.match_info['session_id']}")

    @_tracked
    async def _handle_long_poll(self, request: web.Request) -> web.StreamResponse:
        sid = int(request.match_info["session_id"])
        if self.api_secret is not None and not self._check_secret(
            {"apisecret": request.query.get("apisecret")}
        ):
            return web.Response(status=403)
        try:
            maxev = max(1, int(request.query.get("maxev", "1")))
        except ValueError:
            maxev = 1
        session = self.sessions.get(sid)
        queue = self._queues.get(sid)
        if queue is None:
            return web.Response(status=404)
        loop = asyncio.get_running_loop()
        if session is not None:
            session.last_activity = loop.time()
        deadline = loop.time() + self.poll_timeout
        while True:
            if self._stopping or gone(request):
                return web.Response(status=503)
            queue = self._queues.get(sid)
            if not self._frozen:
                if queue:
                    return self._poll_batch(sid, queue, maxev)
                if queue is None or loop.time() >= deadline:
                    # Timed out, or the session is over for the HTTP side.
                    keepalive: dict[str, Any] = {"janus": "keepalive"}
                    return json_response(keepalive if maxev == 1 else [keepalive])
            await self._wait_change(None if self._frozen else deadline - loop.time())

    def _poll_batch(self, sid: int, queue: deque[ReplyItem], maxev: int) -> web.StreamResponse:
        first = queue.popleft()
        if maxev == 1 or not isinstance(first, dict):
            response = json_response(first)
        else:
            batch: list[Any] = [first]
            while queue and len(batch) < maxev and isinstance(queue[0], dict):
                batch.append(queue.popleft())
            response = json_response(batch)
        if not queue and sid not in self.sessions:
            self._queues.pop(sid, None)  # a timed-out session's queue, now drained
        return response


def is_upgrade(request: web.BaseRequest) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def gone(request: web.BaseRequest) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def json_response(item: Any) -> web.Response:
    if isinstance(item, bytes):
        return web.Response(body=item, content_type="application/json")
    if isinstance(item, str):
        return web.Response(text=item, content_type="application/json")
    return web.Response(text=dumps(item), content_type="application/json")
