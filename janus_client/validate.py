"""Argument checks shared by every plugin: one ``enforce_*`` function per kind.

Each check takes the value and the argument's ``name`` (keyword-only), returns the
value (normalised where that is useful) and raises `TypeError` for a wrong type or
`ValueError` for a wrong value; the message starts with the argument's name, so a
caller sees which argument was wrong. The plugins call them before anything is sent,
so a bad argument never reaches Janus.

Room and participant ids follow one rule in every plugin: a positive ``int`` (Janus
reads ``0`` as "no id": on ``create`` it would pick a random room, anywhere else it
names no room), or a non-empty ``str`` when the plugin runs with ``string_ids``.
Secrets and pins are checked like other strings, but their value never appears in
an error message.

Example:
    >>> from janus_client.validate import enforce_id, enforce_bool
    >>> enforce_id(1234, name="room")
    1234
    >>> enforce_bool("yes", name="audio")
    Traceback (most recent call last):
    ...
    TypeError: audio must be a bool, got str
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from .config import resolve_timeout

__all__ = [
    "RoomId",
    "enforce_bool",
    "enforce_callable",
    "enforce_fields",
    "enforce_float",
    "enforce_id",
    "enforce_int",
    "enforce_json_values",
    "enforce_mapping",
    "enforce_objects",
    "enforce_port",
    "enforce_secret",
    "enforce_str",
    "enforce_strings",
    "enforce_timeout",
    "enforce_typed",
    "opt_bool",
    "opt_id",
    "opt_int",
    "opt_objects",
    "opt_str",
    "put",
    "put_strings",
    "typed_body",
]

#: A room, participant or publisher id: a number, or a string when Janus runs with
#: ``string_ids``.
RoomId = int | str

_T = TypeVar("_T")


def _kind(value: object) -> str:
    return type(value).__name__


def enforce_id(value: object, *, name: str, string_ids: bool | None = None) -> RoomId:
    """Check a room, participant or publisher id.

    Args:
        value: The id.
        name: The argument's name, for the error message.
        string_ids: True when the plugin is configured for string ids, False when it
            is configured for numbers (then a digit string such as ``"1234"`` is
            refused with a hint: Janus would answer error 430), None when unknown
            (any non-empty string passes).

    Returns:
        The id.

    Raises:
        TypeError: The id is not an int or a str (a bool is not an int here).
        ValueError: The int is not positive, the str is empty, or a digit string
            was given to a plugin configured for numbers.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"{name} must be an int (or a str with string_ids), got {_kind(value)}")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(f"{name} must be a positive number, got {value}")
        return value
    if not value:
        raise ValueError(f"{name} must not be empty")
    if string_ids is False and value.isdigit():
        raise ValueError(
            f"{name} {value!r} is a string: pass the number {int(value)} (ids are numbers "
            "unless Janus runs with string_ids; then set plugin.string_ids = True)"
        )
    return value


def enforce_bool(value: object, *, name: str, optional: bool = False) -> bool | None:
    """Check a bool (an int is not accepted as one).

    Args:
        value: The value.
        name: The argument's name.
        optional: Whether None passes (and is returned).

    Returns:
        The value.

    Raises:
        TypeError: It is not a bool.
    """
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {_kind(value)}")
    return value


def enforce_int(
    value: object,
    *,
    name: str,
    low: int | None = 0,
    high: int | None = None,
    optional: bool = False,
) -> int | None:
    """Check an int within ``low..high`` (both inclusive; None means unbounded).

    Args:
        value: The value.
        name: The argument's name.
        low: The smallest value allowed (0 by default: no negative numbers).
        high: The largest value allowed.
        optional: Whether None passes.

    Returns:
        The value.

    Raises:
        TypeError: It is not an int (a bool is not an int here).
        ValueError: It is out of range.
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {_kind(value)}")
    if low is not None and value < low:
        if low == 0:
            raise ValueError(f"{name} must not be negative, got {value}")
        raise ValueError(f"{name} must be at least {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high}, got {value}")
    return value


def enforce_float(value: object, *, name: str, optional: bool = False) -> float | None:
    """Check a non-negative number (int or float, not bool).

    Args:
        value: The value.
        name: The argument's name.
        optional: Whether None passes.

    Returns:
        The value as a float.

    Raises:
        TypeError: It is not a number.
        ValueError: It is negative or not finite.
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {_kind(value)}")
    if not 0 <= value < float("inf"):
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return float(value)


def enforce_port(value: object, *, name: str, optional: bool = False) -> int | None:
    """Check a UDP/TCP port number (1..65535).

    Args:
        value: The value.
        name: The argument's name.
        optional: Whether None passes.

    Returns:
        The port.

    Raises:
        TypeError: It is not an int.
        ValueError: It is out of range.
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be int, got {_kind(value)}")
    if not 0 < value < 65536:
        raise ValueError(f"{name} must be 1..65535, got {value}")
    return value


def enforce_str(
    value: object, *, name: str, optional: bool = False, empty: bool = False
) -> str | None:
    """Check a string.

    Args:
        value: The value.
        name: The argument's name.
        optional: Whether None passes.
        empty: Whether the empty string passes.

    Returns:
        The value.

    Raises:
        TypeError: It is not a str.
        ValueError: It is empty and ``empty`` is False.
    """
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {_kind(value)}")
    if not value and not empty:
        raise ValueError(f"{name} must not be empty")
    return value


def enforce_secret(value: object, *, name: str, optional: bool = True) -> str | None:
    """Check a secret, pin or token: a non-empty str whose value is never shown.

    Args:
        value: The secret.
        name: The argument's name.
        optional: Whether None passes (the default: most secrets are optional).

    Returns:
        The value.

    Raises:
        TypeError: It is not a str (the message names only the type).
        ValueError: It is empty.
    """
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {_kind(value)}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def enforce_timeout(value: object, *, name: str = "timeout") -> float | None:
    """Check a timeout in seconds (None means "the configured default").

    Uses `janus_client.config.resolve_timeout`, so the rules are the ones every
    core call applies (a positive finite number).

    Args:
        value: The timeout, or None.
        name: The argument's name (``timeout`` unless the method calls it otherwise).

    Returns:
        The value (None stays None).

    Raises:
        TypeError: It is not a number.
        ValueError: It is not positive and finite.
    """
    if value is None:
        return None
    try:
        return resolve_timeout(value, 1.0)
    except (TypeError, ValueError) as exc:
        if name == "timeout":
            raise
        raise type(exc)(str(exc).replace("timeout", name, 1)) from None


def enforce_strings(value: object, *, name: str, empty_ok: bool = True) -> list[str]:
    """Check a list of non-empty strings (a bare str is refused: it is not a list).

    Args:
        value: The list (any iterable but str/bytes).
        name: The argument's name.
        empty_ok: Whether an empty list passes.

    Returns:
        The strings as a new list.

    Raises:
        TypeError: It is not a list of non-empty str.
        ValueError: The list is empty and ``empty_ok`` is False.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of str, got {_kind(value)}")
    items = list(value)
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise TypeError(f"{name}[{i}] must be a non-empty str, got {item!r}")
    if not items and not empty_ok:
        raise ValueError(f"{name} must not be empty")
    return items


def enforce_mapping(value: object, *, name: str, optional: bool = False) -> dict[str, Any] | None:
    """Check a mapping and return a plain copy.

    Args:
        value: The mapping.
        name: The argument's name.
        optional: Whether None passes.

    Returns:
        A new dict with the same items.

    Raises:
        TypeError: It is not a mapping.
    """
    if value is None and optional:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {_kind(value)}")
    return dict(value)


def enforce_callable(value: _T, *, name: str, optional: bool = False) -> _T:
    """Check that a callback is callable (or None, when ``optional``) and return it.

    Args:
        value: The callback.
        name: The argument's name.
        optional: Whether None passes.

    Raises:
        TypeError: It is not callable.
    """
    if value is None and optional:
        return value
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {_kind(value)}")
    return value


def enforce_json_values(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Check extra settings (``**kwargs`` passed through to Janus): JSON values only.

    Args:
        settings: The settings, by name.

    Returns:
        A new dict with the same items.

    Raises:
        TypeError: A value is not a JSON value (str, number, bool, list, dict, None).
    """
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            raise TypeError(f"{key} must be a JSON value, got {_kind(value)}")
        out[key] = value
    return out


def enforce_objects(
    value: object,
    *,
    name: str,
    required: Sequence[str] = (),
    any_of: Sequence[str] = (),
    ids: Sequence[str] = (),
    strings: Sequence[str] = (),
    empty_ok: bool = False,
) -> list[dict[str, Any]]:
    """Check a list of dicts (streams, feeds) and return plain copies.

    Args:
        value: The list.
        name: The argument's name.
        required: Keys every item must have.
        any_of: Keys of which every item must have at least one.
        ids: Keys that, when present, must hold an id (`enforce_id`).
        strings: Keys that, when present, must hold a str.
        empty_ok: Whether an empty list passes.

    Returns:
        The items as new dicts.

    Raises:
        TypeError: It is not a list of dicts, or an item's key has the wrong type.
        ValueError: An item lacks a required key, or the list is empty.
    """
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of dicts, got {_kind(value)}")
    items: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise TypeError(f"{name}[{i}] must be a dict, got {_kind(item)}")
        entry = dict(item)
        for key in required:
            if key not in entry:
                raise ValueError(f"{name}[{i}] needs {key!r}")
        if any_of and not any(key in entry for key in any_of):
            raise ValueError(f"{name}[{i}] needs one of {', '.join(map(repr, any_of))}")
        for key in ids:
            if key in entry:
                enforce_id(entry[key], name=f"{name}[{i}][{key!r}]")
        for key in strings:
            if key in entry and not isinstance(entry[key], str):
                raise TypeError(f"{name}[{i}][{key!r}] must be str, got {_kind(entry[key])}")
        items.append(entry)
    if not items and not empty_ok:
        raise ValueError(f"{name} must not be empty")
    return items


def enforce_typed(value: object, *, name: str, kind: type) -> Any:
    """Check an optional value against a JSON type (None passes).

    ``int`` means a non-negative int (never a bool); ``float`` accepts ints too;
    ``str`` accepts the empty string (Janus decides what an empty value means).

    Args:
        value: The value.
        kind: ``bool``, ``int``, ``float``, ``str``, ``list`` or ``dict``.
        name: The argument's name.

    Returns:
        The value.

    Raises:
        TypeError: It has the wrong type.
        ValueError: A negative int.
    """
    if value is None:
        return None
    if kind is bool:
        return enforce_bool(value, name=name)
    if kind is int:
        return enforce_int(value, name=name)
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name} must be float, got {_kind(value)}")
        return value
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be {kind.__name__}, got {_kind(value)}")
    return value


def put(body: dict[str, Any], /, **fields: tuple[object, type]) -> dict[str, Any]:
    """Check each ``key=(value, kind)`` with `enforce_typed` and add the non-None ones.

    Args:
        body: The request body to fill in (changed in place).
        **fields: ``key=(value, kind)`` pairs, in body order.

    Returns:
        ``body``.

    Raises:
        TypeError: A value has the wrong type (the message names its key).
        ValueError: A negative int.
    """
    for key, (value, kind) in fields.items():
        if enforce_typed(value, name=key, kind=kind) is not None:
            body[key] = value
    return body


def typed_body(spec: Mapping[str, type], /, **values: object) -> dict[str, Any]:
    """Build a body from keyword values declared in ``spec`` (name → JSON type).

    None values are left out; each other value is checked with `enforce_typed`.

    Args:
        spec: The declared fields and their types.
        **values: The values, by field name (every name must be in ``spec``).

    Returns:
        A new body.

    Raises:
        TypeError: A value has the wrong type.
        ValueError: A negative int.
        KeyError: A name that ``spec`` does not declare (a bug in the caller).
    """
    body: dict[str, Any] = {}
    for key, value in values.items():
        if enforce_typed(value, name=key, kind=spec[key]) is not None:
            body[key] = value
    return body


def enforce_fields(body: Mapping[str, Any], spec: Mapping[str, type]) -> None:
    """Check the fields of a body that are named in ``spec`` (absent/None pass).

    Args:
        body: The body.
        spec: The expected type of each field.

    Raises:
        TypeError: A field has the wrong type.
        ValueError: A negative int.
    """
    for key, kind in spec.items():
        enforce_typed(body.get(key), name=key, kind=kind)


# ------------------------------------------------------- lenient readers of replies
def opt_str(value: Any) -> str | None:
    """Read a str from a reply field: the value if it is one, else None."""
    return value if isinstance(value, str) else None


def opt_int(value: Any) -> int | None:
    """Read an int from a reply field: the value if it is one (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def opt_bool(value: Any) -> bool | None:
    """Read a bool from a reply field: the value if it is one, else None."""
    return value if isinstance(value, bool) else None


def opt_id(value: Any) -> RoomId | None:
    """Read a room or participant id from a reply field (int or str), else None."""
    if isinstance(value, bool):
        return None
    return value if isinstance(value, (int, str)) else None


def opt_objects(value: Any) -> list[Mapping[str, Any]]:
    """Read the objects of a reply's array: its dict entries, or none if not an array."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def put_strings(body: dict[str, Any], /, **fields: object) -> dict[str, Any]:
    """Check each non-None ``key=value`` as a non-empty str and add it to ``body``.

    Args:
        body: The request body to fill in (changed in place).
        **fields: The optional string fields (descriptions, secrets, pins, tokens).

    Returns:
        ``body``.

    Raises:
        TypeError: A value is not a str (the message names only its key and type).
        ValueError: A value is empty.
    """
    for key, value in fields.items():
        if value is not None:
            body[key] = enforce_str(value, name=key)
    return body
