"""A private Janus on loopback: ``--local`` for one command, and what ``serve`` starts."""

from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
from collections.abc import Iterator
from typing import Any

from ._common import env
from ._output import note

__all__ = ["DEFAULT_ICE_ADDRESS", "local_janus", "start_local", "wanted_ice_address"]

#: The ICE address the local Janus uses unless JANUS_ICE_ADDRESS or --ice-address says otherwise.
DEFAULT_ICE_ADDRESS = "127.0.0.2"


def wanted_ice_address(args: argparse.Namespace) -> str:
    """The ICE address for a local Janus: --ice-address, JANUS_ICE_ADDRESS, or 127.0.0.2."""
    value = getattr(args, "ice_address", None) or env("JANUS_ICE_ADDRESS") or DEFAULT_ICE_ADDRESS
    return str(value)


def start_local(args: argparse.Namespace, **options: Any) -> Any:
    """Start a private Janus (a started ``JanusServer``); announce an ICE fallback."""
    from ..testing import JanusServer, ice_address_instructions

    wanted = wanted_ice_address(args)
    server = JanusServer(ice_address=wanted, **options)
    server.start()
    if server.ice_address is None:
        note(
            f"note: ICE address {wanted} is missing and creating it needs "
            f"root, so media may use another interface; {ice_address_instructions(wanted)}"
        )
    return server


@contextlib.contextmanager
def local_janus(args: argparse.Namespace) -> Iterator[None]:
    """With ``--local``: start a private Janus and point the URLs at it."""
    if not getattr(args, "local", False):
        yield
        return
    admin_secret = args.admin_secret or secrets.token_urlsafe(16)
    server = start_local(args, admin_secret=admin_secret)
    try:
        args.url = server.ws_url if args.transport == "ws" else server.http_url
        args.admin_url = server.admin_ws_url if args.transport == "ws" else server.admin_http_url
        args.admin_secret = admin_secret
        args.ice_address = server.ice_address
        if not args.json:
            print(
                f"started a local Janus (pid {server.pid}) at {args.url}",
                file=sys.stderr,
                flush=True,
            )
        yield
    finally:
        server.stop()
