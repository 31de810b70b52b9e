"""Docs that no longer match the code are bugs: every output column is documented."""

from __future__ import annotations

from pathlib import Path

import quotasim
from quotasim import columns

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
        assert set(table.column_names) == set(declared), set(table.column_names) ^ set(declared)
        for name in table.column_names:
            assert f"`{name}`" in text, name
            assert table.schema.field(name).metadata[b"description"], name


def test_issue_required_monthly_columns_exist():
    required = """month date earned_usd earned_china_usd earned_russia_usd earned_third_usd earned_domestic_usd
    remitted_usd levied_usd kept_by_officials_usd shared_upward_usd rents_usd lost_usd officials_active recalled
    arrested defected gave_up deals_started deals_completed deals_cancelled pipeline_backlog mean_partner_trust""".split()
    assert set(required) <= set(_small_run().monthly.column_names)


def test_model_doc_lists_every_phase():
    text = (DOCS / "model.md").read_text()
    for phase in quotasim.PHASES:
        assert f"`{phase.__name__}`" in text, phase.__name__


def test_outputs_page_is_generated_from_the_declarations():
    from quotasim import columns
    assert (DOCS / "outputs.md").read_text() == columns.markdown(), "run: python -m quotasim.columns > docs/outputs.md"


def test_validation_page_explains_every_check_and_target():
    import tomllib
    from importlib import resources

    from quotasim.validation import CHECKS
    text = (DOCS / "validation.md").read_text()
    assert "PLACEHOLDER" not in text
    for check in CHECKS:
        assert f"`{check.id}`" in text, check.id
    targets = tomllib.loads((resources.files("quotasim") / "targets" / "record.toml").read_text())
    for target in targets["target"]:
        assert target["name"] in text, target["name"]
