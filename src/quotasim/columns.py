"""What every output column means. Written into the Parquet schemas and the docs."""

from __future__ import annotations

__all__ = ["MONTHLY", "REVIEWS", "OFFICIALS"]

MONTHLY: dict[str, str] = {
    "month": "month index from the scenario start (0 = first month)",
    "date": "calendar month, YYYY-MM",
    "earned_usd": "foreign currency earned this month, USD: completed deals' profit, workers' pay net of living costs, joint ventures, earning at home",
    "earned_china_usd": "part of earned_usd made on the China route",
    "earned_russia_usd": "part of earned_usd made on the Russia route",
    "earned_third_usd": "part of earned_usd made in friendly third countries",
    "earned_domestic_usd": "part of earned_usd raised at home (province posts; closure duty, M20)",
    "remitted_usd": "handed to the state toward quotas (M1); earned = remitted + levied + kept + shared upward + rents + lost",
    "levied_usd": "earmarked levies paid on top of quotas (M12)",
    "kept_by_officials_usd": "kept by officials and workers, after surveillance confiscations (M15, M29)",
    "shared_upward_usd": "profit share taken from lower-level companies by privileged ones (M28)",
    "rents_usd": "profit taken by the approval stages' interests (M18)",
    "lost_usd": "earnings that left the system: carried off by defectors (M9), seized in crackdowns (M5), confiscated by surveillance (M29)",
    "own_pocket_usd": "paid in from officials' own savings at reviews (M22); not part of earned_usd",
    "state_receipts_usd": "remitted + levied + own_pocket: what the state received",
    "party_funds_usd": "remittances of party-fund-office companies and big-city posts (M16, M30)",
    "confiscated_usd": "savings confiscated from arrested officials (M23); a stock transfer, not part of earned_usd",
    "other_sources_usd": "foreign cash from sources other than trade while they run (M13)",
    "skimming_confiscated_usd": "officials' take confiscated when surveillance caught their skimming (M29); part of lost_usd",
    "trade_volume_usd": "value of deals completed this month (comparable with recorded exports)",
    "trade_volume_china_usd": "part of trade_volume_usd on the China route (comparable with exports to China)",
    "trade_volume_russia_usd": "part of trade_volume_usd on the Russia route",
    "trade_volume_third_usd": "part of trade_volume_usd with friendly third countries",
    "joint_venture_usd": "part of earned_usd paid by joint ventures (M25, M30)",
    "workers_gross_usd": "workers' gross pay before living costs (M8)",
    "workers_net_usd": "workers' pay net of living costs: their part of earned_usd (M8)",
    "workers_living_deficit_usd": "living costs workers' pay did not cover, taken from their savings (M8)",
    "recalled": "officials recalled this month, for any reason (M10, M14, M15, M23 family investigation)",
    "recalled_by_rumour": "recalled after rivals' rumours (M14)",
    "recalled_at_goal": "recalled at a review for exceeding the goal (M15)",
    "recalled_by_cap": "workers recalled to meet a cap (M10)",
    "relocated": "moved home to a Pyongyang post for exceeding the goal (M15); stay active",
    "arrested": "arrested this month: defiance at reviews (M23) and surveillance (M29)",
    "arrested_defiant": "arrested for open defiance at a review (M23)",
    "defected": "defected this month (M9)",
    "gave_up": "summoned home at a review after giving up, and not arrested (M11)",
    "stopped_trying": "officials who gave up this month: they stop trying and wait for the review (M11)",
    "dispatched": "new officials and workers dispatched to vacated posts",
    "relatives_placed": "new dispatches who are relatives of serving traders (M24)",
    "relatives_recalled": "relatives recalled when their patron was arrested (M23, M24)",
    "caught_by_surveillance": "officials whose skimming was caught this month (M29)",
    "deals_started": "deals started this month (M16)",
    "deals_completed": "deals that cleared every approval stage and paid (M18)",
    "deals_cancelled": "deals cancelled: crackdowns (M5), rejections (M18), closure (M20), trader gone",
    "deals_delayed": "deals held back a month by a crackdown or inspection (M5)",
    "deals_rejected": "deals rejected at an approval stage (M18)",
    "mou_deals_completed": "completed deals from big-city posts (MOUs, M16)",
    "pipeline_backlog": "deals waiting in the approval pipeline at the end of the month (M18)",
    "officials_active": "officials and workers in post at the end of the month",
    "traders_active": "trade officials in post",
    "workers_abroad": "overseas workers in post abroad",
    "officials_total": "everyone ever in the system (initial + dispatched); every one is in exactly one status",
    "mean_partner_trust": "mean trust of partners on the three foreign routes, 0-1 (M5)",
    "trust_china": "trust of partners on the China route", "trust_russia": "trust on the Russia route",
    "trust_third": "trust in friendly third countries",
    "mean_effort": "mean effort in force of officials in post (1 = ordinary)",
    "mean_pressure": "mean political pressure of officials in post (M4)",
    "mean_fear": "mean fear from arrests of officials in post (M23 deterrence)",
    "total_quota_usd": "sum of companies' half-year quotas in force (M1, M3, M6, M7, M13)",
    "joint_ventures": "joint ventures running (M25)",
    "sanctions_china": "sanction intensity on the China route in force",
    "border_closed": "official trade suspended this month (M20)",
    "decentralisation": "independent trading authority in force (M25)",
    "campaign": "a mobilisation campaign is on (M21)",
}

REVIEWS: dict[str, str] = {
    "company_id": "company index", "tier": "central, provincial, city or lower (M25, M28)",
    "affiliation": "army, state_security, ministry or party_fund_office (M17)",
    "period": "half-year reviewed, YYYY-H1 or YYYY-H2", "month": "month index of the review",
    "date": "month of the review, YYYY-MM",
    "quota_usd": "the half-year quota reviewed (M1)",
    "remitted_usd": "remitted from earnings toward the quota during the half",
    "own_pocket_usd": "paid in from officials' own savings at the review (M22)",
    "attainment": "(remitted + own pocket) / quota",
    "rank": "rank by attainment, 1 = best (M2)", "criticised": "criticised in the meeting (M2)",
    "headcount": "officials and workers in post at the review",
    "earned_usd": "earned by the company's people during the half (before the split into remitted, kept, ...)",
    "kept_usd": "kept by the company's people during the half, after surveillance confiscations",
    "mean_pressure": "mean political pressure of the company's people in post after the review (M4, M2, M21)",
    "mean_effort": "mean effort in force of the company's people in post at the review",
}

OFFICIALS: dict[str, str] = {
    "official_id": "row index; officials dispatched later have higher ids",
    "company": "company index", "role": "trade_official or overseas_worker",
    "post": "pyongyang, province, border_city, big_chinese_city, russia or third_country (M16)",
    "route": "china, russia, third or domestic", "status": "active, recalled, arrested, defected or gave_up",
    "skill": "productivity multiplier (lognormal, median 1)", "effort": "chosen effort at the end",
    "pressure": "political pressure (M4)", "fear": "fear from arrests (M23)",
    "family_at_home": "family held at home (M9)", "wealth_usd": "personal savings, USD",
    "visibility_usd": "cumulative earnings, USD (visibility to rivals, M14)",
    "capacity_usd": "expected half-year remittance at effort 1, USD (learned)",
    "target_usd": "personal share of the company's half-year quota, USD",
    "attainment": "personal attainment at the last review",
    "patron": "official_id of the relative who placed this one, -1 if none (M24)",
    "n_relatives": "relatives this official placed (M24)", "tenure_months": "months in post",
    "dispatched_month": "month index of dispatch (0 = initial population)",
    "exit_month": "month index of leaving post, -1 if still in post",
}


_PAGE_HEAD = """# Output tables

Every run writes `monthly.parquet`, `reviews.parquet`, `officials.parquet`, the scenario in force
(`scenario.toml`) and `manifest.json` (scenario name and content hash, seed, package version, start and
end time, wall time, and the SHA-256 of each file). The same descriptions are stored in each Parquet
file's schema (field metadata `description`). Money is in US dollars.

Accounting identity, every month: `earned_usd = remitted_usd + levied_usd + kept_by_officials_usd +
shared_upward_usd + rents_usd + lost_usd`, and `earned_usd` is the sum of its four routes.

This page is generated: `python -m quotasim.columns > docs/outputs.md`.
"""
_SECTIONS = (("monthly.parquet — one row a month", MONTHLY),
             ("reviews.parquet — one row per company per half-year review", REVIEWS),
             ("officials.parquet — final state, one row an official", OFFICIALS))


def markdown() -> str:
    """The docs page of every output column, from the declarations above."""
    parts = [_PAGE_HEAD]
    for title, table in _SECTIONS:
        rows = "\n".join(f"| `{name}` | {meaning} |" for name, meaning in table.items())
        parts.append(f"## {title}\n\n| column | meaning |\n|---|---|\n{rows}\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(markdown(), end="")
