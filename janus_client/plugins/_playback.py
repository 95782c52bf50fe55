"""What Streaming's viewer and Record&Play share: a media run that ``stop`` ends.

Both plugins run one thing at a time on a handle (a viewer of a mountpoint; a
recording or a playout), count the tracks Janus sends per mid, and end the run
with ``stop``, after which Janus closes the PeerConnection and reports it with a
``hangup`` event. `_Playback` holds that: the per-mid stats, the ``stop``
sequence (returning once Janus' hangup came, so that the handle can start again at
once), the state reset when the media closes, and the best-effort `close_stream`
body. A plugin says whether a run is on (`_running`) and forgets it (`_forget`).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from ..errors import InvalidStateError, JanusError
from ..validate import enforce_timeout
from .media import JanusMediaPlugin

if TYPE_CHECKING:
    from ..handle import PluginResponse
    from ..webrtc import TrackStats

__all__: list[str] = []

#: How long ``stop`` waits for Janus' hangup event at most, without a timeout (s).
HANGUP_WAIT = 5.0


class _Playback(JanusMediaPlugin):
    """A plugin whose media run (watch, record, play) ends with ``stop``."""

    def _running(self) -> bool:
        """Whether a run is on that ``stop`` must end (a plugin overrides it)."""
        raise NotImplementedError

    def _forget(self) -> None:
        """Forget the run (a plugin overrides it): it is over, or never started."""

    def _received_stats(self) -> dict[str, TrackStats]:
        """The stats of each received track by mid, kept once the run ends."""
        pc = self._pc if self._pc is not None else self._last_pc
        return pc.stats_by_mid if pc is not None else {}

    async def _send_stop(self, limit: float | None) -> PluginResponse | None:
        """Ask Janus to end the run (``stop``); return its answer (None: not asked)."""
        return await self.message({"request": "stop"}, timeout=limit)

    async def _stop_run(self, limit: float | None) -> PluginResponse | None:
        """End the run, if one is on; return the answer to ``stop`` (None: not sent).

        Returns once Janus reports the PeerConnection closed (its ``hangup``
        event, waited for at most ``limit`` or `HANGUP_WAIT`).
        """
        reply: PluginResponse | None = None
        try:
            if self._running() and self.attached:
                self._janus_hangup.clear()
                reply = await self._send_stop(limit)
                # Closed here, in the caller's task: a recording (record_to) is then
                # finished before stop returns.
                await self._close_pc()
                # Janus' hangup event comes once the plugin dropped the run: a new
                # one right after stop would otherwise find it still there.
                await self._wait_janus_hangup(limit or HANGUP_WAIT)
        finally:
            self._forget()
            await self._close_pc()
        return reply

    async def _close_run(self, timeout: float | None) -> None:
        """End the run and release the media, ignoring Janus' errors (``close_stream``)."""
        limit = enforce_timeout(timeout)
        with contextlib.suppress(JanusError, InvalidStateError):
            await self._stop_run(limit)
        await self._close_pc()

    async def _close_media(self) -> None:
        self._forget()
        await super()._close_media()
