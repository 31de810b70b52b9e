"""Months as integers: the model counts months from the scenario's start date."""

from __future__ import annotations

import datetime
import re
from typing import Any

__all__ = ["parse_month", "month_label", "month_date", "month_text", "months_between", "calendar_month",
           "is_review_month", "half_label"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int]:
    """Parse ``YYYY-MM`` into (year, month); raise ValueError with the rule otherwise."""
    match = _MONTH.match(text) if isinstance(text, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"expected a month as YYYY-MM (e.g. 2017-09), got {text!r}")
    return int(match.group(1)), int(match.group(2))


def months_between(start: str, date: str) -> int:
    """Whole months from ``start`` to ``date`` (negative if ``date`` is earlier)."""
    (y0, m0), (y1, m1) = parse_month(start), parse_month(date)
    return (y1 - y0) * 12 + (m1 - m0)


def month_label(start: str, index: int) -> str:
    """The ``YYYY-MM`` label of month ``index`` counted from ``start`` (index 0)."""
    year, month = parse_month(start)
    total = year * 12 + (month - 1) + index
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def month_date(start: str, index: int) -> datetime.date:
    """The first day of month ``index`` counted from ``start``: the ``date`` of the output tables."""
    label = month_label(start, index)
    return datetime.date(int(label[:4]), int(label[5:]), 1)


def month_text(value: Any) -> str:
    """``YYYY-MM`` of a table's ``date``: a date, a timestamp, or already a ``YYYY-MM`` label (run
    folders written before dates were dates)."""
    if isinstance(value, str):
        return value[:7]
    return f"{value.year:04d}-{value.month:02d}"


def calendar_month(start: str, index: int) -> int:
    """Calendar month (1-12) of month ``index``."""
    return int(month_label(start, index)[5:])


def is_review_month(start: str, index: int) -> bool:
    """Half-year reviews close June and December (M2)."""
    return calendar_month(start, index) in (6, 12)


def half_label(start: str, index: int) -> str:
    """``YYYY-H1`` or ``YYYY-H2`` for the half-year containing month ``index``."""
    label = month_label(start, index)
    return f"{label[:4]}-H{1 if int(label[5:]) <= 6 else 2}"
