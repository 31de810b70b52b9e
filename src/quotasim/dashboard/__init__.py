"""The live dashboard: ``quotasim dashboard`` (docs/dashboard.md).

``jobs`` runs simulations off the web server's threads, bounded; ``controls`` names the
parameters an analyst moves and reads their bounds from ``quotasim.params``; ``scenarios``
turns choices and uploads into validated scenarios within the dashboard's caps;
``figures`` draws the trajectories; ``app`` is the Dash layout and callbacks.
"""

from .app import create_app, serve

__all__ = ["create_app", "serve"]
