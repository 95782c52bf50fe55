"""The layering of the core: checked by import-linter, and the declared seams."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

from janus_client import JanusSession
from janus_client.transports.link import SessionLink

ROOT = Path(__file__).resolve().parents[2]


def test_import_layers_contract_is_kept() -> None:
    # The same check `.ci/test` runs as `lint-imports`; it reads pyproject.toml.
    result = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_session_implements_every_method_of_the_transport_seam() -> None:
    wanted = {
        name
        for name, _ in inspect.getmembers(SessionLink)
        if not name.startswith("_") and name in SessionLink.__dict__
    }
    assert wanted == {
        "session_id",
        "closed",
        "credentials",
        "deliver",
        "connection_state_changed",
        "connection_lost",
        "keepalive_failed",
        "restore",
    }
    for name in wanted - {"session_id"}:
        assert hasattr(JanusSession, name), name
    assert inspect.iscoroutinefunction(JanusSession.restore)


def test_transport_and_handle_use_no_private_name_of_the_session() -> None:
    # Each layer talks to the next through public, declared calls only.
    for module in ("transports/base.py", "transports/http.py", "transports/websocket.py",
                   "handle.py"):
        text = (ROOT / "janus_client" / module).read_text()
        for private in ("session._", "transport._table", "_during_reconnect"):
            assert private not in text, (module, private)


def test_transports_write_no_claim_and_no_core_message_inline() -> None:
    # The session restores itself (it sends `claim`); message shapes come from protocol.py.
    for path in sorted((ROOT / "janus_client" / "transports").glob("*.py")):
        text = path.read_text()
        assert "_p.claim" not in text and '"claim"' not in text, path.name
        code = [line for line in text.splitlines() if "``" not in line]  # not docstrings
        assert not [line for line in code if '{"janus": "' in line], path.name


def test_core_verbs_are_written_once() -> None:
    from janus_client.coverage import JANUS_REQUESTS
    from janus_client.protocol import CORE_REQUESTS

    assert JANUS_REQUESTS["core"] is CORE_REQUESTS
    assert tuple(JanusSession.requests) == CORE_REQUESTS


def _foreign_private_uses(path: Path) -> list[str]:
    """Attribute reads of underscore names on objects other than self/cls/super()."""
    import ast

    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or name.startswith("__"):
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls", "plugin"):
            continue
        if isinstance(owner, ast.Call) and getattr(owner.func, "id", None) == "super":
            continue
        found.append(f"{path.name}:{node.lineno} .{name}")
    return found


def test_plugins_use_no_private_name_of_the_session_or_handle() -> None:
    plugins = ROOT / "janus_client" / "plugins"
    uses = [use for path in sorted(plugins.rglob("*.py")) for use in _foreign_private_uses(path)]
    # What the scan catches, shown on a sample of the old code:
    sample = ROOT / "tests" / "unit" / "data" / "_private_use_sample.py"
    assert _foreign_private_uses(sample) == ["_private_use_sample.py:3 ._attach_handle"]
    assert uses == []
