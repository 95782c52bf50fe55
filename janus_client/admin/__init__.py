"""`JanusAdminMonitorClient`: the Janus Admin/Monitor API.

The Admin API inspects and steers a running Janus: server settings, stored
tokens, sessions and handles (with their ICE/DTLS state), packet captures,
plugin, transport and event handler requests, and a few helpers. It is served
on its own endpoints (``http://host:7088/admin``, or a WebSocket with the
``janus-admin-protocol`` subprotocol) and every request but ``info`` and
``ping`` carries the ``admin_secret``.

Examples:
    ```python
    async with JanusAdminMonitorClient("http://127.0.0.1:7088/admin", "janusoverlord") as admin:
        for session_id in await admin.list_sessions():
            for handle_id in await admin.list_handles(session_id):
                info = await admin.handle_info(session_id, handle_id)
                print(info.plugin, info.ice_state, info.dtls_state)
    ```
"""

from __future__ import annotations

from ._base import ADMIN_SUBPROTOCOL
from .client import JanusAdminMonitorClient
from .handles import CandidateAddress, CandidatePair, HandleInfo, MediumStats
from .info import ComponentInfo, ServerInfo, StatusInfo
from .snapshot import AdminSnapshot, SessionSnapshot

__all__ = [
    "ADMIN_SUBPROTOCOL",
    "AdminSnapshot",
    "CandidateAddress",
    "CandidatePair",
    "ComponentInfo",
    "HandleInfo",
    "JanusAdminMonitorClient",
    "MediumStats",
    "ServerInfo",
    "SessionSnapshot",
    "StatusInfo",
]
