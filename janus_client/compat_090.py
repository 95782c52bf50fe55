"""The public API of janus-client 0.9.0, as data, and a check of this package against it.

`SURFACE` lists every public name of the 0.9.0 release (read from its wheel on
PyPI): each module-level class and function, each method, property, class
attribute and enum member, with the parameter names and the kind of value
returned. The facts are data, kept in ``compat_090.json`` next to this module
and read when it is imported. `problems` checks this package against it (the test suite fails on any
problem), and `contract_markdown` renders the "0.9.x API contract" documentation
page, with the new API's equivalent of each name.

Rules of the check:

* the name exists at the same import path (methods on the class);
* a coroutine function stays a coroutine function, a property stays readable;
* 0.9.0's parameters come first, with the same names and in the same order (new
  parameters may follow, as keywords); where 0.9.0 took ``**kwargs``, the keywords
  its own code passed there (`KWARGS_AS`) are accepted;
* the return kind is the same; where 0.9.0 returned None the new value is free
  (0.9.x code cannot use a None);
* enum members keep their values, and the package root re-exports the same objects.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = [
    "COMPATIBLE_RETURNS",
    "KWARGS_AS",
    "NEW_API",
    "SURFACE",
    "Entry",
    "contract_markdown",
    "problems",
]


@dataclass(frozen=True)
class Entry:
    """One public name of janus-client 0.9.0.

    Attributes:
        module: The import path (``janus_client.session``).
        name: The name in the module (``JanusSession.send`` for a method).
        kind: ``export``, ``class``, ``function``, ``async function``, ``method``,
            ``async method``, ``staticmethod``, ``property``, ``attribute`` (of
            the class), ``instance attribute`` (set by the constructor) or
            ``enum member``.
        params: The parameter names, without ``self``.
        returns: The kind of value returned (``dict``, ``list``, ``int | None``,
            ``MessageTransaction``, ...); for an export, the module it comes from;
            for an enum member, its value; empty when not applicable.
    """

    module: str
    name: str
    kind: str
    params: tuple[str, ...]
    returns: Any


def _load() -> dict[str, Any]:
    """Read the 0.9.0 facts shipped with the package (``compat_090.json``)."""
    text = resources.files("janus_client").joinpath("compat_090.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


_DATA = _load()

#: The public surface of janus-client 0.9.0 (facts read from its release).
SURFACE: tuple[Entry, ...] = tuple(
    Entry(module, name, kind, tuple(params), returns)
    for module, name, kind, params, returns in _DATA["surface"]
)

#: Keywords 0.9.0 code passed where a 0.9.0 signature said ``**kwargs``.
KWARGS_AS: dict[str, tuple[str, ...]] = {
    name: tuple(keywords) for name, keywords in _DATA["kwargs_as"].items()
}

#: The new API's equivalent of 0.9.0 names whose new form differs (others: unchanged).
NEW_API: dict[str, str] = dict(_DATA["new_api"])


def _split(name: str) -> tuple[str, str | None]:
    owner, _, member = name.partition(".")
    return owner, (member or None)


_ANNOTATION_BASE = {
    "dict": "dict",
    "Dict": "dict",
    "Mapping": "dict",
    "list": "list",
    "List": "list",
    "Sequence": "list",
    "None": "None",
    "int": "int",
    "bool": "bool",
    "str": "str",
}


def _kind_of_annotation(annotation: Any) -> str:
    if annotation is inspect.Signature.empty:
        return "any"
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    text = str(text).replace("Optional[", "").strip()
    parts = []
    for part in re.split(r"\s*\|\s*", text):
        base = part.split("[")[0].strip().strip("'\"").split(".")[-1]
        parts.append(_ANNOTATION_BASE.get(base, base))
    return " | ".join(parts)


#: Return kinds accepted for a 0.9.0 kind, each with the reason it is compatible.
COMPATIBLE_RETURNS: dict[tuple[str, str], str] = {
    ("int", "RoomId"): "room ids are ints as in 0.9.x (str only when Janus is set to string ids)",
    ("int | None", "RoomId | None"): "room ids are ints as in 0.9.x",
    ("dict", "ServerInfo"): "reads like the raw reply: info['version'], info.get(...)",
}


def _returns_ok(expected: str, annotation: Any) -> bool:
    if expected in ("", "None", "any"):
        return True
    actual = _kind_of_annotation(annotation)
    return actual == expected or (expected, actual) in COMPATIBLE_RETURNS


def _params_ok(entry: Entry, func: Any) -> str | None:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return "signature not readable"
    params = list(signature.parameters.values())
    if params and params[0].name in ("self", "cls") and not isinstance(func, staticmethod):
        params = params[1:]
    positional = [
        p.name
        for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    names = {p.name for p in params}
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    var_pos = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params)
    expected = [p for p in entry.params if not p.startswith("*")]
    if positional[: len(expected)] != expected:
        return f"parameters {positional} do not start with 0.9.0's {expected}"
    if any(p.startswith("**") for p in entry.params) and not var_kw:
        accepted = KWARGS_AS.get(entry.name)
        if accepted is None:
            return "0.9.0 accepted **kwargs"
        missing = [k for k in accepted if k not in names]
        if missing:
            return f"keywords {missing} (0.9.0 **kwargs) not accepted"
    if any(p.startswith("*") and not p.startswith("**") for p in entry.params) and not var_pos:
        return "0.9.0 accepted *args"
    return None


def _has_instance_attribute(cls: type, name: str) -> bool:
    """Whether instances of ``cls`` have ``name``.

    That is a class member, an annotated field, or an attribute its constructors
    assign (``self.name = ...``).
    """
    if inspect.getattr_static(cls, name, None) is not None:
        return True
    pattern = re.compile(rf"self\.{re.escape(name)}\s*[:=]")
    for klass in cls.__mro__:
        if name in getattr(klass, "__annotations__", {}):
            return True
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        if pattern.search(source):
            return True
    return False


def check(entry: Entry) -> str | None:
    """Return what is wrong with ``entry`` in this package, or None if it matches."""
    try:
        module = importlib.import_module(entry.module)
    except ImportError as exc:
        return f"module {entry.module} cannot be imported: {exc}"
    owner_name, member = _split(entry.name)
    if entry.kind == "export":
        try:
            source = importlib.import_module(entry.returns)
        except ImportError as exc:
            return f"module {entry.returns} cannot be imported: {exc}"
        if not hasattr(module, owner_name):
            return "missing"
        if getattr(module, owner_name) is not getattr(source, owner_name, None):
            return f"not the same object as {entry.returns}.{owner_name}"
        return None
    owner = getattr(module, owner_name, None)
    if owner is None:
        return "missing"
    if member is None:
        if entry.kind == "class" and not inspect.isclass(owner):
            return "not a class"
        if entry.kind in ("function", "async function"):
            if not callable(owner):
                return "not callable"
            if (entry.kind == "async function") != inspect.iscoroutinefunction(owner):
                return "coroutine function or not, unlike 0.9.0"
            problem = _params_ok(entry, owner)
            if problem:
                return problem
            if not _returns_ok(entry.returns, inspect.signature(owner).return_annotation):
                return f"returns {_kind_of_annotation(inspect.signature(owner).return_annotation)}"
        return None
    if entry.kind == "enum member":
        value = getattr(owner, member, None)
        if not isinstance(value, enum.Enum):
            return "missing enum member"
        if value.value != entry.returns:
            return f"value {value.value!r}, 0.9.0 had {entry.returns!r}"
        return None
    if entry.kind == "instance attribute":
        return None if _has_instance_attribute(owner, member) else "missing"
    raw = inspect.getattr_static(owner, member, None)
    if raw is None:
        if entry.kind == "attribute" and member in getattr(owner, "__annotations__", {}):
            return None
        return "missing"
    if entry.kind == "attribute":
        return None
    if entry.kind == "property":
        if isinstance(raw, property):
            if raw.fget is None:
                return "property not readable"
            annotation = inspect.signature(raw.fget).return_annotation
            if not _returns_ok(entry.returns, annotation):
                return f"returns {_kind_of_annotation(annotation)}"
            return None
        return None if not callable(raw) else "a method, 0.9.0 had a property"
    func = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
    if not callable(func):
        return "not callable"
    is_async = inspect.iscoroutinefunction(func)
    if entry.kind == "async method" and not is_async:
        return "not a coroutine method"
    if entry.kind in ("method", "staticmethod") and is_async:
        return "a coroutine method, 0.9.0 had a plain one"
    if entry.kind == "staticmethod" and not isinstance(raw, (staticmethod, classmethod)):
        return "must be callable on the class"
    problem = _params_ok(entry, func if isinstance(raw, classmethod) else raw)
    if problem:
        return problem
    annotation = inspect.signature(func).return_annotation
    if member != "__init__" and not _returns_ok(entry.returns, annotation):
        return f"returns {_kind_of_annotation(annotation)}, 0.9.0 returned {entry.returns}"
    return None


def problems() -> list[str]:
    """Every entry of `SURFACE` this package does not match, as ``"module:name: why"``."""
    found = []
    for entry in SURFACE:
        problem = check(entry)
        if problem is not None:
            found.append(f"{entry.module}:{entry.name}: {problem}")
    return found


def _new_api(entry: Entry) -> str:
    owner, member = _split(entry.name)
    key = entry.name if member else owner
    if key in NEW_API:
        return NEW_API[key]
    if member and f"JanusPlugin.{member}" in NEW_API and entry.kind != "attribute":
        return NEW_API[f"JanusPlugin.{member}"]
    return "unchanged"


def contract_markdown() -> str:
    """Render the table of the 0.9.0 surface, module by module, with new-API equivalents."""
    lines: list[str] = []
    current = None
    modules = list(dict.fromkeys(entry.module for entry in SURFACE))
    ordered = sorted(SURFACE, key=lambda entry: modules.index(entry.module))  # stable
    for entry in ordered:
        if entry.module != current:
            current = entry.module
            lines += [
                "",
                f"### `{current}`",
                "",
                "| 0.9.0 name | kind | parameters | returns | new API |",
                "| --- | --- | --- | --- | --- |",
            ]
        params = ", ".join(entry.params) if entry.params else ""
        if entry.kind == "export":
            returns = f"from `{entry.returns}`"
        elif entry.kind == "enum member":
            returns = f"`{entry.returns!r}`"
        else:
            kinds = str(entry.returns).replace(" | ", " or ")
            returns = f"`{kinds}`" if entry.returns else ""
        params_txt = f"`{params}`" if params else ""
        lines.append(
            f"| `{entry.name}` | {entry.kind} | {params_txt} | {returns} | {_new_api(entry)} |"
        )
    return "\n".join(lines) + "\n"
