"""Admin/Monitor API: a whole-server snapshot, typed media counters, and watch().

The admin endpoint comes from ``JANUS_ADMIN_URL`` (default
``http://127.0.0.1:7088/admin``) and its secret from ``JANUS_ADMIN_SECRET``
(default ``janusoverlord``, what ``janus-client serve`` uses).
"""

import asyncio
import contextlib
import os

from janus_client import JanusAdminMonitorClient, JanusSession

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    admin_url = os.environ.get("JANUS_ADMIN_URL", "http://127.0.0.1:7088/admin")
    admin_secret = os.environ.get("JANUS_ADMIN_SECRET", "janusoverlord")

    async with (
        JanusAdminMonitorClient(admin_url, admin_secret) as admin,
        JanusSession(JANUS_URL) as session,
    ):
        # Something to look at: one session of ours with two handles.
        await session.attach("janus.plugin.echotest")
        await session.attach("janus.plugin.videoroom")

        snap = await admin.snapshot()
        print(f"{len(snap.sessions)} session(s), {len(list(snap.handles()))} handle(s)")
        ours = snap.session(session.session_id or 0)
        for info in ours.handles if ours else ():
            # No PeerConnection here: media_stats is empty and pair is None. With a
            # call, info.medium("video").packets_in, .bytes_out, .nacks_in, .rtt...
            print(f"  handle {info.handle_id}: {info.plugin}, ICE {info.ice_state}, "
                  f"{len(info.media_stats)} m-line(s)")
        print("vanished while walking:", snap.vanished_sessions, snap.vanished_handles)

        # watch(): a fresh snapshot every interval, the first at once.
        async with contextlib.aclosing(admin.watch(0.2, plugin_only=True)) as snapshots:
            async for each in snapshots:
                videorooms = each.by_plugin("janus.plugin.videoroom")
                print(f"watch: {len(each.sessions)} session(s), "
                      f"{len(videorooms)} VideoRoom handle(s)")
                if not videorooms:
                    break
                await session.destroy()  # the next snapshot no longer has them


asyncio.run(main())
