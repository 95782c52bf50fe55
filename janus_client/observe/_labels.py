"""Label bounding shared by the exporters (Prometheus, OpenTelemetry)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: Most distinct values of an open-ended label (request, plugin) before ``"other"``.
MAX_LABEL_VALUES = 64
_MEDIA = frozenset({"audio", "video", "data"})


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, list):
        return [x + y for x, y in zip(a, b, strict=True)]
    return a + b


def capped(values: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Merge ``(label, value)`` pairs, summing past `MAX_LABEL_VALUES` labels under "other"."""
    out: dict[str, Any] = {}
    for key, value in values:
        if key not in out and len(out) >= MAX_LABEL_VALUES:
            key = "other"
        out[key] = _add(out[key], value) if key in out else value
    return out


def media_label(kind: str) -> str:
    """``audio``, ``video``, ``data`` or ``other``."""
    return kind if kind in _MEDIA else "other"
