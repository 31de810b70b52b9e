"""The assumptions ledger: every parameter in force, its value, unit, mechanism and source."""

from __future__ import annotations

from typing import Any

from .params import Mechanism
from .scenario import MECHANISM_GROUPS

__all__ = ["ledger", "mechanisms", "LEDGER_COLUMNS", "parameters_markdown"]

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
                         "meaning": info.description or ""})
    return rows


def mechanisms(scenario) -> list[dict[str, Any]]:
    """One row per mechanism: id, key, title, source, switch state."""
    return [{"mechanism": cls.MECHANISM, "key": key, "title": cls.TITLE, "source": cls.SOURCE,
             "enabled": getattr(scenario, key).enabled} for key, cls in MECHANISM_GROUPS.items()]


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
