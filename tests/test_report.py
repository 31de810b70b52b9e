"""The HTML report, `quotasim report` and `quotasim compare`: figures carry data, bands hold
their centre, the ledger is complete, the file needs nothing from outside, comparisons find
no difference where there is none and the decentralisation's where the reports put it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from experiment_specs import spec_dict
from matplotlib.collections import PolyCollection
from matplotlib.patches import Rectangle
from typer.testing import CliRunner

import quotasim
from quotasim.cli import app
from quotasim.experiments import load_spec, run_sweep
from quotasim.report import ReportError, build_report, compare_sets, replicate, run_sets, write_replications
from quotasim.report.bands import band
from quotasim.report.compare import calendar_caution

SMALL = {"population.n_companies": 20, "population.n_trade_officials": 200, "population.n_overseas_workers": 200}
runner = CliRunner()


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def replications(tmp_path_factory):
    """Four replications of a small baseline, written as `quotasim run --replications 4` does."""
    out = tmp_path_factory.mktemp("reps") / "baseline"
    result = runner.invoke(app, ["run", "baseline", "--replications", "4", "--months", "24", "--out", str(out), "--quiet",
                                 *[a for k, v in SMALL.items() for a in ("--set", f"{k}={v}")]])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def run_report(replications, tmp_path_factory):
    return build_report([replications], tmp_path_factory.mktemp("report") / "report.html")


@pytest.fixture(scope="module")
def sweep_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    spec = spec_dict(months=12, design={"method": "lhs", "samples": 6},
                     set={**SMALL, "population.n_companies": 12, "population.n_trade_officials": 60},
                     parameters={"ratchet.up_rate": {"low": 0.0, "high": 1.0},
                                 "pressure.gap_weight": {"low": 0.0, "high": 3.0},
                                 "behaviour.rule": {"values": ["fixed", "adaptive"]}},
                     outputs={"monthly": "all", "reviews": True})
    run_sweep(load_spec(spec), folder / "sw", workers=1)
    return build_report([folder / "sw"], folder / "sweep.html")


# ------------------------------------------------------------------ helpers
def _axes_carry_data(ax) -> bool:
    lines = any(np.isfinite(np.asarray(line.get_ydata(), float)).sum() > 1 for line in ax.get_lines())
    bars = any(p.get_height() > 0 and p.get_width() > 0 for p in ax.patches if isinstance(p, Rectangle))
    return lines or bars


def _assert_figures_carry_data(report):
    assert report.figures
    for name, figure in report.figures.items():
        shown = [ax for ax in figure.axes if ax.get_visible()]
        assert shown, name
        empty = [ax.get_title() for ax in shown if not _axes_carry_data(ax)]
        assert not empty, f"{name}: empty axes {empty}"


def _inline_svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)


# ------------------------------------------------------------------ the report of replications
def test_every_figure_of_a_replications_report_carries_data(run_report):
    assert set(run_report.figures) == {"money", "attainment", "exits", "pipeline", "tiers"}
    _assert_figures_carry_data(run_report)


def test_bands_contain_the_centre_line_in_every_figure(run_report):
    checked = 0
    for figure in run_report.figures.values():
        for ax in figure.axes:
            polys = [c for c in ax.collections if isinstance(c, PolyCollection)]
            lines = [line for line in ax.get_lines() if len(line.get_xdata()) > 1 and not line.get_label().startswith("_")]
            per = len(polys) // len(lines) if lines else 0    # the spread between runs and the interval of the mean
            for poly, line in [(p, line) for k, line in enumerate(lines) for p in polys[k * per:(k + 1) * per]]:
                vertices = poly.get_paths()[0].vertices
                for x, y in zip(line.get_xdata(), line.get_ydata()):
                    at_x = vertices[np.isclose(vertices[:, 0], x), 1]
                    assert at_x.min() - 1e-9 <= y <= at_x.max() + 1e-9
                    checked += 1
    assert checked > 100


def test_band_is_the_mean_and_its_t_interval_over_replications():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"seed": np.repeat(np.arange(5), 4), "month": np.tile(np.arange(4), 5),
                          "v": rng.normal(10, 2, 20)})
    b = band(frame, "v")
    means = frame.groupby("month")["v"].mean().to_numpy()
    assert np.allclose(b.centre, means)
    from scipy import stats
    for m in range(4):
        interval = stats.t.interval(0.95, 4, loc=means[m], scale=stats.sem(frame[frame.month == m]["v"]))
        assert np.isclose(b.low[m], interval[0]) and np.isclose(b.high[m], interval[1])
    assert np.all(b.low < b.centre) and np.all(b.centre < b.high)
    for m in range(4):                                   # and the spread between runs: the middle 90 %
        values = frame[frame.month == m]["v"]
        assert np.isclose(b.spread_low[m], values.quantile(0.05)) and np.isclose(b.spread_high[m], values.quantile(0.95))
    spread = band(frame, "v", kind="range")
    assert np.all(spread.low <= spread.centre) and np.all(spread.centre <= spread.high)


def test_differences_are_paired_over_common_seeds_and_welch_otherwise():
    from scipy import stats

    from quotasim.report.bands import difference
    rng = np.random.default_rng(5)
    a, b = rng.normal(3, 1, 6), rng.normal(1, 2, 6)
    paired, is_paired = difference(dict(enumerate(a)), dict(enumerate(b)))
    expected = stats.ttest_rel(a, b).confidence_interval(0.95)
    assert is_paired and np.isclose(paired.low, expected.low) and np.isclose(paired.high, expected.high)
    welch, is_paired = difference(dict(enumerate(a)), {10 + i: v for i, v in enumerate(b)})
    expected = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert not is_paired and np.isclose(welch.low, expected.low) and np.isclose(welch.high, expected.high)
    constant, _ = difference({0: 2.0, 1: 2.0}, {5: 1.0, 6: 1.0})
    assert constant.low == constant.high == constant.mean == 1.0


def test_report_is_self_contained_with_one_inline_svg_per_figure(run_report):
    html = run_report.path.read_text()
    assert not re.search(r"<script[^>]*\bsrc\s*=", html) and "@import" not in html   # scripts inline only
    assert html.count("Plotly.newPlot(") >= 1 and '<div class="interactive" data-name="money">' in html
    assert html.index("<script") < html.index("</head>")                          # plotly.js once, before any figure
    page = re.sub(r"<script.*?</script>", "", html, flags=re.S)                  # the page, without plotly.js
    # Nothing fetched from elsewhere (the citations' links are links a reader may follow, not resources).
    assert not re.search(r"""(src\s*=|<link[^>]*href\s*=)\s*["']?(https?:)?//""", page)
    assert not re.search(r"url\(\s*['\"]?(?!#)", page)          # only references inside the file: url(#clip)
    svgs = _inline_svgs(page)
    assert len(svgs) == len(run_report.figures)
    for svg in svgs:
        root = ET.fromstring(svg)
        drawn = [p.get("d", "") for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("clip-path")]
        assert any(d.count("L") > 1 for d in drawn)   # a clipped data path of more than two points
    for name in run_report.figures:
        for suffix in ("png", "svg"):
            assert (run_report.figures_dir / f"{name}.{suffix}").stat().st_size > 1000


def test_ledger_appendix_lists_every_parameter_quotasim_explain_lists(run_report, replications):
    listed = runner.invoke(app, ["explain", str(replications / "rep-000" / "scenario.toml"), "--json"])
    assert listed.exit_code == 0, listed.output
    parameters = json.loads(listed.output)["parameters"]
    html = run_report.path.read_text()
    rows = dict(re.findall(r'<tr data-parameter="([^"]+)"[^>]*>\s*<td><code>[^<]*</code></td><td class="num">([^<]*)</td>',
                           html))
    assert set(rows) == {p["parameter"] for p in parameters}
    assert rows["population.n_trade_officials"] == "200"     # the value in force, not the default


def test_headline_table_has_intervals_over_the_replications(run_report):
    html = run_report.path.read_text()
    assert "4 replication(s), seeds 0, 1, 2, 3" in html
    row = re.search(r'<tr data-metric="earned_usd per year"><td[^>]*>earned</td><td>USD M per year</td>\s*'
                    r'<td class="num">([\d.,]+) M</td>\s*<td class="num">([\d.,]+) M to ([\d.,]+) M</td>\s*'
                    r'<td class="num">([\d.,]+) M to ([\d.,]+) M</td>', html)
    mean, low, high, spread_low, spread_high = (float(g.replace(",", "")) for g in row.groups())
    assert low < mean < high and spread_low < mean < spread_high
    # The report leads with the key figures, then the detail; both kinds of uncertainty are named.
    assert html.index('id="key-figures"') < html.index('id="detail"') < html.index('id="money"')
    assert "95 % interval of the mean" in html and "middle 90 % of replications" in html


def test_folders_of_two_scenarios_make_a_side_by_side_report(replications, tmp_path):
    other = quotasim.load_scenario(str(replications / "rep-000" / "scenario.toml"), {"ratchet.up_rate": 0.95})
    write_replications(replicate(other, 2, seed=20), tmp_path / "steeper")
    report = build_report([replications, tmp_path / "steeper"], tmp_path / "both.html")
    assert "differences" in report.figures
    _assert_figures_carry_data(report)
    earned = report.figures["money"].axes[0]
    assert len([line for line in earned.get_lines() if len(line.get_xdata()) > 1]) == 2   # one line per scenario
    assert not report.differences["paired"].any()        # seeds 0-3 against 20-21: Welch's interval
    assert set(report.differences["scenario"]) == {"baseline (steeper)"}


def test_scenarios_are_drawn_on_the_calendar_even_when_their_calendars_differ():
    from quotasim.report.figures import Trajectories, money

    def runs(start, later):
        return Trajectories(start, pd.DataFrame({"seed": [0, 0, 1, 1], "month": [0, 1, 0, 1], "earned_usd": [1.0, 2, 3, 4],
                                                 "date": [start, later, start, later]}), None)
    apart = money([runs("2016-01", "2016-02"), runs("2016-02", "2016-03")]).axes[0]
    assert "different periods" in apart.get_xlabel()
    xs = [list(line.get_xdata()) for line in apart.get_lines() if len(line.get_xdata()) > 1]
    assert xs[0][1] == xs[1][0]                       # 2016-02 is one x for both, not "month 1" against "month 0"
    together = money([runs("2016-01", "2016-02"), runs("2016-01", "2016-02")]).axes[0]
    assert [t.get_text() for t in together.get_xticklabels()] == ["2016-01", "2016-02"] and not together.get_xlabel()


# ------------------------------------------------------------------ the report of a sweep
def test_sweep_report_has_the_sensitivity_figure_and_every_figure_carries_data(sweep_report):
    assert {"money", "attainment", "exits", "pipeline", "tiers", "sensitivity"} <= set(sweep_report.figures)
    _assert_figures_carry_data(sweep_report)
    table = sweep_report.sensitivity
    assert set(table["parameter"]) == {"ratchet.up_rate", "pressure.gap_weight"}   # the list parameter is not ranked
    assert ((table["low"] <= table["rho"]) & (table["rho"] <= table["high"])).all()
    html = sweep_report.path.read_text()
    assert "Not ranked" in html and "behaviour.rule" in html
    assert re.search(r'<tr data-parameter="ratchet.up_rate" class="varied">', html)


def test_a_sweep_that_kept_few_columns_and_no_reviews_gets_only_the_figures_it_can_fill(tmp_path):
    spec = load_spec(spec_dict(months=6, design={"method": "lhs", "samples": 5}))   # 4 monthly columns, no reviews
    run_sweep(spec, tmp_path / "sw", workers=1)
    report = build_report([tmp_path / "sw"], tmp_path / "few.html")
    assert set(report.figures) == {"money", "sensitivity"}
    _assert_figures_carry_data(report)
    assert [ax.get_title() for ax in report.figures["money"].axes if ax.get_visible()] == ["earned",
                                                                                           "remitted to the state"]


# ------------------------------------------------------------------ compare
def _small(name: str, months: int):
    return quotasim.load_scenario(name, {**SMALL, "population.n_companies": 40, "population.n_trade_officials": 400,
                                         "population.n_overseas_workers": 400, "months": months})


def test_a_scenario_compared_with_itself_differs_by_nothing():
    scenario = _small("baseline", 12)
    first, second = run_sets(replicate(scenario, 3, 0)), run_sets(replicate(scenario, 3, 0))
    second[0].label = "again"
    table = compare_sets(first + second)
    assert len(table) > 20 and table["paired"].all()
    assert ((table["low"] <= 0) & (table["high"] >= 0)).all()
    assert calendar_caution(first + second) is None


def test_decentralisation_moves_earnings_to_the_first_tier_and_the_lower_tier_pays(tmp_path):
    """docs/model.md (M28) and docs/validation.md (004-first-tier-gains, 004-lower-tier-pays): the report
    scenario alone is compared with its same-calendar counterfactual, no-directive-2025."""
    result = runner.invoke(app, ["compare", "decentralisation-2025", "--replications", "4", "--quiet",
                                 "-o", str(tmp_path / "c.html"), "--set", "months=24",
                                 *[a for k, v in {**SMALL, "population.n_companies": 40, "population.n_trade_officials": 400,
                                                  "population.n_overseas_workers": 400}.items()
                                   for a in ("--set", f"{k}={v}")]])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "c.html").read_text()
    assert (tmp_path / "c_figures" / "differences.png").is_file()
    assert "against no-directive-2025" in result.output and "different calendars" not in result.output
    assert "pp" in result.stdout                      # differences of shares in percentage points

    def interval(metric):
        row = re.search(r'<tr data-metric="' + re.escape(metric) + r'"[^>]*><td>decentralisation-2025</td>(.*?)</tr>', html,
                        re.DOTALL)
        cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
        low, high = cells[3].split(" to ")
        return _value(low), _value(high)

    assert interval("shared_upward_usd per year")[0] > 0            # profit taken upward (M28)
    assert interval("earned_usd per year · central")[0] > 0         # the first tier gains
    assert interval("median_attainment · lower")[1] < 0             # the lower tier pays


def test_scenarios_on_different_calendars_are_refused_unless_asked(tmp_path):
    args = ["compare", "baseline", "decentralisation-2025", "--replications", "2", "--quiet", "-o", str(tmp_path / "c.html"),
            "--set", "months=3", *[a for k, v in SMALL.items() for a in ("--set", f"{k}={v}")]]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "different calendars" in " ".join(refused.output.split())
    assert "--different-calendars" in refused.output and not (tmp_path / "c.html").exists()
    allowed = runner.invoke(app, [*args, "--different-calendars"])
    assert allowed.exit_code == 0, allowed.output
    assert allowed.output.lstrip().startswith("CAUTION:")           # first, not after the table
    assert "2024-07 + 3 months" in " ".join(allowed.output.split())
    assert "different calendars" in " ".join((tmp_path / "c.html").read_text().split())


def _value(text: str) -> float:
    text = text.strip().replace(",", "")
    scale = 1e6 if text.endswith(" M") else 0.01 if text.endswith((" %", " pp")) else 1.0
    return float(text.removesuffix(" pp").rstrip(" M%")) * scale


# ------------------------------------------------------------------ bad input
def test_a_folder_that_is_neither_run_nor_sweep_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("not a run")
    with pytest.raises(ReportError, match=re.escape(str(tmp_path)) + ".*expected a run folder"):
        build_report([tmp_path], tmp_path / "r.html")
    result = runner.invoke(app, ["report", str(tmp_path), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert str(tmp_path) in result.output and "sweep folder" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r.html").exists()


def test_compare_needs_two_scenarios_and_names_a_bad_one(tmp_path):
    alone = runner.invoke(app, ["compare", "baseline", "-o", str(tmp_path / "c.html"), "--quiet"])
    assert alone.exit_code == 2 and "at least two" in alone.output
    bad = runner.invoke(app, ["compare", "baseline", "no-such-scenario", "-o", str(tmp_path / "c.html"), "--quiet",
                              "--replications", "2", "--set", "months=2"])
    assert bad.exit_code == 2 and "no-such-scenario" in bad.output and "Traceback" not in bad.output
    assert not (tmp_path / "c.html").exists()


def test_an_existing_report_is_kept_unless_overwrite(run_report, replications):
    before = run_report.path.read_bytes()
    result = runner.invoke(app, ["report", str(replications), "-o", str(run_report.path)])
    assert result.exit_code == 2 and "--overwrite" in result.output
    assert run_report.path.read_bytes() == before


def test_replications_are_refused_over_another_runs_results(replications):
    scenario = quotasim.load_scenario(str(replications / "rep-000" / "scenario.toml"))
    before = (replications / "rep-001" / "monthly.parquet").read_bytes()
    from quotasim.results import OutputError
    with pytest.raises(OutputError, match="rep-000"):
        write_replications(replicate(scenario, 2, seed=7), replications)
    assert (replications / "rep-001" / "monthly.parquet").read_bytes() == before


def test_docs_show_a_figure_from_the_report_and_how_to_open_the_default_runs_report():
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "report.md").read_text()
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
    assert pictures and all((root / "docs" / p).stat().st_size > 10_000 for p in pictures)
    readme = (root / "README.md").read_text()
    assert "quotasim run baseline --replications 8 --out out/baseline" in readme
    assert "quotasim report out/baseline -o out/baseline.html" in readme


def test_the_report_cites_its_sources_in_full(run_report):
    html = run_report.path.read_text()
    assert '<h2 id="sources">Sources</h2>' in html
    assert "Radio Free Asia, Korean Service, 2017-03-27" in html and "https://www.rfa.org/english/news/korea/" in html
    assert '<a href="#source-seed-001">seed 001</a>' in html            # the ledger's tags link to the citations
    anchors = set(re.findall(r'href="#(source-[^"]+)"', html))
    assert anchors and all(f'id="{a}"' in html for a in anchors)


def test_house_style_magnitudes_from_zero_money_per_year_and_a_forest_plot_per_unit(run_report):
    money = run_report.figures["money"]
    for ax in money.axes:
        if ax.get_visible() and ax.get_lines():
            assert ax.get_ylim()[0] == 0, ax.get_title()
            assert "USD M per year" in ax.get_ylabel()
    assert not any(ax.get_legend() for ax in money.axes)                   # one legend, below the panels
    labels = [t.get_text() for t in money.legends[0].get_texts()]
    assert "band: middle 90 % of replications" in labels and "band: 95 % interval of the mean" in labels
    attainment = run_report.figures["attainment"].axes[0]
    assert attainment.get_xlim()[1] > 150 and "%" in attainment.get_xlabel()   # in %, not 0-2


def test_the_differences_figure_has_one_panel_per_unit():
    from quotasim.report.figures import differences
    table = pd.DataFrame([
        {"scenario": "b", "reference": "a", "metric": "state_receipts_usd per year", "difference": -5e6, "low": -7e6,
         "high": -3e6},
        {"scenario": "b", "reference": "a", "metric": "recalled per year", "difference": 2.0, "low": 1.0, "high": 3.0},
        {"scenario": "b", "reference": "a", "metric": "median_attainment", "difference": -0.05, "low": -0.08,
         "high": -0.02}])
    figure = differences(table)
    assert [ax.get_xlabel() for ax in figure.axes] == ["difference, USD M per year", "difference, persons per year",
                                                      "difference, percentage points"]
    points = [bars.lines[0].get_xdata()[0] for ax in figure.axes for bars in ax.containers]
    assert np.allclose(points, [-5.0, 2.0, -5.0])                           # USD M, persons, percentage points


def test_headline_labels_and_units_come_from_the_declarations():
    from quotasim.report.style import metric_label, metric_unit
    assert (metric_label("state_receipts_usd per year"), metric_unit("state_receipts_usd per year")) == \
        ("state receipts", "USD M per year")
    assert (metric_label("deals_completed per year"), metric_unit("deals_completed per year")) == \
        ("deals completed", "deals per year")                                  # not "per month" beside "per year"
    assert metric_label("earned_usd per year · central") == "earned, central tier"
    assert metric_unit("median_attainment") == "%" and metric_unit("median_attainment", difference=True) == \
        "percentage points"
