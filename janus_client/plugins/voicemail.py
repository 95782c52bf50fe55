"""The VoiceMail plugin (``janus.plugin.voicemail``): record a message to an Ogg Opus file.

```python
vm = JanusVoiceMailPlugin()
await vm.attach(session)
await vm.record()                    # a tone by default; tracks=[...] or player=...
await vm.wait_started()
await asyncio.sleep(3)
done = await vm.stop()
print(done.recording)                # "/voicemail/janus-voicemail-<id>.opus"
```

The plugin records at most 10 seconds, then stops by itself (`wait_done`). The
file is written to the plugin's ``path`` folder on the server; `VoiceMailResult`
has its URL (under the plugin's ``base``) and file name.
"""

from __future__ import annotations

import asyncio
import enum
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import InvalidStateError, PluginError
from ..events import JanusEvent, TypedPluginEvent, TypedResult
from ..validate import enforce_timeout
from .declare import RequestSpec, request, sends
from .media import JanusMediaPlugin, load_webrtc, wait_set

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack, RTCConfiguration
    from aiortc.contrib.media import MediaPlayer

__all__ = [
    "JanusVoiceMailPlugin",
    "VoiceMailError",
    "VoiceMailEvent",
    "VoiceMailResult",
    "VoiceMailStatus",
]

_PLUGIN = "janus.plugin.voicemail"


class VoiceMailError(PluginError):
    """An error reported by the VoiceMail plugin (``JANUS_VOICEMAIL_ERROR_*``)."""

    code_names: ClassVar[dict[int, str]] = {
        460: "JANUS_VOICEMAIL_ERROR_NO_MESSAGE",
        461: "JANUS_VOICEMAIL_ERROR_INVALID_JSON",
        462: "JANUS_VOICEMAIL_ERROR_INVALID_REQUEST",
        463: "JANUS_VOICEMAIL_ERROR_MISSING_ELEMENT",
        464: "JANUS_VOICEMAIL_ERROR_INVALID_ELEMENT",
        465: "JANUS_VOICEMAIL_ERROR_ALREADY_RECORDING",
        466: "JANUS_VOICEMAIL_ERROR_IO_ERROR",
        467: "JANUS_VOICEMAIL_ERROR_LIBOGG_ERROR",
        468: "JANUS_VOICEMAIL_ERROR_INVALID_STATE",
        499: "JANUS_VOICEMAIL_ERROR_UNKNOWN_ERROR",
    }


class VoiceMailStatus(str, enum.Enum):
    """The ``status`` values of VoiceMail events."""

    STARTING = "starting"
    STARTED = "started"
    UPDATING = "updating"
    #: The recording is over (stopped, or after 10 s); ``recording`` has its URL.
    DONE = "done"


@dataclass(frozen=True)
class VoiceMailResult(TypedResult):
    """The answer of a VoiceMail request (``record``, ``update``, ``stop``).

    Attributes:
        status: The ``status`` (``starting``, ``started``, ``updating``, ``done``).
        recording: The recording's URL (``<base>/janus-voicemail-<id>.opus``), with
            ``done``.
        raw: The plugin data as Janus sent it.
    """

    status: str | None
    recording: str | None = None

    @property
    def filename(self) -> str | None:
        """The recording's file name (``janus-voicemail-<id>.opus``), or None."""
        return posixpath.basename(self.recording) if self.recording else None

    def path_in(self, folder: str | Path) -> Path | None:
        """The file in the plugin's ``path`` folder (when you can read that folder)."""
        name = self.filename
        return Path(folder) / name if name else None


@dataclass(frozen=True, kw_only=True)
class VoiceMailEvent(TypedPluginEvent):
    """A VoiceMail plugin event, typed.

    Attributes:
        status: The ``status``.
        recording: The recording's URL, with ``done``.
    """

    plugin_package: ClassVar[str] = _PLUGIN
    plugin_label: ClassVar[str] = "VoiceMail"
    kinds: ClassVar[type[enum.Enum]] = VoiceMailStatus
    kind_key: ClassVar[str] = "status"
    kind_field: ClassVar[str] = "status"
    source_key: ClassVar[str | None] = None

    status: VoiceMailStatus
    recording: str | None = None


class JanusVoiceMailPlugin(JanusMediaPlugin):
    """Client of ``janus.plugin.voicemail``: record up to 10 s of audio as Ogg Opus.

    Args:
        pc_config: An `aiortc.RTCConfiguration` for the peer connection.
    """

    name = _PLUGIN
    error_class = VoiceMailError
    event_class = VoiceMailEvent
    event_types = VoiceMailStatus

    def __init__(self, pc_config: RTCConfiguration | None = None, **kwargs: Any) -> None:
        super().__init__(pc_config, **kwargs)
        self._started = asyncio.Event()
        self._done: VoiceMailResult | None = None
        self._done_event = asyncio.Event()

    @sends("record")
    async def record(
        self,
        *,
        tracks: Iterable[MediaStreamTrack] | None = None,
        player: MediaPlayer | str | None = None,
        timeout: float | None = None,
    ) -> VoiceMailResult:
        """Start recording (``record``): our audio goes to a new file on the server.

        Audio comes from ``tracks``, else ``player`` (a `MediaPlayer` or a file
        path), else a 440 Hz tone. The plugin answers with Opus only.

        Args:
            tracks: Audio tracks to send.
            player: A player or media file to send instead.
            timeout: Deadline in seconds.

        Raises:
            InvalidStateError: Already recording on this handle (`stop` first).
            VoiceMailError: The file cannot be written (466, 467).
        """
        enforce_timeout(timeout)
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        if self._pc is not None and not self._pc.closed and not self._done_event.is_set():
            raise InvalidStateError("VoiceMail is already recording on this handle; stop() first")
        load_webrtc()  # MediaUnavailableError before anything is sent
        self._started.clear()
        self._done = None
        self._done_event.clear()
        pc = await self._new_pc()
        try:
            self._add_media(pc, player, tracks, audio=True, video=False)
            offer = await pc.create_offer()
            reply = await self.message({"request": "record"}, offer, timeout=timeout)
        except BaseException:
            await self._close_pc()
            raise
        if reply.jsep is not None:
            await pc.apply(reply.jsep)
        result = VoiceMailResult.from_data(reply.data)
        if result.status == VoiceMailStatus.STARTED.value:
            self._started.set()
        return result

    @sends("update")
    async def update(self, *, timeout: float | None = None) -> VoiceMailResult:
        """Renegotiate the recording's peer connection (``update``) with a new offer.

        Raises:
            VoiceMailError: Not recording (468).
        """
        enforce_timeout(timeout)
        pc = self.peer
        offer = await pc.create_offer()
        reply = await self.message({"request": "update"}, offer, timeout=timeout)
        if reply.jsep is not None:
            await pc.apply(reply.jsep)
        return VoiceMailResult.from_data(reply.data)

    @request("stop", mode="async", result=VoiceMailResult.from_data)
    async def stop(self, *, timeout: float | None = None) -> VoiceMailResult:
        """Stop recording (``stop``); return the ``done`` result with the recording's URL."""
        ...

    async def wait_started(self, timeout: float | None = 10.0) -> None:
        """Wait until the plugin records (``started``: our peer connection is up)."""
        limit = enforce_timeout(timeout)
        await wait_set(self._started, limit, f"VoiceMail: not started within {limit} s")

    async def wait_done(self, timeout: float | None = 15.0) -> VoiceMailResult:
        """Wait until the recording is over (after `stop`, or the plugin's 10 s limit)."""
        limit = enforce_timeout(timeout)
        await wait_set(self._done_event, limit, f"VoiceMail: not done within {limit} s")
        assert self._done is not None
        return self._done

    async def _send_declared(
        self, spec: RequestSpec, body: dict[str, Any], *, timeout: float | None
    ) -> dict[str, Any]:
        data = await super()._send_declared(spec, body, timeout=timeout)
        if spec.request == "stop":
            self._finish(VoiceMailResult.from_data(data))
        return data

    def _finish(self, result: VoiceMailResult) -> None:
        if result.status == VoiceMailStatus.DONE.value:
            self._done = result
            self._done_event.set()

    async def _process_event(self, event: JanusEvent) -> None:
        if isinstance(event, VoiceMailEvent):
            if event.status is VoiceMailStatus.STARTED:
                self._started.set()
            elif event.status is VoiceMailStatus.DONE:
                self._finish(VoiceMailResult.from_data(event.data))
        await super()._process_event(event)
