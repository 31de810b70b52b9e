"""Validation: does each report's situation, run as a scenario, yield the pattern the report describes?

``quotasim validate`` runs every report scenario over replications and judges each check
by its confidence interval (:mod:`.checks` lists them with their thresholds and reasons),
plus the analytic check of the forward-looking rule against its closed form
(:mod:`.analytic`).
"""

from .analytic import analytic_check, ratchet_game
from .checks import CHECKS, Check
from .runner import CheckResult, validate

__all__ = ["CHECKS", "Check", "CheckResult", "validate", "analytic_check", "ratchet_game"]
