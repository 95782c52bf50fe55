"""Importing janus_client: no heavy media imports, no logging setup, documented API."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import janus_client

#: Modules of the optional extras (brokers, metrics) that ``import janus_client`` must not load.
EXTRAS = ("aiomqtt", "paho", "aio_pika", "aiormq", "pamqp", "prometheus_client", "opentelemetry")

_PROBE = r"""
import json, logging, sys
EXTRAS = %r
root_before = list(logging.getLogger().handlers)
root_level_before = logging.getLogger().level
import janus_client
lib = logging.getLogger("janus_client")
print(json.dumps({
    "media": sorted(m for m in ("aiortc", "av", "aioice") if m in sys.modules),
    "http": sorted(m for m in ("aiohttp", "yarl", "multidict") if m in sys.modules),
    "extras": sorted(m for m in EXTRAS if m in sys.modules),
    "root_added": len(logging.getLogger().handlers) - len(root_before),
    "root_level_changed": logging.getLogger().level != root_level_before,
    "lib_handlers": [type(h).__name__ for h in lib.handlers],
    "lib_level": lib.level,
    "lib_propagate": lib.propagate,
}))
"""


def _probe() -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE % (EXTRAS,)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


_RESULT: dict | None = None


def probe() -> dict:
    global _RESULT
    if _RESULT is None:
        _RESULT = _probe()
    return _RESULT


def test_import_does_not_load_media_stack() -> None:
    assert probe()["media"] == []


def test_import_does_not_load_broker_or_metrics_extras() -> None:
    assert probe()["extras"] == []


def test_import_does_not_load_aiohttp() -> None:
    # aiohttp loads with the HTTP transport (or the admin client over HTTP) only.
    assert probe()["http"] == []


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return out.stdout.strip()


def test_websocket_users_never_load_aiohttp_or_a_broker_client() -> None:
    code = (
        "import sys, janus_client\n"
        "from janus_client import JanusSession, JanusEchoTestPlugin, JanusTransport\n"
        "t = JanusTransport.create_transport('ws://127.0.0.1:1/janus')\n"
        "s = JanusSession('ws://127.0.0.1:1/janus')\n"
        "u = JanusTransport.create_transport('unix:///tmp/nothing.sock')\n"
        "print(type(t).__name__, type(u).__name__, "
        f"sorted(m for m in {('aiohttp', *EXTRAS)!r} if m in sys.modules))"
    )
    assert _run(code) == "JanusTransportWebsocket JanusTransportUnix []"


def test_an_http_url_loads_aiohttp_then() -> None:
    code = (
        "import sys, janus_client\n"
        "before = 'aiohttp' in sys.modules\n"
        "t = janus_client.JanusTransport.create_transport('http://127.0.0.1:1/janus')\n"
        "print(before, 'aiohttp' in sys.modules, type(t) is janus_client.JanusTransportHTTP)"
    )
    assert _run(code) == "False True True"


def test_lazy_names_load_their_module_on_first_use() -> None:
    code = (
        "import sys, janus_client\n"
        "names = ('janus_client.plugins.videoroom', 'janus_client.admin')\n"
        "before = [m in sys.modules for m in names]\n"
        "from janus_client import JanusVideoRoomPlugin, JanusAdminMonitorClient\n"
        "print(before, [m in sys.modules for m in names], "
        "'JanusVideoRoomPlugin' in dir(janus_client))"
    )
    assert _run(code) == "[False, False] [True, True] True"


def test_a_scheme_registered_by_the_user_wins_over_the_lazy_builtin() -> None:
    code = (
        "import janus_client\n"
        "from janus_client import JanusTransport\n"
        "class Mine(JanusTransport):\n"
        "    schemes = ('http',)\n"
        "    async def _send(self, message): pass\n"
        "JanusTransport.register_transport(Mine)\n"
        "import janus_client.transports.http  # the built-in module loads later\n"
        "print(type(JanusTransport.create_transport('http://127.0.0.1:1/janus')).__name__)\n"
        "del JanusTransport._registry['http']"
    )
    assert _run(code) == "Mine"


def test_observability_modules_load_no_extra_until_used() -> None:
    code = (
        "import sys, janus_client.observe, janus_client.instrument, janus_client.health, "
        "janus_client.cli_observe; "
        f"print(sorted(m for m in {EXTRAS!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]"


def test_import_adds_no_root_handlers() -> None:
    result = probe()
    assert result["root_added"] == 0
    assert result["root_level_changed"] is False


def test_library_logger_has_only_a_null_handler() -> None:
    result = probe()
    assert result["lib_handlers"] == ["NullHandler"]
    assert result["lib_level"] == 0  # NOTSET: the application decides
    assert result["lib_propagate"] is True


def test_all_names_exist() -> None:
    assert len(janus_client.__all__) == len(set(janus_client.__all__))
    for name in janus_client.__all__:
        assert hasattr(janus_client, name), name


def test_all_public_objects_have_docstrings() -> None:
    missing = []
    for name in janus_client.__all__:
        if name == "__version__":
            continue
        obj = getattr(janus_client, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            doc = inspect.getdoc(obj)
            if not doc or not doc.strip():
                missing.append(name)
    assert missing == []


def test_public_classes_have_their_own_docstrings() -> None:
    # inspect.getdoc inherits from bases; each exported class should document itself
    missing = [
        name
        for name in janus_client.__all__
        if inspect.isclass(obj := getattr(janus_client, name))
        and not (obj.__dict__.get("__doc__") or "").strip()
    ]
    assert missing == []


def test_version_is_a_string() -> None:
    assert isinstance(janus_client.__version__, str)
    assert janus_client.__version__
    assert janus_client.__version__[0].isdigit()


def test_package_docstring() -> None:
    assert janus_client.__doc__
    assert "asyncio" in janus_client.__doc__
