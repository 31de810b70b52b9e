"""The dashboard inside Jupyter, as docs/dashboard.md shows it: ``create_app().run(
jupyter_mode="inline")`` in a notebook's kernel displays the page in the notebook, and that
page's server runs a scenario to the end, through the same callbacks as the page's."""

from __future__ import annotations

import re

import nbformat
import pytest
from dashboard_server import free_port, start_and_follow
from nbclient import NotebookClient

pytestmark = pytest.mark.slow


def test_the_dashboard_runs_inline_in_a_notebook():
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    cell = nbformat.v4.new_code_cell("from quotasim.dashboard import create_app\n"
                                     f'create_app().run(jupyter_mode="inline", port={port})')
    notebook = nbformat.v4.new_notebook(cells=[cell])
    client = NotebookClient(notebook, timeout=120, kernel_name="python3")
    with client.setup_kernel():
        client.execute_cell(cell, 0)
        shown = "".join(output.get("data", {}).get("text/html", "") for output in cell.outputs)
        assert re.search(r'<iframe[^>]*src="' + re.escape(url) + '"', shown), cell.outputs   # the page, inline
        outcome, status = start_and_follow(url, 0, **{"scale.value": 0.01, "months.value": 12})
        assert outcome == "done", status
        assert status.startswith("done: baseline, 12 months")
