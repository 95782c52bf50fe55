"""AudioBridge against the real Janus: rooms, moderation, and real mixed audio."""

from __future__ import annotations

import asyncio
import math
import os
import shutil
import signal
import socket
import time
import wave
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import janus_client.coverage
from janus_client import (
    AudioBridgeError,
    AudioBridgeEvent,
    AudioBridgeEventType,
    JanusAudioBridgePlugin,
    JanusSession,
)
from janus_client.events import JanusEvent
from janus_client.plugins.audiobridge import AudioBridgeStateError

SECRET = "ab-secret-7c2e"
PIN = "ab-pin-41d0"
media = pytest.mark.usefixtures("media_address")
#: RMS (s16) counted as silence, and as clearly heard: a 0.3-volume tone mixed
#: by Janus measures about 4,900; a muted mix about 0.1.
SILENCE = 100.0
HEARD = 1000.0
Kind = AudioBridgeEventType


# ----------------------------------------------------------------------- helpers
async def _until(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        await asyncio.sleep(0.05)


async def _next(
    stream: Any,
    kind: Kind,
    timeout: float = 10.0,
    where: Callable[[AudioBridgeEvent], bool] = lambda e: True,
) -> AudioBridgeEvent:
    """Return the next event of ``kind`` (for which ``where`` holds) from an event stream."""
    deadline = time.monotonic() + timeout
    while True:
        event: JanusEvent = await stream.get(timeout=max(deadline - time.monotonic(), 0.01))
        if isinstance(event, AudioBridgeEvent) and event.type is kind and where(event):
            return event


async def _rms(plugin: JanusAudioBridgePlugin, seconds: float = 1.0, settle: float = 0.6) -> float:
    """RMS of the mix ``plugin`` received over ``seconds``, after ``settle`` seconds."""
    stats = await _until(lambda: plugin.mix_stats, what="the mix track")
    await stats.wait_first_frame(timeout=10)
    await asyncio.sleep(settle)
    squares, samples = stats.sum_squares, stats.samples
    await asyncio.sleep(seconds)
    count = stats.samples - samples
    return math.sqrt((stats.sum_squares - squares) / count) if count else 0.0


def _tone_track(frequency: float) -> Any:
    """A tone that can be switched to digital silence (``track.silent = True``)."""
    from janus_client.webrtc import ToneAudioTrack

    class SwitchableTone(ToneAudioTrack):
        silent = False

        async def recv(self) -> Any:
            frame = await super().recv()
            if self.silent:
                frame.planes[0].update(bytes(2 * frame.samples))
            return frame

    return SwitchableTone(frequency)


def _write_opus(path: Path, seconds: float, frequency: float = 660.0) -> None:
    """Write an Ogg Opus file with a tone (PyAV)."""
    import av

    samples = 960
    container = av.open(str(path), "w", format="ogg")
    stream = container.add_stream("libopus", rate=48000, layout="mono")
    for i in range(int(seconds * 50)):
        wave_ = array(
            "h",
            (
                int(9000 * math.sin(2 * math.pi * frequency * (i * samples + k) / 48000))
                for k in range(samples)
            ),
        )
        frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(wave_.tobytes())
        frame.sample_rate = 48000
        frame.pts = i * samples
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _gstreamer() -> str:
    found = shutil.which("gst-launch-1.0")
    if found is None:
        reason = "GStreamer (gst-launch-1.0) is not installed (.ci/setup installs it)"
        if os.environ.get("JANUS_CLIENT_REQUIRE_JANUS", "") not in ("", "0"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return found


async def _stop(process: asyncio.subprocess.Process) -> None:
    """End a gst-launch child: SIGINT (EOS, files completed), then kill; always reaped."""
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 5)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()


def _wav_rms(path: Path, last_seconds: float) -> float:
    with wave.open(str(path)) as wav:
        assert wav.getsampwidth() == 2
        frames = wav.readframes(wav.getnframes())
        rate, channels = wav.getframerate(), wav.getnchannels()
    samples = array("h")
    samples.frombytes(frames)
    tail = samples[-int(last_seconds * rate * channels) :]
    return math.sqrt(sum(x * x for x in tail) / len(tail)) if tail else 0.0


class _SymmetricRtp(asyncio.DatagramProtocol):
    """The plain-RTP participant's one socket (Janus' socket is connected to it).

    Janus sends the mix to the address given in ``join`` and only accepts RTP *from*
    that address; gst-launch cannot share one socket between udpsrc and udpsink.
    So the GStreamer sender sends to a second socket (`_Inlet`), whose packets go out
    from this one, and what Janus sends here goes on to the GStreamer receiver.
    """

    def __init__(self, janus: tuple[str, int], receiver: tuple[str, int]) -> None:
        self.janus, self.receiver = janus, receiver
        self.transport: Any = None
        self.from_janus = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        assert self.transport is not None
        if addr == self.janus:
            self.from_janus += 1
            self.transport.sendto(data, self.receiver)

    def send(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.sendto(data, self.janus)


class _Inlet(asyncio.DatagramProtocol):
    """Where the GStreamer sender sends: forwarded out of the participant's socket."""

    def __init__(self, out: _SymmetricRtp) -> None:
        self.out = out

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.out.send(data)


# -------------------------------------------------------------- no Janus needed
def test_every_request_has_a_method() -> None:
    assert len(janus_client.coverage.JANUS_REQUESTS["janus.plugin.audiobridge"]) == 27
    assert janus_client.coverage.missing("janus.plugin.audiobridge") == []


def test_error_class() -> None:
    error = AudioBridgeError("No such room (1)", code=485)
    assert error.code_name == "JANUS_AUDIOBRIDGE_ERROR_NO_SUCH_ROOM"
    assert error.plugin == "janus.plugin.audiobridge"
    assert "485" in str(error) and "NO_SUCH_ROOM" in str(error)
    assert isinstance(AudioBridgeStateError("not in a room"), AudioBridgeError)


def test_events_are_typed() -> None:
    data = {
        "audiobridge": "event",
        "room": 5,
        "participants": [{"id": 7, "display": "a", "setup": True, "muted": True}],
    }
    event = AudioBridgeEvent.from_data(data)
    assert event.type is Kind.PARTICIPANTS and event.room == 5 and event.id is None
    (person,) = event.participants
    assert (person.id, person.display, person.setup, person.muted) == (7, "a", True, True)
    assert person.raw == data["participants"][0]  # type: ignore[index]
    left = AudioBridgeEvent.from_data({"audiobridge": "event", "room": 5, "leaving": 7})
    assert (left.type, left.id) == (Kind.LEAVING, 7)
    kicked = AudioBridgeEvent.from_data({"audiobridge": "event", "room": 5, "kicked_all": 7})
    assert (kicked.type, kicked.id) == (Kind.KICKED_ALL, 7)
    room_muted = AudioBridgeEvent.from_data({"audiobridge": "event", "room": 5, "muted": True})
    assert (room_muted.type, room_muted.muted) == (Kind.ROOM_MUTED, True)
    talking = AudioBridgeEvent.from_data({"audiobridge": "stopped-talking", "room": 5, "id": 7})
    assert (talking.type, talking.id, talking.talking) == (Kind.STOPPED_TALKING, 7, False)
    announcement = AudioBridgeEvent.from_data(
        {"audiobridge": "announcement-started", "room": 5, "file_id": "f"}
    )
    assert (announcement.type, announcement.file_id) == (Kind.ANNOUNCEMENT_STARTED, "f")
    error = AudioBridgeEvent.from_data({"audiobridge": "event", "error_code": 485, "error": "x"})
    assert (error.type, error.error_code) == (Kind.ERROR, 485)
    assert AudioBridgeEvent.from_data({"audiobridge": "roomchanged", "id": 3}).type is (
        Kind.ROOM_CHANGED
    )
    assert AudioBridgeEvent.from_data({"audiobridge": "new-thing"}).type is Kind.EVENT


async def test_arguments_are_checked_before_sending() -> None:
    bridge = JanusAudioBridgePlugin()
    with pytest.raises(ValueError, match="room"):
        await bridge.mute(0, 5)
    with pytest.raises(TypeError, match="participant_id"):
        await bridge.mute(5, 1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="codec"):
        await bridge.rtp_forward(5, "127.0.0.1", 5000, codec="vp8")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="secret") as caught:
        await bridge.play_file(5, "/x.opus", secret=1234)  # type: ignore[arg-type]
    assert "1234" not in str(caught.value)
    with pytest.raises(ValueError, match="rtp has unknown keys"):
        await bridge.join(5, rtp={"ip": "127.0.0.1", "port": 5000, "ssrc": 1})
    with pytest.raises(TypeError, match=r"rtp\['port'\]"):
        await bridge.join(5, rtp={"ip": "127.0.0.1", "port": "5000"})
    with pytest.raises(ValueError, match="configure needs"):
        await bridge.configure()
    # The participant settings are checked from one table (join, configure, changeroom).
    with pytest.raises(TypeError, match=r"^volume must be"):
        await bridge.configure(volume="loud")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^muted must be"):
        await bridge.configure(muted=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^quality must not be negative"):
        await bridge.join(5, quality=-1)
    with pytest.raises(ValueError, match=r"^display must not be empty"):
        await bridge.changeroom(5, display="", bitrate=64000)
    with pytest.raises(ValueError, match="timeout"):
        await bridge.exists(5, timeout=-1)


# ------------------------------------------------------------ signalling only
async def test_rooms_moderation_and_errors(janus_url: str) -> None:
    """Rooms and moderation, with plain-RTP participants (they need no media to join)."""
    async with JanusSession(janus_url) as session:
        admin = await session.attach(JanusAudioBridgePlugin())
        created = await admin.create_room(
            description="ab test",
            secret=SECRET,
            pin=PIN,
            sampling_rate=16000,
            allow_rtp_participants=True,
        )
        room = created.room
        assert created.permanent is False and created.raw["audiobridge"] == "created"
        assert await admin.exists(room) is True
        listed = {r.room: r for r in await admin.rooms()}
        assert listed[room].description == "ab test" and listed[room].pin_required is True
        assert listed[room].sampling_rate == 16000 and listed[room].num_participants == 0
        assert any(r["room"] == room for r in await admin.list_rooms())
        with pytest.raises(AudioBridgeError) as exists:
            await admin.create_room(room, secret=SECRET)
        assert exists.value.code == 486
        assert exists.value.code_name == "JANUS_AUDIOBRIDGE_ERROR_ROOM_EXISTS"
        with pytest.raises(AudioBridgeError) as wrong:
            await admin.edit_room(room, secret="wrong", new_description="x")
        assert wrong.value.code == 489 and SECRET not in str(wrong.value)
        await admin.edit_room(room, secret=SECRET, new_description="renamed")
        assert {r.room: r for r in await admin.rooms()}[room].description == "renamed"

        # Two plain-RTP participants (nothing is sent: Janus waits for our RTP first).
        one = await session.attach(JanusAudioBridgePlugin())
        two = await session.attach(JanusAudioBridgePlugin())
        with pytest.raises(AudioBridgeError) as no_pin:
            await one.join(room, rtp={"ip": "127.0.0.1", "port": _free_udp_port()})
        assert no_pin.value.code == 483  # missing pin
        joined = await one.join(
            room, display="one", pin=PIN, rtp={"ip": "127.0.0.1", "port": _free_udp_port()}
        )
        assert joined.rtp is not None and joined.rtp.ip == "127.0.0.1"
        assert joined.rtp.port is not None and joined.rtp.payload_type == 100
        assert one.rtp == joined.rtp and one.room_id == room
        with pytest.raises(AudioBridgeStateError, match="changeroom"):
            await one.join(room, pin=PIN, rtp={"ip": "127.0.0.1", "port": 5000})
        one_events = one.events(AudioBridgeEvent)
        await two.join(
            room, display="two", pin=PIN, rtp={"ip": "127.0.0.1", "port": _free_udp_port()}
        )
        newcomer = await _next(one_events, Kind.JOINED)
        assert newcomer.id is None and newcomer.participants[0].display == "two"
        assert one.room_participants[two.participant_id].display == "two"  # type: ignore[index]
        people = {p.id: p for p in await admin.participants(room)}
        assert set(people) == {one.participant_id, two.participant_id}
        assert people[one.participant_id].setup is False  # no RTP received yet
        assert {p["display"] for p in await admin.list_participants(room)} == {"one", "two"}

        # A moderator mutes one participant, then the room.
        await admin.mute(room, two.participant_id, secret=SECRET)  # type: ignore[arg-type]
        update = await _next(one_events, Kind.PARTICIPANTS, where=lambda e: e.participants[0].muted)
        assert update.participants[0].id == two.participant_id
        assert one.room_participants[two.participant_id].muted is True  # type: ignore[index]
        await admin.unmute(room, two.participant_id, secret=SECRET)  # type: ignore[arg-type]
        await admin.mute_room(room, secret=SECRET)
        assert (await _next(one_events, Kind.ROOM_MUTED)).muted is True
        assert one.room_muted is True
        assert {r.room: r for r in await admin.rooms()}[room].muted is True
        await admin.unmute_room(room, secret=SECRET)
        assert (await _next(one_events, Kind.ROOM_MUTED)).muted is False
        with pytest.raises(AudioBridgeError) as nobody:
            await admin.mute(room, 424242, secret=SECRET)
        assert nobody.value.code == 492

        # configure and resetdecoder work for a joined participant.
        configured = await one.configure(display="uno", volume=120)
        assert configured.type is Kind.CONFIGURED and configured.result == "ok"
        assert one.display_name == "uno"
        await one.reset_decoder()
        with pytest.raises(AudioBridgeError) as not_joined:
            await admin.reset_decoder()
        assert not_joined.value.code == 487

        # allowed: tokens.
        assert await admin.allowed(room, "enable", secret=SECRET) == []
        assert await admin.allowed(room, "add", ["tok"], secret=SECRET) == ["tok"]
        await admin.allowed(room, "disable", secret=SECRET)

        # Kicking one participant, then everybody.
        two_events = two.events(AudioBridgeEvent)
        await admin.kick_participant(room, two.participant_id, SECRET)  # type: ignore[arg-type]
        assert (await _next(two_events, Kind.KICKED)).id is not None
        await _until(lambda: two.room_id is None, what="the kicked participant's reset")
        assert (await _next(one_events, Kind.KICKED)).id not in one.room_participants
        await admin.kick_all(room, secret=SECRET)
        await _next(one_events, Kind.KICKED_ALL)
        await _until(lambda: one.room_id is None, what="kick_all's reset")
        assert await admin.participants(room) == ()

        # Joining again, then the room is destroyed under us.
        await one.join(room, pin=PIN, rtp={"ip": "127.0.0.1", "port": _free_udp_port()})
        left = await one.leave()
        assert left.type is Kind.LEFT and one.room_id is None
        with pytest.raises(AudioBridgeStateError):
            await one.leave()
        await one.join(room, pin=PIN, rtp={"ip": "127.0.0.1", "port": _free_udp_port()})
        await admin.destroy_room(room, secret=SECRET)
        assert (await _next(one_events, Kind.DESTROYED)).room == room
        await _until(lambda: one.room_id is None, what="the destroyed room's reset")
        assert await admin.exists(room) is False
        with pytest.raises(AudioBridgeError) as gone:
            await admin.destroy_room(room, secret=SECRET)
        assert gone.value.code == 485
        await one_events.aclose()
        await two_events.aclose()


async def test_rtp_forward_delivers_opus(janus_url: str) -> None:
    loop = asyncio.get_running_loop()
    async with JanusSession(janus_url) as session:
        admin = await session.attach(JanusAudioBridgePlugin())
        room = (await admin.create_room(secret=SECRET, sampling_rate=48000)).room
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.setblocking(False)
            port = sock.getsockname()[1]
            forwarder = await admin.rtp_forward(
                room, "127.0.0.1", port, codec="opus", always_on=True, secret=SECRET
            )
            assert forwarder.port == port and forwarder.stream_id > 0
            packets = [await asyncio.wait_for(loop.sock_recv(sock, 2048), 5) for _ in range(25)]
            assert all(p[0] >> 6 == 2 for p in packets)  # RTP version 2
            assert {p[1] & 0x7F for p in packets} == {100}  # Opus, default payload type
            assert {int.from_bytes(p[8:12], "big") for p in packets} == {forwarder.stream_id}
            (listed,) = await admin.list_forwarders(room, secret=SECRET)
            assert (listed.stream_id, listed.host, listed.port) == (
                forwarder.stream_id,
                "127.0.0.1",
                port,
            )
            assert (listed.codec, listed.ptype, listed.always_on) == ("opus", 100, True)
            await admin.stop_rtp_forward(room, forwarder.stream_id, secret=SECRET)
            assert await admin.list_forwarders(room, secret=SECRET) == []
            await asyncio.sleep(0.3)
            while True:  # drain what was in flight
                try:
                    sock.recv(2048)
                except BlockingIOError:
                    break
            await asyncio.sleep(0.5)
            with pytest.raises(BlockingIOError):
                sock.recv(2048)
        await admin.destroy_room(room, secret=SECRET)


# ------------------------------------------------------------------ real media
@media
async def test_two_peers_hear_each_other_mute_and_talk(janus_url: str) -> None:
    async with JanusSession(janus_url) as s1, JanusSession(janus_url) as s2:
        admin = await s1.attach(JanusAudioBridgePlugin())
        created = await admin.create_room(
            secret=SECRET, sampling_rate=48000, audiolevel_event=True, audio_active_packets=25
        )
        room = created.room
        alice = await s1.attach(JanusAudioBridgePlugin())
        bob = await s2.attach(JanusAudioBridgePlugin())
        alice_tone = _tone_track(440)
        joined = await alice.join(room, display="alice", tracks=[alice_tone])
        assert joined.type is Kind.JOINED and joined.id == alice.participant_id
        assert joined.participants == ()
        alice_events = alice.events(AudioBridgeEvent)
        bob_events = bob.events(AudioBridgeEvent)
        joined_b = await bob.join(room, display="bob", tracks=[_tone_track(880)])
        assert [p.id for p in joined_b.participants] == [alice.participant_id]
        await alice.wait_webrtcup()
        await bob.wait_webrtcup()
        assert (await _next(alice_events, Kind.JOINED)).participants[0].display == "bob"
        a_id, b_id = alice.participant_id, bob.participant_id
        assert a_id is not None and b_id is not None

        # Each hears the other (not itself: a mix without one's own voice).
        a_level, b_level = await asyncio.gather(_rms(alice), _rms(bob))
        assert a_level > HEARD and b_level > HEARD, (a_level, b_level)
        a_stats, b_stats = alice.mix_stats, bob.mix_stats
        assert a_stats is not None and b_stats is not None
        assert a_stats.fps() > 40 and b_stats.fps() > 40, (a_stats.fps(), b_stats.fps())
        assert alice.audio_level > HEARD

        # Talking events (the room reports audio levels).
        talkers = {(await _next(alice_events, Kind.TALKING)).id for _ in range(2)}
        assert talkers == {a_id, b_id}
        await _until(lambda: alice.room_participants[b_id].talking, what="bob talking")

        # A moderator mutes alice: bob hears silence; alice still hears bob.
        await admin.mute(room, a_id, secret=SECRET)
        update = await _next(bob_events, Kind.PARTICIPANTS, where=lambda e: e.participants[0].muted)
        assert update.participants[0].id == a_id
        assert bob.room_participants[a_id].muted is True
        await _until(lambda: alice.muted, what="alice to know she is muted")
        b_muted, a_still = await asyncio.gather(_rms(bob), _rms(alice))
        assert b_muted < SILENCE < HEARD < a_still, (b_muted, a_still)
        await admin.unmute(room, a_id, secret=SECRET)
        assert await _rms(bob) > HEARD
        assert not bob.room_participants[a_id].muted

        # Alice mutes herself; then the whole room is muted.
        await alice.configure(muted=True)
        assert alice.muted
        assert await _rms(bob) < SILENCE
        await alice.configure(muted=False)
        await admin.mute_room(room, secret=SECRET)
        assert (await _next(bob_events, Kind.ROOM_MUTED)).muted is True
        assert await _rms(bob) < SILENCE
        await admin.unmute_room(room, secret=SECRET)
        assert (await _next(bob_events, Kind.ROOM_MUTED)).muted is False
        assert await _rms(bob) > HEARD

        # Alice goes quiet: stopped-talking.
        alice_tone.silent = True
        quiet = await _next(bob_events, Kind.STOPPED_TALKING)
        assert quiet.id == a_id and quiet.talking is False

        # Bob leaves: alice sees him go.
        left = await bob.leave()
        assert left.type is Kind.LEFT and left.id == b_id
        assert bob.room_id is None and bob.peer_connection is None
        assert (await _next(alice_events, Kind.LEAVING)).id == b_id
        assert b_id not in alice.room_participants
        await alice_events.aclose()
        await bob_events.aclose()
        await admin.destroy_room(room, secret=SECRET)


@media
async def test_play_file_is_heard_and_recording(janus_ws_url: str, tmp_path: Path) -> None:
    """An Opus file played into the mix is heard; the mix and a participant are recorded."""
    opus = tmp_path / "announcement.opus"
    _write_opus(opus, seconds=30)
    rec_dir = tmp_path / "rec"
    async with JanusSession(janus_ws_url) as session:
        admin = await session.attach(JanusAudioBridgePlugin())
        room = (
            await admin.create_room(secret=SECRET, sampling_rate=48000, record_dir=str(rec_dir))
        ).room
        listener = await session.attach(JanusAudioBridgePlugin())
        await listener.join(room, display="listener", tracks=[_tone_track(440)])
        await listener.wait_webrtcup()
        events = listener.events(AudioBridgeEvent)
        assert await _rms(listener, settle=0.3, seconds=0.5) < SILENCE  # alone: silence

        file_id = await admin.play_file(room, str(opus), file_id="annc", secret=SECRET)
        assert file_id == "annc"
        assert (await _next(events, Kind.ANNOUNCEMENT_STARTED)).file_id == "annc"
        assert await admin.is_playing(room, "annc", secret=SECRET) is True
        assert await _rms(listener) > HEARD

        # Recording: the mix into a .wav, our own audio (and then everybody's) to .mjr.
        assert await admin.enable_recording(room, True, record_file="mix.wav", secret=SECRET)
        await admin.enable_mjrs(room, True, mjrs_dir=str(rec_dir), secret=SECRET)
        await asyncio.sleep(1.5)
        assert await admin.enable_recording(room, False, secret=SECRET) is False
        await admin.enable_mjrs(room, False, secret=SECRET)
        await listener.configure(record=True, filename="own")  # relative to mjrs_dir
        await asyncio.sleep(1.0)
        await listener.configure(record=False)
        mix = rec_dir / "mix.wav"
        assert mix.read_bytes()[:4] == b"RIFF" and mix.stat().st_size > 10_000
        (everybody,) = rec_dir.glob(f"audiobridge-{room}-user-*-audio.mjr")
        own = rec_dir / "own-audio.mjr"
        for mjr in (everybody, own):
            assert mjr.read_bytes()[:8] == b"MJR00002" and mjr.stat().st_size > 1000

        await admin.stop_file(room, "annc", secret=SECRET)
        assert (await _next(events, Kind.ANNOUNCEMENT_STOPPED)).file_id == "annc"
        assert await admin.is_playing(room, "annc", secret=SECRET) is False
        assert await _rms(listener) < SILENCE
        await events.aclose()
        await admin.destroy_room(room, secret=SECRET)


@media
async def test_plain_rtp_participant_is_mixed(janus_ws_url: str, tmp_path: Path) -> None:
    """A GStreamer RTP sender/receiver joins as a plain-RTP participant."""
    gst = _gstreamer()
    loop = asyncio.get_running_loop()
    async with JanusSession(janus_ws_url) as session:
        admin = await session.attach(JanusAudioBridgePlugin())
        room = (
            await admin.create_room(secret=SECRET, sampling_rate=48000, allow_rtp_participants=True)
        ).room
        webrtc_peer = await session.attach(JanusAudioBridgePlugin())
        await webrtc_peer.join(room, display="webrtc", tracks=[_tone_track(440)])
        await webrtc_peer.wait_webrtcup()

        rtp_peer = await session.attach(JanusAudioBridgePlugin())
        participant_transport, participant = await loop.create_datagram_endpoint(
            lambda: _SymmetricRtp(("", 0), ("", 0)), local_addr=("127.0.0.1", 0)
        )
        inlet_transport = None
        processes: list[asyncio.subprocess.Process] = []
        wav = tmp_path / "received.wav"
        try:
            port = participant_transport.get_extra_info("sockname")[1]
            joined = await rtp_peer.join(
                room, display="rtp", rtp={"ip": "127.0.0.1", "port": port, "payload_type": 111}
            )
            assert joined.rtp is not None and joined.rtp.port is not None
            assert joined.rtp.payload_type == 111
            receiver_port = _free_udp_port()
            participant.janus = (joined.rtp.ip or "127.0.0.1", joined.rtp.port)
            participant.receiver = ("127.0.0.1", receiver_port)
            inlet_transport, _ = await loop.create_datagram_endpoint(
                lambda: _Inlet(participant), local_addr=("127.0.0.1", 0)
            )
            inlet_port = inlet_transport.get_extra_info("sockname")[1]
            caps = "application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=111"
            # Two children: one pipeline with both a live udpsrc waiting for data and
            # the sender does not start sending.
            for args in (
                [
                    "udpsrc", "address=127.0.0.1", f"port={receiver_port}", f"caps={caps}", "!",
                    "rtpjitterbuffer", "!", "rtpopusdepay", "!", "opusdec", "!",
                    "audioconvert", "!", "audio/x-raw,format=S16LE", "!",
                    "wavenc", "!", "filesink", f"location={wav}",
                ],
                [
                    "audiotestsrc", "is-live=true", "freq=880", "volume=0.3", "!",
                    "audioconvert", "!", "audioresample", "!", "opusenc", "!",
                    "rtpopuspay", "pt=111", "!",
                    "udpsink", "host=127.0.0.1", f"port={inlet_port}",
                ],
            ):  # fmt: skip
                processes.append(
                    await asyncio.create_subprocess_exec(
                        gst,
                        "-q",
                        "-e",
                        *args,
                        stdout=asyncio.subprocess.DEVNULL,
                        stderr=asyncio.subprocess.DEVNULL,
                    )
                )
            # The WebRTC participant hears the GStreamer tone...
            await _until(lambda: participant.from_janus > 0, what="Janus' RTP to the participant")
            assert await _rms(webrtc_peer, settle=1.0) > HEARD
            people = {p.display: p for p in await admin.participants(room)}
            assert people["rtp"].setup is True
            await asyncio.sleep(1.0)
        finally:
            for process in reversed(processes):  # the sender first
                await _stop(process)
            if inlet_transport is not None:
                inlet_transport.close()
            participant_transport.close()
        assert [process.returncode for process in processes] == [0, 0]
        # ... and GStreamer received the WebRTC participant's (decoded into a .wav).
        assert participant.from_janus > 50
        assert _wav_rms(wav, last_seconds=1.0) > HEARD
        await rtp_peer.leave()
        await admin.destroy_room(room, secret=SECRET)


@media
async def test_changeroom_moves_the_media(janus_url: str) -> None:
    async with JanusSession(janus_url) as session:
        admin = await session.attach(JanusAudioBridgePlugin())
        first = (await admin.create_room(secret=SECRET, sampling_rate=48000)).room
        second = (await admin.create_room(secret=SECRET, sampling_rate=48000)).room
        in_first = await session.attach(JanusAudioBridgePlugin())
        in_second = await session.attach(JanusAudioBridgePlugin())
        mover = await session.attach(JanusAudioBridgePlugin())
        await in_first.join(first, display="first", tracks=[_tone_track(440)])
        await in_second.join(second, display="second", tracks=[_tone_track(660)])
        await mover.join(first, display="mover")  # listens only
        await asyncio.gather(in_first.wait_webrtcup(), in_second.wait_webrtcup())
        await mover.wait_webrtcup()
        assert await _rms(mover) > HEARD
        pc = mover.peer_connection
        first_events = in_first.events(AudioBridgeEvent)
        second_events = in_second.events(AudioBridgeEvent)

        changed = await mover.changeroom(second)
        assert changed.type is Kind.ROOM_CHANGED and changed.room == second
        assert mover.room_id == second and mover.participant_id == changed.id
        assert [p.display for p in changed.participants] == ["second"]
        assert mover.peer_connection is pc  # same media
        assert (await _next(first_events, Kind.LEAVING)).id is not None
        assert (await _next(second_events, Kind.JOINED)).participants[0].display == "mover"
        stats = mover.mix_stats
        assert stats is not None
        frames = stats.frames
        # The mover now hears the second room: muting its only speaker silences it.
        assert await _rms(mover) > HEARD and stats.frames > frames
        await admin.mute(second, in_second.participant_id, secret=SECRET)  # type: ignore[arg-type]
        assert await _rms(mover) < SILENCE
        await mover.hangup()
        assert mover.peer_connection is None and mover.room_id is None
        await first_events.aclose()
        await second_events.aclose()
        await admin.destroy_room(first, secret=SECRET)
        await admin.destroy_room(second, secret=SECRET)
