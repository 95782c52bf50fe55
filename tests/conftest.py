"""Shared fixtures: the leak checker and the transport parametrisation."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest


def _open_sockets() -> set[str]:
    """Return the inodes of this process's open sockets (Linux /proc)."""
    found: set[str] = set()
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:  # pragma: no cover - not Linux
        return found
    for fd in fds:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


@pytest.fixture(autouse=True)
async def no_leaks(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Fail a test that leaves an asyncio task or a socket open behind it."""
    if request.node.get_closest_marker("allow_leaks"):
        yield
        return
    before_sockets = _open_sockets()
    current = asyncio.current_task()
    before_tasks = {t for t in asyncio.all_tasks() if t is not current}
    yield
    loop = asyncio.get_running_loop()
    # Broker clients and servers close their sockets asynchronously: under load
    # (CI, 2 cores) that can take seconds. A clean test does not wait at all.
    deadline = loop.time() + 5.0
    while True:
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current and t not in before_tasks]
        sockets = _open_sockets() - before_sockets
        if (not tasks and not sockets) or loop.time() > deadline:
            break
        await asyncio.sleep(0.02)
    if tasks:
        for t in tasks:
            t.cancel()
        pytest.fail(f"test leaked {len(tasks)} asyncio task(s): {tasks}", pytrace=False)
    if sockets:
        pytest.fail(f"test leaked {len(sockets)} open socket(s): {sorted(sockets)}", pytrace=False)
    webrtc = sys.modules.get("janus_client.webrtc")
    if webrtc is not None:
        pcs = webrtc.open_peer_connections()
        if pcs:
            for pc in pcs:
                await pc.close()
            pytest.fail(f"test left {len(pcs)} peer connection(s) open: {pcs}", pytrace=False)


@pytest.fixture(params=["ws", "http"])
def kind(request: pytest.FixtureRequest) -> str:
    """Which transport a test runs over (``"ws"`` or ``"http"``), once each."""
    return str(request.param)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test with its techniques (markers registered in pyproject.toml).

    ``unit``/``integration`` follow the directory, ``fake`` and ``media`` follow the
    fixtures a test uses. ``property`` is written on each Hypothesis test; a property
    test without it is a collection error, so ``-m property`` always selects them all.
    """
    for item in items:
        path = str(item.path)
        if f"{os.sep}integration{os.sep}" in path:
            item.add_marker(pytest.mark.integration)
        elif f"{os.sep}unit{os.sep}" in path:
            item.add_marker(pytest.mark.unit)
        names = set(getattr(item, "fixturenames", ()))
        if names & {"fake_janus", "live"}:
            item.add_marker(pytest.mark.fake)
        if "media_address" in names:
            item.add_marker(pytest.mark.media)
        obj = getattr(item, "obj", None)
        if getattr(obj, "is_hypothesis_test", False) and not item.get_closest_marker("property"):
            raise pytest.UsageError(f"{item.nodeid}: a Hypothesis test needs @pytest.mark.property")


@pytest.fixture(scope="session")
def media_address(janus_ice_address: str | None) -> Iterator[str]:
    """Real WebRTC media: aiortc gathers only on the test bed's ICE address."""
    if janus_ice_address is None:
        reason = "real media needs the loopback ICE address (root, iproute2)"
        if os.environ.get("JANUS_CLIENT_REQUIRE_JANUS", "") not in ("", "0"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from janus_client import webrtc

    webrtc.set_host_addresses([janus_ice_address])
    yield janus_ice_address
    webrtc.set_host_addresses(None)


@pytest.fixture(params=["ws", "http"])
def janus_url(request: pytest.FixtureRequest, janus_ws_url: str, janus_http_url: str) -> str:
    """The real test Janus' API URL, once per transport."""
    return janus_ws_url if request.param == "ws" else janus_http_url


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_leaks: skip the task/socket leak check")


# ------------------------------------------------------------------ broker transports
from brokered import BROKER_TRANSPORTS, brokered_urls  # noqa: E402


@pytest.fixture(scope="session")
def janus_brokered(
    janus_ice_address: str | None, mosquitto_broker: Any, rabbitmq_broker: Any
) -> Iterator[Any]:
    """One Janus for the session with pfunix (SEQPACKET), MQTT 5 and RabbitMQ enabled."""
    from janus_client.testing import JanusServer
    from janus_client.testing.pytest_plugin import _require_janus

    _require_janus()
    server = JanusServer(
        ice_address=janus_ice_address,
        unix_sockets=True,
        mqtt_broker=mosquitto_broker.url,
        mqtt_version="5",
        rabbitmq_broker=rabbitmq_broker.url,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def janus_brokered_v311(janus_ice_address: str | None, mosquitto_broker: Any) -> Iterator[Any]:
    """One Janus for the session with pfunix (DGRAM) and MQTT 3.1.1 enabled."""
    from janus_client.testing import JanusServer
    from janus_client.testing.pytest_plugin import _require_janus

    _require_janus()
    server = JanusServer(
        ice_address=janus_ice_address,
        unix_sockets=True,
        unix_socket_type="SOCK_DGRAM",
        mqtt_broker=mosquitto_broker.url,
        mqtt_version="3.1.1",
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BROKER_TRANSPORTS)
def janus_broker_url(request: pytest.FixtureRequest) -> str:
    """A real Janus' API URL, once per transport beyond WebSocket and HTTP."""
    return brokered_urls(request, str(request.param))[0]
