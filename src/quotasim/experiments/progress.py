"""The sweep's progress bar: runs done of total, failed, runs per second, time left (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["SweepProgress"]


class _RunsPerSecond(ProgressColumn):
    """rich's speed estimate (a moving window), as runs per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- runs/s" if speed is None else f"{speed:.2f} runs/s", style="progress.data.speed")


class SweepProgress:
    """Start with the number of runs to do; advance once per finished run."""

    def __init__(self, console: Console | None = None, disable: bool = False) -> None:
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("runs · [red]{task.fields[failed]} failed[/]"), _RunsPerSecond(),
                                  TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                  console=console or Console(stderr=True), disable=disable)
        self._task: TaskID | None = None
        self.failed = 0

    def start(self, total: int, description: str) -> None:
        self._progress.start()
        self._task = self._progress.add_task(description, total=total, failed=0)

    def advance(self, ok: bool) -> None:
        if not ok:
            self.failed += 1
        assert self._task is not None, "start() comes before advance()"
        self._progress.update(self._task, advance=1, failed=self.failed)

    def stop(self) -> None:
        self._progress.stop()
