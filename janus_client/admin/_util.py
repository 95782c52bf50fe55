"""Small helpers of the admin package: reading reply fields and checking arguments.

Readers (``as_int``, ``opt_str``, ...) never raise: a field of the wrong type reads
as absent. Checkers (``check_*``) raise before anything is sent and name the argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ProtocolError


def as_int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def opt_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def check_id(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return value


def check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return value


def check_int(name: str, value: object, low: int = 0, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {bounds}, got {value}")
    return value


def check_str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def check_plugins(name: str, value: object, *, allow_empty: bool) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of plugin package names, got {value!r}")
    plugins = list(value)
    for i, item in enumerate(plugins):
        if not isinstance(item, str) or not item:
            raise TypeError(f"{name}[{i}] must be a plugin package name, got {item!r}")
    if not plugins and not allow_empty:
        raise ValueError(f"{name} should be non-empty array: name at least one plugin")
    return plugins


def check_mapping(name: str, value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(value).__name__}")
    return dict(value)


def expect(body: dict[str, Any], key: str, request: str) -> Any:
    if key not in body:
        raise ProtocolError(f"Janus replied to {request!r} without {key!r}: {body!r}")
    return body[key]


def id_list(body: dict[str, Any], key: str, request: str) -> list[int]:
    value = expect(body, key, request)
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise ProtocolError(f"Janus replied to {request!r} with a bad {key!r} list: {value!r}")
    return list(value)
