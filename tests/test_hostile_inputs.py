"""Reproductions of issue 17's hostile inputs, each now refused with a located error and exit
status 2 (or an HTTP 4xx with the message), or handled right (docs/reliability.md).

Inputs that hung or took quadratic time before run in a subprocess with a time limit, so
that a regression fails the test instead of stalling the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w
from experiment_specs import spec_dict
from typer.testing import CliRunner

import quotasim
from quotasim.calibration.targets import load_targets
from quotasim.cli import app
from quotasim.errors import ScenarioError
from quotasim.experiments.spec import load_spec
from quotasim.scenario import Scenario

TINY = ["--set", "population.n_companies=3", "--set", "population.n_trade_officials=20",
        "--set", "population.n_overseas_workers=10", "--months", "2", "--quiet"]


def cli(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def refused(*args: str, match: str) -> str:
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert match in result.output, result.output
    return result.output


def in_subprocess(code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter; a hang or a crawl fails the test after ``timeout``."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)


# ------------------------------------------------------------------ 2. linear loaders
def timeline_file(path: Path, entries: int, setting: str = '{ "environment.sanctions_china" = 0.5 }') -> Path:
    body = "".join(f'[[timeline]]\ndate = "2017-{1 + i % 12:02d}"\nset = {setting}\n' for i in range(entries))
    path.write_text('extends = "baseline"\n' + body)
    return path


def test_timeline_checks_grow_linearly_with_the_timeline(tmp_path, monkeypatch):
    """Count what is validated: the whole scenario once, then each entry's own groups (it was
    the whole scenario, timeline included, again for every entry: n x n entries)."""
    validated = []
    original = Scenario.model_validate.__func__

    def counting(cls, data, *args, **kwargs):
        if cls is Scenario and isinstance(data, dict):
            validated.append(len(data.get("timeline") or ()))
        return original(cls, data, *args, **kwargs)
    monkeypatch.setattr(Scenario, "model_validate", classmethod(counting))
    for entries in (100, 400):
        validated.clear()
        quotasim.load_scenario(timeline_file(tmp_path / f"t{entries}.toml", entries))
        assert sum(validated) <= 2 * entries, (entries, sum(validated))   # was about entries ** 2


@pytest.mark.parametrize("shape", ["empty entries", "entries that set a value"])
def test_a_256_kib_timeline_is_refused_or_loaded_at_once(tmp_path, shape):
    from quotasim.scenario import MAX_TIMELINE
    path = tmp_path / "long.toml"
    entry = "[[timeline]]\n" if shape == "empty entries" else \
        '[[timeline]]\ndate = "2017-01"\nset = { "environment.sanctions_china" = 0.5, "ratchet.up_rate" = 0.25 }\n'
    path.write_text('extends = "baseline"\n' + entry * ((256 * 1024 - 21) // len(entry)))
    assert 250 * 1024 < path.stat().st_size <= 256 * 1024
    done = in_subprocess(f"""
import time
from quotasim import load_scenario
from quotasim.errors import ScenarioError
clock = time.perf_counter()
try:
    outcome = f"loaded {{len(load_scenario({str(path)!r}).timeline)}}"
except ScenarioError as exc:
    outcome = str(exc)
print(f"{{time.perf_counter() - clock:.3f}}", outcome)""")
    seconds, outcome = done.stdout.split(" ", 1)
    assert float(seconds) < 5, done.stdout        # in practice about 0.3 s; it was minutes to an hour
    if shape == "empty entries":
        assert f"at most {MAX_TIMELINE:,} timeline entries" in outcome, outcome
    else:
        assert outcome.startswith("loaded"), outcome


# ------------------------------------------------------------------ 7. nesting, extends
@pytest.mark.parametrize("document", [
    "x" + ".x" * 5000 + " = 1\n",                          # dotted keys
    "[" + ".".join(["t"] * 5000) + "]\nv = 1\n",           # a table header
    "[ratchet]\nup_rate = { " + "a." * 5000 + "b = 1 }\n",  # a dotted key inside an inline table
], ids=["dotted key", "table header", "inline table"])
@pytest.mark.parametrize("kind", ["scenario", "spec", "targets"])
def test_deep_dotted_keys_are_a_located_error(tmp_path, document, kind):
    path = tmp_path / "deep.toml"
    path.write_text(document)
    load = {"scenario": quotasim.load_scenario, "spec": load_spec,
            "targets": lambda p: load_targets(p, quotasim.load_scenario("baseline"))}[kind]
    with pytest.raises(ScenarioError, match="nested at most 32 deep") as error:
        load(path)
    assert str(path) in str(error.value)


def test_a_deeply_nested_set_value_is_a_located_error():
    refused("explain", "baseline", "--set", "ratchet.up_rate={" + "a." * 5000 + "b = 1}", match="--set")


def test_an_extends_chain_1000_files_deep_is_refused(tmp_path):
    from quotasim.scenario import MAX_EXTENDS_DEPTH
    for index in range(1000):
        parent = f'extends = "f{index + 1}.toml"\n' if index < 999 else 'extends = "baseline"\n'
        (tmp_path / f"f{index}.toml").write_text(parent)
    output = refused("explain", str(tmp_path / "f0.toml"), match=f"at most {MAX_EXTENDS_DEPTH} files in an extends chain")
    assert "f0.toml" in output


@pytest.mark.parametrize("spelling", ["../loop/a.toml", "./a.toml", "../loop/../loop/./a.toml"])
def test_an_extends_loop_however_spelled_is_refused(tmp_path, spelling):
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "a.toml").write_text(f'extends = "{spelling}"\n')
    refused("explain", str(folder / "a.toml"), match="circular extends")


def test_a_two_file_loop_is_refused(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "sub/../b.toml"\n')
    (tmp_path / "b.toml").write_text(f'extends = "{tmp_path / "a.toml"}"\n')
    (tmp_path / "sub").mkdir()
    refused("explain", str(tmp_path / "a.toml"), match="circular extends")


@pytest.mark.parametrize("target", ["/proc/kmsg", "/proc/self/environ", "/sys/kernel/mm/transparent_hugepage/enabled"])
def test_kernel_files_are_refused_by_kind_and_never_read(tmp_path, target):
    if not os.path.exists(target):
        pytest.skip(f"{target} does not exist here")
    (tmp_path / "k.toml").write_text(f'extends = "{target}"\n')
    done = subprocess.run([sys.executable, "-m", "quotasim.cli", "explain", str(tmp_path / "k.toml")],
                          capture_output=True, text=True, timeout=60)       # /proc/kmsg hung for ever
    assert done.returncode == 2, done.stderr
    assert "is a kernel file" in done.stderr and "Traceback" not in done.stderr


# ------------------------------------------------------------------ 5. names never become paths
@pytest.mark.parametrize("name", ["/ABSOLUTE/ESCAPED", "../../../ESCAPED", "a\\u0000b", "n" * 5000, ".hidden", "..", ""])
def test_default_output_folders_stay_inside_out(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    toml_name = tomli_w.dumps({"v": name.replace("\\u0000", "\0")})[4:].strip()
    result = cli("run", "baseline", "--set", f"name={toml_name}", *TINY)
    assert result.exit_code == 0, result.output
    made = [path for path in tmp_path.rglob("manifest.json")]
    assert len(made) == 1 and made[0].parent.parent == tmp_path / "out", made
    assert len(made[0].parent.name) <= 120
    result = cli("run", "baseline", "--set", f"name={toml_name}", "--replications", "2", *TINY)
    assert result.exit_code == 0, result.output
    assert all(path.is_relative_to(tmp_path / "out") for path in tmp_path.rglob("manifest.json"))
    assert len(list(tmp_path.rglob("manifest.json"))) == 3


def test_the_calibrated_file_name_is_sanitised_too():
    from quotasim.cli import default_out
    assert default_out("/etc/../x\0y", "-calibrated.toml") == Path("out") / "_etc_.._x_y-calibrated.toml"
    assert default_out("", "-seed0") == Path("out") / "scenario-seed0"


# ------------------------------------------------------------------ 8. targets files
TARGET = {"name": "remitted", "statistic": "remitted_usd", "period": "2017", "value": 1e9, "tolerance": 0.2}
FREE = {"parameter": "ratchet.up_rate", "low": 0.1, "high": 0.9}


@pytest.mark.parametrize("change, match", [
    ({"free": {"low": 0.5, "high": 1.4}}, "free[0].high"),                 # midpoint 0.95 is within bounds
    ({"free": {"low": -1e308, "high": 1e308}}, "too wide to search"),
    ({"free": {"parameter": "other_sources.monthly_usd", "low": -1e308, "high": 1e308}}, "too wide to search"),
    ({"target": {"value": float("inf")}}, "finite"),
    ({"target": {"value": float("nan")}}, "finite"),
    ({"target": {"tolerance": float("inf")}}, "finite"),
    ({"free": {"low": float("-inf")}}, "finite"),
    ({"target": {"period": "2030"}}, "target[0].period"),
    ({"target": {"period": "2010-01..2016-06"}}, "within the run"),
])
def test_bad_targets_are_located_before_calibration(tmp_path, change, match):
    data = {"target": [{**TARGET, **change.get("target", {})}], "free": [{**FREE, **change.get("free", {})}]}
    path = tmp_path / "targets.toml"
    path.write_text(tomli_w.dumps(data))
    with pytest.raises(ScenarioError, match=match.replace("[", r"\[").replace("]", r"\]")) as error:
        load_targets(path, quotasim.load_scenario("history-2016-2025"))
    assert str(path) in str(error.value)


# ------------------------------------------------------------------ 9. output safety and smaller faults
def test_run_out_over_a_folder_holding_a_users_tables_is_refused(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "monthly.parquet").write_bytes(b"the user's own table")
    refused("run", "baseline", "--out", str(out), *TINY, match="no manifest.json")
    assert (out / "monthly.parquet").read_bytes() == b"the user's own table"
    assert cli("run", "baseline", "--out", str(out), "--overwrite", *TINY).exit_code == 0


@pytest.fixture(scope="module")
def a_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "r"
    assert cli("run", "baseline", "--out", str(out), *TINY).exit_code == 0
    return out


def test_report_figures_of_another_report_are_not_silently_replaced(a_run, tmp_path):
    figures = tmp_path / "x_figures"
    figures.mkdir()
    (figures / "trajectories.png").write_bytes(b"an earlier figure")
    refused("report", str(a_run), "-o", str(tmp_path / "x.html"), match="x_figures")
    assert (figures / "trajectories.png").read_bytes() == b"an earlier figure"
    assert not (tmp_path / "x.html").exists()


def test_report_figures_folder_that_is_a_file_is_refused(a_run, tmp_path):
    (tmp_path / "x_figures").write_text("a file")
    refused("report", str(a_run), "-o", str(tmp_path / "x.html"), "--overwrite", match="is not a folder")


@pytest.mark.parametrize("override, field", [("ratchet.up_rate=5", "ratchet.up_rate"),
                                             ("population.tier_shares=[0.5, 0.5]", "population.tier_shares"),
                                             ('start="9999-12"', "start")])
def test_set_problems_are_blamed_on_set_not_the_built_in_file(override, field):
    output = refused("explain", "baseline", "--set", override, match=f"--set: {field}")
    assert "built-in scenario" not in output


@pytest.mark.parametrize("change, field", [
    ({"seed": True}, "seed"), ({"replications": True}, "replications"), ({"common_random_numbers": "yes"},
                                                                          "common_random_numbers"),
    ({"max_runs": True}, "max_runs"), ({"months": True}, "months"), ({"outputs": {"reviews": 1}}, "outputs.reviews"),
    ({"design": {"method": "lhs", "samples": True}}, "design.lhs.samples"),
    ({"parameters": {"ratchet.up_rate": {"low": False, "high": 1}}}, "parameters.ratchet.up_rate.low"),
])
def test_specs_refuse_booleans_for_numbers_and_text_for_switches(tmp_path, change, field):
    path = tmp_path / "spec.toml"
    path.write_text(tomli_w.dumps(spec_dict(**change)))
    with pytest.raises(ScenarioError, match=field) as error:
        load_spec(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize("start, months", [("9999-12", 2), ("9999-01", 13), ("9990-01", 1200)])
def test_the_calendar_ends_in_9999(start, months):
    refused("explain", "baseline", "--set", f'start="{start}"', "--set", f"months={months}", match="9999-12")


def test_the_last_month_of_the_calendar_is_allowed(tmp_path):
    out = tmp_path / "end"
    assert cli("run", "baseline", "--set", 'start="9999-11"', *TINY, "--out", str(out)).exit_code == 0
    import pyarrow.parquet as pq
    dates = pq.read_table(out / "monthly.parquet")["date"].to_pylist()
    assert [(d.year, d.month) for d in dates] == [(9999, 11), (9999, 12)]


def test_a_kernel_file_given_as_a_sweep_spec_is_refused_without_reading_it(tmp_path):
    target = "/proc/kmsg" if os.path.exists("/proc/kmsg") else "/proc/self/environ"
    done = subprocess.run([sys.executable, "-m", "quotasim.cli", "sweep", target, "--out", str(tmp_path / "x")],
                          capture_output=True, text=True, timeout=60)       # the spec's text was read first
    assert done.returncode == 2 and "is a kernel file" in done.stderr, done.stderr
    assert not (tmp_path / "x").exists()
