"""Headline figures of one run, comparable across scenarios of different lengths.

Money and event counts are per year (a 30-month scenario and a 120-month one compare on
the same footing); attainment and officials in post are as ``RunResult.summary`` gives them.
Tier rows come from the reviews: what each tier of company earned and remitted per year,
and its median attainment — who gains and who pays under decentralisation (M25–M28).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import TIER_NAMES
from ..columns import MONTHLY
from ..results import SUMMED, RunResult

__all__ = ["headline", "FLOWS", "COUNTS", "LEVELS"]

#: The run summary's totals (``quotasim.columns``: ``summary``), money first, then counts.
FLOWS = tuple(name for name in SUMMED if MONTHLY[name].type == "float")
COUNTS = tuple(name for name in SUMMED if MONTHLY[name].type == "int")
LEVELS = ("officials_active_end", "median_attainment", "share_companies_at_target")


def headline(run: RunResult) -> dict[str, float]:
    """Name -> value; names of flows and counts end in ``per year``."""
    summary = run.summary()
    years = max(run.monthly.num_rows, 1) / 12
    figures = {f"{name} per year": summary[name] / years for name in FLOWS + COUNTS}
    figures.update({name: float(summary[name]) for name in LEVELS})
    figures.update(_tiers(run.reviews.to_pandas(), years))
    return figures


def _tiers(reviews: pd.DataFrame, years: float) -> dict[str, float]:
    if reviews.empty:
        return {}
    reviews = reviews.assign(tier=reviews["tier"].astype(str))
    grouped = reviews.groupby("tier", observed=True)
    figures = {}
    for tier in TIER_NAMES:
        if tier not in grouped.groups:
            continue
        rows = grouped.get_group(tier)
        figures[f"earned_usd per year · {tier}"] = float(rows["earned_usd"].sum()) / years
        figures[f"remitted_usd per year · {tier}"] = float(rows["remitted_usd"].sum()) / years
        figures[f"median_attainment · {tier}"] = float(np.median(rows["attainment"]))
    return figures
