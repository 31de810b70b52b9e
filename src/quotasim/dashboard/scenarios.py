"""From what the page holds to a validated scenario within the dashboard's caps.

An uploaded file is checked as ``quotasim run FILE`` checks it, under its own name, so an
invalid upload gets the same located message the command line prints; but it is data only:
it is parsed in memory, never written to the server's disk, and it may ``extends`` a built-in
scenario and no file on the server (so no error can quote another file's contents). Caps
are checked with a message, never applied silently.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from pathlib import Path
from typing import Any

from ..errors import ScenarioError
from ..scenario import Scenario, load_scenario
from ..tomlfile import parse_toml
from .controls import MAX_DASHBOARD_MONTHS, MAX_PEOPLE, MAX_REPLICATIONS

__all__ = ["from_upload", "upload_name", "MAX_FILENAME_CHARS", "build", "page_numbers",
           "page_replications", "too_large", "MAX_UPLOAD_BYTES",
           "MIN_SCALE", "MAX_SCALE",
           "SCALE_STEP", "UploadError"]

#: Largest scenario file accepted from the page (the built-in ones are about 5 kB).
MAX_UPLOAD_BYTES = 256 * 1024
#: Longest file name accepted with an upload (most file systems' limit).
MAX_FILENAME_CHARS = 255
#: The population scale field's range and step (the people cap usually binds first).
MIN_SCALE, MAX_SCALE, SCALE_STEP = 0.01, 10.0, 0.01


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
    return load_scenario(parse_toml(data, filename, filename, "scenario file"), files=False, label=filename)


def upload_name(filename: Any) -> str:
    """The uploaded file's name as shown in messages: checked, never a path on the server."""
    if not isinstance(filename, str) or not filename:
        return "uploaded.toml"
    if len(filename) > MAX_FILENAME_CHARS or "\0" in filename:
        raise UploadError(f"{filename[:60]!r}...: a file name of {len(filename):,} characters; at most "
                          f"{MAX_FILENAME_CHARS} printable characters are accepted here: rename the file")
    return re.sub(r"[\x00-\x1f\x7f]", "_", Path(filename).name) or "uploaded.toml"


def too_large(filename: str, size: str) -> str:
    """The refusal of a file over the limit; the page's script fills in the same words when
    the browser refuses the file before sending it (``assets/upload_limit.js``)."""
    return (f"{filename}: {size} bytes; scenario files up to {MAX_UPLOAD_BYTES:,} bytes are accepted here "
            "(the built-in ones are about 5 kB)")


class _NothingValid:
    """What the page sends for a number field left empty or typed outside its range or step:
    the browser gives no value then, so the message cannot quote what was typed."""

    def __repr__(self) -> str:
        return "(empty, or not a number the field allows)"


def page_numbers(months: Any, scale: Any, seed: Any) -> tuple[int, float, int]:
    """The page's months, population scale and seed, checked; every problem in one message.

    Never a silent stand-in: a field the browser left without a value (empty, or outside
    its range or step) is refused, not read as 0.
    """
    def number(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)

    def whole(value: Any) -> bool:
        return number(value) and float(value).is_integer()

    problems = []
    if not (whole(months) and 1 <= months <= MAX_DASHBOARD_MONTHS):
        problems.append(("dashboard", "months", _NothingValid() if months is None else months,
                         f"a whole number, 1 to {MAX_DASHBOARD_MONTHS} months here; longer runs with `quotasim run`"))
    if not (number(scale) and MIN_SCALE <= scale <= MAX_SCALE):
        problems.append(("dashboard", "population scale", _NothingValid() if scale is None else scale,
                         f"a number from {MIN_SCALE} to {MAX_SCALE:g} (times the scenario's population)"))
    if not (whole(seed) and seed >= 0):
        problems.append(("dashboard", "seed", _NothingValid() if seed is None else seed, "a whole number, 0 or more"))
    if problems:
        raise ScenarioError(*problems[0], more=problems[1:])
    return int(months), float(scale), int(seed)


def page_replications(replications: Any) -> int:
    """The page's number of replications, checked (never a silent stand-in, as :func:`page_numbers`)."""
    if not (isinstance(replications, int) and not isinstance(replications, bool)
            or isinstance(replications, float) and replications.is_integer()) or not 1 <= replications <= MAX_REPLICATIONS:
        raise ScenarioError("dashboard", "replications", _NothingValid() if replications is None else replications,
                            f"a whole number, 1 to {MAX_REPLICATIONS} here; more with `quotasim run --replications`")
    return int(replications)


def build(base: Scenario, values: dict[str, Any], scale: float, months: int) -> Scenario:
    """``base`` with the controls' values, the population scaled, and ``months`` (both as
    :func:`page_numbers` returns them); checked against the people cap."""
    population = base.population
    people = round(scale * (population.n_trade_officials + population.n_overseas_workers))
    if people > MAX_PEOPLE:
        raise ScenarioError("dashboard", "population", f"{people:,} people",
                            f"at most {MAX_PEOPLE:,} officials and workers here; lower the population scale, or run "
                            "it with `quotasim run`")
    overrides = {**values, "months": months,
                 "population.n_companies": max(1, round(scale * population.n_companies)),
                 "population.n_trade_officials": round(scale * population.n_trade_officials),
                 "population.n_overseas_workers": round(scale * population.n_overseas_workers)}
    return load_scenario(base.model_dump(mode="json"), overrides)
