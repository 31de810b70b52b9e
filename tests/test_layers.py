"""The package's shape: no module reaches into another's private names.

The import layers themselves are checked by import-linter (``lint-imports``, run by
``.ci/run``; contracts in ``pyproject.toml``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import quotasim

PACKAGE = Path(quotasim.__file__).parent


def test_no_module_imports_a_private_name_of_another():
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                private = [alias.name for alias in node.names
                           if alias.name.startswith("_") and not alias.name.startswith("__")]
                if private:
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} imports {private} from {node.module}")
    assert not found, "\n".join(found)
