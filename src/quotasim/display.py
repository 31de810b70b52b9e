"""How quotasim prints: one number format and one table writer for every command.

Numbers (:func:`number`): counts (integers) in full with thousands separators; other
quantities (means, rates) to four significant figures, never in exponent notation; money in USD millions (``1,152 M``);
shares in percent (``89.6 %``) and differences of shares in percentage points
(``+2.35 pp``).

Tables (:class:`Sheet`, :func:`emit`) are printed as ``table`` (aligned text; Rich's table on
a terminal), ``csv`` or ``json`` (the raw values, unformatted). Nothing is cut to fit: when
the output is piped or captured, the table is plain text as wide as its widest cell.

This module sits at the bottom of the import layers and imports nothing heavy at import
time, so ``quotasim --help`` stays fast.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FORMATS", "KINDS", "number", "Sheet", "emit", "render", "check_format"]

FORMATS = ("table", "csv", "json")
#: How a value is shown: money (USD), a share (0-1), a count, any other number, or text.
KINDS = ("usd", "share", "count", "number", "text")
SIGNIFICANT = 4
_MAX_DECIMALS = 6


def check_format(fmt: str) -> str:
    """``fmt`` if it is one of :data:`FORMATS`, else ValueError naming the allowed ones."""
    if fmt not in FORMATS:
        raise ValueError(f"--format = {fmt!r}: one of {', '.join(FORMATS)}")
    return fmt


def number(value: Any, kind: str = "number", *, difference: bool = False) -> str:
    """``value`` as a table shows it.

    Parameters
    ----------
    value : number, bool, str or None
        None and non-finite numbers show as ``–``.
    kind : str
        ``usd`` (shown in millions, ``M``), ``share`` (a fraction shown in %, or in
        percentage points ``pp`` when ``difference``), ``count`` (whole numbers), ``number``.
    difference : bool
        A difference between two figures: signed, and shares in points.
    """
    if value is None or isinstance(value, str):
        return "–" if value is None else value
    if isinstance(value, bool):
        return "yes" if value else "no"
    whole = isinstance(value, int) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu")
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(value):
        return "–"
    sign = "+" if difference and value > 0 else ""
    if kind == "usd":
        return f"{sign}{_significant(value / 1e6)} M"
    if kind == "share":
        return f"{sign}{_significant(value * 100, 3)} {'pp' if difference else '%'}"
    if kind == "count" or whole:
        return f"{sign}{value:,.0f}"          # counts in full
    return sign + _significant(value)         # measured quantities: four significant figures, even 5.000


def _significant(value: float, digits: int = SIGNIFICANT) -> str:
    """``digits`` significant figures, with thousands separators; whole digits are never dropped."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    decimals = min(max(0, digits - 1 - exponent), _MAX_DECIMALS)
    text = f"{value:,.{decimals}f}"
    return "0" if float(text.replace(",", "")) == 0 else text


@dataclass
class Sheet:
    """One table to print: a title, columns ``(name, kind)`` and rows of raw values.

    ``kinds`` may also be given per row (``row_kinds``): a table of mixed figures (money,
    shares, counts in one ``value`` column) says how each row's numbers are shown.
    """

    key: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    title: str | None = None
    row_kinds: list[str] | None = None
    differences: tuple[str, ...] = ()

    def add(self, row: dict[str, Any], kind: str | None = None) -> None:
        self.rows.append(row)
        if kind is not None:
            self.row_kinds = (self.row_kinds or ["number"] * (len(self.rows) - 1)) + [kind]

    def records(self, every_key: bool = False) -> list[dict[str, Any]]:
        """Rows with JSON-safe values (non-finite numbers as None): the columns, and with
        ``every_key`` any further keys the rows carry (JSON gives them all)."""
        names = [name for name, _ in self.columns]
        out = []
        for row in self.rows:
            keys = names + [k for k in row if k not in names] if every_key else names
            out.append({name: _plain(row.get(name)) for name in keys})
        return out

    def cells(self) -> list[list[str]]:
        """Rows as the table shows them (:func:`number`)."""
        out = []
        for index, row in enumerate(self.rows):
            line = []
            for name, kind in self.columns:
                if kind == "row" and self.row_kinds:
                    kind = self.row_kinds[index]
                line.append(number(row.get(name), kind if kind != "row" else "number",
                                   difference=name in self.differences) if kind != "text" else _text(row.get(name)))
            out.append(line)
        return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (dict, str)):
        return _plain(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def render(sheets: Sheet | list[Sheet], fmt: str = "table", *, wide: bool = True,
           extra: dict[str, Any] | None = None) -> str:
    """The text of ``sheets`` in ``fmt`` (plain aligned text for ``table``).

    JSON is one list of records for one sheet, else an object keyed by each sheet's ``key``
    (plus ``extra``); CSV of several sheets puts each after a ``# key`` line.
    """
    sheets = [sheets] if isinstance(sheets, Sheet) else list(sheets)
    check_format(fmt)
    if fmt == "json":
        if len(sheets) == 1 and not extra:
            return json.dumps(sheets[0].records(every_key=True), indent=2, ensure_ascii=False) + "\n"
        data = dict(extra or {})
        data.update({s.key: s.records(every_key=True) for s in sheets})
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        parts = []
        for s in sheets:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow([name for name, _ in s.columns])
            for record in s.records():
                writer.writerow(["" if v is None else json.dumps(v) if isinstance(v, (list, dict)) else v
                                 for v in record.values()])
            parts.append((f"# {s.key}\n" if len(sheets) > 1 else "") + buffer.getvalue())
        return "\n".join(parts)
    return "\n".join(_plain_table(s) for s in sheets)


def _plain_table(sheet: Sheet) -> str:
    header = [name for name, _ in sheet.columns]
    cells = sheet.cells()
    widths = [max([len(header[i])] + [len(row[i]) for row in cells]) for i in range(len(header))]
    numeric = [kind not in ("text",) for _, kind in sheet.columns]

    def line(values: list[str]) -> str:
        padded = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(padded).rstrip()
    lines = [sheet.title] if sheet.title else []
    lines += [line(header), line(["-" * w for w in widths])] + [line(row) for row in cells]
    return "\n".join(lines) + "\n"


def emit(sheets: Sheet | list[Sheet], fmt: str, console, *, extra: dict[str, Any] | None = None) -> None:
    """Print ``sheets`` on the Rich ``console`` in ``fmt``.

    On a terminal, ``table`` is Rich's table, folding long cells (never an ellipsis); anywhere
    else it is :func:`render`'s plain text, so a pipe or a notebook gets every character.
    """
    sheets = [sheets] if isinstance(sheets, Sheet) else list(sheets)
    if fmt == "table" and console.is_terminal:
        from rich.table import Table
        from rich.text import Text
        for s in sheets:
            table = Table(title=s.title, box=None, title_justify="left")
            for name, kind in s.columns:
                table.add_column(name, justify="left" if kind == "text" else "right", overflow="fold")
            for row in s.cells():
                table.add_row(*(Text(cell) for cell in row))
            console.print(table)
        return
    console.file.write(render(sheets, fmt, extra=extra))
    console.file.flush()
