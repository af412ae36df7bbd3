"""Benchmarks. ``make bench`` (``python -m bench``) runs every module listed in
BENCHMARKS and writes docs/performance.md.

Each module has ``def run() -> str`` returning one Markdown section. Figures are
reported as ratios against a baseline measured in the same run, because
absolute numbers on a shared 2-core machine mean little.
"""

BENCHMARKS = [
    "pages",
    "proxy",
    "events",
    "search",
    "search_demo",
    "newsletter",
    "casework_import",
    "casework_report",
]
