"""Shared Hypothesis set-up for the property tests (``@pytest.mark.property``).

Every property test runs under the ``janus-ci`` profile (derandomized, no example
database, fixed budget), so a run is reproducible and its cost is known in advance.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from janus_client.protocol import MessageKind
from janus_client.testing import FakeJanus

ECHO = "janus.plugin.echotest"

settings.register_profile(
    "janus-ci",
    derandomize=True,
    deadline=None,
    max_examples=250,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CI = settings.get_profile("janus-ci")
#: Examples that each need network round trips to the fake Janus.
LIVE = settings(CI, max_examples=30)
#: Cheap checks against a live fake (no round trip unless a bug sends one).
ARGS = settings(CI, max_examples=120)

# Text that every transport can carry: no lone surrogates (not encodable as UTF-8).
safe_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | safe_text
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(safe_text, children, max_size=5)
    ),
    max_leaves=25,
)
# Any value json.dumps accepts, NaN and infinities included (Janus never sends them,
# but a broken peer might; Python's json reads them back).
json_values_nan = st.recursive(
    json_scalars | st.floats(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(safe_text, children, max_size=4)
    ),
    max_leaves=15,
)
KIND_VALUES = frozenset(k.value for k in MessageKind)
kinds = st.sampled_from(sorted(KIND_VALUES - {"unknown"}))
janus_field = kinds | safe_text


not_a_mapping = (
    st.integers()
    | st.floats(allow_nan=False)
    | safe_text
    | st.binary(max_size=8)
    | st.lists(st.integers(), max_size=3)
    | st.booleans()
    | st.tuples(st.integers(), st.integers())
)
not_a_string = (
    st.integers()
    | st.floats(allow_nan=False)
    | st.binary(max_size=8)
    | st.booleans()
    | st.lists(safe_text, max_size=2)
    | st.dictionaries(safe_text, st.integers(), max_size=2)
)
# NaN is left out: see test_nan_timeout_is_rejected.
bad_timeout = (
    safe_text
    | st.booleans()
    | st.binary(max_size=4)
    | st.lists(st.integers(), max_size=2)
    | st.integers(max_value=0)
    | st.floats(max_value=0, allow_nan=False)
)


def sent(fake: FakeJanus) -> int:
    return sum(1 for r in fake.requests if r.get("janus") != "keepalive")
