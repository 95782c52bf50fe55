"""``janus-client sip register``: register a SIP account, then call or answer, live."""

from __future__ import annotations

import argparse
import contextlib
import time
from typing import TYPE_CHECKING, Any

from ._common import EXIT_ERROR, Subcommands, UsageError, add_command, env, session
from ._media import check_media
from ._media import setup_media as _setup_media
from ._output import Output

if TYPE_CHECKING:
    from ..plugins.sip import SipCall, SipEvent

__all__ = ["cmd_sip", "register"]


def _event_fields(event: SipEvent) -> dict[str, Any]:
    fields: dict[str, Any] = {"event": event.type.value}
    for name in ("call_id", "username", "code", "reason", "callee", "caller", "sender"):
        value = getattr(event, name)
        if value is not None:
            fields[name] = value
    if event.content is not None:
        fields["content_type"] = event.content_type
        fields["content"] = event.content
    if event.dtmf is not None:
        fields["dtmf"] = event.dtmf
    return fields


def _show(out: Output, fields: dict[str, Any]) -> None:
    if out.as_json:
        out.result(fields)
        return
    rest = " ".join(f"{k}={v}" for k, v in fields.items() if k != "event")
    out.line(f"{fields['event']:<20} {rest}".rstrip())


async def cmd_sip(args: argparse.Namespace, out: Output) -> int:
    """Register to a SIP server; optionally place or answer one call, printing events."""
    from ..plugins.sip import JanusSipPlugin, SipCallError, SipEvent

    if args.call or args.answer:
        _setup_media(args)
    janus = session(args)
    sip = JanusSipPlugin()
    started = time.monotonic()

    def show_event(event: SipEvent) -> None:
        fields = _event_fields(event)
        fields["t"] = round(time.monotonic() - started, 3)
        _show(out, fields)

    status = 0
    try:
        await sip.attach(janus)
        sip.on_event(show_event, SipEvent)
        await sip.register(
            args.uri,
            secret=args.secret,
            proxy=args.proxy,
            outbound_proxy=args.outbound_proxy,
            authuser=args.authuser,
            display_name=args.display_name,
            type="guest" if args.guest else None,
            timeout=args.timeout,
        )
        call: SipCall | None = None
        if args.call:
            call = await sip.call(args.call, timeout=args.timeout)
            try:
                await call.answered(timeout=args.ring_timeout)
            except SipCallError as exc:
                _show(out, {"event": "failed", "code": exc.sip_code, "reason": exc.sip_reason})
                call = None
                status = EXIT_ERROR
        elif args.answer:
            call = await sip.wait_incoming_call(timeout=args.ring_timeout)
            await call.accept(timeout=args.timeout)
        if call is not None:
            status = await _talk(args, out, sip, call)
        if not args.guest:
            await sip.unregister(timeout=args.timeout)
    finally:
        await sip.destroy()
        await janus.destroy()
    return status


async def _talk(args: argparse.Namespace, out: Output, sip: Any, call: SipCall) -> int:
    """Keep the call up for ``--seconds`` (or until the peer hangs up), then report."""
    peer = sip.peer_connection  # kept: its counters outlive the call
    if args.dtmf:
        await call.send_dtmf(args.dtmf, timeout=args.timeout)
    with contextlib.suppress(TimeoutError):  # the peer may hang up first
        await call.ended(timeout=args.seconds)
    stats = peer.stats.get("audio") if peer is not None else None
    frames = stats.frames if stats is not None else 0
    if call.active:
        await call.hangup(timeout=args.timeout)
        await call.ended(timeout=args.timeout)
    summary = {
        "event": "summary",
        "peer": call.peer_uri,
        "call_id": call.call_id,
        "audio_frames_received": frames,
        "hangup_code": call.hangup_code,
        "hangup_reason": call.hangup_reason,
        "dtmf_received": "".join(call.dtmf_received),
    }
    _show(out, summary)
    return 0 if frames else EXIT_ERROR


def _check(args: argparse.Namespace) -> None:
    if args.call and args.answer:
        raise UsageError("--call and --answer exclude each other")
    if args.ring_timeout <= 0:
        raise UsageError("--ring-timeout must be positive")
    if not args.uri.startswith(("sip:", "sips:")):
        raise UsageError(f"the account must be a sip: URI, got {args.uri!r}")
    check_media(args, sends_media=bool(args.call or args.answer))


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``sip`` command."""
    p = add_command(
        sub,
        common,
        "sip",
        cmd_sip,
        check=_check,
        help="SIP: register an account, then call or answer, printing events live",
        description="register: register URI at --proxy through Janus' SIP plugin, print "
        "every SIP event as it comes (one JSON document per line with --json), "
        "optionally place a call (--call) or answer the next one (--answer) with a tone "
        "as our audio, keep it --seconds, hang up and unregister.",
    )
    p.add_argument("action", choices=("register",))
    p.add_argument("uri", help="the SIP account, e.g. sip:alice@example.com")
    p.add_argument("--proxy", help="the registrar / proxy, e.g. sip:example.com:5060")
    p.add_argument("--outbound-proxy", help="an outbound proxy URI")
    p.add_argument(
        "--secret",
        default=env("JANUS_SIP_SECRET"),
        help="the SIP password (env JANUS_SIP_SECRET, which keeps it out of ps)",
    )
    p.add_argument("--authuser", help="the user to authenticate as")
    p.add_argument("--display-name", help="the display name")
    p.add_argument("--guest", action="store_true", help="no REGISTER: outgoing calls only")
    p.add_argument("--call", metavar="URI", help="call this SIP URI once registered")
    p.add_argument("--answer", action="store_true", help="answer the next incoming call")
    p.add_argument("--dtmf", help="DTMF digits to send (SIP INFO) once the call is up")
    p.add_argument("--seconds", type=float, default=5.0, help="how long the call lasts (default 5)")
    p.add_argument(
        "--ring-timeout",
        type=float,
        default=30.0,
        help="how long to wait for an answer or an incoming call (default 30)",
    )
    p.add_argument("--ice-address", help="the address WebRTC gathers on (env JANUS_ICE_ADDRESS)")
