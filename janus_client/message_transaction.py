"""janus-client 0.9.x helpers for matching messages, kept for existing code.

The library itself matches replies with `janus_client.transactions`; these helpers
remain for code written against 0.9.x.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

__all__ = ["MessageTransaction", "is_subset"]


def is_subset(dict_1: dict[str, Any], dict_2: dict[str, Any]) -> bool:
    """Whether the pattern ``dict_2`` is contained in ``dict_1`` (recursively).

    Pattern values that are dicts match nested subsets; str, int and bool values
    must be equal; any other pattern value (None, lists, floats) only needs the key.

    Raises:
        TypeError: An argument is not a dict.
    """
    if not isinstance(dict_1, dict) or not isinstance(dict_2, dict):
        raise TypeError("is_subset needs two dicts")
    for key, pattern in dict_2.items():
        if key not in dict_1:
            return False
        value = dict_1[key]
        if isinstance(pattern, dict):
            if not isinstance(value, dict) or not is_subset(value, pattern):
                return False
        elif isinstance(pattern, (str, int)) and value != pattern:
            return False
    return True


Matcher = dict[str, Any] | Callable[[dict[str, Any]], bool]


def _accept_all(_: dict[str, Any]) -> bool:
    return True


class MessageTransaction:
    """Collects the messages of one transaction and hands out those that match."""

    def __init__(self) -> None:
        self._id = uuid.uuid4().hex
        self._messages: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()
        self._done = False

    @property
    def id(self) -> str:
        """The transaction id."""
        return self._id

    def put_msg(self, message: dict[str, Any]) -> None:
        """Add a received message."""
        self._messages.append(message)
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def get(
        self, matcher: Matcher | None = None, timeout: float | None = None
    ) -> dict[str, Any]:
        """Return the first message (received or to come) that ``matcher`` accepts.

        Raises:
            TypeError: ``matcher`` is neither a dict nor a callable.
            TimeoutError: Nothing matched within ``timeout`` seconds.
        """
        accept: Callable[[dict[str, Any]], bool]
        if matcher is None:
            accept = _accept_all
        elif isinstance(matcher, dict):
            pattern = matcher

            def accept(message: dict[str, Any]) -> bool:
                return is_subset(message, pattern)
        elif callable(matcher):
            accept = matcher
        else:
            raise TypeError(f"matcher must be a dict or a callable, got {type(matcher).__name__}")

        async def wait() -> dict[str, Any]:
            async with self._changed:
                while True:
                    for message in self._messages:
                        if accept(message):
                            return message
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(wait(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"no matching message within {timeout} s") from None

    async def on_done(self) -> None:
        """Hook run by `done` (0.9.x transports replaced it)."""

    async def done(self) -> None:
        """Release the transaction."""
        self._done = True
        await self.on_done()
