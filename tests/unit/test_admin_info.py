"""Unit tests for the server-level admin results (ComponentInfo, StatusInfo)."""

from __future__ import annotations

from janus_client.admin import ComponentInfo, StatusInfo


def test_component_info_reads_its_fields_leniently() -> None:
    info = ComponentInfo.from_json(
        "janus.plugin.echotest",
        {"name": "JANUS EchoTest plugin", "version": 8, "version_string": 8, "author": None},
    )
    assert info == ComponentInfo(
        package="janus.plugin.echotest", name="JANUS EchoTest plugin", version=8
    )
    assert ComponentInfo.from_json("x", "not an object") == ComponentInfo(package="x")


def test_status_info_flags_are_on_only_for_true() -> None:
    status = {
        "token_auth": True,
        "log_timestamps": 1,
        "log_colors": "true",
        "libnice_debug": True,
        "session_timeout": 60,
        "log_level": True,
        "nack-optimizations": True,
        "nack_optimizations": False,
    }
    info = StatusInfo.from_json(status)
    assert (info.token_auth, info.log_timestamps, info.log_colors) == (True, False, False)
    assert (info.locking_debug, info.libnice_debug, info.nack_optimizations) == (False, True, True)
    assert (info.session_timeout, info.log_level, info.min_nack_queue) == (60, None, None)
    assert info.raw == status
    assert StatusInfo.from_json({"nack_optimizations": True}).nack_optimizations is True
