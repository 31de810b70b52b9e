"""Statistics the checks read off a run's tables: one small function each."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import month_text

__all__ = ["monthly", "reviews", "officials", "period_rows", "share", "ABROAD"]

ABROAD = ("border_city", "big_chinese_city", "russia", "third_country")


def monthly(run) -> pd.DataFrame:
    """The monthly table indexed by ``YYYY-MM`` labels (the checks slice it by month)."""
    frame = run.monthly.to_pandas()
    return frame.set_index(frame["date"].map(month_text).rename("date")).drop(columns="date")


def reviews(run) -> pd.DataFrame:
    frame = run.reviews.to_pandas()
    for column in ("tier", "affiliation"):
        frame[column] = frame[column].astype(str)
    return frame


def officials(run) -> pd.DataFrame:
    frame = run.officials.to_pandas()
    for column in ("role", "post", "route", "status"):
        frame[column] = frame[column].astype(str)
    return frame


def period_rows(run, period: str) -> pd.DataFrame:
    """One review's rows, indexed by company."""
    frame = reviews(run)
    rows = frame[frame["period"] == period]
    if rows.empty:
        raise ValueError(f"no review {period} in scenario {run.scenario.name!r}")
    return rows.set_index("company_id")


def share(mask) -> float:
    mask = np.asarray(mask, bool)
    return float(mask.mean()) if len(mask) else float("nan")
