"""`MockTransport`: unit-test code that uses janus-client with no socket and no Janus.

A `MockTransport` calls a function you write with each request the library
sends (a dict, as it would go on the wire) and delivers what the function
returns as Janus' reply. Core requests the function does not answer (it returns
None) get a plausible answer of their own (``create`` and ``attach`` get fresh
ids, ``keepalive`` an ack, a plugin ``message`` an empty plugin reply), so a
handler only writes the plugin behaviour under test::

    from janus_client import JanusSession
    from janus_client.testing import MockTransport, plugin_reply

    def janus(request):
        if request["janus"] == "message" and request["body"]["request"] == "list":
            return plugin_reply(request, {"videoroom": "success", "list": []})
        return None  # the default answer

    async with JanusSession(transport=MockTransport(janus)) as session:
        handle = await session.attach("janus.plugin.videoroom")
        assert (await handle.request({"request": "list"}))["list"] == []

The handler may be a coroutine function (to await, or to sleep before
answering), may return a list of messages (an ``ack`` then an ``event``), or
`NO_REPLY` to leave the request unanswered (to test timeouts). `MockTransport.push`
delivers a message Janus would send on its own (a plugin event, a ``hangup``).
Importing this module also registers the ``mock://`` URL scheme, so code that
takes a URL can be given ``"mock://janus"``.
"""

from __future__ import annotations

import copy
import inspect
import itertools
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar, Final, TypeAlias

from ..config import ReconnectPolicy, Timeouts
from ..transports.base import JanusTransport

__all__ = [
    "NO_REPLY",
    "MockHandler",
    "MockTransport",
    "error_reply",
    "plugin_reply",
    "success_reply",
]

logger = logging.getLogger("janus_client")


class _NoReply:
    def __repr__(self) -> str:
        return "NO_REPLY"


#: Returned by a handler: leave the request unanswered (the call then times out).
NO_REPLY: Final[Any] = _NoReply()

_Reply: TypeAlias = "Mapping[str, Any] | list[Mapping[str, Any]] | None"

#: A handler: called with each request, returns the reply (or an awaitable of it).
MockHandler: TypeAlias = Callable[[dict[str, Any]], "_Reply | Awaitable[_Reply]"]


def success_reply(
    request: Mapping[str, Any], data: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build Janus' ``success`` answer to ``request`` (with ``data`` when given)."""
    reply: dict[str, Any] = {"janus": "success", "transaction": request.get("transaction")}
    if "session_id" in request:
        reply["session_id"] = request["session_id"]
    if data is not None:
        reply["data"] = dict(data)
    return reply


def error_reply(request: Mapping[str, Any], code: int, reason: str) -> dict[str, Any]:
    """Build Janus' ``error`` answer to ``request`` (raised as the typed `ServerError`)."""
    reply: dict[str, Any] = {
        "janus": "error",
        "transaction": request.get("transaction"),
        "error": {"code": code, "reason": reason},
    }
    if "session_id" in request:
        reply["session_id"] = request["session_id"]
    return reply


def plugin_reply(
    request: Mapping[str, Any],
    data: Mapping[str, Any],
    *,
    plugin: str | None = None,
    jsep: Mapping[str, Any] | None = None,
    event: bool = False,
) -> dict[str, Any]:
    """Build a plugin's answer to a ``message`` request.

    Args:
        request: The ``message`` request.
        data: The plugin's data (``plugindata.data``).
        plugin: The plugin package name reported (default: the one attached to).
        jsep: An SDP offer or answer to send with it.
        event: Answer as an asynchronous ``event`` (return it after an ``ack``,
            see `MockTransport`) instead of a synchronous ``success``.
    """
    reply: dict[str, Any] = {
        "janus": "event" if event else "success",
        "transaction": request.get("transaction"),
        "session_id": request.get("session_id"),
        "sender": request.get("handle_id"),
        "plugindata": {"plugin": plugin, "data": dict(data)},
    }
    if plugin is None:
        del reply["plugindata"]["plugin"]  # `MockTransport` fills it in
    if jsep is not None:
        reply["jsep"] = dict(jsep)
    return reply


class MockTransport(JanusTransport):
    """A transport that answers every request by calling ``handler(request)``.

    Pass it as ``JanusSession(transport=MockTransport(handler))``, or give code
    under test the URL ``mock://...`` (after `register_handler`, that URL's
    transport calls the handler registered for it; without one, only the
    default answers are given).

    Args:
        handler: Called with a copy of each request dict; returns the reply, a
            list of messages, None (the default answer) or `NO_REPLY`. It may be
            a coroutine function. An exception it raises fails the call with it.
        api_secret: Default ``apisecret`` (to check that your code sends it).
        token: Default ``token``.
        base_url: The URL reported (default ``mock://janus``).
        timeouts: Deadlines; see `Timeouts`.
        reconnect: Accepted for the ``mock://`` factory; a mock never drops.
        ssl: Accepted for the ``mock://`` factory and ignored.

    Attributes:
        requests: Every request received, in order (copies), for assertions.
    """

    _handlers: ClassVar[dict[str, MockHandler]] = {}

    def __init__(
        self,
        handler: MockHandler | str | None = None,
        api_secret: str | None = None,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeouts: Timeouts | None = None,
        reconnect: ReconnectPolicy | None = None,
        ssl: object = None,
    ) -> None:
        del ssl
        if isinstance(handler, str):  # positional base_url, as the factory's form
            base_url, handler = handler, None
        if handler is None and base_url is not None:
            handler = MockTransport._handlers.get(base_url)
        if handler is not None and not callable(handler):
            raise TypeError(f"handler must be callable, got {type(handler).__name__}")
        super().__init__(
            base_url or "mock://janus", api_secret, token, timeouts=timeouts, reconnect=reconnect
        )
        self.handler = handler
        self.requests: list[dict[str, Any]] = []
        self._ids = itertools.count(1000)
        self._plugins: dict[int, str] = {}  # handle id -> plugin attached to

    @classmethod
    def register_handler(cls, url: str, handler: MockHandler | None) -> None:
        """Make transports created for ``url`` (``mock://...``) call ``handler``.

        Pass None to remove the registration.
        """
        if handler is None:
            cls._handlers.pop(url, None)
        else:
            cls._handlers[url] = handler

    def push(self, message: Mapping[str, Any]) -> None:
        """Deliver ``message`` as if Janus had sent it unprompted (an event, a hangup).

        It is routed like a real one: by ``session_id`` to the session, by
        ``sender`` to the handle.
        """
        self._receive_message(dict(message))

    # ------------------------------------------------------- transport hooks
    async def _open(self) -> None:
        logger.debug("mock transport %s opened", self.base_url)

    async def _close_connection(self) -> None:
        logger.debug("mock transport %s closed", self.base_url)

    async def _send(self, message: dict[str, Any]) -> None:
        request = copy.deepcopy(message)
        self.requests.append(copy.deepcopy(message))
        result: Any = None
        if self.handler is not None:
            result = self.handler(request)
            if inspect.isawaitable(result):
                result = await result
        if result is NO_REPLY:
            return
        if result is None:
            result = self._default_reply(message)
        replies = result if isinstance(result, list) else [result]
        for reply in replies:
            if not isinstance(reply, Mapping):
                raise TypeError(
                    f"the mock handler returned {type(reply).__name__}, not a message dict"
                )
            self._receive_message(self._complete(message, dict(reply)))

    def _complete(self, request: Mapping[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
        """Remember attached plugins; name the plugin in replies that leave it out."""
        if request.get("janus") == "attach" and reply.get("janus") == "success":
            hid = reply.get("data", {}).get("id")
            if isinstance(hid, int):
                self._plugins[hid] = str(request.get("plugin"))
        pd = reply.get("plugindata")
        if isinstance(pd, dict) and "plugin" not in pd:
            reply["plugindata"] = {
                "plugin": self._plugins.get(reply.get("sender") or 0, "janus.plugin.mock"),
                **pd,
            }
        return reply

    def _default_reply(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """What a plain Janus answers to a core request."""
        verb = request.get("janus")
        tid = request.get("transaction")
        if verb in ("create", "attach"):
            return success_reply(request, {"id": next(self._ids)})
        if verb == "keepalive" or verb == "trickle":
            return {"janus": "ack", "transaction": tid, "session_id": request.get("session_id")}
        if verb == "message":
            return plugin_reply(request, {})
        if verb == "info":
            return {"janus": "server_info", "transaction": tid, "name": "Mock Janus"}
        if verb == "ping":
            return {"janus": "pong", "transaction": tid}
        return success_reply(request)


def _is_mock_url(base_url: str) -> bool:
    return base_url.lower().startswith("mock://")


# A matcher, not a scheme: the error for an unknown scheme keeps listing the real ones.
JanusTransport.register_transport(protocol_matcher=_is_mock_url, transport_cls=MockTransport)
