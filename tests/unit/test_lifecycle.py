"""The context-manager mixins of janus_client._lifecycle."""

from __future__ import annotations

import pytest

from janus_client._lifecycle import EitherContext


class _Thing(EitherContext):
    _closes_with = "close"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def start(self) -> None:
        self.calls.append("start")

    def close(self) -> None:
        self.calls.append("close")


def test_either_context_with() -> None:
    thing = _Thing()
    with thing as entered:
        assert entered is thing and thing.calls == ["start"]
    assert thing.calls == ["start", "close"]


async def test_either_context_async_with_closes_on_error() -> None:
    thing = _Thing()

    async def use() -> None:
        async with thing as entered:
            assert entered is thing and thing.calls == ["start"]
            raise KeyError("inside")

    with pytest.raises(KeyError):
        await use()
    assert thing.calls == ["start", "close"]
