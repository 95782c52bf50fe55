"""Which method sends each request of the Janus 1.1.2 APIs.

`JANUS_REQUESTS` lists, per API, every request that Janus 1.1.2's own source
handles (core API, Admin/Monitor API and each plugin): the names compared with
``strcasecmp(message_text, "...")`` in ``src/janus.c`` and with
``strcasecmp(request_text, "...")`` in ``src/plugins/janus_<plugin>.c`` of the
``v1.1.2`` tag of the janus-gateway repository. The HTML documentation of 1.1.2
omits some of them (``query_logger``, ``set_nack_optimizations``, the VideoRoom
cascading requests, TextRoom ``restart``). Each client class declares the requests
it sends in a ``requests`` class attribute (request name -> method name);
`coverage_table` joins the two, and the test suite fails when a request of a
covered API has no method. The documentation publishes the table.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

from .protocol import CORE_REQUESTS

__all__ = ["CLIENTS", "JANUS_REQUESTS", "Coverage", "coverage_table", "missing"]

#: Every request Janus 1.1.2's source handles, per API (see the module docstring).
JANUS_REQUESTS: dict[str, tuple[str, ...]] = {
    "core": CORE_REQUESTS,
    "admin": (
        "info",
        "ping",
        "loops_info",
        "get_status",
        "set_session_timeout",
        "set_log_level",
        "set_log_timestamps",
        "set_log_colors",
        "set_locking_debug",
        "set_refcount_debug",
        "set_libnice_debug",
        "set_min_nack_queue",
        "set_no_media_timer",
        "set_slowlink_threshold",
        "set_nack_optimizations",
        "add_token",
        "allow_token",
        "disallow_token",
        "list_tokens",
        "remove_token",
        "accept_new_sessions",
        "list_sessions",
        "destroy_session",
        "list_handles",
        "handle_info",
        "start_pcap",
        "stop_pcap",
        "start_text2pcap",
        "stop_text2pcap",
        "message_plugin",
        "hangup_webrtc",
        "detach_handle",
        "query_transport",
        "query_eventhandler",
        "query_logger",
        "custom_event",
        "custom_logline",
        "resolve_address",
        "test_stun",
    ),
    "janus.plugin.echotest": ("message",),
    "janus.plugin.videocall": ("list", "register", "call", "accept", "set", "hangup"),
    "janus.plugin.videoroom": (
        "create",
        "destroy",
        "edit",
        "exists",
        "list",
        "allowed",
        "kick",
        "moderate",
        "enable_recording",
        "listparticipants",
        "listforwarders",
        "rtp_forward",
        "stop_rtp_forward",
        "publish_remotely",
        "unpublish_remotely",
        "listremotes",
        "add_remote_publisher",
        "update_remote_publisher",
        "remove_remote_publisher",
        "join",
        "joinandconfigure",
        "configure",
        "publish",
        "unpublish",
        "start",
        "pause",
        "switch",
        "leave",
        "subscribe",
        "unsubscribe",
        "update",
    ),
    "janus.plugin.textroom": (
        "setup",
        "create",
        "edit",
        "destroy",
        "list",
        "listparticipants",
        "exists",
        "allowed",
        "kick",
        "announcement",
        "join",
        "leave",
        "message",
        "ack",
        "restart",
    ),
    "janus.plugin.audiobridge": (
        "create",
        "edit",
        "destroy",
        "enable_recording",
        "enable_mjrs",
        "list",
        "exists",
        "allowed",
        "mute",
        "unmute",
        "mute_room",
        "unmute_room",
        "kick",
        "kick_all",
        "listparticipants",
        "resetdecoder",
        "rtp_forward",
        "stop_rtp_forward",
        "listforwarders",
        "play_file",
        "is_playing",
        "stop_file",
        "join",
        "configure",
        "changeroom",
        "leave",
        "hangup",
    ),
    "janus.plugin.streaming": (
        "list",
        "info",
        "create",
        "edit",
        "kick_all",
        "destroy",
        "recording",
        "enable",
        "disable",
        "watch",
        "start",
        "pause",
        "configure",
        "switch",
        "stop",
    ),
    "janus.plugin.recordplay": (
        "update",
        "list",
        "configure",
        "record",
        "play",
        "start",
        "stop",
        "pause",
        "resume",
    ),
    "janus.plugin.sip": (
        "register",
        "unregister",
        "subscribe",
        "unsubscribe",
        "call",
        "accept",
        "update",
        "decline",
        "transfer",
        "hold",
        "unhold",
        "hangup",
        "recording",
        "info",
        "message",
        "dtmf_info",
        "reset",
    ),
    "janus.plugin.nosip": ("generate", "process", "hangup", "recording"),
    "janus.plugin.voicemail": ("record", "update", "stop"),
}

#: The client class of each API, as "module:Class" (imported lazily).
CLIENTS: dict[str, str] = {
    "core": "janus_client.session:JanusSession",
    "admin": "janus_client.admin:JanusAdminMonitorClient",
    "janus.plugin.echotest": "janus_client.plugins.echotest:JanusEchoTestPlugin",
    "janus.plugin.videocall": "janus_client.plugins.videocall:JanusVideoCallPlugin",
    "janus.plugin.videoroom": "janus_client.plugins.videoroom:JanusVideoRoomPlugin",
    "janus.plugin.textroom": "janus_client.plugins.textroom:JanusTextRoomPlugin",
    "janus.plugin.audiobridge": "janus_client.plugins.audiobridge:JanusAudioBridgePlugin",
    "janus.plugin.streaming": "janus_client.plugins.streaming:JanusStreamingPlugin",
    "janus.plugin.recordplay": "janus_client.plugins.recordplay:JanusRecordPlayPlugin",
    "janus.plugin.sip": "janus_client.plugins.sip:JanusSipPlugin",
    "janus.plugin.nosip": "janus_client.plugins.nosip:JanusNoSipPlugin",
    "janus.plugin.voicemail": "janus_client.plugins.voicemail:JanusVoiceMailPlugin",
}


@dataclass(frozen=True)
class Coverage:
    """One row of the coverage table.

    Attributes:
        api: ``"core"``, ``"admin"`` or a plugin package name.
        request: The Janus request name.
        client: The class that sends it (``"JanusVideoRoomPlugin"``), or None.
        method: The method that sends it, or None when not covered.
        mode: ``"sync"`` or ``"async"`` for a declared plugin request, else None.
        params: The method's parameters as ``name: kind`` (``timeout`` left out), for
            declared requests and hand-written plugin methods; empty otherwise.
        result: The name of what the method returns, when known.
    """

    api: str
    request: str
    client: str | None
    method: str | None
    mode: str | None = None
    params: tuple[str, ...] = ()
    result: str | None = None


def _describe(
    cls: type, request: str, method: str
) -> tuple[str | None, tuple[str, ...], str | None]:
    """Mode, parameters and result of the method that sends ``request``."""
    spec = (getattr(cls, "request_specs", None) or {}).get(request)
    if spec is not None and hasattr(spec, "params"):
        params = tuple(
            f"{p.name}: {p.kind}" if p.key == p.name else f"{p.name} ({p.key}): {p.kind}"
            for p in spec.params
        )
        if spec.accepts_settings:
            params += ("**settings",)
        return spec.mode, params, spec.result_name
    func = getattr(cls, method, None)
    if func is None:
        return None, (), None
    signature = inspect.signature(func)
    names = tuple(
        ("**" if p.kind is p.VAR_KEYWORD else "") + p.name
        for p in list(signature.parameters.values())[1:]
        if p.name != "timeout" and p.kind is not p.VAR_POSITIONAL
    )
    ret = signature.return_annotation
    result = None if ret is inspect.Signature.empty else str(ret)
    return None, names, result


def _client(api: str) -> type | None:
    target = CLIENTS.get(api)
    if target is None:
        return None
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    found = getattr(module, class_name, None)
    return found if isinstance(found, type) else None


def coverage_table() -> list[Coverage]:
    """Return one row per request of `JANUS_REQUESTS`, with the method that sends it."""
    rows: list[Coverage] = []
    for api, requests in JANUS_REQUESTS.items():
        cls = _client(api)
        declared: dict[str, str] = dict(getattr(cls, "requests", {}) or {}) if cls else {}
        for request in requests:
            method = declared.get(request)
            owner = cls.__name__ if cls else None
            if method is not None and cls is not None:
                if "." in method:  # sent by a companion class, e.g. "JanusHandle.detach"
                    owner, _, name = method.partition(".")
                    target = getattr(importlib.import_module("janus_client"), owner, None)
                else:
                    name, target = method, cls
                method = name if callable(getattr(target, name, None)) else None
            plugin = api not in ("core", "admin") and "." not in declared.get(request, ".")
            if method is not None and cls is not None and plugin:
                mode, params, result = _describe(cls, request, method)
                rows.append(Coverage(api, request, owner, method, mode, params, result))
                continue
            rows.append(Coverage(api, request, owner, method))
    return rows


def missing(api: str) -> list[str]:
    """Return the requests of ``api`` (from Janus' source) that no method sends."""
    return [row.request for row in coverage_table() if row.api == api and row.method is None]
