"""The command line as a user meets it: runs write their tables, bad input is a located error."""

from __future__ import annotations

import json
import os
import re
import stat

import pyarrow.parquet as pq
from typer.testing import CliRunner

from quotasim.cli import app

SMALL = ["--set", "population.n_companies=20", "--set", "population.n_trade_officials=200",
         "--set", "population.n_overseas_workers=800", "--months", "18", "--quiet"]
runner = CliRunner()


def test_run_writes_tables_and_manifest(tmp_path):
    result = runner.invoke(app, ["run", "baseline", "--seed", "4", "--out", str(tmp_path / "r"), *SMALL])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["seed"] == 4 and manifest["months"] == 18 and len(manifest["scenario_hash"]) == 64
    monthly = pq.read_table(tmp_path / "r" / "monthly.parquet")
    assert monthly.num_rows == 18
    assert set(manifest["files"]) == {"monthly.parquet", "reviews.parquet", "officials.parquet", "scenario.toml"}
    assert "tables written to" in result.output


def test_written_files_get_the_umask_permissions_not_the_temporary_files(tmp_path):
    # Atomic writes go through a private (0600) temporary file; the result must be readable
    # by whoever the user's umask lets read new files.
    umask = os.umask(0o022)
    os.umask(umask)
    assert runner.invoke(app, ["run", "--seed", "1", "--out", str(tmp_path / "r"), *SMALL]).exit_code == 0
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (tmp_path / "r").iterdir()}
    assert modes and all(mode == 0o666 & ~umask for mode in modes.values()), modes


def test_rerun_into_another_runs_folder_is_refused_and_keeps_results(tmp_path):
    out = str(tmp_path / "r")
    assert runner.invoke(app, ["run", "--seed", "1", "--out", out, *SMALL]).exit_code == 0
    before = (tmp_path / "r" / "monthly.parquet").read_bytes()
    refused = runner.invoke(app, ["run", "--seed", "2", "--out", out, *SMALL])
    assert refused.exit_code == 2
    assert "already holds results of another run" in refused.output
    assert (tmp_path / "r" / "monthly.parquet").read_bytes() == before


def test_written_scenario_reproduces_the_run(tmp_path):
    out1, out2 = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, ["run", "--seed", "7", "--out", str(out1), *SMALL]).exit_code == 0
    rerun = runner.invoke(app, ["run", str(out1 / "scenario.toml"), "--seed", "7", "--out", str(out2), "--quiet"])
    assert rerun.exit_code == 0, rerun.output
    assert pq.read_table(out1 / "monthly.parquet").equals(pq.read_table(out2 / "monthly.parquet"))


def test_explain_lists_all_thirty_mechanisms():
    result = runner.invoke(app, ["explain", "baseline", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert sorted({int(m["mechanism"][1:]) for m in data["mechanisms"]}) == list(range(1, 31))
    cited = {row["mechanism"] for row in data["parameters"] if row["mechanism"]}
    assert cited == {f"M{i}" for i in range(1, 31)}
    assert all(row["unit"] for row in data["parameters"])


def test_explain_table_shows_ids():
    result = runner.invoke(app, ["explain"])
    assert result.exit_code == 0
    assert set(re.findall(r"\bM(\d+)\b", result.output)) >= {str(i) for i in range(1, 31)}


def test_scenarios_lists_baseline():
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0 and "baseline" in result.output


def test_bad_override_is_a_located_error_not_a_traceback():
    result = runner.invoke(app, ["run", "--set", "defection.base_rate=3", "--quiet"])
    assert result.exit_code == 2
    assert "defection.base_rate" in result.output and "less than or equal to 1" in result.output
    assert "Traceback" not in result.output


def test_unknown_scenario_names_the_built_in_ones():
    result = runner.invoke(app, ["run", "no-such-scenario", "--quiet"])
    assert result.exit_code == 2
    assert "baseline" in result.output and "not a built-in scenario" in result.output
