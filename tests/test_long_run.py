"""A 50-year run: the approval pipeline's deals table stays bounded and memory stays flat.

Deals are compacted every month, so the table holds the backlog, never the history. The
officials table keeps everyone ever dispatched (the officials output needs them), so
memory besides that table and the month's per-official tallies must stay flat (the monthly and review rows, which grow by design,
are cleared at each mark).
"""

from __future__ import annotations

import gc
import tracemalloc

import quotasim
from quotasim.engine import step
from quotasim.population import build_state
from quotasim.scenario import schedule


def test_fifty_years_keep_the_pipeline_and_the_rest_of_memory_flat():
    scenario = quotasim.load_scenario("baseline", {"months": 600, "population.n_companies": 20,
                                                   "population.n_trade_officials": 300,
                                                   "population.n_overseas_workers": 600})
    p = schedule(scenario)[0][1]
    tracemalloc.start()
    state = build_state(p, 5)
    marks = {}
    for month in range(scenario.months):
        step(state, p, scenario.start)
        if month + 1 in (120, 600):
            state.monthly_rows.clear()          # the monthly table grows by design: one row a month
            state.review_rows.clear()
            gc.collect()                        # count what the run holds, not garbage awaiting collection
            per_official = state.officials.nbytes() + sum(column.nbytes for column in state.month)
            besides_officials = tracemalloc.get_traced_memory()[0] - per_official
            marks[month + 1] = (besides_officials, state.deals.n, state.deals.capacity)
    tracemalloc.stop()
    (memory_10, backlog_10, capacity_10), (memory_50, backlog_50, capacity_50) = marks[120], marks[600]
    assert backlog_50 <= 3 * max(backlog_10, 10), "the pipeline backlog kept growing"
    assert capacity_50 <= 4 * max(capacity_10, 1024), "the deals table kept its history"
    # In absolute terms: a leak of one small record a month (600 bytes) over the 480 months
    # would pass 256 KiB; what is held besides the officials table must not grow with time.
    assert memory_50 - memory_10 <= 256 * 1024, \
        f"memory besides the officials table grew: {memory_10:,} -> {memory_50:,} bytes"
