"""``quotasim validate``: every report's pattern holds at reduced size, and the judge can say no."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from quotasim import builtin_names
from quotasim.cli import app
from quotasim.validation import CHECKS
from quotasim.validation.stats import estimate


def test_validate_passes_every_check_at_reduced_size():
    result = CliRunner().invoke(app, ["validate", "--size", "reduced", "--replications", "20", "--workers", "2", "--json"])
    data = json.loads(result.output)
    failed = [c["id"] for c in data["checks"] if not c["passed"]]
    assert result.exit_code == 0 and data["passed"], f"failed: {failed}, analytic: {data['analytic']}"
    reports = {c["report"] for c in data["checks"]}
    assert reports == {f"seed 00{i}" for i in range(5)}, "every report has at least one check"
    for check in data["checks"]:
        assert check["replications"] == 20 and check["ci_low"] <= check["mean"] <= check["ci_high"]
        beyond = check["ci_low"] > check["threshold"] if check["passes_when"] == "above" else check["ci_high"] < check["threshold"]
        assert beyond, check["id"]
    assert data["analytic"]["points"] >= 25 and data["analytic"]["passed"]


def test_every_check_is_explained_and_runs_a_built_in_scenario():
    names = set(builtin_names())
    assert len({c.id for c in CHECKS}) == len(CHECKS)
    for check in CHECKS:
        assert check.scenario in names, check.id
        assert check.claim and check.statistic and len(check.why) > 40, check.id


def test_a_check_fails_when_its_interval_straddles_the_threshold():
    check = next(c for c in CHECKS if c.counterfactual)     # a paired check: same run twice gives zero
    assert not check.passes(-0.01, 0.01)
    assert check.passes(check.threshold + 0.01, check.threshold + 0.02) == check.above


def test_interval_is_the_student_t_interval():
    values = np.array([0.2, 0.5, 0.4, 0.9, 0.3, 0.6])
    result = estimate(values)
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    assert result.mean == pytest.approx(values.mean())
    assert (result.low, result.high) == pytest.approx((low, high))
    assert estimate([np.nan, 1.0, 1.0]).n == 2
