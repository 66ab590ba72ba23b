"""Conservation laws (``exactnet laws``): CPU time and memory on random two-hidden-layer networks.

For widths ``(n0, n1, n2, 1)`` with random rational parameters (``exactnet.relu.three_layer.planted.random_params``,
the networks of the CLI's deadline test), on the default data (``n0 + 1`` points in every activation region):
the number of parameters ``D``, of visited patterns, the count and whether it is proved (``count_exact``:
the verified laws' gradients have rank ``D − lie_rank``), the CPU seconds of ``laws`` (``time.process_time``;
the machine is shared) and the peak resident memory of the process after the call. With ``--reference``
the SymPy implementation the tests keep (``tests/relu/three_layer/laws_reference.py``) runs too, with a
cap, and the ratio is printed.

    python benchmarks/relu_three_layer_laws.py [--widths 4,3,6 8,6,12] [--reference] [--cap 300]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exactnet.deadline import Deadline, TimeLimitReached  # noqa: E402
from exactnet.relu.three_layer.laws import laws  # noqa: E402
from exactnet.relu.three_layer.planted import random_params  # noqa: E402

WIDTHS = [(4, 3, 6), (6, 4, 8), (8, 6, 12), (10, 8, 16)]


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--widths", nargs="*", default=None, help="e.g. 4,3,6 8,6,12")
    ap.add_argument("--reference", action="store_true", help="also run the SymPy reference (capped)")
    ap.add_argument("--cap", type=float, default=300.0)
    args = ap.parse_args(argv)
    widths = [tuple(map(int, w.split(","))) for w in args.widths] if args.widths else WIDTHS
    print(f"exactnet laws, CPU seconds; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'widths':>14} {'D':>4} {'patterns':>8} {'count':>5} {'exact':>5} {'cpu s':>8} {'peak MB':>8}"
          + (f" {'SymPy s':>9} {'ratio':>7}" if args.reference else ""))
    for n0, n1, n2 in widths:
        net = random_params(random.Random(5), n0, n1, n2).to_network()
        t = time.process_time()
        L = laws(net, deadline=Deadline.after(args.cap))
        cpu = time.process_time() - t
        row = (f"{str((n0, n1, n2)):>14} {L.parameters:>4} {L.patterns:>8} {L.count:>5} {str(L.count_exact):>5}"
               f" {cpu:8.2f} {peak_mb():>8}")
        if args.reference:
            from tests.relu.three_layer import laws_reference

            t = time.process_time()
            try:
                R = laws_reference.laws(net, deadline=Deadline.after(args.cap))
                ref = time.process_time() - t
                same = "" if R.count == L.count or L.count_exact else "  COUNTS DIFFER"
                row += f" {ref:9.2f} {ref / cpu:6.0f}x{same}"
            except TimeLimitReached:
                row += f" {'>' + format(args.cap, 'g'):>9} {'>' + format(args.cap / cpu, '.0f') + 'x':>7}"
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
