"""The small integer codes the model's arrays hold, with their names: one declaration each.

Arrays stay compact (``int8``) and the output tables turn codes back into names. Compiled
passes (``quotasim.kernels``) never read these constants as module globals: numba freezes
globals into its on-disk cache, which does not notice an edit to this file, so a renumbered
code would leave stale machine code behind. They get :data:`KERNEL_CODES` as an argument
instead, built from the declarations below at import time.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np

__all__ = ["STATUS_NAMES", "ROUTE_NAMES", "POST_NAMES", "ROLE_NAMES", "TIER_NAMES", "AFFILIATION_NAMES",
           "STAGE_NAMES", "Purpose", "POST_ROUTE", "ABROAD_POSTS", "FOREIGN_ROUTES", "N_STAGES", "KernelCodes", "KERNEL_CODES",
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
# Posts abroad: the codes from BORDER_CITY up (a gather of this by post says who is abroad).
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


class Purpose(IntEnum):
    """One code per random decision of the model: the third counter word of its keyed draws
    (``quotasim.keyed_random``). Two decisions never share a code, so their draws are
    independent; a new decision takes a new number (renumbering an old one changes every
    run's draws for it). The comment names who the draw is keyed by."""

    # people, keyed by official id (their row)
    SKILL = 1                  # a newcomer's skill (M16)
    FAMILY_AT_HOME = 2         # whether a newcomer's family stays at home (M9)
    INITIAL_EFFORT = 3         # a newcomer's effort drawn from the population's distribution
    IMITATED = 4               # which serving colleague an adaptive newcomer imitates
    RELATIVE = 5               # whether a newcomer is a relative placed by patronage (M24)
    PATRON = 6                 # which serving trader placed the relative (M24)
    REFILL = 7                 # whether a vacated post is refilled this month (keyed by the vacated row)
    CAP_ORDER = 8              # the order in which refilled posts meet a worker cap (M10)
    EARNINGS_NOISE = 9         # month-to-month variation of pay and domestic earnings (M8)
    DEFECTION = 10             # defection abroad (M9)
    GIVE_UP = 11               # whether an overwhelmed official weighs giving up this month (M11)
    SURVEILLANCE = 12          # skimming caught by surveillance (M29)
    SURVEILLANCE_ARREST = 13   # arrest of one caught (M29)
    RUMOUR_TELLER = 14         # whether an underperformer weighs a rumour this month (M19)
    RUMOUR_RIVAL = 15          # which visible rival the teller picks (M19)
    RUMOUR_WORKS = 16          # whether the rumour brings the recall (M14)
    GOAL_RECALL = 17           # recall at the goal (M15)
    RELOCATION = 18            # relocated home rather than recalled (M15)
    DEFIANT_ARREST = 19        # arrest of one who refuses openly (M23)
    OWN_POCKET = 20            # whether a short official pays in from savings (M22)
    EXPLORATION = 21           # the adaptive rule's exploration noise on effort
    DEAL_START = 22            # whether a trader starts a deal this month (M16)
    DEAL_ROUTE = 23            # the route of an independent company's deal (M26), keyed by trader
    DEAL_VALUE = 24            # the value of a new deal (M16), keyed by trader
    # deals, keyed by deal id
    FROZEN_CANCEL = 25         # a frozen deal cancelled during a closure (M20)
    CRACKDOWN = 26             # a moving deal hit by a crackdown (M5)
    CRACKDOWN_CANCEL = 27      # a hit deal cancelled rather than delayed (M5)
    STAGE = 28                 # rejection or passing at a stage; draw index = stage step in the month (M18)
    SEIZURE = 29               # a completed deal's proceeds seized (M5)
    # companies, keyed by company index
    JOINT_VENTURE = 30         # a company opens a joint venture (M25)
    # people again (numbers are never reused, so later decisions come last)
    CAP_RECALL = 31            # which workers above a route's cap are recalled (M10)
    # trade channels and workers abroad (issue 14)
    FROZEN = 32                # a deal held up while the border is closed, by its channel's opening (M20), by deal
    BANNED = 33                # a customs deal stopped by a new ban (M5), by deal
    EVASION = 34               # a stopped deal moved to another channel instead (M5), by deal
    STATE_TRADE = 35           # that channel is state and military trade rather than smuggling (M17), by deal
    DEAL_CHANNEL = 36          # a new deal's channel, by trader
    CHANNEL_SEIZURE = 37       # proceeds of state trade or smuggling seized (M5), by deal
    REPATRIATION = 38          # a worker on a permit repatriated under orders (M8)
    REPATRIATION_EVADED = 39   # the order evaded on another permit (M8)
    DISPATCH_COUNT = 40        # how many workers are dispatched under new permits, by route code (M8)
    WORKER_COMPANY = 41        # the company that dispatches a new worker, by the worker's id (M8)


class KernelCodes(NamedTuple):
    """The codes a compiled pass needs, passed as an argument (never frozen in as a global)."""

    active: int
    defected: int
    trader: int
    worker: int
    province: int
    big_city: int
    russia: int             # route codes: the foreign routes are those below ``domestic``
    domestic: int
    abroad: np.ndarray      # bool per post code: the post is abroad


KERNEL_CODES = KernelCodes(active=ACTIVE, defected=DEFECTED, trader=TRADER, worker=WORKER, province=PROVINCE,
                           big_city=BIG_CITY, russia=RUSSIA, domestic=DOMESTIC, abroad=ABROAD_POSTS)
