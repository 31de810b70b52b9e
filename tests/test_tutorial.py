"""The tutorial notebook runs from top to bottom against the current code, so it never rots."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parents[1] / "docs" / "tutorial-decentralisation.ipynb"


@pytest.mark.slow
def test_tutorial_notebook_executes_and_writes_its_report(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # Raises CellExecutionError, naming the cell, if any cell fails (the notebook asserts its findings).
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert (tmp_path / "out" / "tutorial-report.html").stat().st_size > 10_000
    assert (tmp_path / "out" / "tutorial-m28" / "runs.parquet").is_file()
    pictures = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs
                if "image/png" in o.get("data", {})]
    assert len(pictures) == 2
