"""Shared bits of the examples: where Janus is, and the ICE address for media.

Every example reads the Janus URL from the first command-line argument or the
``JANUS_URL`` environment variable (default ``ws://127.0.0.1:8188``). Media examples
gather ICE candidates only on ``JANUS_ICE_ADDRESS`` when it is set (the test bed
uses 127.0.0.2).
"""

from __future__ import annotations

import os
import sys


def janus_url() -> str:
    """The Janus API URL to use."""
    if len(sys.argv) > 1:
        return sys.argv[1]
    return os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


def setup_media() -> None:
    """Restrict ICE to JANUS_ICE_ADDRESS when set (loopback test bed)."""
    address = os.environ.get("JANUS_ICE_ADDRESS")
    if address:
        from janus_client.webrtc import set_host_addresses

        set_host_addresses([address])
