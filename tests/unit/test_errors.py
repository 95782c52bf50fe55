"""Unit tests for the exception tree (janus_client.errors)."""

from __future__ import annotations

import inspect

import pytest

import janus_client
from janus_client import errors

#: code -> apierror.h name, the 25 core codes of Janus 1.1.2.
CORE_CODES = {
    403: "UNAUTHORIZED",
    405: "UNAUTHORIZED_PLUGIN",
    450: "TRANSPORT_SPECIFIC",
    452: "MISSING_REQUEST",
    453: "UNKNOWN_REQUEST",
    454: "INVALID_JSON",
    455: "INVALID_JSON_OBJECT",
    456: "MISSING_MANDATORY_ELEMENT",
    457: "INVALID_REQUEST_PATH",
    458: "SESSION_NOT_FOUND",
    459: "HANDLE_NOT_FOUND",
    460: "PLUGIN_NOT_FOUND",
    461: "PLUGIN_ATTACH",
    462: "PLUGIN_MESSAGE",
    463: "PLUGIN_DETACH",
    464: "JSEP_UNKNOWN_TYPE",
    465: "JSEP_INVALID_SDP",
    466: "TRICKE_INVALID_STREAM",
    467: "INVALID_ELEMENT_TYPE",
    468: "SESSION_CONFLICT",
    469: "UNEXPECTED_ANSWER",
    470: "TOKEN_NOT_FOUND",
    471: "WEBRTC_STATE",
    472: "NOT_ACCEPTING_SESSIONS",
    490: "UNKNOWN",
}


def _exception_classes() -> list[type[BaseException]]:
    return [
        obj
        for name in errors.__all__
        if inspect.isclass(obj := getattr(errors, name)) and issubclass(obj, BaseException)
    ]


def test_every_exported_exception_derives_from_janus_error() -> None:
    classes = _exception_classes()
    assert len(classes) > 30
    for cls in classes:
        assert issubclass(cls, errors.JanusError), cls


def test_janus_error_is_an_exception() -> None:
    assert issubclass(errors.JanusError, Exception)


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (errors.TransportError, errors.JanusError),
        (errors.ConnectError, errors.TransportError),
        (errors.ConnectionClosedError, errors.TransportError),
        (errors.RequestTimeoutError, errors.JanusError),
        (errors.ProtocolError, errors.JanusError),
        (errors.ServerError, errors.JanusError),
        (errors.PluginError, errors.JanusError),
        (errors.InvalidStateError, errors.JanusError),
        (errors.SessionLost, errors.InvalidStateError),
        (errors.MediaUnavailableError, errors.JanusError),
    ],
)
def test_tree(child: type, parent: type) -> None:
    assert issubclass(child, parent)


def test_plugin_error_is_not_a_server_error() -> None:
    assert not issubclass(errors.PluginError, errors.ServerError)


def test_request_timeout_is_builtin_timeout_error() -> None:
    exc = errors.RequestTimeoutError("no reply to 'create'", request="create", timeout=1.5)
    assert isinstance(exc, TimeoutError)
    assert isinstance(exc, errors.JanusError)
    assert exc.request == "create"
    assert exc.timeout == 1.5
    assert str(exc) == "no reply to 'create'"
    with pytest.raises(TimeoutError):
        raise exc


def test_media_unavailable_is_import_error_with_install_hint() -> None:
    exc = errors.MediaUnavailableError()
    assert isinstance(exc, ImportError)
    assert isinstance(exc, errors.JanusError)
    assert "pip install 'janus-client[media]'" in str(exc)
    assert "aiortc" in str(exc)
    with pytest.raises(ImportError):
        raise exc


def test_media_unavailable_names_what() -> None:
    exc = errors.MediaUnavailableError("Publishing a camera")
    assert str(exc).startswith("Publishing a camera")
    assert "pip install 'janus-client[media]'" in str(exc)


def test_plugin_attach_fail_is_the_base_of_every_attach_failure() -> None:
    assert issubclass(errors.PluginAttachError, errors.PluginAttachFail)
    assert issubclass(errors.PluginNotFoundError, errors.PluginAttachFail)
    assert janus_client.PluginAttachFail is errors.PluginAttachFail
    with pytest.raises(errors.PluginAttachFail):
        raise errors.error_for_code(461, "refused")
    # Any code answered to an attach is also a PluginAttachFail, and keeps its class.
    exc = errors.error_for_code(403, "Unauthorized request", request="attach")
    assert isinstance(exc, errors.PluginAttachFail)
    assert isinstance(exc, errors.UnauthorizedError)
    assert exc.code == 403
    created = errors.error_for_code(403, "x", request="create")
    assert not isinstance(created, errors.PluginAttachFail)


def test_0_9_messages_come_first() -> None:
    from janus_client.protocol import error_from_message

    error = {"code": 460, "reason": "No such plugin 'janus.plugin.nope'"}
    exc = error_from_message({"janus": "error", "error": error}, request="attach")
    assert isinstance(exc, errors.PluginNotFoundError)
    assert str(exc).startswith(f"Fail to attach plugin: {error}")
    assert "JANUS_ERROR_PLUGIN_NOT_FOUND" in str(exc)
    error = {"code": 403, "reason": "Unauthorized request (wrong or missing secret/token)"}
    exc = error_from_message({"janus": "error", "error": error}, request="create")
    assert str(exc).startswith(f"Create session fail: {error}")
    # 0.9.x's own constructor form.
    fail = errors.PluginAttachFail({"janus": "error", "error": error})
    assert str(fail).startswith(f"Fail to attach plugin: {error}")
    assert fail.code == 403


def test_session_lost_is_invalid_state() -> None:
    exc = errors.SessionLost("session 1 expired")
    assert isinstance(exc, errors.InvalidStateError)
    assert isinstance(exc, errors.JanusError)


def test_error_classes_has_exactly_the_core_codes() -> None:
    assert set(errors.ERROR_CLASSES) == set(CORE_CODES)
    assert len(errors.ERROR_CLASSES) == 25


@pytest.mark.parametrize(("code", "name"), sorted(CORE_CODES.items()))
def test_error_classes_entry(code: int, name: str) -> None:
    cls = errors.ERROR_CLASSES[code]
    assert issubclass(cls, errors.ServerError)
    assert cls is not errors.ServerError
    assert cls.default_code == code
    assert cls.code_name == f"JANUS_ERROR_{name}"
    assert cls.__doc__
    assert cls.__doc__.startswith(str(code))


@pytest.mark.parametrize("code", sorted(CORE_CODES))
def test_error_for_code_known(code: int) -> None:
    exc = errors.error_for_code(code, "because", request="message", url="http://x/janus")
    assert type(exc) is errors.ERROR_CLASSES[code]
    assert exc.code == code
    assert exc.reason == "because"
    assert str(code) in str(exc)


@pytest.mark.parametrize("code", [0, 400, 451, 499, 500, 12345])
def test_error_for_code_unknown_gives_plain_server_error(code: int) -> None:
    exc = errors.error_for_code(code, "weird", request="attach", url="ws://h:8188")
    assert isinstance(exc, errors.ServerError)
    assert isinstance(exc, errors.PluginAttachFail)  # answered to an attach
    assert type(errors.error_for_code(code, "weird", request="info")) is errors.ServerError
    assert exc.code == code
    assert exc.reason == "weird"
    assert exc.code_name == "JANUS_ERROR"
    text = str(exc)
    assert str(code) in text
    assert "attach" in text
    assert "ws://h:8188" in text
    assert "weird" in text


def test_server_error_default_code_when_none_given() -> None:
    exc = errors.SessionNotFoundError("gone")
    assert exc.code == 458
    assert errors.ServerError("x").code == 0


def test_server_error_hint() -> None:
    exc = errors.ServerError("x", code=1, hint="do this")
    assert str(exc).endswith("(hint: do this)")


def test_transport_error_url() -> None:
    exc = errors.ConnectError("refused", url="ws://127.0.0.1:1")
    assert exc.url == "ws://127.0.0.1:1"
    assert str(exc) == "refused"
    assert errors.ConnectionClosedError("closed").url is None


def test_plugin_error_message_and_defaults() -> None:
    exc = errors.PluginError("boom")
    assert exc.plugin is None
    assert exc.code is None
    assert exc.request is None
    assert exc.data == {}
    assert str(exc) == "plugin error: boom"
    exc2 = errors.PluginError(
        "No such room",
        plugin="janus.plugin.videoroom",
        code=426,
        request="join",
        data={"error_code": 426},
    )
    assert str(exc2) == "janus.plugin.videoroom error 426 on 'join': No such room"
    assert exc2.data == {"error_code": 426}


def test_all_names_exist() -> None:
    for name in errors.__all__:
        assert hasattr(errors, name), name
