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

__all__ = ["ledger", "mechanisms", "cited_sources", "LEDGER_COLUMNS", "parameters_markdown"]

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


def parameters_markdown() -> str:
    """The ODD's submodel parameter tables (``docs/odd.md``), generated from the declarations:
    one table per group of the default scenario, with default, unit, bounds, source and meaning."""
    from .scenario import Scenario
    scenario = Scenario()
    parts = []
    for group in (*_STRUCTURE, *MECHANISM_GROUPS):
        block = getattr(scenario, group)
        cls = type(block)
        title = f"{cls.MECHANISM} `{group}` — {cls.TITLE} ({cls.SOURCE})" if isinstance(block, Mechanism) else f"`{group}`"
        rows = [f"| `{name}` | {_cell(getattr(block, name))} | {(info.json_schema_extra or {}).get('unit', '')} | "
                f"{_bounds(info)} | {(info.json_schema_extra or {}).get('source', 'assumption')} | "
                f"{(info.description or '').replace('|', '/')} |"
                for name, info in cls.model_fields.items()]
        parts.append(f"#### {title}\n\n| parameter | default | unit | bounds | source | meaning |\n"
                     f"|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    return "\n".join(parts)


def _cell(value: Any) -> str:
    value = _plain(value)
    return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value) if isinstance(value, list) else (
        f"{value:g}" if isinstance(value, float) else str(value))


def _bounds(info) -> str:
    low, high = "", ""
    for item in info.metadata:
        for attr, sign in (("ge", "["), ("gt", "(")):
            if getattr(item, attr, None) is not None:
                low = f"{sign}{getattr(item, attr):g}"
        for attr, sign in (("le", "]"), ("lt", ")")):
            if getattr(item, attr, None) is not None:
                high = f"{getattr(item, attr):g}{sign}"
    return f"{low or '(-inf'}, {high or 'inf)'}" if (low or high) else ""


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
