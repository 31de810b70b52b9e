"""Reading a TOML input file (a scenario, an experiment spec, a targets file) safely.

Input files are data, never code: they are parsed by ``tomllib`` and nothing else, and a
value is only ever a string, number, boolean, date or a table or list of them. Reading is
bounded: only a regular file is read (not a folder, a pipe, a device such as ``/dev/zero``),
at most ``MAX_INPUT_BYTES`` of it, and nesting too deep for the parser is a located error,
not a crash. Every problem is a :class:`ScenarioError` naming the file.
"""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

from .errors import ScenarioError

__all__ = ["read_toml", "MAX_INPUT_BYTES"]

#: Largest input file read: the built-in scenarios are about 5 kB; a megabyte is far beyond
#: any real scenario or spec, and small enough that reading one is instant.
MAX_INPUT_BYTES = 1 * 2**20


def read_toml(path: Path, label: str, what: str = "file") -> dict:
    """Parse the TOML file at ``path``; ``label`` names it in errors, ``what`` says what it is."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(21, "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file")
        if info.st_size > MAX_INPUT_BYTES:
            raise ScenarioError(label, "(file)", str(path),
                                f"at most {MAX_INPUT_BYTES:,} bytes; the {what} has {info.st_size:,}")
        with open(path, "rb") as stream:
            data = stream.read(MAX_INPUT_BYTES + 1)   # the file may have grown since stat
        text = data[:MAX_INPUT_BYTES].decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(label, "(file)", str(path),
                            f"cannot read the {what}: {exc.__class__.__name__}: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(label, "(syntax)", str(path), f"not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(label, "(syntax)", str(path), "not valid TOML here: nested too deeply") from None
