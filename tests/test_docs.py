"""The documentation builds strictly and documents every public name."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import janus_client

ROOT = Path(__file__).resolve().parents[1]

# Public modules whose __all__ must appear in the reference.
MODULES = [
    "janus_client",
    "janus_client.auth",
    "janus_client.cluster",
    "janus_client.config",
    "janus_client.coverage",
    "janus_client.errors",
    "janus_client.events",
    "janus_client.handle",
    "janus_client.health",
    "janus_client.instrument",
    "janus_client.observe",
    "janus_client.observe.otel",
    "janus_client.observe.prometheus",
    "janus_client.protocol",
    "janus_client.session",
    "janus_client.testing",
    "janus_client.transactions",
    "janus_client.transports",
    "janus_client.webrtc",
]


def _inventory(site: Path) -> set[str]:
    raw = (site / "objects.inv").read_bytes()
    body = raw.split(b"\n", 4)[4]
    names = set()
    for line in zlib.decompress(body).decode().splitlines():
        names.add(line.split(" ", 1)[0])
    return names


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    run = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "WARNING" not in run.stderr, run.stderr
    return out


def _where(module_name: str, name: str) -> str:
    module = importlib.import_module(module_name)
    obj = getattr(module, name)
    home = getattr(obj, "__module__", None)
    qual = getattr(obj, "__qualname__", None)
    if isinstance(home, str) and isinstance(qual, str) and home.startswith("janus_client"):
        return f"{home}.{qual}"
    return f"{module_name}.{name}"


def test_every_public_name_is_in_the_reference(site: Path) -> None:
    inventory = _inventory(site)
    missing = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            if name == "__version__":
                continue
            obj = getattr(module, name)
            if not hasattr(obj, "__module__") or not str(getattr(obj, "__module__", "")).startswith(
                "janus_client"
            ):
                continue  # re-exports of third-party names (aiortc's)
            target = _where(module_name, name)
            alias = f"{module_name}.{name}"
            if target not in inventory and alias not in inventory:
                missing.append(target)
    assert missing == [], f"not in the API reference: {missing}"


def test_package_names_cover_the_api() -> None:
    for name in janus_client.__all__:
        assert hasattr(janus_client, name), name


def test_coverage_page_has_the_table(site: Path) -> None:
    page = (site / "coverage" / "index.html").read_text()
    assert "JanusSession.create()" in page
    assert "not covered" not in page


def test_site_is_self_contained_and_indexed(site: Path) -> None:
    assert not (site / "hooks.py").exists()  # build code, not a page
    sitemap = (site / "sitemap.xml").read_text()
    assert sitemap.count("<loc>https://janus-client.github.io/janus-client/") > 30
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text, page
    assert "janus-client.github.io/janus-client" in (ROOT / "pyproject.toml").read_text()


def test_one_reference_page_per_plugin_module(site: Path) -> None:
    for module in ("base", "media", "echotest", "videocall", "videoroom", "textroom"):
        page = (site / "reference" / "plugins" / module / "index.html").read_text()
        assert f"janus_client.plugins.{module}" in page
        assert ">mod base<" not in page
    assert not (site / "reference" / "plugins" / "index.html").read_text().count("doc-class")


def test_docstring_examples_render_as_code(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert "Example::" not in text and "Examples::" not in text, page


def test_guides_link_into_the_reference() -> None:
    for guide in sorted((ROOT / "docs" / "guides").glob("*.md")):
        assert "](../reference/" in guide.read_text(), f"{guide.name} has no reference link"


def test_snippet_sections_are_dedented(site: Path) -> None:
    page = (site / "guides" / "videoroom" / "index.html").read_text()
    # The subscribe section sits inside a function in the example; shown without
    # that indentation, its first line starts at column 0.
    assert "<code>        " not in page
