"""`myomap explain --batch IN.jsonl --out OUT.jsonl`: many drawings, one per line.

Input lines: {"id": "optional", "regions": {"region-id": intensity, ...},
"findings": ["target:side=result", ...]}. Output lines: the same JSON shape as
`myomap explain --json`, with "line" (and "id" when given). The output file appears
only when every line succeeded (or with --skip-invalid); a bad line stops the run with
its line number, and no half-written file is left behind.

Fast and in bounded memory: the file is read in blocks, a chunk of lines is parsed and
checked at once (line by line only when one of them is bad, for its exact message),
reasoned about as arrays, and written as it is rendered (core/referral/jsonl.py).

With more than one job (`--jobs N`; by default one per usable core) the chunks are
explained by N worker processes, at most two chunks each handed out ahead, and each
worker appends its chunk's results to the output when the chunks before it are written:
the input's order and the same bytes, memory still flat.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import orjson

from myomap.core.referral import InputError, scorer
from myomap.core.referral.engine import Scorer, run
from myomap.core.referral.inputs import Drawings, check_drawing, collect, parse_finding
from myomap.core.referral.jsonl import Renderer

if TYPE_CHECKING:  # multiprocessing is imported only when several processes run
    from multiprocessing.pool import AsyncResult, Pool

CHUNK = 2048  # lines reasoned about together
BLOCK_BYTES = 1 << 19  # read at a time
IN_FLIGHT = 2  # chunks handed to each worker process ahead of the one being written


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, a few lines otherwise."""

    def __init__(self, total: int) -> None:
        self.total = max(total, 1)
        self.start = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.next_line = 0.0

    def update(self, done: int) -> None:
        fraction = min(done / self.total, 1.0)
        if not self.tty and fraction < self.next_line and done < self.total:
            return
        self.next_line = fraction + 0.25
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        filled = int(fraction * 30)
        bar = "#" * filled + "." * (30 - filled)
        text = f"[{bar}] {fraction:4.0%} {done:,}/{self.total:,} drawings, {done / elapsed:,.0f}/s"
        sys.stderr.write(("\r" + text) if self.tty else (text + "\n"))
        sys.stderr.flush()

    def finish(self, done: int, out: str) -> None:
        self.update(done)
        elapsed = time.perf_counter() - self.start
        if self.tty:
            sys.stderr.write("\n")
        sys.stderr.write(f"Explained {done:,} drawings in {elapsed:.2f} s -> {out}\n")


def _parse(line: bytes, model: Any) -> tuple[dict[str, Any], dict[str, int], list[Any]]:
    """One line, checked as the plain path does: (its data, its drawing, its findings)."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("regions"), dict):
        raise InputError('each line must be an object with "regions": {"region-id": intensity}')
    findings = data.get("findings") or []
    if not isinstance(findings, list):
        raise InputError('"findings" must be a list of strings like "target:side=result"')
    drawing = check_drawing(data["regions"], model)
    return data, drawing, [parse_finding(str(f), model) for f in findings]


def _parse_chunk(
    lines: list[bytes], model: Any
) -> tuple[list[dict[str, Any]], Drawings, list[list[Any]]] | None:
    """A whole chunk at once, when every line in it is good: (data, drawings, findings).
    None when any line is not; the caller then goes line by line for the exact message."""
    try:  # a line that is not an object fails on ["regions"]
        datas: list[dict[str, Any]] = list(map(orjson.loads, lines))
        regions = list(map(itemgetter("regions"), datas))
    except (orjson.JSONDecodeError, TypeError, KeyError, IndexError):
        return None
    if set(map(type, regions)) != {dict}:
        return None
    findings: list[list[Any]] = [[]] * len(datas)
    try:
        if any(map(methodcaller("get", "findings"), datas)):
            for i, data in enumerate(datas):
                if data.get("findings"):
                    if not isinstance(data["findings"], list):
                        return None
                    findings[i] = [parse_finding(str(f), model) for f in data["findings"]]
        drawings = collect(regions, model)
    except InputError:
        return None
    return datas, drawings, findings


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity on this system (macOS, Windows)
        return max(1, os.cpu_count() or 1)


def run_batch(
    source: str, target: str, *, top: int | None, skip_invalid: bool, jobs: int | None = None
) -> int:
    path = Path(source)
    if not path.is_file():
        print(f"myomap explain: no such file: {source}", file=sys.stderr)
        return 2
    problem = _unusable_out(path, Path(target))
    if problem:
        print(f"myomap explain: --out {target}: {problem}", file=sys.stderr)
        return 2
    total = _count_lines(path)
    s = scorer()
    renderer = Renderer(s.model, top)
    progress = Progress(total)
    out_path = Path(target)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    done = 0
    # The first chunk is explained here; the others need more than one chunk each.
    jobs = min(jobs or usable_cores(), -(-total // CHUNK) - 1)
    try:
        with path.open("rb") as lines, tmp.open("wb") as out:
            chunks = _chunks(lines)
            for numbers, chunk, ends in chunks:
                done += _explain_chunk(
                    s, renderer, numbers, chunk, ends, out, source=source, skip_invalid=skip_invalid
                )
                progress.update(done)
                if jobs > 1:  # the first chunk here: the workers start with its fragments
                    out.flush()
                    done = _in_parallel(
                        jobs, chunks, out, progress, done, renderer, source, skip_invalid
                    )
        tmp.replace(out_path)
    except InputError as exc:
        tmp.unlink(missing_ok=True)
        print(f"\nmyomap explain: {exc}\nNothing was written.", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the disk filled up, or the folder became read-only
        tmp.unlink(missing_ok=True)
        print(
            f"\nmyomap explain: --out {target}: {exc.strerror}\nNothing was written.",
            file=sys.stderr,
        )
        return 2
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    progress.finish(done, target)
    return 0


# ------------------------------------------------------------------ worker processes
@dataclass
class _Worker:
    """What a worker process keeps: the reasoner, its renderer (whose fragment cache grows
    in it), the output opened for appending, and the turn: the number of the next chunk
    to be written, with its condition."""

    scorer: Scorer
    renderer: Renderer
    source: str
    skip_invalid: bool
    out: int  # a file descriptor, opened O_APPEND
    turn: Any  # multiprocessing Value("q")
    turned: Any  # multiprocessing Condition


_WORKER: _Worker | None = None


class _Blocks(list[bytes]):
    """Written blocks kept as they are (`write` appends) until they are written out:
    no copy into one large buffer."""

    def write(self, block: bytes) -> int:
        self.append(block)
        return len(block)

    def write_to(self, fd: int) -> None:
        # One write per block: a writev of a whole chunk's blocks (a few MB) took three
        # times the system time here.
        for block in self:
            view = memoryview(block)
            while view:
                view = view[os.write(fd, view) :]


_RENDERER: Renderer | None = None  # the main process's, for forked workers to start from


def _start_worker(
    top: int | None, source: str, skip_invalid: bool, out: str, turn: Any, turned: Any
) -> None:
    """In each worker process. A forked one finds the knowledge base loaded and the main
    process's renderer, with the fragments its first chunk made."""
    global _WORKER
    s = scorer()
    renderer = _RENDERER
    if renderer is None or renderer.model is not s.model or renderer.top != top:
        renderer = Renderer(s.model, top)
    fd = os.open(out, os.O_WRONLY | os.O_APPEND)
    _WORKER = _Worker(s, renderer, source, skip_invalid, fd, turn, turned)


def _work(numbers: list[int], lines: list[bytes], ends: bool, chunk: int) -> int:
    """Chunk number `chunk`, explained in a worker, then appended to the output when the
    chunks before it are: returns how many result lines it wrote. A chunk that fails
    still passes the turn on (its error stops the run when the main process reaches it)."""
    w = _WORKER
    assert w is not None, "the pool starts each worker with _start_worker"
    results = _Blocks()
    failed = True
    try:
        done = _explain_chunk(
            w.scorer,
            w.renderer,
            numbers,
            lines,
            ends,
            cast(BinaryIO, results),
            source=w.source,
            skip_invalid=w.skip_invalid,
        )
        failed = False
    finally:
        with w.turned:
            w.turned.wait_for(lambda: w.turn.value == chunk)
        try:
            if not failed:
                results.write_to(w.out)
        finally:
            with w.turned:
                w.turn.value = chunk + 1
                w.turned.notify_all()
    return done


def _in_parallel(
    jobs: int,
    chunks: Iterator[tuple[list[int], list[bytes], bool]],
    out: BinaryIO,
    progress: Progress,
    done: int,
    renderer: Renderer,
    source: str,
    skip_invalid: bool,
) -> int:
    """The chunks explained by `jobs` processes, each appending its chunk's results to
    `out` (nothing left in its buffer) in its turn: the input's order, and no copy
    through this process. A bad line's InputError comes back from its worker and stops
    the run as in one process; at most IN_FLIGHT chunks per worker are handed out ahead.
    Returns how many lines are written, with the `done` before."""
    global _RENDERER
    import multiprocessing

    # Forked on Linux (the workers start with the model and the fragments made so far);
    # elsewhere fork is unsafe with some system libraries, and each worker loads its own.
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    turn = context.Value("q", 0, lock=False)
    turned = context.Condition()
    pending: deque[AsyncResult[int]] = deque()
    args = (renderer.top, source, skip_invalid, out.name, turn, turned)
    _RENDERER = renderer
    pool: Pool = context.Pool(jobs, initializer=_start_worker, initargs=args)
    try:
        for n, chunk in enumerate(chunks):
            pending.append(pool.apply_async(_work, (*chunk, n)))
            if len(pending) >= IN_FLIGHT * jobs:
                done += pending.popleft().get()
                progress.update(done)
        while pending:
            done += pending.popleft().get()
            progress.update(done)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _RENDERER = None
    return done


# A blank line (only ASCII whitespace, as bytes.strip removes), after the newline before it.
_BLANK = re.compile(rb"\n[ \t\r\x0b\x0c]*(?=\n)")


def _count_lines(path: Path) -> int:
    """How many lines hold something (blank lines are skipped, as the batch skips them):
    newlines counted a block at a time, less the blank lines."""
    total = 0
    parts: list[bytes] = []  # the start of a line that goes on in the next block
    with path.open("rb") as lines:
        while block := lines.read(BLOCK_BYTES):
            cut = block.rfind(b"\n") + 1
            if not cut:
                parts.append(block)
                continue
            body = b"".join([b"\n", *parts, block[:cut]])  # whole lines, a newline before
            parts = [block[cut:]]
            total += body.count(b"\n") - 1 - len(_BLANK.findall(body))
    return total + (1 if b"".join(parts).strip() else 0)


def _chunks(lines: BinaryIO) -> Iterator[tuple[list[int], list[bytes], bool]]:
    """The file's non-blank lines, at most CHUNK at a time, read in blocks: (their line
    numbers, the lines without their newline, whether the chunk's last line had one)."""
    before = 0  # lines of the file already read
    parts: list[bytes] = []  # the start of a line that goes on in the next block
    while True:
        block = lines.read(BLOCK_BYTES)
        if not block:
            if parts:  # the file's last line, without a newline
                yield from _non_blank(before, [b"".join(parts)], ends=False, full=False)
            return
        cut = block.rfind(b"\n") + 1
        if not cut:
            parts.append(block)
            continue
        body = b"".join([*parts, block[:cut]]) if parts else block[:cut]
        parts = [block[cut:]] if cut < len(block) else []
        found = body.split(b"\n")
        del found[-1]  # after the last newline: nothing
        # Every line opens with "{" (the usual case): none is blank, no need to look.
        full = body[:1] == b"{" and body.count(b"\n{") == len(found) - 1
        yield from _non_blank(before, found, ends=True, full=full)
        before += len(found)


def _non_blank(
    before: int, found: list[bytes], *, ends: bool, full: bool
) -> Iterator[tuple[list[int], list[bytes], bool]]:
    """`found` (the lines after the first `before`) without the blank ones, in chunks."""
    if full:
        numbers = list(range(before + 1, before + 1 + len(found)))
        kept = found
    else:
        numbers = [before + i for i, line in enumerate(found, start=1) if line.strip()]
        kept = [line for line in found if line.strip()]
    for start in range(0, len(kept), CHUNK):
        end = start + CHUNK
        yield numbers[start:end], kept[start:end], ends or end < len(kept)


def _explain_chunk(
    s: Scorer,
    renderer: Renderer,
    numbers: list[int],
    lines: list[bytes],
    ends: bool,
    out: BinaryIO,
    *,
    source: str,
    skip_invalid: bool,
) -> int:
    """Explain one chunk and write its results; returns how many lines it wrote. The
    lines come without their newline; `ends` says whether the last one had one."""
    parsed = _parse_chunk(lines, s.model)
    if parsed is not None:
        datas, drawings, findings = parsed
        _write(s, renderer, numbers, datas, drawings, findings, out)
        return len(lines)
    # Some line is bad: line by line, for its message (or its error line).
    done = 0
    good: list[tuple[int, dict[str, Any], dict[str, int], list[Any]]] = []
    last = len(lines) - 1
    for i, (number, line) in enumerate(zip(numbers, lines, strict=True)):
        try:  # with its newline, as it was read: JSON errors give the same position
            good.append((number, *_parse(line + b"\n" if ends or i < last else line, s.model)))
        except InputError as exc:
            if not skip_invalid:
                raise InputError(f"{source}, line {number}: {exc}") from None
            # Results keep the input's order: write what came before this line first.
            done += _write_parsed(s, renderer, good, out)
            good = []
            out.write(orjson.dumps({"line": number, "error": str(exc)}) + b"\n")
            done += 1
    return done + _write_parsed(s, renderer, good, out)


def _write_parsed(
    s: Scorer,
    renderer: Renderer,
    good: list[tuple[int, dict[str, Any], dict[str, int], list[Any]]],
    out: BinaryIO,
) -> int:
    if good:
        drawings = collect([g[2] for g in good], s.model)
        numbers, datas, findings = [g[0] for g in good], [g[1] for g in good], [g[3] for g in good]
        _write(s, renderer, numbers, datas, drawings, findings, out)
    return len(good)


def _write(
    s: Scorer,
    renderer: Renderer,
    numbers: list[int],
    datas: list[dict[str, Any]],
    drawings: Drawings,
    findings: list[list[Any]],
    out: BinaryIO,
) -> None:
    batch = run(s, drawings, findings)
    heads = [
        b'{"line":%d,"id":%s,' % (number, orjson.dumps(data["id"]))
        if "id" in data
        else b'{"line":%d,' % number
        for number, data in zip(numbers, datas, strict=True)
    ]
    renderer.write(batch, heads, out)


def _unusable_out(source: Path, out: Path) -> str | None:
    """Why the results cannot be written to `out`, or None when they can."""
    if out.is_dir():
        return "is a folder; give a file name, e.g. results.jsonl"
    folder = out.parent
    if not folder.is_dir():
        return f"no such folder: {folder}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write into the folder {folder}"
    if out.exists() and out.resolve() == source.resolve():
        return "is the input file; the results would replace the drawings"
    return None
