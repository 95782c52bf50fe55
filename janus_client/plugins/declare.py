"""Declared plugin requests: one declaration gives the method, its checks and its rows.

A plugin request is written once, as a method signature with a docstring and an
empty body, under the `request` decorator:

```python
class JanusFooPlugin(JanusPlugin):
    name = "janus.plugin.foo"

    @request("create", keys={"room_id": "room"}, result=FooRoomCreated.from_data)
    async def create_room(
        self,
        room_id: RoomId | None = None,
        *,
        description: str | None = None,
        secret: Secret | None = None,
        timeout: float | None = None,
        **settings: Any,
    ) -> FooRoomCreated:
        \"\"\"Create a room (``create``).\"\"\"
        ...
```

The decorator replaces the body. A call checks every argument from its annotation
before anything is sent (the error names the parameter), builds the body
``{"request": "create", "room": ..., "description": ...}`` (None values left out,
``**settings`` checked as JSON values and merged last), sends it with the plugin's
`_send_declared` (a synchronous request, or a message that waits for the plugin's
event) and converts the reply with ``result``. The declaration also fills the
plugin class's ``requests`` table (request name → method), which
`janus_client.coverage` reads, and ``request_specs``, from which the docs build the
coverage table's parameter and result columns.

The signature stays an ordinary, statically typed signature: editors, mypy and the
API reference see the parameters and the return type. mypy's ``empty-body`` check
is off for the modules that declare requests (the body is intentionally ``...``);
a plugin written outside this package can do the same with
``disable_error_code = ["empty-body"]`` for its module, or end the body with
``raise NotImplementedError`` (never reached).

Annotations understood (``X | None`` makes any of them optional):

| annotation | check |
|---|---|
| `RoomId` (an int or a str) | `enforce_id` (honours the plugin's ``string_ids``) |
| `bool`, `float`, `str` | `enforce_bool`, `enforce_float`, `enforce_str` (empty allowed) |
| `NonEmpty` | a non-empty ``str`` |
| `int` | `enforce_int`, non-negative; ``Annotated[int, Range(lo, hi)]`` for others |
| `Secret` | `enforce_secret`: the value never appears in an error |
| ``list[str]``, ``Sequence[str]``, ``Iterable[str]`` | `enforce_strings` |
| ``dict[str, Any]``, ``Mapping[str, Any]`` | `enforce_mapping` |
| ``list[dict[str, Any]]``, ``Sequence[Mapping[str, Any]]`` | `enforce_objects` |
| ``Literal["a", "b"]`` | one of the values |
| `Any` | a JSON value |
| ``Annotated[T, Check(func)]`` | ``func(value, name)``: the parameter's own check |

Hand-written methods (negotiation, JSEP, local state) that send requests are marked
with `sends`, which only records their coverage and docs rows.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import types
import typing
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, ParamSpec, TypeVar, Union

from ..validate import (
    enforce_bool,
    enforce_float,
    enforce_id,
    enforce_int,
    enforce_mapping,
    enforce_objects,
    enforce_secret,
    enforce_str,
    enforce_strings,
    enforce_timeout,
)

__all__ = [
    "Check",
    "NonEmpty",
    "Range",
    "RequestSpec",
    "Secret",
    "SendsSpec",
    "build_body",
    "collect_requests",
    "request",
    "sends",
]

P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])

Mode = Literal["sync", "async"]


class _SecretMarker:
    """Marks a ``str`` parameter as a secret (see `Secret`)."""

    def __repr__(self) -> str:
        return "secret"


_SECRET = _SecretMarker()

#: A secret, pin or token parameter: a non-empty ``str`` whose value never appears in
#: an error message.
Secret = Annotated[str, _SECRET]


@dataclass(frozen=True)
class Range:
    """Bounds of an ``Annotated[int, Range(low, high)]`` parameter (inclusive; None: open).

    Attributes:
        low: The smallest value allowed.
        high: The largest value allowed.
    """

    low: int | None = 0
    high: int | None = None


@dataclass(frozen=True)
class Check:
    """A parameter's own check: ``Annotated[T, Check(func, "label")]``.

    ``func(value, name)`` checks the value (raising `TypeError` or `ValueError`
    that name the parameter) and returns what to send; it replaces the check the
    annotation would give, for values the table above does not cover (lists of
    streams with required keys, dataclasses turned into dicts, ...).

    Attributes:
        func: The check: ``(value, parameter name) -> value to send``.
        label: How the docs' coverage table shows the parameter's type.
    """

    func: Callable[[Any, str], Any]
    label: str = "any"


#: A ``str`` parameter that must not be empty (a name, a host, a username).
NonEmpty = Annotated[str, Check(lambda value, name: enforce_str(value, name=name), "non-empty str")]

#: A checker: ``(value, plugin) -> value to send``.
Checker = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class ParamInfo:
    """One declared parameter.

    Attributes:
        name: The Python parameter name.
        key: The body key it is sent as.
        kind: A readable description of its type, for the docs (``"int"``, ``"secret"``).
        required: Whether a value must be given.
        default: The default value (`inspect.Parameter.empty` when required).
        positional: Whether it may be passed by position.
    """

    name: str
    key: str
    kind: str
    required: bool
    default: Any
    positional: bool
    check: Checker = field(repr=False, compare=False)


@dataclass(frozen=True)
class SendsSpec:
    """The coverage/docs record of a hand-written method that sends some requests.

    Attributes:
        requests: The Janus request names it sends.
        method: The method name.
    """

    requests: tuple[str, ...]
    method: str


class RequestSpec:
    """A declared plugin request (built by `request`; read by coverage and docs).

    Attributes:
        request: The Janus ``request`` value.
        method: The Python method name.
        mode: ``"sync"`` (answered in the acknowledgement) or ``"async"`` (answered by
            the plugin's event).
        keys: Parameter name → body key, where they differ.
        fixed: Constant body entries.
        result: The reply converter (``data -> value``), or None for the data dict.
        check: A last check of the whole body (for rules between parameters), or None.
        bare: The body carries no ``request`` field (EchoTest's one unnamed request).
    """

    def __init__(
        self,
        request: str,
        func: Callable[..., Any],
        *,
        mode: Mode,
        keys: Mapping[str, str],
        fixed: Mapping[str, Any],
        result: Callable[[dict[str, Any]], Any] | None,
        check: Callable[[dict[str, Any]], None] | None = None,
        bare: bool = False,
    ) -> None:
        self.request = request
        self.bare = bare
        self.check = check
        self.method = func.__name__
        self.mode: Mode = mode
        self.keys = dict(keys)
        self.fixed = dict(fixed)
        self.result = result
        self._func = func
        self._params: tuple[ParamInfo, ...] | None = None
        self._by_name: dict[str, int] = {}
        self._extra = False
        self._npositional = 0
        signature = inspect.signature(func)
        names = [p.name for p in signature.parameters.values()][1:]
        unknown = set(self.keys) - set(names)
        if unknown:
            raise TypeError(f"{self.method}: keys names no parameter: {sorted(unknown)}")

    def __repr__(self) -> str:
        return f"<RequestSpec {self.request!r} -> {self.method}() {self.mode}>"

    # ------------------------------------------------------------ resolution
    @property
    def params(self) -> tuple[ParamInfo, ...]:
        """The declared parameters (``self`` and ``timeout`` excluded), resolved on first use."""
        if self._params is None:
            self._resolve()
        assert self._params is not None
        return self._params

    @property
    def accepts_settings(self) -> bool:
        """Whether the method takes ``**settings`` passed through to Janus."""
        self.params  # noqa: B018 - resolves
        return self._extra

    @property
    def result_name(self) -> str:
        """The name of the result type, for the docs (``"dict"`` when not converted)."""
        hints = _hints(self._func)
        ret = hints.get("return", dict)
        return _type_label(ret)

    def _resolve(self) -> None:
        hints = _hints(self._func)
        params: list[ParamInfo] = []
        parameters = list(inspect.signature(self._func).parameters.values())[1:]
        npositional = 0
        for p in parameters:
            if p.kind is p.VAR_KEYWORD:
                self._extra = True
                continue
            if p.kind is p.VAR_POSITIONAL:
                raise TypeError(f"{self.method}: *args cannot be declared")
            if p.name == "timeout":
                continue
            positional = p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            if positional:
                npositional += 1
            annotation = hints.get(p.name, Any)
            check, kind = _checker(annotation, p.name)
            params.append(
                ParamInfo(
                    name=p.name,
                    key=self.keys.get(p.name, p.name),
                    kind=kind,
                    required=p.default is p.empty,
                    default=p.default,
                    positional=positional,
                    check=check,
                )
            )
        self._by_name = {info.name: i for i, info in enumerate(params)}
        self._npositional = npositional
        self._params = tuple(params)
        self._positional_names = tuple(
            p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        )

    # ----------------------------------------------------------------- calls
    def build(
        self, plugin: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], float | None]:
        """Check a call's arguments and return ``(body, timeout)``.

        Raises:
            TypeError: A missing, unexpected or wrongly typed argument.
            ValueError: An argument with a wrong value.
        """
        params = self.params
        values: dict[str, Any] = {}
        positional = self._positional_names
        if len(args) > len(positional):
            raise TypeError(
                f"{self.method}() takes {len(positional)} positional arguments "
                f"but {len(args)} were given"
            )
        for name, value in zip(positional, args, strict=False):
            values[name] = value
        settings: dict[str, Any] = {}
        for name, value in kwargs.items():
            if name in values:
                raise TypeError(f"{self.method}() got multiple values for argument {name!r}")
            if name in self._by_name or name == "timeout":
                values[name] = value
            elif self._extra:
                settings[name] = value
            else:
                raise TypeError(f"{self.method}() got an unexpected keyword argument {name!r}")
        timeout = enforce_timeout(values.pop("timeout", None))
        body: dict[str, Any] = {} if self.bare else {"request": self.request}
        body.update(self.fixed)
        for info in params:
            if info.name in values:
                value = values[info.name]
            elif info.required:
                raise TypeError(f"{self.method}() missing required argument: {info.name!r}")
            else:
                value = info.default
            if value is None:
                if info.required:
                    raise TypeError(f"{info.name} is required, got None")
                continue
            body[info.key] = info.check(value, plugin)
        for name, value in settings.items():
            if name == "request" or name in self.fixed:
                raise ValueError(f"{name} cannot be set through **settings")
            body[name] = _json_value(value, name)
        if self.check is not None:
            self.check(body)
        return body, timeout

    def convert(self, data: dict[str, Any]) -> Any:
        """Turn the reply's data into the method's result."""
        return data if self.result is None else self.result(data)


def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    cached = getattr(func, "__janus_hints__", None)
    if cached is None:
        cached = typing.get_type_hints(func, include_extras=True)
        func.__janus_hints__ = cached  # type: ignore[attr-defined]
    return cached


def _type_label(annotation: Any) -> str:
    if annotation is type(None):
        return "None"
    if isinstance(annotation, type):
        return annotation.__name__
    text = str(annotation).replace("typing.", "").replace("collections.abc.", "")
    return text


def _json_value(value: Any, name: str) -> Any:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a JSON value (str, number, bool, list, dict), "
            f"got {type(value).__name__}"
        ) from None
    return value


def _split_optional(annotation: Any) -> Any:
    """Remove ``None`` from a union (``X | None`` -> ``X``)."""
    origin = typing.get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0]
        return Union[tuple(members)]  # noqa: UP007 - built at run time
    return annotation


def _checker(annotation: Any, name: str) -> tuple[Checker, str]:
    """Return the checker and docs label of a parameter's annotation."""
    annotation = _split_optional(annotation)
    metadata: tuple[Any, ...] = ()
    if typing.get_origin(annotation) is Annotated:
        base, *meta = typing.get_args(annotation)
        annotation, metadata = base, tuple(meta)
    own = next((m for m in metadata if isinstance(m, Check)), None)
    if own is not None:
        func = own.func
        return (lambda v, _p: func(v, name)), own.label
    if any(m is _SECRET for m in metadata):
        return (lambda v, _p: enforce_secret(v, name=name, optional=False)), "secret"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Union or origin is types.UnionType:
        if set(args) == {int, str}:
            return (
                lambda v, p: enforce_id(v, name=name, string_ids=getattr(p, "string_ids", None))
            ), "id"
        raise TypeError(f"parameter {name}: cannot check the union {annotation!r}")
    if annotation is bool:
        return (lambda v, _p: enforce_bool(v, name=name)), "bool"
    if annotation is int:
        bounds = next((m for m in metadata if isinstance(m, Range)), Range())
        low, high = bounds.low, bounds.high
        label = "int" if bounds == Range() else f"int {low}..{high}"
        return (lambda v, _p: enforce_int(v, name=name, low=low, high=high)), label
    if annotation is float:
        return (lambda v, _p: _finite(enforce_float(v, name=name), name)), "float"
    if annotation is str:
        return (lambda v, _p: enforce_str(v, name=name, empty=True)), "str"
    if origin is Literal:
        choices = args
        shown = ", ".join(repr(c) for c in choices)

        def one_of(value: Any, _plugin: Any) -> Any:
            if value not in choices or isinstance(value, bool) != any(
                isinstance(c, bool) for c in choices if c == value
            ):
                raise ValueError(f"{name} must be one of {shown}, got {value!r}")
            return value

        return one_of, " | ".join(repr(c) for c in choices)
    if origin in (list, Sequence, Iterable, tuple) and args:
        item = _split_optional(args[0])
        if item is str:
            return (lambda v, _p: enforce_strings(v, name=name)), "list[str]"
        if item is int:
            return (lambda v, _p: _ints(v, name)), "list[int]"
        if typing.get_origin(item) in (dict, Mapping) or item in (dict, Mapping):
            return (lambda v, _p: enforce_objects(v, name=name, empty_ok=True)), "list[dict]"
    if origin in (dict, Mapping) or annotation in (dict, Mapping):
        return (lambda v, _p: enforce_mapping(v, name=name)), "dict"
    if annotation is Any or annotation is object:
        return (lambda v, _p: _json_value(v, name)), "any"
    raise TypeError(f"parameter {name}: no check for the annotation {annotation!r}")


def _finite(value: Any, name: str) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def _ints(value: Any, name: str) -> list[int]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of ints, got {type(value).__name__}")
    out: list[int] = []
    for i, item in enumerate(value):
        checked = enforce_int(item, name=f"{name}[{i}]")
        assert checked is not None
        out.append(checked)
    return out


def request(
    name: str,
    *,
    mode: Mode = "sync",
    keys: Mapping[str, str] | None = None,
    fixed: Mapping[str, Any] | None = None,
    result: Callable[[dict[str, Any]], Any] | None = None,
    check: Callable[[dict[str, Any]], None] | None = None,
    bare: bool = False,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Declare a plugin request; the decorated method's body is replaced.

    Args:
        name: The Janus ``request`` value.
        mode: ``"sync"`` (the reply comes in the acknowledgement, sent with
            `JanusPlugin.request`) or ``"async"`` (the reply is the plugin's event,
            sent with `JanusPlugin.message`).
        keys: Parameter name → body key, where they differ (``{"room_id": "room"}``).
        fixed: Constant entries added to every body.
        result: Converts the reply's data into the return value (None: return the
            data dict).
        check: Called with the checked body before sending, for rules that tie
            parameters together; it raises `ValueError` or `TypeError`.
        bare: Send the parameters without a ``request`` field (for a plugin whose
            one request has no name, as EchoTest's); ``name`` then only labels
            the coverage row.

    Returns:
        The decorator.

    Raises:
        TypeError: ``keys`` names a parameter the method does not have.
    """

    def decorate(func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        spec = RequestSpec(
            name,
            func,
            mode=mode,
            keys=keys or {},
            fixed=fixed or {},
            result=result,
            check=check,
            bare=bare,
        )

        @functools.wraps(func)
        async def method(*args: P.args, **kwargs: P.kwargs) -> R:
            plugin, rest = args[0], args[1:]
            body, timeout = spec.build(plugin, rest, kwargs)
            data = await plugin._send_declared(spec, body, timeout=timeout)  # type: ignore[attr-defined]
            return spec.convert(data)  # type: ignore[no-any-return]

        method.__janus_request__ = spec  # type: ignore[attr-defined]
        return method

    return decorate


def build_body(method: Callable[..., Any], plugin: Any, /, **values: Any) -> dict[str, Any]:
    """Check ``values`` as the declared ``method`` would and return its body, unsent.

    For hand-written methods that send a declared request with something more (a
    JSEP, a state change): they reuse its parameters' checks instead of writing
    them again.

    Args:
        method: A method declared with `request` (``type(self).configure``).
        plugin: The plugin object (for ``string_ids`` and the like).
        **values: The arguments, by name (``timeout`` is checked and dropped).

    Returns:
        The body, ``request`` field included (none for a ``bare`` request).

    Raises:
        TypeError: ``method`` is not declared, or an argument is wrong.
        ValueError: An argument has a wrong value.
    """
    spec = getattr(method, "__janus_request__", None)
    if not isinstance(spec, RequestSpec):
        raise TypeError(f"{method!r} is not declared with @request")
    body, _timeout = spec.build(plugin, (), values)
    return body


def sends(*names: str) -> Callable[[F], F]:
    """Mark a hand-written method as the one that sends the requests ``names``.

    Only the coverage and docs rows come from this; the method checks and sends
    itself.

    Args:
        *names: The Janus request names.

    Returns:
        The decorator (the method is returned unchanged).
    """
    if not names:
        raise TypeError("sends() needs at least one request name")

    def mark(func: F) -> F:
        func.__janus_sends__ = SendsSpec(tuple(names), func.__name__)  # type: ignore[attr-defined]
        return func

    return mark


def collect_requests(
    cls: type,
) -> tuple[dict[str, str], dict[str, RequestSpec | SendsSpec]]:
    """Gather a class's declared and marked requests, along its MRO.

    A subclass's declaration of a request wins over a base class's; an explicit
    ``requests`` table on a class (``{"message": "configure"}``) is merged in.

    Args:
        cls: The plugin class.

    Returns:
        ``(requests, specs)``: request name → method name, and request name → its
        `RequestSpec` or `SendsSpec`.
    """
    table: dict[str, str] = {}
    specs: dict[str, RequestSpec | SendsSpec] = {}
    for klass in reversed(cls.__mro__):
        explicit = klass.__dict__.get("requests")
        if isinstance(explicit, Mapping):
            table.update(explicit)
        for attr in klass.__dict__.values():
            declared = getattr(attr, "__janus_request__", None)
            if isinstance(declared, RequestSpec):
                table[declared.request] = declared.method
                specs[declared.request] = declared
            marked = getattr(attr, "__janus_sends__", None)
            if isinstance(marked, SendsSpec):
                for req in marked.requests:
                    table[req] = marked.method
                    specs[req] = marked
    return table, specs
