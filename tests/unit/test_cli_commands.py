"""The command registry of ``janus_client.cli``: one module per command group."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from janus_client import cli

PACKAGE = Path(cli.__file__).parent


def test_every_command_module_is_registered() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_")}
    assert modules == set(cli.COMMANDS)


def test_registered_modules_add_their_commands_in_order() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    names = list(sub.choices)  # type: ignore[union-attr]
    assert names == [
        "serve", "info", "ping", "echotest", "videocall", "videoroom", "textroom",
        "audiobridge", "streaming", "recordplay", "sip", "admin", "health", "events", "cluster",
    ]  # fmt: skip
    for name in cli.COMMANDS:
        assert callable(importlib.import_module(f"janus_client.cli.{name}").register)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--local"], "--local makes no sense"),
        (["ping", "--count", "0", "--url", "ws://127.0.0.1:9"], "--count must be at least 1"),
        (["videoroom", "destroy", "--url", "ws://127.0.0.1:9"], "needs a room id"),
        (["admin", "handles", "--admin-url", "http://127.0.0.1:9/admin"], "a session id"),
        (["textroom", "join", "5", "--url", "ws://127.0.0.1:9"], "--username"),
        (["audiobridge", "join", "--url", "ws://127.0.0.1:9"], "needs a room id"),
        (["audiobridge", "join", "5", "--seconds", "-1", "--url", "ws://127.0.0.1:9"], "--seconds"),
        (["info", "--url", "tcp://127.0.0.1:9"], "the scheme must be"),
        (["cluster", "place", "ws://127.0.0.1:9"], "needs --key"),
        (["cluster", "status", "ws://127.0.0.1:9", "--failures", "0"], "--failures"),
        (["cluster", "status", "ws://127.0.0.1:9", "ws://127.0.0.1:9"], "twice"),
    ],
)
def test_usage_checks_run_before_connecting(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == cli.EXIT_USAGE
    assert message in capsys.readouterr().err


def test_former_observe_module_still_imports() -> None:
    from janus_client import cli_observe
    from janus_client.cli import observe

    assert cli_observe.event_to_json is observe.event_to_json
    assert cli_observe.add_commands is observe.register
