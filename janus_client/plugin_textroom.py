"""janus-client 0.9.x import path, kept so that existing code runs unchanged.

New code should import from the package root (``from janus_client import ...``).
"""

from .plugins.textroom import JanusTextRoomPlugin, TextRoomError, TextRoomEventType

__all__ = ['JanusTextRoomPlugin', 'TextRoomError', 'TextRoomEventType']
