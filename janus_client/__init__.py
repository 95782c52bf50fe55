"""janus-client: an asyncio client for the Janus WebRTC gateway.

Quick start::

    import asyncio
    from janus_client import JanusSession

    async def main() -> None:
        async with JanusSession("ws://127.0.0.1:8188") as session:
            print(await session.info())
            handle = await session.attach("janus.plugin.echotest")
            await handle.detach()

    asyncio.run(main())

Importing the package configures no logging and does not import aiortc or av.
"""

from __future__ import annotations

import logging

from ._dispatch import EventStream
from ._version import __version__
from .config import Timeouts
from .errors import (
    ConnectError,
    ConnectionClosedError,
    HandleNotFoundError,
    InvalidStateError,
    JanusError,
    MediaUnavailableError,
    PluginAttachError,
    PluginAttachFail,
    PluginError,
    PluginNotFoundError,
    ProtocolError,
    RequestTimeoutError,
    ServerError,
    SessionLost,
    SessionNotFoundError,
    TransportError,
    UnauthorizedError,
)
from .events import (
    DetachedEvent,
    HangupEvent,
    JanusEvent,
    MediaEvent,
    PluginEvent,
    SessionTimeoutEvent,
    SlowLinkEvent,
    TrickleEvent,
    WebRTCUpEvent,
)
from .handle import JanusHandle, PluginResponse
from .plugins.base import JanusPlugin
from .session import JanusSession, SessionState
from .transports import JanusTransport, JanusTransportHTTP, JanusTransportWebsocket

logging.getLogger("janus_client").addHandler(logging.NullHandler())

__all__ = [
    "ConnectError",
    "ConnectionClosedError",
    "DetachedEvent",
    "EventStream",
    "HandleNotFoundError",
    "HangupEvent",
    "InvalidStateError",
    "JanusError",
    "JanusEvent",
    "JanusHandle",
    "JanusPlugin",
    "JanusSession",
    "JanusTransport",
    "JanusTransportHTTP",
    "JanusTransportWebsocket",
    "MediaEvent",
    "MediaUnavailableError",
    "PluginAttachError",
    "PluginAttachFail",
    "PluginError",
    "PluginEvent",
    "PluginNotFoundError",
    "PluginResponse",
    "ProtocolError",
    "RequestTimeoutError",
    "ServerError",
    "SessionLost",
    "SessionNotFoundError",
    "SessionState",
    "SessionTimeoutEvent",
    "SlowLinkEvent",
    "Timeouts",
    "TransportError",
    "TrickleEvent",
    "UnauthorizedError",
    "WebRTCUpEvent",
    "__version__",
]
