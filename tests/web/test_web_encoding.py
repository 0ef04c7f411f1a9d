"""Results with a non-finite number still make valid JSON (the number becomes null)."""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from spicetrader.web.encoding import finite_or_null, result_response

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


def test_infinite_hours_become_null() -> None:
    response = result_response({"hours": math.inf, "cost_usd": 3.0, "x": [math.nan, 1.5]})
    assert json.loads(response.body) == {"hours": None, "cost_usd": 3.0, "x": [None, 1.5]}


@given(json_like)
def test_any_result_serialises_and_finite_values_survive(data: object) -> None:
    body = json.loads(result_response(data).body)
    assert body == finite_or_null(data)
    if json.dumps(data) == json.dumps(finite_or_null(data)):  # nothing non-finite inside
        assert body == json.loads(json.dumps(data))
