"""The model's state: tables of agents held as NumPy arrays, one array per attribute.

No Python object per agent. A :class:`Table` keeps its columns with spare capacity and
grows by doubling when rows are appended (it never truncates); ``table.column`` is a view
of the ``n`` live rows, so phases write through it in place.

Codes used across the model (small integers so that arrays stay compact):
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Table", "State", "Flows", "STATUS_NAMES", "ROUTE_NAMES", "POST_NAMES", "TIER_NAMES",
           "AFFILIATION_NAMES", "ROLE_NAMES", "POST_ROUTE", "ABROAD_POSTS"]

# statuses: every official is in exactly one
ACTIVE, RECALLED, ARRESTED, DEFECTED, GAVE_UP = range(5)
STATUS_NAMES = ("active", "recalled", "arrested", "defected", "gave_up")
# where money is earned
CHINA, RUSSIA, THIRD, DOMESTIC = range(4)
ROUTE_NAMES = ("china", "russia", "third", "domestic")
FOREIGN_ROUTES = (CHINA, RUSSIA, THIRD)
# posts (M16)
PYONGYANG, PROVINCE, BORDER_CITY, BIG_CITY, RUSSIA_POST, THIRD_POST = range(6)
POST_NAMES = ("pyongyang", "province", "border_city", "big_chinese_city", "russia", "third_country")
POST_ROUTE = np.array([CHINA, DOMESTIC, CHINA, CHINA, RUSSIA, THIRD], dtype=np.int8)
ABROAD_POSTS = np.array([False, False, True, True, True, True])
# roles
TRADER, WORKER = range(2)
ROLE_NAMES = ("trade_official", "overseas_worker")
# company tiers (M25, M28) and affiliations (M17, M30)
CENTRAL, PROVINCIAL, CITY, LOWER = range(4)
TIER_NAMES = ("central", "provincial", "city", "lower")
ARMY, SECURITY, MINISTRY, FUND_OFFICE = range(4)
AFFILIATION_NAMES = ("army", "state_security", "ministry", "party_fund_office")
# pipeline stages (M18)
N_STAGES = 4
STAGE_NAMES = ("central_party", "feasibility_review", "planning_licence", "customs_quarantine")

OFFICIAL_COLUMNS: dict[str, Any] = {
    "company": np.int32, "role": np.int8, "post": np.int8, "route": np.int8, "status": np.int8,
    "skill": np.float32, "effort": np.float32, "effort_in_force": np.float32,
    "pressure": np.float32, "fear": np.float32, "family_at_home": np.bool_,
    "wealth_usd": np.float64, "visibility_usd": np.float64, "capacity_usd": np.float64,
    "target_usd": np.float64, "half_remitted_usd": np.float64, "half_kept_usd": np.float64,
    "half_own_pocket_usd": np.float64, "attainment": np.float32,
    "patron": np.int32, "n_relatives": np.int16,
    "tenure_months": np.int16, "dispatched_month": np.int16, "exit_month": np.int16,
    "replaced": np.bool_, "domestic_duty": np.bool_, "resigned": np.bool_,
}
COMPANY_COLUMNS: dict[str, Any] = {
    "tier": np.int8, "affiliation": np.int8, "quota_usd": np.float64, "headcount": np.int32,
    "n_joint_ventures": np.int16, "half_earned_usd": np.float64, "half_kept_usd": np.float64,
}
DEAL_COLUMNS: dict[str, Any] = {
    "official": np.int32, "company": np.int32, "route": np.int8, "value_usd": np.float64,
    "stage": np.int8, "required": np.int8, "age_months": np.int16,
}


class Table:
    """Equal-length columns with spare capacity.

    Parameters
    ----------
    columns : dict of name -> dtype
    capacity : int
        Rows allocated up front; :meth:`append` doubles it when full.
    """

    def __init__(self, columns: dict[str, Any], capacity: int = 16) -> None:
        self._dtypes = dict(columns)
        self._data = {name: np.zeros(max(capacity, 1), dtype) for name, dtype in columns.items()}
        self.n = 0

    def __getattr__(self, name: str) -> np.ndarray:
        data = self.__dict__.get("_data")
        if data is None or name not in data:
            raise AttributeError(name)
        return data[name][: self.__dict__["n"]]

    def __setattr__(self, name: str, value: Any) -> None:
        # ``table.col *= x`` updates the view in place and then assigns it back: keep the
        # column, never shadow it with an attribute; a plain assignment writes the values.
        data = self.__dict__.get("_data")
        if data is not None and name in data:
            column = data[name]
            if not (isinstance(value, np.ndarray) and value.base is column):
                column[: self.n] = value
            return
        super().__setattr__(name, value)

    @property
    def columns(self) -> list[str]:
        return list(self._dtypes)

    @property
    def capacity(self) -> int:
        return len(next(iter(self._data.values())))

    def append(self, n_new: int, **values: Any) -> slice:
        """Add ``n_new`` rows (zeros unless given) and return the slice they occupy."""
        self._reserve(self.n + n_new)
        rows = slice(self.n, self.n + n_new)
        for name, column in self._data.items():
            column[rows] = values.get(name, 0)
        unknown = set(values) - set(self._data)
        if unknown:
            raise KeyError(f"unknown columns {sorted(unknown)}")
        self.n += n_new
        return rows

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where ``mask`` is true, in order (compaction)."""
        n_keep = int(mask.sum())
        for name, column in self._data.items():
            column[:n_keep] = column[: self.n][mask]
        self.n = n_keep

    def nbytes(self) -> int:
        return sum(column.nbytes for column in self._data.values())

    def to_dict(self) -> dict[str, np.ndarray]:
        return {name: column[: self.n].copy() for name, column in self._data.items()}

    def _reserve(self, n_rows: int) -> None:
        if n_rows <= self.capacity:
            return
        new_capacity = max(n_rows, 2 * self.capacity)
        for name, column in self._data.items():
            grown = np.zeros(new_capacity, column.dtype)
            grown[: self.n] = column[: self.n]
            self._data[name] = grown


@dataclass
class Flows:
    """What happened this month: money (USD) and counts, reset at the start of each step."""

    values: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, amount: float) -> None:
        self.values[name] = self.values.get(name, 0.0) + float(amount)

    def get(self, name: str) -> float:
        return self.values.get(name, 0.0)


@dataclass
class State:
    """Everything that changes during a run.

    Per-official arrays of this month's money live in ``month``, a dict of float64 arrays
    the length of the officials table; they are zeroed at the start of each step.
    """

    officials: Table
    companies: Table
    deals: Table
    trust: np.ndarray                      # partner trust per foreign route (M5, M26), shape (3,)
    market_open: np.ndarray                # share of each route's business not shut, shape (4,)
    competition: np.ndarray                # per-worker pay factor per route (M10), shape (4,)
    initial_workers_by_route: np.ndarray   # shape (4,)
    month_index: int = 0
    calendar_month: int = 1                # 1-12, set by the engine each step
    is_review: bool = False                # June and December close a half-year (M2)
    period: str = ""                       # "YYYY-H1" / "YYYY-H2" of the current month
    flows: Flows = field(default_factory=Flows)
    month: dict[str, np.ndarray] = field(default_factory=dict)
    recall_risk_estimate: float = 0.0      # officials' shared estimate of recall risk at high attainment
    arrest_risk_estimate: float = 0.0      # and of arrest risk when defiant
    other_sources_shifted: bool = False    # M13 burden already moved onto quotas
    closure_in_force: bool = False         # M20: quotas were last set for a closed border (a run
                                           # starting closed re-sets them in its first month)
    half_rumour_recalls: int = 0
    review_rows: list[dict[str, np.ndarray]] = field(default_factory=list)
    monthly_rows: list[dict[str, float]] = field(default_factory=list)

    def reset_month(self) -> None:
        self.flows = Flows()
        n = self.officials.n
        for name in ("earned", "rents", "seized"):
            buffer = self.month.get(name)
            if buffer is None or len(buffer) != n:
                self.month[name] = np.zeros(n)
            else:
                buffer.fill(0.0)
