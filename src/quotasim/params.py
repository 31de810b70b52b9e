"""Every model parameter, declared once: default, unit, bounds, mechanism id and source.

Each of the thirty mechanisms of ``shared/MECHANISMS.md`` is one frozen pydantic model
below, named after what it does, with

* ``enabled`` — the switch that turns the mechanism off (the model then behaves as if
  the reports had never described it);
* class attributes ``MECHANISM`` (its M-id), ``SOURCE`` (the seed report it comes from)
  and ``TITLE`` (one line);
* fields declared with :func:`param`, which records the unit and, where a value is not a
  pure modelling assumption, the record or report it is sized from.

The scenario (``quotasim.scenario.Scenario``) names each group once as a field; the CLI's
``explain``, the scenario validator, the sweep layer and the report all read
these declarations; nothing else restates a default.

Source tags: ``seed NNN`` is a report in ``shared/seeds/``; ``record: NAME`` is a row of
``shared/data/public_record.csv``; ``assumption`` is a modelling choice to be calibrated
or varied in sensitivity analysis.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Mechanism", "param", "Population", "Behaviour", "Environment"]


#: Element types of tuple parameters, bounded like scalar ones.
Fraction = Annotated[float, Field(ge=0, le=1)]
Multiplier = Annotated[float, Field(ge=0, le=100)]


def param(default: Any, *, unit: str, doc: str, source: str = "assumption",
          ge: float | None = None, le: float | None = None, gt: float | None = None,
          lt: float | None = None) -> Any:
    """Declare one parameter: its default, unit, meaning, source and allowed range."""
    return Field(default, ge=ge, le=le, gt=gt, lt=lt, description=doc,
                 json_schema_extra={"unit": unit, "source": source})


class Group(BaseModel):
    """A frozen, strictly typed block of parameters; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _arrays_as_tuples(cls, data: Any) -> Any:
        # TOML arrays arrive as lists; strict mode would refuse them for tuple fields.
        if not isinstance(data, dict):
            return data
        tuples = {name for name, info in cls.model_fields.items() if get_origin(info.annotation) is tuple}
        return {key: tuple(value) if key in tuples and isinstance(value, list) else value
                for key, value in data.items()}


class Mechanism(Group):
    """A switchable mechanism from the reports."""

    MECHANISM: ClassVar[str] = ""
    SOURCE: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    enabled: bool = param(True, unit="switch", doc="turn the mechanism on or off")


# --------------------------------------------------------------------- structure
class Population(Group):
    """Who is in the system at the start. Sized from the public record."""

    n_companies: int = param(225, unit="companies", ge=1, le=100_000, source="record: trading_companies_foreign_currency 2013",
                             doc="foreign-currency-earning trading companies (about 200-250)")
    n_trade_officials: int = param(2_250, unit="persons", ge=0, le=5_000_000,
                                   doc="trade officials (presidents, vice presidents, traders); about ten a company")
    # The bound leaves room for the ten-million-official benchmark run (docs/performance.md).
    n_overseas_workers: int = param(100_000, unit="persons", ge=0, le=20_000_000, source="record: overseas_workers 2023",
                                    doc="dispatched overseas workers under earnings quotas")
    worker_share_china: float = param(0.5, unit="fraction", ge=0, le=1, source="record: overseas_workers_china 2019",
                                      doc="share of overseas workers in China")
    worker_share_russia: float = param(0.3, unit="fraction", ge=0, le=1, source="record: overseas_workers_russia 2019",
                                       doc="share of overseas workers in Russia (rest: friendly third countries)")
    tier_shares: tuple[Fraction, Fraction, Fraction, Fraction] = param(
        (0.2, 0.25, 0.3, 0.25), unit="fraction", source="seed 004",
        doc="company tiers: ministry/central first-class, provincial, city, lower-level")
    affiliation_shares: tuple[Fraction, Fraction, Fraction, Fraction] = param(
        (0.2, 0.15, 0.5, 0.15), unit="fraction", source="seed 002",
        doc="company affiliations: army, state security, ministry, party fund office")
    trade_post_shares: tuple[Fraction, Fraction, Fraction, Fraction, Fraction, Fraction] = param(
        (0.25, 0.15, 0.25, 0.2, 0.1, 0.05), unit="fraction", source="seed 002",
        doc="trade officials' posts: Pyongyang, province, border city, big Chinese city, Russia, third country")
    worker_concentration: float = param(1.5, unit="log-sd", ge=0, le=5,
                                        doc="spread of companies' shares of overseas workers (lognormal): a few "
                                            "companies dispatch most workers, many mainly trade")
    family_at_home_share: float = param(0.9, unit="fraction", ge=0, le=1, source="seed 001",
                                        doc="officials and workers whose families stay at home (defection deterrent)")
    skill_sigma: float = param(0.35, unit="log-sd", ge=0, le=2, doc="spread of individual skill (lognormal, median 1)")
    effort_mean: float = param(1.0, unit="effort", ge=0, le=2, doc="mean initial effort (1 = ordinary diligence)")
    effort_sd: float = param(0.15, unit="effort", ge=0, le=1, doc="spread of initial effort")
    refill_rate: float = param(0.1, unit="per month", ge=0, le=1,
                               doc="share of vacated posts the state fills with a new dispatch each month")
    initial_wealth_months: float = param(6.0, unit="months of earnings", ge=0, le=600,
                                         doc="personal savings at the start, in months of expected take-home")


class Behaviour(Group):
    """How officials choose effort: fixed, adaptive (learning) or forward-looking."""

    rule: Literal["fixed", "adaptive", "forward"] = param(
        "adaptive", unit="choice", doc="fixed effort; adaptive learning from experience; best response to the ratchet")
    max_effort: float = param(2.0, unit="effort", gt=0, le=10, doc="upper bound of effort")
    effort_cost: float = param(0.25, unit="target-units per effort^2", ge=0, le=10,
                               doc="private cost of effort, quadratic (adaptive rule)")
    learning_step: float = param(0.05, unit="effort", ge=0, le=1, doc="size of an adaptive effort change per half-year")
    exploration_sd: float = param(0.02, unit="effort", ge=0, le=1, doc="noise added to adaptive effort changes")
    imitation: bool = param(True, unit="switch", doc="newly dispatched officials copy the effort of a surviving colleague")
    risk_memory: float = param(0.5, unit="fraction", ge=0, le=1,
                               doc="weight of the latest half-year in each official's beliefs about recall and "
                                   "arrest risk, learned from what they see in their company and post (M14, M15, M23)")
    praise_value: float = param(1.2, unit="target-units per unit attainment", ge=0, le=100, source="seed 002",
                                doc="what a trader expects a surplus handed in above 100 % to bring (praise, standing, "
                                    "'preferential treatment from the state'), per unit of target; above 1 a surplus "
                                    "is worth more handed in than kept, unless recall is feared (M15)")
    shortfall_penalty: float = param(1.0, unit="target-units per unit gap", ge=0, le=100, source="seed 000",
                                     doc="political cost an adaptive official feels per unit of shortfall (needs M4)")
    recall_loss: float = param(3.0, unit="half-year targets", ge=0, le=100,
                               doc="what an official expects to lose by being recalled (future take abroad)")
    hold_margin: float = param(0.02, unit="attainment", ge=0, le=1,
                               doc="how far over the target a trader who keeps the surplus aims, to be sure of "
                                   "meeting it (M15)")
    arrest_loss: float = param(9.0, unit="half-year targets", ge=0, le=1000, source="seed 003",
                               doc="what an official expects to lose by arrest: post, savings, family's standing "
                                   "(house search, exile)")
    bliss_effort: float = param(1.2, unit="effort", ge=0, le=10,
                                doc="β/c: effort a forward-looking official would choose with no ratchet")
    discount: float = param(0.9, unit="per half-year", ge=0, lt=1, doc="forward-looking officials' discount factor δ")
    earnings_noise: bool = param(True, unit="switch", doc="random month-to-month variation in earnings")


class Environment(Group):
    """Exogenous conditions; the timeline moves them (sanctions, closures, directives)."""

    sanctions_china: float = param(0.0, unit="intensity 0-1", ge=0, le=1, source="record: dprk_exports_to_china",
                                   doc="share of China-route business shut by sanctions (M7, M13)")
    sanctions_russia: float = param(0.0, unit="intensity 0-1", ge=0, le=1, doc="share of Russia-route business shut by sanctions")
    sanctions_third: float = param(0.0, unit="intensity 0-1", ge=0, le=1, doc="share of third-country business shut by sanctions")
    border_closed: bool = param(False, unit="switch", source="seed 003", doc="official trade suspended (epidemic closure, M20)")
    decentralisation_directive: bool = param(False, unit="switch", source="seed 004",
                                             doc="independent trading authority in force (M25-M30)")
    campaign_active: bool = param(False, unit="switch", source="seed 003", doc="a mobilisation campaign (80-day battle) is on (M21)")
    other_sources_open: bool = param(True, unit="switch", source="seed 001",
                                     doc="other foreign-cash sources (inter-Korean projects) still run (M13)")


# ----------------------------------------------------- quotas, reviews, revision
class Quota(Mechanism):
    MECHANISM, SOURCE, TITLE = "M1", "seed 000, 001", "half-year state quota per trading company"
    initial_ratio: float = param(1.05, unit="quota / expected remittance", gt=0, le=10, source="seed 000",
                                 doc="first quota as a multiple of what the company's people would remit at ordinary effort")
    remit_share: float = param(0.8, unit="fraction", ge=0, le=1, source="record: overseas_worker_monthly_pay_low 2013",
                               doc="share of net earnings handed to the state (70-90 % taken)")


class Review(Mechanism):
    MECHANISM, SOURCE, TITLE = "M2", "seed 000", "ranked half-year review with public criticism"
    criticise_below: float = param(0.9, unit="attainment", ge=0, le=10, source="seed 000",
                                   doc="companies below this attainment are criticised in the meeting")
    criticism_pressure: float = param(0.3, unit="pressure", ge=0, le=10,
                                      doc="pressure added at the assessment of an official of a criticised company, "
                                          "in full for the last-ranked company, scaled down with rank (M2, M4)")


class Ratchet(Mechanism):
    MECHANISM, SOURCE, TITLE = "M3", "seed 000", "targets revised from the last half's results"
    up_rate: float = param(0.5, unit="fraction of surplus", ge=0, le=1, source="seed 000",
                           doc="λ_up: share of a result above quota added to the next quota")
    down_rate: float = param(0.0, unit="fraction of shortfall", ge=0, le=1,
                             doc="λ_down: share of a shortfall taken off the next quota (0 = upward-only ratchet)")


class Pressure(Mechanism):
    MECHANISM, SOURCE, TITLE = "M4", "seed 000", "political pressure and stress grow with the gap"
    gap_weight: float = param(1.0, unit="pressure per unit gap", ge=0, le=20,
                              doc="pressure added per unit of the official's own shortfall at a review (M4)")
    decay: float = param(0.7, unit="per half-year", ge=0, le=1, doc="share of pressure carried to the next half")
    effort_response: float = param(0.3, unit="effort", ge=0, le=5,
                                   doc="most extra effort pressure can draw out; half of it at pressure 1 "
                                       "(people cannot be driven without limit)")


class Frictions(Mechanism):
    MECHANISM, SOURCE, TITLE = "M5", "seed 000", "goods supply, crackdowns, partner trust, delayed and cancelled deals"
    goods_shortfall: float = param(0.1, unit="fraction", ge=0, le=1, doc="share of deal value lost to trouble securing goods")
    crackdown_rate: float = param(0.05, unit="per deal-month", ge=0, le=1, doc="chance an inspection hits a deal in the pipeline")
    cancel_given_crackdown: float = param(0.3, unit="probability", ge=0, le=1, doc="a hit deal is cancelled (else delayed a month)")
    seizure_rate: float = param(0.02, unit="fraction", ge=0, le=1, doc="share of completed deals whose proceeds are seized")
    trust_gain: float = param(0.2, unit="trust per completion share", ge=0, le=1, doc="trust gained as deals complete")
    trust_loss: float = param(0.2, unit="trust per cancellation share", ge=0, le=5, doc="trust lost as deals are cancelled")
    initial_trust: float = param(0.8, unit="trust 0-1", ge=0, le=1, doc="partners' trust at the start")


class UnconditionalDemands(Mechanism):
    MECHANISM, SOURCE, TITLE = "M6", "seed 000", "targets raised for all, with no supplies or support"
    raise_all: float = param(0.01, unit="fraction per half-year", ge=0, le=2, source="seed 000",
                             doc="raise applied to every company's quota whatever its result")


class SanctionCuts(Mechanism):
    MECHANISM, SOURCE, TITLE = "M7", "seed 001", "yearly targets cut when sanctions bite"
    bite_threshold: float = param(0.3, unit="intensity", ge=0, le=1, doc="sanction intensity above which the state cuts targets")
    most_miss: float = param(0.5, unit="fraction of companies", ge=0, le=1, source="seed 001",
                             doc="the bureau judges targets impossible when more than this share of companies missed "
                                 "at the year-end review; it cuts once, and again only after most have met them")
    max_cut: float = param(0.15, unit="fraction per year", ge=0, le=1, source="record: overseas_target_cut 2017",
                           doc="largest yearly cut (up to 15 %)")


class YearEndCampaign(Mechanism):
    MECHANISM, SOURCE, TITLE = "M21", "seed 003", "December review folded into a mobilisation campaign"
    scrutiny: float = param(2.0, unit="multiplier", ge=1, le=20,
                            doc="pressure and arrest risk multiplier at a review held during a campaign (M21)")
    campaign_pressure: float = param(0.1, unit="pressure per month", ge=0, le=5, doc="monthly pressure while a campaign is on")


# ------------------------------------------------------ overseas workers, exits
class OverseasEarnings(Mechanism):
    MECHANISM, SOURCE, TITLE = "M8", "seed 001", "workers' earnings barely cover their living costs"
    wage_usd: float = param(650.0, unit="USD per month", ge=0, le=1e6, source="record: overseas_worker_monthly_pay_low/high 2013",
                            doc="median gross monthly pay of a worker at ordinary effort (300-1000)")
    living_cost_usd: float = param(150.0, unit="USD per month", ge=0, le=1e6, doc="living costs a worker must cover first")
    noise_sd: float = param(0.2, unit="log-sd", ge=0, le=2, doc="month-to-month variation in pay")
    sanction_exposure: float = param(0.3, unit="fraction", ge=0, le=1, source="record: overseas_worker_earnings_total 2023",
                                     doc="share of a route's sanction intensity that reaches workers' pay (labour kept "
                                         "earning while goods exports collapsed)")


class Defection(Mechanism):
    MECHANISM, SOURCE, TITLE = "M9", "seed 001", "impractical tasks raise defection risk; families at home deter"
    base_rate: float = param(0.0002, unit="per month", ge=0, le=1, doc="defection hazard abroad with no pressure")
    pressure_factor: float = param(1.5, unit="per pressure", ge=0, le=100, doc="relative increase of the hazard per unit pressure")
    family_deterrence: float = param(0.8, unit="fraction", ge=0, le=1, source="seed 001",
                                     doc="hazard reduction when the family is held at home")


class WorkerCaps(Mechanism):
    MECHANISM, SOURCE, TITLE = "M10", "seed 001", "workers abroad capped to stop competition between groups"
    capacity_ratio: float = param(0.9, unit="capacity / initial workers", gt=0, le=10,
                                  doc="market capacity per route, relative to the initial number of workers")
    competition_elasticity: float = param(0.8, unit="elasticity", ge=0, le=5,
                                          doc="fall in pay per worker as a route's headcount exceeds capacity")
    cap_ratio: float = param(1.0, unit="cap / initial workers", gt=0, le=10,
                             doc="cap on workers abroad per route while the mechanism is on")


class GivingUp(Mechanism):
    MECHANISM, SOURCE, TITLE = "M11", "seed 001", "some stop trying and accept being summoned home"
    rate: float = param(0.01, unit="per month", ge=0, le=1, source="seed 001",
                        doc="chance a month that an official over the thresholds weighs giving up (\"some\" give up, "
                            "not most); they do if staying costs more than going home")
    pressure_threshold: float = param(0.6, unit="pressure", ge=0, le=100, doc="pressure above which giving up is possible")
    attainment_threshold: float = param(0.6, unit="attainment", ge=0, le=10, doc="personal attainment below which giving up is possible")


class Levies(Mechanism):
    MECHANISM, SOURCE, TITLE = "M12", "seed 001", "earmarked levies on top of the quota (fertiliser, railway)"
    rate: float = param(0.1, unit="fraction of target", ge=0, le=5, doc="levy due each month, as a share of the monthly target")


class OtherSources(Mechanism):
    MECHANISM, SOURCE, TITLE = "M13", "seed 001", "other foreign cash dries up, quotas lean on trade alone"
    monthly_usd: float = param(8_000_000.0, unit="USD per month", ge=0, le=1e12,
                               doc="foreign cash from other sources (inter-Korean projects) while open")
    burden_shift: float = param(0.5, unit="fraction", ge=0, le=10,
                                doc="share of the lost other income pushed onto trade quotas when the sources close")


# ------------------------------------------------------ recalls, rivalry, approvals
class RumourRecall(Mechanism):
    MECHANISM, SOURCE, TITLE = "M14", "seed 002", "visible high performers recalled after rivals' rumours"
    threshold_usd: float = param(1_600_000.0, unit="USD earned", ge=0, le=1e12, source="record: high_performer_recalled_threshold 2016",
                                 doc="recent earnings that make an official visible (10 million RMB)")
    visibility_memory: float = param(0.95, unit="per month", ge=0, lt=1,
                                     doc="share of visibility carried to the next month: recent earnings, a rolling "
                                         "window of about 1 / (1 - memory) months, not a lifetime")
    rate: float = param(0.03, unit="per month", ge=0, le=1,
                        doc="chance a month that an underperforming trader tells a rumour about a visible rival "
                            "in the same post, when it pays (M14, M19)")
    success: float = param(0.3, unit="probability", ge=0, le=1,
                           doc="chance a rumour brings the recall of an unprotected rival at the visibility threshold "
                               "told by an unprotected teller; rises with visibility, relatives placed (M24) and "
                               "the teller's standing (M17), falls with the target's protection")
    teller_cost: float = param(0.1, unit="half-year targets", ge=0, le=100,
                               doc="what a teller risks by telling (a rumour can turn on its teller)")


class GoalRecall(Mechanism):
    MECHANISM, SOURCE, TITLE = "M15", "seed 002", "meeting the goal leads to recall or relocation"
    attainment: float = param(1.1, unit="attainment", ge=0, le=10, doc="personal attainment at which recall becomes likely")
    probability: float = param(0.12, unit="per review", ge=0, le=1, doc="chance of recall or relocation once over the mark")
    relocate_share: float = param(0.3, unit="fraction", ge=0, le=1, doc="share relocated home to a post in Pyongyang rather than recalled")


class Posts(Mechanism):
    MECHANISM, SOURCE, TITLE = "M16", "seed 002", "big-city posts raise party funds through MOUs; border posts trade"
    big_city_deal_usd: float = param(400_000.0, unit="USD per deal", ge=0, le=1e12, doc="median MOU deal in Beijing, Guangzhou, Shenzhen")
    border_deal_usd: float = param(120_000.0, unit="USD per deal", ge=0, le=1e12, doc="median deal in the border cities")
    other_deal_usd: float = param(200_000.0, unit="USD per deal", ge=0, le=1e12, doc="median deal from other posts")
    deal_sd: float = param(0.8, unit="log-sd", ge=0, le=3, doc="spread of deal values")
    province_yield_usd: float = param(2_000.0, unit="USD per month", ge=0, le=1e9,
                                      doc="foreign cash a province-post official raises selling at home")
    margin: float = param(0.25, unit="fraction", ge=0, le=1, doc="profit margin on a completed deal")
    deal_rate: float = param(0.5, unit="per month", ge=0, le=1, doc="chance an active trader starts a deal in a month at ordinary effort")


class Affiliation(Mechanism):
    MECHANISM, SOURCE, TITLE = "M17", "seed 002", "affiliation with powerful bodies buys protection and access"
    protection: tuple[Fraction, Fraction, Fraction, Fraction] = param(
        (0.5, 0.6, 0.0, 0.4), unit="fraction", doc="reduction of recall, arrest and crackdown risk: army, security, ministry, fund office")
    access: tuple[Multiplier, Multiplier, Multiplier, Multiplier] = param(
        (1.3, 1.4, 1.0, 1.3), unit="multiplier", doc="speed-up of approvals: army, security, ministry, fund office")


class Pipeline(Mechanism):
    MECHANISM, SOURCE, TITLE = "M18", "seed 002", "four-stage deal approval with delays, rejections and rents"
    pass_rate: tuple[Fraction, Fraction, Fraction, Fraction] = param(
        (0.8, 0.6, 0.8, 0.9), unit="per attempt", source="record: trade_permit_review_duration 2020",
        doc="chance of clearing each stage when the file reaches it (a cleared file moves on the same month; "
            "about a month in all): Central Party, Shenzhen feasibility review, SPC licence, customs and quarantine")
    reject_rate: tuple[Fraction, Fraction, Fraction, Fraction] = param(
        (0.03, 0.06, 0.03, 0.02), unit="per month", doc="monthly chance a stage rejects the deal")
    rent_share: tuple[Fraction, Fraction, Fraction, Fraction] = param(
        (0.02, 0.03, 0.03, 0.04), unit="fraction of profit", doc="profit taken by each stage's interests")


class MutualWatch(Mechanism):
    MECHANISM, SOURCE, TITLE = "M19", "seed 002", "agencies compete and watch each other"
    intensity: float = param(1.0, unit="multiplier increase", ge=0, le=20,
                             doc="how much rivals' reports raise rumour-recall and misconduct detection")


# ------------------------------------------------- closure, domestic earning, punishment
class BorderClosure(Mechanism):
    MECHANISM, SOURCE, TITLE = "M20", "seed 003", "official trade suspended; officials earn at home"
    domestic_yield_usd: float = param(300.0, unit="USD per month", ge=0, le=1e9,
                                      doc="foreign cash a trade official can raise at home at ordinary effort")
    frozen_cancel_rate: float = param(0.15, unit="per month", ge=0, le=1, doc="cancellation hazard of a deal frozen by the closure")
    worker_yield: float = param(0.8, unit="fraction of pay", ge=0, le=1, source="record: overseas_worker_earnings_total 2023",
                                doc="workers' earnings while the border is closed: they kept working where they were, "
                                    "with no rotation home")
    quota_ratio: float = param(1.5, unit="quota / expected remittance", gt=0, le=10, source="seed 003",
                               doc="when the border closes or reopens, quotas are re-set to this multiple of what "
                                   "people can remit under the new conditions: a domestic quota most cannot make "
                                   "(\"how are we supposed to earn foreign currency domestically?\"; others "
                                   "\"obtained even just small amounts\" and paid from their own money)")


class OwnPocket(Mechanism):
    MECHANISM, SOURCE, TITLE = "M22", "seed 003", "officials pay from their own money to make the quota"
    max_share: float = param(0.3, unit="fraction of wealth", ge=0, le=1, doc="most of their savings an official will pay in")
    willingness: float = param(0.6, unit="probability", ge=0, le=1, doc="chance a short official pays in (rises with pressure)")
    borrow_months: float = param(3.0, unit="months of take-home", ge=0, le=120,
                                 doc="most an official can borrow beyond savings to pay in, in months of expected take-home")
    interest_rate: float = param(0.03, unit="per month", ge=0, le=1,
                                 doc="monthly interest on what an official owes (private lenders, donju)")


class Arrest(Mechanism):
    MECHANISM, SOURCE, TITLE = "M23", "seed 003", "open defiance leads to arrest, family investigation, deterrence"
    defiance_effort: float = param(0.3, unit="effort", ge=0, le=10, doc="effort below which an official counts as idle")
    attainment_below: float = param(0.5, unit="attainment", ge=0, le=10, doc="personal attainment below which the idle are pursued")
    probability: float = param(0.5, unit="per review", ge=0, le=1,
                               doc="chance an official who openly refused is arrested at a review")
    impossible: float = param(0.85, unit="attainment", ge=0, le=10, source="seed 003",
                              doc="a quota is resented as impossible when what an official reaches at ordinary "
                                  "effort is below this attainment (\"how are we supposed to earn foreign currency "
                                  "domestically?\")")
    comfort_usd: float = param(100_000.0, unit="USD", ge=1, le=1e12, source="seed 003",
                               doc="savings at which an official is comfortable (\"living well\"); an official with "
                                   "no relative placed in a foreign-currency post counts as half as comfortable (M24)")
    resentment: float = param(3.0, unit="half-year targets", ge=0, le=1000, source="seed 003",
                              doc="what an impossible quota costs a comfortable official in indignation, at full "
                                  "comfort and a quota twice what they can reach")
    prior_risk: float = param(0.1, unit="probability", ge=0, le=1,
                              doc="arrest risk an official believes open refusal carries before hearing of a case, "
                                  "and to which the belief drifts back as cases are forgotten")
    deterrence: float = param(0.5, unit="probability", ge=0, le=1,
                              doc="weight of an arrest in one's own company in one's belief about arrest risk")
    spillover: float = param(0.1, unit="probability per log-case", ge=0, le=1,
                             doc="weight of arrests heard of elsewhere (the case made political): spillover * log(1 + cases)")
    fear_decay: float = param(0.8, unit="per month", ge=0, le=1,
                              doc="share of the believed arrest risk carried to the next month when no case is heard")


class Patronage(Mechanism):
    MECHANISM, SOURCE, TITLE = "M24", "seed 003", "officials place relatives in foreign-currency posts"
    rate: float = param(0.15, unit="probability", ge=0, le=1, doc="chance a new dispatch is a relative of a serving official")
    skill_factor: float = param(0.8, unit="multiplier", ge=0, le=2, doc="skill of a relative relative to a regular dispatch")
    rumour_per_relative: float = param(0.5, unit="multiplier increase", ge=0, le=20, doc="extra rumour risk per relative placed")


# -------------------------------------------------------------- decentralisation
class Decentralisation(Mechanism):
    MECHANISM, SOURCE, TITLE = "M25", "seed 004", "independent trading authority and joint ventures"
    remit_share: float = param(0.65, unit="fraction", ge=0, le=1, doc="share handed to the state by independent companies")
    jv_rate: float = param(0.02, unit="per company-month", ge=0, le=1, doc="chance an independent company opens a joint venture")
    jv_monthly_usd: float = param(30_000.0, unit="USD per month", ge=0, le=1e12, doc="monthly profit of a joint venture")
    max_jvs: int = param(5, unit="ventures", ge=0, le=1000, doc="joint ventures a company can run at once")


class Partners(Mechanism):
    MECHANISM, SOURCE, TITLE = "M26", "seed 004", "partners beyond China: Russia and friendly third countries"
    russia_share: float = param(0.25, unit="fraction", ge=0, le=1, doc="share of an independent company's new deals sent to Russia")
    third_share: float = param(0.15, unit="fraction", ge=0, le=1, doc="share sent to friendly third countries")


class NegotiationTeams(Mechanism):
    MECHANISM, SOURCE, TITLE = "M27", "seed 004", "negotiation teams of about ten may go abroad"
    team_size: int = param(10, unit="persons", ge=1, le=1000, source="record: negotiation_team_size 2025-04", doc="team size")
    deal_boost_per_member: float = param(0.05, unit="per person", ge=0, le=1, doc="rise in deal starts per team member")


class IndirectCollaboration(Mechanism):
    MECHANISM, SOURCE, TITLE = "M28", "seed 004", "lower-level companies supply the privileged, who take most of the profit"
    profit_share_taken: float = param(0.6, unit="fraction", ge=0, le=1, doc="share of a lower-level company's profit taken upward")


class Surveillance(Mechanism):
    MECHANISM, SOURCE, TITLE = "M29", "seed 004", "movements and communications watched; misconduct detected"
    detect_rate: float = param(0.005, unit="per month", ge=0, le=1,
                               doc="chance a trade official's skimming this month is caught and confiscated")
    arrest_given_detect: float = param(0.05, unit="probability", ge=0, le=1, doc="chance a caught official is arrested")


class PartyFunds(Mechanism):
    MECHANISM, SOURCE, TITLE = "M30", "seed 004, 002", "party-fund companies open Russia and Middle East ventures"
    jv_multiplier: float = param(2.0, unit="multiplier", ge=0, le=100, doc="joint-venture rate of party-fund-office companies")


# =============================================================================================
# Issue 14: workers abroad, trade channels, the closure by degree and channel.
# Kept in one block (and one block of Scenario fields) so that it merges beside other work.
# =============================================================================================
Route3 = tuple[Fraction, Fraction, Fraction]          # China, Russia, friendly third countries
Usd3 = tuple[Annotated[float, Field(ge=0, le=1e6)], Annotated[float, Field(ge=0, le=1e6)],
             Annotated[float, Field(ge=0, le=1e6)]]


class WorkersAbroad(Mechanism):
    MECHANISM, SOURCE, TITLE = "M8", "seed 001; record", "workers abroad under permits, each owing the company a monthly charge"
    charge_usd: Usd3 = param(
        (235.0, 365.0, 300.0), unit="USD per month per head",
        source="record: overseas_worker_monthly_quota_dalian/sakhalin 2025-03",
        doc="charge a worker owes the dispatching company each month, by country (China, Russia, third); the "
            "company answers for it in its quota. 3,400 yuan (470 USD) in Dalian and 62,000 rubles (730 USD) in "
            "Sakhalin after the March 2025 doubling (the record's figures), so about half of them before")
    shortfall_pressure: float = param(0.2, unit="pressure per month of charge in arrears", ge=0, le=10, source="seed 001",
                                      doc="company pressure on a worker for each month's charge owed and unpaid")
    new_permits: Route3 = param((1.0, 1.0, 1.0), unit="fraction", source="events: UNSC resolution 2375 (2017-09)",
                                doc="share of the usual new work permits still issued, by country: 1 ordinary, 0 none "
                                    "(vacated workers' posts are refilled, and new dispatches made, only under new permits)")
    dispatch_rate: Route3 = param((0.0, 0.0, 0.0), unit="per month, share of the country's initial workers",
                                  source="events: DPRK-Russia treaty (2024-06)",
                                  doc="new dispatches of workers beyond refilled posts, by country (Russia after 2024)")
    repatriation_rate: float = param(0.0, unit="per month", ge=0, le=1, source="events: UNSC resolution 2397 (2017-12)",
                                     doc="monthly chance a worker on a work permit is due for repatriation (times the "
                                         "country's compliance)")
    compliance: Route3 = param((1.0, 1.0, 1.0), unit="fraction",
                               doc="how far each country (China, Russia, third) carries out repatriation orders")
    evasion_share: float = param(0.2, unit="fraction", ge=0, le=1, source="events: 2019-12 deadline (students, trainees)",
                                 doc="share of workers due for repatriation who stay on other permits (students, trainees)")


class TradeChannels(Mechanism):
    MECHANISM, SOURCE, TITLE = "M17", "seed 002; record", "official customs trade, state and military trade, smuggling"
    evasion: float = param(0.25, unit="fraction", ge=0, le=1, source="record: dprk_total_exports 2018, 2019",
                           doc="share of banned trade that moves to other channels (state and military trade, smuggling "
                               "and ship-to-ship transfers); the rest is lost")
    state_share: float = param(0.5, unit="fraction", ge=0, le=1, source="seed 002",
                               doc="share of evaded trade carried by state and military trade, for companies affiliated "
                                   "with the army, State Security or the party's fund office (others smuggle)")
    evasion_cost: float = param(0.2, unit="fraction of profit", ge=0, le=1,
                                doc="profit lost to the costs of evasion (middlemen, relabelling, ship-to-ship transfers)")
    seizure: tuple[Fraction, Fraction] = param((0.03, 0.1), unit="per completed deal",
                                               doc="chance the proceeds of a completed deal are seized: state and military "
                                                   "trade, smuggling (times enforcement)")
    enforcement: float = param(1.0, unit="multiplier", ge=0, le=10,
                               doc="enforcement of sanctions against evasion: multiplies the seizure risks")


class ClosureDegree(Mechanism):
    MECHANISM, SOURCE, TITLE = "M20", "seed 003; events", "the closure by degree and channel"
    official_open: Route3 = param((0.0, 0.0, 0.0), unit="fraction of capacity",
                                  source="events: Dandong-Sinuiju rail freight 2022-01, 2022-04, 2022-09",
                                  doc="share of official (customs) trade capacity open while the border is closed, by "
                                      "country (e.g. rail freight with China at 30 %)")
    state_open: float = param(0.0, unit="fraction of capacity", ge=0, le=1,
                              doc="share of state and military trade open while the border is closed")
    smuggling_open: float = param(0.3, unit="fraction of capacity", ge=0, le=1,
                                  doc="share of smuggling and ship-to-ship transfers still running while the border is closed")
    people_open: float = param(0.0, unit="fraction", ge=0, le=1, source="events: borders reopen to people 2023-08",
                               doc="share of the usual movement of people (dispatches, refills, repatriation) possible "
                                   "while the border is closed")
