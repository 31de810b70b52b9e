"""From what the page holds to a validated scenario within the dashboard's caps.

An uploaded file is loaded exactly as ``quotasim run FILE`` loads it, under its own name,
so an invalid upload gets the same located message the command line prints. Caps are
checked with a message, never applied silently.
"""

from __future__ import annotations

import base64
import binascii
import re
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ScenarioError
from ..scenario import Scenario, load_scenario
from .controls import MAX_DASHBOARD_MONTHS, MAX_PEOPLE

__all__ = ["from_upload", "build", "too_large", "MAX_UPLOAD_BYTES", "UploadError"]

#: Largest scenario file accepted from the page (the built-in ones are about 5 kB).
MAX_UPLOAD_BYTES = 256 * 1024


class UploadError(ValueError):
    """An upload refused before it was read as a scenario (too large, not a file)."""


def from_upload(contents: str, filename: str) -> Scenario:
    """Decode a ``dcc.Upload`` data URL and load it as a scenario file named ``filename``."""
    try:
        data = base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (IndexError, ValueError, binascii.Error):
        raise UploadError(f"{filename}: the upload could not be decoded; upload a .toml scenario file") from None
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(too_large(filename, f"{len(data):,}"))
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(filename or "uploaded.toml").name) or "uploaded.toml"
    with tempfile.TemporaryDirectory(prefix="quotasim-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            return load_scenario(path)
        except ScenarioError as exc:
            # Name the file as the user knows it, not the temporary folder it was read from.
            raise ScenarioError(*_renamed(exc.problems[0], path, filename),
                                more=[_renamed(p, path, filename) for p in exc.problems[1:]]) from None


def too_large(filename: str, size: str) -> str:
    """The refusal of a file over the limit; the page's script fills in the same words when
    the browser refuses the file before sending it (``assets/upload_limit.js``)."""
    return (f"{filename}: {size} bytes; scenario files up to {MAX_UPLOAD_BYTES:,} bytes are accepted here "
            "(the built-in ones are about 5 kB)")


def _renamed(problem: tuple, path: Path, filename: str) -> tuple:
    file, field, value, allowed = problem
    return (str(file).replace(str(path), filename), field,
            value.replace(str(path), filename) if isinstance(value, str) else value, allowed)


def build(base: Scenario, values: dict[str, Any], scale: float, months: int) -> Scenario:
    """``base`` with the controls' values, the population scaled, and ``months``; checked against the caps."""
    population = base.population
    people = round(scale * (population.n_trade_officials + population.n_overseas_workers))
    if people > MAX_PEOPLE:
        raise ScenarioError("dashboard", "population", f"{people:,} people",
                            f"at most {MAX_PEOPLE:,} officials and workers here; lower the population scale, or run "
                            "it with `quotasim run`")
    if not 1 <= months <= MAX_DASHBOARD_MONTHS:
        raise ScenarioError("dashboard", "months", months, f"1 to {MAX_DASHBOARD_MONTHS} months here; longer runs "
                            "with `quotasim run`")
    overrides = {**values, "months": months,
                 "population.n_companies": max(1, round(scale * population.n_companies)),
                 "population.n_trade_officials": round(scale * population.n_trade_officials),
                 "population.n_overseas_workers": round(scale * population.n_overseas_workers)}
    return load_scenario(base.model_dump(mode="json"), overrides)
