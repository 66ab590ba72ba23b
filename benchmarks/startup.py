"""Start-up of the command line, next to its floor: a bare interpreter and a click-only program.

    python benchmarks/startup.py [--runs 10] [--tree PATH ...]

For each checkout (default: the one this file belongs to; ``--tree`` adds others, e.g. an older
commit checked out with ``git worktree add``) and each peer, in interleaved fresh interpreters:

* ``importtime``: the cumulative ``python -X importtime`` time of ``exactnet.cli.main``
  (``click`` for the click-only peer);
* ``--version`` and ``--help``: wall time and CPU time (user + system, from ``getrusage`` of the
  children) of the whole process.

The peers are ``python -c pass`` (the interpreter alone) and ``python -c "import click"`` (the
one library the command line cannot start without). Medians and minima are printed with the load
average, and the ratios exactnet / peer of the median CPU times. No timing is asserted anywhere;
``tests/test_startup.py`` checks the loaded module set instead.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Import exactnet from the given checkout, not from an editable install of another one.
_FROM = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
         "sys.path.insert(0, {tree!r}); ")


def _process(code: str, *flags: str) -> tuple[float, float, str]:
    """Wall and CPU seconds of ``python [flags] -c code``, and its standard error."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, *flags, "-c", code], capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"benchmark process failed: {out.stderr.strip()[-300:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out.stderr


def _importtime(code: str, module: str) -> float:
    _wall, _cpu, err = _process(code, "-X", "importtime")
    line = [line for line in err.splitlines() if line.rstrip().endswith(f"| {module}")][-1]
    return int(line.split("|")[1]) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--tree", action="append", default=[], help="another checkout to measure")
    args = parser.parse_args()
    trees = [str(ROOT)] + [str(Path(t).resolve()) for t in args.tree]
    cases = {"python -c pass": {"version": "pass"}, "import click": {"version": "import click",
                                                                      "import": ("import click", "click")}}
    for tree in trees:
        pre = _FROM.format(tree=tree)
        cases[f"exactnet ({tree})"] = {
            "import": (pre + "import exactnet.cli.main", "exactnet.cli.main"),
            "version": pre + "from exactnet.cli.main import main; main(['--version'])",
            "help": pre + "from exactnet.cli.main import main; main(['--help'])",
        }
    samples: dict[tuple[str, str], list] = {}
    load_start = os.getloadavg()
    for _ in range(args.runs):
        for name, case in cases.items():
            if "import" in case:
                samples.setdefault((name, "importtime"), []).append((_importtime(*case["import"]), None))
            for what in ("version", "help"):
                if what in case:
                    samples.setdefault((name, what), []).append(_process(case[what])[:2])
    load_end = os.getloadavg()
    print(f"load average: {load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end; {args.runs} runs each")
    cpu_median = {}
    for (name, what), values in samples.items():
        walls = [w for w, _ in values]
        line = f"{name:60s} {what:10s} wall median {statistics.median(walls):.3f} s (min {min(walls):.3f})"
        if values[0][1] is not None:
            cpus = [c for _, c in values]
            cpu_median[(name, what)] = statistics.median(cpus)
            line += f"  CPU median {cpu_median[(name, what)]:.3f} s (min {min(cpus):.3f})"
        print(line)
    for tree in trees:
        ours = cpu_median[(f"exactnet ({tree})", "version")]
        print(f"ratio CPU exactnet --version ({tree}) / python -c pass: {ours / cpu_median[('python -c pass', 'version')]:.2f},"
              f" / import click: {ours / cpu_median[('import click', 'version')]:.2f}")


if __name__ == "__main__":
    main()
