"""Pytest fixtures for the test brokers: one broker per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TypeVar

import pytest

from ._brokers import MosquittoBroker, RabbitMQBroker

__all__ = ["REQUIRE_BROKERS_ENV", "mosquitto_broker", "rabbitmq_broker"]

#: Environment variable that turns a missing broker binary into a failure.
REQUIRE_BROKERS_ENV = "JANUS_CLIENT_REQUIRE_BROKERS"

_B = TypeVar("_B", MosquittoBroker, RabbitMQBroker)


def _unavailable(reason: str) -> None:
    # CI sets JANUS_CLIENT_REQUIRE_JANUS: a test bed without the brokers then fails too.
    for name in (REQUIRE_BROKERS_ENV, "JANUS_CLIENT_REQUIRE_JANUS"):
        if os.environ.get(name, "") not in ("", "0"):
            pytest.fail(f"{reason}, and {name} is set", pytrace=False)
    pytest.skip(reason)


def _started(kind: type[_B], program: str) -> Iterator[_B]:
    """Start a ``kind`` broker for the fixture, stop it afterwards (skip if not installed)."""
    if kind.find_binary() is None:
        _unavailable(f"{program} is not installed (run .ci/brokers)")
    with kind() as broker:
        yield broker


@pytest.fixture(scope="session")
def mosquitto_broker() -> Iterator[MosquittoBroker]:
    """Run one mosquitto for the whole test session, on a free loopback port.

    Skips when mosquitto is not installed (fails instead when
    ``JANUS_CLIENT_REQUIRE_BROKERS`` or ``JANUS_CLIENT_REQUIRE_JANUS`` is set).

    Yields:
        The started broker; see `MosquittoBroker.url` and ``janus_url``.

    """
    yield from _started(MosquittoBroker, "mosquitto")


@pytest.fixture(scope="session")
def rabbitmq_broker() -> Iterator[RabbitMQBroker]:
    """Run one RabbitMQ (with its own epmd) for the whole test session.

    Skips when rabbitmq-server is not installed (fails instead when
    ``JANUS_CLIENT_REQUIRE_BROKERS`` or ``JANUS_CLIENT_REQUIRE_JANUS`` is set).

    Yields:
        The started broker; see `RabbitMQBroker.url` and `RabbitMQBroker.port`.

    """
    yield from _started(RabbitMQBroker, "rabbitmq-server")
