"""SIPp scenarios for testing SIP plugin code: generated XML, parameterised in Python.

Private to `janus_client.testing`; `SippProcess` (``_sipp.py``) runs them. Each
function returns the XML text of one scenario. SIPp keywords in brackets
(``[local_ip]``, ``[media_port]``, ``[service]``, ...) are filled in by SIPp.
"""

from __future__ import annotations

__all__ = ["caller", "registrar"]

_HEAD = '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="{name}">\n'
_TAIL = "</scenario>\n"


def _sdp(direction: str = "sendrecv") -> str:
    # PCMU only: the echo of what Janus sends is decodable by aiortc again.
    return (
        "v=0\n"
        "o=sipp 1 1 IN IP4 [media_ip]\n"
        "s=-\n"
        "c=IN IP4 [media_ip]\n"
        "t=0 0\n"
        "m=audio [media_port] RTP/AVP 0 101\n"
        "a=rtpmap:0 PCMU/8000\n"
        "a=rtpmap:101 telephone-event/8000\n"
        "a=fmtp:101 0-16\n"
        f"a={direction}\n"
    )


def _reply(code: int, phrase: str, *, tag: bool = True, extra: str = "", body: str = "") -> str:
    lines = [
        f"SIP/2.0 {code} {phrase}",
        "[last_Via:]",
        "[last_From:]",
        "[last_To:];tag=[pid]sipp[call_number]" if tag else "[last_To:]",
        "[last_Call-ID:]",
        "[last_CSeq:]",
        "Contact: <sip:sipp@[local_ip]:[local_port]>",
    ]
    if extra:
        lines.append(extra)
    if body:
        lines += ["Content-Type: application/sdp", "Content-Length: [len]", "", body]
    else:
        lines += ["Content-Length: 0", ""]
    return "\n".join(lines) + "\n"


def _callee_request(
    method: str,
    cseq: int,
    *,
    extra: tuple[str, ...] = (),
    content_type: str | None = None,
    body: tuple[str, ...] = (),
) -> str:
    """A request the callee sends in a dialog it accepted (BYE, NOTIFY).

    It needs the dialog's variables (``_DIALOG_VARS``): the peer's Contact, From, To.
    """
    lines = [
        f"{method} [$rcontact] SIP/2.0",
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]",
        "From: [$lto];tag=[pid]sipp[call_number]",
        "To: [$rfrom]",
        "Call-ID: [call_id]",
        f"CSeq: {cseq} {method}",
        "Contact: <sip:sipp@[local_ip]:[local_port]>",
        *extra,
        "Max-Forwards: 70",
    ]
    if content_type is not None:
        lines += [f"Content-Type: {content_type}", "Content-Length: [len]", "", *body]
    else:
        lines += ["Content-Length: 0", ""]
    return "\n".join(lines)


def _send(text: str, *, retrans: bool = False, attrs: str = "") -> str:
    retr = ' retrans="500"' if retrans else ""
    return f"  <send{retr}{attrs}><![CDATA[\n{text}\n]]></send>\n"


_DIALOG_VARS = (
    "    <action>\n"
    '      <ereg regexp="[^ ].*" search_in="hdr" header="From:" assign_to="rfrom"/>\n'
    '      <ereg regexp="[^ ].*" search_in="hdr" header="To:" assign_to="lto"/>\n'
    '      <ereg regexp="sip:[^&gt;;]*" search_in="hdr" header="Contact:" assign_to="rcontact"/>\n'
    "    </action>\n"
)


def registrar(
    *,
    register_code: int = 200,
    answer: bool = True,
    hangup_after_ms: int | None = None,
    notify: bool = True,
    early_media_ms: int | None = None,
) -> str:
    """A registrar and callee (UAS).

    It answers any REGISTER with ``register_code`` (200, or e.g. 403), logging the
    Contact's host and port as ``CONTACT <host> <port>``; an INVITE with 180 then
    200 + SDP (PCMU, telephone-event) when ``answer``, else 486; then, in the call,
    re-INVITEs (200 + SDP), INFO and MESSAGE (200), REFER (202) until a BYE (200),
    in any order (a re-INVITE's ACK may come after later requests).
    With ``hangup_after_ms`` it sends the BYE itself after that long. An
    out-of-dialog MESSAGE gets 200; a SUBSCRIBE gets 200 and, with ``notify``, one
    NOTIFY (``Subscription-State: active``, a ``message-summary`` body).

    Args:
        register_code: The response to REGISTER.
        answer: Whether INVITEs are answered (else refused with 486).
        hangup_after_ms: Hang up (BYE) this long after the ACK, instead of waiting.
        notify: Send a NOTIFY after accepting a SUBSCRIBE.
        early_media_ms: Send 183 Session Progress with the SDP (early media) and
            answer (200) that long after it, instead of 180 then 200.
    """
    phrase = {200: "OK", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}.get(
        register_code, "Refused"
    )
    out = [_HEAD.format(name="janus-client registrar")]
    out.append(
        '  <recv request="REGISTER" optional="true" next="reg">\n'
        "    <action>\n"
        '      <ereg regexp="sip:[^@]*@([0-9.]+):([0-9]+)" search_in="hdr" header="Contact:"'
        ' assign_to="c,chost,cport"/>\n'
        '      <log message="CONTACT [$chost] [$cport]"/>\n'
        "    </action>\n"
        "  </recv>\n"
        '  <recv request="MESSAGE" optional="true" next="oodmsg"/>\n'
        '  <recv request="SUBSCRIBE" optional="true" next="sub">\n'
        f"{_DIALOG_VARS}"
        "  </recv>\n"
        '  <recv request="INVITE">\n'
        f"{_DIALOG_VARS}"
        "  </recv>\n"
    )
    if not answer:
        out.append(_send(_reply(486, "Busy Here")))
        out.append('  <recv request="ACK" next="end"/>\n')
    else:
        if early_media_ms is None:
            out.append(_send(_reply(180, "Ringing")))
        else:
            out.append(_send(_reply(183, "Session Progress", body=_sdp())))
            out.append(f'  <pause milliseconds="{int(early_media_ms)}"/>\n')
        out.append(_send(_reply(200, "OK", body=_sdp()), retrans=True))
        out.append('  <recv request="ACK"/>\n')
        if hangup_after_ms is not None:
            out.append(f'  <pause milliseconds="{int(hangup_after_ms)}"/>\n')
            out.append(_send(_callee_request("BYE", 2), retrans=True))
            out.append('  <recv response="200" next="end"/>\n')
        else:
            # In the call, requests are taken in whatever order they come. The ACK
            # of a re-INVITE is one of them: the peer may send a MESSAGE or INFO
            # before it (a mandatory ACK after the 200 made SIPp drop the call on
            # such a request). So the re-INVITE's 200 has no retransmissions (they
            # would hold back every later answer until the ACK); a repeated
            # re-INVITE gets it again (SIPp answers a retransmission itself).
            out.append(
                '  <label id="loop"/>\n'
                '  <recv request="ACK" optional="true" next="loop"/>\n'
                '  <recv request="INVITE" optional="true" next="reinvite"/>\n'
                '  <recv request="INFO" optional="true" next="info"/>\n'
                '  <recv request="MESSAGE" optional="true" next="msg"/>\n'
                '  <recv request="REFER" optional="true" next="refer"/>\n'
                '  <recv request="BYE" next="bye"/>\n'
                '  <label id="reinvite"/>\n'
            )
            out.append(_send(_reply(200, "OK", body=_sdp()), attrs=' next="loop"'))
            out.append('  <label id="info"/>\n')
            out.append(_send(_reply(200, "OK"), attrs=' next="loop"'))
            out.append('  <label id="msg"/>\n')
            out.append(_send(_reply(200, "OK"), attrs=' next="loop"'))
            out.append('  <label id="refer"/>\n')
            out.append(_send(_reply(202, "Accepted"), attrs=' next="loop"'))
            out.append('  <label id="bye"/>\n')
            out.append(_send(_reply(200, "OK", tag=False), attrs=' next="end"'))
    out.append('  <label id="oodmsg"/>\n')
    out.append(_send(_reply(200, "OK"), attrs=' next="end"'))
    out.append('  <label id="sub"/>\n')
    out.append(_send(_reply(200, "OK", extra="Expires: 3600")))
    if notify:
        notify_msg = _callee_request(
            "NOTIFY",
            1,
            extra=("Event: message-summary", "Subscription-State: active;expires=3600"),
            content_type="application/simple-message-summary",
            body=("Messages-Waiting: yes", "Voice-Message: 2/8 (0/2)"),
        )
        out.append(_send(notify_msg, retrans=True))
        out.append('  <recv response="200" next="end"/>\n')
    else:
        out.append('  <nop next="end"/>\n')
    out.append('  <label id="reg"/>\n')
    out.append(_send(_reply(register_code, phrase, extra="[last_Contact:]\nExpires: 3600")))
    out.append('  <label id="end"/>\n')
    out.append('  <Reference variables="c,rfrom,lto,rcontact"/>\n')
    out.append(_TAIL)
    return "".join(out)


def caller(
    *,
    expect_code: int = 200,
    talk_ms: int = 3000,
    wait_bye: bool = False,
    cancel_after_ms: int | None = None,
    dtmf_info: str | None = None,
    refer_to: str | None = None,
) -> str:
    """A caller (UAC) that calls ``[service]@[remote_ip]:[remote_port]`` with PCMU.

    With ``expect_code`` 200 it ACKs, optionally sends one SIP INFO DTMF
    (``application/dtmf-relay``, ``Signal=<digit>``), then either sends BYE after
    ``talk_ms`` or, with ``wait_bye``, waits for the callee's BYE. With another
    ``expect_code`` (486, 603, ...) the final response must be that code, which it
    ACKs. With ``cancel_after_ms`` it sends CANCEL that long after the first
    provisional response and expects 487.

    Args:
        expect_code: The final response the scenario requires.
        talk_ms: How long the call lasts before our BYE.
        wait_bye: Wait for the callee's BYE instead of sending one.
        cancel_after_ms: Cancel the INVITE this long after the 180.
        dtmf_info: A digit sent in an INFO after the ACK.
        refer_to: Send a REFER to this URI after the ACK (a transfer request to the
            callee), expect 202, and answer the NOTIFY that may follow.
    """
    via_inv = "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK[pid]i[call_number]"
    common = [
        "From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]sipp[call_number]",
        "To: <sip:[service]@[remote_ip]:[remote_port]>",
        "Call-ID: [call_id]",
    ]
    invite = "\n".join(
        [
            "INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0",
            via_inv,
            *common,
            "CSeq: 1 INVITE",
            "Contact: <sip:caller@[local_ip]:[local_port]>",
            "Max-Forwards: 70",
            "Content-Type: application/sdp",
            "Content-Length: [len]",
            "",
            _sdp(),
        ]
    )

    def in_dialog(method: str, cseq: int, body: str = "", ctype: str = "") -> str:
        lines = [
            f"{method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0",
            "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]",
            common[0],
            common[1] + "[peer_tag_param]",
            common[2],
            f"CSeq: {cseq} {method}",
            "Contact: <sip:caller@[local_ip]:[local_port]>",
            "Max-Forwards: 70",
        ]
        if body:
            lines += [f"Content-Type: {ctype}", "Content-Length: [len]", "", body]
        else:
            lines += ["Content-Length: 0", ""]
        return "\n".join(lines)

    out = [_HEAD.format(name="janus-client caller")]
    out.append(_send(invite, retrans=True))
    out.append('  <recv response="100" optional="true"/>\n')
    if cancel_after_ms is not None:
        out.append('  <recv response="180"/>\n')
        out.append(f'  <pause milliseconds="{int(cancel_after_ms)}"/>\n')
        cancel = "\n".join(
            [
                "CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0",
                via_inv,
                *common,
                "CSeq: 1 CANCEL",
                "Max-Forwards: 70",
                "Content-Length: 0",
                "",
            ]
        )
        out.append(_send(cancel, retrans=True))
        out.append('  <recv response="200"/>\n')
        expect_code = 487
    else:
        out.append('  <recv response="180" optional="true"/>\n')
        out.append('  <recv response="183" optional="true"/>\n')
    if expect_code == 200:
        out.append('  <recv response="200" rtd="true"/>\n')
        out.append(_send(in_dialog("ACK", 1)))
        cseq = 2
        if dtmf_info is not None:
            body = f"Signal={dtmf_info}\nDuration=160"
            out.append(_send(in_dialog("INFO", cseq, body, "application/dtmf-relay"), retrans=True))
            out.append('  <recv response="200"/>\n')
            cseq += 1
        if refer_to is not None:
            refer = in_dialog("REFER", cseq).replace(
                "Max-Forwards: 70", f"Max-Forwards: 70\nRefer-To: <{refer_to}>"
            )
            out.append(_send(refer, retrans=True))
            out.append('  <recv response="202"/>\n')
            out.append('  <recv request="NOTIFY" timeout="2000" ontimeout="talk"/>\n')
            out.append(_send(_reply(200, "OK", tag=False)))
            out.append('  <label id="talk"/>\n')
            cseq += 1
        if wait_bye:
            out.append('  <recv request="BYE"/>\n')
            out.append(_send(_reply(200, "OK", tag=False)))
        else:
            out.append(f'  <pause milliseconds="{int(talk_ms)}"/>\n')
            out.append(_send(in_dialog("BYE", cseq), retrans=True))
            out.append('  <recv response="200"/>\n')
    else:
        out.append(f'  <recv response="{int(expect_code)}"/>\n')
        ack = "\n".join(
            [
                "ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0",
                via_inv,
                common[0],
                common[1] + "[peer_tag_param]",
                common[2],
                "CSeq: 1 ACK",
                "Max-Forwards: 70",
                "Content-Length: 0",
                "",
            ]
        )
        out.append(_send(ack))
    out.append(_TAIL)
    return "".join(out)
