"""quotasim: an agent-based model of a quota-driven state foreign-trade system.

Start with :func:`simulate` (one run) and :func:`load_scenario`; ``quotasim explain``
lists every parameter with its unit and the mechanism (M1-M30) it belongs to.
"""

from .engine import PHASES
from .errors import ScenarioError
from .explain import ledger
from .results import RunResult
from .scenario import MECHANISM_GROUPS, Scenario, builtin_names, load_scenario
from .simulation import simulate

__all__ = ["simulate", "load_scenario", "Scenario", "ScenarioError", "RunResult", "builtin_names", "ledger",
           "MECHANISM_GROUPS", "PHASES"]
