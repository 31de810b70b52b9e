"""What ``quotasim validate`` prints: a table, JSON, or the Markdown of the docs page."""

from __future__ import annotations

import json

from ..display import Sheet

__all__ = ["as_sheet", "as_json", "as_markdown", "checks_markdown"]


def _figure(e) -> str:
    if e.n == 0:
        return "—"
    return f"{e.mean:.3g} [{e.low:.3g}, {e.high:.3g}]"


def _rule(result) -> str:
    return f"{'>' if result.check.above else '<'} {result.check.threshold:g}"


def _word(ok: bool, yes: str = "pass", no: str = "FAIL") -> str:
    return yes if ok else no


def _title(results, analytic: dict, size: str) -> str:
    n = results[0].estimate.n if results else 0
    return f"quotasim validate · {size} size · {n} replications each · {analytic['wall_seconds']:.1f} s"


def as_sheet(results, analytic: dict, size: str) -> Sheet:
    """One row per check: the figure and its 95 % interval, with and without the event, the rule,
    the result, the null's figure and whether it fails, and the history column."""
    sheet = Sheet("checks", [("check", "text"), ("claim", "text"), ("mean", "number"), ("ci_low", "number"),
                             ("ci_high", "number"), ("with_event", "number"), ("without_event", "number"),
                             ("pass_if", "text"), ("result", "text"), ("null", "text"), ("null_mean", "number"),
                             ("null_fails", "text"), ("history", "text")],
                  title=_title(results, analytic, size) + " (mean and 95 % interval of the mean)")
    for r in results:
        sheet.add({"check": r.check.id, "claim": f"{r.check.claim} [{r.check.statistic}]", "mean": r.estimate.mean,
                   "ci_low": r.estimate.low, "ci_high": r.estimate.high, "with_event": r.with_event.mean,
                   "without_event": r.without_event.mean, "pass_if": _rule(r), "result": _word(r.passed),
                   "null": r.check.null_name, "null_mean": r.null.mean, "null_fails": _word(r.null_fails, "yes", "NO"),
                   "history": f"{_figure(r.history)} {_word(r.history_passed)}" if r.history.n else "—"})
    worst = max(analytic["max_rel_error_output"], analytic["max_rel_error_quota"])
    sheet.add({"check": "analytic-forward-ratchet",
               "claim": f"stationary output x* = b(1-δ)/(1-δ+δλ) over {analytic['points']} (δ, λ) points "
                        "[largest relative error of output and quota path]",
               "mean": worst, "ci_low": None, "ci_high": None, "with_event": None, "without_event": None,
               "pass_if": f"< {analytic['tolerance']:g}", "result": _word(analytic["passed"]), "null": "",
               "null_mean": None, "null_fails": "", "history": ""})
    return sheet


def as_json(results, analytic: dict, size: str) -> str:
    return json.dumps({"size": size, "checks": [r.as_dict() for r in results], "analytic": analytic,
                       "passed": all(r.sound for r in results) and analytic["passed"],
                       "history_passed": all(r.history_passed for r in results)}, indent=2)


def as_markdown(results, analytic: dict, size: str) -> str:
    n = results[0].estimate.n if results else 0
    lines = [f"| report | check | figure, mean [95 % CI] over {n} replications | with / without the event | pass if "
             "| result | null | null figure [95 % CI] | null fails | history-2016-2025 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        history = f"{_figure(r.history)} {_word(r.history_passed)}" if r.history.n else "—"
        lines.append(f"| {r.check.report} | `{r.check.id}` | {_figure(r.estimate)} | "
                     f"{r.with_event.mean:.3g} / {r.without_event.mean:.3g} | {_rule(r)} | {_word(r.passed)} | "
                     f"{r.check.null_name} | {_figure(r.null)} | {_word(r.null_fails, 'yes', 'NO')} | {history} |")
    worst = max(analytic["max_rel_error_output"], analytic["max_rel_error_quota"])
    lines.append(f"| analytic | `forward-ratchet` | {worst:.2g} | | < {analytic['tolerance']:g} | "
                 f"{_word(analytic['passed'])} | | | | |")
    return "\n".join(lines) + "\n"


def checks_markdown() -> str:
    """Every check explained: the claim, the statistic, the threshold, the counterfactual and the null."""
    from .checks import CHECKS
    parts = []
    for c in CHECKS:
        removed = ", ".join([f"the timeline's `{k}`" for k in c.event.drop] + [f"`{k}={v}`" for k, v in c.event.set.items()])
        null = ", ".join([f"the timeline's `{k}` dropped" for k in c.null_drop] + [f"`{k}={v}`" for k, v in c.null.items()])
        how = "the difference between the run with the event and without it" if c.paired else "measured as written"
        parts.append(f"- **`{c.id}`** ({c.report}, `{c.scenario}`): *\"{c.claim}\"*. Statistic: {c.statistic}; "
                     f"passes when the 95 % interval lies {'above' if c.above else 'below'} {c.threshold:g}. "
                     f"{c.why[0].upper()}{c.why[1:]} Counterfactual: {c.event.name} removed ({removed}); "
                     f"the statistic is {how}. Null: {c.null_name} ({null}); the null must fail the check.")
    return "\n".join(parts) + "\n"
