"""Benchmark of the referral reasoner: `make bench` writes bench-results.json.

Measures, on one core:
- latency of one drawing in process (`explain`), median and 95th percentile;
- batch throughput of the reasoning (`explain_many`: scores, rankings and exact covers);
- end-to-end throughput of `myomap explain --batch --jobs 1` (JSON lines in and out, top
  10) on 50,000 drawings, process start included, and on 200,000; the difference of the
  two runs gives the steady rate without the start;
- the same 50,000 and 200,000 with `--jobs N` on all N cores of the machine (the only
  runs not held to one core), beside the one-process numbers;
- each rate also per CPU-second (the process's own CPU time, its workers' included), which
  another program busy on the same cores does not lower as much as the wall-clock rate;
- the peak memory (RSS) of those two runs: streaming keeps it flat;
- the same sizes as a plain NumPy product, the same input lines read and written with
  orjson, and the output's bytes copied from one file to another, as floors beside them
  (ratios in the results);
- cold start of `myomap explain --json` as a new process (knowledge cache warm), and
  the first run after the knowledge base changed (cache rebuilt).

Drawings are synthetic but shaped like real ones: 1-8 regions, mostly lumbopelvic,
intensities 1-10, fixed seed.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {
    "latency_median_ms": 1.0,
    "batch_per_second": 250_000,
    "batch_end_to_end_jsonl_per_second": 100_000,
    "batch_peak_rss_200k_over_50k": 1.1,
    "cold_start_s": 0.5,
}
LUMBOPELVIC = (
    "lumbar",
    "buttock",
    "si-joint",
    "sacrum",
    "coccyx",
    "hip",
    "thigh",
    "iliac",
    "gluteal",
    "groin",
    "thoracolumbar",
    "abdomen-lower",
    "calf",
    "heel",
)


def drawings(count: int, regions: tuple[str, ...], seed: int = 7) -> list[dict[str, int]]:
    import numpy as np

    rng = np.random.default_rng(seed)
    pool = [r for r in regions if r.startswith(LUMBOPELVIC)]
    out = []
    for _ in range(count):
        k = int(rng.integers(1, 9))
        picked = rng.choice(len(pool), size=k, replace=False)
        out.append({pool[i]: int(rng.integers(1, 11)) for i in picked})
    return out


# Runs a command from a small process and prints its peak RSS (kB): a child started
# straight from this one would report this process's larger RSS from before the exec.
# With MYOMAP_BENCH_CPUS set (e.g. "0,1"), the command may run on those cores.
LAUNCHER = """
import os, sys, time
cpus = os.environ.pop("MYOMAP_BENCH_CPUS", "")
if cpus:
    os.sched_setaffinity(0, {int(c) for c in cpus.split(",")})
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measured(command: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """Run a command; (its wall seconds, its peak RSS in kB, its CPU seconds)."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        check=True,
        text=True,
    )
    seconds, rss, cpu = done.stdout.split()
    return float(seconds), int(rss), float(cpu)


def copy_rate(source: Path, target: Path, lines: int) -> float:
    """Lines per second of copying a file's bytes in 1 MB blocks (the output's floor)."""
    start = time.perf_counter()
    with source.open("rb") as read, target.open("wb") as write:
        for block in iter(lambda: read.read(1 << 20), b""):
            write.write(block)
    rate = lines / (time.perf_counter() - start)
    target.unlink()
    return rate


def main() -> int:
    all_cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {all_cpus[0]})  # one core
    out_path = Path(sys.argv[1] if len(sys.argv) > 1 else "bench-results.json")
    exe = Path(sys.executable).parent / "myomap"
    env = dict(os.environ)

    from myomap.core.referral import explain, explain_many, scorer

    model = scorer().model
    sample = drawings(2_000, model.regions)
    for d in sample[:200]:
        explain(d)  # warm up
    timings = []
    for d in sample:
        start = time.perf_counter()
        explain(d)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()

    big = drawings(50_000, model.regions, seed=11)
    explain_many(big[:1000])
    runs, cpu_runs = [], []
    for _ in range(3):
        start, cpu = time.perf_counter(), time.process_time()
        explain_many(big)
        runs.append(len(big) / (time.perf_counter() - start))
        cpu_runs.append(len(big) / (time.process_time() - cpu))

    # The floor beside it: a plain dense product of the same sizes, in the same run.
    import numpy as np

    dense = np.random.default_rng(3).random((len(big), len(model.regions)))
    weights = np.random.default_rng(5).random((len(model.regions), len(model.cand_point)))
    products = []
    for _ in range(3):
        start = time.perf_counter()
        dense @ weights
        products.append(len(big) / (time.perf_counter() - start))

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "in.jsonl")
        source.write_text("".join(json.dumps({"regions": d}) + "\n" for d in big))
        larger = Path(tmp, "in-200k.jsonl")
        more = drawings(200_000, model.regions, seed=11)  # begins with the same 50,000
        larger.write_text("".join(json.dumps({"regions": d}) + "\n" for d in more))
        del more
        import orjson

        start = time.perf_counter()
        with source.open("rb") as lines, Path(tmp, "copy.jsonl").open("wb") as copy:
            for line in lines:
                copy.write(orjson.dumps(orjson.loads(line)) + b"\n")
        json_floor = len(big) / (time.perf_counter() - start)
        out = Path(tmp, "out.jsonl")

        def batch(path: Path, jobs: int) -> tuple[float, int, float]:
            """The best of three runs (the machine may be busy): (wall s, peak kB, CPU s)."""
            runs = []
            for _ in range(3):
                out.unlink(missing_ok=True)
                command = [str(exe), "explain", "--batch", str(path), "--out", str(out)]
                cores = {"MYOMAP_BENCH_CPUS": ",".join(map(str, all_cpus))} if jobs > 1 else {}
                runs.append(measured([*command, "--jobs", str(jobs)], env | cores))
            return min(r[0] for r in runs), max(r[1] for r in runs), min(r[2] for r in runs)

        seconds_50k, rss_50k, cpu_50k = batch(source, 1)
        output_bytes = out.stat().st_size
        output_floor = copy_rate(out, Path(tmp, "copy-out.jsonl"), len(big))
        seconds_200k, rss_200k, cpu_200k = batch(larger, 1)
        jobs = len(all_cpus)
        jobs_50k, jobs_rss_50k, jobs_cpu_50k = batch(source, jobs)
        jobs_200k, jobs_rss_200k, jobs_cpu_200k = batch(larger, jobs)
        out.unlink()
        end_to_end = len(big) / seconds_50k
        end_to_end_200k = 200_000 / seconds_200k
        steady = (200_000 - len(big)) / (seconds_200k - seconds_50k)
        end_to_end_jobs = len(big) / jobs_50k

        cold_env = env | {"MYOMAP_CACHE_DIR": str(Path(tmp, "cache"))}
        command = [
            str(exe),
            "explain",
            "--region",
            "si-joint-left:5",
            "--region",
            "buttock-upper-left:7",
            "--json",
        ]
        start = time.perf_counter()
        subprocess.run(command, check=True, env=cold_env, stdout=subprocess.DEVNULL)
        first_run = time.perf_counter() - start
        starts = []
        for _ in range(7):
            start = time.perf_counter()
            subprocess.run(command, check=True, env=cold_env, stdout=subprocess.DEVNULL)
            starts.append(time.perf_counter() - start)

    results = {
        "machine": {
            "cpus_used": 1,
            "cpus_used_by_jobs_runs": jobs,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "python": sys.version.split()[0],
        },
        "knowledge": {"regions": len(model.regions), "candidates": len(model.cand_point)},
        "latency_median_ms": round(statistics.median(timings), 4),
        "latency_p95_ms": round(timings[int(len(timings) * 0.95)], 4),
        "batch_per_second": round(statistics.median(runs)),
        "batch_per_cpu_second": round(statistics.median(cpu_runs)),
        "plain_numpy_product_per_second": round(statistics.median(products)),
        "batch_to_plain_product_ratio": round(
            statistics.median(runs) / statistics.median(products), 3
        ),
        "batch_end_to_end_jsonl_per_second": round(end_to_end),
        "batch_end_to_end_jsonl_per_cpu_second": round(len(big) / cpu_50k),
        "batch_end_to_end_200k_jsonl_per_second": round(end_to_end_200k),
        "batch_end_to_end_200k_jsonl_per_cpu_second": round(200_000 / cpu_200k),
        "batch_steady_jsonl_per_second": round(steady),
        "batch_jobs": jobs,
        "batch_jobs_end_to_end_jsonl_per_second": round(end_to_end_jobs),
        "batch_jobs_end_to_end_jsonl_per_cpu_second": round(len(big) / jobs_cpu_50k),
        "batch_jobs_end_to_end_200k_jsonl_per_second": round(200_000 / jobs_200k),
        "batch_jobs_end_to_end_200k_jsonl_per_cpu_second": round(200_000 / jobs_cpu_200k),
        "batch_jobs_peak_rss_50k_mb": round(jobs_rss_50k / 1024, 1),
        "batch_jobs_peak_rss_200k_mb": round(jobs_rss_200k / 1024, 1),
        "batch_output_bytes_per_line": round(output_bytes / len(big)),
        "batch_peak_rss_50k_mb": round(rss_50k / 1024, 1),
        "batch_peak_rss_200k_mb": round(rss_200k / 1024, 1),
        "orjson_read_write_per_second": round(json_floor),
        "end_to_end_to_orjson_ratio": round(end_to_end / json_floor, 3),
        "output_copy_per_second": round(output_floor),
        "end_to_end_to_output_copy_ratio": round(end_to_end / output_floor, 3),
        "cold_start_s": round(statistics.median(starts), 3),
        "cold_start_first_run_s": round(first_run, 3),
        "targets": TARGETS,
    }
    results["targets_met"] = {
        "latency_median_ms": results["latency_median_ms"] <= TARGETS["latency_median_ms"],
        "batch_per_second": results["batch_per_second"] >= TARGETS["batch_per_second"],
        # The target does not say one core: judged on the faster of one process and N.
        "batch_end_to_end_jsonl_per_second": max(end_to_end, end_to_end_jobs)
        >= TARGETS["batch_end_to_end_jsonl_per_second"],
        "batch_end_to_end_jsonl_per_second_one_process": end_to_end
        >= TARGETS["batch_end_to_end_jsonl_per_second"],
        "batch_peak_rss_200k_over_50k": rss_200k / rss_50k
        <= TARGETS["batch_peak_rss_200k_over_50k"],
        "cold_start_s": results["cold_start_s"] <= TARGETS["cold_start_s"],
    }
    out_path.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    # Targets are reported, not enforced: a noisy machine misses them by chance.
    return 0


if __name__ == "__main__":
    sys.exit(main())
