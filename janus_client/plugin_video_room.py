"""janus-client 0.9.x import path, kept so that existing code runs unchanged.

New code should import from the package root (``from janus_client import ...``).
"""

from .plugins.videoroom import (
    JanusVideoRoomPlugin,
    ParticipantType,
    VideoRoomError,
    VideoRoomEventType,
)

__all__ = ['JanusVideoRoomPlugin', 'ParticipantType', 'VideoRoomError', 'VideoRoomEventType']
