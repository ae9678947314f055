"""nbgrad.lessons.plot.paths: optimizers' routes over the landscape of a loss, as SVG text
whose summary states where each route went."""

from __future__ import annotations

import re

import pytest

from nbgrad.lessons import plot


def bowl(a: float, b: float) -> float:
    return a ** 2 + 10 * b ** 2


ROUTES = {"one": [(-2.0, 1.0), (-1.0, -0.5), (0.0, 0.0)], "two": [(-2.0, 1.0), (-1.5, 0.5)]}


def test_the_summary_states_each_route_s_end_and_value() -> None:
    p = plot.paths(bowl, ROUTES, (-2.5, 0.5), (-1.2, 1.2), title="two routes")
    assert repr(p) == ("<Plot: one 2 steps from (-2.00, 1.00) to (0, 0), f = 0; "
                       "two 1 steps from (-2.00, 1.00) to (-1.5, 0.5), f = 4.75>")


def test_the_picture_has_the_routes_a_start_marker_and_the_landscape() -> None:
    svg = plot.paths(bowl, ROUTES, (-2.5, 0.5), (-1.2, 1.2)).svg
    assert svg.count("<polyline") == 2
    assert svg.count('r="4.5"') == 2  # one hollow start circle per route
    assert svg.count('r="2"') == 3  # a dot at every point after the start
    assert len(re.findall(r'<rect [^>]*fill="#', svg)) >= 52 * 30  # the shaded grid
    assert 'clip-path="url(#frame)"' in svg  # a route that leaves the frame is cut off
    # darkest where the function is lowest: the grid cell at the minimum has the first band
    assert plot._LEVELS[0] in svg and plot._LEVELS[-1] in svg


def test_the_same_input_gives_the_same_svg() -> None:
    assert (plot.paths(bowl, ROUTES, (-2.5, 0.5), (-1.2, 1.2)).svg
            == plot.paths(bowl, ROUTES, (-2.5, 0.5), (-1.2, 1.2)).svg)


@pytest.mark.parametrize("routes", [{}, {"empty": []}])
def test_routes_must_have_points(routes) -> None:
    with pytest.raises(ValueError, match="at least one route"):
        plot.paths(bowl, routes, (-1, 1), (-1, 1))
