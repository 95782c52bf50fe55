"""What the commands that make a call share: the media options and synthetic tracks."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ._common import UsageError

__all__ = ["check_media", "load_media", "media_options", "setup_media", "synthetic_tracks"]

#: The options of a call with synthetic media: flag, type, default, help.
_OPTIONS: tuple[tuple[str, type, float, str], ...] = (
    ("--seconds", float, 5.0, "how long the call lasts, seconds (default 5)"),
    ("--width", int, 640, "synthetic video width, pixels (default 640)"),
    ("--height", int, 480, "synthetic video height, pixels (default 480)"),
    ("--fps", float, 30.0, "synthetic video frame rate (default 30)"),
)


def media_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of a call with synthetic media (length, size, frame rate)."""
    for flag, kind, default, text in _OPTIONS:
        parser.add_argument(flag, type=kind, default=kind(default), help=text)


def check_media(args: argparse.Namespace, *, sends_media: bool = True) -> None:
    """Usage checks of the `media_options`; fail fast when the media extra is missing.

    Args:
        args: The parsed command line.
        sends_media: The command makes a call (it needs the media extra).

    Raises:
        UsageError: ``--seconds`` is negative (None, "no limit", is allowed).
        MediaUnavailableError: The call needs the media extra and it is not installed.

    """
    if args.seconds is not None and args.seconds < 0:
        raise UsageError("--seconds must not be negative")
    if sends_media:
        load_media()  # before any local Janus starts


def load_media() -> Any:
    """Import the media module, or fail with the install hint."""
    from ..plugins.media import load_webrtc

    return load_webrtc()


def setup_media(args: argparse.Namespace) -> Any:
    """Load the media module and make WebRTC use the ICE address of the command line.

    The address is ``--ice-address``, else ``JANUS_ICE_ADDRESS`` (neither: aiortc's own choice).

    Returns:
        The media module (`janus_client.webrtc`), as `load_media` returns it.

    Raises:
        MediaUnavailableError: The media extra is not installed (with the install hint).

    """
    webrtc = load_media()
    ice = getattr(args, "ice_address", None) or os.environ.get("JANUS_ICE_ADDRESS")
    if ice:
        from ..webrtc import set_host_addresses

        set_host_addresses([ice])
    return webrtc


def synthetic_tracks(webrtc: Any, args: argparse.Namespace) -> tuple[Any, Any]:
    """A tone and a frame-counting video of the size and rate of the command line.

    Returns:
        ``(audio, video)`` tracks.

    """
    video = webrtc.FrameCounterVideoTrack(args.width, args.height, fps=args.fps)
    return webrtc.ToneAudioTrack(), video
