"""`make bench`'s feedback path, at a tiny size: two sessions on the real server, each
client tapping through the pad link the app issues for three seconds while the
therapist's screen reads the session; the JSON file says how many taps were sent and seen
(every one), their latency percentiles and the server's CPU per tap."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "feedback.py"


def test_every_tap_reaches_the_therapists_screen(tmp_path: Path) -> None:
    out = tmp_path / "feedback.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), str(out), "--sessions", "2", "--seconds", "3",
         "--clients", "40"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    assert "failed" not in results
    assert (results["sessions"], results["seconds"], results["server_workers"]) == (2, 3, 2)
    assert results["taps_sent"] == 6
    assert results["taps_recorded"] == results["taps_seen"] == 6
    assert results["taps_refused"] == {}
    assert results["therapist_read_errors"] == 0 and results["therapist_reads"] >= 6
    # between taps the screen is told "nothing new" (304), as session.js is
    assert 0 < results["therapist_reads_unchanged"] < results["therapist_reads"]
    latency = results["tap_to_therapist"]
    assert 0 < latency["p50_ms"] <= latency["p95_ms"] <= latency["p99_ms"] <= latency["max_ms"]
    assert set(results["tap_post"]) == set(latency) == set(results["therapist_read"])
    assert results["server_cpu_seconds"] > 0 and results["server_cpu_ms_per_tap"] > 0
    assert results["targets"]["tap_to_therapist_p95_ms_at_most"] == 1000.0
    assert isinstance(results["targets"]["met"], bool)
    assert "6/6 taps seen" in done.stdout
