"""The fake's default behaviour: one handler per Janus core verb, in a table.

`answer` checks what every request needs (``transaction`` and ``janus``, a known
verb, the right path level, the ``apisecret``, a live session and handle), then
calls the verb's handler from `VERBS`. The levels and error codes follow Janus'
``janus.c`` (``janus_process_incoming_request``).
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ._model import (
    ERROR_REASONS,
    FAKE_ANSWER_SDP,
    PLUGIN_INFO,
    FakeHandle,
    FakeRequest,
    FakeSession,
    logger,
    owner_of,
    positive_int,
)

if TYPE_CHECKING:
    from .server import FakeJanus

__all__ = ["VERBS", "Level", "answer", "server_info"]

Replies = list[dict[str, Any]]


class Level(enum.Enum):
    """Where on the path (body ids, or URL over HTTP) a verb is accepted."""

    ANYWHERE = "anywhere"  # info, ping
    ROOT = "root"  # create: no session yet
    SESSION = "session"  # attach, destroy: a session, no handle
    SESSION_OR_HANDLE = "session-or-handle"  # keepalive, claim
    HANDLE = "handle"  # detach, hangup, trickle, message


def _int_id(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@dataclass
class Call:
    """One request being answered: what the verb handlers need, already checked."""

    fake: FakeJanus
    req: FakeRequest
    msg: Mapping[str, Any]
    verb: str
    sid: int
    session: FakeSession | None = None
    handle: FakeHandle | None = None

    @property
    def tx(self) -> str:
        """The request's transaction (checked to be a string)."""
        return str(self.msg["transaction"])

    @property
    def base(self) -> dict[str, Any]:
        """``session_id`` and ``transaction``, for a session-level reply."""
        return {"session_id": self.sid, "transaction": self.tx}

    def error(self, code: int, reason: str | None = None, *, with_tx: bool = True) -> Replies:
        """A one-message error reply, shaped as Janus'."""
        return [_error(self.msg, self.sid, code, reason, with_tx=with_tx)]

    def misplaced(self) -> Replies:
        """457: the verb is not accepted at this path level."""
        return self.error(457, f"Unhandled request '{self.verb}' at this path")


def _error(
    msg: Mapping[str, Any], sid: int, code: int, reason: str | None, *, with_tx: bool
) -> dict[str, Any]:
    reply: dict[str, Any] = {"janus": "error"}
    if sid > 0:
        reply["session_id"] = sid
    if with_tx and isinstance(msg.get("transaction"), str):
        reply["transaction"] = msg["transaction"]
    reply["error"] = {
        "code": code,
        "reason": reason if reason is not None else ERROR_REASONS[code],
    }
    return reply


# ------------------------------------------------------------------ the verbs
def _info(call: Call) -> Replies:
    return [server_info(call.fake, call.tx)]


def _ping(call: Call) -> Replies:
    return [{"janus": "pong", "transaction": call.tx}]


def _create(call: Call) -> Replies:
    fake = call.fake
    wanted = call.msg.get("id")
    if wanted is not None:
        new_id = positive_int(wanted)
        if new_id is None:
            return call.error(467, "Invalid element type (id should be a positive integer)")
        if new_id in fake.sessions:
            return call.error(468, "Session ID already in use")
    else:
        new_id = fake._new_id()
    loop = asyncio.get_running_loop()
    fake.sessions[new_id] = FakeSession(
        id=new_id, transport=call.req.transport, last_activity=loop.time()
    )
    fake._bind(new_id, owner_of(call.req))
    logger.debug("created session %d over %s", new_id, call.req.transport)
    return [{"janus": "success", "transaction": call.tx, "data": {"id": new_id}}]


def _keepalive(call: Call) -> Replies:
    return [{"janus": "ack", **call.base}]


def _claim(call: Call) -> Replies:
    call.fake._bind(call.sid, owner_of(call.req))
    return [{"janus": "success", **call.base}]


def _destroy(call: Call) -> Replies:
    call.fake._forget(call.sid)
    return [{"janus": "success", **call.base}]


def _attach(call: Call) -> Replies:
    plugin = call.msg.get("plugin")
    if plugin is None:
        return call.error(456, "Missing mandatory element (plugin)")
    if not isinstance(plugin, str):
        return call.error(467, "Invalid element type (plugin should be a string)")
    if plugin not in call.fake.plugins:
        return call.error(460, f"No such plugin '{plugin}'")
    assert call.session is not None
    opaque = call.msg.get("opaque_id")
    new_hid = call.fake._new_id()
    call.session.handles[new_hid] = FakeHandle(
        id=new_hid, plugin=plugin, opaque_id=opaque if isinstance(opaque, str) else None
    )
    return [{"janus": "success", **call.base, "data": {"id": new_hid}}]


def _detach(call: Call) -> Replies:
    assert call.session is not None
    assert call.handle is not None
    del call.session.handles[call.handle.id]
    return [
        {"janus": "success", **call.base},
        {"janus": "detached", "session_id": call.sid, "sender": call.handle.id},
    ]


def _hangup(call: Call) -> Replies:
    return [{"janus": "success", **call.base}]


def _trickle(call: Call) -> Replies:
    if "candidate" not in call.msg and "candidates" not in call.msg:
        return call.error(456, "Missing mandatory element (candidate|candidates)")
    return [{"janus": "ack", **call.base}]


def _check_jsep(call: Call, jsep: Any) -> Replies | None:
    if not isinstance(jsep, dict):
        return call.error(455, "Invalid jsep object")
    for name in ("type", "sdp"):
        if name not in jsep:
            return call.error(456, f"JSEP error: missing mandatory element ({name})")
        if not isinstance(jsep[name], str):
            return call.error(467, f"JSEP error: invalid element type ({name} should be a string)")
    if jsep["type"].lower() not in ("offer", "answer"):
        return call.error(464, f"JSEP error: unknown message type '{jsep['type']}'")
    return None


def _message(call: Call) -> Replies:
    msg = call.msg
    if "body" not in msg:
        return call.error(456, "Missing mandatory element (body)")
    body = msg["body"]
    if not isinstance(body, dict):
        return call.error(467, "Invalid element type (body should be an object)")
    answer_jsep: dict[str, Any] | None = None
    if "jsep" in msg:
        bad = _check_jsep(call, msg["jsep"])
        if bad is not None:
            return bad
        if msg["jsep"]["type"].lower() == "offer":
            answer_jsep = {"type": "answer", "sdp": FAKE_ANSWER_SDP}
    assert call.handle is not None
    short = call.handle.plugin.rsplit(".", 1)[-1]
    event: dict[str, Any] = {
        "janus": "event",
        **call.base,
        "sender": call.handle.id,
        "plugindata": {
            "plugin": call.handle.plugin,
            "data": {short: "event", "result": "ok", "echo": body},
        },
    }
    if answer_jsep is not None:
        event["jsep"] = answer_jsep
    return [{"janus": "ack", **call.base}, event]


#: Every Janus core verb: where it is accepted and its handler.
VERBS: Final[Mapping[str, tuple[Level, Callable[[Call], Replies]]]] = {
    "info": (Level.ANYWHERE, _info),
    "ping": (Level.ANYWHERE, _ping),
    "create": (Level.ROOT, _create),
    "keepalive": (Level.SESSION_OR_HANDLE, _keepalive),
    "claim": (Level.SESSION_OR_HANDLE, _claim),
    "attach": (Level.SESSION, _attach),
    "destroy": (Level.SESSION, _destroy),
    "detach": (Level.HANDLE, _detach),
    "hangup": (Level.HANDLE, _hangup),
    "trickle": (Level.HANDLE, _trickle),
    "message": (Level.HANDLE, _message),
}


# ------------------------------------------------------------------ dispatch
def _envelope_error(msg: Mapping[str, Any]) -> Replies | None:
    for name in ("transaction", "janus"):
        if name not in msg:
            reason = f"Missing mandatory element ({name})"
            return [_error(msg, _int_id(msg.get("session_id")), 456, reason, with_tx=False)]
        if not isinstance(msg[name], str):
            reason = f"Invalid element type ({name} should be a string)"
            return [_error(msg, _int_id(msg.get("session_id")), 467, reason, with_tx=False)]
    return None


def _locate(call: Call, level: Level, raw_hid: Any) -> Replies | None:
    """Check the path level, the secret, the session and the handle; fill them in."""
    fake, sid = call.fake, call.sid
    hid = _int_id(raw_hid)
    if sid == 0 and raw_hid is None:
        if level is not Level.ROOT:
            return call.misplaced()
        return None if fake._check_secret(call.msg) else call.error(403)
    if sid < 1:
        return call.error(458)
    if raw_hid is not None and hid < 1:
        return call.error(459)
    if level is Level.ROOT:
        return call.misplaced()
    if not fake._check_secret(call.msg):
        return call.error(403)
    call.session = fake.sessions.get(sid)
    if call.session is None:
        return call.error(458, f"No such session {sid}")
    call.session.last_activity = asyncio.get_running_loop().time()
    if hid > 0:
        call.handle = call.session.handles.get(hid)
        if call.handle is None:
            return call.error(459, f"No such handle {hid} in session {sid}")
    if (level is Level.SESSION and call.handle is not None) or (
        level is Level.HANDLE and call.handle is None
    ):
        return call.misplaced()
    return None


def answer(fake: FakeJanus, req: FakeRequest) -> Replies:
    """The default (mini-Janus) reply to ``req``, applying its side effects.

    Args:
        fake: The fake whose state the request reads and changes.
        req: The request.

    Returns:
        The direct reply first, then any later messages (``[ack, event]`` for
        ``message``, ``[success, detached]`` for ``detach``).
    """
    msg = req.message
    bad = _envelope_error(msg)
    if bad is not None:
        return bad
    verb: str = msg["janus"]
    call = Call(fake, req, msg, verb, _int_id(msg.get("session_id")))
    entry = VERBS.get(verb.lower())
    if entry is None:
        return call.error(453, f"Unknown request '{verb}'")
    level, handler = entry
    if level is not Level.ANYWHERE:
        bad = _locate(call, level, msg.get("handle_id"))
        if bad is not None:
            return bad
    return handler(call)


def server_info(fake: FakeJanus, transaction: str | None) -> dict[str, Any]:
    """The ``server_info`` reply to ``info``, listing the fake's plugins."""
    plugins: dict[str, Any] = {}
    for name in fake.plugins:
        short = name.rsplit(".", 1)[-1]
        title, version, version_string = PLUGIN_INFO.get(name, (f"Fake {short} plugin", 1, "0.0.1"))
        plugins[name] = {
            "name": title,
            "author": "Meetecho s.r.l.",
            "description": f"{title} (as faked by janus_client.testing)",
            "version_string": version_string,
            "version": version,
        }
    info: dict[str, Any] = {"janus": "server_info"}
    if transaction is not None:
        info["transaction"] = transaction
    info.update(
        {
            "name": "Fake Janus",
            "version": 1102,
            "version_string": "1.1.2",
            "author": "janus_client.testing",
            "commit-hash": "not-a-real-janus",
            "compile-time": "",
            "log-to-stdout": False,
            "log-to-file": False,
            "data_channels": True,
            "accepting-new-sessions": True,
            "session-timeout": int(fake.session_timeout or 0),
            "reclaim-session-timeout": int(fake.reclaim_timeout or 0),
            "candidates-timeout": 45,
            "server-name": "FakeJanus",
            "local-ip": "127.0.0.1",
            "ipv6": False,
            "ice-lite": False,
            "ice-tcp": False,
            "full-trickle": False,
            "mdns-enabled": False,
            "api_secret": fake.api_secret is not None,
            "auth_token": False,
            "event_handlers": False,
            "opaqueid_in_api": False,
            "dependencies": {},
            "transports": {
                "janus.transport.http": {
                    "name": "JANUS REST (HTTP/HTTPS) transport plugin",
                    "author": "Meetecho s.r.l.",
                    "description": "Fake REST transport",
                    "version_string": "0.0.2",
                    "version": 2,
                },
                "janus.transport.websockets": {
                    "name": "JANUS WebSockets transport plugin",
                    "author": "Meetecho s.r.l.",
                    "description": "Fake WebSockets transport",
                    "version_string": "0.0.1",
                    "version": 1,
                },
            },
            "events": {},
            "loggers": {},
            "plugins": plugins,
        }
    )
    return info
