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
* standard normal: the inverse of the normal distribution function (Wichura's algorithm
  AS 241, PPND16, relative error about 1e-16) at the top 52 of those bits plus one half,
  times 2**-52, a point strictly inside (0, 1). One uniform a normal, and in 85 % of draws
  no logarithm: about twice as fast as Box-Muller here; it reaches 8.2 standard deviations;
* lognormal: exp(mean + sigma x that normal);
* integer below n: floor(uniform x n), at most n - 1 (bias at most n / 2**53).

The functions over arrays of ids run on the threads numba is allowed (``prange``) from
``PARALLEL_FROM`` ids, on the calling thread below: each element depends on its own id
only, so the result is the same on any number of threads.

Logarithms and exponentials are ``math``'s: compiled, they are the C library's, and so they
are under ``NUMBA_DISABLE_JIT=1`` (NumPy's own vectorised ones may differ in the last bit).

Words are held in uint64 and every product is of two 32-bit values, so no operation
overflows: under ``NUMBA_DISABLE_JIT=1`` the same source runs on NumPy scalars, which warn
on overflow.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange

__all__ = ["Key", "philox4x32", "words", "uniform", "normal", "lognormal", "below", "uniforms", "uniforms_of_rows",
           "normals", "lognormals", "belows", "keyed_order", "inverse_normal"]

# Philox4x32's multipliers and Weyl key increments (Random123, philox.h).
_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_LOW = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)
_11 = np.uint64(11)
_12 = np.uint64(12)
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0
_TWO_TO_MINUS_52 = 1.0 / 4503599627370496.0


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
def uniform(seed, month, purpose, agent, index):  # pragma: no cover - compiled
    """A uniform float64 in [0, 1): draw ``index`` (0 unless a decision draws several times)."""
    w0, w1, _, _ = words(seed, month, purpose, agent, index)
    return _unit(w0, w1)


@njit(cache=True, nogil=True, inline="always")
def _open_unit(high, low):  # pragma: no cover - compiled
    """The top 52 bits of two words, plus one half, times 2**-52: a float64 strictly inside
    (0, 1), from 2**-53 to 1 - 2**-53 (with 53 bits the largest would round to 1)."""
    return (np.float64(np.int64(((high << _32) | low) >> _12)) + 0.5) * _TWO_TO_MINUS_52


@njit(cache=True, nogil=True, inline="always")
def _central_quantile(q):  # pragma: no cover - compiled
    """PPND16's quantile for |q| = |p - 1/2| <= 0.425."""
    r = 0.180625 - q * q
    return q * (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r + 6.7265770927008700853e+4) * r
                    + 4.5921953931549871457e+4) * r + 1.3731693765509461125e+4) * r + 1.9715909503065514427e+3) * r
                 + 1.3314166789178437745e+2) * r + 3.3871328727963666080e0) / (
        ((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r + 3.9307895800092710610e+4) * r
            + 2.1213794301586595867e+4) * r + 5.3941960214247511077e+3) * r + 6.8718700749205790830e+2) * r
         + 4.2313330701600911252e+1) * r + 1.0)


@njit(cache=True, nogil=True, inline="always")
def inverse_normal(p):  # pragma: no cover - compiled
    """The standard normal quantile of p in (0, 1): Wichura (1988), "Algorithm AS 241: the
    percentage points of the normal distribution", Applied Statistics 37, 477-484 (PPND16)."""
    q = p - 0.5
    if abs(q) <= 0.425:
        return _central_quantile(q)
    r = math.sqrt(-math.log(p if q < 0 else 1.0 - p))
    if r <= 5.0:
        r -= 1.6
        value = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r
                     + 1.27045825245236838258e0) * r + 3.64784832476320460504e0) * r + 5.76949722146069140550e0) * r
                  + 4.63033784615654529590e0) * r + 1.42343711074968357734e0) / (
            ((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r
                + 1.48103976427480074590e-1) * r + 6.89767334985100004550e-1) * r + 1.67638483018380384940e0) * r
             + 2.05319162663775882187e0) * r + 1.0)
    else:
        r -= 5.0
        value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r
                     + 2.65321895265761230930e-2) * r + 2.96560571828504891230e-1) * r + 1.78482653991729133580e0) * r
                  + 5.46378491116411436990e0) * r + 6.65790464350110377720e0) / (
            ((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r
                + 7.86869131145613259100e-4) * r + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r
             + 5.99832206555887937690e-1) * r + 1.0)
    return -value if q < 0 else value


@njit(cache=True, nogil=True, inline="always")
def normal(seed, month, purpose, agent):  # pragma: no cover - compiled
    """A standard normal (the inverse distribution function at an open uniform)."""
    w0, w1, _, _ = words(seed, month, purpose, agent, 0)
    return inverse_normal(_open_unit(w0, w1))


@njit(cache=True, nogil=True, inline="always")
def lognormal(seed, month, purpose, agent, mean, sigma):  # pragma: no cover - compiled
    """exp(mean + sigma x a standard normal)."""
    return math.exp(mean + sigma * normal(seed, month, purpose, agent))


@njit(cache=True, nogil=True, inline="always")
def below(seed, month, purpose, agent, n):  # pragma: no cover - compiled
    """An integer in [0, n) for n >= 1."""
    return min(np.int64(uniform(seed, month, purpose, agent, 0) * n), np.int64(n) - 1)


# ------------------------------------------------------------------ over arrays of ids
# Each function over arrays has a serial and a parallel form (the loop is the same; the
# parallel one's ``prange`` splits it over the threads numba is allowed), and the parallel
# form is used from ``PARALLEL_FROM`` ids. Waking the threads costs about 70 microseconds
# a parallel loop here (``python -m benchmarks.wake``), more than drawing 30,000 numbers on one: most draws are for the few
# traders. Every element depends on its own id only, so the split never changes a result.
PARALLEL_FROM = 32_768


@njit(cache=True, nogil=True)
def _uniforms_serial(seed, month, purpose, agents, index):  # pragma: no cover - compiled
    out = np.empty(agents.shape[0])
    for k in range(agents.shape[0]):
        out[k] = uniform(seed, month, purpose, agents[k], index)
    return out


@njit(cache=True, nogil=True, parallel=True)
def _uniforms_parallel(seed, month, purpose, agents, index):  # pragma: no cover - compiled
    out = np.empty(agents.shape[0])
    for k in prange(agents.shape[0]):
        out[k] = uniform(seed, month, purpose, agents[k], index)
    return out


def uniforms(seed: int, month: int, purpose: int, agents: np.ndarray, index: int) -> np.ndarray:
    """``uniform`` for each agent id in ``agents``: element k depends on agents[k] only."""
    pass_ = _uniforms_parallel if len(agents) >= PARALLEL_FROM else _uniforms_serial
    return pass_(seed, month, purpose, agents, index)


@njit(cache=True, nogil=True, parallel=True)
def _uniforms_of_rows_parallel(seed, month, purpose, index, out):  # pragma: no cover - compiled
    for k in prange(out.shape[0]):
        out[k] = uniform(seed, month, purpose, k, index)


def _output(out: np.ndarray | None, n: int) -> np.ndarray:
    """The array draws over ``n`` ids go into: ``out`` if given (float64, n long), else a new one."""
    if out is None:
        return np.empty(n)
    if out.shape != (n,) or out.dtype != np.float64:
        raise ValueError(f"out must be float64 of shape ({n},), got {out.dtype} of shape {out.shape}")
    return out


def uniforms_of_rows(seed: int, month: int, purpose: int, n: int, index: int,
                     out: np.ndarray | None = None) -> np.ndarray:
    """``uniforms`` for the agent ids 0, 1, ..., n - 1 (every row of a table), without an array
    of ids when there are many; into ``out`` (float64, n long) if given, a buffer a phase
    that draws for every row each month keeps."""
    out = _output(out, n)
    if n < PARALLEL_FROM:
        out[:] = _uniforms_serial(seed, month, purpose, np.arange(n, dtype=np.int64), index)
    else:
        _uniforms_of_rows_parallel(seed, month, purpose, index, out)
    return out


@njit(cache=True, nogil=True)
def _normals_serial(seed, month, purpose, agents, out):  # pragma: no cover - compiled
    """The open uniforms first, in a loop with no branch that the compiler vectorises, then
    their quantiles in place (the same arithmetic as ``normal``). Computing the central
    quantile of every draw in a branch-free loop and the tails after took twice as long;
    taking the quantiles from a chunk's uniforms into another array was slower too."""
    for k in range(agents.shape[0]):
        w0, w1, _, _ = words(seed, month, purpose, agents[k], 0)
        out[k] = _open_unit(w0, w1)
    for k in range(agents.shape[0]):
        out[k] = inverse_normal(out[k])


@njit(cache=True, nogil=True, parallel=True)
def _normals_parallel(seed, month, purpose, agents, out):  # pragma: no cover - compiled
    """``_normals_serial``'s two loops, each split over the threads."""
    for k in prange(agents.shape[0]):
        w0, w1, _, _ = words(seed, month, purpose, agents[k], 0)
        out[k] = _open_unit(w0, w1)
    for k in prange(agents.shape[0]):
        out[k] = inverse_normal(out[k])


def normals(seed: int, month: int, purpose: int, agents: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``normal`` for each agent id in ``agents``, into ``out`` if given (float64, as long as
    ``agents``): a phase that draws for most officials every month passes a buffer it keeps,
    since a fresh array of that size costs more in page faults than the draws."""
    out = _output(out, agents.shape[0])
    pass_ = _normals_parallel if len(agents) >= PARALLEL_FROM else _normals_serial
    pass_(seed, month, purpose, agents, out)
    return out


@njit(cache=True, nogil=True)
def _lognormals_serial(seed, month, purpose, agents, mean, sigma):  # pragma: no cover - compiled
    """The open uniforms first, then exp(mean + sigma x their quantile) in place: the two loops
    of ``_normals_serial``, for the same reason (the same arithmetic as ``lognormal``)."""
    out = np.empty(agents.shape[0])
    for k in range(agents.shape[0]):
        w0, w1, _, _ = words(seed, month, purpose, agents[k], 0)
        out[k] = _open_unit(w0, w1)
    for k in range(agents.shape[0]):
        out[k] = math.exp(mean + sigma * inverse_normal(out[k]))
    return out


@njit(cache=True, nogil=True, parallel=True)
def _lognormals_parallel(seed, month, purpose, agents, mean, sigma):  # pragma: no cover - compiled
    out = np.empty(agents.shape[0])
    for k in prange(agents.shape[0]):
        w0, w1, _, _ = words(seed, month, purpose, agents[k], 0)
        out[k] = _open_unit(w0, w1)
    for k in prange(agents.shape[0]):
        out[k] = math.exp(mean + sigma * inverse_normal(out[k]))
    return out


def lognormals(seed: int, month: int, purpose: int, agents: np.ndarray, mean: float, sigma: float) -> np.ndarray:
    """``lognormal`` for each agent id in ``agents``."""
    pass_ = _lognormals_parallel if len(agents) >= PARALLEL_FROM else _lognormals_serial
    return pass_(seed, month, purpose, agents, mean, sigma)


@njit(cache=True, nogil=True)
def _belows_serial(seed, month, purpose, agents, n):  # pragma: no cover - compiled
    out = np.empty(agents.shape[0], np.int64)
    for k in range(agents.shape[0]):
        out[k] = below(seed, month, purpose, agents[k], n[k])
    return out


@njit(cache=True, nogil=True, parallel=True)
def _belows_parallel(seed, month, purpose, agents, n):  # pragma: no cover - compiled
    out = np.empty(agents.shape[0], np.int64)
    for k in prange(agents.shape[0]):
        out[k] = below(seed, month, purpose, agents[k], n[k])
    return out


def belows(seed: int, month: int, purpose: int, agents: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``below`` for each agent id in ``agents``, below ``n[k]`` for agent k."""
    pass_ = _belows_parallel if len(agents) >= PARALLEL_FROM else _belows_serial
    return pass_(seed, month, purpose, agents, n)


def keyed_order(seed: int, month: int, purpose: int, agents: np.ndarray) -> np.ndarray:
    """``agents`` in a random order that depends on the ids, never on the order they come in:
    sorted by each one's keyed uniform (ties, at 2**-53 apart, by id; both sorts stable)."""
    keys = uniforms(seed, month, purpose, agents, 0)
    by_id = np.argsort(agents, kind="stable")
    order = by_id[np.argsort(keys[by_id], kind="stable")]
    return agents[order]


class Key(NamedTuple):
    """What every draw of one month shares: the run's seed and the month. Phases get one
    (``phase(state, p, key)``) and draw with a purpose and the ids the draws are about;
    compiled passes get ``key.seed`` and ``key.month`` and call the functions above."""

    seed: int
    month: int    # the counter's month word: the run's month modulo 2**32 (the warm-up's months before the start wrap)

    @classmethod
    def of(cls, seed: int, month: int) -> Key:
        return cls(int(seed), int(month) % 2**32)

    def uniforms(self, purpose: int, agents: np.ndarray, index: int = 0) -> np.ndarray:
        return uniforms(self.seed, self.month, int(purpose), _ids(agents), int(index))

    def uniforms_of_rows(self, purpose: int, n: int, out: np.ndarray | None = None) -> np.ndarray:
        """The uniform of every row 0 to n - 1: for a pass over a whole table that draws for most of
        its rows (row k's draw is the one ``uniforms`` gives for id k)."""
        return uniforms_of_rows(self.seed, self.month, int(purpose), int(n), 0, out)

    def normals(self, purpose: int, agents: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return normals(self.seed, self.month, int(purpose), _ids(agents), out)

    def lognormals(self, purpose: int, agents: np.ndarray, mean: float, sigma: float) -> np.ndarray:
        return lognormals(self.seed, self.month, int(purpose), _ids(agents), float(mean), float(sigma))

    def below(self, purpose: int, agents: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        """For each agent an integer below n (one bound for all, or one per agent; each at least 1)."""
        agents = _ids(agents)
        bounds = np.broadcast_to(np.asarray(n, np.int64), agents.shape)
        return belows(self.seed, self.month, int(purpose), agents, np.ascontiguousarray(bounds))

    def order(self, purpose: int, agents: np.ndarray) -> np.ndarray:
        return keyed_order(self.seed, self.month, int(purpose), _ids(agents))


def _ids(agents: np.ndarray) -> np.ndarray:
    """Ids as one dtype, so each compiled function is compiled once."""
    return np.ascontiguousarray(agents, dtype=np.int64)
