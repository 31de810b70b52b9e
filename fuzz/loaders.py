"""Coverage-guided fuzzing of the input loaders with atheris (libFuzzer for Python).

    QUOTASIM_FUZZ_TARGET=scenario python fuzz/loaders.py CORPUS_DIR [-runs=N] [-max_total_time=S]
    QUOTASIM_FUZZ_TARGET=spec     python fuzz/loaders.py CORPUS_DIR

Each input is written to a file and loaded as a scenario (or an experiment spec). The only
exception allowed out of a loader is ``ScenarioError`` naming the file; anything else is a
crash that libFuzzer reports with the input that caused it. Seed the corpus with the
shipped files (``src/quotasim/scenarios/*.toml``, ``experiments/*.toml``) so that fuzzing
starts from valid structure. ``tests/test_fuzz_inputs.py`` runs it for a bounded number of
inputs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["quotasim", "tomllib"]):
    import quotasim
    from quotasim.errors import ScenarioError
    from quotasim.experiments.spec import load_spec

TARGET = os.environ.get("QUOTASIM_FUZZ_TARGET", "scenario")
LOAD = {"scenario": quotasim.load_scenario, "spec": load_spec}[TARGET]
INPUT = Path(tempfile.mkdtemp(prefix="quotasim-fuzz-", dir=os.environ.get("QUOTASIM_FUZZ_DIR"))) / "input.toml"


def test_one_input(data: bytes) -> None:
    INPUT.write_bytes(data)
    try:
        LOAD(INPUT)
    except ScenarioError as exc:
        if str(INPUT) not in str(exc):
            raise AssertionError(f"an error that does not name the file: {exc}") from None


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
