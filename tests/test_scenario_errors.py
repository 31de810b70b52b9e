"""Bad scenario files, each answered with a clear, located error — never a traceback.

Every case writes a small file the way a user might get it wrong and checks, through the
Python API and the CLI, that the error names the file, the field path, the offending
value and what is allowed, and that the CLI exits with status 2 without a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

import quotasim
from quotasim.cli import app
from quotasim.errors import ScenarioWarning
from quotasim.scenario import MAX_MONTHS, get_parameter, parameter_field, set_parameter

runner = CliRunner()


@dataclass(frozen=True)
class Bad:
    kind: str
    text: str          # the file's contents
    field: str         # field path the message must name
    value: str         # the offending value as the message shows it
    allowed: str       # a phrase from the "what is allowed" part


CASES = [
    Bad("unknown top-level field", 'extends = "baseline"\nmonthz = 12\n', "monthz", "12", "unknown field"),
    Bad("unknown parameter in a mechanism", 'extends = "baseline"\n[ratchet]\nup_rat = 0.3\n',
        "ratchet.up_rat", "0.3", "unknown field"),
    Bad("unknown mechanism table", 'extends = "baseline"\n[ratchett]\nup_rate = 0.3\n', "ratchett", "up_rate",
        "unknown field"),
    Bad("wrong type", 'extends = "baseline"\nmonths = "ten"\n', "months", "'ten'", "valid integer"),
    Bad("wrong type in a switch", 'extends = "baseline"\n[levies]\nenabled = "no"\n', "levies.enabled", "'no'",
        "valid boolean"),
    Bad("negative count", 'extends = "baseline"\n[population]\nn_companies = -5\n', "population.n_companies", "-5",
        "greater than or equal to 1"),
    Bad("probability above 1", 'extends = "baseline"\n[frictions]\ncrackdown_rate = 1.5\n',
        "frictions.crackdown_rate", "1.5", "less than or equal to 1"),
    Bad("probability above 1 inside a list", 'extends = "baseline"\n[pipeline]\npass_rate = [0.6, 1.5, 0.6, 0.7]\n',
        "pipeline.pass_rate[1]", "1.5", "less than or equal to 1"),
    Bad("list too short", 'extends = "baseline"\n[pipeline]\nreject_rate = [0.1, 0.1]\n', "pipeline.reject_rate",
        "(0.1, 0.1)", "too few values"),
    Bad("unknown scenario name", 'extends = "no-such-scenario"\n', "extends", "'no-such-scenario'",
        "no built-in scenario has that name"),
    Bad("extends not a name", "extends = 5\n", "extends", "5", "name of a built-in scenario"),
    Bad("bad start date", 'extends = "baseline"\nstart = "2016-1"\n', "start", "'2016-1'", "YYYY-MM"),
    Bad("bad date in the timeline",
        'extends = "baseline"\n[[timeline]]\ndate = "2017-13"\nset = { "environment.border_closed" = true }\n',
        "timeline[0].date", "'2017-13'", "YYYY-MM"),
    Bad("timeline date before the start",
        'extends = "baseline"\n[[timeline]]\ndate = "2015-06"\nset = { "environment.border_closed" = true }\n',
        "timeline[0].date", "'2015-06'", "on or after the start"),
    Bad("timeline sets an unknown parameter",
        'extends = "baseline"\n[[timeline]]\ndate = "2017-01"\nset = { "environment.sanction_china" = 0.5 }\n',
        "timeline[0].set.environment.sanction_china", "0.5", "unknown parameter"),
    Bad("timeline changes the population",
        'extends = "baseline"\n[[timeline]]\ndate = "2017-01"\nset = { "population.n_companies" = 10 }\n',
        "timeline[0].set.population.n_companies", "10", "cannot change 'population'"),
    Bad("timeline value out of range",
        'extends = "baseline"\n[[timeline]]\ndate = "2017-01"\nset = { "environment.sanctions_china" = 1.5 }\n',
        "timeline[0].set.environment.sanctions_china", "1.5", "less than or equal to 1"),
    Bad("timeline is not a list of tables", 'extends = "baseline"\ntimeline = 5\n', "timeline", "5", "a list of [[timeline]] tables"),
    Bad("shares not adding up", 'extends = "baseline"\n[population]\ntier_shares = [0.5, 0.5, 0.5, 0.5]\n',
        "population.tier_shares", "[0.5, 0.5, 0.5, 0.5]", "add up to 1"),
    Bad("worker shares over one", 'extends = "baseline"\n[population]\nworker_share_china = 0.8\nworker_share_russia = 0.4\n',
        "population.worker_share_russia", "0.4", "at most 1"),
    Bad("unknown behaviour rule", 'extends = "baseline"\n[behaviour]\nrule = "greedy"\n', "behaviour.rule", "'greedy'",
        "'fixed', 'adaptive' or 'forward'"),
    Bad("too many months", f'extends = "baseline"\nmonths = {MAX_MONTHS + 1}\n', "months", str(MAX_MONTHS + 1),
        f"less than or equal to {MAX_MONTHS}"),
    Bad("TOML syntax error", 'extends = "baseline"\n[ratchet\nup_rate = 0.3\n', "(syntax)", "", "not valid TOML"),
]


def _write(tmp_path, text: str | bytes, name: str = "bad.toml"):
    path = tmp_path / name
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return path


def _assert_located(message: str, path, field: str, value: str, allowed: str) -> None:
    assert str(path) in message, f"file not named: {message}"
    assert f"{field} = " in message or f"{field}:" in message, f"field {field!r} not named: {message}"
    assert value in message, f"value {value!r} not shown: {message}"
    assert allowed in message, f"allowed {allowed!r} not said: {message}"
    assert "Traceback" not in message


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.kind)
def test_bad_file_gets_a_located_error(tmp_path, case: Bad):
    path = _write(tmp_path, case.text)
    with pytest.raises(quotasim.ScenarioError) as caught:
        quotasim.load_scenario(path)
    _assert_located(str(caught.value), path, case.field, case.value, case.allowed)


@pytest.mark.parametrize("case", CASES[:6], ids=lambda case: case.kind)
def test_cli_reports_bad_file_with_status_2(tmp_path, case: Bad):
    path = _write(tmp_path, case.text)
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 2
    _assert_located(result.output, path, case.field, case.value, case.allowed)
    assert not (tmp_path / "out").exists(), "a bad file must not start a run"


def test_missing_file(tmp_path):
    path = tmp_path / "absent.toml"
    with pytest.raises(quotasim.ScenarioError) as caught:
        quotasim.load_scenario(path)
    _assert_located(str(caught.value), path, "(file)", str(path), "cannot read the file")


def test_invalid_utf8(tmp_path):
    path = _write(tmp_path, b'name = "\xff\xfe"\n')
    with pytest.raises(quotasim.ScenarioError) as caught:
        quotasim.load_scenario(path)
    _assert_located(str(caught.value), path, "(file)", str(path), "UnicodeDecodeError")


def test_directory_instead_of_file(tmp_path):
    folder = tmp_path / "scenario.toml"
    folder.mkdir()
    with pytest.raises(quotasim.ScenarioError) as caught:
        quotasim.load_scenario(folder)
    _assert_located(str(caught.value), folder, "(file)", str(folder), "cannot read the file")


def test_circular_extends(tmp_path):
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text('extends = "b.toml"\n')
    second.write_text('extends = "a.toml"\n')
    with pytest.raises(quotasim.ScenarioError) as caught:
        quotasim.load_scenario(first)
    message = str(caught.value)
    assert "circular extends" in message and "a.toml" in message and "b.toml" in message


def test_extends_a_missing_file(tmp_path):
    path = _write(tmp_path, 'extends = "parent.toml"\n')
    with pytest.raises(quotasim.ScenarioError) as caught:
        quotasim.load_scenario(path)
    _assert_located(str(caught.value), path, "extends", "parent.toml", "cannot read the file")
    assert str(tmp_path / "parent.toml") in str(caught.value)


@pytest.mark.parametrize("override, field, allowed", [
    ("ratchet.up_rate", "--set", "expected dotted.name=value"),
    ("ratchet.up_rat=0.3", "ratchet.up_rat", "unknown parameter"),
    ("ratchet=0.3", "ratchet", "is a table"),
    ("ratchet.up_rate.x=1", "ratchet.up_rate.x", "is a value, not a table"),
    ("ratchet.up_rate=high", "ratchet.up_rate", "valid number"),
])
def test_bad_set_override(override, field, allowed):
    result = runner.invoke(app, ["run", "--set", override, "--quiet"])
    assert result.exit_code == 2
    assert field in result.output and allowed in result.output and "Traceback" not in result.output


def test_every_problem_in_a_file_is_listed_at_once(tmp_path):
    path = _write(tmp_path, 'extends = "baseline"\n[frictions]\ncrackdown_rate = 1.5\nseizure_rate = -1\n')
    with pytest.raises(quotasim.ScenarioError) as caught:
        quotasim.load_scenario(path)
    fields = [problem[1] for problem in caught.value.problems]
    assert fields == ["frictions.crackdown_rate", "frictions.seizure_rate"]


def test_empty_file_is_the_default_scenario(tmp_path):
    scenario = quotasim.load_scenario(_write(tmp_path, ""))
    assert scenario.months == 120 and scenario.ratchet.enabled


def test_one_helper_reads_and_writes_dotted_parameter_paths():
    scenario = quotasim.load_scenario("baseline")
    data = scenario.model_dump(mode="json")
    set_parameter(data, "ratchet.up_rate", 0.3)
    assert get_parameter(data, "ratchet.up_rate") == 0.3 == get_parameter(quotasim.load_scenario(data), "ratchet.up_rate")
    assert get_parameter(scenario, "population.n_companies") == scenario.population.n_companies
    assert parameter_field("ratchet.up_rate").annotation is float
    for dotted, reason in [("ratchet.up_rat", "unknown parameter 'up_rat' in ratchet"),
                           ("months.x", "'months' is a value, not a table"),
                           ("ratchet", "'ratchet' is a table; name one of its parameters")]:
        with pytest.raises(quotasim.ScenarioError) as caught:
            set_parameter(data, dotted, 1, label="spec.toml", field=f"parameters.{dotted}")
        file, field, value, allowed = caught.value.problems[0]
        assert (file, field, value) == ("spec.toml", f"parameters.{dotted}", 1) and reason in allowed


# ------------------------------------------------------------------ issue 16: one pass, suggestions, warnings, schema
def test_every_kind_of_problem_is_reported_in_one_pass(tmp_path):
    path = tmp_path / "many.toml"
    path.write_text('extends = "baseline"\nmonths = 12\n[ratchet]\nup_rat = 0.3\ndown_rate = 5\n'
                    '[population]\nworker_share_china = 0.8\nworker_share_russia = 0.5\n'
                    '[[timeline]]\ndate = "2015-01"\nset = { "environment.sanctions_chin" = 0.5 }\n'
                    '[[timeline]]\ndate = "2016-06"\nset = { "ratchet.up_rate" = 3 }\n')
    with pytest.raises(quotasim.ScenarioError) as caught:
        quotasim.load_scenario(path)
    fields = [field for _, field, _, _ in caught.value.problems]
    assert {"ratchet.up_rat", "ratchet.down_rate", "timeline[0].date", "timeline[0].set.environment.sanctions_chin"} <= set(fields)
    fixed = path.read_text().replace("up_rat =", "up_rate =").replace("down_rate = 5", "down_rate = 0.5") \
        .replace("sanctions_chin\"", "sanctions_china\"").replace("2015-01", "2016-02")
    path.write_text(fixed)
    with pytest.raises(quotasim.ScenarioError) as caught:        # the problems left, all at once again
        quotasim.load_scenario(path)
    fields = [field for _, field, _, _ in caught.value.problems]
    assert fields == ["timeline[1].set.ratchet.up_rate", "population.worker_share_russia"], fields


@pytest.mark.parametrize("source, misspelt, suggestion", [
    ('[ratchet]\nup_rat = 0.3\n', "up_rat", "did you mean 'up_rate'?"),
    ('[ratchett]\nup_rate = 0.3\n', "ratchett", "did you mean 'ratchet'?"),
    ('extends = "baselin"\n', "baselin", "did you mean 'baseline'?"),
    ('[[timeline]]\ndate = "2017-01"\nset = { "environment.sanctions_chna" = 0.5 }\n', "sanctions_chna",
     "did you mean 'sanctions_china'"),
])
def test_a_misspelt_key_gets_a_suggestion(tmp_path, source, misspelt, suggestion):
    path = tmp_path / "typo.toml"
    path.write_text(source)
    with pytest.raises(quotasim.ScenarioError) as caught:
        quotasim.load_scenario(path)
    assert misspelt in str(caught.value) and suggestion in str(caught.value) and str(path) in str(caught.value)


def test_a_misspelt_scenario_name_or_override_gets_a_suggestion():
    result = runner.invoke(app, ["run", "decentralisation-2052", "--quiet"])
    assert result.exit_code == 2 and "did you mean 'decentralisation-2025'?" in result.output
    result = runner.invoke(app, ["run", "--set", "defection.base_rat=0.1", "--quiet"])
    assert result.exit_code == 2 and "did you mean 'base_rate'?" in result.output


def test_a_timeline_entry_after_the_run_ends_is_warned_of(tmp_path):
    path = tmp_path / "late.toml"
    path.write_text('months = 12\n[[timeline]]\ndate = "2019-01"\nset = { "environment.sanctions_china" = 0.5 }\n')
    with pytest.warns(ScenarioWarning, match=r"timeline\[0\]\.date = '2019-01': after the run ends .*2016-12"):
        quotasim.load_scenario(path)
    result = runner.invoke(app, ["explain", str(path), "--format", "json"])
    assert result.exit_code == 0 and "warning:" in result.stderr and "after the run ends" in result.stderr
    json.loads(result.stdout)                                   # the warning does not spoil the JSON


def test_the_shipped_json_schema_is_generated_and_accepts_every_built_in_scenario():
    import tomllib
    from importlib import resources

    import jsonschema

    from quotasim.scenario import builtin_names, scenario_schema
    shipped = json.loads((resources.files("quotasim") / "data" / "scenario.schema.json").read_text())
    assert shipped == scenario_schema(), "regenerate: quotasim schema --out src/quotasim/data/scenario.schema.json"
    printed = runner.invoke(app, ["schema"])
    assert json.loads(printed.stdout) == shipped
    validator = jsonschema.Draft202012Validator(shipped)
    for name in builtin_names():
        data = tomllib.loads((resources.files("quotasim") / "scenarios" / f"{name}.toml").read_text())
        assert not list(validator.iter_errors(data)), name
    errors = {e.message for e in validator.iter_errors({"ratchet": {"up_rat": 0.3, "down_rate": 5}})}
    assert any("up_rat" in m for m in errors) and any("5" in m and "maximum" in m for m in errors)
    assert shipped["properties"]["ratchet"]["description"].startswith("M3:")
