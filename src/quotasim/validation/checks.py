"""The patterns each report describes, as checks that can fail.

A check measures one statistic per replication; :mod:`.runner` averages it with a
confidence interval and the check passes only when the whole interval lies beyond the
threshold. Each check names

* **the event** the report describes and the **counterfactual**: the same scenario and
  seeds with that event removed (its timeline entries dropped, or its mechanism switched
  off). Where the report's claim is about the event's effect (``paired``), the statistic is
  the difference between the run with the event and the run without it; otherwise the
  counterfactual's figure is reported beside it;
* **a null**: a named model variant under which the pattern must not appear — the
  mechanism that should produce it switched off, or officials' decisions replaced by fixed
  behaviour. The null is run the same way (both arms, when paired); a check is sound only
  if the null fails it.

Every check is also measured on ``history-2016-2025`` at the report's dates, with the same
parameters as the rest of that timeline (the event removed from it the same way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .measures import ABROAD, monthly, officials, period_rows, reviews, share

__all__ = ["Check", "CHECKS", "Event", "HISTORY"]

HISTORY = "history-2016-2025"


@dataclass(frozen=True)
class Event:
    """What the report describes happening, and how to remove it from a scenario."""

    name: str
    drop: tuple[str, ...] = ()                    # dotted keys whose timeline settings are dropped
    set: dict = field(default_factory=dict)       # overrides that switch the event off

    @property
    def key(self) -> str:
        return self.name


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
    level: Callable = field(repr=False)   # RunResult -> float: the pattern's figure in one run
    event: Event = field(default_factory=lambda: Event("none"))
    null_name: str = ""               # the variant under which the pattern must not appear
    null: dict = field(default_factory=dict)   # its overrides, applied to both arms
    null_drop: tuple[str, ...] = ()   # timeline settings the null drops, in both arms
    paired: bool = False              # the statistic is level(with event) - level(without)
    combine: Callable | None = field(default=None, repr=False)   # (with, without) -> statistic, if not the above

    def passes(self, low: float, high: float) -> bool:
        return bool(low > self.threshold) if self.above else bool(high < self.threshold)

    def statistic_of(self, with_event: float, without_event: float) -> float:
        """The check's statistic from the figures with and without the event."""
        if self.combine is not None:
            return float(self.combine(with_event, without_event))
        return float(with_event - without_event) if self.paired else float(with_event)


# ------------------------------------------------------------ seed 000: quota pressure
CRACKDOWNS = Event("the 2025 crackdowns, inspections and goods shortages",
                   drop=("frictions.crackdown_rate", "frictions.goods_shortfall"))
RAISE = Event("the raised second-half targets of 2025",
              drop=("unconditional_demands.raise_all", "review.criticism_pressure"))


def _h1(run):
    h1 = period_rows(run, "2025-H1")
    return h1, h1["attainment"] >= 1.0, h1["attainment"].between(0.7, 0.8)


def _low_group(run) -> float:
    _, _, low = _h1(run)
    return share(low)


def _raise_follows_results(run) -> float:
    h1, top, low = _h1(run)
    ratio = period_rows(run, "2025-H2")["quota_usd"] / h1["quota_usd"]
    return float(ratio[top].mean() - ratio[low].mean()) if top.any() and low.any() else float("nan")


def _pressure_on_low_group(run) -> float:
    h1, top, low = _h1(run)
    return float(h1["mean_pressure"][low].mean() - h1["mean_pressure"][top].mean()) if top.any() and low.any() else float("nan")


def _trust_change(run) -> float:
    m = monthly(run)
    return float(m["mean_partner_trust"].loc["2025-06"] - m["mean_partner_trust"].loc["2024-12"])


# ------------------------------------------------------------ seed 001: sanctions
SANCTIONS = Event("the sanctions of 2016-18 (UN resolutions, China's coal ban)",
                  drop=("environment.sanctions_china", "environment.sanctions_russia", "environment.sanctions_third"))


def _missed_2018(run) -> float:
    return share(period_rows(run, "2018-H1")["attainment"] < 1.0)


def _most_and_more(with_event: float, without_event: float) -> float:
    """Most miss (over half), and more than would without the sanctions: the smaller margin."""
    return min(with_event - 0.5, with_event - without_event)


def _made_full_2017(run) -> float:
    frame = reviews(run)
    return share(frame[frame["period"].str.startswith("2017")]["attainment"] >= 1.0)


def _few_and_fewer(with_event: float, without_event: float) -> float:
    """Under a quarter make the full quota, and at least 10 points fewer than without the sanctions."""
    return max(with_event - 0.25, with_event - without_event + 0.1)


def _cuts_2016_19(run) -> float:
    m = monthly(run)
    return float((m["targets_cut"].loc["2016-01":"2019-12"] > 0).sum())


def _one_cut(with_event: float, without_event: float) -> float:
    return abs(with_event - 1.0)


def _overseas_earnings_ratio(run) -> float:
    m = monthly(run)
    abroad = m["earned_usd"] - m["earned_domestic_usd"]
    return float(abroad.loc["2018-01":"2018-12"].sum() / abroad.loc["2016-01":"2016-12"].sum())


def _defection_rise(run) -> float:
    people = officials(run)
    unheld = people[people["post"].isin(ABROAD)]
    year = int(run.scenario.start[:4]) + (unheld["exit_month"] + (int(run.scenario.start[5:7]) - 1)) // 12
    fled = unheld["status"] == "defected"
    per_thousand = 1000.0 / max(len(unheld), 1)
    later = fled & year.isin([2018, 2019])
    return float((later.sum() / 2 - (fled & (year == 2016)).sum()) * per_thousand)


def _giving_up_rise(run) -> float:
    m = monthly(run)
    return float(m["stopped_trying"].loc["2017-01":"2019-12"].mean() - m["stopped_trying"].loc["2016-01":"2016-12"].mean())


# ------------------------------------------------------------ seed 002: recalls
RECALLS = Event("recalls of high performers (rivals' rumours and the goal)",
                set={"rumour_recall.enabled": False, "goal_recall.enabled": False})


def _able_in_safe_band(run) -> float:
    people = officials(run)
    traders = people[(people["role"] == "trade_official") & people["post"].isin(ABROAD) & (people["status"] == "active")]
    able = traders[traders["skill"] >= 1.2]
    return share(able["attainment"].between(1.0, run.scenario.goal_recall.attainment, inclusive="left"))


def _recalls_hit_big_cities(run) -> float:
    people = officials(run)
    traders = people[(people["role"] == "trade_official") & people["post"].isin(ABROAD)]
    recalled = traders[(traders["status"] == "recalled") & (traders["recalled_by"] >= 0)]
    if recalled.empty:
        return float("nan")
    return share(recalled["post"] == "big_chinese_city") / share(traders["post"] == "big_chinese_city")


# ------------------------------------------------------------ seed 003: closure
CLOSURE = Event("the 2020 border closure and domestic quota", drop=("environment.border_closed",))
THE_CASE = Event("arrests made an example of (deterrence)", set={"arrest.deterrence": 0.0, "arrest.spillover": 0.0})


def _own_pocket_share(run) -> float:
    m = monthly(run).loc["2020-01":"2020-12"]
    return float(m["own_pocket_usd"].sum() / max(m["state_receipts_usd"].sum(), 1.0))


def _refusals(run) -> float:
    """Officials choosing open refusal per 1,000 trade officials in post, over every review of the run."""
    m = monthly(run)
    return float(m["chose_defiance"].sum() / max(m["traders_active"].mean(), 1.0) * 1000)


# ------------------------------------------------------------ seed 004: decentralisation
DIRECTIVE = Event("the March 2025 directive", drop=("environment.decentralisation_directive",))


def _tier_change(run, column: str, before: str, after: str, how: str = "sum"):
    frame = reviews(run)
    frame = frame.assign(income_usd=frame["earned_usd"] + frame["received_from_others_usd"])
    grouped = frame[frame["period"].isin([before, after])].groupby(["period", "tier"])[column].agg(how).unstack()
    return grouped.loc[after], grouped.loc[before]


def _first_tier_lead(run) -> float:
    after, before = _tier_change(run, "income_usd", "2024-H2", "2025-H2")
    growth = after / before
    others = after.drop("central").sum() / before.drop("central").sum()
    return float(growth["central"] - others)


def _lower_tier_lag(run) -> float:
    after, before = _tier_change(run, "attainment", "2024-H2", "2025-H2", how="median")
    change = after - before
    return float(change["lower"] - change[["provincial", "city"]].mean())


def _caught_after_vs_before(run) -> float:
    m = monthly(run)
    after = m.loc["2025-04":"2025-12"]
    before = m.loc["2024-07":"2025-03"]
    rate_after = after["caught_by_surveillance"].sum() / max(after["traders_active"].sum(), 1)
    rate_before = before["caught_by_surveillance"].sum() / max(before["traders_active"].sum(), 1)
    return float(rate_after / rate_before) if rate_before > 0 else 0.0


FIXED = {"behaviour.rule": "fixed"}

CHECKS: list[Check] = [
    Check("000-two-groups", "seed 000", "quota-pressure-2025",
          "some companies achieved 100 % of their targets, while others completed only 70 to 80 %",
          "share of companies at 70-80 % at the 2025-H1 review, minus the same without the crackdowns "
          "(the >= 100 % group is reported beside it)", True, 0.0,
          "the report puts the low group at 70-80 % and blames crackdowns, inspections and goods shortages for it; "
          "the crackdowns must put more of the companies in it than the spread of skill and luck alone would.",
          _low_group, CRACKDOWNS, "frictions off (M5): crackdowns and shortages cost nothing", {"frictions.enabled": False},
          paired=True),
    Check("000-raise-on-results", "seed 000", "quota-pressure-2025",
          "the first-half results were presented as justification for raising targets in the second half",
          "mean H2/H1 quota ratio of the >= 100 % group minus that of the 70-80 % group", True, 0.01,
          "the unconditional raise is the same for all companies, so any difference can only come from the "
          "bureau's ratchet acting on each company's own result (M3); the top group's quotas must rise at least "
          "a point more.",
          _raise_follows_results, RAISE, "ratchet off (M3)", {"ratchet.enabled": False}),
    Check("000-pressure-on-low-group", "seed 000", "quota-pressure-2025",
          "the low group was criticised and taken to task; officials report severe psychological stress",
          "mean pressure of the 70-80 % group's people minus that of the >= 100 % group's after the 2025-H1 review",
          True, 0.1,
          "each official is assessed on their own result and their company's rank (M2, M4); members of a "
          "company at 70-80 % may themselves be over target, so no formula sets a minimum difference.",
          _pressure_on_low_group, CRACKDOWNS, "criticism and individual pressure off (M2, M4)",
          {"review.enabled": False, "pressure.enabled": False}),
    Check("000-trust-lost", "seed 000", "quota-pressure-2025",
          "crackdowns and inspections, delayed or cancelled transactions, and the loss of trust with trading partners",
          "partners' mean trust in June 2025 minus December 2024, minus the same without the crackdowns", False, 0.0,
          "trust is not an input but moves with the balance of completed and cancelled deals (M5); the crackdowns "
          "must make it fall further than it would have.",
          _trust_change, CRACKDOWNS, "frictions off (M5)", {"frictions.enabled": False}, paired=True),
    Check("001-most-miss-cut-target", "seed 001", "sanctions-2017",
          "even though the yearly target figure has been reduced, most did not achieve it",
          "smaller of: the share of companies below 100 % at the 2018-H1 review minus one half, and that share "
          "minus the same without the sanctions", True, 0.0,
          "'most' means more than half, and the sanctions must be why: without them the ratchet alone leaves "
          "many short. Targets are cut by the bureau (M7), but whether people still miss depends on how "
          "earnings, effort and exits respond.",
          _missed_2018, SANCTIONS, "no sanctions in either arm (the event never happens)",
          null_drop=SANCTIONS.drop, combine=_most_and_more),
    Check("001-one-cut", "seed 001", "sanctions-2017",
          "North Korea has reduced the target figure ... adjusted down by as much as 15 percent",
          "distance from one of the number of year-end reviews in 2016-19 at which the bureau cut targets", False, 0.5,
          "one adjustment, as the report describes, not a cut every December: the bureau cuts when most "
          "companies missed (M7) and not again until most meet them. Whether most miss is an outcome.",
          _cuts_2016_19, SANCTIONS, "the bureau never cuts (M7 off)", {"sanction_cuts.enabled": False},
          combine=_one_cut),
    Check("001-few-make-full-quota", "seed 001", "sanctions-2017",
          "only a small number have earned their full quota (with the fertiliser and railway levies on top)",
          "larger of: the share of company reviews at or above 100 % in 2017 minus a quarter, and that share minus "
          "the same without the sanctions plus 10 points", False, 0.0,
          "'a small number' read as under a quarter, and the sanctions must be why: at least 10 points fewer "
          "than without them. Levies (M12) take their share before remittance; attainment is the outcome of "
          "earnings, pressure and own-pocket top-ups.",
          _made_full_2017, SANCTIONS, "no sanctions in either arm (the event never happens)", null_drop=SANCTIONS.drop,
          combine=_few_and_fewer),
    Check("001-overseas-earnings-fall", "seed 001", "sanctions-2017",
          "it is hard now for workers to earn foreign money because of sanctions",
          "foreign-currency earnings abroad (trade, workers, ventures) in 2018 relative to 2016", False, 0.9,
          "a fall of at least 10 %. Most earnings abroad are workers' pay, which sanctions reach only in part "
          "(M8), and fewer workers compete less for work (M10) while pressure draws out more effort (M4).",
          _overseas_earnings_ratio, SANCTIONS, "no sanctions (the event never happens)", null_drop=SANCTIONS.drop),
    Check("001-defection-without-family", "seed 001", "sanctions-2017",
          "impractical tasks bring side effects such as defections; families are held to discourage them",
          "rise in defections a year per 1,000 officials abroad (2018-19 minus 2016), minus the same rise without "
          "the sanctions", True, 0.0,
          "the base hazard is constant and lowered for those whose family is held at home; only pressure (M4) "
          "from missed targets can raise it (M9), and the sanctions must raise it more than the ratchet alone does.",
          _defection_rise, SANCTIONS, "defection does not respond to pressure (M9 pressure_factor 0)",
          {"defection.pressure_factor": 0.0}, paired=True),
    Check("001-giving-up-rises", "seed 001", "sanctions-2017",
          "some don't care about achieving their target and are prepared to be summoned home",
          "rise in officials who stop trying per month (2017-19 minus 2016), minus the same without the sanctions",
          True, 0.0,
          "giving up (M11) is each official's choice under pressure and shortfall; the sanctions must make more "
          "of them choose it.",
          _giving_up_rise, SANCTIONS, "giving up off (M11)", {"giving_up.enabled": False}, paired=True),
    Check("002-moderate-performance", "seed 002", "recall-2016",
          "to remain trading as long as possible, maintaining only a moderate level of performance is essential",
          "share of able traders abroad (skill >= 1.2) with attainment in [100 %, goal), minus the same share "
          "with recalls switched off", True, 0.10,
          "at least 10 points more bunching just above 100 %. Each trader chooses whether to hand in a surplus "
          "by their own belief about recall, learned from their post and company; nothing caps remittances.",
          _able_in_safe_band, RECALLS, "decisions replaced by fixed behaviour (traders hand everything in)", FIXED,
          paired=True),
    Check("002-recalls-hit-big-cities", "seed 002", "recall-2016",
          "those recalled from Guangzhou and Shenzhen are not poor performers but those who grew their businesses",
          "share of traders brought down by rivals' rumours who were posted in big Chinese cities, relative to "
          "big-city traders' share abroad", True, 1.2,
          "rumours do not name posts: rivals pick whoever is visible in their own post; big-city MOU deals (M16) "
          "make traders visible (M14). At least 20 % over-representation.",
          _recalls_hit_big_cities, RECALLS, "posts alike (M16 off: every deal the same size)", {"posts.enabled": False}),
    Check("003-own-pocket", "seed 003", "border-closure-2020",
          "they strived to carry out the task, even if it meant using their own money",
          "share of the state's 2020 receipts paid from officials' own savings and borrowing, minus the same "
          "without the closure", True, 0.02,
          "own-pocket payments (M22) depend on shortfalls, savings and what can be borrowed; the closure's "
          "domestic quota must make officials pay in at least 2 points more of receipts than they would anyway.",
          _own_pocket_share, CLOSURE, "own-pocket payments off (M22)", {"own_pocket.enabled": False}, paired=True),
    Check("003-deterrence", "seed 003", "border-closure-2020",
          "the case instilled fear and pressure on other officials, showing what happens when you don't carry out plans",
          "officials choosing open refusal per 1,000 trade officials in post over the run's reviews, minus the same with "
          "arrests' deterrence switched off (nobody hears of the cases)", False, 0.0,
          "officials learn the risk of refusing from the cases they hear of (M23); fewer must choose it where "
          "cases are heard. The arrests themselves come out of others' choices.",
          _refusals, THE_CASE, "decisions replaced by fixed behaviour (nobody chooses)", FIXED, paired=True),
    Check("004-first-tier-gains", "seed 004", "decentralisation-2025",
          "ministry-level companies may trade independently, open joint ventures, send negotiation teams",
          "growth of first-tier companies' income (earnings and what lower-tier companies hand them) 2024-H2 to "
          "2025-H2 minus that of all other companies, minus the same without the directive", True, 0.2,
          "at least 20 points faster growth. Fewer approvals, joint ventures, teams, new partners (M25-M27) and "
          "what fronted companies hand up (M28) act through deals and books; no parameter sets earnings.",
          _first_tier_lead, DIRECTIVE, "directive without effect (M25 off)", {"decentralisation.enabled": False},
          paired=True),
    Check("004-lower-tier-pays", "seed 004", "decentralisation-2025",
          "lower-level units must rely on higher authorities; the privileged take most of the profits",
          "change of lower-tier median attainment 2024-H2 to 2025-H2 minus the mean change of provincial and city "
          "companies, minus the same without the directive", False, -0.1,
          "profit handed up (M28) comes before remittance; the fall in attainment follows from that through "
          "the review. At least 10 points worse.",
          _lower_tier_lag, DIRECTIVE, "nothing handed up (M28 off)", {"indirect_collaboration.enabled": False},
          paired=True),
    Check("004-surveillance-still-catches", "seed 004", "decentralisation-2025",
          "their every move remains under direct surveillance by security agencies",
          "skimming caught per trader-month after the directive relative to the nine months before", True, 0.5,
          "misconduct is still detected (M29) at least half as often per trader as before; nothing in the "
          "directive switches surveillance, but officials' skimming and numbers respond to it.",
          _caught_after_vs_before, DIRECTIVE, "surveillance off (M29)", {"surveillance.enabled": False}),
]
