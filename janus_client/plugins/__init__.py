"""Plugin classes: thin typed layers over a generic handle."""

from .base import JanusPlugin

__all__ = ["JanusPlugin"]
