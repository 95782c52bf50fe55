"""Unit tests for janus_client.session: every bad argument is refused, naming it, before
anything is sent."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

import pytest
from _strategies import ARGS, ECHO, bad_timeout, not_a_mapping, not_a_string, safe_text, sent
from hypothesis import given
from hypothesis import strategies as st

from janus_client import JanusSession, SessionState
from janus_client.testing import FakeJanus


def _scheme(url: str) -> str:
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return ""


@ARGS
@given(data=st.data())
@pytest.mark.property
async def test_session_constructor_rejects_bad_arguments(
    fake_janus: FakeJanus, data: st.DataObject
) -> None:
    good: dict[str, Any] = {"base_url": fake_janus.ws_url}
    arg = data.draw(
        st.sampled_from(
            ["base_url", "api_secret", "token", "transport", "timeouts", "ssl", "reconnect"]
        )
    )
    names: tuple[str, ...] = (arg,)
    if arg == "base_url":
        value = data.draw(
            not_a_string
            | st.none()
            | safe_text.filter(lambda s: _scheme(s) not in ("ws", "wss", "http", "https"))
        )
        names = ("base_url", "URL scheme")
    elif arg in ("api_secret", "token"):
        value = data.draw(not_a_string)
    elif arg == "transport":
        value = data.draw(not_a_string | safe_text)
    else:
        value = data.draw(not_a_string | safe_text)
    kwargs = {**good, arg: value}
    before = sent(fake_janus)
    with pytest.raises((TypeError, ValueError)) as info:
        JanusSession(**kwargs)
    assert any(name in str(info.value) for name in names), str(info.value)
    assert sent(fake_janus) == before


@ARGS
@given(
    value=st.floats()
    | st.booleans()
    | safe_text
    | st.binary(max_size=4)
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(safe_text, st.integers())
)
@pytest.mark.property
async def test_claim_rejects_a_bad_session_id(live: Any, value: Any) -> None:
    fake, session, _ = live
    before = sent(fake)
    with pytest.raises((TypeError, ValueError), match="session_id"):
        await session.claim(session_id=value)
    assert sent(fake) == before
    assert session.state is SessionState.ACTIVE


@ARGS
@given(data=st.data())
@pytest.mark.property
async def test_attach_rejects_bad_arguments(live: Any, data: st.DataObject) -> None:
    fake, session, _ = live
    arg = data.draw(st.sampled_from(["plugin", "opaque_id", "timeout"]))
    kwargs: dict[str, Any] = {"plugin": ECHO}
    if arg == "plugin":
        kwargs["plugin"] = data.draw(not_a_string | st.just("") | st.none())
    elif arg == "opaque_id":
        kwargs["opaque_id"] = data.draw(not_a_string)
    else:
        kwargs["timeout"] = data.draw(bad_timeout)
    before = sent(fake)
    handles = dict(session.handles)
    with pytest.raises((TypeError, ValueError)) as info:
        await session.attach(**kwargs)
    assert arg in str(info.value), str(info.value)
    assert sent(fake) == before
    assert session.handles == handles


@ARGS
@given(
    call=st.sampled_from(["ping", "info", "keepalive", "hangup", "request", "send_raw_message"]),
    timeout=bad_timeout,
)
@pytest.mark.property
async def test_request_methods_reject_a_bad_timeout(live: Any, call: str, timeout: Any) -> None:
    fake, session, handle = live
    calls = {
        "ping": lambda: session.ping(timeout=timeout),
        "info": lambda: session.info(timeout=timeout),
        "keepalive": lambda: session.keepalive(timeout=timeout),
        "hangup": lambda: handle.hangup(timeout=timeout),
        "request": lambda: handle.request({"audio": True}, timeout=timeout),
        "send_raw_message": lambda: session.send({"janus": "keepalive"}, timeout=timeout),
    }
    before = sent(fake)
    # TypeError for a value that is not a number, ValueError for a bad number.
    with pytest.raises((TypeError, ValueError), match="timeout"):
        await calls[call]()
    assert sent(fake) == before
    assert session.transport.pending_count == 0


@ARGS
@given(
    message=not_a_mapping
    | st.none()
    | st.dictionaries(safe_text, st.integers(), max_size=2).filter(
        lambda d: not isinstance(d.get("janus"), str)
    )
)
@pytest.mark.property
async def test_session_send_rejects_a_bad_message(live: Any, message: Any) -> None:
    fake, session, _ = live
    before = sent(fake)
    with pytest.raises((TypeError, ValueError), match="message"):
        await session.send(message)
    assert sent(fake) == before


@pytest.mark.property
async def test_nan_timeout_is_rejected(live: Any) -> None:
    fake, session, _ = live
    before = sent(fake)
    with pytest.raises(ValueError, match="timeout"):
        await session.ping(timeout=math.nan)
    assert sent(fake) == before


@pytest.mark.parametrize("what", ["detach", "destroy"])
@pytest.mark.property
async def test_close_with_a_bad_timeout_changes_nothing(live: Any, what: str) -> None:
    fake, session, handle = live
    before = sent(fake)
    close = handle.detach if what == "detach" else session.destroy
    with pytest.raises((TypeError, ValueError), match="timeout"):
        await close(timeout="soon")
    assert sent(fake) == before
    assert not handle.closed
    assert session.state is SessionState.ACTIVE
