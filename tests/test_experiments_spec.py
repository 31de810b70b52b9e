"""Experiment specs: bad input gets located errors; designs have the right size and bounds."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from experiment_specs import spec_dict, write_spec
from typer.testing import CliRunner

from quotasim import ScenarioError
from quotasim.cli import app
from quotasim.experiments.design import build_design, n_points
from quotasim.experiments.spec import load_spec
from quotasim.experiments.worker import run_seed
from quotasim.seeds import replication_seed, replication_seeds

BAD = [
    # (what is wrong, change to the valid spec, field named, phrase of what is allowed)
    ("unknown parameter", {"parameters": {"ratchet.up_rat": {"low": 0.1, "high": 0.5}}},
     "parameters.ratchet.up_rat", "unknown parameter"),
    ("unknown mechanism", {"parameters": {"ratchett.up_rate": {"low": 0.1, "high": 0.5}}},
     "parameters.ratchett.up_rate", "unknown parameter"),
    ("range outside the parameter's bounds", {"parameters": {"ratchet.up_rate": {"low": 0.1, "high": 1.5}}},
     "parameters.ratchet.up_rate.high", "less than or equal to 1"),
    ("low above high", {"parameters": {"ratchet.up_rate": {"low": 0.8, "high": 0.2}}},
     "parameters.ratchet.up_rate", "low must be finite and below high"),
    ("range and values", {"parameters": {"ratchet.up_rate": {"low": 0.1, "high": 0.5, "values": [0.2]}}},
     "parameters.ratchet.up_rate", "either low and high"),
    ("range over a choice", {"parameters": {"behaviour.rule": {"low": 0, "high": 1}}},
     "parameters.behaviour.rule", "give values"),
    ("bad value in a list", {"parameters": {"behaviour.rule": {"values": ["fixed", "greedy"]}}},
     "parameters.behaviour.rule.values[1]", "'fixed', 'adaptive' or 'forward'"),
    ("fractional range of an integer", {"parameters": {"population.n_companies": {"low": 2.5, "high": 6}}},
     "parameters.population.n_companies.low", "whole numbers"),
    ("a table, not a parameter", {"parameters": {"ratchet": {"values": [1, 2]}}},
     "parameters.ratchet", "is a table"),
    ("unknown design", {"design": {"method": "random", "samples": 4}}, "design", "'grid', 'lhs', 'sobol', 'morris'"),
    ("Sobol' samples not a power of two", {"design": {"method": "sobol", "samples": 100}},
     "design.sobol", "power of two"),
    ("odd Morris levels", {"design": {"method": "morris", "trajectories": 4, "levels": 5}}, "design.morris", "even"),
    ("no replications", {"replications": 0}, "replications", "greater than or equal to 1"),
    ("unknown output", {"outputs": {"monthly": ["remitted"]}}, "outputs", "unknown monthly column"),
    ("bad fixed override", {"set": {"ratchet.up_rate": 3.0}}, "set.ratchet.up_rate", "less than or equal to 1"),
    ("unknown spec field", {"replicatons": 3}, "replicatons", "unknown field"),
    ("too many runs", {"max_runs": 7}, "max_runs", "5 points x 2 replications = 10 runs"),
]


@pytest.mark.parametrize("kind, change, field, allowed", BAD, ids=[case[0] for case in BAD])
def test_bad_spec_is_located(tmp_path, kind, change, field, allowed):
    path = write_spec(tmp_path, spec_dict(**change))
    with pytest.raises(ScenarioError) as caught:
        load_spec(path)
    file, named, _value, message = caught.value.problems[0]
    assert file == str(path)
    assert named.startswith(field), caught.value
    assert allowed in message, caught.value


def test_bad_spec_on_the_command_line_exits_2_without_traceback(tmp_path):
    path = write_spec(tmp_path, spec_dict(parameters={"ratchet.up_rat": {"low": 0.1, "high": 0.5}}))
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "parameters.ratchet.up_rat" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_dotted_toml_keys_and_quoted_keys_are_the_same_parameter(tmp_path):
    head = 'name = "t"\nmonths = 6\n[design]\nmethod = "lhs"\nsamples = 4\n[parameters]\n'
    quoted = tmp_path / "quoted.toml"
    quoted.write_text(head + '"ratchet.up_rate" = { low = 0.1, high = 0.9 }\n')
    dotted = tmp_path / "dotted.toml"
    dotted.write_text(head + "ratchet.up_rate = { low = 0.1, high = 0.9 }\n")
    assert load_spec(dotted).names == ("ratchet.up_rate",)
    assert load_spec(dotted).fingerprint() == load_spec(quoted).fingerprint()


@pytest.mark.parametrize("design, expected", [
    ({"method": "lhs", "samples": 7}, 7),
    ({"method": "grid", "levels": 3}, 3 * 3 * 2),           # float range 3 levels, int range 3 levels, 2 values
    ({"method": "sobol", "samples": 8}, 8 * (3 + 2)),
    ({"method": "sobol", "samples": 8, "second_order": True}, 8 * (2 * 3 + 2)),
    ({"method": "morris", "trajectories": 4}, 4 * (3 + 1)),
])
def test_design_sizes_and_bounds(design, expected):
    spec = load_spec(spec_dict(design=design))
    drawn = build_design(spec)
    assert n_points(spec) == len(drawn) == expected
    values = [drawn.values(i) for i in range(len(drawn))]
    rates = np.array([v["ratchet.up_rate"] for v in values])
    counts = np.array([v["population.n_trade_officials"] for v in values])
    assert rates.min() >= 0.1 and rates.max() <= 0.9
    assert counts.dtype.kind == "i" and counts.min() >= 10 and counts.max() <= 30
    assert {v["behaviour.rule"] for v in values} <= {"fixed", "adaptive"}
    # Same spec, same points.
    assert np.array_equal(build_design(spec).X, drawn.X)


def test_latin_hypercube_hits_every_stratum_once():
    spec = load_spec(spec_dict(design={"method": "lhs", "samples": 50}))
    drawn = build_design(spec)
    low, high = 0.1, 0.9
    strata = np.floor((drawn.X[:, 0] - low) / (high - low) * 50).astype(int)
    assert sorted(strata) == list(range(50))


def test_grid_holds_every_combination():
    spec = load_spec(spec_dict(design={"method": "grid", "levels": 2}))
    drawn = build_design(spec)
    combos = {tuple(drawn.values(i).values()) for i in range(len(drawn))}
    assert combos == {(r, n, b) for r in (0.1, 0.9) for n in (10, 30) for b in ("fixed", "adaptive")}


def test_run_seeds_are_replications_of_the_spec_seed():
    # Every run its own seed: run k (point-major) is replication k of the spec's seed, and
    # point 0's replications are the scenario's own replications.
    seeds = [run_seed(11, p, r, 3, False) for p in range(20) for r in range(3)]
    assert seeds == replication_seeds(11, 60) and len(set(seeds)) == 60
    assert [run_seed(11, 0, r, 3, False) for r in range(3)] == [replication_seed(11, r) for r in range(3)]
    assert run_seed(11, 4, 1, 3, False) != run_seed(12, 4, 1, 3, False)
    # Common random numbers: replication r of every point is replication r of the spec's seed.
    assert run_seed(11, 0, 1, 3, True) == run_seed(11, 9, 1, 3, True) == replication_seed(11, 1)
    assert run_seed(11, 9, 1, 3, True) != run_seed(11, 9, 2, 3, True)


ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name, runs", [("lhs-baseline.toml", 1000), ("sobol-baseline.toml", 1280)])
def test_shipped_specs_are_valid(name, runs):
    spec = load_spec(ROOT / "experiments" / name)
    assert n_points(spec) * spec.replications == runs and len(spec.parameters) == 8
    assert spec.base.population.n_trade_officials == 1000 and spec.base.months == 120


def test_the_spec_in_the_docs_is_valid():
    import re
    text = (ROOT / "docs" / "experiments.md").read_text()
    block = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    spec = load_spec(__import__("tomllib").loads(block))
    assert spec.names == ("ratchet.up_rate", "population.n_companies", "behaviour.rule", "environment.border_closed")
    assert n_points(spec) == 200


def test_designs_know_nothing_of_specs():
    """No spec <-> design cycle: each design method sizes and draws itself from the varied parameters."""
    code = "import sys, quotasim.experiments.design; sys.exit('quotasim.experiments.spec' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
