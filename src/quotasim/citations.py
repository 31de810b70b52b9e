"""Sources as full citations: outlet, date, headline, link — shipped in ``data/sources.csv``.

Parameters and mechanisms keep short source tags (``quotasim.params``): ``seed 001`` is one
of the five reports the model rests on; ``record: overseas_workers 2023`` is a row of the
public record; ``events: 2017-09`` is the dated event of that month (UN resolutions, the
closure, rail freight, the treaty); ``assumption`` is a modelling choice. :func:`cite` turns a tag (or a list of
them, ``"seed 000, 001"``) into the citations it names, so that ``quotasim explain`` and the
report show something a reader can follow.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources

__all__ = ["CITATION_FIELDS", "all_citations", "cite", "keys", "format_citation"]

CITATION_FIELDS = ("key", "outlet", "date", "author", "headline", "link", "link_checked", "note")


@cache
def all_citations() -> dict[str, dict[str, str]]:
    """Every citation shipped with the package, by key."""
    text = (resources.files("quotasim") / "data" / "sources.csv").read_text(encoding="utf-8")
    return {row["key"]: row for row in csv.DictReader(text.splitlines())}


def keys(tag: str) -> list[str]:
    """The citation keys a source tag names: ``"seed 000, 001"`` -> ``["seed 000", "seed 001"]``;
    ``"record: a/b 2013"`` -> ``["record: a 2013", "record: b 2013"]``; ``"record: name"`` -> every
    period of ``name``; ``"record: a 2017-12, 2018-12"`` -> one key a period; ``"events: UNSC
    resolution 2375 (2017-09)"`` -> ``["event 2017-09"]`` (every month named; none: every event);
    ``assumption`` and empty tags name none."""
    tag = (tag or "").strip()
    if tag.startswith("seed"):
        return [f"seed {number}" for number in re.findall(r"\d{3}", tag)]
    if tag.startswith("events:"):
        months = re.findall(r"\d{4}-\d{2}", tag)
        return [f"event {month}" for month in months] or [key for key in all_citations() if key.startswith("event ")]
    if tag.startswith("record:"):
        body = tag.removeprefix("record:").strip()
        name, _, period = body.partition(" ")
        first, *rest = name.split("/")
        prefix = first.rsplit("_", 1)[0] + "_" if rest else ""
        names = [first] + [prefix + other for other in rest]
        if period:
            return [f"record: {n} {p.strip()}" for n in names for p in period.split(",")]
        return [key for key in all_citations() for n in names if key.startswith(f"record: {n} ")]
    return []


def cite(tag: str) -> list[dict[str, str]]:
    """The citations a source tag names (see :func:`keys`); a key missing from the table is an
    error, so that a tag never points nowhere."""
    table = all_citations()
    missing = [key for key in keys(tag) if key not in table]
    if missing:
        raise KeyError(f"source tag {tag!r}: no citation {', '.join(missing)} in quotasim/data/sources.csv")
    return [table[key] for key in keys(tag)]


def format_citation(citation: dict[str, str]) -> str:
    """One line: outlet, date, “headline”, link."""
    parts = [citation["outlet"], citation["date"], f"“{citation['headline']}”"]
    if citation.get("link"):
        parts.append(citation["link"])
    return ", ".join(part for part in parts if part)
