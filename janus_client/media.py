"""janus-client 0.9.x import path for media names, kept for existing code.

Importing it needs the ``media`` extra (it loads aiortc and av). New code should use
`janus_client.webrtc`.
"""

from .events import MediaKind
from .webrtc import MediaPlayer, MediaRecorder, MediaStreamTrack

__all__ = ["MediaKind", "MediaPlayer", "MediaRecorder", "MediaStreamTrack"]
