"""``python -m benchmarks.against REV [--sizes 100000,1000000] [--months 120] [--rounds 2] [--threads 1]
[--kinds full,reduced]``.

The same measurements as ``python -m benchmarks`` (``benchmarks.probe``: the full model and
quotasim on the twin's rules, each in a fresh process), for this working tree and for the
commit REV side by side in one run, alternating between the two so that a change in the
machine's load falls on both. REV is checked out into a temporary git worktree; its own
``benchmarks/probe.py`` measures it. Prints each figure, the best of the rounds, and the
ratio of this tree to REV.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]


def probe(tree: Path, kind: str, officials: int, months: int, threads: int) -> dict:
    env = {**os.environ, "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree}"}
    out = subprocess.run([sys.executable, "-m", "benchmarks.probe", kind, str(officials), str(months), str(threads)],
                         cwd=tree, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.against", description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the commit to compare with, e.g. HEAD~5 or a hash")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=2, help="alternations of the two trees per measurement")
    parser.add_argument("--threads", type=int, default=1, help="threads of quotasim's compiled passes, both trees")
    parser.add_argument("--kinds", default="full,reduced", help="which of the full model and the twin's rules")
    args = parser.parse_args(argv)
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "rev"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.rev],
                       check=True, capture_output=True)
        try:
            table = Table(title=f"this tree against {args.rev}, {args.threads} thread(s), load average "
                                f"{os.getloadavg()[0]:.2f} at the start")
            for column in ("measure", "officials", args.rev, "this tree", "ratio"):
                table.add_column(column, justify="right")
            for officials in (int(size) for size in args.sizes.split(",")):
                for kind in args.kinds.split(","):
                    best: dict[str, dict] = {}
                    for _ in range(args.rounds):
                        for label, tree in (("rev", old), ("now", ROOT)):
                            figure = probe(tree, kind, officials, args.months, args.threads)
                            if label not in best or figure["steps_per_second"] > best[label]["steps_per_second"]:
                                best[label] = figure
                    before, after = best["rev"], best["now"]
                    table.add_row(f"{kind}: official-steps/s", f"{officials:,}", f"{before['steps_per_second']:,.0f}",
                                  f"{after['steps_per_second']:,.0f}",
                                  f"{after['steps_per_second'] / before['steps_per_second']:.2f}")
                    table.add_row(f"{kind}: peak bytes/official", f"{officials:,}",
                                  f"{before['peak_bytes_per_official']:,.0f}", f"{after['peak_bytes_per_official']:,.0f}",
                                  f"{after['peak_bytes_per_official'] / max(before['peak_bytes_per_official'], 1):.2f}")
            table.caption = f"load average {os.getloadavg()[0]:.2f} at the end; best of {args.rounds} rounds each"
            console.print(table)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], capture_output=True)


if __name__ == "__main__":
    main()
