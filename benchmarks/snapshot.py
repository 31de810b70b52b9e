"""Bit-for-bit snapshot of what runs write, for refactors that must not change results.

``python -m benchmarks.snapshot save FILE`` runs every built-in scenario on seeds 0 and 1
(and the baseline under each behaviour rule) and stores a SHA-256 per table;
``python -m benchmarks.snapshot check FILE`` runs them again and names every table that
differs. Tables are hashed from their Arrow IPC bytes (schema with column descriptions
included); the manifest, which holds times, is not.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time

import pyarrow as pa

from quotasim.scenario import builtin_names, load_scenario
from quotasim.simulation import simulate

TABLES = ("monthly", "reviews", "officials")
SMALL = {"population.n_companies": 40, "population.n_trade_officials": 600, "population.n_overseas_workers": 3000}


def cases():
    for name in builtin_names():
        for seed in (0, 1):
            yield f"{name}/seed{seed}", load_scenario(name), seed
    for rule in ("fixed", "adaptive", "forward"):
        yield f"baseline-small-{rule}/seed2", load_scenario("baseline", {**SMALL, "behaviour.rule": rule}), 2


def table_digest(table: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def digests() -> dict[str, str]:
    out = {}
    for label, scenario, seed in cases():
        clock = time.perf_counter()
        result = simulate(scenario, seed=seed)
        for name in TABLES:
            out[f"{label}/{name}"] = table_digest(getattr(result, name))
        print(f"{label}: {time.perf_counter() - clock:.1f} s", file=sys.stderr)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("save", "check"):
        print(__doc__)
        return 2
    command, path = argv
    now = digests()
    if command == "save":
        with open(path, "w") as stream:
            json.dump(now, stream, indent=1, sort_keys=True)
        print(f"saved {len(now)} table digests to {path}")
        return 0
    with open(path) as stream:
        saved = json.load(stream)
    differ = sorted(k for k in saved if now.get(k) != saved[k])
    missing = sorted(set(now) ^ set(saved))
    for key in differ:
        print(f"DIFFERS {key}")
    for key in missing:
        print(f"NOT IN BOTH {key}")
    print(f"{len(saved) - len(differ)} of {len(saved)} tables identical")
    return 1 if differ or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
