"""The (time, cost) Pareto set and the recommendation rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from spicetrader.planner.ranking import Point, dominates, pareto_front


def test_pareto_front_hand_example() -> None:
    points = [
        Point("fast-dear", 1.0, 100.0),
        Point("slow-cheap", 10.0, 10.0),
        Point("middle", 5.0, 50.0),
        Point("dominated", 6.0, 60.0),  # worse than middle in both
        Point("tie-slow", 10.0, 20.0),  # as slow as slow-cheap but dearer
    ]
    assert pareto_front(points) == ("fast-dear", "middle", "slow-cheap")


def test_pareto_keeps_exact_ties_and_handles_empty() -> None:
    assert pareto_front([]) == ()
    assert pareto_front([Point("a", 2.0, 3.0), Point("b", 2.0, 3.0)]) == ("a", "b")


points_strategy = st.lists(
    st.builds(
        Point,
        id=st.uuids().map(str),
        time=st.floats(0.01, 1e4),
        cost_usd=st.floats(0, 1e6),
    ),
    max_size=40,
)


@given(points_strategy)
def test_pareto_members_are_not_dominated_and_the_rest_are(points: list[Point]) -> None:
    front = set(pareto_front(points))
    for p in points:
        dominated = any(dominates(q, p) for q in points)
        assert (p.id in front) == (not dominated)
