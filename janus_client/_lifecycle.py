"""Mixins that make a start/stop object a context manager (``with`` / ``async with``).

A class names the methods that open and close it in ``_opens_with`` and
``_closes_with`` (by default ``start`` and ``close``); entering calls the first
and returns the object, leaving calls the second whatever happened inside.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

__all__ = ["AsyncContext", "EitherContext", "SyncContext"]

_A = TypeVar("_A", bound="AsyncContext")
_S = TypeVar("_S", bound="SyncContext")
_E = TypeVar("_E", bound="EitherContext")


class AsyncContext:
    """``async with obj:`` awaits ``obj.<_opens_with>()``, then ``obj.<_closes_with>()``."""

    _opens_with: ClassVar[str] = "start"
    _closes_with: ClassVar[str] = "close"

    async def __aenter__(self: _A) -> _A:
        await getattr(self, self._opens_with)()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await getattr(self, self._closes_with)()


class SyncContext:
    """``with obj:`` calls ``obj.<_opens_with>()``, then ``obj.<_closes_with>()``."""

    _opens_with: ClassVar[str] = "start"
    _closes_with: ClassVar[str] = "stop"

    def __enter__(self: _S) -> _S:
        getattr(self, self._opens_with)()
        return self

    def __exit__(self, *exc: object) -> None:
        getattr(self, self._closes_with)()


class EitherContext(SyncContext):
    """`SyncContext` that also works as ``async with obj:`` (the methods stay synchronous)."""

    async def __aenter__(self: _E) -> _E:
        return self.__enter__()

    async def __aexit__(self, *exc: object) -> None:
        self.__exit__(*exc)
