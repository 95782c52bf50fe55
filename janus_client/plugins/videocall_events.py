"""VideoCall errors and typed events."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import CompatPluginError
from ..events import TypedPluginEvent

_PLUGIN = "janus.plugin.videocall"

__all__ = ["VideoCallError", "VideoCallEvent", "VideoCallEventType"]


class VideoCallError(CompatPluginError):
    """An error reported by the VideoCall plugin (``JANUS_VIDEOCALL_ERROR_*``).

    Raised with the plugin's code for errors Janus reports, and with code ``0`` for
    requests refused before reaching Janus (not registered, no call to accept, ...),
    as janus-client 0.9.x did. It takes both constructor forms of
    `CompatPluginError` (the 0.9.x one: ``VideoCallError(code, message)``) and has
    its `error_code` and `error_message`.
    """

    plugin_package: ClassVar[str] = _PLUGIN
    plugin_label: ClassVar[str] = "VideoCall"
    code_names: ClassVar[dict[int, str]] = {
        470: "JANUS_VIDEOCALL_ERROR_NO_MESSAGE",
        471: "JANUS_VIDEOCALL_ERROR_INVALID_JSON",
        472: "JANUS_VIDEOCALL_ERROR_INVALID_REQUEST",
        473: "JANUS_VIDEOCALL_ERROR_REGISTER_FIRST",
        474: "JANUS_VIDEOCALL_ERROR_INVALID_ELEMENT",
        475: "JANUS_VIDEOCALL_ERROR_MISSING_ELEMENT",
        476: "JANUS_VIDEOCALL_ERROR_USERNAME_TAKEN",
        477: "JANUS_VIDEOCALL_ERROR_ALREADY_REGISTERED",
        478: "JANUS_VIDEOCALL_ERROR_NO_SUCH_USERNAME",
        479: "JANUS_VIDEOCALL_ERROR_USE_ECHO_TEST",
        480: "JANUS_VIDEOCALL_ERROR_ALREADY_IN_CALL",
        481: "JANUS_VIDEOCALL_ERROR_NO_CALL",
        482: "JANUS_VIDEOCALL_ERROR_MISSING_SDP",
        483: "JANUS_VIDEOCALL_ERROR_INVALID_SDP",
        499: "JANUS_VIDEOCALL_ERROR_UNKNOWN_ERROR",
    }


class VideoCallEventType(str, enum.Enum):
    """The kinds of VideoCall events (``result.event`` in the plugin's data).

    Use them with ``plugin.on_event(VideoCallEventType.INCOMINGCALL, handler)``.
    """

    REGISTERED = "registered"
    CALLING = "calling"
    INCOMINGCALL = "incomingcall"
    ACCEPTED = "accepted"
    UPDATE = "update"
    HANGUP = "hangup"
    SET = "set"
    #: The simulcast substream or temporal layer we receive changed.
    SIMULCAST = "simulcast"
    #: Janus saw many losses on what it sends us (``current-bitrate`` is given).
    SLOW_LINK = "slow_link"


@dataclass(frozen=True, kw_only=True)
class VideoCallEvent(TypedPluginEvent):
    """A VideoCall plugin event, typed.

    It is a `PluginEvent`, so ``data`` and ``jsep`` are there as Janus sent them.
    Events without a known ``result.event`` (replies to ``list``, errors) have no
    typed form (`from_plugin_event` gives None).

    Attributes:
        type: The kind of event.
        username: The ``username`` of the result: the caller for ``incomingcall``,
            the callee for ``accepted``, who hung up for ``hangup``.
        reason: The ``reason`` of a ``hangup``.
        result: The ``result`` object of the plugin's data.
    """

    plugin_package: ClassVar[str] = _PLUGIN
    plugin_label: ClassVar[str] = "VideoCall"
    kinds: ClassVar[type[enum.Enum]] = VideoCallEventType

    type: VideoCallEventType
    username: str | None = None
    reason: str | None = None
    result: dict[str, Any] = field(default_factory=dict)

    def compat_dict(self) -> dict[str, Any]:
        """Return the dict janus-client 0.9.x gave event handlers.

        That is a copy of ``result``, plus the ``jsep`` for ``incomingcall`` and
        ``update`` events that carry one.
        """
        out = dict(self.result)
        if self.jsep is not None and self.type in (
            VideoCallEventType.INCOMINGCALL,
            VideoCallEventType.UPDATE,
        ):
            out["jsep"] = dict(self.jsep)
        return out
