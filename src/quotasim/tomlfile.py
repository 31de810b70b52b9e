"""Reading a TOML input file (a scenario, an experiment spec, a targets file) safely.

Input files are data, never code: they are parsed by ``tomllib`` and nothing else, and a
value is only ever a string, number, boolean, date or a table or list of them. Reading is
bounded: only a regular file on a disk is read (not a folder, a pipe, a device such as
``/dev/zero``, nor a kernel file such as ``/proc/kmsg`` that looks regular but may block or
never end: files of ``proc``, ``sysfs`` and the like are refused by the kind of their file
system, not by their size), at most ``MAX_INPUT_BYTES`` of it. Nesting deeper than
``MAX_DEPTH`` tables or lists, whether the parser or dotted keys (``a.b.c...``) build it,
is a located error, not a crash. Every problem is a :class:`ScenarioError` naming the file.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from .errors import ScenarioError

__all__ = ["read_toml", "parse_toml", "check_depth", "MAX_INPUT_BYTES", "MAX_DEPTH"]

#: Largest input file read: the built-in scenarios are about 5 kB; a megabyte is far beyond
#: any real scenario or spec, and small enough that reading one is instant.
MAX_INPUT_BYTES = 1 * 2**20
#: Deepest nesting of tables and lists accepted: a scenario needs 4 (timeline, entry, set,
#: a list value); 32 leaves room and keeps every recursive step far from Python's limit.
MAX_DEPTH = 32
#: File systems whose files are the kernel's, not data: reading one may block (``/proc/kmsg``),
#: never end, or change the system.
PSEUDO_FILE_SYSTEMS = frozenset({
    "proc", "sysfs", "debugfs", "tracefs", "securityfs", "configfs", "cgroup", "cgroup2", "devtmpfs", "devpts",
    "bpf", "pstore", "efivarfs", "fusectl", "mqueue", "binfmt_misc", "autofs", "rpc_pipefs", "nsfs", "hugetlbfs",
})
_PSEUDO_ROOTS = ("/proc", "/sys", "/dev")


def read_toml(path: Path, label: str, what: str = "file") -> dict:
    """Parse the TOML file at ``path``; ``label`` names it in errors, ``what`` says what it is."""
    try:
        _check_kind(path, os.stat(path), what)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as stream:
            info = os.fstat(stream.fileno())   # what was opened, not what the name pointed at before
            _check_kind(path, info, what)
            if info.st_size > MAX_INPUT_BYTES:
                raise ScenarioError(label, "(file)", str(path),
                                    f"at most {MAX_INPUT_BYTES:,} bytes; the {what} has {info.st_size:,}")
            data = stream.read(MAX_INPUT_BYTES + 1)   # the file may have grown since stat
    except _NotData as exc:
        raise ScenarioError(label, "(file)", str(path), f"cannot read the {what}: {exc}") from None
    except OSError as exc:
        raise ScenarioError(label, "(file)", str(path),
                            f"cannot read the {what}: {exc.__class__.__name__}: {exc}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise ScenarioError(label, "(file)", str(path), f"at most {MAX_INPUT_BYTES:,} bytes; the {what} grew beyond")
    return parse_toml(data, label, str(path), what)


def parse_toml(data: bytes, label: str, shown: str, what: str = "file") -> dict:
    """Parse TOML ``data`` (a file's bytes, or an upload's); ``shown`` is the value errors quote."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(label, "(file)", shown, f"cannot read the {what}: UnicodeDecodeError: {exc}") from None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(label, "(syntax)", shown, f"not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(label, "(syntax)", shown, "not valid TOML here: nested too deeply") from None
    check_depth(parsed, label)
    return parsed


def check_depth(data: Any, label: str, limit: int = MAX_DEPTH) -> None:
    """Refuse tables or lists nested deeper than ``limit``; the error names where (without
    recursion, so any depth is measured safely)."""
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > limit:
            shown = ".".join(str(part) for part in path[:6])
            raise ScenarioError(label, f"{shown}...", f"{len(path)}+ levels",
                                f"tables and lists nested at most {limit} deep")
        if isinstance(node, dict):
            stack.extend((value, path + (key,)) for key, value in node.items())
        elif isinstance(node, (list, tuple)):
            stack.extend((value, path + (f"[{index}]",)) for index, value in enumerate(node))


class _NotData(OSError):
    """Not a regular file of data."""


def _check_kind(path: Path, info: os.stat_result, what: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise _NotData(f"{path} is a folder; the {what} must be a regular file")
    if not stat.S_ISREG(info.st_mode):
        raise _NotData(f"{path} is not a regular file (a device, pipe or socket); the {what} must be a regular file")
    kind = _file_system(info.st_dev)
    if kind in PSEUDO_FILE_SYSTEMS or (kind is None and _under_pseudo_root(path)):
        raise _NotData(f"{path} is a kernel file ({kind or 'a system folder'}), not data; "
                       f"the {what} must be a regular file on a disk")


def _file_system(device: int) -> str | None:
    """The type of the file system on ``device`` (Linux: from /proc/self/mountinfo), or None."""
    wanted = f"{os.major(device)}:{os.minor(device)}"
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as mounts:
            for line in mounts:
                fields = line.split()
                if len(fields) > 2 and fields[2] == wanted and " - " in line:
                    return line.split(" - ", 1)[1].split()[0]
    except OSError:
        return None
    return None


def _under_pseudo_root(path: Path) -> bool:
    resolved = os.path.realpath(path)
    return any(resolved == root or resolved.startswith(root + "/") for root in _PSEUDO_ROOTS)
