"""Calibration on the public record: fit declared free parameters to target statistics.

``quotasim calibrate`` is Bayesian (:mod:`.abc`: ABC-SMC with pyabc, a posterior and a recovery
check; :mod:`.forecast`: posterior predictive runs). The point fit below remains as a library
function for quick searches.

A targets file (TOML, :mod:`.targets`) lists statistics of the monthly table with the
figures the record gives and the error accepted, and the free parameters with their
prior ranges. :func:`calibrate` searches with Optuna's TPE sampler (seeded, so a
calibration is reproducible), re-runs the eight best sets on fresh seeds and keeps the
one that does best there (a noisy search's best trial is partly luck), re-runs that set
at full size to give every target its interval, reports the range of each parameter over
all trials that met every tolerance, and returns a calibrated scenario.
"""

from .fit import Calibration, calibrate
from .targets import TargetsSpec, load_targets

__all__ = ["calibrate", "Calibration", "load_targets", "TargetsSpec"]
