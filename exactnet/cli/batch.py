"""``exactnet batch MANIFEST -o RESULTS.jsonl``: many questions, one JSON line per answer (docs/distributed.md).

The manifest has one JSON object per line (blank lines and lines starting with ``#`` are
skipped)::

    {"id": "q1", "command": "equiv", "networks": ["a.json", "b.json"], "domain": "box.json"}
    {"id": "q2", "command": "fdim", "networks": ["net.json"], "batch": "points.json"}
    {"id": "q3", "command": "regions", "networks": ["net.json"], "limit": 1000}
    {"id": "q4", "command": "diff", "networks": ["a.json", "b.json"], "box": "-1,1"}
    {"id": "q5", "command": "equiv", "networks": ["a.json", "b.json"], "box": "-1,1", "eps": "1/100"}
    {"id": "q6", "command": "equiv", "networks": ["a.json", "b.json"], "box": "-1,1", "top1": true}

Paths are relative to the manifest's folder; ``domain``/``box``/``eps``/``top1``/``norm``/``width``
as the commands' options (exact numbers as strings); ``id`` is optional (default: a hash of the
line's content). The coordinator reads every item's inputs (a bad input is that item's error
line); the items go to the workers in chunks sized from measured item times
(:mod:`exactnet.distributed.chunks`); a worker answers each item with the same handler as the
single command, and the coordinator appends the line
``{"id", "command", "exit", "answer", "certificate", "seconds", "cpu_seconds"}`` (``answer``: what ``exactnet
COMMAND --json --certificate C`` prints, without the certificate's path; ``certificate``: the path
of the certificate (``equiv``, ``equiv --eps``/``--top1``, ``diff`` of ReLU networks; ``null`` when
the command writes none), under ``RESULTS.certificates/``; ``seconds``/``cpu_seconds``: the
worker's wall-clock and CPU time for the item) or ``{"id", "exit": 2, "error"}``. Lines are flushed as answers arrive, so a re-run skips the ids
already in the results (resumable; a line cut off by a kill is dropped first). A task whose
worker dies is re-run by the scheduler: each id is answered exactly once.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..deadline import Deadline, TimeLimitReached
from ..errors import ExactnetError, FormatError, InputError
from .report import EXIT_ERROR, EXIT_UNKNOWN, EXIT_YES, Report

COMMANDS = ("equiv", "diff", "fdim", "regions")
#: What each command takes: (number of networks, options).
SHAPES = {"equiv": ((2,), {"domain", "box", "eps", "norm", "top1"}), "diff": ((2,), {"domain", "box", "norm", "width"}),
          "fdim": ((1,), {"domain", "box", "batch"}), "regions": ((1, 2), {"domain", "box", "limit"})}
#: Keys whose value is a JSON boolean (the rest, but ``limit``, are strings: exact numbers such as
#: ``"1/100"`` are written as strings, as on the command line).
FLAGS = {"top1"}
NORMS = ("inf", "1")
#: The most bytes of a manifest line.
MAX_LINE = 1 << 20


@dataclass(frozen=True)
class BatchTask:
    """One question for a worker: the inputs already read by the coordinator."""

    id: str
    command: str
    networks: tuple
    domain: object = None
    options: dict = field(default_factory=dict)
    seconds: float | None = None


@dataclass(frozen=True)
class BatchAnswer:
    id: str
    command: str
    exit: int
    answer: dict | None
    certificate_text: str | None = None
    error: str | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0


def item_id(obj: dict, text: str) -> str:
    """The item's ``id`` (a non-empty string or an integer), else a hash of the line's content."""
    given = obj.get("id") if isinstance(obj, dict) else None
    if isinstance(given, (str, int)) and not isinstance(given, bool) and str(given):
        return str(given)
    canonical = json.dumps(obj, sort_keys=True) if isinstance(obj, dict) else text.strip()
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def parse_line(text: str, lineno: int) -> tuple[str, dict]:
    """``(id, item)`` of a manifest line, or an :class:`~exactnet.errors.InputError` naming the line
    (its ``id`` attribute set when one could be read)."""
    if len(text) > MAX_LINE:
        raise _item_error(f"line {lineno}", f"line {lineno}: longer than {MAX_LINE} bytes")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _item_error(item_id(None, text), f"line {lineno}: not valid JSON ({exc.msg})") from None
    ident = item_id(obj, text)
    if not isinstance(obj, dict):
        raise _item_error(ident, f"line {lineno}: an item is a JSON object")
    command = obj.get("command")
    if command not in COMMANDS:
        raise _item_error(ident, f"line {lineno}: 'command' must be one of {', '.join(COMMANDS)}, got {command!r}")
    counts, allowed = SHAPES[command]
    nets = obj.get("networks")
    if not (isinstance(nets, list) and len(nets) in counts and all(isinstance(p, str) and p for p in nets)):
        raise _item_error(ident, f"line {lineno}: '{command}' needs 'networks': a list of "
                                 f"{' or '.join(map(str, counts))} file names")
    unknown = set(obj) - allowed - {"id", "command", "networks"}
    if unknown:
        raise _item_error(ident, f"line {lineno}: unknown key(s) for '{command}': {', '.join(sorted(unknown))}")
    for key in allowed & set(obj):
        value = obj[key]
        if key == "limit":
            if not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
                raise _item_error(ident, f"line {lineno}: 'limit' must be a positive integer")
        elif key in FLAGS:
            if not isinstance(value, bool):
                raise _item_error(ident, f"line {lineno}: '{key}' must be true or false")
        elif not (value is None or isinstance(value, str)):
            raise _item_error(ident, f"line {lineno}: '{key}' must be a string"
                                     + (" (an exact number such as \"1/100\")" if key in ("eps", "width") else ""))
    if obj.get("eps") is not None and obj.get("top1"):
        raise _item_error(ident, f"line {lineno}: 'eps' and 'top1' ask different questions: give one of them")
    if command == "equiv" and obj.get("norm") is not None and obj.get("eps") is None:
        raise _item_error(ident, f"line {lineno}: 'norm' applies to 'eps' (the norm of A(x) − B(x) compared with ε)")
    if obj.get("norm") is not None and obj["norm"] not in NORMS:
        raise _item_error(ident, f"line {lineno}: 'norm' must be \"inf\" or \"1\", got {obj['norm']!r}")
    return ident, obj


def kind(obj: dict) -> str:
    """The question an item asks: ``equiv``, ``equiv --eps``, ``equiv --top1``, ``diff``, ``fdim``
    or ``regions``."""
    if obj["command"] == "equiv" and obj.get("eps") is not None:
        return "equiv --eps"
    if obj["command"] == "equiv" and obj.get("top1"):
        return "equiv --top1"
    return obj["command"]


def _item_error(ident: str, message: str) -> InputError:
    exc = InputError(message)
    exc.item_id = ident
    return exc


def prepare(ident: str, obj: dict, base: Path, seconds: float | None) -> BatchTask:
    """Read the item's networks, domain and points (relative to ``base``) into a task."""
    from ..io import load_model, load_network
    from ..network.domain_spec import read_domain_spec
    from .inputs import read_domain_option

    def at(p: str) -> str:
        return str(p if os.path.isabs(p) else base / p)

    question = kind(obj)
    if question == "equiv --top1":  # a trailing Softmax keeps the argmax: allowed, as for the command
        nets = tuple(load_model(at(p)).for_top1() for p in obj["networks"])
    else:
        nets = tuple(load_network(at(p)) for p in obj["networks"])
    command = obj["command"]
    if len(nets) == 2:
        a, b = nets
        if a.activation != b.activation:
            raise InputError(f"'{command}' compares networks of one activation; got {a.activation} and {b.activation}")
        if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
            raise InputError(f"dimension mismatch: the first network maps R^{a.input_dim} → R^{a.output_dim},"
                             f" the second R^{b.input_dim} → R^{b.output_dim}")
    if command not in ("equiv", "diff") and nets[0].activation != "relu":
        raise InputError(f"'exactnet {command}' is not available for {nets[0].activation} networks")
    domain = None
    if obj.get("domain") is not None or obj.get("box") is not None:
        where = at(obj["domain"]) if obj.get("domain") else None
        if question in ("equiv", "fdim", "regions"):
            domain = read_domain_option(command, where, obj.get("box"), nets[0])
        else:  # the maximum difference and its questions take every domain kind (docs/difference.md)
            domain = read_domain_spec(where, obj.get("box"), nets[0].input_dim)
    options = {"question": question}
    if question == "equiv --eps":
        from .difference import parse_epsilon

        options["eps"] = parse_epsilon(obj["eps"])
    for key in ("norm", "width"):
        if obj.get(key) is not None:
            options[key] = obj[key]
    if obj.get("limit") is not None:
        options["limit"] = obj["limit"]
    if obj.get("batch") is not None:
        try:
            options["batch_text"] = Path(at(obj["batch"])).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the batch file {obj['batch']}: {exc}") from None
    return BatchTask(ident, command, nets, domain, options, seconds)


def answer(task: BatchTask) -> BatchAnswer:
    """Answer one item (on a worker) with the single command's handler; never raises for an
    item's own failure (that is the item's answer)."""
    import time
    from dataclasses import replace

    start, cpu = time.perf_counter(), time.process_time()
    res = _answer(task)
    return replace(res, seconds=round(time.perf_counter() - start, 4), cpu_seconds=round(time.process_time() - cpu, 4))


def _answer(task: BatchTask) -> BatchAnswer:
    from .runner import Budget

    deadline = Deadline.after(task.seconds)
    with tempfile.TemporaryDirectory(prefix="exactnet-batch-") as tmp:
        try:
            report, cert_path = _run(task, Budget(deadline), tmp)
        except TimeLimitReached as exc:
            return BatchAnswer(task.id, task.command, EXIT_UNKNOWN, {"reason": str(exc), "time_limit_reached": True})
        except ExactnetError as exc:
            return BatchAnswer(task.id, task.command, EXIT_ERROR, None, error=str(exc))
        except MemoryError:
            return BatchAnswer(task.id, task.command, EXIT_ERROR, None, error="out of memory")
        text = None
        if cert_path is not None and os.path.exists(cert_path):
            text = Path(cert_path).read_text(encoding="utf-8")
        data = dict(report.data)
        data.pop("certificate", None)
        data.pop("certificate_format", None)
        return BatchAnswer(task.id, task.command, report.exit_code, data, text)


def warm_up() -> None:
    """A worker's setup for batches: the exact polyhedra library on the main thread, and the
    command handlers loaded once (not on the first item's time)."""
    from ..relu.subtrees import worker_setup
    from . import difference as _difference  # noqa: F401
    from . import relu as _relu  # noqa: F401
    from . import tanh as _tanh  # noqa: F401

    worker_setup()


def _run(task: BatchTask, budget, tmp: str):
    from . import relu as relu_cli
    from . import tanh as tanh_cli

    nets = task.networks
    question = task.options.get("question", task.command)
    cert = os.path.join(tmp, "certificate.json")
    if question in ("equiv --eps", "equiv --top1", "diff"):
        from . import difference as difference_cli

        if question != "diff" or nets[0].activation == "relu":
            difference_cli.require_relu(nets[0], question)
        if question == "equiv --eps":
            return difference_cli.epsilon(budget, nets[0], nets[1], task.domain, task.options["eps"],
                                          norm=task.options.get("norm", "inf"), certificate=cert), cert
        if question == "equiv --top1":
            return difference_cli.top1(budget, nets[0], nets[1], task.domain, certificate=cert), cert
        norm = task.options.get("norm", "inf")
        if nets[0].activation == "tanh":  # a rigorous enclosure and its certificate (docs/difference.md)
            return difference_cli.tanh_diff(budget, nets[0], nets[1], task.domain, task.options.get("width", "1/1000000"),
                                            norm=norm, certificate=cert), cert
        return difference_cli.diff(budget, nets[0], nets[1], task.domain, norm=norm, certificate=cert), cert
    if task.command == "equiv":
        if nets[0].activation == "tanh":
            return tanh_cli.equiv(budget, nets[0], nets[1], certificate=cert, domain=task.domain), cert
        return relu_cli.equiv(budget, nets[0], nets[1], certificate=cert, domain=task.domain), cert
    if task.command == "regions":
        other = nets[1] if len(nets) == 2 else None
        return relu_cli.regions(budget, nets[0], other, domain=task.domain, limit=task.options.get("limit")), None
    batch = None
    if "batch_text" in task.options:
        batch = os.path.join(tmp, "points.json")
        Path(batch).write_text(task.options["batch_text"], encoding="utf-8")
    return relu_cli.fdim(budget, nets[0], domain=task.domain, batch=batch), None


# ---------------------------------------------------------------------------------------------
# the results file
# ---------------------------------------------------------------------------------------------


def answered_ids(path: Path) -> set[str]:
    """The ids with a line in the results file; a last line cut off by a kill is removed first."""
    if not path.exists():
        return set()
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        with open(path, "r+b") as fh:
            fh.truncate(cut)
        data = data[:cut]
    ids = set()
    for raw in data.splitlines():
        try:
            obj = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise FormatError(f"{path}: not a results file of 'exactnet batch' (a line is not JSON)") from None
        if not (isinstance(obj, dict) and isinstance(obj.get("id"), str)):
            raise FormatError(f"{path}: not a results file of 'exactnet batch' (a line has no id)")
        ids.add(obj["id"])
    return ids


class ResultsFile:
    """Appends one flushed line per answer; certificates go to ``<results>.certificates/<id>.json``."""

    def __init__(self, path: Path):
        self.path = path
        self.certificates = path.with_name(path.name + ".certificates")
        self.fh = open(path, "a", encoding="utf-8")

    def write(self, line: dict) -> None:
        self.fh.write(json.dumps(line) + "\n")
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def certificate(self, ident: str, text: str) -> str:
        self.certificates.mkdir(exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in ident)[:100]
        name = f"{safe}-{hashlib.sha256(ident.encode()).hexdigest()[:8]}.json"
        target = self.certificates / name
        tmp = target.with_suffix(".part")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
        return str(target)

    def close(self) -> None:
        self.fh.close()


def answer_line(res: BatchAnswer, results: ResultsFile) -> dict:
    if res.error is not None:
        return {"id": res.id, "command": res.command, "exit": res.exit, "error": res.error, "seconds": res.seconds,
                "cpu_seconds": res.cpu_seconds}
    cert = results.certificate(res.id, res.certificate_text) if res.certificate_text is not None else None
    return {"id": res.id, "command": res.command, "exit": res.exit, "answer": res.answer, "certificate": cert,
            "seconds": res.seconds, "cpu_seconds": res.cpu_seconds}


# ---------------------------------------------------------------------------------------------
# the command
# ---------------------------------------------------------------------------------------------


def run_batch(budget, manifest: str, output: str, workers: int | None = None, scheduler: str | None = None,
              executor=None) -> Report:
    """Answer every new item of ``manifest`` into ``output`` (see the module docstring); ``executor``:
    an executor that is already running (from Python; it is not closed here)."""
    from ..distributed import open_executor
    from ..distributed.chunks import run_in_chunks
    from .cluster import work_deadline

    mpath, rpath = Path(manifest), Path(output)
    given = executor
    clustered = scheduler is not None or (workers or 1) > 1 or (given is not None and given.workers > 1)
    work = work_deadline(budget.deadline, clustered or None)  # time kept for stopping a cluster
    try:
        lines = mpath.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the manifest {manifest}: {getattr(exc, 'strerror', None) or exc}") from None
    done = answered_ids(rpath)
    results = ResultsFile(rpath)
    counts = {"items": 0, "skipped": 0, "answered": 0, "errors": 0}
    seen: set[str] = set()
    specs: list[tuple[str, dict, int]] = []
    executor = None

    def record(line: dict) -> None:
        results.write(line)
        done.add(line["id"])
        counts["answered"] += 1
        counts["errors"] += "error" in line

    def load(spec: tuple[str, dict, int]) -> BatchTask | None:
        """The item's task, read when its chunk is handed out (so the workers start at once);
        an input it cannot read is its error line."""
        ident, obj, lineno = spec
        try:
            return prepare(ident, obj, mpath.parent, work.remaining())
        except ExactnetError as exc:
            record({"id": ident, "command": obj["command"], "exit": EXIT_ERROR, "error": f"line {lineno}: {exc}"})
            return None

    try:
        for lineno, text in enumerate(lines, 1):
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            counts["items"] += 1
            try:
                ident, obj = parse_line(text, lineno)
            except InputError as exc:
                ident, obj = exc.item_id, None
                if ident in done:
                    counts["skipped"] += 1
                else:
                    record({"id": ident, "line": lineno, "exit": EXIT_ERROR, "error": str(exc)})
                continue
            if ident in seen:
                dup = f"{ident}#line{lineno}"
                if dup in done:
                    counts["skipped"] += 1
                else:
                    record({"id": dup, "line": lineno, "exit": EXIT_ERROR,
                            "error": f"line {lineno}: the id {ident!r} is used by an earlier line"})
                continue
            seen.add(ident)
            if ident in done:
                counts["skipped"] += 1
                continue
            specs.append((ident, obj, lineno))
        complete, reason = True, None
        if specs:
            executor = given or open_executor(workers, scheduler)
            executor.prepare(warm_up)
            try:
                for _i, res in run_in_chunks(executor, answer, specs, work, load=load):
                    left = work.remaining()
                    if res.exit == EXIT_UNKNOWN and left is not None and left < 1.0:
                        complete, reason = False, "time limit reached"  # cut off by the batch's limit: retried on a re-run
                        counts["unfinished"] = counts.get("unfinished", 0) + 1
                        continue
                    if res.id not in done:  # never twice, whatever the cluster re-ran
                        record(answer_line(res, results))
            except TimeLimitReached as exc:
                complete, reason = False, str(exc)
    finally:
        results.close()
        if executor is not None and given is None:
            executor.close()
    data = {"complete": complete, **counts, "results": str(rpath),
            "certificates": str(results.certificates) if results.certificates.exists() else None}
    if reason:
        data["reason"] = reason

    def render(console):
        state = "complete" if complete else f"incomplete ({reason}); run again to resume"
        console.print(f"batch {state}: {counts['answered']} answered ({counts['errors']} errors), "
                      f"{counts['skipped']} already in {rpath}")

    return Report(data, EXIT_YES if complete else EXIT_UNKNOWN, render)


__all__ = ["BatchAnswer", "BatchTask", "answer", "answered_ids", "parse_line", "prepare", "run_batch"]
