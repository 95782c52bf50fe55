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
from typing import Any

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
    MediaKind,
    PluginEvent,
    SessionTimeoutEvent,
    SlowLinkEvent,
    TrickleEvent,
    WebRTCUpEvent,
)
from .handle import JanusHandle, PluginResponse
from .plugins.base import JanusPlugin
from .plugins.echotest import EchoTestError, JanusEchoTestPlugin
from .plugins.media import JanusMediaPlugin
from .session import JanusSession, SessionState
from .transports import JanusTransport, JanusTransportHTTP, JanusTransportWebsocket

logging.getLogger("janus_client").addHandler(logging.NullHandler())

_MEDIA_NAMES = ("MediaPlayer", "MediaRecorder", "MediaStreamTrack")


def __getattr__(name: str) -> Any:
    # MediaPlayer, MediaRecorder and MediaStreamTrack need the media extra: load them on first use
    # so that importing janus_client never imports aiortc or av.
    if name in _MEDIA_NAMES:
        from . import webrtc

        return getattr(webrtc, name)
    raise AttributeError(f"module 'janus_client' has no attribute {name!r}")


__all__ = [
    "ConnectError",
    "ConnectionClosedError",
    "DetachedEvent",
    "EchoTestError",
    "EventStream",
    "HandleNotFoundError",
    "HangupEvent",
    "InvalidStateError",
    "JanusError",
    "JanusEchoTestPlugin",
    "JanusEvent",
    "JanusHandle",
    "JanusMediaPlugin",
    "JanusPlugin",
    "JanusSession",
    "JanusTransport",
    "JanusTransportHTTP",
    "JanusTransportWebsocket",
    "MediaEvent",
    "MediaKind",
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
