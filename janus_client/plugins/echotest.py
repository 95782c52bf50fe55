"""The EchoTest plugin: Janus sends back the media and data it receives."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from ..errors import JanusError, PluginError
from ..handle import PluginResponse
from ..validate import enforce_str, opt_str
from .declare import Range, build_body, request, sends
from .media import JanusMediaPlugin

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack

__all__ = ["EchoTestError", "EchoTestResult", "JanusEchoTestPlugin"]


class EchoTestError(PluginError):
    """An error reported by the EchoTest plugin (``JANUS_ECHOTEST_ERROR_*``)."""

    code_names: ClassVar[dict[int, str]] = {
        411: "JANUS_ECHOTEST_ERROR_NO_MESSAGE",
        412: "JANUS_ECHOTEST_ERROR_INVALID_JSON",
        413: "JANUS_ECHOTEST_ERROR_INVALID_ELEMENT",
        414: "JANUS_ECHOTEST_ERROR_INVALID_SDP",
    }


@dataclass(frozen=True)
class EchoTestResult:
    """What the EchoTest answers a request (``{"echotest": "event", "result": "ok"}``).

    Attributes:
        result: The ``result`` field (``"ok"``).
        data: The plugin's data as Janus sent it.
        raw: The same data (every typed result keeps it in ``raw``).
    """

    result: str | None
    data: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def raw(self) -> Mapping[str, Any]:
        """The plugin's data as Janus sent it."""
        return self.data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> EchoTestResult:
        """Read the plugin's reply data."""
        return cls(result=opt_str(data.get("result")), data=dict(data))


def _some_setting(body: dict[str, Any]) -> None:
    if not body:
        raise ValueError("configure needs at least one setting")


class JanusEchoTestPlugin(JanusMediaPlugin):
    """Client of ``janus.plugin.echotest``: media and data sent are echoed back.

    Examples:
        ```python
        echo = JanusEchoTestPlugin()
        await echo.attach(session)
        await echo.start(play_from="in.mp4", record_to="out.mp4")
        await echo.wait_webrtcup()
        ...
        await echo.close_stream()
        ```

    Args:
        pc_config: An `aiortc.RTCConfiguration` for the peer connection.
    """

    name = "janus.plugin.echotest"
    error_class = EchoTestError

    @sends("message")
    async def start(
        self,
        play_from: str | None = None,
        record_to: str | None = None,
        *,
        tracks: Iterable[MediaStreamTrack] | None = None,
        data_channel: bool = True,
        read_counters: bool = False,
        audio: bool = True,
        video: bool = True,
        bitrate: int | None = None,
        record: bool | None = None,
        filename: str | None = None,
        substream: int | None = None,
        temporal: int | None = None,
        audiocodec: str | None = None,
        videocodec: str | None = None,
        videoprofile: str | None = None,
        timeout: float | None = None,
    ) -> PluginResponse:
        """Start an echo call: offer our media, apply Janus' answer.

        Media comes from ``tracks`` if given, else from ``play_from`` (a file or
        device, see `MediaPlayer`), else from synthetic sources (a 640x480 frame
        counter video and a tone). Echoed media goes to ``record_to`` (a file
        `MediaRecorder` writes) when given, else it is counted in
        ``peer_connection.stats``.

        The other arguments are the EchoTest request's settings (see `configure`).

        Returns:
            The plugin's event (``{"echotest": "event", "result": "ok"}``), with the
            answer JSEP already applied.

        Raises:
            MediaUnavailableError: The ``media`` extra is not installed.
            EchoTestError: The plugin refused the request.
        """
        body = build_body(
            type(self).configure,
            self,
            audio=audio,
            video=video,
            bitrate=bitrate,
            record=record,
            filename=filename,
            substream=substream,
            temporal=temporal,
        )
        # Codec choices apply to an offer only: they are not `configure` settings.
        codecs = {"audiocodec": audiocodec, "videocodec": videocodec, "videoprofile": videoprofile}
        for key, value in codecs.items():
            if enforce_str(value, name=key, optional=True) is not None:
                body[key] = value
        self.handle  # noqa: B018 - raises InvalidStateError when not attached
        reply = await self._offer_media(
            body,
            play_from,
            tracks,
            audio=audio,
            video=video,
            data=data_channel,
            record_to=record_to or None,
            read_counters=read_counters,
            timeout=timeout,
        )
        return reply

    @request(
        "message", mode="async", bare=True, check=_some_setting, result=EchoTestResult.from_data
    )
    async def configure(
        self,
        *,
        audio: bool | None = None,
        video: bool | None = None,
        bitrate: int | None = None,
        record: bool | None = None,
        filename: str | None = None,
        substream: Annotated[int, Range(0, 2)] | None = None,
        temporal: Annotated[int, Range(0, 2)] | None = None,
        timeout: float | None = None,
    ) -> EchoTestResult:
        """Change the running echo: what to echo, bitrate cap, recording, simulcast layer.

        EchoTest's one request has no name: its body is the settings alone (`start`
        sends the same request with our offer).

        Args:
            audio: Echo audio back or not.
            video: Echo video back or not.
            bitrate: Cap the sender's bitrate (bit/s, via REMB); 0 removes the cap.
            record: Start or stop recording the call on the server.
            filename: Base path of the server-side recording (``-audio.mjr``, ...).
            substream: Simulcast substream to receive back (0-2).
            temporal: Temporal layer to receive back (0-2).
            timeout: Deadline in seconds.

        Returns:
            The plugin's answer (``result == "ok"``).

        Raises:
            ValueError: No setting given.
        """
        ...

    async def send_data(self, data: str | bytes) -> None:
        """Send a message on the data channel (Janus echoes text back)."""
        pc = self.peer
        await pc.wait_data_channel_open()
        pc.send_data(data)

    async def receive_data(self, *, timeout: float | None = None) -> str | bytes:
        """Return the next message received on the data channel.

        Args:
            timeout: Seconds to wait (None: the session's ``Timeouts.request``).
        """
        return await self.peer.receive_data(self._deadline(timeout))

    async def close_stream(self, *, timeout: float | None = None) -> None:
        """End the echo call: close the peer connection and hang up (idempotent)."""
        had_pc = self._pc is not None
        await self._close_pc()
        if had_pc and self.attached:
            with contextlib.suppress(JanusError):  # best effort: our side is closed
                await self.hangup(timeout=timeout)
