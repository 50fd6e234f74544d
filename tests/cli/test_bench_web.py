"""`make bench-web`'s arithmetic, without a load run: the line benchmarks/web.lua prints
among wrk's output becomes a page's requests/s, percentiles in ms, non-2xx count, ratio to
/healthz and targets; the JSON file and the table say the same; a page that answered
anything but 2xx is named as broken."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "web.py"


@pytest.fixture(scope="module")
def web() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_web", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_web"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def wrk_output(requests: int, p95_us: int, non_2xx: int = 0) -> str:
    line = {
        "duration_us": 5_000_000,
        "requests": requests,
        "bytes": requests * 900,
        "non_2xx": non_2xx,
        "first_bad_status": 302 if non_2xx else 0,
        "errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0},
        "latency_us": {"mean": 20_000.0, "max": 400_000, "p50": 18_000, "p95": p95_us,
                       "p99": p95_us + 10_000},
    }  # fmt: skip
    return (
        "Running 5s test @ http://127.0.0.1:8123/clients/\n"
        "  2 threads and 32 connections\n"
        f"  {requests} requests in 5.00s, 1.2MB read\n"
        f"BENCH-JSON {json.dumps(line)}\n"
        "Requests/sec:    400.00\n"
    )


def test_a_page_is_measured_beside_the_floor(web: ModuleType) -> None:
    floor = web.page_result("/healthz", web.parse_wrk(wrk_output(5000, 40_000)), None)
    assert floor["requests_per_s"] == 1000.0 and floor["ratio_to_healthz"] == 1.0
    page = web.page_result("/clients/", web.parse_wrk(wrk_output(2000, 120_000)), 1000.0)
    assert page["requests_per_s"] == 400.0
    assert (page["p50_ms"], page["p95_ms"], page["p99_ms"]) == (18.0, 120.0, 130.0)
    assert page["ratio_to_healthz"] == 0.4 and page["non_2xx"] == 0
    assert page["targets"]["met"] is True


def test_a_slow_page_or_one_far_below_the_floor_misses_its_targets(web: ModuleType) -> None:
    slow = web.page_result("/visits/3/", web.parse_wrk(wrk_output(2000, 151_000)), 1000.0)
    assert slow["targets"]["p95_met"] is False and slow["targets"]["met"] is False
    assert slow["targets"]["ratio_met"] is True
    behind = web.page_result("/clients/", web.parse_wrk(wrk_output(1000, 50_000)), 1000.0)
    assert behind["ratio_to_healthz"] == 0.2 and behind["targets"]["ratio_met"] is False


def test_the_json_file_and_the_table_give_the_same_numbers(web: ModuleType, tmp_path: Path) -> None:
    pages = {
        "healthz": web.page_result("/healthz", web.parse_wrk(wrk_output(5000, 40_000)), None),
        "client list": web.page_result(
            "/clients/", web.parse_wrk(wrk_output(500, 300_000)), 1000.0
        ),
    }
    pages["client list"]["one_connection"] = {"requests_per_s": 40.0, "p50_ms": 25.0}
    results = {
        "date": "2026-12-02T11:00:00+00:00",
        "machine": {"cores": 2},
        "databases": {
            "sqlite": {
                "clients": 10_003,
                "visits": 15_012,
                "server_workers": 2,
                "seed_seconds": 21.0,
                "pages": pages,
            },
            "postgresql": {"skipped": "PostgreSQL unreachable at postgres://127.0.0.1:5432"},
        },
    }
    out = tmp_path / "bench-web-results.json"
    web.write_results(out, results)
    stored = json.loads(out.read_text(encoding="utf-8"))
    assert stored["databases"]["sqlite"]["pages"]["client list"]["p95_ms"] == 300.0
    text = web.table(stored)
    assert "sqlite: 10,003 clients, 15,012 visits, 2 server workers" in text
    assert "postgresql: skipped (PostgreSQL unreachable" in text
    row = next(line for line in text.splitlines() if line.startswith("client list"))
    assert "100.0" in row and "300.0" in row and "missed: p95, ratio" in row
    assert row.split()[-5:-3] == ["0.9", "25.0"]  # KB a response; p50 ms alone
    assert web.broken_pages(stored) == []


def test_a_page_that_answers_other_than_2xx_is_broken(web: ModuleType) -> None:
    page = web.page_result("/clients/", web.parse_wrk(wrk_output(900, 30_000, 12)), 1000.0)
    results = {"databases": {"sqlite": {"pages": {"client list": page}}}}
    assert page["non_2xx"] == 12 and page["first_bad_status"] == 302
    assert web.broken_pages(results) == [
        "sqlite client list: 12 non-2xx (first 302), 0 socket errors"
    ]
    # Broken when measured alone too, one request at a time.
    fine = web.page_result("/healthz", web.parse_wrk(wrk_output(900, 30_000)), None)
    fine["one_connection"] = {"non_2xx": 3, "first_bad_status": 500, "socket_errors": 0}
    results = {"databases": {"postgresql": {"pages": {"healthz": fine}}}}
    assert web.broken_pages(results) == [
        "postgresql healthz: 3 non-2xx (first 500), 0 socket errors"
    ]


def test_wrk_output_without_the_scripts_line_is_an_error(web: ModuleType) -> None:
    with pytest.raises(web.BenchError, match="no BENCH-JSON line"):
        web.parse_wrk("unable to connect to 127.0.0.1:8123 Connection refused\n")


def test_the_servers_cpu_a_request_is_read_from_its_process_group(
    web: ModuleType, tmp_path: Path
) -> None:
    """The server's processes share its process group; their user and system ticks over a
    run, divided by the run's requests, are what one request cost the server."""
    stat = "{pid} ({name}) S 1 {group} {group} 0 -1 4194560 900 0 0 0 {user} {system} 0 0 20 0"
    for pid, name, group, user, system in (
        (4100, "myomap", 4100, 300, 40),  # the server
        (4101, "gunicorn: worker (x)", 4100, 1200, 160),  # a name with spaces and ")"
        (4200, "wrk", 4200, 5000, 900),  # the load generator: not the server's
    ):
        (tmp_path / str(pid)).mkdir()
        line = stat.format(pid=pid, name=name, group=group, user=user, system=system)
        (tmp_path / str(pid) / "stat").write_text(line + "\n")
    (tmp_path / "self").mkdir()  # not a process number: skipped
    (tmp_path / "4300").mkdir()  # a process that ended meanwhile: skipped

    assert web.stat_cpu_ticks(stat.format(pid=1, name="a) (b", group=7, user=3, system=4)) == (7, 7)
    ticks = web.os.sysconf("SC_CLK_TCK")
    assert web.group_cpu_seconds(4100, tmp_path) == pytest.approx(1700 / ticks)
    assert web.cpu_ms_per_request(1.7, 850) == 2.0
    assert web.cpu_ms_per_request(0.5, 0) is None
    # this very process is measured from the real /proc too
    assert web.group_cpu_seconds(web.os.getpgid(0)) > 0
