"""Docs that no longer match the code are bugs: every output column is documented."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import quotasim
from quotasim import columns
from quotasim.experiments import load_spec, query, run_sweep

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _small_run():
    scenario = quotasim.load_scenario("baseline", ["population.n_companies=10", "population.n_trade_officials=100",
                                                   "population.n_overseas_workers=300", "months=12"])
    return quotasim.simulate(scenario, seed=0)


def test_every_output_column_is_declared_and_in_the_docs():
    result = _small_run()
    text = (DOCS / "outputs.md").read_text()
    for table, declared in ((result.monthly, columns.MONTHLY), (result.reviews, columns.REVIEWS),
                            (result.officials, columns.OFFICIALS)):
        assert table.column_names == list(declared.outputs()), set(table.column_names) ^ set(declared.outputs())
        for name in table.column_names:
            assert f"`{name}`" in text, name
            assert table.schema.field(name).metadata[b"description"], name


def test_issue_required_monthly_columns_exist():
    required = """month date earned_usd earned_china_usd earned_russia_usd earned_third_usd earned_domestic_usd
    remitted_usd levied_usd kept_by_officials_usd shared_upward_usd rents_usd lost_usd officials_active recalled
    arrested defected gave_up deals_started deals_completed deals_cancelled pipeline_backlog mean_partner_trust""".split()
    assert set(required) <= set(_small_run().monthly.column_names)


def test_model_doc_schedule_is_generated_from_the_phases_declarations():
    from quotasim.engine import schedule_markdown
    text = (DOCS / "model.md").read_text()
    block = text.split("<!-- schedule:start -->\n", 1)[1].split("<!-- schedule:end -->", 1)[0]
    assert block == schedule_markdown(), "regenerate the table with quotasim.engine.schedule_markdown()"
    for phase in quotasim.PHASES:
        assert f"`{phase.__name__}`" in block, phase.__name__


def test_every_mechanism_is_carried_by_a_phase():
    from quotasim.engine import PHASES
    from quotasim.phases import mechanisms_of
    from quotasim.scenario import MECHANISM_GROUPS
    carried = {mid for phase in PHASES for mid in mechanisms_of(phase)}
    declared = {group.MECHANISM for group in MECHANISM_GROUPS.values()}
    assert declared - carried == set(), "mechanisms no phase declares"
    assert carried <= declared


def test_outputs_page_is_generated_from_the_declarations():
    from quotasim import columns
    # Generated above the timings (measured, so appended by hand after regenerating).
    generated = (DOCS / "outputs.md").read_text().split("\n## Timings on this machine\n")[0]
    assert generated == columns.markdown(), "run: python -m quotasim.columns > docs/outputs.md, then restore its timings"


def test_an_undeclared_flow_is_an_error_not_a_silent_zero():
    import pytest

    from quotasim.state import Flows, UndeclaredFlowError
    flows = Flows()
    flows.add("remitted_usd", 2.5)
    assert flows.get("remitted_usd") == 2.5
    with pytest.raises(UndeclaredFlowError):
        flows.add("remited_usd", 1.0)
    with pytest.raises(UndeclaredFlowError):
        flows.get("high_performer")


def test_validation_page_explains_every_check_and_target():
    from importlib import resources

    from quotasim.validation import CHECKS
    text = (DOCS / "validation.md").read_text()
    assert "PLACEHOLDER" not in text
    for check in CHECKS:
        assert f"`{check.id}`" in text, check.id
    targets = tomllib.loads((resources.files("quotasim") / "targets" / "record.toml").read_text())
    for target in targets["target"]:
        assert target["name"] in text, target["name"]


def test_the_directive_sweep_and_its_query_in_the_validation_page_run(tmp_path):
    """docs/validation.md's sweep of the share taken upward, shrunk, answers its own query:
    one row per share, and the lower tier's attainment falls as more is taken (M28)."""
    root = DOCS.parent
    text = (DOCS / "validation.md").read_text()
    spec_file = re.search(r"quotasim sweep (experiments/\S+\.toml)", text).group(1)
    data = tomllib.loads((root / spec_file).read_text())
    assert data["scenario"] == "decentralisation-2025" and data["common_random_numbers"]
    data.update(replications=2, set={"population.n_companies": 20, "population.n_trade_officials": 200,
                                     "population.n_overseas_workers": 2000},
                parameters={"indirect_collaboration.profit_share_taken": {"values": [0.0, 0.8]}})
    run_sweep(load_spec(data), tmp_path / "out", workers=1)
    sql = re.search(r'quotasim query out/directive-profit-share "(.*?)"\n```', text, re.S).group(1).replace('\\"', '"')
    table = query(tmp_path / "out", sql)
    assert list(table["share"]) == [0.0, 0.8]
    assert table["lower_attainment"].iloc[1] < table["lower_attainment"].iloc[0] - 0.2
    # What is handed up is income of the fronting first-tier companies, which hand the state their
    # share of it (M28, issue 13): the state's receipts no longer fall with the share taken upward.
    assert table["receipts_musd"].notna().all()


def test_odd_parameter_tables_are_generated_from_the_declarations():
    """docs/odd.md's submodel parameter tables are the declarations, and every ODD section is there."""
    from quotasim.explain import parameters_markdown
    from quotasim.scenario import MECHANISM_GROUPS
    text = (DOCS / "odd.md").read_text()
    block = text.split("<!-- parameters:start -->\n", 1)[1].split("<!-- parameters:end -->", 1)[0]
    assert block == parameters_markdown(), "regenerate with quotasim.explain.parameters_markdown()"
    for key, group in MECHANISM_GROUPS.items():
        assert f"{group.MECHANISM} `{key}`" in block, key
        for name in group.model_fields:
            assert f"| `{name}` |" in block, f"{key}.{name}"
    for section in ("Purpose and patterns", "Entities, state variables and scales", "Process overview",
                    "Design concepts", "Individual decision-making", "Learning", "Sensing", "Interaction",
                    "Emergence versus imposition", "Stochasticity", "Observation", "Initialisation",
                    "Input data", "Submodels"):
        assert section in text, section


def test_the_docs_build_as_a_site_in_strict_mode(tmp_path):
    """mkdocs.yml: a broken link, a missing page or a page left out of the nav fails the build."""
    import os
    import subprocess
    import sys
    root = DOCS.parent
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml"),
                            "-d", str(tmp_path / "site")], capture_output=True, text=True, cwd=root,
                           env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert built.returncode == 0, built.stderr
    pages = {p.name for p in DOCS.glob("*.md")}
    assert all((tmp_path / "site" / (name[:-3] if name != "index.md" else "") / "index.html").is_file() for name in pages)
    assert (tmp_path / "site" / "figures" / "report-compare-top.png").is_file()


def test_every_page_gives_timings_with_the_load_they_ran_under():
    """Times a new user can compare with their own: each page's commands, wall time and load average."""
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text()
        assert "## Timings on this machine" in text, page.name
        rows = re.findall(r"^\| `([^`]+)` \| ([\d,.]+) s \| ([\d.]+) \| (\d+) \|$", text.split("## Timings on this machine")[1],
                          re.M)
        assert rows, page.name
        for command, seconds, load, _ in rows:
            assert float(seconds.replace(",", "")) > 0 and float(load) >= 0, (page.name, command)
            words = command.split(" (")[0].replace("out/", "").split()
            assert words[0] in ("quotasim", "python"), (page.name, command)
