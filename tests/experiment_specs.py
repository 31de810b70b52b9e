"""Small experiment specs for the tests: tiny populations, few months, so a run takes milliseconds."""

from __future__ import annotations

from pathlib import Path

import tomli_w

TINY_POPULATION = {"population.n_companies": 3, "population.n_trade_officials": 20, "population.n_overseas_workers": 10}


def spec_dict(**changes) -> dict:
    """A valid Latin-hypercube spec over three kinds of parameter (float range, int range, list)."""
    spec = {
        "name": "test-lhs",
        "scenario": "baseline",
        "months": 6,
        "seed": 11,
        "replications": 2,
        "set": dict(TINY_POPULATION),
        "design": {"method": "lhs", "samples": 5},
        "parameters": {
            "ratchet.up_rate": {"low": 0.1, "high": 0.9},
            "population.n_trade_officials": {"low": 10, "high": 30},
            "behaviour.rule": {"values": ["fixed", "adaptive"]},
        },
        "outputs": {"monthly": ["remitted_usd", "state_receipts_usd", "earned_usd", "officials_active"]},
    }
    spec.update(changes)
    return spec


def write_spec(folder: Path, data: dict, name: str = "spec.toml") -> Path:
    path = folder / name
    path.write_text(tomli_w.dumps(data))
    return path
