"""The status line's headline numbers: W1 is never shown without its floor."""

import math

from ganlab.app.views.status_line import headline_metrics


def test_w1_is_shown_beside_what_a_perfect_generator_reads():
    metrics = {"modes_covered": 24, "total_modes": 25, "high_quality_fraction": 0.9,
               "js": 0.05, "w1": 0.312, "w1_floor": 0.254}
    assert headline_metrics(metrics) == "modes 24/25 · HQ 90% · JS 0.05 · W1 0.312 (perfect: 0.25)"
    assert headline_metrics({**metrics, "w1_floor": None}).endswith("W1 0.312")
    assert headline_metrics({"js": 0.1, "w1": math.inf, "w1_floor": 0.2}) == "JS 0.1"
