"""SIP: register, call a SIP phone, send DTMF, hang up; then answer a call from it.

SIPp stands in for the SIP server and the phone here (a registrar that answers
calls and echoes their audio, then a caller); with a real PBX, register to it
and call real extensions instead.
"""

import asyncio
import os
import time

from janus_client import JanusSession
from janus_client.plugins.sip import JanusSipPlugin, SipEvent, SipEventType
from janus_client.testing import SippProcess, caller_scenario, registrar_scenario
from janus_client.webrtc import ToneAudioTrack, set_host_addresses

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")


async def main() -> None:
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    with SippProcess(registrar_scenario(), timeout=60) as pbx:
        async with JanusSession(JANUS_URL) as session, JanusSipPlugin() as sip:
            await sip.attach(session)
            # --8<-- [start:register]
            await sip.register("sip:alice@127.0.0.1", secret="not-a-real-one", proxy=pbx.uri)
            print(f"registered as {sip.registration.username} at {pbx.uri}")
            # --8<-- [end:register]

            # --8<-- [start:call]
            call = await sip.call(f"sip:bob@{pbx.address}", tracks=[ToneAudioTrack(600)])
            await call.answered(timeout=10)
            print(f"call {call.call_id} answered by {call.peer_uri}")
            await asyncio.sleep(2)
            audio = call.peer.stats["audio"]
            print(f"echoed audio: {audio.frames} frames, {audio.fps():.0f} frames/s")
            await call.send_dtmf("42#")  # SIP INFO, one per digit
            await call.hangup()
            ended = await call.ended(timeout=10)
            print(f"call ended: {ended.code} {ended.reason}")
            # --8<-- [end:call]

            # An incoming call: the phone calls the handle's own SIP address (the
            # Contact of its REGISTER).
            contact = await pbx.wait_contact()
            await asyncio.sleep(1.5)  # Janus answers 486 for about 1 s after a call
            phone = SippProcess(caller_scenario(talk_ms=2000), remote=contact, service="alice")
            with phone:
                # --8<-- [start:incoming]
                incoming = await sip.wait_incoming_call(timeout=10)
                print(f"incoming call from {incoming.peer_uri}")
                await incoming.accept()
                started = time.monotonic()
                ended = await incoming.ended(timeout=15)  # the caller hangs up
                print(f"the caller hung up after {time.monotonic() - started:.1f} s: {ended.code}")
                # --8<-- [end:incoming]
            kinds = [e.type.value for e in call.events if isinstance(e, SipEvent)]
            print("first call's events:", ", ".join(kinds))
            assert SipEventType.ACCEPTED.value in kinds
            await sip.unregister()
            print("unregistered")


if __name__ == "__main__":
    asyncio.run(main())
