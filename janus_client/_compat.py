"""Small compatibility helpers across supported Python versions."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

__all__ = ["deadline"]

if sys.version_info >= (3, 11):
    deadline = asyncio.timeout
else:  # pragma: no cover - Python 3.10

    class deadline:
        """Minimal ``asyncio.timeout`` for Python 3.10."""

        def __init__(self, delay: float | None) -> None:
            self._delay = delay
            self._handle: asyncio.TimerHandle | None = None
            self._expired = False
            self._task: asyncio.Task[Any] | None = None

        def _expire(self) -> None:
            self._expired = True
            if self._task is not None:
                self._task.cancel()

        async def __aenter__(self) -> deadline:
            self._task = asyncio.current_task()
            if self._delay is not None:
                self._handle = asyncio.get_running_loop().call_later(self._delay, self._expire)
            return self

        async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
            if self._handle is not None:
                self._handle.cancel()
            if exc_type is asyncio.CancelledError and self._expired:
                uncancel = getattr(self._task, "uncancel", None)
                if uncancel is not None:  # task classes that count cancellations
                    uncancel()
                raise TimeoutError from None
