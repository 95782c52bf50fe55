"""Unit tests for the admin handle info types (HandleInfo, MediumStats, CandidatePair)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from janus_client import HandleInfo
from janus_client.admin import (
    CandidateAddress,
    CandidatePair,
    MediumStats,
)

#: A real Janus 1.1.2 ``handle_info`` of an EchoTest call with audio, video and data
#: (fingerprints shortened, SDPs left out).
SAMPLE = json.loads((Path(__file__).parent / "data" / "handle_info_echotest.json").read_text())


# ------------------------------------------------------------------ typed handle info
def test_handle_info_types_every_medium() -> None:
    info = HandleInfo.from_json(SAMPLE, 1, 2)
    assert [m.type for m in info.media_stats] == ["audio", "video", "data"]
    assert [m.index for m in info.media_stats] == [0, 1, 2]
    audio = info.medium("audio")
    assert audio is not None
    assert (audio.mid, audio.codec, audio.payload_type) == ("0", "opus", 96)
    assert (audio.send, audio.recv, audio.nacks_enabled) == (True, True, False)
    assert (audio.ssrc, audio.peer_ssrc) == (1831669471, 2610569970)
    assert (audio.packets_in, audio.bytes_in, audio.bytes_in_last_second) == (101, 30192, 15622)
    assert (audio.packets_out, audio.bytes_out, audio.nacks_out) == (101, 30192, 0)
    assert audio.nacks_in is None  # Janus does not count inbound NACKs for audio
    assert (audio.rtt, audio.lost, audio.lost_by_remote) == (0, 0, 0)
    assert (audio.jitter_local, audio.jitter_remote) == (1, 2)
    assert (audio.in_link_quality, audio.out_link_quality) == (100, 0)
    video = info.medium("video")
    assert video is not None
    assert (video.codec, video.nacks_enabled, video.nacks_in, video.retransmissions_in) == (
        "vp8",
        True,
        0,
        0,
    )
    data = info.medium("data")
    assert data is not None
    assert (data.packets_in, data.bytes_out, data.rtt, data.codec) == (8, 1563, None, None)
    assert info.medium("1") is video  # by mid
    assert info.medium("application") is None
    # .raw keeps what Janus sent, the old dict view is unchanged
    assert audio.raw == SAMPLE["webrtc"]["media"]["0"]
    assert info.media["1"] == SAMPLE["webrtc"]["media"]["1"]


def test_handle_info_ice_and_dtls() -> None:
    info = HandleInfo.from_json(SAMPLE, 1, 2)
    assert (info.ice_state, info.dtls_state, info.dtls_role) == ("ready", "connected", "active")
    assert info.srtp_profile == "SRTP_AEAD_AES_256_GCM"
    assert info.selected_pair == SAMPLE["webrtc"]["ice"]["selected-pair"]
    assert info.pair == CandidatePair(
        local=CandidateAddress("127.0.0.2", 28253, "host", "udp"),
        remote=CandidateAddress("127.0.0.2", 47438, "host", "udp"),
    )
    assert info.pair is not None and info.pair.raw == info.selected_pair
    with pytest.raises(AttributeError):
        info.pair.local.port = 1  # type: ignore[misc]


def test_handle_info_without_peer_connection() -> None:
    info = HandleInfo.from_json({"plugin": "janus.plugin.echotest", "webrtc": {}}, 1, 2)
    assert info.media_stats == ()
    assert info.pair is None and info.dtls_role is None and info.srtp_profile is None
    assert info.medium("audio") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[::1]:5000 [srflx,tcp] <-> 10.0.0.1:6000 [relay,udp]",
            (("::1", 5000, "srflx", "tcp"), ("10.0.0.1", 6000, "relay", "udp")),
        ),
        ("", None),
        (None, None),
        ("garbage", None),
        ("1.2.3.4:x [host,udp] <-> 1.2.3.4:5 [host,udp]", None),
    ],
)
def test_candidate_pair_parse(text: str | None, expected: Any) -> None:
    pair = CandidatePair.parse(text)
    if expected is None:
        assert pair is None
    else:
        assert pair is not None
        assert (
            (pair.local.address, pair.local.port, pair.local.type, pair.local.protocol),
            (pair.remote.address, pair.remote.port, pair.remote.type, pair.remote.protocol),
        ) == expected


def test_medium_stats_tolerates_bad_values() -> None:
    medium = MediumStats.from_json(
        "3", {"type": 5, "stats": {"in": {"packets": "many", "bytes": True}}, "rtcp": []}
    )
    assert (medium.index, medium.type, medium.packets_in, medium.bytes_in, medium.rtt) == (
        3,
        None,
        None,
        None,
        None,
    )
