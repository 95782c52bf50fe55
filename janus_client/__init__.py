"""janus-client: an asyncio client for the Janus WebRTC gateway.

Quick start:

```python
import asyncio
from janus_client import JanusSession

async def main() -> None:
    async with JanusSession("ws://127.0.0.1:8188") as session:
        print(await session.info())
        handle = await session.attach("janus.plugin.echotest")
        await handle.detach()

asyncio.run(main())
```

Importing the package configures no logging and does not import aiortc or av.
"""

from __future__ import annotations

import logging
from typing import Any

from ._dispatch import EventStream
from ._version import __version__
from .admin import ComponentInfo, HandleInfo, JanusAdminMonitorClient, ServerInfo, StatusInfo
from .config import ReconnectPolicy, Timeouts
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
    ConnectionState,
    ConnectionStateEvent,
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
from .logs import RedactingFilter, RedactingLoggerAdapter
from .plugins.audiobridge import (
    AudioBridgeError,
    AudioBridgeEvent,
    AudioBridgeEventType,
    JanusAudioBridgePlugin,
)
from .plugins.base import JanusPlugin
from .plugins.echotest import EchoTestError, JanusEchoTestPlugin
from .plugins.media import JanusMediaPlugin
from .plugins.nosip import JanusNoSipPlugin, NoSipError
from .plugins.sip import (
    JanusSipPlugin,
    SipCall,
    SipCallError,
    SipError,
    SipEvent,
    SipEventType,
    SipRegistrationError,
)
from .plugins.textroom import (
    JanusTextRoomPlugin,
    TextRoomAnnouncementEvent,
    TextRoomDestroyedEvent,
    TextRoomEditedEvent,
    TextRoomError,
    TextRoomErrorEvent,
    TextRoomEvent,
    TextRoomEventType,
    TextRoomJoinEvent,
    TextRoomKickedEvent,
    TextRoomLeaveEvent,
    TextRoomMessageEvent,
    TextRoomStateError,
)
from .plugins.videocall import (
    JanusVideoCallPlugin,
    VideoCallError,
    VideoCallEvent,
    VideoCallEventType,
)
from .plugins.videoroom import (
    JanusVideoRoomPlugin,
    ParticipantType,
    VideoRoomError,
    VideoRoomEvent,
    VideoRoomEventType,
    VideoRoomPublisher,
    VideoRoomRemotePublisher,
    VideoRoomRemotization,
    VideoRoomStateError,
    VideoRoomStream,
)
from .plugins.videoroom_cascade import CascadedPublisher, cascade_publisher
from .plugins.voicemail import JanusVoiceMailPlugin, VoiceMailError
from .session import JanusSession, SessionState
from .transports import (
    JanusTransport,
    JanusTransportAMQP,
    JanusTransportHTTP,
    JanusTransportMQTT,
    JanusTransportUnix,
    JanusTransportWebsocket,
    RequestTooLargeError,
)

logging.getLogger("janus_client").addHandler(logging.NullHandler())

_MEDIA_NAMES = ("MediaPlayer", "MediaRecorder", "MediaStreamTrack", "PassthroughRecorder")


def __getattr__(name: str) -> Any:
    # The media names (players, recorders, tracks) need the media extra: load them on first use
    # so that importing janus_client never imports aiortc or av.
    if name in _MEDIA_NAMES:
        from . import webrtc

        return getattr(webrtc, name)
    raise AttributeError(f"module 'janus_client' has no attribute {name!r}")


__all__ = [
    "AudioBridgeError",
    "AudioBridgeEvent",
    "AudioBridgeEventType",
    "CascadedPublisher",
    "ComponentInfo",
    "ConnectError",
    "ConnectionClosedError",
    "ConnectionState",
    "ConnectionStateEvent",
    "DetachedEvent",
    "EchoTestError",
    "EventStream",
    "HandleInfo",
    "HandleNotFoundError",
    "HangupEvent",
    "InvalidStateError",
    "JanusAdminMonitorClient",
    "JanusAudioBridgePlugin",
    "JanusEchoTestPlugin",
    "JanusError",
    "JanusEvent",
    "JanusHandle",
    "JanusMediaPlugin",
    "JanusNoSipPlugin",
    "JanusPlugin",
    "JanusSession",
    "JanusSipPlugin",
    "JanusTextRoomPlugin",
    "JanusTransport",
    "JanusTransportAMQP",
    "JanusTransportHTTP",
    "JanusTransportMQTT",
    "JanusTransportUnix",
    "JanusTransportWebsocket",
    "JanusVideoCallPlugin",
    "JanusVideoRoomPlugin",
    "JanusVoiceMailPlugin",
    "MediaEvent",
    "MediaKind",
    "MediaUnavailableError",
    "NoSipError",
    "ParticipantType",
    "PluginAttachError",
    "PluginAttachFail",
    "PluginError",
    "PluginEvent",
    "PluginNotFoundError",
    "PluginResponse",
    "ProtocolError",
    "ReconnectPolicy",
    "RedactingFilter",
    "RedactingLoggerAdapter",
    "RequestTimeoutError",
    "RequestTooLargeError",
    "ServerError",
    "ServerInfo",
    "SessionLost",
    "SessionNotFoundError",
    "SessionState",
    "SessionTimeoutEvent",
    "SipCall",
    "SipCallError",
    "SipError",
    "SipEvent",
    "SipEventType",
    "SipRegistrationError",
    "SlowLinkEvent",
    "StatusInfo",
    "TextRoomAnnouncementEvent",
    "TextRoomDestroyedEvent",
    "TextRoomEditedEvent",
    "TextRoomError",
    "TextRoomErrorEvent",
    "TextRoomEvent",
    "TextRoomEventType",
    "TextRoomJoinEvent",
    "TextRoomKickedEvent",
    "TextRoomLeaveEvent",
    "TextRoomMessageEvent",
    "TextRoomStateError",
    "Timeouts",
    "TransportError",
    "TrickleEvent",
    "UnauthorizedError",
    "VideoCallError",
    "VideoCallEvent",
    "VideoCallEventType",
    "VideoRoomError",
    "VideoRoomEvent",
    "VideoRoomEventType",
    "VideoRoomPublisher",
    "VideoRoomRemotePublisher",
    "VideoRoomRemotization",
    "VideoRoomStateError",
    "VideoRoomStream",
    "VoiceMailError",
    "WebRTCUpEvent",
    "__version__",
    "cascade_publisher",
]
