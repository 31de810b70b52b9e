"""The keyed generator (quotasim.keyed_random): Philox4x32-10 word for word, its layout, its
conversions' distributions, and independence between keys.

The statistical checks run on fixed keys, so each gives the same answer every run; their
thresholds are those a correct generator passes with probability 0.999 or more for any key
(a KS p-value above 1e-3; a correlation within five standard errors), so a failure means
the generator, not the luck of the key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from quotasim import keyed_random as kr
from quotasim.codes import Purpose

randomgen = pytest.importorskip("randomgen")

N = 100_000

# Random123's tests/kat_vectors, the three "philox4x32 10" lines: counter (4 words), key (2 words), expected (4 words).
KNOWN_ANSWERS = [
    ((0x00000000, 0x00000000, 0x00000000, 0x00000000), (0x00000000, 0x00000000),
     (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF),
     (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


def randomgen_words(counter: tuple[int, ...], key: tuple[int, ...]) -> list[int]:
    """The four words randomgen's Philox4x32-10 gives for ``counter`` and ``key`` (little-endian
    32-bit words). randomgen adds one to its counter before each block, hence the - 1."""
    as_int = sum(int(word) << (32 * i) for i, word in enumerate(counter))
    key_int = sum(int(word) << (32 * i) for i, word in enumerate(key))
    bits = randomgen.Philox(key=key_int, counter=(as_int - 1) % 2**128, number=4, width=32)
    return [int(word) for word in bits.random_raw(4)]


@pytest.mark.parametrize("counter, key, expected", KNOWN_ANSWERS)
def test_philox_gives_the_published_known_answers(counter, key, expected):
    assert [int(w) for w in kr.philox4x32(*counter, *key)] == list(expected)
    assert randomgen_words(counter, key) == list(expected)   # and so does the reference, as used below


def test_philox_agrees_word_for_word_with_an_independent_implementation():
    draw = np.random.default_rng(20261202)
    for _ in range(300):
        counter = tuple(int(w) for w in draw.integers(0, 2**32, 4, dtype=np.uint64))
        key = tuple(int(w) for w in draw.integers(0, 2**32, 2, dtype=np.uint64))
        assert [int(w) for w in kr.philox4x32(*counter, *key)] == randomgen_words(counter, key)


@pytest.mark.parametrize("seed, month, purpose, agent, index", [
    (0, 0, 1, 0, 0), (3, 40, Purpose.DEFECTION, 17, 0), (2**40 + 7, 119, Purpose.STAGE, 9_999_999, 3),
    (2**63 - 1, 2**32 - 1, 2**32 - 1, 2**32 - 1, 2**32 - 1)])
def test_the_layout_is_seed_as_key_and_agent_month_purpose_index_as_counter(seed, month, purpose, agent, index):
    expected = randomgen_words((agent, month, int(purpose), index), (seed % 2**32, seed >> 32))
    assert [int(w) for w in kr.words(seed, month, int(purpose), agent, index)] == expected
    if index == 0:
        w0, w1 = expected[:2]
        assert kr.uniform(seed, month, int(purpose), agent, 0) == ((w0 << 32 | w1) >> 11) * 2.0**-53


def test_uniforms_are_uniform_and_in_the_half_open_unit_interval():
    for seed in (0, 1, 2):
        u = kr.uniforms(seed, 7, int(Purpose.DEFECTION), np.arange(N), 0)
        assert u.min() >= 0.0 and u.max() < 1.0
        assert stats.kstest(u, "uniform").pvalue > 1e-3


def test_normals_lognormals_and_integers_have_their_distributions():
    ids = np.arange(N)
    z = kr.normals(5, 3, int(Purpose.EARNINGS_NOISE), ids)
    assert np.isfinite(z).all()
    assert stats.kstest(z, "norm").pvalue > 1e-3
    assert np.array_equal(z[:100], [kr.normal(5, 3, int(Purpose.EARNINGS_NOISE), i) for i in range(100)])
    x = kr.lognormals(5, 3, int(Purpose.DEAL_VALUE), ids, 0.5, 0.8)
    assert stats.kstest(x, "lognorm", args=(0.8, 0.0, np.exp(0.5))).pvalue > 1e-3
    k = np.array([kr.below(5, 3, int(Purpose.PATRON), i, 10) for i in range(20_000)])
    assert k.min() == 0 and k.max() == 9
    assert stats.chisquare(np.bincount(k, minlength=10)).pvalue > 1e-3


def test_the_normal_quantile_agrees_with_scipy_to_the_last_digits():
    """AS 241 against scipy's ndtri, in the middle and far into both tails (where the
    algorithm switches branches), including the extreme open uniforms a draw can give."""
    from scipy.special import ndtri
    p = np.concatenate([np.random.default_rng(3).random(20_000), np.logspace(-300, -1, 500),
                        1 - np.logspace(-16, -1, 500), [2.0**-53, 1 - 2.0**-53, 0.075, 0.925]])
    ours = np.array([kr.inverse_normal(x) for x in p])
    assert np.allclose(ours, ndtri(p), rtol=1e-14, atol=0)


def test_the_uniformity_check_has_power():
    """The KS check above has power: uniforms shifted by a hundredth fail it."""
    u = kr.uniforms(0, 7, int(Purpose.DEFECTION), np.arange(N), 0)
    assert stats.kstest(np.minimum(u + 0.01, 0.999999), "uniform").pvalue < 1e-3


@pytest.mark.parametrize("other", [
    {"seed": 1}, {"month": 1}, {"purpose": 1}, {"seed": 2**32}])
def test_neighbouring_keys_give_uncorrelated_streams(other):
    """Streams one seed, month or purpose apart, over the same agents, are uncorrelated (so
    are the high words of the seed), and so are neighbouring agents within a stream."""
    base = {"seed": 11, "month": 30, "purpose": int(Purpose.GOAL_RECALL)}
    shifted = {key: value + other.get(key, 0) for key, value in base.items()}
    ids = np.arange(N)
    a = kr.uniforms(base["seed"], base["month"], base["purpose"], ids, 0)
    b = kr.uniforms(shifted["seed"], shifted["month"], shifted["purpose"], ids, 0)
    bound = 5 / np.sqrt(N)
    assert abs(np.corrcoef(a, b)[0, 1]) < bound
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < bound
    assert abs(stats.spearmanr(a, b).statistic) < bound


def test_every_purpose_has_its_own_code():
    codes = [int(p) for p in Purpose]
    assert len(set(codes)) == len(codes) and min(codes) >= 1


def test_draws_over_arrays_are_the_same_on_the_calling_thread_and_on_the_pool():
    """Below ``PARALLEL_FROM`` ids the draws run serially, from there in parallel blocks: the
    same numbers either way, and a long array's head is the short array's draws."""
    ids = np.random.default_rng(6).choice(10_000_000, kr.PARALLEL_FROM + 5_000, replace=False)
    bounds = np.arange(1, len(ids) + 1)
    purpose = int(Purpose.REFILL)
    pairs = [(kr._uniforms_serial(1, 2, purpose, ids, 0), kr._uniforms_parallel(1, 2, purpose, ids, 0)),
             (_into(kr._normals_serial, ids, purpose), _into(kr._normals_parallel, ids, purpose)),
             (kr._lognormals_serial(1, 2, purpose, ids, 0.5, 0.3), kr._lognormals_parallel(1, 2, purpose, ids, 0.5, 0.3)),
             (kr._belows_serial(1, 2, purpose, ids, bounds), kr._belows_parallel(1, 2, purpose, ids, bounds))]
    for serial, parallel in pairs:
        assert np.array_equal(serial, parallel)
    short = ids[:1_000]
    assert np.array_equal(kr.normals(1, 2, purpose, short), kr.normals(1, 2, purpose, ids)[:1_000])
    for n in (1_000, 50_000):      # below and above PARALLEL_FROM
        assert np.array_equal(kr.uniforms_of_rows(1, 2, purpose, n, 0), kr.uniforms(1, 2, purpose, np.arange(n), 0))
        buffer = np.full(n, np.nan)
        assert kr.uniforms_of_rows(1, 2, purpose, n, 0, out=buffer) is buffer
        assert np.array_equal(buffer, kr.uniforms(1, 2, purpose, np.arange(n), 0))
    with pytest.raises(ValueError, match="float64 of shape"):
        kr.uniforms_of_rows(1, 2, purpose, 5, 0, out=np.empty(4))


def _into(pass_, ids, purpose):
    out = np.full(len(ids), np.nan)
    pass_(1, 2, purpose, ids, out)
    return out


def test_normals_into_a_buffer_are_the_draws_of_each_id():
    """A phase may keep a buffer for the normals it draws every month: the numbers are each
    id's own draw, on the calling thread and on the pool; a buffer of another shape or
    precision is refused, never half filled."""
    purpose = int(Purpose.EARNINGS_NOISE)
    for n in (10, kr.PARALLEL_FROM + 7):
        ids = np.random.default_rng(n).choice(10_000_000, n, replace=False)
        buffer = np.full(n, np.nan)
        assert kr.normals(1, 2, purpose, ids, out=buffer) is buffer
        assert np.array_equal(buffer[:50], [kr.normal(1, 2, purpose, i) for i in ids[:50]])
        assert np.array_equal(buffer, kr.normals(1, 2, purpose, ids))
    for wrong in (np.empty(4), np.empty(5, np.float32)):
        with pytest.raises(ValueError, match="float64 of shape"):
            kr.normals(1, 2, purpose, np.arange(5), out=wrong)


def test_a_draw_depends_on_its_agent_never_on_the_order_or_company_it_comes_in():
    ids = np.random.default_rng(4).choice(1_000_000, 5_000, replace=False)
    shuffled = ids[::-1].copy()
    purpose = int(Purpose.REFILL)
    assert np.array_equal(kr.uniforms(9, 2, purpose, ids, 0)[::-1], kr.uniforms(9, 2, purpose, shuffled, 0))
    assert np.array_equal(kr.uniforms(9, 2, purpose, ids[:100], 0), kr.uniforms(9, 2, purpose, ids, 0)[:100])
    assert np.array_equal(kr.keyed_order(9, 2, purpose, ids), kr.keyed_order(9, 2, purpose, shuffled))
    order = kr.keyed_order(9, 2, purpose, ids)
    assert sorted(order.tolist()) == sorted(ids.tolist()) and not np.array_equal(order, np.sort(ids))


_PLAIN_PYTHON = """
import json, numpy as np
from quotasim import keyed_random as kr
ids = np.array([0, 1, 17, 2**31 + 5])
print(json.dumps({"words": [int(w) for w in kr.words(2**33 + 3, 40, 9, 17, 2)],
                  "uniforms": kr.uniforms(3, 40, 9, ids, 0).tolist(), "normals": kr.normals(3, 40, 9, ids).tolist(),
                  "lognormals": kr.lognormals(3, 40, 9, ids, 0.1, 0.3).tolist(),
                  "below": [int(kr.below(3, 40, 9, int(i), 7)) for i in ids],
                  "order": kr.keyed_order(3, 40, 9, ids).tolist()}))
"""


def test_plain_python_gives_the_same_draws_without_overflow_warnings():
    """NUMBA_DISABLE_JIT=1 runs the source on NumPy scalars, which warn on overflow: the
    arithmetic must never overflow, and must give the compiled draws bit for bit."""
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    out = subprocess.run([sys.executable, "-W", "error", "-c", _PLAIN_PYTHON], env=env, check=True,
                         capture_output=True, text=True)
    plain = json.loads(out.stdout)
    ids = np.array([0, 1, 17, 2**31 + 5])
    assert plain["words"] == [int(w) for w in kr.words(2**33 + 3, 40, 9, 17, 2)]
    assert plain["uniforms"] == kr.uniforms(3, 40, 9, ids, 0).tolist()
    assert plain["normals"] == kr.normals(3, 40, 9, ids).tolist()
    assert plain["lognormals"] == kr.lognormals(3, 40, 9, ids, 0.1, 0.3).tolist()
    assert plain["below"] == [int(kr.below(3, 40, 9, int(i), 7)) for i in ids]
    assert plain["order"] == kr.keyed_order(3, 40, 9, ids).tolist()
