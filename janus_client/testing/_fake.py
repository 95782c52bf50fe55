"""Former home of the in-process fake Janus, kept so that existing imports work.

The fake now lives in `janus_client.testing.fake` (a package: data model, verb
table, core, wire, server); import from there or from `janus_client.testing`.
"""

from __future__ import annotations

from .fake import (
    DROP,
    FAKE_ANSWER_SDP,
    FakeHandle,
    FakeJanus,
    FakeRequest,
    FakeSession,
    Handler,
    Reply,
    ReplyItem,
)

__all__ = [
    "DROP",
    "FAKE_ANSWER_SDP",
    "FakeHandle",
    "FakeJanus",
    "FakeRequest",
    "FakeSession",
    "Handler",
    "Reply",
    "ReplyItem",
]
