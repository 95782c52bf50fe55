"""Every Python block of the README and the documentation runs (or, if marked, compiles).

Blocks are taken from the Markdown as written:

* a block that only includes an example file (``--8<-- "examples/x.py"``) is that
  file, which ``test_examples.py`` runs; here it must be one of the files run there;
* a block that includes a section of an example (``"examples/x.py:name"``) is part
  of a file that runs; the section must exist and compile as it is shown;
* a block preceded by ``<!-- test: partial -->`` is deliberately incomplete and is
  only compiled; one preceded by ``<!-- test: signature -->`` shows a call signature
  and is compiled as a ``def``;
* every other block is a complete program: it runs against the session's test Janus
  (the default URLs of ``janus-client serve`` in it are pointed at that Janus), and
  must exit 0 by itself and print something.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[^\n]*$")
MARKER = re.compile(r"<!--\s*test:\s*(?P<kind>partial|signature)\s*-->")
SNIPPET = re.compile(r'^--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"$')

sys.path.insert(0, str(Path(__file__).parent))
from test_examples import SCRIPTS  # noqa: E402  (the examples that file runs)


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    code: str
    kind: str  # "run", "partial", "signature", "example", "section"

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def _blocks() -> list[Block]:
    found: list[Block] = []
    for page in PAGES:
        lines = page.read_text().splitlines()
        rel = str(page.relative_to(ROOT))
        index = 0
        while index < len(lines):
            match = FENCE.match(lines[index])
            if match is None or not match.group("lang"):
                index += 1
                continue
            indent, lang, start = match.group("indent"), match.group("lang"), index
            body: list[str] = []
            index += 1
            while index < len(lines) and lines[index].strip() != "```":
                body.append(lines[index])
                index += 1
            index += 1
            if lang not in ("python", "py"):
                continue
            code = textwrap.dedent("\n".join(b[len(indent):] if b.startswith(indent) else b
                                             for b in body)) + "\n"
            previous = next((x for x in reversed(lines[:start]) if x.strip()), "")
            marker = MARKER.search(previous)
            snippet = SNIPPET.match(code.strip())
            if marker:
                kind = marker.group("kind")
            elif snippet:
                kind = "section" if snippet.group("section") else "example"
            else:
                kind = "run"
            found.append(Block(rel, start + 1, code, kind))
    return found


BLOCKS = _blocks()


def _section(path: Path, name: str) -> str:
    text = path.read_text()
    begin, end = f"# --8<-- [start:{name}]", f"# --8<-- [end:{name}]"
    assert begin in text and end in text, f"{path.name} has no section {name!r}"
    return textwrap.dedent(text.split(begin, 1)[1].split(end, 1)[0].split("\n", 1)[1])


def test_the_pages_have_blocks_of_every_kind() -> None:
    kinds = {b.kind for b in BLOCKS}
    assert {"run", "example", "section", "signature"} <= kinds, kinds
    assert any(b.page == "README.md" and b.kind == "run" for b in BLOCKS)


def test_no_page_hides_its_set_up() -> None:
    for page in PAGES:
        assert "_common" not in page.read_text(), page
    for example in (ROOT / "examples").glob("*.py"):
        assert "_common" not in example.read_text(), example


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.kind != "run"], ids=lambda b: f"{b.id}-{b.kind}"
)
def test_block_compiles(block: Block) -> None:
    code = block.code
    if block.kind == "signature":
        code = "def " + code.strip() + ": ...\n"
    elif block.kind in ("example", "section"):
        match = SNIPPET.match(code.strip())
        assert match is not None
        path = ROOT / match.group("path")
        assert path.is_file(), path
        if block.kind == "example":
            assert path.parent.name == "examples"
            assert path.name in SCRIPTS or path.name == "test_with_janus.py", (
                f"{path.name} is shown in {block.page} but test_examples.py does not run it"
            )
            code = path.read_text()
        else:
            code = _section(path, match.group("section") or "")
    # Parts of a coroutine may use await at their top level.
    compile(code, block.id, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.kind == "run"], ids=lambda b: b.id)
def test_block_runs_against_janus(
    block: Block,
    janus_ws_url: str,
    janus_http_url: str,
    janus_admin_http_url: str,
    janus_admin_ws_url: str,
    tmp_path: Path,
) -> None:
    code = block.code
    for default, actual in (
        ("ws://127.0.0.1:8188", janus_ws_url),
        ("http://127.0.0.1:8088/janus", janus_http_url),
        ("http://127.0.0.1:7088/admin", janus_admin_http_url),
        ("ws://127.0.0.1:7188", janus_admin_ws_url),
    ):
        code = code.replace(default, actual)
    compile(code, block.id, "exec")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JANUS_")}
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert run.returncode == 0, f"{block.id}:\n{run.stdout}{run.stderr}"
    assert run.stdout.strip(), f"{block.id} printed nothing"
    assert "Traceback" not in run.stderr, run.stderr


def test_readme_use_example_prints_version_and_reply(janus_ws_url: str, tmp_path: Path) -> None:
    block = next(b for b in BLOCKS if b.page == "README.md" and b.kind == "run")
    code = block.code.replace("ws://127.0.0.1:8188", janus_ws_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JANUS_")}
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["1.1.2", "{'echotest': 'event', 'result': 'ok'}"]
