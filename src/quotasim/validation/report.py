"""What ``quotasim validate`` prints: a table, JSON, or the Markdown of the docs page."""

from __future__ import annotations

import json

from ..display import Sheet

__all__ = ["as_sheet", "as_json", "as_markdown"]


def _figure(result) -> str:
    e = result.estimate
    return f"{e.mean:.3g} [{e.low:.3g}, {e.high:.3g}]"


def _rule(result) -> str:
    return f"{'>' if result.check.above else '<'} {result.check.threshold:g}"


def as_sheet(results, analytic: dict, size: str) -> Sheet:
    """One row per check: the claim, the statistic's mean and 95 % interval of the mean, the rule, the result."""
    n = results[0].estimate.n if results else 0
    sheet = Sheet("checks", [("check", "text"), ("claim", "text"), ("mean", "number"), ("ci_low", "number"),
                             ("ci_high", "number"), ("pass_if", "text"), ("result", "text")],
                  title=f"quotasim validate · {size} size · {n} replications each · {analytic['wall_seconds']:.1f} s "
                        "(mean and 95 % interval of the mean)")
    for r in results:
        sheet.add({"check": r.check.id, "claim": f"{r.check.claim} [{r.check.statistic}]", "mean": r.estimate.mean,
                   "ci_low": r.estimate.low, "ci_high": r.estimate.high, "pass_if": _rule(r),
                   "result": "pass" if r.passed else "FAIL"})
    worst = max(analytic["max_rel_error_output"], analytic["max_rel_error_quota"])
    sheet.add({"check": "analytic-forward-ratchet",
               "claim": f"stationary output x* = b(1-δ)/(1-δ+δλ) over {analytic['points']} (δ, λ) points "
                        "[largest relative error of output and quota path]",
               "mean": worst, "ci_low": None, "ci_high": None, "pass_if": f"< {analytic['tolerance']:g}",
               "result": "pass" if analytic["passed"] else "FAIL"})
    return sheet


def as_json(results, analytic: dict, size: str) -> str:
    return json.dumps({"size": size, "checks": [r.as_dict() for r in results], "analytic": analytic,
                       "passed": all(r.passed for r in results) and analytic["passed"]}, indent=2)


def as_markdown(results, analytic: dict, size: str) -> str:
    n = results[0].estimate.n if results else 0
    lines = [f"| report | check | figure, mean [95 % CI] over {n} replications | pass if | result |",
             "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.check.report} | `{r.check.id}` | {_figure(r)} | {_rule(r)} | "
                     f"{'pass' if r.passed else 'FAIL'} |")
    worst = max(analytic["max_rel_error_output"], analytic["max_rel_error_quota"])
    lines.append(f"| analytic | `forward-ratchet` | {worst:.2g} | < {analytic['tolerance']:g} | "
                 f"{'pass' if analytic['passed'] else 'FAIL'} |")
    return "\n".join(lines) + "\n"


def checks_markdown() -> str:
    """Every check explained: the report's claim, the statistic, the threshold and why (for the docs)."""
    from .checks import CHECKS
    parts = []
    for c in CHECKS:
        counter = (f" Compared with the same scenario and seeds with "
                   f"{', '.join(f'`{k}={v}`' for k, v in c.counterfactual.items())}." if c.counterfactual else "")
        parts.append(f"- **`{c.id}`** ({c.report}, `{c.scenario}`): *\"{c.claim}\"*. Statistic: {c.statistic}; "
                     f"passes when the 95 % interval lies {'above' if c.above else 'below'} {c.threshold:g}. "
                     f"{c.why[0].upper()}{c.why[1:]}{counter}")
    return "\n".join(parts) + "\n"
