"""Admin/Monitor API: inspect sessions and handles, read and change settings.

The admin endpoint comes from ``JANUS_ADMIN_URL`` (default
``http://127.0.0.1:7088/admin``) and its secret from ``JANUS_ADMIN_SECRET``
(default ``janusoverlord``: Janus' sample configuration, and what
``janus-client serve`` uses unless told otherwise).
"""

import asyncio
import os

from janus_client import JanusAdminMonitorClient, JanusSession, ServerError

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    admin_url = os.environ.get("JANUS_ADMIN_URL", "http://127.0.0.1:7088/admin")
    admin_secret = os.environ.get("JANUS_ADMIN_SECRET", "janusoverlord")

    async with (
        JanusAdminMonitorClient(admin_url, admin_secret) as admin,
        JanusSession(JANUS_URL) as session,
    ):
        info = await admin.info()  # info and ping need no secret
        print(f"admin API of {info.name} {info.version_string}, "
              f"token auth {'on' if info.token_auth else 'off'}")

        # Something to look at: a session of ours with one handle.
        echo = await session.attach("janus.plugin.echotest")
        sid = session.session_id
        sessions = await admin.list_sessions()
        print(f"{len(sessions)} session(s) on the server, ours among them: {sid in sessions}")
        print(f"handles of session {sid}: {await admin.list_handles(sid)}")
        details = await admin.handle_info(sid, echo.handle_id)
        print(f"handle {details.handle_id}: plugin {details.plugin}, "
              f"transport {details.session_transport}, WebRTC up: {details.webrtc_ready}")

        # Runtime settings: read the log level, change it, put it back.
        level = (await admin.get_status()).log_level
        changed = await admin.set_log_level(5)
        print(f"log level {level}, set to {changed}, back to {await admin.set_log_level(level)}")

        # Stored tokens exist only when Janus runs with token_auth.
        try:
            tokens = await admin.list_tokens()
            print(f"{len(tokens)} stored token(s)")
        except ServerError as exc:
            print(f"no token list: {exc.code} {exc.reason}")

        await echo.detach()
        print("handles after detaching:", await admin.list_handles(sid))
        await session.destroy()
        print("our session listed after destroying it:", sid in await admin.list_sessions())
    # Leaving the block closed the admin connection.


asyncio.run(main())
