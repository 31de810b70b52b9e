"""Benchmarks: speed and memory of quotasim, measured against a Mesa twin in the same run.

``python -m benchmarks`` prints the table; ``python -m benchmarks --quick`` the smallest
size only. See docs/performance.md.
"""
