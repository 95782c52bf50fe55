"""Small helpers of the admin package: reading reply fields and checking arguments.

Readers (``as_int``, ``opt_str``, ...) never raise: a field of the wrong type reads
as absent. Checkers (``check_*``) raise before anything is sent and name the argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ..errors import ProtocolError
from ..validate import (
    enforce_bool,
    enforce_int,
    enforce_mapping,
    enforce_str,
    enforce_strings,
    opt_bool,
    opt_int,
    opt_str,
)

__all__ = [
    "as_dict",
    "as_int",
    "check_bool",
    "check_id",
    "check_int",
    "check_mapping",
    "check_plugins",
    "check_str",
    "data_list",
    "expect",
    "id_list",
    "opt_bool",
    "opt_int",
    "opt_str",
]


def as_int(value: Any, default: int = 0) -> int:
    found = opt_int(value)
    return default if found is None else found


def as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


# The checkers take the name first (as the admin methods call them) and give the
# messages of `janus_client.validate`, the one validation module.
def check_id(name: str, value: object) -> int:
    return cast(int, enforce_int(value, name=name, low=1))


def check_bool(name: str, value: object) -> bool:
    return cast(bool, enforce_bool(value, name=name))


def check_int(name: str, value: object, low: int = 0, high: int | None = None) -> int:
    return cast(int, enforce_int(value, name=name, low=low, high=high))


def check_str(name: str, value: object) -> str:
    return cast(str, enforce_str(value, name=name))


def check_plugins(name: str, value: object, *, allow_empty: bool) -> list[str]:
    plugins = enforce_strings(value, name=name)
    if not plugins and not allow_empty:
        raise ValueError(f"{name} should be non-empty array: name at least one plugin")
    return plugins


def check_mapping(name: str, value: object) -> dict[str, Any] | None:
    return enforce_mapping(value, name=name, optional=True)


def expect(body: dict[str, Any], key: str, request: str) -> Any:
    if key not in body:
        raise ProtocolError(f"Janus replied to {request!r} without {key!r}: {body!r}")
    return body[key]


def data_list(body: dict[str, Any], key: str, request: str) -> list[Any]:
    value = as_dict(body.get("data")).get(key)
    if not isinstance(value, list):
        raise ProtocolError(f"Janus replied to {request!r} without data.{key}: {body!r}")
    return value


def id_list(body: dict[str, Any], key: str, request: str) -> list[int]:
    value = expect(body, key, request)
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise ProtocolError(f"Janus replied to {request!r} with a bad {key!r} list: {value!r}")
    return list(value)
