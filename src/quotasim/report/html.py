"""HTML assembly: figures as inline SVG (text kept as text), one Jinja2 template, no
external resource of any kind — the file opens offline and can be mailed as it is.

Figures are also written as PNG and SVG files next to the report (``<report>_figures/``)
for papers.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import matplotlib
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from matplotlib.figure import Figure

from ..display import number as display_number
from ..results import write_atomic

__all__ = ["svg_text", "png_data_uri", "save_figure", "render_html", "number"]

_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)   # XML declaration, DOCTYPE, comments before <svg


def svg_text(figure: Figure) -> str:
    """The figure as an ``<svg>`` element to inline in HTML."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):   # text as <text>: smaller, searchable, selectable
        figure.savefig(buffer, format="svg", bbox_inches="tight")
    return _PROLOGUE.sub("", buffer.getvalue(), count=1)


def png_data_uri(path: Path) -> str:
    """A PNG file as a ``data:`` URI, for images made elsewhere (e.g. ``quotasim analyze``)."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def save_figure(figure: Figure, folder: Path, name: str) -> list[Path]:
    """Write ``name.png`` (150 dpi) and ``name.svg`` into ``folder``, atomically."""
    written = []
    for fmt, options in (("png", {"dpi": 150}), ("svg", {})):
        path = folder / f"{name}.{fmt}"
        write_atomic(path, lambda p, f=fmt, o=options: figure.savefig(p, format=f, bbox_inches="tight", **o))
        written.append(path)
    return written


def number(value, kind: str = "number", difference: bool = False) -> str:
    """Readable numbers for tables: :func:`quotasim.display.number`, the one format of the CLI
    and the report (USD in millions, shares in %, their differences in points, counts with separators)."""
    return display_number(value, kind, difference=difference)


def render_html(out: Path, **context) -> Path:
    """Render the report template with ``context`` into ``out`` (atomically)."""
    env = Environment(loader=PackageLoader("quotasim.report", "templates"), autoescape=select_autoescape(["j2", "html"]))
    env.filters["number"] = number
    env.filters["svg"] = lambda figure: Markup(svg_text(figure))
    text = env.get_template("report.html.j2").render(**context)
    write_atomic(out, lambda p: Path(p).write_text(text, encoding="utf-8"))
    return out
