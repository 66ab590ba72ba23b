"""Cost of reading an ``exactnet.network/1`` JSON file exactly, next to Python's ``json.load``.

    python benchmarks/io_parse.py [--widths 2,2000,2000,1] [--repeat 3] [--kinds int,fraction,decimal]

For each kind of entry a random network of the given widths is written to a temporary file:

* ``int``      — JSON integers in [-1000, 1000] (4,006,001 entries for the default widths);
* ``fraction`` — ``"p/q"`` strings of dyadic rationals (what ``exactnet convert`` writes for a
  float32 model);
* ``decimal``  — JSON decimal literals such as ``-0.125`` (read exactly as 1/8).

Each file is read by the peer, ``json.load`` (floats and ints only, no exactness), and by exactnet,
``read_network`` (exact ``fmpq`` entries, the number budget checked, duplicate keys refused).
Time is the best of ``--repeat`` runs in this process; peak memory is measured in a fresh
subprocess per reader (``VmHWM``). The printed ratios are exactnet / json.load. No timing is
asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_PEAK = """
import json, resource, sys
if sys.argv[1] == "json":
    json.load(open(sys.argv[2]))
else:
    from exactnet.network import read_network
    read_network(sys.argv[2])
try:  # this process's high-water mark (ru_maxrss would include the parent's, inherited at fork)
    print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")))
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def entry(kind: str, rng: random.Random):
    if kind == "int":
        return rng.randint(-1000, 1000)
    if kind == "fraction":
        return f"{rng.randint(-(1 << 24), 1 << 24)}/{1 << rng.randint(1, 40)}"
    return json.loads(f"{rng.randint(-99999, 99999) / 1000:.3f}")


def write_network(path: Path, widths: list[int], kind: str, seed: int = 0) -> int:
    rng = random.Random(seed)
    layers = []
    for n_in, n_out in zip(widths, widths[1:]):
        layers.append({"weight": [[entry(kind, rng) for _ in range(n_in)] for _ in range(n_out)],
                       "bias": [entry(kind, rng) for _ in range(n_out)]})
    path.write_text(json.dumps({"format": "exactnet.network/1", "activation": "relu", "layers": layers}))
    return sum(n_out * (n_in + 1) for n_in, n_out in zip(widths, widths[1:]))


def best_time(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak_mb(which: str, path: Path) -> float:
    out = subprocess.run([sys.executable, "-c", _PEAK, which, str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--widths", default="2,2000,2000,1")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--kinds", default="int,fraction,decimal")
    args = ap.parse_args()
    widths = [int(w) for w in args.widths.split(",")]

    from exactnet.network import read_network

    print(f"widths {widths}; best of {args.repeat}; ratio = exactnet / json.load")
    print(f"{'kind':10} {'entries':>10} {'MB':>6} {'json.load s':>12} {'exactnet s':>11} {'ratio':>6}"
          f" {'json MB':>8} {'exactnet MB':>12} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            path = Path(tmp) / f"{kind}.json"
            n = write_network(path, widths, kind)
            t_json = best_time(lambda: json.load(open(path)), args.repeat)
            t_exact = best_time(lambda: read_network(path), args.repeat)
            m_json, m_exact = peak_mb("json", path), peak_mb("exactnet", path)
            size = path.stat().st_size / 1e6
            print(f"{kind:10} {n:>10,} {size:>6.1f} {t_json:>12.2f} {t_exact:>11.2f} {t_exact / t_json:>6.1f}"
                  f" {m_json:>8.0f} {m_exact:>12.0f} {m_exact / m_json:>6.1f}")


if __name__ == "__main__":
    main()
