"""What ``quotasim validate`` prints: a table, JSON, or the Markdown of the docs page."""

from __future__ import annotations

import json

from rich.table import Table

__all__ = ["as_table", "as_json", "as_markdown", "checks_markdown"]


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


def as_table(results, analytic: dict, size: str) -> Table:
    table = Table(title=_title(results, analytic, size), show_lines=True)
    table.add_column("check", no_wrap=True)
    table.add_column("pattern the report claims / statistic / null", ratio=1, min_width=30)
    table.add_column("figure (95 % CI)")
    table.add_column("with / without the event")
    table.add_column("pass if", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("null (95 % CI)")
    table.add_column("null fails", no_wrap=True)
    table.add_column("history-2016-2025", no_wrap=False)
    for r in results:
        ok = r.passed
        table.add_row(r.check.id, f"{r.check.claim}\n[dim]{r.check.statistic}\nnull: {r.check.null_name}[/dim]",
                      _figure(r.estimate), f"{r.with_event.mean:.3g} / {r.without_event.mean:.3g}", _rule(r),
                      "[green]pass[/green]" if ok else "[red]FAIL[/red]", _figure(r.null),
                      "[green]yes[/green]" if r.null_fails else "[red]NO[/red]",
                      f"{_figure(r.history)} {_word(r.history_passed)}" if r.history.n else "—")
    worst = max(analytic["max_rel_error_output"], analytic["max_rel_error_quota"])
    table.add_row("analytic-forward-ratchet", f"stationary output x* = b(1-δ)/(1-δ+δλ) over {analytic['points']} "
                  "(δ, λ) points\n[dim]largest relative error of output and quota path[/dim]", f"{worst:.2g}", "",
                  f"< {analytic['tolerance']:g}", "[green]pass[/green]" if analytic["passed"] else "[red]FAIL[/red]",
                  "", "", "")
    return table


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
