"""The coverage table: Janus 1.1.2's requests (from its source), each with a method."""

from __future__ import annotations

from janus_client.coverage import CLIENTS, JANUS_REQUESTS, coverage_table, missing

# Request counts per API in Janus 1.1.2's source (see experiments/requests_from_source.py).
COUNTS = {
    "core": 11,
    "admin": 39,
    "janus.plugin.echotest": 1,
    "janus.plugin.videocall": 6,
    "janus.plugin.videoroom": 31,
    "janus.plugin.textroom": 15,
    "janus.plugin.audiobridge": 27,
    "janus.plugin.streaming": 15,
    "janus.plugin.recordplay": 9,
    "janus.plugin.sip": 17,
    "janus.plugin.nosip": 4,
    "janus.plugin.voicemail": 3,
}
# Handled by the 1.1.2 source, missing from its HTML documentation.
UNDOCUMENTED = {
    "admin": {"query_logger", "set_nack_optimizations"},
    "janus.plugin.videoroom": {
        "publish_remotely",
        "unpublish_remotely",
        "listremotes",
        "add_remote_publisher",
        "update_remote_publisher",
        "remove_remote_publisher",
    },
    "janus.plugin.textroom": {"ack", "restart"},
}


def test_counts_per_api() -> None:
    assert {api: len(names) for api, names in JANUS_REQUESTS.items()} == COUNTS
    for names in JANUS_REQUESTS.values():
        assert len(set(names)) == len(names)


def test_source_only_requests_are_listed() -> None:
    for api, names in UNDOCUMENTED.items():
        assert names <= set(JANUS_REQUESTS[api]), api


def test_every_request_of_every_api_has_a_method() -> None:
    assert set(CLIENTS) == set(JANUS_REQUESTS)
    for api in JANUS_REQUESTS:
        assert missing(api) == [], api
    rows = coverage_table()
    assert len(rows) == sum(COUNTS.values())
    assert all(row.client and row.method for row in rows)
