"""Observability: receive Janus' events, keep a live view, export Prometheus metrics.

Starts a private Janus on loopback (janus_client.testing) whose HTTP event
handler posts to this script, makes an EchoTest call with media, then prints
the live view and a few lines of /metrics. Against your own Janus, configure
``janus.eventhandler.sampleevh.jcfg`` with ``backend = <the receiver's URL>``
and ``events.broadcast = true`` in ``janus.jcfg`` instead.
"""

import asyncio
import os

import aiohttp

from janus_client import JanusEchoTestPlugin, JanusSession
from janus_client.instrument import ClientMetrics, set_client_hook
from janus_client.observe import (
    HttpEventSource,
    JanusEventReceiver,
    LiveView,
    MediaStatsServerEvent,
    WebRTCConnectionServerEvent,
)
from janus_client.observe.prometheus import MetricsServer, make_registry
from janus_client.testing import JanusServer, event_handler_configs
from janus_client.webrtc import FrameCounterVideoTrack, ToneAudioTrack, set_host_addresses


async def main() -> None:
    # Gather ICE candidates only on the loopback address the test bed gives Janus.
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    # --8<-- [start:receiver]
    metrics = ClientMetrics()  # counts this process' requests, errors, latencies
    set_client_hook(metrics)
    view = LiveView()
    source = HttpEventSource("127.0.0.1", 0, "/evh")  # port 0: pick a free one
    async with JanusEventReceiver(source) as receiver:
        receiver.add_listener(view)  # the view sees every event first
        registry = make_registry(metrics, view, receiver)
        async with MetricsServer(registry, "127.0.0.1", 0) as exporter:
            print("events at", source.url, "- metrics at", exporter.url)
            # --8<-- [end:receiver]
            configs = event_handler_configs({"sampleevh": {"backend": source.url}}, stats_period=1)
            with JanusServer(plugin_configs=configs) as janus:
                await call(janus.ws_url, receiver)
                await asyncio.sleep(1.5)  # the last events are on their way
                for handle in view:
                    print(f"handle {handle.handle_id}: {handle.plugin} ice={handle.ice_state}")
                print("sessions alive:", len(view.sessions))
                for kind, totals in sorted(view.media_totals().items()):
                    print(f"{kind}: Janus received {totals.packets_received} packets")
                async with aiohttp.ClientSession() as http, http.get(exporter.url) as resp:
                    text = await resp.text()
                wanted = ("janus_client_requests_total", "janus_media_packets_total")
                for line in text.splitlines():
                    if line.startswith(wanted):
                        print(line)
    set_client_hook(None)


async def call(url: str, receiver: JanusEventReceiver) -> None:
    async with JanusSession(url) as session:
        echo = JanusEchoTestPlugin()
        await echo.attach(session)
        await echo.start(tracks=[ToneAudioTrack(), FrameCounterVideoTrack(320, 240, fps=15)])
        await echo.wait_webrtcup(timeout=10)
        # --8<-- [start:iterate]
        async for event in receiver:
            if isinstance(event, WebRTCConnectionServerEvent):
                print("PeerConnection:", event.connection)
            elif isinstance(event, MediaStatsServerEvent) and event.media == "video":
                print(f"video stats: {event.packets_received} packets in, lost {event.lost}")
                break
        # --8<-- [end:iterate]
        await echo.close_stream()
        await echo.destroy()


asyncio.run(main())
