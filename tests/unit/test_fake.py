"""Tests of the in-process fake Janus, driven by raw WebSocket and HTTP clients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidStatus
from websockets.typing import Subprotocol

from janus_client.testing.fake import DROP, FAKE_ANSWER_SDP, FakeJanus, FakeRequest

ECHO = "janus.plugin.echotest"


# --------------------------------------------------------------------- helpers


@pytest.fixture
async def fake() -> AsyncIterator[FakeJanus]:
    async with FakeJanus(poll_timeout=5.0) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


@asynccontextmanager
async def ws_client(server: FakeJanus, path: str = "") -> AsyncIterator[ClientConnection]:
    async with connect(
        server.ws_url + path,
        subprotocols=[Subprotocol("janus-protocol")],
        open_timeout=5,
        close_timeout=2,
    ) as ws:
        yield ws


async def recv(ws: ClientConnection, timeout: float = 2.0) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def call(ws: ClientConnection, message: dict[str, Any]) -> Any:
    await ws.send(json.dumps(message))
    return await recv(ws)


async def assert_silent(ws: ClientConnection, seconds: float = 0.3) -> None:
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(ws.recv(), seconds)


async def ws_session(ws: ClientConnection, **extra: Any) -> int:
    reply = await call(ws, {"janus": "create", "transaction": "create", **extra})
    assert reply["janus"] == "success", reply
    return int(reply["data"]["id"])


async def ws_handle(ws: ClientConnection, sid: int, plugin: str = ECHO, **extra: Any) -> int:
    reply = await call(
        ws,
        {"janus": "attach", "transaction": "attach", "session_id": sid, "plugin": plugin, **extra},
    )
    assert reply["janus"] == "success", reply
    return int(reply["data"]["id"])


async def post(http: aiohttp.ClientSession, url: str, message: dict[str, Any] | str) -> Any:
    data = message if isinstance(message, str) else json.dumps(message)
    async with http.post(url, data=data) as resp:
        assert resp.status == 200
        return json.loads(await resp.text())


async def poll(http: aiohttp.ClientSession, url: str, **params: Any) -> Any:
    async with http.get(url, params=params) as resp:
        assert resp.status == 200, resp.status
        return json.loads(await resp.text())


async def http_session(http: aiohttp.ClientSession, server: FakeJanus) -> int:
    reply = await post(http, server.http_url, {"janus": "create", "transaction": "c"})
    assert reply["janus"] == "success", reply
    return int(reply["data"]["id"])


# ------------------------------------------------------------- WebSocket basics


async def test_ws_create_attach_message(fake: FakeJanus) -> None:
    async with ws_client(fake) as ws:
        assert ws.subprotocol == "janus-protocol"
        created = await call(ws, {"janus": "create", "transaction": "t1"})
        assert created["janus"] == "success"
        assert created["transaction"] == "t1"
        sid = created["data"]["id"]
        assert isinstance(sid, int)
        assert 0 < sid <= 2**53 - 1
        assert "session_id" not in created

        attached = await call(
            ws,
            {
                "janus": "attach",
                "transaction": "t2",
                "session_id": sid,
                "plugin": ECHO,
                "opaque_id": "me",
            },
        )
        assert attached["janus"] == "success"
        assert attached["session_id"] == sid
        hid = attached["data"]["id"]
        assert fake.connection_count == 1
        assert fake.sessions[sid].transport == "ws"
        handle = fake.sessions[sid].handles[hid]
        assert (handle.plugin, handle.opaque_id) == (ECHO, "me")

        offer = {"type": "offer", "sdp": "v=0\r\n"}
        ack = await call(
            ws,
            {
                "janus": "message",
                "transaction": "t3",
                "session_id": sid,
                "handle_id": hid,
                "body": {"audio": False},
                "jsep": offer,
            },
        )
        assert ack == {"janus": "ack", "session_id": sid, "transaction": "t3"}
        event = await recv(ws)
        assert event["janus"] == "event"
        assert event["transaction"] == "t3"
        assert event["session_id"] == sid
        assert event["sender"] == hid
        assert event["plugindata"] == {
            "plugin": ECHO,
            "data": {"echotest": "event", "result": "ok", "echo": {"audio": False}},
        }
        assert event["jsep"] == {"type": "answer", "sdp": FAKE_ANSWER_SDP}

        # Without a JSEP offer there is no JSEP in the event.
        await call(
            ws,
            {
                "janus": "message",
                "transaction": "t4",
                "session_id": sid,
                "handle_id": hid,
                "body": {},
            },
        )
        assert "jsep" not in await recv(ws)

        trickle = await call(
            ws,
            {
                "janus": "trickle",
                "transaction": "t5",
                "session_id": sid,
                "handle_id": hid,
                "candidate": {"completed": True},
            },
        )
        assert trickle == {"janus": "ack", "session_id": sid, "transaction": "t5"}
        hangup = {"janus": "hangup", "transaction": "t6", "session_id": sid, "handle_id": hid}
        assert (await call(ws, hangup))["janus"] == "success"
        keepalive = {"janus": "keepalive", "transaction": "t7", "session_id": sid}
        assert await call(ws, keepalive) == {
            "janus": "ack",
            "session_id": sid,
            "transaction": "t7",
        }

        detach = {"janus": "detach", "transaction": "t8", "session_id": sid, "handle_id": hid}
        assert await call(ws, detach) == {
            "janus": "success",
            "session_id": sid,
            "transaction": "t8",
        }
        assert await recv(ws) == {"janus": "detached", "session_id": sid, "sender": hid}
        assert fake.sessions[sid].handles == {}

        destroy = {"janus": "destroy", "transaction": "t9", "session_id": sid}
        assert (await call(ws, destroy))["janus"] == "success"
        assert fake.sessions == {}

    assert [r["janus"] for r in fake.requests] == [
        "create",
        "attach",
        "message",
        "message",
        "trickle",
        "hangup",
        "keepalive",
        "detach",
        "destroy",
    ]
    assert fake.requests[2]["body"] == {"audio": False}


async def test_ws_info_and_ping(fake: FakeJanus) -> None:
    async with ws_client(fake) as ws:
        info = await call(ws, {"janus": "info", "transaction": "i"})
        assert info["janus"] == "server_info"
        assert info["transaction"] == "i"
        assert (info["name"], info["version"], info["version_string"]) == (
            "Fake Janus",
            1102,
            "1.1.2",
        )
        assert set(info["plugins"]) == {
            "janus.plugin.echotest",
            "janus.plugin.videoroom",
            "janus.plugin.videocall",
            "janus.plugin.textroom",
        }
        assert await call(ws, {"janus": "ping", "transaction": "p"}) == {
            "janus": "pong",
            "transaction": "p",
        }
        # Janus matches verbs case-insensitively.
        assert (await call(ws, {"janus": "PING", "transaction": "p2"}))["janus"] == "pong"


async def test_ws_also_served_at_janus_path(fake: FakeJanus) -> None:
    async with ws_client(fake, "/janus") as ws:
        assert (await call(ws, {"janus": "ping", "transaction": "p"}))["janus"] == "pong"


@pytest.mark.parametrize("subprotocols", [None, [Subprotocol("chat")]])
async def test_ws_upgrade_refused_without_subprotocol(
    fake: FakeJanus, subprotocols: list[Subprotocol] | None
) -> None:
    with pytest.raises(InvalidStatus) as info:
        async with connect(fake.ws_url, subprotocols=subprotocols, open_timeout=5):
            pass
    assert info.value.response.status_code == 400
    assert fake.connection_count == 0


async def test_create_with_requested_id(fake: FakeJanus) -> None:
    async with ws_client(fake) as ws:
        assert await ws_session(ws, id=1234) == 1234
        again = await call(ws, {"janus": "create", "transaction": "x", "id": 1234})
        assert again["error"]["code"] == 468


# ------------------------------------------------------------------------ HTTP


async def test_http_create_attach_message_and_long_poll(
    fake: FakeJanus, http: aiohttp.ClientSession
) -> None:
    sid = await http_session(http, fake)
    assert fake.sessions[sid].transport == "http"
    attached = await post(
        http, f"{fake.http_url}/{sid}", {"janus": "attach", "transaction": "a", "plugin": ECHO}
    )
    assert attached["janus"] == "success"
    assert attached["session_id"] == sid
    hid = attached["data"]["id"]

    url = f"{fake.http_url}/{sid}/{hid}"
    ack = await post(
        http,
        url,
        {
            "janus": "message",
            "transaction": "m",
            "body": {"x": 1},
            "jsep": {"type": "offer", "sdp": "v=0\r\n"},
        },
    )
    assert ack == {"janus": "ack", "session_id": sid, "transaction": "m"}

    events = await poll(http, f"{fake.http_url}/{sid}", maxev=5)
    assert isinstance(events, list)
    assert len(events) == 1
    (event,) = events
    assert (event["janus"], event["transaction"], event["sender"]) == ("event", "m", hid)
    assert event["plugindata"]["data"]["echo"] == {"x": 1}
    assert event["jsep"]["type"] == "answer"

    # detach: success in the POST body, "detached" through the long-poll,
    # as a single object without maxev (and with maxev=1, like Janus).
    detached = await post(http, url, {"janus": "detach", "transaction": "d"})
    assert detached == {"janus": "success", "session_id": sid, "transaction": "d"}
    assert await poll(http, f"{fake.http_url}/{sid}") == {
        "janus": "detached",
        "session_id": sid,
        "sender": hid,
    }
    await post(http, url.rsplit("/", 1)[0], {"janus": "keepalive", "transaction": "k"})
    await fake.push({"janus": "webrtcup", "session_id": sid, "sender": hid})
    assert (await poll(http, f"{fake.http_url}/{sid}", maxev=1))["janus"] == "webrtcup"

    # The ids from the path are merged into the recorded requests.
    message = next(r for r in fake.requests if r["janus"] == "message")
    assert (message["session_id"], message["handle_id"]) == (sid, hid)


async def test_http_long_poll_keepalive(http: aiohttp.ClientSession) -> None:
    async with FakeJanus(poll_timeout=0.2) as fake:
        sid = await http_session(http, fake)
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await poll(http, f"{fake.http_url}/{sid}") == {"janus": "keepalive"}
        assert loop.time() - started >= 0.15
        assert await poll(http, f"{fake.http_url}/{sid}", maxev=3) == [{"janus": "keepalive"}]


async def test_http_long_poll_batches_events(fake: FakeJanus, http: aiohttp.ClientSession) -> None:
    sid = await http_session(http, fake)
    for n in range(3):
        await fake.push_event(sid, 77, ECHO, {"n": n})
    batch = await poll(http, f"{fake.http_url}/{sid}", maxev=2)
    assert [e["plugindata"]["data"]["n"] for e in batch] == [0, 1]
    assert (await poll(http, f"{fake.http_url}/{sid}"))["plugindata"]["data"]["n"] == 2


async def test_http_long_poll_waits_for_event(fake: FakeJanus, http: aiohttp.ClientSession) -> None:
    sid = await http_session(http, fake)
    poller = asyncio.ensure_future(poll(http, f"{fake.http_url}/{sid}", maxev=10))
    await asyncio.sleep(0.1)
    assert not poller.done()
    await fake.push_event(sid, 5, ECHO, {"hello": "world"}, transaction="tx")
    (event,) = await asyncio.wait_for(poller, 2)
    assert event == {
        "janus": "event",
        "session_id": sid,
        "transaction": "tx",
        "sender": 5,
        "plugindata": {"plugin": ECHO, "data": {"hello": "world"}},
    }


async def test_http_info_ping_and_unknown_long_poll(
    fake: FakeJanus, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{fake.http_url}/info") as resp:
        info = await resp.json()
    assert info["janus"] == "server_info"
    assert isinstance(info["transaction"], str)
    async with http.get(f"{fake.http_url}/ping") as resp:
        assert (await resp.json())["janus"] == "pong"
    assert (await post(http, fake.http_url, {"janus": "info", "transaction": "i"}))[
        "name"
    ] == "Fake Janus"
    async with http.get(f"{fake.http_url}/123456") as resp:
        assert resp.status == 404
    # A WebSocket session has no long-poll queue.
    async with ws_client(fake) as ws:
        sid = await ws_session(ws)
        async with http.get(f"{fake.http_url}/{sid}") as resp:
            assert resp.status == 404


# ---------------------------------------------------------------------- errors


async def test_ws_errors(fake: FakeJanus) -> None:
    async with ws_client(fake) as ws:
        sid = await ws_session(ws)
        hid = await ws_handle(ws, sid)

        await ws.send("this is not json")
        error = await recv(ws)
        assert error["janus"] == "error"
        assert error["error"]["code"] == 454
        assert "transaction" not in error

        await ws.send("[1, 2]")
        assert (await recv(ws))["error"]["code"] == 455

        missing_tx = await call(ws, {"janus": "keepalive", "session_id": sid})
        assert missing_tx["error"]["code"] == 456
        assert "transaction" not in missing_tx
        assert missing_tx["session_id"] == sid

        unknown_verb = await call(ws, {"janus": "dance", "transaction": "u"})
        assert unknown_verb["error"]["code"] == 453
        assert unknown_verb["transaction"] == "u"

        wrong_path = await call(ws, {"janus": "attach", "transaction": "w", "plugin": ECHO})
        assert wrong_path["error"]["code"] == 457

        no_session = await call(ws, {"janus": "keepalive", "transaction": "s", "session_id": 42})
        assert no_session == {
            "janus": "error",
            "session_id": 42,
            "transaction": "s",
            "error": {"code": 458, "reason": "No such session 42"},
        }

        no_handle = await call(
            ws,
            {"janus": "message", "transaction": "h", "session_id": sid, "handle_id": 7, "body": {}},
        )
        assert no_handle["error"]["code"] == 459
        assert no_handle["session_id"] == sid
        assert no_handle["transaction"] == "h"

        no_plugin = await call(
            ws,
            {"janus": "attach", "transaction": "p", "session_id": sid, "plugin": "janus.plugin.x"},
        )
        assert no_plugin["error"]["code"] == 460
        assert no_plugin["error"]["reason"].startswith("No such plugin")

        no_body = await call(
            ws, {"janus": "message", "transaction": "b", "session_id": sid, "handle_id": hid}
        )
        assert no_body["error"]["code"] == 456

        bad_jsep = await call(
            ws,
            {
                "janus": "message",
                "transaction": "j",
                "session_id": sid,
                "handle_id": hid,
                "body": {},
                "jsep": {"type": "pranswer", "sdp": "v=0"},
            },
        )
        assert bad_jsep["error"]["code"] == 464

        handle_verb_on_session = await call(
            ws, {"janus": "message", "transaction": "m", "session_id": sid, "body": {}}
        )
        assert handle_verb_on_session["error"]["code"] == 457


async def test_http_errors(fake: FakeJanus, http: aiohttp.ClientSession) -> None:
    not_json = await post(http, fake.http_url, "{nope")
    assert not_json["janus"] == "error"
    assert not_json["error"]["code"] == 454
    assert "transaction" not in not_json

    no_session = await post(
        http, f"{fake.http_url}/987", {"janus": "attach", "transaction": "a", "plugin": ECHO}
    )
    assert no_session["error"]["code"] == 458
    assert no_session["session_id"] == 987

    sid = await http_session(http, fake)
    no_handle = await post(
        http, f"{fake.http_url}/{sid}/55", {"janus": "message", "transaction": "m", "body": {}}
    )
    assert no_handle["error"]["code"] == 459
    no_plugin = await post(
        http, f"{fake.http_url}/{sid}", {"janus": "attach", "transaction": "a", "plugin": "nope"}
    )
    assert no_plugin["error"]["code"] == 460
    conflict = await post(
        http, f"{fake.http_url}/{sid}", {"janus": "keepalive", "transaction": "k", "session_id": 1}
    )
    assert conflict["error"]["code"] == 457


async def test_api_secret(http: aiohttp.ClientSession) -> None:
    async with FakeJanus(api_secret="s3cr3t", poll_timeout=0.1) as fake, ws_client(fake) as ws:
        # info and ping need no secret.
        assert (await call(ws, {"janus": "info", "transaction": "i"}))["janus"] == "server_info"
        assert (await call(ws, {"janus": "ping", "transaction": "p"}))["janus"] == "pong"

        refused = await call(ws, {"janus": "create", "transaction": "c"})
        assert refused == {
            "janus": "error",
            "transaction": "c",
            "error": {
                "code": 403,
                "reason": "Unauthorized request (wrong or missing secret/token)",
            },
        }
        sid = await ws_session(ws, apisecret="s3cr3t")
        wrong = await call(
            ws,
            {
                "janus": "attach",
                "transaction": "a",
                "session_id": sid,
                "plugin": ECHO,
                "apisecret": "nope",
            },
        )
        assert wrong["error"]["code"] == 403
        assert await ws_handle(ws, sid, apisecret="s3cr3t") > 0

        created = await post(
            http, fake.http_url, {"janus": "create", "transaction": "c", "apisecret": "s3cr3t"}
        )
        hsid = created["data"]["id"]
        async with http.get(f"{fake.http_url}/{hsid}") as resp:
            assert resp.status == 403
        poll_url = f"{fake.http_url}/{hsid}"
        assert await poll(http, poll_url, apisecret="s3cr3t") == {"janus": "keepalive"}


# ------------------------------------------------------------------- overrides


async def test_on_request_garbage_over_ws(fake: FakeJanus) -> None:
    fake.on_request("attach", lambda req: "}{ not json at all")
    async with ws_client(fake) as ws:
        sid = await ws_session(ws)
        await ws.send(json.dumps({"janus": "attach", "transaction": "a", "session_id": sid}))
        assert await asyncio.wait_for(ws.recv(), 2) == "}{ not json at all"

        fake.on_request("attach", lambda req: b"\x00\xffbinary")
        await ws.send(json.dumps({"janus": "attach", "transaction": "a", "session_id": sid}))
        assert await asyncio.wait_for(ws.recv(), 2) == b"\x00\xffbinary"

        fake.on_request("attach", None)  # back to the default
        assert await ws_handle(ws, sid) > 0


async def test_on_request_garbage_over_http(fake: FakeJanus, http: aiohttp.ClientSession) -> None:
    fake.on_request("create", lambda req: "<html>502 Bad Gateway</html>")
    async with http.post(fake.http_url, json={"janus": "create", "transaction": "c"}) as resp:
        assert resp.status == 200
        assert await resp.text() == "<html>502 Bad Gateway</html>"
    assert fake.sessions == {}


async def test_on_request_sequences_async_and_default(fake: FakeJanus) -> None:
    async def unknown_transaction(req: FakeRequest) -> list[dict[str, Any]]:
        await asyncio.sleep(0)
        replies = req.default()  # really creates the handle
        replies[0]["transaction"] = "never-sent"
        return replies

    fake.on_request("attach", unknown_transaction)
    fake.on_request(
        "message",
        lambda req: [req.ack(), req.event(None, {"custom": True}), req.event("other", {})],
    )
    seen: list[FakeRequest] = []
    fake.on_request("keepalive", lambda req: seen.append(req))  # None -> default reply

    def boom(req: FakeRequest) -> dict[str, Any]:
        raise ValueError("oops")

    fake.on_request("hangup", boom)

    async with ws_client(fake) as ws:
        sid = await ws_session(ws)
        reply = await call(
            ws, {"janus": "attach", "transaction": "a", "session_id": sid, "plugin": ECHO}
        )
        assert reply["transaction"] == "never-sent"
        hid = reply["data"]["id"]
        assert hid in fake.sessions[sid].handles

        base = {"session_id": sid, "handle_id": hid}
        ack = await call(ws, {"janus": "message", "transaction": "m", "body": {}, **base})
        assert ack == {"janus": "ack", "session_id": sid, "transaction": "m"}
        first, second = await recv(ws), await recv(ws)
        assert first["plugindata"] == {"plugin": ECHO, "data": {"custom": True}}
        assert first["sender"] == hid
        assert second["plugindata"]["plugin"] == "other"

        keepalive = await call(ws, {"janus": "keepalive", "transaction": "k", "session_id": sid})
        assert keepalive["janus"] == "ack"
        assert seen[0].transport == "ws"
        assert seen[0].session == fake.sessions[sid]

        failed = await call(ws, {"janus": "hangup", "transaction": "h", **base})
        assert failed["error"]["code"] == 490


async def test_on_request_sequence_over_http_queues_the_rest(
    fake: FakeJanus, http: aiohttp.ClientSession
) -> None:
    fake.on_request(
        "keepalive",
        lambda req: [req.ack(), {"janus": "slowlink", "session_id": req.session_id}, "garbage"],
    )
    sid = await http_session(http, fake)
    ack = await post(http, f"{fake.http_url}/{sid}", {"janus": "keepalive", "transaction": "k"})
    assert ack["janus"] == "ack"
    assert await poll(http, f"{fake.http_url}/{sid}", maxev=5) == [
        {"janus": "slowlink", "session_id": sid}
    ]
    async with http.get(f"{fake.http_url}/{sid}", params={"maxev": 5}) as resp:
        assert await resp.text() == "garbage"


async def test_on_request_drop_sentinel(fake: FakeJanus) -> None:
    fake.on_request("ping", lambda req: DROP)
    async with ws_client(fake) as ws:
        await ws.send(json.dumps({"janus": "ping", "transaction": "p"}))
        await assert_silent(ws)


# --------------------------------------------------------- drop, delay, waiting


async def test_drop_ws(fake: FakeJanus) -> None:
    async with ws_client(fake) as ws:
        sid = await ws_session(ws)
        fake.drop("keepalive", 1)
        keepalive = {"janus": "keepalive", "session_id": sid}
        await ws.send(json.dumps({**keepalive, "transaction": "k1"}))
        await assert_silent(ws)
        assert (await call(ws, {**keepalive, "transaction": "k2"}))["transaction"] == "k2"

        fake.drop("keepalive")  # all of them
        for n in range(3):
            await ws.send(json.dumps({**keepalive, "transaction": f"x{n}"}))
        await assert_silent(ws)
        fake.drop("keepalive", 0)
        assert (await call(ws, {**keepalive, "transaction": "k3"}))["janus"] == "ack"

    # Dropped requests were still received.
    transactions = [r["transaction"] for r in fake.requests if r["janus"] == "keepalive"]
    assert transactions == ["k1", "k2", "x0", "x1", "x2", "k3"]


async def test_drop_http_leaves_request_hanging(
    fake: FakeJanus, http: aiohttp.ClientSession
) -> None:
    sid = await http_session(http, fake)
    fake.drop("keepalive")
    with pytest.raises(asyncio.TimeoutError):
        async with http.post(
            f"{fake.http_url}/{sid}",
            json={"janus": "keepalive", "transaction": "k"},
            timeout=aiohttp.ClientTimeout(total=0.3),
        ):
            pass
    fake.drop("keepalive", 0)
    reply = await post(http, f"{fake.http_url}/{sid}", {"janus": "keepalive", "transaction": "k"})
    assert reply["janus"] == "ack"


async def test_delay(fake: FakeJanus) -> None:
    fake.delay("ping", 0.3)
    async with ws_client(fake) as ws:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await ws.send(json.dumps({"janus": "ping", "transaction": "slow"}))
        await ws.send(json.dumps({"janus": "info", "transaction": "fast"}))
        assert (await recv(ws))["transaction"] == "fast"
        assert (await recv(ws))["transaction"] == "slow"
        assert loop.time() - started >= 0.25
        fake.delay("ping", 0)
        assert (await call(ws, {"janus": "ping", "transaction": "p"}))["janus"] == "pong"


async def test_wait_for_request(fake: FakeJanus) -> None:
    async with ws_client(fake) as ws:
        sid = await ws_session(ws)
        for n in range(2):
            await call(ws, {"janus": "keepalive", "transaction": f"k{n}", "session_id": sid})
        # Already received requests are returned in order, one per call...
        assert (await fake.wait_for_request("keepalive"))["transaction"] == "k0"
        assert (await fake.wait_for_request("KEEPALIVE"))["transaction"] == "k1"
        # ... then the call waits for the next one.
        waiter = asyncio.ensure_future(fake.wait_for_request("keepalive"))
        await asyncio.sleep(0.05)
        assert not waiter.done()
        await ws.send(json.dumps({"janus": "keepalive", "transaction": "k2", "session_id": sid}))
        assert (await asyncio.wait_for(waiter, 2))["transaction"] == "k2"
        assert (await fake.wait_for_request("create"))["janus"] == "create"
        with pytest.raises(TimeoutError):
            await fake.wait_for_request("keepalive", timeout=0.1)


# --------------------------------------------------------------- unsolicited


async def test_push_over_ws(fake: FakeJanus) -> None:
    async with ws_client(fake) as one, ws_client(fake) as two:
        assert fake.connection_count == 2
        await fake.push({"janus": "hello"})
        assert await recv(one) == {"janus": "hello"}
        assert await recv(two) == {"janus": "hello"}

        await fake.push("not json")
        assert await asyncio.wait_for(one.recv(), 2) == "not json"
        assert await asyncio.wait_for(two.recv(), 2) == "not json"

        sid = await ws_session(two)
        await fake.push_event(sid, 99, ECHO, {"hi": 1}, jsep={"type": "offer", "sdp": "v=0"})
        event = await recv(two)
        assert (event["janus"], event["session_id"], event["sender"]) == ("event", sid, 99)
        assert event["jsep"]["type"] == "offer"
        assert "transaction" not in event
        await assert_silent(one, 0.1)

        # An unknown transaction: the client never sent it.
        await fake.push({"janus": "success", "transaction": "ghost", "session_id": sid})
        assert (await recv(two))["transaction"] == "ghost"


async def test_push_to_http_session(fake: FakeJanus, http: aiohttp.ClientSession) -> None:
    sid = await http_session(http, fake)
    await fake.push({"janus": "media", "type": "audio", "receiving": True}, session_id=sid)
    assert (await poll(http, f"{fake.http_url}/{sid}"))["janus"] == "media"


# ------------------------------------------------------------- failure modes


async def test_close_connections(fake: FakeJanus) -> None:
    async with ws_client(fake) as ws:
        sid = await ws_session(ws)
        await fake.close_connections()
        with pytest.raises(ConnectionClosedError) as info:
            await asyncio.wait_for(ws.recv(), 2)
        assert info.value.rcvd is not None
        assert info.value.rcvd.code == 1011
    assert fake.connection_count == 0
    assert sid not in fake.sessions  # a WebSocket's sessions die with it


async def test_abort_connections(fake: FakeJanus, http: aiohttp.ClientSession) -> None:
    async with ws_client(fake) as ws:
        await ws_session(ws)
        sid = await http_session(http, fake)
        # An unanswered POST (aiohttp would transparently retry an aborted GET).
        fake.drop("keepalive")
        pending = asyncio.ensure_future(
            post(http, f"{fake.http_url}/{sid}", {"janus": "keepalive", "transaction": "k"})
        )
        await fake.wait_for_request("keepalive")
        await fake.abort_connections()
        with pytest.raises(ConnectionClosedError) as info:
            await asyncio.wait_for(ws.recv(), 2)
        assert info.value.rcvd is None  # no close frame: the TCP connection just died
        with pytest.raises(aiohttp.ClientError):
            await asyncio.wait_for(pending, 2)
    assert fake.connection_count == 0


async def test_freeze_and_thaw_ws(fake: FakeJanus) -> None:
    async with ws_client(fake) as ws:
        sid = await ws_session(ws)
        fake.freeze()
        assert fake.frozen
        await ws.send(json.dumps({"janus": "keepalive", "transaction": "k", "session_id": sid}))
        pong = asyncio.ensure_future(await ws.ping())
        await fake.push({"janus": "pushed"})  # doesn't block while frozen
        await assert_silent(ws)
        assert not pong.done()  # not even WebSocket pings are answered
        assert (await fake.wait_for_request("keepalive"))["transaction"] == "k"
        fake.thaw()
        received = [await recv(ws), await recv(ws)]
        assert {m["janus"] for m in received} == {"ack", "pushed"}
        assert (await call(ws, {"janus": "ping", "transaction": "p"}))["janus"] == "pong"
        pong.cancel()


async def test_freeze_discard(fake: FakeJanus) -> None:
    async with ws_client(fake) as ws:
        fake.freeze(discard=True)
        await ws.send(json.dumps({"janus": "ping", "transaction": "lost"}))
        await assert_silent(ws, 0.2)
        fake.thaw()
        assert (await call(ws, {"janus": "ping", "transaction": "p"}))["transaction"] == "p"
        assert [r["transaction"] for r in fake.requests] == ["lost", "p"]


async def test_freeze_and_thaw_http(fake: FakeJanus, http: aiohttp.ClientSession) -> None:
    sid = await http_session(http, fake)
    fake.freeze()
    request = asyncio.ensure_future(
        post(http, f"{fake.http_url}/{sid}", {"janus": "keepalive", "transaction": "k"})
    )
    await asyncio.sleep(0.3)
    assert not request.done()
    fake.thaw()
    assert (await asyncio.wait_for(request, 2))["janus"] == "ack"


# ------------------------------------------------------------------- sessions


async def test_session_timeout_ws() -> None:
    async with FakeJanus(session_timeout=0.3) as fake, ws_client(fake) as ws:
        sid = await ws_session(ws)
        assert await recv(ws, timeout=3) == {"janus": "timeout", "session_id": sid}
        assert sid not in fake.sessions
        gone = await call(ws, {"janus": "keepalive", "transaction": "k", "session_id": sid})
        assert gone["error"]["code"] == 458


async def test_keepalives_prevent_session_timeout() -> None:
    async with FakeJanus(session_timeout=0.4) as fake, ws_client(fake) as ws:
        sid = await ws_session(ws)
        for n in range(6):
            await asyncio.sleep(0.1)
            keepalive = {"janus": "keepalive", "transaction": f"k{n}", "session_id": sid}
            assert (await call(ws, keepalive))["janus"] == "ack"
        assert sid in fake.sessions


async def test_session_timeout_http(http: aiohttp.ClientSession) -> None:
    async with FakeJanus(session_timeout=0.3, poll_timeout=5) as fake:
        sid = await http_session(http, fake)
        # A long-poll counts as activity when it starts, but it doesn't keep the
        # session alive while it waits: the timeout event arrives through it.
        assert await poll(http, f"{fake.http_url}/{sid}") == {"janus": "timeout", "session_id": sid}
        assert sid not in fake.sessions
        async with http.get(f"{fake.http_url}/{sid}") as resp:
            assert resp.status == 404


async def test_claim_moves_session_between_connections(fake: FakeJanus) -> None:
    async with ws_client(fake) as one, ws_client(fake) as two:
        sid = await ws_session(one)
        claimed = await call(two, {"janus": "claim", "transaction": "c", "session_id": sid})
        assert claimed == {"janus": "success", "session_id": sid, "transaction": "c"}
        await fake.push_event(sid, 1, ECHO, {})
        assert (await recv(two))["janus"] == "event"
        await assert_silent(one, 0.1)
    assert fake.sessions == {}


async def test_reclaim_after_reconnect() -> None:
    async with FakeJanus(reclaim_timeout=0.5) as fake:
        async with ws_client(fake) as ws:
            sid = await ws_session(ws)
        async with ws_client(fake) as ws:
            claimed = await call(ws, {"janus": "claim", "transaction": "c", "session_id": sid})
            assert claimed["janus"] == "success"
            dead = await ws_session(ws)
        await asyncio.sleep(0.8)
        assert sid not in fake.sessions
        assert dead not in fake.sessions


async def test_ws_close_destroys_sessions_by_default(fake: FakeJanus) -> None:
    async with ws_client(fake) as ws:
        sid = await ws_session(ws)
    for _ in range(50):
        if sid not in fake.sessions:
            break
        await asyncio.sleep(0.02)
    assert sid not in fake.sessions


# ------------------------------------------------------------------ lifecycle


async def test_stop_is_idempotent_and_cleans_up(http: aiohttp.ClientSession) -> None:
    fake = FakeJanus()
    with pytest.raises(RuntimeError):
        _ = fake.ws_url
    await fake.start()
    with pytest.raises(RuntimeError):
        await fake.start()
    assert fake.ws_url.startswith("ws://127.0.0.1:")
    assert fake.http_url == f"http://127.0.0.1:{fake.port}/janus"
    ws_ctx = ws_client(fake)
    ws = await ws_ctx.__aenter__()
    sid = await http_session(http, fake)
    fake.drop("keepalive")
    poller = asyncio.ensure_future(poll(http, f"{fake.http_url}/{sid}"))
    hanging = asyncio.ensure_future(
        http.post(f"{fake.http_url}/{sid}", json={"janus": "keepalive", "transaction": "k"})
    )
    await asyncio.sleep(0.1)
    await fake.stop()
    await fake.stop()
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(ws.recv(), 2)
    await ws_ctx.__aexit__(None, None, None)
    for pending in (poller, hanging):
        try:
            result = await asyncio.wait_for(pending, 2)
        except (aiohttp.ClientError, AssertionError):
            continue
        if isinstance(result, aiohttp.ClientResponse):
            result.release()
    assert fake.sessions == {}
    assert fake.connection_count == 0
    with pytest.raises(RuntimeError):
        _ = fake.http_url

    # It can be started again.
    async with fake, ws_client(fake) as ws2:
        assert (await call(ws2, {"janus": "ping", "transaction": "p"}))["janus"] == "pong"


def test_the_verb_table_covers_every_core_verb() -> None:
    from janus_client.protocol import CORE_REQUESTS
    from janus_client.testing.fake.verbs import VERBS, Level

    assert set(VERBS) == set(CORE_REQUESTS)
    assert {verb for verb, (level, _) in VERBS.items() if level is Level.HANDLE} == {
        "detach",
        "hangup",
        "trickle",
        "message",
    }
    assert all(callable(handler) for _, handler in VERBS.values())


def test_the_former_import_path_still_works() -> None:
    import janus_client.testing as testing
    import janus_client.testing._fake as old
    import janus_client.testing.fake as new

    for name in new.__all__:
        assert getattr(old, name) is getattr(new, name), name
    assert testing.FakeJanus is new.FakeJanus and testing.DROP is new.DROP
