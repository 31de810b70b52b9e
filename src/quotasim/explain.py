"""The assumptions ledger: every parameter in force, its value, unit, mechanism and source."""

from __future__ import annotations

from typing import Any

from .params import Mechanism
from .scenario import MECHANISM_GROUPS

__all__ = ["ledger", "mechanisms", "LEDGER_COLUMNS"]

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


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
