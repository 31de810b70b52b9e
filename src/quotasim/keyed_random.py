"""Keyed random numbers: every draw is a pure function of (run seed, month, purpose, agent).

Why: a generator that is drawn from in sequence ties every result to the order of the draws,
so officials could only be processed one after another, phase after phase, on one thread. A
counter-based generator has no sequence: the draw for official 17's defection in month 40
of the run from seed 3 is the same number whichever thread asks for it, in whatever order,
and whatever else was drawn before.

The generator is Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers:
as easy as 1, 2, 3", SC 2011): ten rounds that map a 128-bit counter and a 64-bit key to
four 32-bit words, a bijection of the counter for each key. ``tests/test_keyed_random.py``
checks it word for word against the published known answers (Random123's ``kat_vectors``)
and against an independent implementation (``randomgen.Philox(number=4, width=32)``).
NumPy's own ``numpy.random.Philox`` is the 4x64 variant, whose 64-bit multiply a compiled
loop has to assemble from four 32-bit ones; the 4x32 rounds vectorise and cost about 1 ns
a draw in a loop over officials against about 30 ns for 4x64 on this machine.

Layout, one call per draw (all words little-endian, as Random123 and randomgen number them):

* key     = (run seed mod 2**32, run seed // 2**32)
* counter = (agent id, month, purpose code, draw index)

The agent id is whatever the purpose is about: an official's row (rows are never reused),
a deal's id, a company's index. The purpose code names the decision (declared once, in
``quotasim.codes.Purpose``); two decisions never share a code, so their counters never meet.
The draw index numbers several draws of one decision for one agent in one month (the
stages a deal may clear within a month); it is 0 otherwise.

Conversions, each from the four words of one call:

* uniform in [0, 1): the top 53 bits of (word 0 x 2**32 + word 1), times 2**-53;
* standard normal: Box-Muller, the cosine branch, from that uniform (as 1 - u, in (0, 1],
  so its log is finite) and the same from words 2 and 3;
* lognormal: exp(mean + sigma x that normal);
* integer below n: floor(uniform x n), at most n - 1 (bias at most n / 2**53).

Words are held in uint64 and every product is of two 32-bit values, so no operation
overflows: under ``NUMBA_DISABLE_JIT=1`` the same source runs on NumPy scalars, which warn
on overflow.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["philox4x32", "words", "uniform", "normal", "lognormal", "below", "uniforms", "normals", "lognormals",
           "keyed_order"]

# Philox4x32's multipliers and Weyl key increments (Random123, philox.h).
_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_LOW = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)
_11 = np.uint64(11)
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0


@njit(cache=True, nogil=True, inline="always")
def philox4x32(c0, c1, c2, c3, k0, k1):  # pragma: no cover - compiled
    """Philox4x32-10: the four 32-bit words (as uint64) for counter (c0..c3) and key (k0, k1)."""
    c0, c1, c2, c3 = np.uint64(c0) & _LOW, np.uint64(c1) & _LOW, np.uint64(c2) & _LOW, np.uint64(c3) & _LOW
    k0, k1 = np.uint64(k0) & _LOW, np.uint64(k1) & _LOW
    for _ in range(10):
        product0, product1 = _M0 * c0, _M1 * c2
        c0, c1, c2, c3 = ((product1 >> _32) ^ c1 ^ k0, product1 & _LOW,
                          (product0 >> _32) ^ c3 ^ k1, product0 & _LOW)
        k0, k1 = (k0 + _W0) & _LOW, (k1 + _W1) & _LOW
    return c0, c1, c2, c3


@njit(cache=True, nogil=True, inline="always")
def words(seed, month, purpose, agent, index):  # pragma: no cover - compiled
    """The four words of the draw for (seed, month, purpose, agent, index): the module's layout."""
    seed64 = np.uint64(seed)
    return philox4x32(agent, month, purpose, index, seed64 & _LOW, seed64 >> _32)


@njit(cache=True, nogil=True, inline="always")
def _unit(high, low):  # pragma: no cover - compiled
    """The top 53 bits of two words as a float64 in [0, 1) (below 2**53: exact through int64)."""
    return np.float64(np.int64(((high << _32) | low) >> _11)) * _TWO_TO_MINUS_53


@njit(cache=True, nogil=True, inline="always")
def uniform(seed, month, purpose, agent):  # pragma: no cover - compiled
    """A uniform float64 in [0, 1)."""
    w0, w1, _, _ = words(seed, month, purpose, agent, 0)
    return _unit(w0, w1)


@njit(cache=True, nogil=True, inline="always")
def normal(seed, month, purpose, agent):  # pragma: no cover - compiled
    """A standard normal (Box-Muller)."""
    w0, w1, w2, w3 = words(seed, month, purpose, agent, 0)
    radius = np.sqrt(-2.0 * np.log(1.0 - _unit(w0, w1)))
    return radius * np.cos(2.0 * np.pi * _unit(w2, w3))


@njit(cache=True, nogil=True, inline="always")
def lognormal(seed, month, purpose, agent, mean, sigma):  # pragma: no cover - compiled
    """exp(mean + sigma x a standard normal)."""
    return np.exp(mean + sigma * normal(seed, month, purpose, agent))


@njit(cache=True, nogil=True, inline="always")
def below(seed, month, purpose, agent, n):  # pragma: no cover - compiled
    """An integer in [0, n) for n >= 1."""
    return min(np.int64(uniform(seed, month, purpose, agent) * n), np.int64(n) - 1)


@njit(cache=True, nogil=True)
def uniforms(seed, month, purpose, agents):  # pragma: no cover - compiled
    """``uniform`` for each agent id in ``agents``: element k depends on agents[k] only."""
    out = np.empty(agents.shape[0])
    for k in range(agents.shape[0]):
        out[k] = uniform(seed, month, purpose, agents[k])
    return out


@njit(cache=True, nogil=True)
def normals(seed, month, purpose, agents):  # pragma: no cover - compiled
    """``normal`` for each agent id in ``agents``."""
    out = np.empty(agents.shape[0])
    for k in range(agents.shape[0]):
        out[k] = normal(seed, month, purpose, agents[k])
    return out


@njit(cache=True, nogil=True)
def lognormals(seed, month, purpose, agents, mean, sigma):  # pragma: no cover - compiled
    """``lognormal`` for each agent id in ``agents``."""
    out = np.empty(agents.shape[0])
    for k in range(agents.shape[0]):
        out[k] = lognormal(seed, month, purpose, agents[k], mean, sigma)
    return out


@njit(cache=True, nogil=True)
def keyed_order(seed, month, purpose, agents):  # pragma: no cover - compiled
    """``agents`` in a random order that depends on the ids, never on the order they come in:
    sorted by each one's keyed uniform (ties, at 2**-53 apart, by id)."""
    keys = uniforms(seed, month, purpose, agents)
    by_id = np.argsort(agents, kind="mergesort")
    order = by_id[np.argsort(keys[by_id], kind="mergesort")]
    return agents[order]
