"""An in-process fake Janus server for unit tests.

:class:`FakeJanus` speaks the Janus core API over both transports a client
normally uses, on one ``aiohttp`` application bound to ``127.0.0.1`` on an
ephemeral port:

* **WebSocket** at ``/`` (and ``/janus``). The ``janus-protocol`` subprotocol
  is required; an upgrade that does not offer it is refused with HTTP 400.
  Requests and replies are JSON text frames.
* **HTTP (REST)**: ``POST /janus``, ``POST /janus/<session>`` and
  ``POST /janus/<session>/<handle>`` answer in the response body (for a plugin
  ``message`` that is the ``ack``; the later ``event`` is queued for the
  long-poll); ``GET /janus/<session>[?maxev=N]`` is the long-poll;
  ``GET /janus/info`` and ``GET /janus/ping`` work as in Janus.

Out of the box it behaves like a small but faithful Janus (sessions, handles,
echoing plugins, the real error codes). Its point, though, is to produce what
a real server can't produce on demand: malformed JSON, unknown transactions,
dropped or delayed replies, abrupt closes, half-open connections. See
:meth:`FakeJanus.on_request`, :meth:`FakeJanus.drop`, :meth:`FakeJanus.delay`,
:meth:`FakeJanus.push`, :meth:`FakeJanus.close_connections`,
:meth:`FakeJanus.abort_connections` and :meth:`FakeJanus.freeze`.

`FakeStreaming` adds in-memory Streaming mountpoint management (``install(fake)``).

The default behaviour is a table, `janus_client.testing.fake.verbs.VERBS`: one
handler per Janus core verb with the path level where it is accepted.

Example:
    A test that checks how a client copes with garbage in reply to ``attach``:

    ```python
    from janus_client.testing.fake import DROP, FakeJanus

    async def test_garbage_attach() -> None:
        async with FakeJanus() as fake:
            fake.on_request("attach", lambda req: "}{ not json")
            fake.on_request("hangup", lambda req: DROP)  # never answered
            fake.drop("keepalive", 2)  # ignore the next two keepalives
            ...  # connect a client to fake.ws_url or fake.http_url
            request = await fake.wait_for_request("attach")
            assert request["plugin"] == "janus.plugin.echotest"
    ```
"""

from __future__ import annotations

from ._model import (
    DROP,
    FAKE_ANSWER_SDP,
    FakeHandle,
    FakeRequest,
    FakeSession,
    Handler,
    Reply,
    ReplyItem,
)
from .server import FakeJanus
from .streaming import FakeStreaming

__all__ = [
    "DROP",
    "FAKE_ANSWER_SDP",
    "FakeHandle",
    "FakeJanus",
    "FakeRequest",
    "FakeSession",
    "FakeStreaming",
    "Handler",
    "Reply",
    "ReplyItem",
]
