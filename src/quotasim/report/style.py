"""The house style, as the report reads it: declared once in :mod:`quotasim.style` (shared
with the dashboard)."""

from ..style import *  # noqa: F403
from ..style import __all__  # noqa: F401
