"""Sans-I/O Janus protocol: build requests, classify incoming messages, map errors.

Nothing here does I/O or touches asyncio; every function is pure and can be used on
its own (for example to write a client on another I/O stack, or in tests).
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .errors import PluginError, ProtocolError, ServerError, add_09x_prefix, error_for_code

__all__ = [
    "CORE_REQUESTS",
    "Incoming",
    "MessageKind",
    "REDACTED",
    "RedactedReprDict",
    "SECRET_KEYS",
    "attach",
    "build_request",
    "claim",
    "classify",
    "credentials",
    "create",
    "decode",
    "destroy",
    "detach",
    "encode",
    "error_from_message",
    "handle_request",
    "hangup",
    "in_session",
    "info",
    "keepalive",
    "message",
    "ping",
    "plugin_data",
    "plugin_error",
    "redact",
    "reply_id",
    "trickle",
    "trickle_fields",
]

#: Every request verb of the core Janus API.
CORE_REQUESTS: tuple[str, ...] = (
    "info",
    "ping",
    "create",
    "claim",
    "keepalive",
    "destroy",
    "attach",
    "detach",
    "hangup",
    "message",
    "trickle",
)


class MessageKind(str, enum.Enum):
    """What an incoming Janus message is, from its ``janus`` field."""

    SUCCESS = "success"
    ERROR = "error"
    ACK = "ack"
    EVENT = "event"
    WEBRTCUP = "webrtcup"
    MEDIA = "media"
    SLOWLINK = "slowlink"
    HANGUP = "hangup"
    DETACHED = "detached"
    TRICKLE = "trickle"
    TIMEOUT = "timeout"
    SERVER_INFO = "server_info"
    PONG = "pong"
    KEEPALIVE = "keepalive"
    UNKNOWN = "unknown"


_KINDS: dict[str, MessageKind] = {k.value: k for k in MessageKind if k is not MessageKind.UNKNOWN}

#: Kinds that finish a transaction (a reply), as opposed to events routed to owners.
REPLY_KINDS = frozenset(
    {MessageKind.SUCCESS, MessageKind.ERROR, MessageKind.SERVER_INFO, MessageKind.PONG}
)


@dataclass(slots=True, eq=False, repr=False)
class Incoming:
    """One classified message received from Janus (read-only by convention).

    Attributes:
        kind: What the message is.
        janus: The raw ``janus`` field (useful when ``kind`` is ``UNKNOWN``).
        transaction: The transaction id it answers, if any.
        session_id: The session it concerns, if any.
        sender: The handle id it comes from (plugin and WebRTC events), if any.
        body: The whole decoded message.
    """

    kind: MessageKind
    janus: str
    transaction: str | None
    session_id: int | None
    sender: int | None
    body: dict[str, Any]

    def __repr__(self) -> str:
        return (
            f"Incoming(kind={self.kind.value!r}, transaction={self.transaction!r}, "
            f"session_id={self.session_id!r}, sender={self.sender!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Incoming):
            return NotImplemented
        return self.kind is other.kind and self.body == other.body

    __hash__ = None  # type: ignore[assignment]


def _bad_id(key: str, value: Any) -> ProtocolError:
    return ProtocolError(f"field {key!r} of a Janus message must be an integer, got {value!r}")


def classify(msg: Any) -> Incoming:
    """Classify one decoded Janus message.

    Args:
        msg: A decoded JSON value, expected to be an object with a ``janus`` field.

    Returns:
        The classified message. Unknown ``janus`` values give ``MessageKind.UNKNOWN``
        rather than an error, so that a newer server does not break the client.

    Raises:
        ProtocolError: The value is not an object, has no string ``janus`` field, or
            has ids of the wrong type.
    """
    if type(msg) is not dict and not isinstance(msg, dict):
        raise ProtocolError(f"a Janus message must be a JSON object, got {type(msg).__name__}")
    get = msg.get
    janus = get("janus")
    if type(janus) is not str:
        raise ProtocolError(f"a Janus message needs a string 'janus' field, got {janus!r}")
    transaction = get("transaction")
    if transaction is not None and type(transaction) is not str:
        transaction = str(transaction)
    sid = get("session_id")
    if sid is not None and type(sid) is not int:
        raise _bad_id("session_id", sid)
    sender = get("sender")
    if sender is not None and type(sender) is not int:
        raise _bad_id("sender", sender)
    return Incoming(_KINDS.get(janus, MessageKind.UNKNOWN), janus, transaction, sid, sender, msg)


def decode(data: str | bytes | bytearray) -> list[dict[str, Any]]:
    """Decode one frame or HTTP body into a list of message objects.

    A long-poll with ``maxev`` returns an array; everything else is one object.

    Raises:
        ProtocolError: Not JSON, or not an object / array of objects.
    """
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        preview = data[:80] if isinstance(data, str) else bytes(data[:80])
        raise ProtocolError(f"Janus sent invalid JSON ({exc}): {preview!r}") from None
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return value
    raise ProtocolError(
        f"Janus sent JSON that is not an object or a list of objects: {type(value).__name__}"
    )


_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


def _compact_encoder() -> Callable[[Any], str]:
    """``_ENCODER.encode`` without its two Python layers and the encoder it makes per call.

    The C encoder behind `json.dumps`, made once (with ``_ENCODER``'s settings,
    but without the check for circular references, which then end in
    `RecursionError`). Where it is missing or gives another text for a sample,
    ``_ENCODER.encode`` itself.
    """
    stdlib = _ENCODER.encode
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has it
        return stdlib
    sample: dict[str, Any] = {"n": [1, -2.5, None, True, {}], "s": "\u00e9\n\"", "e": []}
    try:
        chunks = make(
            None, _ENCODER.default, json.encoder.encode_basestring_ascii, None,
            ":", ",", False, False, False,
        )  # fmt: skip
        if "".join(chunks(sample, 0)) != stdlib(sample):  # pragma: no cover - never seen
            return stdlib
    except Exception:  # pragma: no cover - another signature
        return stdlib
    join = "".join

    def compact(msg: Any) -> str:
        return join(chunks(msg, 0))

    return compact


_encode_compact = _compact_encoder()


def encode(msg: Mapping[str, Any]) -> str:
    """Serialise a request to the compact JSON text Janus expects.

    Raises:
        ValueError: A number is NaN or infinite (JSON has neither, and Janus drops
            such a message without answering); the message names the field.
    """
    try:
        return _encode_compact(msg)
    except (ValueError, RecursionError):
        return _encode_checked(msg)  # the stdlib encoder explains what is wrong


def _encode_checked(msg: Mapping[str, Any]) -> str:
    try:
        return _ENCODER.encode(msg)
    except ValueError:
        found = _non_finite(msg, "")
        if found is None:
            raise
        path, number = found
        raise ValueError(
            f"field {path!r} is {number!r}: JSON has no NaN or Infinity, "
            "send a finite number (or leave the field out)"
        ) from None


def _non_finite(value: Any, path: str) -> tuple[str, float] | None:
    """Return the dotted path and value of the first NaN/Infinity in ``value``."""
    if isinstance(value, float):
        return None if math.isfinite(value) else (path or "<value>", value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _non_finite(item, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _non_finite(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def build_request(
    janus: str,
    transaction: str,
    *,
    session_id: int | None = None,
    handle_id: int | None = None,
    apisecret: str | None = None,
    token: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Build any Janus API request.

    Args:
        janus: The request verb.
        transaction: The transaction id.
        session_id: The session the request is for, if any.
        handle_id: The handle the request is for, if any.
        apisecret: Added as ``apisecret`` when given.
        token: Added as ``token`` when given.
        **fields: Further top-level fields (``None`` values are left out).

    Returns:
        The request as a dict ready for `encode`.
    """
    msg: dict[str, Any] = {"janus": janus, "transaction": transaction}
    if session_id is not None:
        msg["session_id"] = session_id
    if handle_id is not None:
        msg["handle_id"] = handle_id
    if fields:
        msg.update(_given(fields))
    if apisecret is not None or token is not None:
        msg.update(credentials(apisecret, token))
    return msg


def _given(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields whose value is not None."""
    return {key: value for key, value in fields.items() if value is not None}


def credentials(apisecret: str | None = None, token: str | None = None) -> dict[str, str]:
    """The credential fields of a request: ``apisecret`` and ``token``, when set."""
    creds: dict[str, str] = {}
    if apisecret is not None:
        creds["apisecret"] = apisecret
    if token is not None:
        creds["token"] = token
    return creds


def handle_request(janus: str, handle_id: int, **fields: Any) -> dict[str, Any]:
    """Build a handle's part of a request: its verb, ``handle_id`` and fields.

    The session completes it with `in_session`; the transport adds the
    transaction. ``None`` fields are left out.
    """
    msg: dict[str, Any] = {"janus": janus, "handle_id": handle_id}
    if fields:
        msg.update(_given(fields))
    return msg


def in_session(
    request: Mapping[str, Any],
    session_id: int,
    apisecret: str | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """Return ``request`` completed with a session's fields: ``session_id``, credentials."""
    msg = {**request, "session_id": session_id}
    if apisecret is not None or token is not None:
        msg.update(credentials(apisecret, token))
    return msg


# The builders of the requests every session makes build their dict directly
# (the same keys, in the same order, as `build_request`): they run once per
# request, and `build_request` costs three calls more.


def _in_session(janus: str, transaction: str, session_id: int | None) -> dict[str, Any]:
    if session_id is None:
        return {"janus": janus, "transaction": transaction}
    return {"janus": janus, "transaction": transaction, "session_id": session_id}


def info(transaction: str) -> dict[str, Any]:
    """Build an ``info`` request (server information; needs no session)."""
    return {"janus": "info", "transaction": transaction}


def ping(transaction: str) -> dict[str, Any]:
    """Build a ``ping`` request (answered by ``pong``)."""
    return {"janus": "ping", "transaction": transaction}


def create(transaction: str, session_id: int | None = None) -> dict[str, Any]:
    """Build a ``create`` request; ``session_id`` asks Janus for a specific id."""
    if session_id is None:
        return {"janus": "create", "transaction": transaction}
    return {"janus": "create", "transaction": transaction, "id": session_id}


def claim(transaction: str, session_id: int) -> dict[str, Any]:
    """Build a ``claim`` request, taking over a session from another connection."""
    return _in_session("claim", transaction, session_id)


def keepalive(transaction: str, session_id: int) -> dict[str, Any]:
    """Build a ``keepalive`` request for a session."""
    return _in_session("keepalive", transaction, session_id)


def destroy(transaction: str, session_id: int) -> dict[str, Any]:
    """Build a ``destroy`` request for a session."""
    return _in_session("destroy", transaction, session_id)


def attach(
    transaction: str, session_id: int, plugin: str, opaque_id: str | None = None
) -> dict[str, Any]:
    """Build an ``attach`` request for a plugin package name."""
    msg = _in_session("attach", transaction, session_id)
    if plugin is not None:
        msg["plugin"] = plugin
    if opaque_id is not None:
        msg["opaque_id"] = opaque_id
    return msg


def detach(transaction: str, session_id: int, handle_id: int) -> dict[str, Any]:
    """Build a ``detach`` request for a handle."""
    msg = _in_session("detach", transaction, session_id)
    if handle_id is not None:
        msg["handle_id"] = handle_id
    return msg


def hangup(transaction: str, session_id: int, handle_id: int) -> dict[str, Any]:
    """Build a ``hangup`` request closing a handle's PeerConnection."""
    return build_request("hangup", transaction, session_id=session_id, handle_id=handle_id)


def message(
    transaction: str,
    session_id: int,
    handle_id: int,
    body: Mapping[str, Any],
    jsep: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a plugin ``message`` request, with an optional JSEP offer or answer."""
    return build_request(
        "message",
        transaction,
        session_id=session_id,
        handle_id=handle_id,
        body=dict(body),
        jsep=dict(jsep) if jsep is not None else None,
    )


def trickle(
    transaction: str,
    session_id: int,
    handle_id: int,
    *,
    candidate: Mapping[str, Any] | None = None,
    candidates: Iterable[Mapping[str, Any]] | None = None,
    completed: bool = False,
) -> dict[str, Any]:
    """Build a ``trickle`` request: one candidate, several, or the end of candidates.

    Raises:
        ValueError: Not exactly one of ``candidate``, ``candidates``, ``completed``.
    """
    payload = trickle_fields(candidate=candidate, candidates=candidates, completed=completed)
    return build_request(
        "trickle", transaction, session_id=session_id, handle_id=handle_id, **payload
    )


def trickle_fields(
    *,
    candidate: Mapping[str, Any] | None = None,
    candidates: Iterable[Mapping[str, Any]] | None = None,
    completed: bool = False,
) -> dict[str, Any]:
    """Return the body fields of a ``trickle``: ``candidate`` or ``candidates``.

    Raises:
        ValueError: Not exactly one of ``candidate``, ``candidates``, ``completed``.
        TypeError: A candidate is not a mapping.
    """
    given = (candidate is not None) + (candidates is not None) + bool(completed)
    if given != 1:
        raise ValueError("trickle needs exactly one of candidate, candidates or completed=True")
    if completed:
        return {"candidate": {"completed": True}}
    if candidate is not None:
        if not isinstance(candidate, Mapping):
            raise TypeError(f"candidate must be a dict, got {type(candidate).__name__}")
        return {"candidate": dict(candidate)}
    assert candidates is not None
    if isinstance(candidates, (str, bytes, Mapping)) or not isinstance(candidates, Iterable):
        raise TypeError(
            f"candidates must be a list of candidate dicts, got {type(candidates).__name__}"
        )
    items = list(candidates)
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise TypeError(f"candidates[{i}] must be a dict, got {type(item).__name__}")
    return {"candidates": [dict(item) for item in items]}


def reply_id(reply: Mapping[str, Any], what: str) -> int:
    """Return the numeric ``data.id`` of a ``create`` or ``attach`` reply.

    Raises:
        ProtocolError: The reply has no numeric ``data.id``.
    """
    data = reply.get("data")
    value = data.get("id") if type(data) is dict or isinstance(data, Mapping) else None
    if type(value) is not int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ProtocolError(
            f"Janus replied to {what!r} without a numeric data.id: {redact(reply)!r}"
        )
    return value


def error_from_message(
    msg: Mapping[str, Any], *, request: str | None = None, url: str | None = None
) -> ServerError:
    """Turn a ``{"janus": "error"}`` message into its typed exception."""
    err = msg.get("error")
    code: Any = None
    reason: Any = None
    if isinstance(err, Mapping):
        code = err.get("code")
        reason = err.get("reason")
    if isinstance(code, bool) or not isinstance(code, int):
        code = 490
    if not isinstance(reason, str):
        reason = "no reason given"
    exc = error_for_code(code, reason, request=request, url=url)
    # 0.9.x's messages for a refused create / attach come first (regexes keep matching).
    return add_09x_prefix(exc, err if isinstance(err, Mapping) else {})


def plugin_data(msg: Mapping[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """Extract ``(plugin, data)`` from a message's ``plugindata``.

    Returns ``(None, {})`` when the message carries no plugin data.
    """
    pd = msg.get("plugindata")
    if not isinstance(pd, Mapping):
        return None, {}
    plugin = pd.get("plugin")
    data = pd.get("data")
    return (plugin if isinstance(plugin, str) else None), (
        dict(data) if isinstance(data, Mapping) else {}
    )


def plugin_error(
    plugin: str | None,
    data: Mapping[str, Any],
    *,
    request: str | None = None,
    error_class: type[PluginError] = PluginError,
) -> PluginError | None:
    """Return the plugin's error carried in ``data``, or None if it reports success.

    Janus plugins report errors inside their data as ``error_code`` and ``error``
    (TextRoom also sets ``"textroom": "error"``).
    """
    code = data.get("error_code")
    reason = data.get("error")
    if code is None and reason is None:
        return None
    if isinstance(code, bool) or not isinstance(code, int):
        code = None
    return error_class(
        str(reason) if reason is not None else "unspecified plugin error",
        plugin=plugin,
        code=code,
        request=request,
        data=dict(data),
    )


#: Keys whose values never reach a log record.
SECRET_KEYS = frozenset(
    {
        "apisecret",
        "admin_secret",
        "token",
        "secret",
        "new_secret",
        "pin",
        "new_pin",
        "admin_key",
        "ha1_secret",
        "password",
        "secret_key",
        "token_auth_secret",
        "ice-pwd",
        "ice_pwd",
        "pwd",
    }
)
#: What a redacted value is replaced with.
REDACTED = "***"
#: Keys holding lists of tokens (admin ``tokens``; the rooms' ``allowed`` ACLs).
_TOKEN_LISTS = frozenset({"tokens", "allowed"})


def _is_sdp(text: str) -> bool:
    return text.startswith("v=0") and ("\n" in text[:8] or len(text) == 3)


def url_without_password(url: str) -> str:
    """Return ``url`` with the password of its user part replaced by ``***``.

    For URLs that carry broker credentials (``amqp://user:pass@host/``): what
    the library logs, shows in ``repr()`` and puts in error messages.
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    name = user.split(":", 1)[0]
    return urlunsplit((parts.scheme, f"{name}:***@{host}", parts.path, parts.query, parts.fragment))


def redact(value: Any) -> Any:
    """Return a copy of a message safe to log.

    Values of `SECRET_KEYS` are replaced by `REDACTED`; SDP bodies (the ``sdp``
    of a JSEP, the ``sdps`` of ``handle_info``, any string that is an SDP) by
    their size, recursively through objects and arrays. The input is not
    modified.
    """
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in SECRET_KEYS and item is not None:
                out[key] = REDACTED
            elif key == "sdp" and isinstance(item, str):
                out[key] = f"<sdp, {len(item)} chars>"
            elif key in _TOKEN_LISTS and isinstance(item, list):
                out[key] = [REDACTED if isinstance(t, str) else redact(t) for t in item]
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, str) and _is_sdp(value):
        return f"<sdp, {len(value)} chars>"
    return value


class RedactedReprDict(dict):  # type: ignore[type-arg]
    """A plain `dict` whose ``repr()`` hides SDP bodies and secrets (see `redact`).

    Used for JSEP and SDP fields of events and replies, so that tracebacks and
    log lines show ``'<sdp, N chars>'``; reading the values gives them whole.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(redact(dict(self)))
