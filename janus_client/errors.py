"""The exception tree of janus-client.

Every exception raised by the library derives from [`JanusError`][janus_client.errors.JanusError]:

```python
JanusError
├── TransportError                 the connection to Janus failed
│   ├── ConnectError               could not connect (DNS, refused, TLS, handshake)
│   └── ConnectionClosedError      the connection dropped while in use
├── RequestTimeoutError            no complete reply before the deadline (also a TimeoutError)
├── ProtocolError                  Janus sent something that is not valid Janus protocol
├── ServerError                    Janus answered with an error; carries code and reason
│   ├── UnauthorizedError          403, wrong or missing api secret / token
│   ├── UnauthorizedPluginError    405
│   ├── SessionNotFoundError       458
│   ├── HandleNotFoundError        459
│   ├── PluginAttachFail           any failed attach (the 0.9.x name); an attach
│   │   │                              refused with another code (403, 405, 458, ...)
│   │   │                              raises a class deriving from that code's and this
│   │   ├── PluginNotFoundError    460
│   │   └── PluginAttachError      461
│   └── ...                        one class per core error code (see ERROR_CLASSES)
├── PluginError                    a plugin answered with its own error code
├── InvalidStateError              the object cannot do this now (closed, not attached, ...)
│   └── SessionLost                the session expired or was destroyed under us
└── MediaUnavailableError          WebRTC needs the optional ``media`` extra (also ImportError)
```

Every message names what was being done, the URL or request, and the code where there
is one, so that a log line alone tells what happened.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "add_09x_prefix",
    "attach_failure_class",
    "CompatPluginError",
    "ConnectError",
    "ConnectionClosedError",
    "ERROR_CLASSES",
    "HandleNotFoundError",
    "InvalidElementTypeError",
    "InvalidJSONError",
    "InvalidJSONObjectError",
    "InvalidRequestPathError",
    "InvalidStateError",
    "JanusError",
    "JsepInvalidSdpError",
    "JsepUnknownTypeError",
    "MediaUnavailableError",
    "MissingMandatoryElementError",
    "MissingRequestError",
    "NotAcceptingSessionsError",
    "PluginAttachError",
    "PluginAttachFail",
    "PluginDetachError",
    "PluginError",
    "PluginMessageError",
    "PluginNotFoundError",
    "ProtocolError",
    "RequestTimeoutError",
    "ServerError",
    "SessionConflictError",
    "SessionLost",
    "SessionNotFoundError",
    "TokenNotFoundError",
    "TransportError",
    "TransportSpecificError",
    "TrickleInvalidStreamError",
    "UnauthorizedError",
    "UnauthorizedPluginError",
    "UnexpectedAnswerError",
    "UnknownJanusError",
    "UnknownRequestError",
    "WebRTCStateError",
    "error_for_code",
]


class JanusError(Exception):
    """Root of every exception raised by janus-client."""


class TransportError(JanusError):
    """The connection to Janus failed or is unusable.

    Attributes:
        url: The URL of the Janus endpoint concerned.
    """

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class ConnectError(TransportError):
    """Could not open a connection to Janus (refused, DNS, TLS, bad handshake)."""


class ConnectionClosedError(TransportError):
    """The connection to Janus closed while a call was using it."""


if sys.version_info >= (3, 11):
    _TimeoutBase = TimeoutError
else:  # pragma: no cover - Python 3.10, where asyncio.TimeoutError is its own class

    class _TimeoutBase(TimeoutError, asyncio.TimeoutError):
        """Both timeout classes, so that 0.9.x's ``except asyncio.TimeoutError`` works."""


class RequestTimeoutError(JanusError, _TimeoutBase):
    """No complete reply arrived before the call's deadline.

    It is also a builtin `TimeoutError` (and `asyncio.TimeoutError`, which is the
    same class from Python 3.11), so ``except TimeoutError`` and 0.9.x code's
    ``except asyncio.TimeoutError`` catch it.

    Attributes:
        request: The Janus request verb (``"message"``, ``"create"``, ...).
        timeout: The deadline that expired, in seconds.
    """

    def __init__(self, message: str, *, request: str | None = None, timeout: float | None = None):
        super().__init__(message)
        self.request = request
        self.timeout = timeout


class ProtocolError(JanusError):
    """Janus sent a message that is not valid Janus protocol (bad JSON, wrong shape)."""


class ServerError(JanusError):
    """Janus answered a request with an error.

    Attributes:
        code: The Janus error code (for example 458).
        reason: The reason text Janus gave.
        request: The request verb that failed.
    """

    #: The Janus error code this class stands for (0 for the generic class).
    default_code: int = 0
    #: The symbolic name of the code in Janus' ``apierror.h``.
    code_name: str = "JANUS_ERROR"

    def __init__(
        self,
        reason: str,
        *,
        code: int | None = None,
        request: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.code = self.default_code if code is None else code
        self.reason = reason
        self.request = request
        self.url = url
        parts = [f"Janus error {self.code} ({self.code_name})"]
        if request:
            parts.append(f"on {request!r}")
        if url:
            parts.append(f"at {url}")
        message = " ".join(parts) + f": {reason}"
        if hint:
            message += f" (hint: {hint})"
        super().__init__(message)


class UnauthorizedError(ServerError):
    """403: the request lacks a valid ``api_secret`` or ``token``."""

    default_code = 403
    code_name = "JANUS_ERROR_UNAUTHORIZED"


class UnauthorizedPluginError(ServerError):
    """405: the token is not allowed to use this plugin."""

    default_code = 405
    code_name = "JANUS_ERROR_UNAUTHORIZED_PLUGIN"


class TransportSpecificError(ServerError):
    """450: an error specific to the transport Janus received the request on."""

    default_code = 450
    code_name = "JANUS_ERROR_TRANSPORT_SPECIFIC"


class MissingRequestError(ServerError):
    """452: the message had no ``janus`` request field."""

    default_code = 452
    code_name = "JANUS_ERROR_MISSING_REQUEST"


class UnknownRequestError(ServerError):
    """453: Janus does not know this request verb."""

    default_code = 453
    code_name = "JANUS_ERROR_UNKNOWN_REQUEST"


class InvalidJSONError(ServerError):
    """454: the request was not valid JSON."""

    default_code = 454
    code_name = "JANUS_ERROR_INVALID_JSON"


class InvalidJSONObjectError(ServerError):
    """455: the request was JSON but not an object."""

    default_code = 455
    code_name = "JANUS_ERROR_INVALID_JSON_OBJECT"


class MissingMandatoryElementError(ServerError):
    """456: a mandatory field of the request is missing."""

    default_code = 456
    code_name = "JANUS_ERROR_MISSING_MANDATORY_ELEMENT"


class InvalidRequestPathError(ServerError):
    """457: the request was sent to the wrong path (HTTP)."""

    default_code = 457
    code_name = "JANUS_ERROR_INVALID_REQUEST_PATH"


class SessionNotFoundError(ServerError):
    """458: Janus has no session with this id (expired, destroyed or never created)."""

    default_code = 458
    code_name = "JANUS_ERROR_SESSION_NOT_FOUND"


class HandleNotFoundError(ServerError):
    """459: the session has no handle with this id."""

    default_code = 459
    code_name = "JANUS_ERROR_HANDLE_NOT_FOUND"


class PluginAttachFail(ServerError):
    """An attach failed: the base of every attach failure (the 0.9.x name).

    `PluginNotFoundError` (460) and `PluginAttachError` (461) derive from it, and
    any other error Janus answers an ``attach`` with (403, 405, 458, ...) is raised
    as a class deriving from both its code's class and this one, so 0.9.x code's
    ``except PluginAttachFail`` catches every failed attach. Its message starts
    with 0.9.x's ``Fail to attach plugin: {'code': ..., 'reason': ...}``.

    It can be raised as in 0.9.x, ``PluginAttachFail(response)`` with Janus' error
    reply, or like `ServerError` with the reason text as first argument.
    """

    default_code = 461
    code_name = "JANUS_ERROR_PLUGIN_ATTACH"

    def __init__(
        self,
        response: str | Mapping[str, Any],
        *,
        code: int | None = None,
        request: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        if isinstance(response, Mapping):  # 0.9.x: PluginAttachFail(response)
            error = response.get("error")
            error = error if isinstance(error, Mapping) else {}
            err_code = error.get("code")
            if code is None and isinstance(err_code, int) and not isinstance(err_code, bool):
                code = err_code
            text = error.get("reason")
            super().__init__(
                text if isinstance(text, str) else "no reason given",
                code=code,
                request=request or "attach",
                url=url,
                hint=hint,
            )
            self.args = (f"Fail to attach plugin: {dict(error)} - {self.args[0]}",)
            return
        super().__init__(response, code=code, request=request, url=url, hint=hint)


class PluginNotFoundError(PluginAttachFail):
    """460: Janus has no plugin with this package name."""

    default_code = 460
    code_name = "JANUS_ERROR_PLUGIN_NOT_FOUND"


class PluginAttachError(PluginAttachFail):
    """461: the plugin refused or failed the attach."""

    default_code = 461
    code_name = "JANUS_ERROR_PLUGIN_ATTACH"


_ATTACH_VARIANTS: dict[type[ServerError], type[ServerError]] = {}


def attach_failure_class(cls: type[ServerError]) -> type[ServerError]:
    """Return the class for error ``cls`` answered to an ``attach``.

    The class derives from ``cls`` and `PluginAttachFail` (``cls`` itself for 460
    and 461, which already derive from it).
    """
    if issubclass(cls, PluginAttachFail):
        return cls
    variant = _ATTACH_VARIANTS.get(cls)
    if variant is None:
        bases = (PluginAttachFail,) if cls is ServerError else (cls, PluginAttachFail)
        variant = type(
            cls.__name__,
            bases,
            {
                "__doc__": f"{cls.__doc__}\n\nRaised by an attach: also a `PluginAttachFail`.",
                "__module__": cls.__module__,
                "__init__": ServerError.__init__,
                "default_code": cls.default_code,
                "code_name": cls.code_name,
            },
        )
        _ATTACH_VARIANTS[cls] = variant
    return variant


def add_09x_prefix(exc: ServerError, error: Mapping[str, Any]) -> ServerError:
    """Start ``str(exc)`` with 0.9.x's message for a failed ``create`` or ``attach``.

    0.9.x raised ``Create session fail: {error}`` and ``Fail to attach plugin:
    {error}`` (``{error}`` being Janus' error object); regexes written for them
    keep matching, and the new wording follows.
    """
    prefix = {"create": "Create session fail", "attach": "Fail to attach plugin"}.get(
        exc.request or ""
    )
    if prefix is not None and exc.args:
        exc.args = (f"{prefix}: {dict(error)} - {exc.args[0]}", *exc.args[1:])
    return exc


class PluginMessageError(ServerError):
    """462: the plugin could not handle the message (Janus core level)."""

    default_code = 462
    code_name = "JANUS_ERROR_PLUGIN_MESSAGE"


class PluginDetachError(ServerError):
    """463: the plugin failed the detach."""

    default_code = 463
    code_name = "JANUS_ERROR_PLUGIN_DETACH"


class JsepUnknownTypeError(ServerError):
    """464: the JSEP type is neither offer nor answer."""

    default_code = 464
    code_name = "JANUS_ERROR_JSEP_UNKNOWN_TYPE"


class JsepInvalidSdpError(ServerError):
    """465: the JSEP SDP could not be parsed or used."""

    default_code = 465
    code_name = "JANUS_ERROR_JSEP_INVALID_SDP"


class TrickleInvalidStreamError(ServerError):
    """466: a trickled candidate refers to an invalid stream (``TRICKE_INVALID_STREAM``)."""

    default_code = 466
    code_name = "JANUS_ERROR_TRICKE_INVALID_STREAM"


class InvalidElementTypeError(ServerError):
    """467: a field of the request has the wrong JSON type."""

    default_code = 467
    code_name = "JANUS_ERROR_INVALID_ELEMENT_TYPE"


class SessionConflictError(ServerError):
    """468: the session is already in use (for example claimed by another connection)."""

    default_code = 468
    code_name = "JANUS_ERROR_SESSION_CONFLICT"


class UnexpectedAnswerError(ServerError):
    """469: an SDP answer arrived when Janus expected none."""

    default_code = 469
    code_name = "JANUS_ERROR_UNEXPECTED_ANSWER"


class TokenNotFoundError(ServerError):
    """470: the stored token does not exist."""

    default_code = 470
    code_name = "JANUS_ERROR_TOKEN_NOT_FOUND"


class WebRTCStateError(ServerError):
    """471: the request is not valid in the handle's current WebRTC state."""

    default_code = 471
    code_name = "JANUS_ERROR_WEBRTC_STATE"


class NotAcceptingSessionsError(ServerError):
    """472: Janus is currently not accepting new sessions."""

    default_code = 472
    code_name = "JANUS_ERROR_NOT_ACCEPTING_SESSIONS"


class UnknownJanusError(ServerError):
    """490: an unknown error inside Janus."""

    default_code = 490
    code_name = "JANUS_ERROR_UNKNOWN"


#: Every core Janus error code mapped to its exception class.
ERROR_CLASSES: dict[int, type[ServerError]] = {
    cls.default_code: cls
    for cls in (
        UnauthorizedError,
        UnauthorizedPluginError,
        TransportSpecificError,
        MissingRequestError,
        UnknownRequestError,
        InvalidJSONError,
        InvalidJSONObjectError,
        MissingMandatoryElementError,
        InvalidRequestPathError,
        SessionNotFoundError,
        HandleNotFoundError,
        PluginNotFoundError,
        PluginAttachError,
        PluginMessageError,
        PluginDetachError,
        JsepUnknownTypeError,
        JsepInvalidSdpError,
        TrickleInvalidStreamError,
        InvalidElementTypeError,
        SessionConflictError,
        UnexpectedAnswerError,
        TokenNotFoundError,
        WebRTCStateError,
        NotAcceptingSessionsError,
        UnknownJanusError,
    )
}

_HINTS: dict[int, str] = {
    403: "pass the server's api_secret, or a valid token, to JanusSession",
    405: "the token in use is not allowed to attach to this plugin",
    458: "the session expired or was destroyed; create a new JanusSession",
    459: "the handle was detached; attach the plugin again",
    460: "check the plugin package name and that the plugin is enabled on the server",
    472: "the server was told by an admin to refuse new sessions",
}


def error_for_code(
    code: int, reason: str, *, request: str | None = None, url: str | None = None
) -> ServerError:
    """Build the typed exception for a Janus error code.

    Args:
        code: The Janus error code.
        reason: The reason text Janus sent.
        request: The request verb that failed, named in the message.
        url: The endpoint URL, named in the message.

    Returns:
        An instance of the class registered for ``code`` in `ERROR_CLASSES`, or of
        `ServerError` itself for a code Janus 1.1.2 does not define.
    """
    cls = ERROR_CLASSES.get(code, ServerError)
    if request == "attach":
        cls = attach_failure_class(cls)
    return cls(reason, code=code, request=request, url=url, hint=_HINTS.get(code))


class PluginError(JanusError):
    """A plugin answered a request with its own error.

    Plugin classes raise a subclass (``VideoRoomError``, ``TextRoomError``, ...).

    Attributes:
        plugin: The plugin package name (``janus.plugin.videoroom``).
        code: The plugin's own error code (``error_code``), or None if it sent none.
        reason: The plugin's error text.
        request: The plugin request that failed (the body's ``request`` field).
        data: The whole plugin data of the error reply.
    """

    #: The plugin's error codes and their names (``JANUS_<PLUGIN>_ERROR_*``).
    code_names: ClassVar[dict[int, str]] = {}

    def __init__(
        self,
        reason: str,
        *,
        plugin: str | None = None,
        code: int | None = None,
        request: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.plugin = plugin
        self.code = code
        self.reason = reason
        self.request = request
        self.data = data or {}
        #: The symbolic name of ``code`` for this plugin, when known.
        self.code_name = self.code_names.get(code) if code is not None else None
        where = plugin or "plugin"
        what = f" on {request!r}" if request else ""
        code_txt = f" {code}" if code is not None else ""
        if self.code_name:
            code_txt += f" ({self.code_name})"
        super().__init__(f"{where} error{code_txt}{what}: {reason}")


class CompatPluginError(PluginError):
    """A plugin error that also accepts janus-client 0.9.x's constructor.

    Besides the keyword form of `PluginError`, subclasses can be raised as
    ``VideoRoomError(error_code, error_message)`` (positionally) or with
    ``error_code=`` / ``error_message=`` keywords, and expose the 0.9.x attributes
    `error_code` and `error_message`. Subclasses set `plugin_package` and
    `plugin_label`.
    """

    #: The plugin package the errors come from.
    plugin_package: ClassVar[str] = ""
    #: The plugin's name in messages of the 0.9.x form (``"VideoRoom"``).
    plugin_label: ClassVar[str] = "plugin"

    def __init__(
        self,
        error_code: int | str | None = None,
        error_message: str | None = None,
        *,
        reason: str | None = None,
        plugin: str | None = None,
        code: int | None = None,
        request: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        if isinstance(error_code, str) or (error_code is None and error_message is None):
            # The keyword form: SomeError("reason", plugin=..., code=...).
            if reason is not None and error_code is not None:
                raise TypeError("give the reason once")
            if error_message is not None:
                raise TypeError("error_message goes with an integer error_code")
            text = reason if reason is not None else error_code
            super().__init__(
                f"unspecified {self.plugin_label} error" if text is None else str(text),
                plugin=plugin,
                code=code,
                request=request,
                data=data,
            )
            return
        if reason is not None or code is not None:
            raise TypeError("give either error_code and error_message, or reason and code")
        if isinstance(error_code, bool) or not isinstance(error_code, int):
            raise TypeError(f"error_code must be an int, got {type(error_code).__name__}")
        # The 0.9.x form: SomeError(error_code, error_message).
        text = "" if error_message is None else str(error_message)
        super().__init__(
            text,
            plugin=plugin or self.plugin_package or None,
            code=error_code,
            request=request,
            data=data,
        )
        self.args = (f"{self.plugin_label} error {error_code}: {text}",)

    @property
    def error_code(self) -> int:
        """The error code (0.9.x name): the plugin's code, or 0 when there is none."""
        return self.code if self.code is not None else 0

    @property
    def error_message(self) -> str:
        """The error text (0.9.x name of `reason`)."""
        return self.reason


class InvalidStateError(JanusError):
    """The object cannot do this in its current state (closed, not attached, ...)."""


class SessionLost(InvalidStateError):
    """The Janus session is gone: it timed out, was destroyed, or could not be reclaimed.

    Pending calls of the session and of its handles fail with this error.
    """


class MediaUnavailableError(JanusError, ImportError):
    """WebRTC media needs the optional ``media`` extra.

    Install it with ``pip install 'janus-client[media]'``.
    """

    def __init__(self, what: str = "WebRTC media") -> None:
        super().__init__(
            f"{what} needs aiortc and av, which are not installed: "
            "pip install 'janus-client[media]'"
        )
