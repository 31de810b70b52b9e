"""The command line as a user meets it: runs write their tables, bad input is a located error."""

from __future__ import annotations

import json
import os
import re
import stat

import pyarrow.parquet as pq
import pytest
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


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores")
def test_run_on_two_threads_writes_the_same_tables(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert runner.invoke(app, ["run", "--seed", "3", "--out", str(one), *SMALL]).exit_code == 0
    result = runner.invoke(app, ["run", "--seed", "3", "--threads", "2", "--out", str(two), *SMALL])
    assert result.exit_code == 0, result.output
    for name in ("monthly", "reviews", "officials"):
        assert pq.read_table(one / f"{name}.parquet").equals(pq.read_table(two / f"{name}.parquet")), name
    refused = runner.invoke(app, ["run", "--threads", "0", "--out", str(tmp_path / "zero"), *SMALL])
    assert refused.exit_code == 2 and "--threads" in refused.output


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


# ------------------------------------------------------------------ what a new analyst meets (issue 16)
def test_version_answers():
    from importlib import metadata
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"quotasim {metadata.version('quotasim')}"


def test_help_imports_nothing_heavy():
    # `quotasim --help` took 3 s when the CLI imported the report stack eagerly: the import of
    # the CLI module must not pull in NumPy, pandas, Numba or matplotlib.
    import subprocess
    import sys
    code = ("import sys, quotasim.cli; heavy = [m for m in ('numpy', 'pandas', 'numba', 'matplotlib', 'pyarrow') "
            "if m in sys.modules]; print(','.join(heavy) or 'none')")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert shown == "none"


def test_boolean_options_are_shown_as_flags():
    for command in ("explain", "run", "validate", "compare"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "<bool>" not in result.output, command
    assert re.search(r"^\s+--json\s+the same as --format json", runner.invoke(app, ["explain", "--help"]).output, re.M)


def test_scenarios_shows_full_descriptions_and_calendars():
    from quotasim.scenario import builtin_description, builtin_names
    table = runner.invoke(app, ["scenarios"])
    assert table.exit_code == 0
    for name in builtin_names():
        full = builtin_description(name, full=True)
        assert len(full) > 100 and full in table.output, name     # not cut mid-sentence
    rows = json.loads(runner.invoke(app, ["scenarios", "--format", "json"]).output)
    by_name = {row["name"]: row for row in rows}
    assert (by_name["decentralisation-2025"]["start"], by_name["decentralisation-2025"]["months"]) == ("2024-07", 30)
    assert (by_name["no-directive-2025"]["start"], by_name["no-directive-2025"]["months"]) == ("2024-07", 30)


def test_explain_json_parses_and_cites_sources_in_full():
    data = json.loads(runner.invoke(app, ["explain", "baseline", "--format", "json"]).output)
    assert data["scenario"] == "baseline" and len(data["parameters"]) > 100
    sources = {s["key"]: s for s in data["sources"]}
    assert {f"seed 00{i}" for i in range(5)} <= set(sources)
    assert sources["seed 001"]["outlet"].startswith("Radio Free Asia") and sources["seed 001"]["date"] == "2017-03-27"
    assert sources["seed 001"]["link"].startswith("https://www.rfa.org/")
    assert all(s["headline"] and s["outlet"] for s in data["sources"])
    m7 = next(m for m in data["mechanisms"] if m["mechanism"] == "M7")
    assert "North Korea Reduces Target Figures" in m7["citations"][0]


def test_piped_tables_are_never_truncated():
    # CliRunner's output is not a terminal, like a pipe: every key and meaning in full, no ellipsis.
    result = runner.invoke(app, ["explain"])
    assert "…" not in result.output and "unconditional_demands.raise_all" in result.output
    assert "population.n_overseas_workers" in result.output
    longest = max((row["meaning"] for row in quotasim_ledger()), key=len)
    assert longest in result.output
    assert "Radio Free Asia, Korean Service" in result.output


def quotasim_ledger():
    from quotasim import ledger, load_scenario
    return ledger(load_scenario("baseline"))


def test_explain_csv_has_one_section_per_table():
    import csv
    import io
    text = runner.invoke(app, ["explain", "--format", "csv"]).output
    sections = {part.split("\n", 1)[0]: part.split("\n", 1)[1] for part in text.strip().split("\n\n")}
    assert set(sections) == {"# mechanisms", "# parameters", "# sources"}
    params = list(csv.DictReader(io.StringIO(sections["# parameters"])))
    assert params[0]["parameter"] and len(params) == len(quotasim_ledger())


def test_run_prints_per_year_figures_in_one_number_format(tmp_path):
    result = runner.invoke(app, ["run", "--seed", "2", "--out", str(tmp_path / "r"), *SMALL])
    assert result.exit_code == 0, result.output
    assert re.search(r"state receipts\s+[\d,.]+ M\s+USD per year", result.output)
    assert re.search(r"median company attainment\s+[\d.]+ %", result.output)
    assert "e+" not in result.output
    data = json.loads(runner.invoke(app, ["run", "--seed", "2", "--out", str(tmp_path / "r"), "--format", "json",
                                          *SMALL]).stdout)
    figures = {row["name"]: row["value"] for row in data}
    from quotasim.results import RunResult  # noqa: F401  (the API the CLI prints)
    monthly = pq.read_table(tmp_path / "r" / "monthly.parquet")
    per_year = sum(monthly["state_receipts_usd"].to_pylist()) / (18 / 12)
    assert abs(figures["state_receipts_usd"] - per_year) <= 1e-6 * per_year


def test_an_unknown_format_is_refused_with_the_allowed_ones():
    result = runner.invoke(app, ["scenarios", "--format", "xml"])
    assert result.exit_code == 2 and "table, csv, json" in result.output


def test_number_format():
    from quotasim.display import number
    assert number(10_621) == "10,621" and number(10_621.4) == "10,621" and number(5.0) == "5.000" and number(5) == "5"
    assert number(1.0562e4, "number") == "10,562" and number(0.012345) == "0.01235" and number(7.2, "count") == "7"
    assert number(1_152_345_678, "usd") == "1,152 M" and number(-2_500_000, "usd", difference=True) == "-2.500 M"
    assert number(0.8960, "share") == "89.6 %" and number(0.0234, "share", difference=True) == "+2.34 pp"
    assert number(float("nan")) == "–" and number(None) == "–" and number(True) == "yes"


def test_sweep_command_prints_its_table_in_json(tmp_path):
    from experiment_specs import spec_dict, write_spec
    spec = write_spec(tmp_path, spec_dict(replications=1, design={"method": "lhs", "samples": 2}))
    result = runner.invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "sw"), "--workers", "1", "--quiet",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["quantity"]: row["value"] for row in json.loads(result.stdout)}
    assert rows["runs in the design"] == 2 and rows["finished now"] == 2 and rows["failed now"] == 0


def test_dashboard_command_serves_on_the_address_given(monkeypatch):
    import quotasim.dashboard
    calls = []
    monkeypatch.setattr(quotasim.dashboard, "serve", lambda *args, **kwargs: calls.append(args))
    result = runner.invoke(app, ["dashboard", "--port", "8123", "--workers", "1"])
    assert result.exit_code == 0 and "http://127.0.0.1:8123/" in result.output
    assert calls == [("127.0.0.1", 8123, 1, 900.0)]
    refused = runner.invoke(app, ["dashboard", "--host", "0.0.0.0", "--port", "8124"])
    assert refused.exit_code == 2 and "--public" in refused.output and "anyone who can reach" in refused.output
    exposed = runner.invoke(app, ["dashboard", "--host", "0.0.0.0", "--port", "8124", "--public"])
    assert exposed.exit_code == 0 and "anyone who can reach" in exposed.output
    assert calls[-1][:2] == ("0.0.0.0", 8124)
