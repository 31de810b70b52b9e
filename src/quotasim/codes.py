"""The small integer codes the model's arrays hold, with their names: one declaration each.

Arrays stay compact (``int8``) and the output tables turn codes back into names. Compiled
passes (``quotasim.kernels``) never read these constants as module globals: numba freezes
globals into its on-disk cache, which does not notice an edit to this file, so a renumbered
code would leave stale machine code behind. They get :data:`KERNEL_CODES` as an argument
instead, built from the declarations below at import time.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["STATUS_NAMES", "ROUTE_NAMES", "POST_NAMES", "ROLE_NAMES", "TIER_NAMES", "AFFILIATION_NAMES",
           "STAGE_NAMES", "POST_ROUTE", "ABROAD_POSTS", "FOREIGN_ROUTES", "N_STAGES", "KernelCodes", "KERNEL_CODES",
           "ACTIVE", "RECALLED", "ARRESTED", "DEFECTED", "GAVE_UP", "CHINA", "RUSSIA", "THIRD", "DOMESTIC",
           "PYONGYANG", "PROVINCE", "BORDER_CITY", "BIG_CITY", "RUSSIA_POST", "THIRD_POST", "TRADER", "WORKER",
           "CENTRAL", "PROVINCIAL", "CITY", "LOWER", "ARMY", "SECURITY", "MINISTRY", "FUND_OFFICE",
           "CHANNEL_NAMES", "CUSTOMS", "STATE_TRADE", "SMUGGLING"]   # issue 14: trade channels

# statuses: every official is in exactly one
STATUS_NAMES = ("active", "recalled", "arrested", "defected", "gave_up")
ACTIVE, RECALLED, ARRESTED, DEFECTED, GAVE_UP = range(len(STATUS_NAMES))
# where money is earned
ROUTE_NAMES = ("china", "russia", "third", "domestic")
CHINA, RUSSIA, THIRD, DOMESTIC = range(len(ROUTE_NAMES))
FOREIGN_ROUTES = (CHINA, RUSSIA, THIRD)
# posts (M16)
POST_NAMES = ("pyongyang", "province", "border_city", "big_chinese_city", "russia", "third_country")
PYONGYANG, PROVINCE, BORDER_CITY, BIG_CITY, RUSSIA_POST, THIRD_POST = range(len(POST_NAMES))
# the route each post earns on: Pyongyang's traders deal with China, the provinces earn at home
POST_ROUTE = np.array([CHINA, DOMESTIC, CHINA, CHINA, RUSSIA, THIRD], dtype=np.int8)
# Posts abroad are the codes from BORDER_CITY up, so "abroad" is one comparison
# (``rules.abroad``) rather than a gather over every official.
ABROAD_POSTS = np.arange(len(POST_NAMES)) >= BORDER_CITY
# roles
ROLE_NAMES = ("trade_official", "overseas_worker")
TRADER, WORKER = range(len(ROLE_NAMES))
# company tiers (M25, M28) and affiliations (M17, M30)
TIER_NAMES = ("central", "provincial", "city", "lower")
CENTRAL, PROVINCIAL, CITY, LOWER = range(len(TIER_NAMES))
AFFILIATION_NAMES = ("army", "state_security", "ministry", "party_fund_office")
ARMY, SECURITY, MINISTRY, FUND_OFFICE = range(len(AFFILIATION_NAMES))
# pipeline stages (M18)
STAGE_NAMES = ("central_party", "feasibility_review", "planning_licence", "customs_quarantine")
N_STAGES = len(STAGE_NAMES)
# trade channels (issue 14; M5, M17): what customs records, and the rest
CHANNEL_NAMES = ("customs", "state_military", "smuggling")
CUSTOMS, STATE_TRADE, SMUGGLING = range(len(CHANNEL_NAMES))


class KernelCodes(NamedTuple):
    """The codes a compiled pass needs, passed as an argument (never frozen in as a global)."""

    active: int
    defected: int
    trader: int
    worker: int
    province: int
    big_city: int
    abroad: np.ndarray      # bool per post code: the post is abroad


KERNEL_CODES = KernelCodes(active=ACTIVE, defected=DEFECTED, trader=TRADER, worker=WORKER, province=PROVINCE,
                           big_city=BIG_CITY, abroad=ABROAD_POSTS)
