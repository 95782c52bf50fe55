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

Importing the package configures no logging and does not import aiortc, av,
aiohttp or a broker client. The core (sessions, handles, events, errors, the
WebSocket and Unix-socket transports) loads at import; the plugin classes, the
admin client and the HTTP, MQTT and RabbitMQ transports load on first use of
their names (``janus_client.JanusVideoRoomPlugin``, ``from janus_client import
JanusTransportHTTP``), so that a program pays only for what it uses.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._dispatch import EventStream
from ._version import __version__
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
from .session import JanusSession, SessionState
from .transports import (
    JanusTransport,
    JanusTransportUnix,
    JanusTransportWebsocket,
    RequestTooLargeError,
)

if TYPE_CHECKING:
    from .admin import (
        ComponentInfo,
        HandleInfo,
        JanusAdminMonitorClient,
        ServerInfo,
        StatusInfo,
    )
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
    from .plugins.recordplay import (
        JanusRecordPlayPlugin,
        Recording,
        RecordPlayError,
        RecordPlayEvent,
        RecordPlayEventType,
    )
    from .plugins.sip import (
        JanusSipPlugin,
        SipCall,
        SipCallError,
        SipError,
        SipEvent,
        SipEventType,
        SipRegistrationError,
    )
    from .plugins.streaming import (
        JanusStreamingPlugin,
        Mountpoint,
        MountpointCreated,
        RtpMedia,
        StreamingError,
        StreamingEvent,
        StreamingEventType,
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
    from .transports.amqp import JanusTransportAMQP
    from .transports.http import JanusTransportHTTP
    from .transports.mqtt import JanusTransportMQTT

logging.getLogger("janus_client").addHandler(logging.NullHandler())

#: Public names loaded on first use, by module (relative to this package).
_LAZY_MODULES: dict[str, tuple[str, ...]] = {
    ".admin": (
        "ComponentInfo",
        "HandleInfo",
        "JanusAdminMonitorClient",
        "ServerInfo",
        "StatusInfo",
    ),
    ".plugins.audiobridge": (
        "AudioBridgeError",
        "AudioBridgeEvent",
        "AudioBridgeEventType",
        "JanusAudioBridgePlugin",
    ),
    ".plugins.base": ("JanusPlugin",),
    ".plugins.echotest": ("EchoTestError", "JanusEchoTestPlugin"),
    ".plugins.media": ("JanusMediaPlugin",),
    ".plugins.nosip": ("JanusNoSipPlugin", "NoSipError"),
    ".plugins.recordplay": (
        "JanusRecordPlayPlugin",
        "Recording",
        "RecordPlayError",
        "RecordPlayEvent",
        "RecordPlayEventType",
    ),
    ".plugins.sip": (
        "JanusSipPlugin",
        "SipCall",
        "SipCallError",
        "SipError",
        "SipEvent",
        "SipEventType",
        "SipRegistrationError",
    ),
    ".plugins.streaming": (
        "JanusStreamingPlugin",
        "Mountpoint",
        "MountpointCreated",
        "RtpMedia",
        "StreamingError",
        "StreamingEvent",
        "StreamingEventType",
    ),
    ".plugins.textroom": (
        "JanusTextRoomPlugin",
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
    ),
    ".plugins.videocall": (
        "JanusVideoCallPlugin",
        "VideoCallError",
        "VideoCallEvent",
        "VideoCallEventType",
    ),
    ".plugins.videoroom": (
        "JanusVideoRoomPlugin",
        "ParticipantType",
        "VideoRoomError",
        "VideoRoomEvent",
        "VideoRoomEventType",
        "VideoRoomPublisher",
        "VideoRoomRemotePublisher",
        "VideoRoomRemotization",
        "VideoRoomStateError",
        "VideoRoomStream",
    ),
    ".plugins.videoroom_cascade": ("CascadedPublisher", "cascade_publisher"),
    ".plugins.voicemail": ("JanusVoiceMailPlugin", "VoiceMailError"),
    # Need the optional media extra (aiortc, av).
    ".webrtc": ("MediaPlayer", "MediaRecorder", "MediaStreamTrack", "PassthroughRecorder"),
    # aiohttp and the broker clients load with these only.
    ".transports.amqp": ("JanusTransportAMQP",),
    ".transports.http": ("JanusTransportHTTP",),
    ".transports.mqtt": ("JanusTransportMQTT",),
}
_LAZY = {name: module for module, names in _LAZY_MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'janus_client' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    if module != ".webrtc":  # media names stay lookups (the extra may come later)
        globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
    "JanusRecordPlayPlugin",
    "JanusSession",
    "JanusSipPlugin",
    "JanusStreamingPlugin",
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
    "Mountpoint",
    "MountpointCreated",
    "NoSipError",
    "ParticipantType",
    "PassthroughRecorder",
    "PluginAttachError",
    "PluginAttachFail",
    "PluginError",
    "PluginEvent",
    "PluginNotFoundError",
    "PluginResponse",
    "ProtocolError",
    "ReconnectPolicy",
    "RecordPlayError",
    "RecordPlayEvent",
    "RecordPlayEventType",
    "Recording",
    "RedactingFilter",
    "RedactingLoggerAdapter",
    "RequestTimeoutError",
    "RequestTooLargeError",
    "RtpMedia",
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
    "StreamingError",
    "StreamingEvent",
    "StreamingEventType",
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
