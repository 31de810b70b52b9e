"""The compiled passes, checked by what a second copy of a formula cannot fake.

Each rule is written once, in ``quotasim.kernels``. These tests hold it to invariants that
follow from what the rule means (every dollar goes somewhere, targets add up to the quota,
bounds), prove that the same source runs as plain Python (``NUMBA_DISABLE_JIT=1``) with the
same tables, and that numba's on-disk cache cannot serve stale code after a code changes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import quotasim
from quotasim import kernels, keyed_random
from quotasim.codes import ACTIVE, CHINA, DEFECTED, KERNEL_CODES, RUSSIA, THIRD, TRADER, WORKER, Purpose
from quotasim.state import OFFICIAL_COLUMNS, MonthArrays, Table, totals_record

N, COMPANIES, MONTH = 3000, 30, 7


def random_officials(seed: int) -> Table:
    """A table of officials in every status, role and post, with the edge cases drawn in:
    defectors of this month, zero targets, empty companies, zero strain."""
    g = np.random.default_rng(seed)
    table = Table(OFFICIAL_COLUMNS, N)
    table.append(
        N, company=g.integers(0, COMPANIES - 3, N), role=(g.random(N) < 0.7), post=g.integers(0, 6, N),
        route=g.integers(0, 4, N), status=g.choice(5, N, p=[0.8, 0.05, 0.05, 0.05, 0.05]),
        exit_month=np.where(g.random(N) < 0.5, MONTH, -1), skill=g.lognormal(0, 0.3, N),
        effort=g.uniform(0, 1.5, N), pressure=np.where(g.random(N) < 0.2, 0, g.exponential(1, N)),
        fear=np.where(g.random(N) < 0.5, 0, g.exponential(0.5, N)), resigned=g.random(N) < 0.05,
        family_at_home=g.random(N) < 0.6, defiant=g.random(N) < 0.03,
        capacity_usd=np.where(g.random(N) < 0.05, 0.0, g.uniform(0, 1e5, N)),
        target_usd=np.where(g.random(N) < 0.1, 0.0, g.uniform(0, 2e5, N)), wealth_usd=g.uniform(0, 1e5, N),
        half_remitted_usd=g.uniform(0, 1e5, N), attainment=g.uniform(0, 2, N),
        hold_at=np.where(g.random(N) < 0.5, np.inf, g.uniform(0.5, 2, N)), recalled_by=-1)
    return table


@pytest.mark.parametrize("seed", [0, 1])
def test_split_income_sends_every_dollar_somewhere(seed):
    off = random_officials(seed)
    g = np.random.default_rng(100 + seed)
    month = MonthArrays.zeros(N)
    month.earned[:] = np.where(g.random(N) < 0.3, 0.0, g.lognormal(8, 1, N))
    month.seized[:] = np.where(g.random(N) < 0.8, 0.0, g.uniform(0, 2e4, N))
    month.rents[:] = g.uniform(0, 5e3, N)
    month.charged[:] = g.uniform(0, 1.2, N) * month.earned     # workers' charges paid from pay (issue 14)
    shares = kernels.CompanyShares(upward=g.uniform(0, 0.8, COMPANIES), remit=g.uniform(0.01, 1, COMPANIES),
                                   fund=g.random(COMPANIES) < 0.3)
    before = off.to_dict()
    totals = totals_record("earned_usd", "lost_usd", "rents_usd", "shared_upward_usd", "levied_usd", "remitted_usd",
                           "kept_by_officials_usd", "party_funds_usd")
    company_earned, company_kept, company_up = np.zeros(COMPANIES), np.zeros(COMPANIES), np.zeros(COMPANIES)
    kernels.split_income_pass(off.arrays(), KERNEL_CODES, month, kernels.SplitRule(MONTH, 0.05, 0.9, True), shares,
                              company_earned, company_kept, company_up, totals)
    remitted = off.half_remitted_usd - before["half_remitted_usd"]
    kept = month.kept
    assert np.array_equal(kept, off.half_kept_usd - before["half_kept_usd"])
    assert np.allclose(off.wealth_usd - before["wealth_usd"], kept)
    assert (remitted >= 0).all() and (kept >= -1e-9).all()
    t = {name: totals[name][0] for name in totals.dtype.names}
    split = t["lost_usd"] + t["rents_usd"] + t["shared_upward_usd"] + t["levied_usd"] + t["remitted_usd"] + t[
        "kept_by_officials_usd"]
    assert t["earned_usd"] == pytest.approx(split, rel=1e-12)
    assert t["earned_usd"] == pytest.approx(month.earned.sum(), rel=1e-12)
    assert t["remitted_usd"] == pytest.approx(remitted.sum(), rel=1e-12)
    assert company_earned.sum() == pytest.approx(month.earned.sum(), rel=1e-12)
    assert company_up.sum() == pytest.approx(t["shared_upward_usd"], rel=1e-12)
    fled = (off.status == DEFECTED) & (off.exit_month == MONTH)
    assert (remitted[fled] == 0).all() and (kept[fled] == 0).all(), "a defector of the month hands nothing in"
    # Visibility is recent earnings: last month's carried at the memory, plus this month's.
    assert np.allclose(off.visibility_usd, before["visibility_usd"] * 0.9 + month.earned)
    # A trader's own choice to keep the surplus holds: what they remit this half never passes
    # hold_at x target unless it had passed it before the month, and what they withheld is recorded.
    limit = np.where(np.isfinite(off.hold_at), off.hold_at, 0.0) * off.target_usd
    holding = (off.role != WORKER) & np.isfinite(off.hold_at) & (before["half_remitted_usd"] <= limit)
    assert holding.sum() > 50
    assert (off.half_remitted_usd[holding] <= limit[holding] + 1e-6).all()
    assert (off.half_withheld_usd >= 0).all() and (off.half_withheld_usd[~np.isfinite(off.hold_at)] == 0).all()
    # Workers remit their charge (less the upward share) and keep the rest of their pay (issue 14, M8)
    worker = (off.role == WORKER) & ~fled
    assert worker.sum() > 50
    net = month.earned - np.minimum(month.seized, month.earned) - np.minimum(
        month.rents, month.earned - np.minimum(month.seized, month.earned))
    charge = np.minimum(month.charged, net)
    assert np.allclose(kept[worker], (net - charge)[worker])
    assert np.allclose(remitted[worker], (charge * (1 - shares.upward[off.company]))[worker])


@pytest.mark.parametrize("seed", [0, 1])
def test_targets_add_up_to_each_company_quota(seed):
    off = random_officials(seed)
    quota = np.random.default_rng(seed).uniform(0, 1e6, COMPANIES)
    kernels.assign_targets_pass(off.arrays(), KERNEL_CODES, quota, np.zeros(COMPANIES))
    active = off.status == ACTIVE
    per_company = np.bincount(off.company, weights=off.target_usd, minlength=COMPANIES)
    staffed = np.bincount(off.company[active], minlength=COMPANIES) > 0
    assert np.allclose(per_company[staffed], quota[staffed], rtol=1e-9)
    assert (per_company[~staffed] == 0).all() and (off.target_usd[~active] == 0).all()


@pytest.mark.parametrize("seed", [0, 1])
def test_effort_in_force_is_bounded_and_zero_for_those_out_resigned_or_refusing(seed):
    off = random_officials(seed)
    # effort in force is set in the month's first pass, after that month's pressure (none added here)
    rule = kernels.MonthStartRule(closed=False, home_posts_trade=True, fear_factor=1.0, fear_prior=0.0,
                                  campaign_pressure=0.0, interest_rate=0.0, effort_response=0.3, max_effort=1.2)
    kernels.month_start_pass(off.arrays(), KERNEL_CODES, rule, np.zeros(4, np.int64), totals_record("interest_paid_usd"))
    out = (off.status != ACTIVE) | off.resigned | off.defiant
    assert (off.effort_in_force[out] == 0).all()
    assert (off.effort_in_force >= 0).all() and (off.effort_in_force <= np.float32(1.2)).all()
    # pressure only ever adds effort, never more than the response
    inside = ~out & (off.effort <= 1.2 - 0.3)
    extra = off.effort_in_force[inside] - off.effort[inside]
    assert (extra >= 0).all() and (extra <= np.float32(0.3) + 1e-6).all()


@pytest.mark.parametrize("seed", [0, 1])
def test_traders_keep_a_surplus_only_when_they_believe_recall_follows(seed):
    """M15: with no recall seen (belief 0) nobody holds back; with belief, only traders abroad
    do, and never at a level below the target."""
    off = random_officials(seed)
    rule = kernels.HandInRule(max_effort=2.0, response=0.3, goal=1.1, recall_loss=3.0, praise_value=1.2,
                              hold_margin=0.02)
    off.recall_belief[:] = 0.0
    kernels.choose_hand_in_pass(off.arrays(), KERNEL_CODES, rule)
    assert np.isinf(off.hold_at).all()
    off.recall_belief[:] = 0.5
    kernels.choose_hand_in_pass(off.arrays(), KERNEL_CODES, rule)
    holding = np.isfinite(off.hold_at)
    eligible = (off.status == ACTIVE) & (off.role == TRADER) & KERNEL_CODES.abroad[off.post] & (off.target_usd >= 1)
    assert holding.sum() > 50 and not (holding & ~eligible).any()
    assert (off.hold_at[holding] == np.float32(1.02)).all()


@pytest.mark.parametrize("seed", [0, 1])
def test_open_refusal_needs_an_impossible_quota_comfort_and_little_fear(seed):
    """M23: refusal is chosen only against an impossible quota; fear of arrest or no savings stops it."""
    off = random_officials(seed)
    rule = kernels.DefianceRule(impossible=0.85, comfort_usd=1e4, resentment=3.0, arrest_loss=9.0)
    off.fear[:] = 0.0
    chose = kernels.choose_defiance_pass(off.arrays(), KERNEL_CODES, rule)
    possible = off.capacity_usd >= 0.85 * off.target_usd
    assert len(chose) > 50 and not possible[chose].any() and off.defiant[chose].all()
    assert off.defiant.sum() == len(chose)
    off.fear[:] = 1.0
    assert len(kernels.choose_defiance_pass(off.arrays(), KERNEL_CODES, rule)) == 0
    off.fear[:] = 0.0
    off.wealth_usd[:] = 0.0
    assert len(kernels.choose_defiance_pass(off.arrays(), KERNEL_CODES, rule)) == 0


@pytest.mark.parametrize("seed", [0, 1])
def test_counts_and_hazards_cover_exactly_those_at_risk(seed):
    off = random_officials(seed)
    active = off.status == ACTIVE
    abroad = KERNEL_CODES.abroad[off.post]
    g = np.random.default_rng(200 + seed)
    off.other_permit[:] = g.random(len(off.status)) < 0.2
    off.charge_arrears_usd[:] = np.where(g.random(len(off.status)) < 0.7, 0.0, g.uniform(0, 900, len(off.status)))
    counted, summed = kernels.census(off.arrays(), KERNEL_CODES)
    counts, sums = dict(zip(kernels.CENSUS_COUNTS, counted)), dict(zip(kernels.CENSUS_SUMS, summed))
    traders, workers = active & (off.role == TRADER), active & (off.role == WORKER)
    assert [counts["active"], counts["traders"], counts["workers_abroad"]] == [
        active.sum(), traders.sum(), (workers & abroad).sum()]
    assert [counts[f"workers_{route}"] for route in ("china", "russia", "third")] == [
        (workers & (off.route == route)).sum() for route in (CHINA, RUSSIA, THIRD)]
    assert counts["workers_other_permits"] == (workers & off.other_permit).sum()
    assert counts["workers_russia_permitted"] == (workers & (off.route == RUSSIA) & ~off.other_permit).sum()
    assert np.isclose(sums["worker_debt_usd"], off.charge_arrears_usd[workers].sum(), rtol=1e-12)
    assert np.isclose(sums["trader_effort"], off.effort_in_force[traders].astype(np.float64).sum(), rtol=1e-12)
    assert kernels.workers_by_route(off.arrays(), KERNEL_CODES).sum() == (active & (off.role == WORKER)).sum()
    at_risk = active & abroad
    draws = keyed_random.uniforms_of_rows(seed, 40, int(Purpose.DEFECTION), len(off.status), 0)

    def defectors(base_rate, deterrence):
        return kernels.defectors_pass(off.arrays(), KERNEL_CODES, kernels.DefectionRule(base_rate, 0.5, deterrence),
                                      draws)

    single = np.float32(0.2) * (np.float32(1.0) + np.float32(0.5) * off.pressure)     # as defection_hazard: float32
    hazard = single.astype(np.float64) * np.where(off.family_at_home, 1 - 0.6, 1.0)
    expected = np.flatnonzero(at_risk & (draws < hazard))
    assert np.array_equal(defectors(0.2, 0.6), expected)

    assert np.array_equal(defectors(1.0, 0.0), np.flatnonzero(at_risk)), "a hazard of one takes all at risk, only them"
    few, more = defectors(0.05, 0.6), defectors(0.2, 0.6)
    assert 0 < len(few) < len(more) and np.isin(few, more).all(), "the same draws: a higher hazard adds defectors"
    held = off.family_at_home
    assert held[at_risk].any() and not held[defectors(1.0, 1.0)].any(), "a family held at home can deter entirely"
    undeterred = defectors(0.2, 0.0)
    assert np.array_equal(undeterred[~held[undeterred]], more[~held[more]]), "without a family held nothing deters"
    assert held[undeterred].sum() > held[more].sum()


def _digests_script(size: str, threads: int = 1) -> str:
    return textwrap.dedent(f"""
        import hashlib, json, pyarrow as pa, quotasim
        s = quotasim.load_scenario("baseline", {size})
        r = quotasim.simulate(s, seed=4, threads={threads})
        out = {{}}
        for name in ("monthly", "reviews", "officials"):
            t = getattr(r, name)   # codes shown by name: a renumbering changes no content
            t = pa.table({{n: c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c
                          for n, c in zip(t.column_names, t.columns)}})
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, t.schema) as w:
                w.write_table(t)
            out[name] = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
        print(json.dumps(out))
    """)


SMALL = ["population.n_companies=12", "population.n_trade_officials=150", "population.n_overseas_workers=400",
         "months=18", "behaviour.rule=adaptive"]


def _run(script: str, env: dict[str, str], cwd: Path | None = None) -> dict:
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, **env}, cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_same_source_runs_as_plain_python_with_the_same_tables():
    """``NUMBA_DISABLE_JIT=1`` runs the kernels' own source in the interpreter: the debugging
    path is the model itself, not a copy, and it gives the very same tables."""
    compiled = _run(_digests_script(repr(SMALL)), {})
    interpreted = _run(_digests_script(repr(SMALL)), {"NUMBA_DISABLE_JIT": "1"})
    assert interpreted == compiled


# Large enough for the parallel passes to split the officials into several blocks (kernels.blocks).
BLOCKS = ["population.n_companies=30", "population.n_trade_officials=500", "population.n_overseas_workers=11500",
          "months=18", "behaviour.rule=adaptive"]


def test_one_and_two_threads_give_the_same_tables():
    """Draws are keyed by official and sums are taken per fixed block, added in block order:
    the number of threads changes no table, bit for bit (issue 15). Numba is given two
    threads whatever the machine has, so the check runs on one core too."""
    one = _run(_digests_script(repr(BLOCKS), threads=1), {"NUMBA_NUM_THREADS": "2"})
    two = _run(_digests_script(repr(BLOCKS), threads=2), {"NUMBA_NUM_THREADS": "2"})
    assert two == one


def test_a_renumbered_code_never_meets_stale_compiled_code(tmp_path):
    """Numba caches compiled passes on disk and checks only the kernels' own file; codes come
    in as arguments, so renumbering them in ``codes.py`` cannot leave stale machine code.

    A copy of the package is run once (filling the cache), its status codes renumbered
    (active becomes 1, recalled 0), and run again on that cache: the tables must be the same,
    since the codes' names and meanings did not change.
    """
    package = tmp_path / "src" / "quotasim"
    shutil.copytree(Path(quotasim.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PYTHONPATH": str(package.parent), "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    script = "import quotasim, sys; assert quotasim.__file__.startswith(sys.path[1]) or True\n" + _digests_script(
        repr(SMALL))
    first = _run(script, env, cwd=tmp_path)
    assert any((tmp_path / "cache").rglob("*.nbi")), "numba wrote no cache"
    codes = package / "codes.py"
    text = codes.read_text()
    renumbered = text.replace('STATUS_NAMES = ("active", "recalled",', 'STATUS_NAMES = ("recalled", "active",').replace(
        "ACTIVE, RECALLED, ARRESTED", "RECALLED, ACTIVE, ARRESTED")
    assert renumbered != text
    codes.write_text(renumbered)
    second = _run(script + "\nfrom quotasim.codes import ACTIVE; assert ACTIVE == 1\n", env, cwd=tmp_path)
    assert second == first


def test_cached_trader_rows_follow_every_appended_row():
    """State.trader_rows and protege_rows are extended as rows are appended (refills of vacated
    posts): they must always equal a scan of every row, and active_traders the scan of the serving ones."""
    from quotasim.engine import step
    from quotasim.population import build_state
    p = quotasim.load_scenario("baseline", {"population.n_companies": 12, "population.n_trade_officials": 150,
                                            "population.n_overseas_workers": 400})
    state = build_state(p, 5)
    off = state.officials
    initial = off.n
    for _ in range(30):
        step(state, p, p.start)
        assert np.array_equal(state.trader_rows(), np.flatnonzero(off.role == TRADER))
        assert np.array_equal(state.active_traders(), np.flatnonzero((off.role == TRADER) & (off.status == ACTIVE)))
        assert np.array_equal(state.protege_rows(), np.flatnonzero(off.patron >= 0))
    assert (off.role[initial:] == TRADER).any(), "the run refilled no trader's post: nothing was appended to follow"
    assert len(state.protege_rows()), "nobody was placed by a patron"


def test_scratch_buffers_are_reused_as_rows_are_appended_and_the_month_starts_at_zero():
    """The month's arrays and the phases' large temporaries live in buffers kept from month to
    month (State.scratch): each month they must be as long as the table, the month's arrays
    all zero at its start, and the same memory month after month while
    the table grows within the room left (a new buffer each month is what they avoid)."""
    from quotasim.engine import step
    from quotasim.population import build_state
    p = quotasim.load_scenario("baseline", {"population.n_companies": 12, "population.n_trade_officials": 150,
                                            "population.n_overseas_workers": 400})
    state = build_state(p, 5)
    initial, first = state.officials.n, None
    for _ in range(30):
        step(state, p, p.start)
        state.reset_month()
        n = state.officials.n
        assert all(len(column) == n and not column.any() for column in state.month)
        first = first if first is not None else state.month.earned
        assert np.shares_memory(first, state.month.earned)
    assert state.officials.n > initial, "no row was appended: growth was not exercised"
    state.release_scratch()
    assert len(state.month.earned) == 0 and not state._scratch


def test_credit_sums_each_rows_amounts_in_order_then_adds():
    """Deals pay their traders through ``credit``: repeats of a row are summed from zero in the
    order given and then added (so a trader's month does not depend on how deals are sorted)."""
    g = np.random.default_rng(3)
    column = g.uniform(0, 1e6, 50_000)
    who = g.integers(0, 200, 3_000) * 7
    amounts = g.lognormal(8, 2, 3_000)
    expected = column.copy()
    sums: dict[int, float] = {}
    for row, amount in zip(who.tolist(), amounts.tolist()):
        sums[row] = sums.get(row, 0.0) + amount
    for row, total in sums.items():
        expected[row] += total
    few = column.copy()
    kernels.credit(few, who, amounts)                       # a few amounts against many rows: sorted
    assert np.array_equal(few, expected)
    many = column[:who.max() + 1].copy()
    kernels.credit(many, who, amounts)                      # many against few rows: a scratch column
    assert np.array_equal(many, expected[:who.max() + 1])


def test_the_cached_column_views_follow_growth_and_never_leak_into_a_copy():
    """Table.arrays() is built once per size: appending (through a regrowth of the buffers)
    must give views of the new buffers, and a deep copy must write to its own columns."""
    import copy
    table = Table({"a": np.float64, "b": np.int32}, 4)
    table.append(3, a=1.0)
    before = table.arrays()
    assert table.arrays() is before, "the same size reuses the views"
    table.append(10, a=2.0)                   # past the capacity of 4: new buffers
    after = table.arrays()
    after.a[0] = 7.0
    assert len(after.a) == 13 and table.a[0] == 7.0, "views of the grown buffers"
    twin = copy.deepcopy(table)
    twin.arrays().a[1] = 9.0
    assert twin.a[1] == 9.0 and table.a[1] == 1.0


def test_single_affine_is_numpys_single_precision_arithmetic():
    """The workers' noise exponent is computed in a compiled pass: it must round and operate
    in single precision exactly as NumPy does (a fused multiply-add would differ)."""
    values = np.random.default_rng(11).standard_normal(100_003) * 3.0
    values[:3] = (0.0, 1e-40, -7.999999999)
    out = np.empty(len(values), np.float32)
    kernels.single_affine(values, 0.3, -0.045, out)
    expected = values.astype(np.float32) * np.float32(0.3) + np.float32(-0.045)
    assert expected.dtype == np.float32 and np.array_equal(out, expected)


@pytest.mark.parametrize("seed", [0, 1])
def test_sanction_exposure_sums_are_bincounts_to_the_last_bit(seed):
    """A quota cut (M7) is a threshold on the ratio of these sums: the compiled pass must add
    in row order exactly as ``np.bincount`` does, inactive officials weighing nothing."""
    off = random_officials(seed)
    intensity = np.array([0.7, 0.35, 0.1, 0.0])
    exposed, total = kernels.sanction_exposure_sums(off.arrays(), KERNEL_CODES, intensity, COMPANIES)
    weight = np.where(off.status == ACTIVE, off.capacity_usd, 0.0)
    assert np.array_equal(exposed, np.bincount(off.company, weights=weight * intensity[off.route], minlength=COMPANIES))
    assert np.array_equal(total, np.bincount(off.company, weights=weight, minlength=COMPANIES))


@pytest.mark.parametrize("boost", [1.0, 1.6])
def test_deal_starts_are_the_numpy_chain_they_replace(boost):
    """Deal starts (M16, M25, M27) in one compiled pass must start exactly the deals the NumPy
    chain started: chance = deal rate x effort in force (float32, as NumPy multiplies a Python
    number by a float32 array) x trust x the share open, the teams' boost for independents,
    against the keyed uniform of each candidate."""
    g = np.random.default_rng(int(boost * 10))
    effort = g.uniform(0, 1.5, 5_000).astype(np.float32)
    candidates = np.sort(g.choice(5_000, 3_000, replace=False))
    route = g.integers(0, 3, 3_000).astype(np.int8)
    affiliated = g.integers(0, 2, 3_000).astype(np.intp)
    independent = g.random(3_000) < 0.3
    trust, open_by_route = g.uniform(0.2, 1, 3), g.uniform(0, 1, (4, 2))
    draws = keyed_random.uniforms(7, 40, int(Purpose.DEAL_START), candidates, 0)
    starts = kernels.deal_starts(effort, candidates, route, affiliated, independent, trust, open_by_route, 0.9, boost,
                                 draws)
    chance = 0.9 * effort[candidates] * trust[route] * open_by_route.ravel()[route * 2 + affiliated]
    chance = chance * np.where(independent, boost, 1.0)
    expected = draws < np.minimum(chance, 1.0)
    assert 0 < expected.sum() < len(candidates) and np.array_equal(starts, expected)
    with pytest.raises(IndexError):
        kernels.deal_starts(effort, candidates, np.full(3_000, 3, np.int8), affiliated, independent, trust,
                            open_by_route, 0.9, boost, draws)
