"""The reduced configuration both quotasim and the Mesa twin implement.

Trade officials only, all posted in the border cities; deal search and execution (M16,
with no approval pipeline), the half-year quota and review (M1), the upward ratchet (M3),
recall at the goal (M15), adaptive effort with each trader's recall belief learned from its own post
and company, the trader's choice to hand in or keep a surplus (M15),
and refilling of vacated posts. Every other mechanism is switched off. The twin in
``mesa_twin.py`` is written from this description, not from quotasim's code.
"""

from __future__ import annotations

KEPT = ("quota", "ratchet", "goal_recall", "posts")


def overrides(n_officials: int, months: int, n_companies: int | None = None) -> dict:
    """quotasim overrides for the reduced configuration at ``n_officials`` traders."""
    from quotasim import MECHANISM_GROUPS
    rules = {f"{key}.enabled": False for key in MECHANISM_GROUPS if key not in KEPT}
    rules.update({
        "months": months,
        "population.n_companies": n_companies or max(1, n_officials // 10),
        "population.n_trade_officials": n_officials,
        "population.n_overseas_workers": 0,
        "population.trade_post_shares": [0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
        "behaviour.rule": "adaptive",
    })
    return rules
