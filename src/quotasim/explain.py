"""The assumptions ledger: every parameter in force, its value, unit, mechanism and source.

A row's ``source`` is the tag the declaration carries (``seed 001``, ``record: NAME PERIOD``,
``assumption``): a key into the citations shipped with the package (``quotasim.citations``);
``citations`` spells them out (outlet, date, headline, link), and :func:`cited_sources` lists
each cited source once.
"""

from __future__ import annotations

from typing import Any

from .citations import cite, format_citation
from .params import Mechanism
from .scenario import MECHANISM_GROUPS

__all__ = ["ledger", "mechanisms", "cited_sources", "LEDGER_COLUMNS"]

LEDGER_COLUMNS = ("parameter", "value", "unit", "mechanism", "source", "meaning")
_STRUCTURE = ("population", "behaviour", "environment")


def ledger(scenario) -> list[dict[str, Any]]:
    """One row per parameter of ``scenario`` (structure first, then M1-M30 in report order)."""
    rows = []
    for group in (*_STRUCTURE, *MECHANISM_GROUPS):
        block = getattr(scenario, group)
        mechanism_id = block.MECHANISM if isinstance(block, Mechanism) else ""
        group_source = block.SOURCE if isinstance(block, Mechanism) else ""
        for name, info in type(block).model_fields.items():
            extra = info.json_schema_extra or {}
            source = extra.get("source", "assumption")
            if source == "assumption" and group_source and name == "enabled":
                source = f"seed {group_source}" if not group_source.startswith("seed") else group_source
            rows.append({"parameter": f"{group}.{name}", "value": _plain(getattr(block, name)),
                         "unit": extra.get("unit", ""), "mechanism": mechanism_id, "source": source,
                         "meaning": info.description or "",
                         "citations": [format_citation(c) for c in cite(source)]})
    return rows


def mechanisms(scenario) -> list[dict[str, Any]]:
    """One row per mechanism: id, key, title, source, switch state."""
    return [{"mechanism": cls.MECHANISM, "key": key, "title": cls.TITLE, "source": cls.SOURCE,
             "enabled": getattr(scenario, key).enabled,
             "citations": [format_citation(c) for c in cite(cls.SOURCE)]} for key, cls in MECHANISM_GROUPS.items()]


def cited_sources(scenario) -> list[dict[str, str]]:
    """Every source the ledger and the mechanisms of ``scenario`` cite, once each, in key order:
    dicts of ``quotasim.citations.CITATION_FIELDS``."""
    tags = [row["source"] for row in ledger(scenario)] + [cls.SOURCE for cls in MECHANISM_GROUPS.values()]
    found = {c["key"]: c for tag in tags for c in cite(tag)}
    return [found[key] for key in sorted(found)]


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
