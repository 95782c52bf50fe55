"""Pytest fixtures that run a real Janus gateway (and a fake one) on loopback.

The plugin is registered through the ``pytest11`` entry point
``janus_client``, so installing ``janus-client`` makes these fixtures
available to every test suite:

* ``janus_server`` (session): a started :class:`JanusServer`.
* ``janus_ice_address`` (session): the loopback address ICE uses, or None
  when it could not be set up (media tests should then skip).
* ``janus_ws_url``, ``janus_http_url``, ``janus_admin_http_url`` and
  ``janus_admin_ws_url`` (session): the URLs of ``janus_server``.
* ``janus_server_factory`` (function): starts servers with custom options
  and stops them at teardown.
* ``fake_janus`` (function, asyncio): an in-process fake Janus.

When the ``janus`` binary is not on ``PATH`` the real-server fixtures skip
the test, unless the environment variable ``JANUS_CLIENT_REQUIRE_JANUS`` is
set to a non-empty value other than ``0``, in which case they fail.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from janus_client.testing._broker_fixtures import mosquitto_broker, rabbitmq_broker
from janus_client.testing._network import acquire_ice_address, ice_address_instructions
from janus_client.testing._server import JanusServer

if TYPE_CHECKING:
    from janus_client.testing.fake import FakeJanus

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - pytest-asyncio is a test extra
    _HAVE_PYTEST_ASYNCIO = False
else:
    _HAVE_PYTEST_ASYNCIO = True

__all__ = [
    "fake_janus",
    "mosquitto_broker",
    "rabbitmq_broker",
    "janus_admin_http_url",
    "janus_admin_ws_url",
    "janus_http_url",
    "janus_ice_address",
    "janus_server",
    "janus_server_factory",
    "janus_ws_url",
]

logger = logging.getLogger("janus_client.testing")

#: The ICE address the fixtures try to provide.
DEFAULT_ICE_ADDRESS = "127.0.0.2"
#: Environment variable that turns a missing Janus binary into a failure.
REQUIRE_ENV = "JANUS_CLIENT_REQUIRE_JANUS"


def _require_janus(binary: str = "janus") -> None:
    """Skip (or fail, if required by the environment) when Janus is missing."""
    if shutil.which(binary) is not None:
        return
    reason = f"the Janus binary {binary!r} is not on PATH (Debian/Ubuntu: apt-get install janus)"
    if os.environ.get(REQUIRE_ENV, "") not in ("", "0"):
        pytest.fail(f"{reason}, and {REQUIRE_ENV} is set", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def janus_ice_address() -> Iterator[str | None]:
    """Provide the loopback-range address used for ICE, creating it if possible.

    Uses :func:`janus_client.testing.acquire_ice_address` for ``127.0.0.2``:
    an address that exists is used as it is; a missing one is created when
    the tests run as root (a veth pair ``jt0``/``jt0p``) and removed at the
    end of the session. Without root, one warning says which ``ip``
    commands would provide it, and the value is None.

    Yields:
        ``"127.0.0.2"``, or None if it is missing and could not be created.

    """
    lease = acquire_ice_address(DEFAULT_ICE_ADDRESS)
    if lease.address is None:
        logger.warning(
            "no ICE address %s (media tests need it): %s",
            DEFAULT_ICE_ADDRESS,
            ice_address_instructions(DEFAULT_ICE_ADDRESS),
        )
    try:
        yield lease.address
    finally:
        lease.release()


@pytest.fixture(scope="session")
def janus_server(janus_ice_address: str | None) -> Iterator[JanusServer]:
    """Run one real Janus for the whole test session.

    No ``api_secret``, ``admin_secret = "janusoverlord"``, a 60 s session
    timeout and ICE restricted to ``janus_ice_address`` (unrestricted when
    that is None).

    Yields:
        The started server; it is stopped at the end of the session.

    """
    _require_janus()
    with JanusServer(
        ice_address=janus_ice_address,
        api_secret=None,
        admin_secret="janusoverlord",
        session_timeout=60,
    ) as server:
        yield server


@pytest.fixture(scope="session")
def janus_ws_url(janus_server: JanusServer) -> str:
    """Janus API WebSocket URL of ``janus_server`` (subprotocol ``janus-protocol``).

    Returns:
        A URL like ``ws://127.0.0.1:<port>``.

    """
    return janus_server.ws_url


@pytest.fixture(scope="session")
def janus_http_url(janus_server: JanusServer) -> str:
    """Janus API HTTP URL of ``janus_server``.

    Returns:
        A URL like ``http://127.0.0.1:<port>/janus``.

    """
    return janus_server.http_url


@pytest.fixture(scope="session")
def janus_admin_http_url(janus_server: JanusServer) -> str:
    """Admin API HTTP URL of ``janus_server``.

    Returns:
        A URL like ``http://127.0.0.1:<port>/admin``.

    """
    return janus_server.admin_http_url


@pytest.fixture(scope="session")
def janus_admin_ws_url(janus_server: JanusServer) -> str:
    """Admin API WebSocket URL of ``janus_server`` (subprotocol ``janus-admin-protocol``).

    Returns:
        A URL like ``ws://127.0.0.1:<port>``.

    """
    return janus_server.admin_ws_url


@pytest.fixture
def janus_server_factory(
    janus_ice_address: str | None,
) -> Iterator[Callable[..., JanusServer]]:
    """Start Janus servers with custom options; all are stopped at teardown.

    The factory takes the keyword arguments of :class:`JanusServer` and
    returns the started server. ``ice_address`` defaults to
    ``janus_ice_address``.

    Example:
        ```python
        def test_secret(janus_server_factory):
            janus = janus_server_factory(api_secret="s3cret")
        ```

    Yields:
        The factory.

    """
    servers: list[JanusServer] = []

    def factory(**kwargs: Any) -> JanusServer:
        _require_janus(kwargs.get("binary", "janus"))
        kwargs.setdefault("ice_address", janus_ice_address)
        server = JanusServer(**kwargs)
        servers.append(server)
        server.start()
        return server

    try:
        yield factory
    finally:
        errors: list[BaseException] = []
        for server in reversed(servers):
            try:
                server.stop()
            except Exception as exc:  # keep stopping the others
                errors.append(exc)
        if errors:
            raise errors[0]


async def _fake_janus() -> AsyncIterator[FakeJanus]:
    """Run an in-process fake Janus (``janus_client.testing.fake.FakeJanus``).

    Yields:
        The running ``FakeJanus``; it is closed at teardown.

    """
    from janus_client.testing.fake import FakeJanus  # lazy: only tests that use it pay

    async with FakeJanus() as fake:
        yield fake


def _fake_janus_unavailable() -> None:
    """Skip: the ``fake_janus`` fixture needs pytest-asyncio."""
    pytest.skip("the fake_janus fixture needs pytest-asyncio (pip install 'janus-client[test]')")


fake_janus: Any
if _HAVE_PYTEST_ASYNCIO:
    fake_janus = pytest_asyncio.fixture(_fake_janus, name="fake_janus")
else:  # pragma: no cover
    fake_janus = pytest.fixture(_fake_janus_unavailable, name="fake_janus")
