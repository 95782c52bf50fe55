"""`janus_client.plugins.declare`: declared requests check, build, send and convert."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

import pytest

from janus_client import JanusSession
from janus_client.errors import PluginError
from janus_client.plugins.base import JanusPlugin
from janus_client.plugins.declare import (
    Check,
    NonEmpty,
    Range,
    RequestSpec,
    Secret,
    SendsSpec,
    request,
    sends,
)
from janus_client.plugins.rooms import Participant, RoomInfo, RoomManagement
from janus_client.testing import MockTransport, plugin_reply
from janus_client.validate import RoomId

PLUGIN = "janus.plugin.demo"


@dataclass(frozen=True)
class Created:
    room: int
    raw: dict[str, Any]

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Created:
        return cls(room=data["room"], raw=data)


class DemoPlugin(RoomManagement):
    name = PLUGIN
    requests: ClassVar[dict[str, str]] = {"message": "configure"}  # an explicit row is merged in
    string_ids = False  # digit strings are refused (Janus would answer 430)

    @request("create", keys={"room_id": "room"}, result=Created.from_data)
    async def create_room(
        self,
        room_id: RoomId | None = None,
        *,
        description: str | None = None,
        secret: Secret | None = None,
        sampling_rate: int = 16000,
        gain: Annotated[int, Range(-20, 20)] | None = None,
        quality: float | None = None,
        codec: Literal["opus", "pcmu"] | None = None,
        groups: list[str] | None = None,
        timeout: float | None = None,
        **settings: Any,
    ) -> Created:
        """Create."""
        ...

    @request("play", mode="async", fixed={"demo": "play"})
    async def play(self, file: str, *, timeout: float | None = None) -> dict[str, Any]:
        """Play (answered by an event)."""
        ...

    @sends("join", "joinandconfigure")
    async def join(self) -> None:
        """Hand-written."""
        await self.request({"request": "join"})


def _recorder(answers: dict[str, Any]) -> tuple[MockTransport, list[dict[str, Any]]]:
    bodies: list[dict[str, Any]] = []

    def janus(req: dict[str, Any]) -> Any:
        if req["janus"] != "message":
            return None
        body = req["body"]
        bodies.append(body)
        data = answers.get(body["request"], {})
        if isinstance(data, tuple):  # (code, reason): a plugin error
            return plugin_reply(req, {"error_code": data[0], "error": data[1]})
        return plugin_reply(req, data, event=body["request"] == "play")

    return MockTransport(janus), bodies


async def test_declared_request_builds_the_body_and_converts_the_reply() -> None:
    transport, bodies = _recorder({"create": {"demo": "created", "room": 42}})
    async with transport, JanusSession(transport=transport) as session, DemoPlugin() as plugin:
        await plugin.attach(session)
        created = await plugin.create_room(
            42, description="d", secret="s", gain=-5, codec="opus", groups=["a"], extra=1
        )
    assert created == Created(room=42, raw={"demo": "created", "room": 42})
    assert bodies == [
        {
            "request": "create",
            "room": 42,
            "description": "d",
            "secret": "s",
            "sampling_rate": 16000,
            "gain": -5,
            "codec": "opus",
            "groups": ["a"],
            "extra": 1,
        }
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"room_id": 0}, ValueError, "room_id"),
        ({"room_id": "4242"}, ValueError, "room_id"),
        ({"room_id": 1.5}, TypeError, "room_id"),
        ({"description": 3}, TypeError, "description"),
        ({"sampling_rate": -1}, ValueError, "sampling_rate"),
        ({"sampling_rate": True}, TypeError, "sampling_rate"),
        ({"gain": 21}, ValueError, "gain"),
        ({"quality": float("nan")}, ValueError, "quality"),
        ({"codec": "vp8"}, ValueError, "codec"),
        ({"groups": "abc"}, TypeError, "groups"),
        ({"timeout": -1}, ValueError, "timeout"),
        ({"nope": object()}, TypeError, "nope"),
        ({"request": "destroy"}, ValueError, "request"),
    ],
)
async def test_bad_arguments_are_refused_before_anything_is_sent(
    kwargs: dict[str, Any], error: type[Exception], words: str
) -> None:
    transport, bodies = _recorder({})
    async with transport, JanusSession(transport=transport) as session:
        plugin = DemoPlugin()
        await plugin.attach(session)
        with pytest.raises(error, match=words):
            await plugin.create_room(**kwargs)
        await plugin.destroy()
    assert bodies == []


async def test_a_secret_never_appears_in_the_error() -> None:
    transport, _ = _recorder({})
    async with transport, JanusSession(transport=transport) as session:
        plugin = DemoPlugin()
        await plugin.attach(session)
        with pytest.raises(ValueError, match="secret") as info:
            await plugin.create_room(secret="")
        with pytest.raises(TypeError, match="secret") as info2:
            await plugin.create_room(secret=12345678)  # type: ignore[arg-type]
        await plugin.destroy()
    assert "secret" in str(info.value)
    assert "12345678" not in str(info2.value)


async def test_call_shape_errors_read_like_python_s() -> None:
    transport, _ = _recorder({})
    async with transport, JanusSession(transport=transport) as session:
        plugin = DemoPlugin()
        await plugin.attach(session)
        with pytest.raises(TypeError, match="positional"):
            await plugin.create_room(1, 2)  # type: ignore[misc]
        with pytest.raises(TypeError, match="missing required argument: 'file'"):
            await plugin.play()  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="multiple values"):
            await plugin.exists(5, room=5)  # type: ignore[misc]
        await plugin.destroy()


async def test_async_mode_waits_for_the_event_and_fixed_entries_are_sent() -> None:
    transport, bodies = _recorder({"play": {"demo": "event", "playing": True}})
    async with transport, JanusSession(transport=transport) as session:
        plugin = DemoPlugin()
        await plugin.attach(session)
        data = await plugin.play("x.opus")
        await plugin.destroy()
    assert data == {"demo": "event", "playing": True}
    assert bodies == [{"request": "play", "demo": "play", "file": "x.opus"}]


async def test_plugin_errors_come_back_typed() -> None:
    transport, _ = _recorder({"exists": (490, "boom")})
    async with transport, JanusSession(transport=transport) as session:
        plugin = DemoPlugin()
        await plugin.attach(session)
        with pytest.raises(PluginError) as info:
            await plugin.exists(7)
        await plugin.destroy()
    assert info.value.code == 490
    assert "boom" in str(info.value)


async def test_shared_room_management_requests_and_typed_results() -> None:
    answers = {
        "exists": {"exists": True},
        "list": {"list": [{"room": 1, "description": "a", "num_participants": 2}, "junk"]},
        "listparticipants": {"participants": [{"id": 5, "display": "x"}, {"username": "u"}]},
        "allowed": {"allowed": ["t1", 3]},
    }
    transport, bodies = _recorder(answers)
    async with transport, JanusSession(transport=transport) as session:
        plugin = DemoPlugin()
        await plugin.attach(session)
        assert await plugin.exists(1) is True
        rooms = await plugin.rooms(admin_key="k")
        assert rooms[0] == RoomInfo(room=1, description="a", num_participants=2)
        assert rooms[0].raw["num_participants"] == 2
        assert await plugin.list_rooms() == [{"room": 1, "description": "a", "num_participants": 2}]
        people = await plugin.participants(1)
        assert [p.id for p in people] == [5, "u"]
        assert isinstance(people[0], Participant)
        assert await plugin.allowed(1, "add", ["t1"], secret="s") == ["t1"]
        with pytest.raises(ValueError, match="needs the allowed tokens"):
            await plugin.allowed(1, "remove")
        with pytest.raises(ValueError, match="action"):
            await plugin.allowed(1, "grant", ["t"])  # type: ignore[arg-type]
        assert await plugin.kick_participant(1, 5, "s") is None
        assert await plugin.destroy_room(1, permanent=True) is None
        assert await plugin.edit_room(1, new_description="n", new_bitrate=1) is None
        await plugin.destroy()
    assert bodies[-3:] == [
        {"request": "kick", "room": 1, "id": 5, "secret": "s"},
        {"request": "destroy", "room": 1, "permanent": True},
        {"request": "edit", "room": 1, "new_description": "n", "new_bitrate": 1},
    ]
    assert {"request": "list", "admin_key": "k"} in bodies


def test_the_class_tables_come_from_the_declarations() -> None:
    assert DemoPlugin.requests["create"] == "create_room"
    assert DemoPlugin.requests["list"] == "list_rooms"  # the 0.9.x-style name wins
    assert DemoPlugin.requests["listparticipants"] == "list_participants"
    assert DemoPlugin.requests["join"] == DemoPlugin.requests["joinandconfigure"] == "join"
    assert DemoPlugin.requests["message"] == "configure"
    spec = DemoPlugin.request_specs["create"]
    assert isinstance(spec, RequestSpec)
    assert [(p.name, p.key, p.kind) for p in spec.params][:3] == [
        ("room_id", "room", "id"),
        ("description", "description", "str"),
        ("secret", "secret", "secret"),
    ]
    assert spec.accepts_settings
    assert spec.result_name == "Created"
    assert isinstance(DemoPlugin.request_specs["join"], SendsSpec)
    assert "play" not in JanusPlugin.requests  # a subclass's table stays its own


def test_declaration_mistakes_fail_at_class_creation_or_first_use() -> None:
    with pytest.raises(TypeError, match="keys names no parameter"):

        class Bad(JanusPlugin):
            @request("x", keys={"nope": "n"})
            async def x(self, room: int) -> None:
                """X."""
                ...

    class Odd(JanusPlugin):
        @request("y")
        async def y(self, thing: set[int]) -> None:
            """Y."""
            ...

    with pytest.raises(TypeError, match="no check for the annotation"):
        Odd.request_specs["y"].params  # type: ignore[union-attr]  # noqa: B018


def test_the_signature_stays_visible_to_tools() -> None:
    import inspect

    signature = inspect.signature(DemoPlugin.create_room)
    assert list(signature.parameters)[:3] == ["self", "room_id", "description"]
    assert DemoPlugin.create_room.__doc__ == "Create."
    assert inspect.iscoroutinefunction(DemoPlugin.create_room)


def evens(value: object, name: str) -> int:
    if not isinstance(value, int) or value % 2:
        raise ValueError(f"{name} must be even, got {value!r}")
    return value


async def test_a_required_parameter_refuses_none_and_own_checks_run() -> None:
    sent: list[dict[str, Any]] = []

    class Plugin(JanusPlugin):
        name = "janus.plugin.sample"

        @request("one", bare=False)
        async def one(
            self, room: RoomId, label: NonEmpty, n: Annotated[int, Check(evens, "even")]
        ) -> dict[str, Any]:
            """One."""
            ...

        @request("message", bare=True, result=lambda data: data.get("ok"))
        async def unnamed(self, *, audio: bool | None = None) -> Any:
            """Unnamed."""
            ...

        async def _send_declared(
            self, spec: Any, body: dict[str, Any], *, timeout: float | None
        ) -> dict[str, Any]:
            sent.append(body)
            return {"ok": True}

    plugin = Plugin()
    with pytest.raises(TypeError, match="room is required"):
        await plugin.one(None, "x", 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="label"):
        await plugin.one(1, "", 2)
    with pytest.raises(ValueError, match="n must be even"):
        await plugin.one(1, "x", 3)
    assert sent == []
    assert await plugin.one(1, "x", 4) == {"ok": True}
    assert await plugin.unnamed(audio=False) is True
    assert sent == [{"request": "one", "room": 1, "label": "x", "n": 4}, {"audio": False}]
    labels = {p.name: p.kind for p in Plugin.request_specs["one"].params}  # type: ignore[union-attr]
    assert labels == {"room": "id", "label": "non-empty str", "n": "even"}


def test_build_body_reuses_a_declaration_without_sending() -> None:
    from janus_client import JanusEchoTestPlugin, JanusVideoCallPlugin
    from janus_client.plugins.declare import build_body

    echo = JanusEchoTestPlugin()
    assert build_body(JanusEchoTestPlugin.configure, echo, audio=True, bitrate=0) == {
        "audio": True,
        "bitrate": 0,
    }
    call = JanusVideoCallPlugin()
    body = build_body(JanusVideoCallPlugin.configure, call, record=True, filename="f")
    assert body == {"request": "set", "record": True, "filename": "f"}
    with pytest.raises(ValueError, match="substream"):
        build_body(JanusVideoCallPlugin.configure, call, substream=7)
    with pytest.raises(TypeError, match="not declared"):
        build_body(JanusVideoCallPlugin.set_media, call)
