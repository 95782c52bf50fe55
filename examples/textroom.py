"""TextRoom: chat over WebRTC data channels, with whispers, announcements and history."""

import asyncio
import os

from janus_client import (
    JanusSession,
    JanusTextRoomPlugin,
    TextRoomAnnouncementEvent,
    TextRoomMessageEvent,
)
from janus_client.webrtc import set_host_addresses

# `janus-client serve` runs a Janus at this URL; set JANUS_URL for another one.
JANUS_URL = os.environ.get("JANUS_URL", "ws://127.0.0.1:8188")

SECRET = "example-secret"


def show(who: str, event: TextRoomMessageEvent | TextRoomAnnouncementEvent) -> None:
    if isinstance(event, TextRoomAnnouncementEvent):
        print(f"  {who} got an announcement: {event.text!r}")
    elif event.whisper:
        print(f"  {who} got a private message from {event.sender}: {event.text!r}")
    else:
        print(f"  {who} got a message from {event.sender}: {event.text!r}")


async def main() -> None:
    # Gather ICE candidates only on the loopback address `janus-client serve`
    # gives Janus (it prints it as JANUS_ICE_ADDRESS).
    set_host_addresses([os.environ.get("JANUS_ICE_ADDRESS", "127.0.0.2")])
    async with JanusSession(JANUS_URL) as session:
        # One handle per participant; setup() opens each one's data channel.
        alice = await session.attach(JanusTextRoomPlugin())
        bob = await session.attach(JanusTextRoomPlugin())
        await asyncio.gather(alice.setup(), bob.setup())

        # Room management goes over the Janus API; history=10 keeps the last 10
        # messages for those who join later.
        room = await alice.create_room(description="example chat", secret=SECRET, history=10)
        print("created room", room)

        kinds = (TextRoomMessageEvent, TextRoomAnnouncementEvent)
        alice_inbox = alice.events(*kinds)  # open streams before events can arrive
        bob_inbox = bob.events(*kinds)
        await alice.join_room(room, "alice", display="Alice")
        others = await bob.join_room(room, "bob", display="Bob")
        print("bob joined; already there:", [p["username"] for p in others])

        await alice.send_message(room, "hello, everyone")  # public: alice gets it too
        show("bob", await bob_inbox.get(timeout=5))
        await bob.send_message(room, "hi alice, just for you", to="alice")  # a whisper
        show("alice", await alice_inbox.get(timeout=5))  # her own public message
        show("alice", await alice_inbox.get(timeout=5))
        await alice.send_announcement(room, "the room closes soon", secret=SECRET)
        show("alice", await alice_inbox.get(timeout=5))
        show("bob", await bob_inbox.get(timeout=5))
        await alice_inbox.aclose()
        await bob_inbox.aclose()

        # A late joiner receives the stored history before join_room() returns.
        carol = await session.attach(JanusTextRoomPlugin())
        await carol.setup()
        carol_inbox = carol.events(*kinds)
        await carol.join_room(room, "carol")
        history = []
        while carol_inbox.pending():
            history.append(await carol_inbox.get(timeout=1))
        await carol_inbox.aclose()
        print(f"carol joined late and got {len(history)} stored messages:")
        for event in history:
            show("carol", event)

        print("participants:", [p["username"] for p in await alice.list_participants(room)])
        for plugin in (alice, bob, carol):
            await plugin.leave_room(room)
        await alice.destroy_room(room, secret=SECRET)
        print("left and destroyed room", room)


asyncio.run(main())
