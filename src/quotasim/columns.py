"""Every quantity a run records, declared once: name, unit, meaning and M-ids.

As Mesa's ``DataCollector`` binds each reported quantity to a name, each table here is a
tuple of declarations that everything else reads: the phases add to declared flows only
(``state.Flows`` refuses any other name), ``phases/record.py`` fills the monthly row in this
order, ``results.py`` builds the Parquet schemas and their descriptions from it, the run
summary sums the columns marked ``summary``, the report takes its labels and units from it,
and ``docs/outputs.md`` is generated from it (``python -m quotasim.columns > docs/outputs.md``).

Kinds of monthly column:

``flow``
    added up over the month by the phases (``state.flows.add(name, amount)``); money in USD
    or a count. Reset at the start of every month.
``gauge``
    read off the state at the month's end by a reporter in ``phases/record.py``.
``key``
    the month's index and date.

The M-ids of a column are the ones its meaning cites, so they are written once, in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Column", "Table", "MONTHLY", "REVIEWS", "OFFICIALS", "TALLIES", "FLOW_NAMES", "MONEY_SPLIT",
           "EARNED_BY_ROUTE", "markdown"]


@dataclass(frozen=True)
class Column:
    """One recorded quantity.

    ``type`` is how it is stored in the output table: ``float``, ``int``, ``bool``, ``text``,
    ``date`` or ``label`` (a code shown by name); state columns also carry their NumPy
    ``dtype``. ``label`` is a short name for figures; ``summary`` marks the run summary's sums.
    """

    name: str
    unit: str
    type: str
    meaning: str
    kind: str = "gauge"
    label: str = ""
    summary: bool = False
    dtype: Any = None
    output: bool = True

    @property
    def mids(self) -> tuple[str, ...]:
        """The mechanisms (M1-M30) the meaning cites."""
        return tuple(dict.fromkeys(re.findall(r"\bM\d+\b", self.meaning)))

    @property
    def title(self) -> str:
        """A label for figures and tables: the short label, or the name in words."""
        return self.label or self.name.removesuffix("_usd").replace("_", " ")


class Table(Mapping[str, Column]):
    """Declarations of one table, in column order: a read-only mapping name -> :class:`Column`."""

    def __init__(self, *columns: Column) -> None:
        self._columns = {c.name: c for c in columns}
        if len(self._columns) != len(columns):
            raise ValueError("a column is declared twice")

    def __getitem__(self, name: str) -> Column:
        return self._columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def of_kind(self, kind: str) -> tuple[str, ...]:
        return tuple(name for name, c in self._columns.items() if c.kind == kind)

    def outputs(self) -> tuple[str, ...]:
        return tuple(name for name, c in self._columns.items() if c.output)


def money_flow(name: str, unit: str, meaning: str, **kw: Any) -> Column:
    return Column(name, unit, "float", meaning, kind="flow", **kw)


def count_flow(name: str, unit: str, meaning: str, **kw: Any) -> Column:
    return Column(name, unit, "int", meaning, kind="flow", **kw)


def gauge(name: str, unit: str, type: str, meaning: str, **kw: Any) -> Column:
    return Column(name, unit, type, meaning, kind="gauge", **kw)


MONTHLY = Table(
    Column("month", "month", "int", 'month index from the scenario start (0 = first month)', kind="key"),
    Column("date", "date", "date", 'calendar month: its first day, a timestamp (pandas datetime64; DuckDB TIMESTAMP)', kind="key"),
    money_flow('earned_usd', 'USD',
        "foreign currency earned this month, USD: completed deals' profit, workers' pay net of living costs, "
        "joint ventures, earning at home", label='earned', summary=True),
    money_flow('earned_china_usd', 'USD',
        'part of earned_usd made on the China route'),
    money_flow('earned_russia_usd', 'USD',
        'part of earned_usd made on the Russia route'),
    money_flow('earned_third_usd', 'USD',
        'part of earned_usd made in friendly third countries'),
    money_flow('earned_domestic_usd', 'USD',
        'part of earned_usd raised at home (province posts; closure duty, M20)'),
    money_flow('remitted_usd', 'USD',
        'handed to the state toward quotas (M1); earned = remitted + levied + kept + shared upward + rents + '
        'lost', label='remitted to the state', summary=True),
    money_flow('levied_usd', 'USD',
        'earmarked levies paid on top of quotas (M12)', label='levies', summary=True),
    money_flow('kept_by_officials_usd', 'USD',
        'kept by officials and workers, after surveillance confiscations (M15, M29)', label='kept by officials', summary=True),
    money_flow('shared_upward_usd', 'USD',
        'profit share taken from lower-level companies by privileged ones (M28)', label='shared upward (M28)', summary=True),
    money_flow('received_from_lower_usd', 'USD',
        'what first-tier companies received from the lower-tier companies they front for (M28); equals '
        'shared_upward_usd every month', label='received from lower tier (M28)'),
    money_flow('front_remitted_usd', 'USD',
        "part of received_from_lower_usd the fronting company hands the state toward its own quota (M28, M25)"),
    money_flow('front_retained_usd', 'USD',
        "part of received_from_lower_usd the fronting company keeps in its books (M28)"),
    money_flow('rents_usd', 'USD',
        "profit taken by the approval stages' interests (M18)", label='rents (approval stages)', summary=True),
    money_flow('lost_usd', 'USD',
        'earnings that left the system: carried off by defectors (M9), seized in crackdowns (M5), '
        'confiscated by surveillance (M29)', label='lost', summary=True),
    money_flow('own_pocket_usd', 'USD',
        "paid in from officials' own savings at reviews (M22); not part of earned_usd", label='paid from own pocket', summary=True),
    money_flow('borrowed_usd', 'USD',
        'borrowed by officials to pay in at reviews beyond their savings (M22)'),
    money_flow('interest_paid_usd', 'USD',
        "interest officials paid on what they borrowed (M22); leaves their savings, not part of earned_usd"),
    money_flow('party_funds_usd', 'USD',
        'remittances of party-fund-office companies and big-city posts (M16, M30)'),
    money_flow('confiscated_usd', 'USD',
        'savings confiscated from arrested officials (M23); a stock transfer, not part of earned_usd'),
    money_flow('skimming_confiscated_usd', 'USD',
        "officials' take confiscated when surveillance caught their skimming (M29); part of lost_usd"),
    money_flow('trade_volume_usd', 'USD',
        'value of deals completed this month through every channel (M17); customs_exports_usd is what the record counts'),
    money_flow('trade_volume_china_usd', 'USD',
        'part of trade_volume_usd on the China route, every channel'),
    money_flow('trade_volume_russia_usd', 'USD',
        'part of trade_volume_usd on the Russia route'),
    money_flow('trade_volume_third_usd', 'USD',
        'part of trade_volume_usd with friendly third countries'),
    money_flow('joint_venture_usd', 'USD',
        'part of earned_usd paid by joint ventures (M25, M30)'),
    money_flow('workers_gross_usd', 'USD',
        "workers' gross pay before living costs (M8)"),
    money_flow('workers_net_usd', 'USD',
        "workers' pay net of living costs: their part of earned_usd (M8)"),
    money_flow('workers_living_deficit_usd', 'USD',
        "living costs workers' pay did not cover, taken from their savings (M8)"),
    count_flow('recalled', 'persons',
        'officials recalled this month, for any reason (M10, M14, M15, M23 family investigation)', label='recalled', summary=True),
    count_flow('recalled_by_rumour', 'persons',
        "recalled after rivals' rumours (M14)"),
    count_flow('rumours_told', 'rumours',
        "rumours told by underperforming traders about a visible rival in the same post (M14, M19)"),
    count_flow('recalled_at_goal', 'persons',
        'recalled at a review for exceeding the goal (M15)'),
    count_flow('recalled_by_cap', 'persons',
        'workers recalled to meet a cap (M10)'),
    count_flow('relocated', 'persons',
        'moved home to a Pyongyang post for exceeding the goal (M15); stay active'),
    count_flow('arrested', 'persons',
        'arrested this month: defiance at reviews (M23) and surveillance (M29)', label='arrested', summary=True),
    count_flow('arrested_defiant', 'persons',
        'arrested for open defiance at a review (M23)'),
    count_flow('chose_defiance', 'persons',
        'officials who chose this month to refuse the order openly, without remorse (M23)'),
    count_flow('defected', 'persons',
        'defected this month (M9)', label='defected', summary=True),
    count_flow('gave_up', 'persons',
        'summoned home at a review after giving up, and not arrested (M11)', label='gave up', summary=True),
    count_flow('stopped_trying', 'persons',
        'officials who gave up this month: they stop trying and wait for the review (M11)'),
    count_flow('dispatched', 'persons',
        'new officials and workers dispatched to vacated posts'),
    count_flow('relatives_placed', 'persons',
        'new dispatches who are relatives of serving traders (M24)'),
    count_flow('relatives_recalled', 'persons',
        'relatives recalled when their patron was arrested (M23, M24)'),
    count_flow('caught_by_surveillance', 'persons',
        'officials whose skimming was caught this month (M29)'),
    count_flow('deals_started', 'deals',
        'deals started this month (M16)'),
    count_flow('deals_completed', 'deals',
        'deals that cleared every approval stage and paid (M18)', label='deals completed per month', summary=True),
    count_flow('deals_cancelled', 'deals',
        'deals cancelled: crackdowns (M5), rejections (M18), closure (M20), trader gone', label='deals cancelled per month', summary=True),
    count_flow('deals_delayed', 'deals',
        'deals held back a month by a crackdown or inspection (M5)'),
    count_flow('deals_rejected', 'deals',
        'deals rejected at an approval stage (M18)'),
    count_flow('mou_deals_completed', 'deals',
        'completed deals from big-city posts (MOUs, M16)'),
    count_flow('pipeline_backlog', 'deals',
        'deals waiting in the approval pipeline at the end of the month (M18)', label='deals waiting in the pipeline'),
    count_flow('targets_cut', 'companies',
        'companies whose quota the bureau cut at this review, judging targets impossible (M7)'),
    gauge('other_sources_usd', 'USD', 'float',
        'foreign cash from sources other than trade while they run (M13)'),
    gauge('state_receipts_usd', 'USD', 'float',
        'remitted + levied + own_pocket + front_remitted: what the state received', label='state receipts', summary=True),
    gauge('officials_active', 'persons', 'int',
        'officials and workers in post at the end of the month'),
    gauge('traders_active', 'persons', 'int',
        'trade officials in post'),
    gauge('workers_abroad', 'persons', 'int',
        'overseas workers in post abroad'),
    gauge('officials_total', 'persons', 'int',
        'everyone ever in the system (initial + dispatched); every one is in exactly one status'),
    gauge('mean_partner_trust', 'share', 'float',
        'mean trust of partners on the three foreign routes, 0-1 (M5)'),
    gauge('trust_china', 'share', 'float',
        'trust of partners on the China route'),
    gauge('trust_russia', 'share', 'float',
        'trust on the Russia route'),
    gauge('trust_third', 'share', 'float',
        'trust in friendly third countries'),
    gauge('mean_effort', 'effort', 'float',
        'mean effort in force of officials in post (1 = ordinary)'),
    gauge('mean_pressure', 'index', 'float',
        'mean political pressure of officials in post (M4)'),
    gauge('mean_fear', 'index', 'float',
        "officials' mean believed risk of arrest if they refused openly, learned from cases heard of (M23)"),
    gauge('mean_recall_belief', 'probability', 'float',
        "officials' mean believed chance that a result over the goal brings recall or relocation (M14, M15)"),
    gauge('total_quota_usd', 'USD', 'float',
        "sum of companies' half-year quotas in force (M1, M3, M6, M7, M13)"),
    gauge('joint_ventures', 'ventures', 'int',
        'joint ventures running (M25)'),
    gauge('sanctions_china', 'share', 'float',
        'sanction intensity on the China route in force'),
    gauge('border_closed', 'flag', 'bool',
        'official trade suspended this month (M20)'),
    gauge('decentralisation', 'flag', 'bool',
        'independent trading authority in force (M25)'),
    gauge('campaign', 'flag', 'bool',
        'a mobilisation campaign is on (M21)'),
    # --- issue 14: workers abroad, trade channels, the closure by degree and channel ---------
    money_flow('worker_charges_owed_usd', 'USD',
        "charges workers abroad owed their companies this month, per head by country, plus arrears (M8, M1)"),
    money_flow('worker_charges_paid_usd', 'USD',
        "charges workers paid from their pay, first call on it; remitted toward the company's quota (M8, M1)",
        label='workers\' charges paid'),
    money_flow('worker_charge_arrears_usd', 'USD',
        "charges owed and not paid this month: added to the workers' debt to the company (M8)"),
    count_flow('workers_dispatched', 'persons',
        'workers dispatched abroad under new permits this month (part of dispatched; M8)'),
    count_flow('repatriated', 'persons',
        'workers sent home under a repatriation order (part of recalled; M8)', label='workers repatriated'),
    count_flow('repatriated_china', 'persons', 'part of repatriated from China'),
    count_flow('repatriated_russia', 'persons', 'part of repatriated from Russia'),
    count_flow('repatriated_third', 'persons', 'part of repatriated from friendly third countries'),
    count_flow('repatriation_evaded', 'persons',
        'workers due for repatriation who stayed on other permits (students, trainees; M8)'),
    money_flow('customs_exports_usd', 'USD',
        "value of deals completed through official customs trade: what the record's export figures count (M17)",
        label='exports through customs'),
    money_flow('customs_exports_china_usd', 'USD',
        'part of customs_exports_usd with China (comparable with China customs\' imports from the DPRK)'),
    money_flow('trade_state_channel_usd', 'USD',
        'value of deals completed through state and military trade, outside customs records (M17)'),
    money_flow('trade_smuggled_usd', 'USD',
        'value of deals completed through smuggling and ship-to-ship transfers, outside customs records (M5)'),
    count_flow('deals_stopped_by_ban', 'deals',
        'customs deals in the pipeline stopped by a new ban (part of deals_cancelled; M5)'),
    money_flow('channel_seized_usd', 'USD',
        'profit of evading deals seized under enforcement (M5, M17); part of lost_usd'),
    gauge('workers_china', 'persons', 'int', 'workers abroad in China at the end of the month (M8)'),
    gauge('workers_russia', 'persons', 'int', 'workers abroad in Russia (M8)'),
    gauge('workers_third', 'persons', 'int', 'workers abroad in friendly third countries (M8)'),
    gauge('workers_russia_permitted', 'persons', 'int',
        'workers in Russia on work permits, as Russia counts them (excludes other permits; M8)'),
    gauge('workers_other_permits', 'persons', 'int',
        'workers abroad on other permits (students, trainees) after evading repatriation (M8)'),
    gauge('worker_debt_usd', 'USD', 'float', "workers' unpaid charges owed to their companies (M8)"),
    gauge('mean_effort_traders', 'effort', 'float',
        'mean effort in force of trade officials in post (M4, M23): workers, 44 to one, dominate mean_effort'),
)

#: Tallies the phases keep for one another within a month (the review's counts of those at
#: risk, read by the officials' learning); declared like flows, reset with them, not written.
TALLIES = Table(
    count_flow("high_performers", "persons", "traders abroad at or over the goal at a review (M15)", output=False),
    count_flow("defiant", "persons", "officials openly defiant at a review: idle and far below target (M23)",
               output=False),
)

#: Every name ``state.Flows`` accepts.
FLOW_NAMES = frozenset(MONTHLY.of_kind("flow") + TALLIES.of_kind("flow"))
#: The parts earned_usd splits into, every month (the accounting identity).
MONEY_SPLIT = ("remitted_usd", "levied_usd", "kept_by_officials_usd", "shared_upward_usd", "rents_usd", "lost_usd")
#: earned_usd by route, summing to it.
EARNED_BY_ROUTE = ("earned_china_usd", "earned_russia_usd", "earned_third_usd", "earned_domestic_usd")

REVIEWS = Table(
    Column('company_id', 'index', 'int', 'company index'),
    Column('tier', 'tier', 'label', 'central, provincial, city or lower (M25, M28)'),
    Column('affiliation', 'affiliation', 'label', 'army, state_security, ministry or party_fund_office (M17)'),
    Column('period', 'YYYY-Hn', 'text', 'half-year reviewed, YYYY-H1 or YYYY-H2'),
    Column('month', 'month', 'int', 'month index of the review'),
    Column('date', 'date', 'date', 'month of the review: its first day, a timestamp'),
    Column('quota_usd', 'USD', 'float', 'the half-year quota reviewed (M1)'),
    Column('remitted_usd', 'USD', 'float', "remitted from earnings toward the quota during the half, with the state's "
           "share of what the company received from companies it fronts for (M28)"),
    Column('own_pocket_usd', 'USD', 'float', "paid in from officials' own savings at the review (M22)"),
    Column('attainment', 'share', 'float', '(remitted + own pocket) / quota'),
    Column('rank', 'rank', 'int', 'rank by attainment, 1 = best (M2)'),
    Column('criticised', 'flag', 'bool', 'criticised in the meeting (M2)'),
    Column('headcount', 'persons', 'int', 'officials and workers in post at the review'),
    Column('earned_usd', 'USD', 'float', "earned by the company's people during the half (before the split into remitted, kept, ...)"),
    Column('kept_usd', 'USD', 'float', "kept by the company's people during the half, after surveillance confiscations"),
    Column('handed_up_usd', 'USD', 'float', "handed up during the half to the first-tier company fronting for it (M28)"),
    Column('received_from_others_usd', 'USD', 'float',
           "received during the half from the lower-tier companies it fronts for (M28); the state's share of it "
           "counts in remitted_usd"),
    Column('mean_pressure', 'index', 'float', "mean political pressure of the company's people in post after the review (M4, M2, M21)"),
    Column('mean_effort', 'effort', 'float', "mean effort in force of the company's people in post at the review"),
)


def _official(name: str, dtype: Any, unit: str, meaning: str, type: str = "float", output: bool = True) -> Column:
    return Column(name, unit, type, meaning, kind="state", dtype=dtype, output=output)


#: The officials table: the state's per-official arrays (``dtype``) and which are written to
#: ``officials.parquet`` (``output``), after ``official_id``, the row index.
OFFICIALS = Table(
    Column("official_id", "index", "int", "row index; officials dispatched later have higher ids", kind="key"),
    _official("company", np.int32, "index", "company index", "int"),
    _official("role", np.int8, "role", "trade_official or overseas_worker", "label"),
    _official("post", np.int8, "post", "pyongyang, province, border_city, big_chinese_city, russia or third_country (M16)",
              "label"),
    _official("route", np.int8, "route", "china, russia, third or domestic", "label"),
    _official("status", np.int8, "status", "active, recalled, arrested, defected or gave_up", "label"),
    _official("skill", np.float32, "multiplier", "productivity multiplier (lognormal, median 1)"),
    _official("effort", np.float32, "effort", "chosen effort at the end"),
    _official("effort_in_force", np.float32, "effort", "chosen effort plus what pressure and fear draw out (M4, M23)",
              output=False),
    _official("pressure", np.float32, "index", "political pressure (M4)"),
    _official("fear", np.float32, "probability", "believed risk of arrest if refusing openly, learned from cases heard of (M23)"),
    _official("recall_belief", np.float32, "probability",
              "believed chance that a result over the goal brings recall or relocation, learned from the own company "
              "and post (M14, M15)"),
    _official("hold_at", np.float32, "attainment",
              "the trader's choice: attainment above which surplus is kept rather than handed in (inf: hands all in, M15)",
              output=False),
    _official("defiant", np.bool_, "flag", "chose open refusal of the order, without remorse (M23)", "bool"),
    _official("debt_usd", np.float64, "USD", "owed to lenders after paying in beyond savings (M22)"),
    _official("recalled_by", np.int32, "index", "official_id of the rival whose rumour brought this one's recall, -1 if none (M14)",
              "int"),
    _official("rumours_won", np.int16, "rumours", "rivals this official brought down by rumours (M14)", "int"),
    _official("family_at_home", np.bool_, "flag", "family held at home (M9)", "bool"),
    _official("wealth_usd", np.float64, "USD", "personal savings, USD"),
    _official("visibility_usd", np.float64, "USD", "recent earnings, exponentially decayed, USD (visibility to rivals, M14)"),
    _official("capacity_usd", np.float64, "USD", "expected half-year remittance at effort 1, USD (learned)"),
    _official("target_usd", np.float64, "USD", "personal share of the company's half-year quota, USD"),
    _official("half_remitted_usd", np.float64, "USD", "remitted so far this half-year", output=False),
    _official("half_kept_usd", np.float64, "USD", "kept so far this half-year", output=False),
    _official("half_withheld_usd", np.float64, "USD",
              "of the half's take, what the state's share would have remitted beyond the trader's hold_at (M15)",
              output=False),
    _official("half_own_pocket_usd", np.float64, "USD", "paid from savings at this half's review (M22)", output=False),
    _official("attainment", np.float32, "share", "personal attainment at the last review"),
    _official("patron", np.int32, "index", "official_id of the relative who placed this one, -1 if none (M24)", "int"),
    _official("n_relatives", np.int16, "persons", "relatives this official placed (M24)", "int"),
    _official("tenure_months", np.int16, "months", "months in post", "int"),
    _official("dispatched_month", np.int16, "month", "month index of dispatch (0 = initial population)", "int"),
    _official("exit_month", np.int16, "month", "month index of leaving post, -1 if still in post", "int"),
    _official("replaced", np.bool_, "flag", "the post this official left has been refilled", "bool", output=False),
    _official("domestic_duty", np.bool_, "flag", "a trader sent to earn at home by a closure (M20)", "bool",
              output=False),
    _official("resigned", np.bool_, "flag", "gave up: stopped trying, waiting for the review (M11)", "bool",
              output=False),
    # --- issue 14: workers abroad
    _official("charge_arrears_usd", np.float64, "USD", "a worker's unpaid charges owed to the company (M8)"),
    _official("other_permit", np.bool_, "flag", "a worker staying on another permit after evading repatriation (M8)",
              "bool"),
)


_PAGE_HEAD = """# Output tables

Every run writes `monthly.parquet`, `reviews.parquet`, `officials.parquet`, the scenario in force
(`scenario.toml`) and `manifest.json` (scenario name and content hash, seed, package version, start and
end time, wall time, and the SHA-256 of each file). The same descriptions are stored in each Parquet
file's schema (field metadata `description`). Money is in US dollars.

Accounting identity, every month: `earned_usd = remitted_usd + levied_usd + kept_by_officials_usd +
shared_upward_usd + rents_usd + lost_usd`, and `earned_usd` is the sum of its four routes.

This page is generated from `quotasim/columns.py`: `python -m quotasim.columns > docs/outputs.md`.
"""
_SECTIONS = (("monthly.parquet — one row a month", MONTHLY),
             ("reviews.parquet — one row per company per half-year review", REVIEWS),
             ("officials.parquet — final state, one row an official", OFFICIALS))


def markdown() -> str:
    """The docs page of every output column, from the declarations above."""
    parts = [_PAGE_HEAD]
    for title, table in _SECTIONS:
        rows = "\n".join(f"| `{c.name}` | {c.unit} | {c.meaning} |" for c in table.values() if c.output)
        parts.append(f"## {title}\n\n| column | unit | meaning |\n|---|---|---|\n{rows}\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(markdown(), end="")
