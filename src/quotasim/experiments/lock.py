"""One writer at a time in an experiment folder: an advisory lock that a killed holder cannot leave stuck.

The lock is ``fcntl.flock`` on ``DIR/sweep.lock``: the kernel releases it when the holding
process ends, however it ends (SIGKILL included), so a dead holder never blocks the next
sweep. The file also records the holder's process id, host and start time, for the message
a refused writer gets. Where ``flock`` is not supported (some network file systems), the
file is created exclusively instead and a holder whose process no longer exists on this
host is detected and replaced.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from ..results import OutputError

__all__ = ["FolderLock", "LOCK"]

LOCK = "sweep.lock"


class FolderLock:
    """``with FolderLock(folder, "sweep"):`` — or :class:`OutputError` naming the holder."""

    def __init__(self, folder: str | Path, purpose: str = "sweep") -> None:
        self.path = Path(folder) / LOCK
        self.purpose = purpose
        self._fd: int | None = None
        self._exclusive = False

    def acquire(self) -> FolderLock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"{self.path.parent}: cannot write there: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise OutputError(self._busy_message()) from None
            return self._acquire_exclusive()
        self._fd = fd
        os.ftruncate(fd, 0)
        os.write(fd, self._holder().encode())
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)       # closing releases the flock; the file stays (removing it would race)
            self._fd = None
        elif self._exclusive:
            self.path.with_suffix(".lock.excl").unlink(missing_ok=True)
            self._exclusive = False

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    # ------------------------------------------------------------- internals
    def _holder(self) -> str:
        return json.dumps({"pid": os.getpid(), "host": _hostname(), "purpose": self.purpose,
                           "since": datetime.now(UTC).isoformat(timespec="seconds")})

    def _read_holder(self) -> dict:
        try:
            holder = json.loads(self.path.read_text(encoding="utf-8")[:1000])
            return holder if isinstance(holder, dict) else {}
        except (OSError, ValueError):
            return {}

    def _busy_message(self) -> str:
        holder = self._read_holder()
        who = (f"{holder.get('purpose', 'a sweep')} by process {holder.get('pid')} on {holder.get('host')} since "
               f"{holder.get('since')}") if holder else "another process"
        return (f"{self.path.parent}: in use by {who}; one sweep at a time writes an experiment folder: wait for it "
                f"to end (or stop it), then run this command again")

    def _acquire_exclusive(self) -> FolderLock:
        """Without flock: create the file exclusively; replace it if its holder is dead."""
        for _ in range(2):
            try:
                fd = os.open(self.path.with_suffix(".lock.excl"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = self._read_holder()
                if holder.get("host") == _hostname() and not _alive(holder.get("pid")):
                    self.path.with_suffix(".lock.excl").unlink(missing_ok=True)   # a dead holder's
                    continue
                raise OutputError(self._busy_message()) from None
            with os.fdopen(fd, "w") as stream:
                stream.write(self._holder())
            self.path.write_text(self._holder())
            self._exclusive = True
            return self
        raise OutputError(self._busy_message())


def _hostname() -> str:
    import socket  # imported when first needed
    return socket.gethostname()


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
