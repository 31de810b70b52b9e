"""The model's state: tables of agents held as NumPy arrays, one array per attribute.

No Python object per agent. A :class:`Table` keeps its columns with spare capacity and
grows by doubling when rows are appended (it never truncates); ``table.column`` is a view
of the ``n`` live rows, so phases write through it in place, and ``table.arrays()`` hands
all of them to a compiled pass as one named tuple. The officials' columns are declared in
``quotasim.columns``; the codes they hold in ``quotasim.codes``.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

import numpy as np

from .codes import ACTIVE, TRADER
from .columns import FLOW_NAMES, OFFICIALS
from .kernels import zero_columns

__all__ = ["Table", "State", "Flows", "MonthArrays", "UndeclaredFlowError", "OFFICIAL_COLUMNS", "COMPANY_COLUMNS",
           "DEAL_COLUMNS"]

OFFICIAL_COLUMNS: dict[str, Any] = {c.name: c.dtype for c in OFFICIALS.values() if c.dtype is not None}
COMPANY_COLUMNS: dict[str, Any] = {
    "tier": np.int8, "affiliation": np.int8, "quota_usd": np.float64, "headcount": np.int32,
    "n_joint_ventures": np.int16, "half_earned_usd": np.float64, "half_kept_usd": np.float64,
    "front": np.int32, "half_handed_up_usd": np.float64, "half_received_usd": np.float64,
    "half_received_remitted_usd": np.float64, "funds_usd": np.float64,
}
DEAL_COLUMNS: dict[str, Any] = {
    "official": np.int32, "company": np.int32, "route": np.int8, "value_usd": np.float64,
    "stage": np.int8, "required": np.int8, "age_months": np.int16,
    "channel": np.int8,   # issue 14: official customs, state and military trade, smuggling (codes.CHANNEL_NAMES)
    "deal_id": np.int64,   # numbered from 0 in order of start: the agent id of a deal's draws (keyed_random)
}
# One named-tuple type per table, defined here (a module-level name) so that numba can cache
# passes that take it. Their fields are computed from the column tables, which mypy's
# namedtuple support cannot follow (it wants a literal list of names), hence the ignores.
OfficialArrays = namedtuple("OfficialArrays", list(OFFICIAL_COLUMNS))  # type: ignore[misc]
CompanyArrays = namedtuple("CompanyArrays", list(COMPANY_COLUMNS))  # type: ignore[misc]
DealArrays = namedtuple("DealArrays", list(DEAL_COLUMNS))  # type: ignore[misc]
_ARRAYS_TYPES: dict[tuple[str, ...], type[tuple[Any, ...]]] = {t._fields: t for t in (OfficialArrays, CompanyArrays, DealArrays)}


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
        self._arrays_type = _ARRAYS_TYPES.get(tuple(columns)) or namedtuple("Arrays", list(columns))
        self._data = {name: np.zeros(max(capacity, 1), dtype) for name, dtype in columns.items()}
        self.n = 0

    def __getstate__(self) -> dict[str, Any]:
        # a copy (or pickle) must not carry views of the original's columns: arrays() rebuilds them
        return {key: value for key, value in self.__dict__.items() if key != "_arrays"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

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
        unknown = set(values) - set(self._data)
        if unknown:
            raise KeyError(f"unknown columns {sorted(unknown)}")
        self._reserve(self.n + n_new)
        rows = slice(self.n, self.n + n_new)
        for name, value in values.items():
            self._data[name][rows] = value    # the other columns are zero already: rows beyond n always are
        self.n += n_new
        return rows

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where ``mask`` is true, in order (compaction)."""
        n_keep = int(mask.sum())
        for column in self._data.values():
            column[:n_keep] = column[: self.n][mask]
            column[n_keep:self.n] = 0      # rows beyond n stay zero, so that append need not write them
        self.n = n_keep

    def arrays(self) -> Any:
        """Every column's live rows, as one named tuple (what compiled passes take). Built once
        per size: phases ask for it thousands of times a run, and the views stay valid until
        rows are appended, kept or released (each of which changes ``n`` or drops the tuple)."""
        cached = self.__dict__.get("_arrays")
        if cached is None or cached[0] != self.n:
            n = self.n
            cached = (n, self._arrays_type(*(column[:n] for column in self._data.values())))
            self.__dict__["_arrays"] = cached
        return cached[1]

    def nbytes(self) -> int:
        return sum(column.nbytes for column in self._data.values())

    def release(self, name: str) -> np.ndarray:
        """A copy of column ``name``'s live rows, and the column gone from the table (its whole
        capacity freed): for handing a finished run's columns over one at a time, so that the
        run's peak memory is not the table and its copy side by side."""
        column = self._data.pop(name)
        self._dtypes.pop(name)
        self.__dict__.pop("_arrays", None)
        return column[: self.n].copy()

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
        self.__dict__.pop("_arrays", None)     # views of the old buffers


class UndeclaredFlowError(KeyError):
    """A phase added to, or read, a flow that ``quotasim.columns`` does not declare."""


class Flows:
    """What happened this month, by declared name: money (USD) and counts.

    Only names declared as flows in ``quotasim.columns`` are accepted: a misspelt name is an
    error, never a silent zero. A new ``Flows`` starts every month (``State.reset_month``).
    """

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: dict[str, float] = {}

    def add(self, name: str, amount: float) -> None:
        if name not in FLOW_NAMES:
            raise UndeclaredFlowError(f"{name!r} is not a declared flow (quotasim.columns)")
        self.values[name] = self.values.get(name, 0.0) + float(amount)

    def add_totals(self, totals: np.ndarray) -> None:
        """Add each field of a pass's totals record (a structured array of one row) by its name."""
        for name in cast("tuple[str, ...]", totals.dtype.names):  # a structured array: its dtype has names
            self.add(name, totals[name][0])

    def get(self, name: str) -> float:
        if name not in FLOW_NAMES:
            raise UndeclaredFlowError(f"{name!r} is not a declared flow (quotasim.columns)")
        return self.values.get(name, 0.0)


def totals_record(*names: str) -> np.ndarray:
    """A zeroed record of named float64 totals for a compiled pass to add into; the names
    must be declared flows, so a pass cannot report a total nobody records."""
    unknown = [name for name in names if name not in FLOW_NAMES]
    if unknown:
        raise UndeclaredFlowError(f"{unknown} are not declared flows (quotasim.columns)")
    return np.zeros(1, np.dtype([(name, np.float64) for name in names]))


class MonthArrays(NamedTuple):
    """Per-official money of the month in progress, USD: what phases hand one another.

    Every field is zeroed by :meth:`State.reset_month`, the one place the month starts.
    """

    earned: np.ndarray   # earned this month (deals, pay, joint ventures, at home)
    rents: np.ndarray    # of which the approval stages' interests take (M18)
    seized: np.ndarray   # of which crackdowns seize (M5)
    kept: np.ndarray     # what the official kept after the split (surveillance may take it, M29)
    charged: np.ndarray  # of earned, a worker's charge paid from pay: remitted first (M8)

    @classmethod
    def zeros(cls, n: int) -> MonthArrays:
        return cls(*(np.zeros(n) for _ in cls._fields))


@dataclass
class State:
    """Everything that changes during a run."""

    officials: Table
    companies: Table
    deals: Table
    trust: np.ndarray                      # partner trust per foreign route (M5, M26), shape (3,)
    market_open: np.ndarray                # share of each route's business not shut, shape (4,)
    competition: np.ndarray                # per-worker pay factor per route (M10), shape (4,)
    initial_workers_by_route: np.ndarray   # shape (4,)
    seed: int = 0                          # the run's seed: the key of every draw (quotasim.keyed_random)
    month_index: int = 0
    calendar_month: int = 1                # 1-12, set by the engine each step
    is_review: bool = False                # June and December close a half-year (M2)
    period: str = ""                       # "YYYY-H1" / "YYYY-H2" of the current month
    flows: Flows = field(default_factory=Flows)
    month: MonthArrays = field(default_factory=lambda: MonthArrays.zeros(0))
    deals_started: int = 0                 # deals ever started: the next deal's id
    targets_cut: bool = False              # M7: the bureau has made its cut and waits for most to meet targets
    other_sources_shifted: bool = False    # M13 burden already moved onto quotas
    closure_in_force: bool = False         # M20: quotas were last set for a closed border (a run
                                           # starting closed re-sets them in its first month)
    seen: dict[str, np.ndarray] = field(default_factory=dict)   # what officials saw this half, by post and company
    ban_in_force: np.ndarray = field(default_factory=lambda: np.zeros(4))   # issue 14: sanctions' ban per route
                                                                            # last month (rules.route_bans)
    review_rows: list[dict[str, np.ndarray]] = field(default_factory=list)
    monthly_rows: list[dict[str, Any]] = field(default_factory=list)
    _fixed_rows: dict[str, tuple[int, np.ndarray]] = field(default_factory=dict)   # _rows_fixed_at_append
    _scratch: dict[str, np.ndarray] = field(default_factory=dict)                  # scratch()

    def trader_rows(self) -> np.ndarray:
        """Rows of every trader, serving or not, in row order. Traders are one official in
        fifty at the baseline's proportions, and phases about traders alone would otherwise
        scan every row."""
        return self._rows_fixed_at_append("traders", lambda off, rows: off.role[rows] == TRADER)

    def protege_rows(self) -> np.ndarray:
        """Rows of every official placed by a patron (M24), in row order."""
        return self._rows_fixed_at_append("proteges", lambda off, rows: off.patron[rows] >= 0)

    def _rows_fixed_at_append(self, name: str, test: Any) -> np.ndarray:
        """Rows of the officials for whom ``test(officials, rows)`` holds, for a test of what is
        set when a row is appended and never changes after (role, patron). Rows are only
        appended, never removed, so the list is extended with the rows appended since the last call."""
        seen, rows = self._fixed_rows.get(name, (0, np.zeros(0, np.int64)))
        n = self.officials.n
        if n != seen:
            rows = np.concatenate([rows, np.flatnonzero(test(self.officials, slice(seen, n))) + seen])
            self._fixed_rows[name] = (n, rows)
        return rows

    def active_traders(self) -> np.ndarray:
        """Rows of the serving traders, in row order."""
        traders = self.trader_rows()
        return traders[self.officials.status[traders] == ACTIVE]

    def reset_month(self) -> None:
        """Start a month: new flows, and this month's per-official arrays at zero."""
        self.flows = Flows()
        n = self.officials.n
        if len(self.month.earned) != n:
            self.month = MonthArrays(*(self.scratch(f"month.{name}", np.float64, n) for name in MonthArrays._fields))
        zero_columns(self.month)

    def scratch(self, name: str, dtype: Any, n: int) -> np.ndarray:
        """A buffer of ``n`` elements for a large array a phase fills afresh (what is in it
        before is undefined; no phase keeps one across phases, so phases may share a name),
        kept from month to month. A fresh array of a million elements costs a page fault per
        4 KiB on first touch, more than most passes that fill it (``python -m benchmarks.probe``
        prints a run's faults: docs/performance.md)."""
        buffer = self._scratch.get(name)
        if buffer is None or len(buffer) < n or buffer.dtype != dtype:
            buffer = self._scratch[name] = np.empty(_with_room(n), dtype)
        return buffer[:n]

    def release_scratch(self) -> None:
        """Drop the scratch buffers (a finished run's tables are built without them)."""
        self._scratch.clear()
        self.month = MonthArrays.zeros(0)


def _with_room(n: int) -> int:
    """Elements to allocate for a scratch buffer of ``n``: a sixteenth more, room for the
    officials a run adds (1.6 % over ten years at the baseline's proportions), so that a buffer
    is not replaced month after month."""
    return n + n // 16 + 64
