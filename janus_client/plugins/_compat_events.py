"""The 0.9.x ``plugin.on_event(EventType, handler)`` spelling, fenced off.

The current API is ``on_event(callback, *types)``, as on sessions and handles.
janus-client 0.9.x put the event type first and gave the handler a dict. The
plugin base calls `split_on_event_args` to tell the two orders apart and wraps a
0.9.x handler registered for an event-type enum member (or its string) in
`CompatHandler`, which passes the event's 0.9.x dict (``compat_dict()``).
"""

from __future__ import annotations

import enum
from typing import Any

from .._dispatch import Callback
from ..events import JanusEvent

__all__ = ["CompatHandler", "split_on_event_args"]


def _is_selector(value: object) -> bool:
    """Whether ``value`` names a kind of event (class, enum member or type string)."""
    if isinstance(value, (str, enum.Enum)):
        return True
    return isinstance(value, type) and issubclass(value, JanusEvent)


def split_on_event_args(first: Any, rest: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...], bool]:
    """Split ``on_event`` arguments into ``(callback, types, is_0_9_order)``.

    ``on_event(callback, *types)`` is the current order; ``on_event(type,
    handler)`` (exactly two arguments, a kind of event then a function that is not
    itself an event class) is janus-client 0.9.x's.
    """
    if (
        len(rest) == 1
        and (first is None or _is_selector(first))
        and callable(rest[0])
        and not _is_selector(rest[0])
    ):
        return rest[0], (() if first is None else (first,)), True
    return first, rest, False


class CompatHandler:
    """Calls a 0.9.x-style handler with the event's dict instead of the event."""

    __slots__ = ("handler",)

    def __init__(self, handler: Callback) -> None:
        self.handler = handler

    def __call__(self, event: JanusEvent) -> object:
        compat = getattr(event, "compat_dict", None)
        if compat is None:  # pragma: no cover - filtered by the enum match
            return None
        return self.handler(compat())

    def __repr__(self) -> str:
        return f"<0.9.x handler {self.handler!r}>"
