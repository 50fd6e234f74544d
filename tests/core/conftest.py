"""Evaluation figures that tests report at the end of the run (recall@5, MRR...)."""

from __future__ import annotations

import pytest


@pytest.fixture
def report(request):  # type: ignore[no-untyped-def]
    """Call report("line") to print a line in the summary at the end of the test run."""
    lines = request.config.stash.setdefault(REPORT_KEY, [])
    return lines.append


REPORT_KEY = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter, config):  # type: ignore[no-untyped-def]
    lines = config.stash.get(REPORT_KEY, [])
    if lines:
        terminalreporter.section("Myomap evaluation")
        for line in lines:
            terminalreporter.write_line(line)
