"""Unit tests for janus_client.config."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest
from _strategies import CI, safe_text
from hypothesis import given
from hypothesis import strategies as st

from janus_client import ReconnectPolicy, Timeouts

FIELDS = ("connect", "request", "close", "keepalive", "long_poll")


def test_defaults() -> None:
    t = Timeouts()
    assert t.connect == 10.0
    assert t.request == 15.0
    assert t.close == 5.0
    assert t.keepalive == 25.0
    assert t.long_poll == 45.0
    # an idle long-poll is answered by Janus after ~30 s
    assert t.long_poll > 30
    # keepalives must come before Janus' default 60 s session timeout
    assert t.keepalive < 60


def test_fields() -> None:
    assert tuple(f.name for f in dataclasses.fields(Timeouts)) == FIELDS


def test_custom_values_ints_and_floats() -> None:
    t = Timeouts(connect=1, request=0.5, close=2, keepalive=3.5, long_poll=40)
    assert (t.connect, t.request, t.close, t.keepalive, t.long_poll) == (1, 0.5, 2, 3.5, 40)


def test_frozen() -> None:
    t = Timeouts()
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.request = 1.0  # type: ignore[misc]


def test_replace_validates() -> None:
    t = dataclasses.replace(Timeouts(), request=2.0)
    assert t.request == 2.0
    with pytest.raises(ValueError, match=r"Timeouts\.request"):
        dataclasses.replace(t, request=0)


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", [0, 0.0, -1, -0.001, True, False, "10", None, [1]], ids=repr)
def test_invalid_values_rejected_with_field_name(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=rf"Timeouts\.{field}\b") as info:
        Timeouts(**{field: value})
    assert repr(value) in str(info.value)
    assert "positive" in str(info.value)


@pytest.mark.parametrize("field", FIELDS)
def test_nan_rejected(field: str) -> None:
    # NaN is not a positive number of seconds; as a deadline it would never fire sensibly.
    with pytest.raises(ValueError, match=rf"Timeouts\.{field}\b"):
        Timeouts(**{field: float("nan")})


def test_equality() -> None:
    assert Timeouts() == Timeouts()
    assert Timeouts(request=1) != Timeouts()


bad_number = (
    safe_text
    | st.booleans()
    | st.none()
    | st.lists(st.integers(), max_size=2)
    | st.integers(max_value=0)
    | st.floats(max_value=0)
    | st.just(math.inf)
    | st.just(-math.inf)
    | st.just(math.nan)
)


@CI
@given(
    name=st.sampled_from(["connect", "request", "close", "keepalive", "long_poll"]),
    value=bad_number,
)
@pytest.mark.property
def test_timeouts_reject_bad_values(name: str, value: Any) -> None:
    with pytest.raises(ValueError, match=f"Timeouts.{name}"):
        Timeouts(**{name: value})


@CI
@given(
    name=st.sampled_from(
        ["attempts", "initial_delay", "max_delay", "multiplier", "jitter", "deadline"]
    ),
    value=safe_text
    | st.booleans()
    | st.lists(st.integers(), max_size=1)
    | st.just(math.nan)
    | st.just(math.inf)
    | st.integers(max_value=-1)
    | st.floats(max_value=-0.001),
)
@pytest.mark.property
def test_reconnect_policy_rejects_bad_values(name: str, value: Any) -> None:
    with pytest.raises(ValueError, match="ReconnectPolicy"):
        ReconnectPolicy(**{name: value})
