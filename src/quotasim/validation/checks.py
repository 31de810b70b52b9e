"""The patterns each report describes, as checks with thresholds and reasons.

A check measures one statistic per replication; :mod:`.runner` averages it with a
confidence interval and the check passes only when the whole interval lies beyond the
threshold. Every check says why its threshold is what it is and why the pattern is not
a tautology of the scenario's inputs: a figure set directly by a parameter does not
count; it must come out of the agents' interaction.

Some checks compare the scenario with a counterfactual (the same scenario and seeds with
one mechanism changed); those runs share the main run's random numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .measures import ABROAD, monthly, officials, period_rows, reviews, share

__all__ = ["Check", "CHECKS"]


@dataclass(frozen=True)
class Check:
    id: str
    report: str                       # seed id of the report
    scenario: str                     # built-in scenario run
    claim: str                        # what the report says
    statistic: str                    # what is measured, in words
    above: bool                       # pass when the interval lies above (True) or below (False) the threshold
    threshold: float
    why: str                          # why this threshold, and why the pattern is not set by an input
    measure: Callable = field(repr=False)   # runs: dict variant -> RunResult; returns a float
    counterfactual: dict | None = None      # overrides of the "counterfactual" variant, if the check needs one

    def passes(self, low: float, high: float) -> bool:
        return bool(low > self.threshold) if self.above else bool(high < self.threshold)


# ------------------------------------------------------------ seed 000: quota pressure
def _h1_groups(run):
    h1 = period_rows(run, "2025-H1")
    return h1, h1["attainment"] >= 1.0, h1["attainment"].between(0.7, 0.8)


def _two_groups(runs) -> float:
    _, top, low = _h1_groups(runs["main"])
    return min(share(top), share(low))


def _raise_follows_results(runs) -> float:
    run = runs["main"]
    h1, top, low = _h1_groups(run)
    ratio = period_rows(run, "2025-H2")["quota_usd"] / h1["quota_usd"]
    return float(ratio[top].mean() - ratio[low].mean()) if top.any() and low.any() else float("nan")


def _pressure_on_low_group(runs) -> float:
    h1, top, low = _h1_groups(runs["main"])
    return float(h1["mean_pressure"][low].mean() - h1["mean_pressure"][top].mean()) if top.any() and low.any() else float("nan")


def _trust_lost(runs) -> float:
    m = monthly(runs["main"])
    return float(m.loc["2025-06", "mean_partner_trust"] - m.loc["2024-12", "mean_partner_trust"])


# ------------------------------------------------------------ seed 001: sanctions
def _most_miss_cut_target(runs) -> float:
    return share(period_rows(runs["main"], "2018-H1")["attainment"] < 1.0)


def _few_make_full_quota(runs) -> float:
    frame = reviews(runs["main"])
    return share(frame[frame["period"].str.startswith("2017")]["attainment"] >= 1.0)


def _overseas_earnings_change(runs) -> float:
    m = monthly(runs["main"])
    abroad = m["earned_usd"] - m["earned_domestic_usd"]
    return float(abroad.loc["2018-01":"2018-12"].sum() / abroad.loc["2016-01":"2016-12"].sum())


def _defection_rise_without_family(runs) -> float:
    run = runs["main"]
    people = officials(run)
    unheld = people[people["post"].isin(ABROAD) & ~people["family_at_home"]]
    year = 2016 + (unheld["exit_month"] + (int(run.scenario.start[5:7]) - 1)) // 12
    fled = unheld["status"] == "defected"
    per_thousand = 1000.0 / max(len(unheld), 1)
    later = fled & year.isin([2018, 2019])
    return float((later.sum() / 2 - (fled & (year == 2016)).sum()) * per_thousand)


def _giving_up_rises(runs) -> float:
    m = monthly(runs["main"])
    return float(m.loc["2017-01":"2019-12", "stopped_trying"].mean() - m.loc["2016-01":"2016-12", "stopped_trying"].mean())


# ------------------------------------------------------------ seed 002: recalls
_NO_RECALLS = {"rumour_recall.enabled": False, "goal_recall.enabled": False}


def _able_in_safe_band(run) -> float:
    people = officials(run)
    traders = people[(people["role"] == "trade_official") & people["post"].isin(ABROAD) & (people["status"] == "active")]
    able = traders[traders["skill"] >= 1.2]
    return share(able["attainment"].between(1.0, run.scenario.goal_recall.attainment, inclusive="left"))


def _moderate_performance(runs) -> float:
    return _able_in_safe_band(runs["main"]) - _able_in_safe_band(runs["counterfactual"])


def _recalls_hit_big_cities(runs) -> float:
    people = officials(runs["main"])
    traders = people[(people["role"] == "trade_official") & people["post"].isin(ABROAD)]
    recalled = traders[traders["status"] == "recalled"]
    if recalled.empty:
        return float("nan")
    return share(recalled["post"] == "big_chinese_city") / share(traders["post"] == "big_chinese_city")


# ------------------------------------------------------------ seed 003: closure
_NO_DETERRENCE = {"arrest.deterrence": 0.0, "arrest.spillover": 0.0}


def _own_pocket_share(runs) -> float:
    m = monthly(runs["main"]).loc["2020-01":"2020-12"]
    return float(m["own_pocket_usd"].sum() / m["state_receipts_usd"].sum())


def _campaign_review_arrests(runs) -> float:
    m = monthly(runs["main"])
    return float(m.loc["2020-12", "arrested_defiant"] - m.loc["2020-06", "arrested_defiant"])


def _deterrence_raises_effort(runs) -> float:
    main, other = monthly(runs["main"]), monthly(runs["counterfactual"])
    after_reviews = ["2020-07", "2020-08", "2020-09", "2021-01", "2021-02", "2021-03"]
    return float(main.loc[after_reviews, "mean_effort_traders"].mean()          # issue 14: workers are not arrested
                 - other.loc[after_reviews, "mean_effort_traders"].mean())


# ------------------------------------------------------------ seed 004: decentralisation
def _tier_change(run, column: str, before: str, after: str, how: str = "sum"):
    frame = reviews(run)
    grouped = frame[frame["period"].isin([before, after])].groupby(["period", "tier"])[column].agg(how).unstack()
    return grouped.loc[after], grouped.loc[before]


def _first_tier_gains(runs) -> float:
    after, before = _tier_change(runs["main"], "earned_usd", "2024-H2", "2025-H2")
    growth = after / before
    others = after.drop("central").sum() / before.drop("central").sum()
    return float(growth["central"] - others)


def _lower_tier_pays(runs) -> float:
    after, before = _tier_change(runs["main"], "attainment", "2024-H2", "2025-H2", how="median")
    change = after - before
    return float(change["lower"] - change.drop("lower").mean())


def _surveillance_still_catches(runs) -> float:
    m = monthly(runs["main"])
    return float(m.loc["2025-04":, "skimming_confiscated_usd"].mean() - m.loc[:"2025-03", "skimming_confiscated_usd"].mean())


CHECKS: list[Check] = [
    Check("000-two-groups", "seed 000", "quota-pressure-2025",
          "some companies achieved 100 % of their targets, while others completed only 70 to 80 %",
          "smaller of the shares of companies at >= 100 % and at 70-80 % at the 2025-H1 review", True, 0.05,
          "both groups must be more than a handful (5 % of companies each). Attainment comes from people's effort, "
          "deals through the pipeline and frictions; no parameter places a company in either group.",
          _two_groups),
    Check("000-raise-on-results", "seed 000", "quota-pressure-2025",
          "the first-half results were presented as justification for raising targets in the second half",
          "mean H2/H1 quota ratio of the >= 100 % group minus that of the 70-80 % group", True, 0.0,
          "the unconditional raise is the same for all companies, so any difference can only come from the "
          "ratchet acting on each company's own result (M3); it must be positive.",
          _raise_follows_results),
    Check("000-pressure-on-low-group", "seed 000", "quota-pressure-2025",
          "the low group was criticised and taken to task; officials report severe psychological stress",
          "mean pressure of the 70-80 % group minus that of the >= 100 % group after the 2025-H1 review", True, 0.1,
          "pressure grows with each company's gap and criticism (M2, M4); the difference is set by results, "
          "not by a parameter. 0.1 is a tenth of the pressure one full shortfall adds.",
          _pressure_on_low_group),
    Check("000-trust-lost", "seed 000", "quota-pressure-2025",
          "crackdowns and inspections, delayed or cancelled transactions, and the loss of trust with trading partners",
          "partners' mean trust in June 2025 minus December 2024", False, 0.0,
          "the scenario raises the crackdown rate; trust is not an input but moves with the balance of completed "
          "and cancelled deals (M5). It must fall.",
          _trust_lost),
    Check("001-most-miss-cut-target", "seed 001", "sanctions-2017",
          "even though the yearly target figure has been reduced, most did not achieve it",
          "share of companies below 100 % at the 2018-H1 review, after the December 2017 cut", True, 0.5,
          "'most' means more than half. Targets are cut by M7, but whether people still miss them depends on "
          "how earnings, effort and exits respond to sanctions.",
          _most_miss_cut_target),
    Check("001-few-make-full-quota", "seed 001", "sanctions-2017",
          "only a small number have earned their full quota (with the fertiliser and railway levies on top)",
          "share of company reviews at or above 100 % in 2017", False, 0.25,
          "'a small number' read as under a quarter. Levies (M12) take their share before remittance; "
          "attainment is the outcome of earnings, pressure and own-pocket top-ups.",
          _few_make_full_quota),
    Check("001-overseas-earnings-fall", "seed 001", "sanctions-2017",
          "it is hard now for workers to earn foreign money because of sanctions",
          "foreign-currency earnings abroad (trade, workers, ventures) in 2018 relative to 2016", False, 0.9,
          "a fall of at least 10 %. The input shuts a share of China-route trade; most earnings abroad are workers' "
          "pay, which sanctions reach only in part (M8), and fewer workers compete less for work (M10) while "
          "pressure draws out more effort (M4). Whether the total falls is the outcome of those responses.",
          _overseas_earnings_change),
    Check("001-defection-without-family", "seed 001", "sanctions-2017",
          "impractical tasks bring side effects such as defections; families are held to discourage them",
          "defections a year per 1,000 officials abroad without family at home, 2018-19 minus 2016", True, 0.0,
          "the base hazard is constant; only rising pressure (M4) from missed targets can raise it (M9).",
          _defection_rise_without_family),
    Check("001-giving-up-rises", "seed 001", "sanctions-2017",
          "some don't care about achieving their target and are prepared to be summoned home",
          "officials who stop trying per month, 2017-19 minus 2016", True, 0.0,
          "giving up (M11) follows pressure and personal shortfall, both outcomes of the sanctions' effect on "
          "earnings; no parameter changes in the scenario.",
          _giving_up_rises),
    Check("002-moderate-performance", "seed 002", "recall-2016",
          "to remain trading as long as possible, maintaining only a moderate level of performance is essential",
          "share of able traders abroad (skill >= 1.2) with attainment in [100 %, goal), minus the same share "
          "with recalls switched off", True, 0.10,
          "at least 10 points more bunching just above 100 %. Officials learn recall risk from the recalls they "
          "see; with recalls off they never hold back. Nothing places them in the band.",
          _moderate_performance, _NO_RECALLS),
    Check("002-recalls-hit-big-cities", "seed 002", "recall-2016",
          "those recalled from Guangzhou and Shenzhen are not poor performers but those who grew their businesses",
          "share of recalled traders posted in big Chinese cities relative to big-city traders' share abroad", True, 1.2,
          "recall rules do not name posts; big-city MOU deals (M16) make traders visible (M14) and successful "
          "sooner (M15). At least 20 % over-representation.",
          _recalls_hit_big_cities),
    Check("003-own-pocket", "seed 003", "border-closure-2020",
          "they strived to carry out the task, even if it meant using their own money",
          "share of the state's 2020 receipts paid from officials' own savings", True, 0.05,
          "own-pocket payments (M22) depend on shortfalls and savings, both outcomes; at least 5 % of receipts.",
          _own_pocket_share),
    Check("003-deterrence", "seed 003", "border-closure-2020",
          "the case instilled fear and pressure on other officials, showing what happens when you don't carry out plans",
          "trade officials' mean effort in the three months after each 2020 review minus the same with arrests' deterrence "
          "switched off", True, 0.0,
          "arrests happen only to those who gave up and stayed idle (M11, M23); their number, and the fear they "
          "spread, come out of the run.",
          _deterrence_raises_effort, _NO_DETERRENCE),
    Check("004-first-tier-gains", "seed 004", "decentralisation-2025",
          "ministry-level companies may trade independently, open joint ventures, send negotiation teams",
          "growth of first-tier companies' earnings 2024-H2 to 2025-H2 minus that of all other companies", True, 0.2,
          "at least 20 points faster growth. Fewer approvals, joint ventures, teams and new partners (M25-M27) act "
          "through deals and the pipeline; no parameter sets earnings.",
          _first_tier_gains),
    Check("004-lower-tier-pays", "seed 004", "decentralisation-2025",
          "lower-level units must rely on higher authorities; the privileged take most of the profits",
          "change of lower-tier median attainment 2024-H2 to 2025-H2 minus the mean change of the other tiers",
          False, -0.1,
          "profit taken upward (M28) comes before remittance; the fall in attainment, and the pressure it brings, "
          "follow from that through the review. At least 10 points worse.",
          _lower_tier_pays),
    Check("004-surveillance-still-catches", "seed 004", "decentralisation-2025",
          "their every move remains under direct surveillance by security agencies",
          "officials' take confiscated per month after the directive minus before", True, 0.0,
          "the detection rate is unchanged (M29); more is confiscated only because more stays in officials' hands.",
          _surveillance_still_catches),
]
