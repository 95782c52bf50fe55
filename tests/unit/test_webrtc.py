"""JanusPeerConnection.close: it runs to its end once started, and every caller waits for it.

A Janus hangup event closes the plugin's peer connection in the event dispatcher's
task while the user's own ``hangup()``/``destroy()`` closes it too; the dispatcher
task is then cancelled when the handle closes. The recorder's file must still be
finalized, and the user's call must return only once it is.
"""

from __future__ import annotations

import asyncio

import pytest

from janus_client import JanusEchoTestPlugin
from janus_client.webrtc import JanusPeerConnection


class SlowRecorder:
    """Stands in for a recorder whose ``stop`` takes a while (it writes the file's end)."""

    def __init__(self) -> None:
        self.stopping = asyncio.Event()
        self.stopped = False

    async def stop(self) -> None:
        self.stopping.set()
        await asyncio.sleep(0.05)
        self.stopped = True


def _recording_pc() -> tuple[JanusPeerConnection, SlowRecorder]:
    recorder = SlowRecorder()
    pc = JanusPeerConnection(record_to=recorder)
    pc._recorder_started = True  # as once the tracks arrived
    return pc, recorder


async def test_a_cancelled_close_still_stops_the_recorder_and_a_second_close_waits() -> None:
    pc, recorder = _recording_pc()
    first = asyncio.ensure_future(pc.close())
    await asyncio.wait_for(recorder.stopping.wait(), 5.0)
    first.cancel()  # the dispatcher task closing it is cancelled mid-way
    with pytest.raises(asyncio.CancelledError):
        await first
    assert pc.closed and not recorder.stopped
    await asyncio.wait_for(pc.close(), 5.0)  # the user's own close
    assert recorder.stopped
    await pc.close()  # idempotent


async def test_the_plugin_returns_from_its_close_once_another_tasks_close_ended() -> None:
    plugin = JanusEchoTestPlugin()
    pc, recorder = _recording_pc()
    plugin._pc = pc
    event_side = asyncio.ensure_future(plugin._close_pc())  # a hangup event's close
    await asyncio.wait_for(recorder.stopping.wait(), 5.0)
    assert plugin._pc is None  # taken by the event's close
    event_side.cancel()  # the handle closed: its dispatcher task is cancelled
    await asyncio.wait_for(plugin._close_pc(), 5.0)  # hangup()/destroy(): waits
    assert recorder.stopped
