"""Typed results of ``handle_info``: the handle, its ICE/DTLS state, its media counters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..protocol import RedactedReprDict
from ._util import as_dict, as_int, opt_bool, opt_int, opt_str

__all__ = ["CandidateAddress", "CandidatePair", "HandleInfo", "MediumStats"]


# One side of Janus' "selected-pair" text: "<address>:<port> [<type>,<protocol>]".
_PAIR_SIDE = re.compile(
    r"^\s*(?P<address>.+):(?P<port>\d+)\s+\[(?P<type>[^,\]]+),(?P<protocol>[^\]]+)\]\s*$"
)


@dataclass(frozen=True)
class CandidateAddress:
    """One end of the selected ICE candidate pair.

    Attributes:
        address: The IP address (IPv6 without brackets).
        port: The port.
        type: The candidate type (``"host"``, ``"srflx"``, ``"prflx"``, ``"relay"``).
        protocol: ``"udp"`` or ``"tcp"``.
    """

    address: str
    port: int
    type: str
    protocol: str


@dataclass(frozen=True)
class CandidatePair:
    """The ICE candidate pair Janus selected, parsed from its ``selected-pair`` text.

    Attributes:
        local: Janus' end.
        remote: The peer's end.
        raw: The text as Janus sent it
            (``"127.0.0.2:28253 [host,udp] <-> 127.0.0.2:47438 [host,udp]"``).
    """

    local: CandidateAddress
    remote: CandidateAddress
    raw: str = field(repr=False, compare=False, default="")

    @classmethod
    def parse(cls, text: str | None) -> CandidatePair | None:
        """Parse Janus' ``selected-pair`` text; None when absent or not understood."""
        if not text or "<->" not in text:
            return None
        sides = []
        for part in text.split("<->", 1):
            match = _PAIR_SIDE.match(part)
            if match is None:
                return None
            address = match["address"].strip()
            if address.startswith("[") and address.endswith("]"):
                address = address[1:-1]
            sides.append(
                CandidateAddress(
                    address=address,
                    port=int(match["port"]),
                    type=match["type"].strip(),
                    protocol=match["protocol"].strip(),
                )
            )
        return cls(local=sides[0], remote=sides[1], raw=text)


@dataclass(frozen=True)
class MediumStats:
    """One m-line of a handle's PeerConnection, with its counters, from ``handle_info``.

    Counters are Janus' totals since the PeerConnection came up; ``_in`` is what
    Janus received from the peer, ``_out`` what it sent to it. A counter Janus
    does not report for this kind of medium (NACKs of a data channel, RTCP of a
    medium that has none yet) is None.

    Attributes:
        index: The m-line index (``mindex``).
        mid: The m-line's ``mid``.
        type: ``"audio"``, ``"video"`` or ``"data"``.
        codec: The negotiated codec (``"opus"``, ``"vp8"``, ...), if any.
        payload_type: Its RTP payload type.
        send: Whether Janus sends on this m-line.
        recv: Whether Janus receives on it.
        ssrc: Janus' SSRC for it.
        peer_ssrc: The peer's SSRC.
        nacks_enabled: Whether Janus answers NACKs on it (``do_nacks``).
        packets_in: RTP packets (SCTP for data) received.
        packets_out: Packets sent.
        bytes_in: Bytes received.
        bytes_out: Bytes sent.
        bytes_in_last_second: Bytes received in the last second.
        bytes_out_last_second: Bytes sent in the last second.
        nacks_in: NACKs received from the peer.
        nacks_out: NACKs sent to the peer.
        retransmissions_in: Retransmitted packets received.
        rtt: Round-trip time from RTCP, as Janus reports it (milliseconds).
        lost: Packets lost on the way in (from RTCP).
        lost_by_remote: Packets the peer reported lost.
        jitter_local: Inbound jitter Janus measured.
        jitter_remote: Jitter the peer reported.
        in_link_quality: Inbound link quality, 0 to 100.
        out_link_quality: Outbound link quality, 0 to 100.
        raw: The m-line's object as Janus sent it.
    """

    index: int
    mid: str | None = None
    type: str | None = None
    codec: str | None = None
    payload_type: int | None = None
    send: bool | None = None
    recv: bool | None = None
    ssrc: int | None = None
    peer_ssrc: int | None = None
    nacks_enabled: bool | None = None
    packets_in: int | None = None
    packets_out: int | None = None
    bytes_in: int | None = None
    bytes_out: int | None = None
    bytes_in_last_second: int | None = None
    bytes_out_last_second: int | None = None
    nacks_in: int | None = None
    nacks_out: int | None = None
    retransmissions_in: int | None = None
    rtt: int | None = None
    lost: int | None = None
    lost_by_remote: int | None = None
    jitter_local: int | None = None
    jitter_remote: int | None = None
    in_link_quality: int | None = None
    out_link_quality: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, key: str, data: Mapping[str, Any]) -> MediumStats:
        """Build it from one entry of ``webrtc.media`` (``key`` is its index as text)."""
        stats = as_dict(data.get("stats"))
        incoming, outgoing = as_dict(stats.get("in")), as_dict(stats.get("out"))
        rtcp = as_dict(as_dict(data.get("rtcp")).get("main"))
        ssrc = as_dict(data.get("ssrc"))
        codecs = as_dict(data.get("codecs"))
        direction = as_dict(data.get("direction"))
        nacks = data.get("do_nacks")
        index = opt_int(data.get("mindex"))
        if index is None:
            index = int(key) if key.isdigit() else -1
        return cls(
            index=index,
            mid=opt_str(data.get("mid")),
            type=opt_str(data.get("type")),
            codec=opt_str(codecs.get("codec")),
            payload_type=opt_int(codecs.get("pt")),
            send=opt_bool(direction.get("send")),
            recv=opt_bool(direction.get("recv")),
            ssrc=opt_int(ssrc.get("ssrc")),
            peer_ssrc=opt_int(ssrc.get("ssrc-peer")),
            nacks_enabled=nacks if isinstance(nacks, bool) else None,
            packets_in=opt_int(incoming.get("packets")),
            packets_out=opt_int(outgoing.get("packets")),
            bytes_in=opt_int(incoming.get("bytes")),
            bytes_out=opt_int(outgoing.get("bytes")),
            bytes_in_last_second=opt_int(incoming.get("bytes_lastsec")),
            bytes_out_last_second=opt_int(outgoing.get("bytes_lastsec")),
            nacks_in=opt_int(incoming.get("nacks")),
            nacks_out=opt_int(outgoing.get("nacks")),
            retransmissions_in=opt_int(incoming.get("retransmissions")),
            rtt=opt_int(rtcp.get("rtt")),
            lost=opt_int(rtcp.get("lost")),
            lost_by_remote=opt_int(rtcp.get("lost-by-remote")),
            jitter_local=opt_int(rtcp.get("jitter-local")),
            jitter_remote=opt_int(rtcp.get("jitter-remote")),
            in_link_quality=opt_int(rtcp.get("in-link-quality")),
            out_link_quality=opt_int(rtcp.get("out-link-quality")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class HandleInfo:
    """A snapshot of one handle, from ``handle_info``.

    Attributes:
        session_id: The session the handle belongs to.
        handle_id: The handle.
        plugin: The plugin package it is attached to.
        opaque_id: The opaque id given at attach, if any.
        session_transport: The transport the session came in on
            (``janus.transport.websockets``, ...).
        session_timeout: The session's timeout in seconds.
        created: When the handle was created (Janus' monotonic clock, microseconds).
        current_time: Janus' monotonic clock when the snapshot was taken.
        plugin_specific: The plugin's own view of the handle.
        flags: The WebRTC flags of the handle (``negotiated``, ``ready``, ...); empty
            with ``plugin_only``.
        ice_mode: ``"full"`` or ``"lite"``, once a PeerConnection exists.
        ice_role: ``"controlling"`` or ``"controlled"``, once a PeerConnection exists.
        ice_state: The ICE state (``"connecting"``, ``"connected"``, ``"ready"``,
            ``"failed"``, ...), or None without a PeerConnection.
        dtls_state: The DTLS state (``"trying"``, ``"connected"``, ...), or None.
        selected_pair: The selected ICE candidate pair, as Janus describes it.
        pair: The same, parsed (addresses, ports, candidate types), or None.
        dtls_role: ``"active"`` or ``"passive"`` (Janus' DTLS role), or None.
        srtp_profile: The negotiated SRTP profile, or None.
        local_candidates: Janus' ICE candidates.
        remote_candidates: The peer's ICE candidates.
        media: Per m-line details (type, mid, codecs, SSRCs, RTCP and stats) by index,
            as Janus sent them.
        media_stats: The same m-lines typed, in m-line order: codec, direction and the
            byte, packet, NACK and RTT counters as fields (see `MediumStats`).
        sdps: The local and remote SDP (``local``, ``remote``, ``profile``).
        dump_file: The file a pcap/text2pcap capture of the handle writes to, if any.
        webrtc: The whole ``webrtc`` object (empty without a PeerConnection).
        raw: The ``info`` object as Janus sent it.
    """

    session_id: int
    handle_id: int
    plugin: str | None = None
    opaque_id: str | None = None
    session_transport: str | None = None
    session_timeout: int | None = None
    created: int | None = None
    current_time: int | None = None
    plugin_specific: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)
    ice_mode: str | None = None
    ice_role: str | None = None
    ice_state: str | None = None
    dtls_state: str | None = None
    selected_pair: str | None = None
    pair: CandidatePair | None = None
    dtls_role: str | None = None
    srtp_profile: str | None = None
    local_candidates: tuple[str, ...] = ()
    remote_candidates: tuple[str, ...] = ()
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    media_stats: tuple[MediumStats, ...] = ()
    sdps: dict[str, Any] = field(default_factory=dict)
    dump_file: str | None = None
    webrtc: dict[str, Any] = field(default_factory=dict, repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # repr() (tracebacks, log lines) shows the SDPs' sizes, never their bodies.
        if type(self.sdps) is not RedactedReprDict:
            object.__setattr__(self, "sdps", RedactedReprDict(self.sdps))

    @property
    def webrtc_ready(self) -> bool:
        """Whether the PeerConnection is up (the ``ready`` flag)."""
        return self.flags.get("ready") is True

    def medium(self, kind: str) -> MediumStats | None:
        """Return the first m-line of a type (``"audio"``, ``"video"``, ``"data"``) or mid.

        Args:
            kind: A medium type, or an m-line's ``mid``.

        Returns:
            Its `MediumStats`, or None when the handle has no such m-line.
        """
        for medium in self.media_stats:
            if medium.type == kind:
                return medium
        for medium in self.media_stats:
            if medium.mid == kind:
                return medium
        return None

    @classmethod
    def from_json(cls, info: Mapping[str, Any], session_id: int, handle_id: int) -> HandleInfo:
        """Build it from the ``info`` object of a ``handle_info`` reply."""
        webrtc = as_dict(info.get("webrtc"))
        ice = as_dict(webrtc.get("ice"))
        dtls = as_dict(webrtc.get("dtls"))
        flags = {k: v for k, v in as_dict(info.get("flags")).items() if isinstance(v, bool)}
        media = {str(k): as_dict(v) for k, v in as_dict(webrtc.get("media")).items()}
        dump = opt_str(info.get("pcap-file")) or opt_str(info.get("text2pcap-file"))
        return cls(
            session_id=as_int(info.get("session_id"), session_id),
            handle_id=as_int(info.get("handle_id"), handle_id),
            plugin=opt_str(info.get("plugin")),
            opaque_id=opt_str(info.get("opaque_id")),
            session_transport=opt_str(info.get("session_transport")),
            session_timeout=opt_int(info.get("session_timeout")),
            created=opt_int(info.get("created")),
            current_time=opt_int(info.get("current_time")),
            plugin_specific=as_dict(info.get("plugin_specific")),
            flags=flags,
            ice_mode=opt_str(info.get("ice-mode")),
            ice_role=opt_str(info.get("ice-role")),
            ice_state=opt_str(ice.get("state")),
            dtls_state=opt_str(dtls.get("dtls-state")),
            selected_pair=opt_str(ice.get("selected-pair")),
            pair=CandidatePair.parse(opt_str(ice.get("selected-pair"))),
            dtls_role=opt_str(dtls.get("dtls-role")),
            srtp_profile=opt_str(dtls.get("srtp-profile")),
            local_candidates=tuple(
                c for c in ice.get("local-candidates") or () if isinstance(c, str)
            ),
            remote_candidates=tuple(
                c for c in ice.get("remote-candidates") or () if isinstance(c, str)
            ),
            media=media,
            media_stats=tuple(
                sorted(
                    (MediumStats.from_json(k, v) for k, v in media.items()),
                    key=lambda m: m.index,
                )
            ),
            sdps=as_dict(info.get("sdps")),
            dump_file=dump,
            webrtc=webrtc,
            raw=dict(info),
        )
