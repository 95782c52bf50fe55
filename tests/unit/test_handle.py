"""Unit tests for janus_client.handle: every bad argument is refused, naming it, before
anything is sent."""

from __future__ import annotations

from typing import Any

import pytest
from _strategies import ARGS, bad_timeout, not_a_mapping, not_a_string, safe_text, sent
from hypothesis import given
from hypothesis import strategies as st


@ARGS
@given(data=st.data())
@pytest.mark.property
async def test_handle_send_rejects_bad_arguments(live: Any, data: st.DataObject) -> None:
    fake, session, handle = live
    arg = data.draw(st.sampled_from(["body", "jsep", "wait", "timeout"]))
    kwargs: dict[str, Any] = {"body": {"audio": True}}
    if arg == "body":
        kwargs["body"] = data.draw(not_a_mapping | st.none())
    elif arg == "jsep":
        kwargs["jsep"] = data.draw(not_a_mapping)
    elif arg == "wait":
        kwargs["wait"] = data.draw(
            not_a_string | safe_text.filter(lambda s: s not in ("event", "ack"))
        )
    else:
        kwargs["timeout"] = data.draw(bad_timeout)
    before = sent(fake)
    with pytest.raises((TypeError, ValueError)) as info:
        await handle.send(**kwargs)
    assert arg in str(info.value), str(info.value)
    assert sent(fake) == before
    assert session.transport.pending_count == 0


@ARGS
@given(data=st.data())
@pytest.mark.property
async def test_handle_trickle_rejects_bad_arguments(live: Any, data: st.DataObject) -> None:
    fake, _, handle = live
    case = data.draw(st.sampled_from(["candidate", "candidates", "none", "several", "timeout"]))
    kwargs: dict[str, Any]
    name = "candidate"
    if case == "candidate":
        kwargs = {"candidate": data.draw(not_a_mapping)}
    elif case == "candidates":
        good = st.fixed_dictionaries({"candidate": safe_text, "sdpMLineIndex": st.integers()})
        items = data.draw(
            st.lists(good | not_a_mapping, min_size=1, max_size=4).filter(
                lambda xs: any(not isinstance(x, dict) for x in xs)
            )
        )
        kwargs = {"candidates": items}
        bad_at = next(i for i, x in enumerate(items) if not isinstance(x, dict))
        name = f"candidates[{bad_at}]"
    elif case == "none":
        kwargs = {}
    elif case == "several":
        kwargs = data.draw(
            st.sampled_from(
                [
                    {"candidate": {"candidate": "c"}, "completed": True},
                    {"candidates": [], "completed": True},
                    {"candidate": {"candidate": "c"}, "candidates": [{"candidate": "d"}]},
                ]
            )
        )
    else:
        kwargs = {"completed": True, "timeout": data.draw(bad_timeout)}
        name = "timeout"
    before = sent(fake)
    with pytest.raises((TypeError, ValueError)) as info:
        await handle.trickle(**kwargs)
    assert name in str(info.value), str(info.value)
    assert sent(fake) == before


@pytest.mark.property
async def test_trickle_non_iterable_candidates_names_the_argument(live: Any) -> None:
    _, _, handle = live
    with pytest.raises(TypeError, match="candidates"):
        await handle.trickle(candidates=5)  # type: ignore[arg-type]
