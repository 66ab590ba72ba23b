"""CPU time of the prover's back-substituted difference bounds (``exactnet/relu/backsub_bounds.py``).

Measures ``BacksubPair(...).exact_bounds(lower, upper)`` (the exact run, with its payload) and, for
reference, ``float_bounds`` (the float64 proposal) on the ACAS Xu φ3 box and on sub-boxes of it
(the two halves of its widest input and the four quarters of its two widest inputs), for the
5-50×6-5 teacher of ``benchmarks/relu_practitioner_scale.py`` paired with its retrained copy and
with its pruned copy (the 5-100-100-5 student has other widths: back-substitution of the
difference does not apply to it), and on the whole cube ``[−0.5, 0.5]^5`` (about 540 of the 600
units unstable: the large root box of a whole-box search). Per instance: the median of ``--runs``
CPU times (``time.process_time``) of one call, after one warm-up call; the pair is compiled once
(``BacksubPair``), as the box splitting does. ``--reference`` times instead the pre-optimisation
exact code kept in ``tests/relu/backsub_reference.py`` (same numbers, for a before/after under the
same conditions). The load average is printed: the 2-core machine is shared.

    python benchmarks/backsub_prover.py [--runs 5] [--quick] [--reference]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flint import fmpq  # noqa: E402

from benchmarks.relu_practitioner_scale import ACAS_PHI3, acas_teacher, pruned, retrained, to_network  # noqa: E402
from exactnet.relu.backsub_bounds import BacksubPair  # noqa: E402
from exactnet.relu.symbolic_bounds import CompiledNet  # noqa: E402


def sub_boxes(lower, upper):
    """``(name, lower, upper)``: the box, the halves of its widest input, the quarters of its two
    widest inputs (widths compared exactly)."""
    order = sorted(range(len(lower)), key=lambda j: upper[j] - lower[j], reverse=True)
    i, j = order[0], order[1]
    out = [("whole", list(lower), list(upper))]
    mi = (lower[i] + upper[i]) / 2
    mj = (lower[j] + upper[j]) / 2
    for hi_i, (a, b) in enumerate(((lower[i], mi), (mi, upper[i]))):
        lo, up = list(lower), list(upper)
        lo[i], up[i] = a, b
        out.append((f"half x{i}:{hi_i}", lo, up))
    for hi_i, (a, b) in enumerate(((lower[i], mi), (mi, upper[i]))):
        for hi_j, (c, d) in enumerate(((lower[j], mj), (mj, upper[j]))):
            lo, up = list(lower), list(upper)
            lo[i], up[i], lo[j], up[j] = a, b, c, d
            out.append((f"quarter x{i}:{hi_i} x{j}:{hi_j}", lo, up))
    return out


def cpu(f, runs: int) -> float:
    f()  # warm-up
    times = []
    for _ in range(runs):
        t = time.process_time()
        f()
        times.append(time.process_time() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs per instance (median)")
    ap.add_argument("--quick", action="store_true", help="only the whole box and the two halves")
    ap.add_argument("--reference", action="store_true",
                    help="time the pre-optimisation exact code (tests/relu/backsub_reference.py) instead")
    args = ap.parse_args(argv)
    T, _ = acas_teacher()
    a = CompiledNet.of(to_network(T)).hat
    boxes = sub_boxes(ACAS_PHI3.lower, ACAS_PHI3.upper)
    if args.quick:
        boxes = boxes[:3]
    boxes.append(("cube [-0.5,0.5]^5", [fmpq(-1, 2)] * 5, [fmpq(1, 2)] * 5))
    if args.reference:
        from tests.relu import backsub_reference as ref
    print("exact code:", "pre-optimisation reference" if args.reference else "exactnet.relu.backsub_bounds")
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"{'pair':<10} {'box':<22} {'exact s':>9} {'float s':>9} {'max bound':>12}")
    totals = []
    for name, W in (("retrained", retrained(T)), ("pruned", pruned(T))):
        b = CompiledNet.of(to_network(W)).hat
        t = time.process_time()
        pair = BacksubPair(a, b)
        compile_s = time.process_time() - t
        if args.reference:  # compiled once too, as the pre-optimisation BacksubPair did
            ref_pair = ref._ExactPair(a, b)
        print(f"{name:<10} {'(compile BacksubPair)':<22} {compile_s:9.3f}")
        for bname, lo, up in boxes:
            if args.reference:
                te = cpu(lambda: ref._exact_compute(ref_pair, [fmpq(v) for v in lo], [fmpq(v) for v in up]), args.runs)
            else:
                te = cpu(lambda: pair.exact_bounds(lo, up), args.runs)
            tf = cpu(lambda: pair.float_bounds(lo, up), args.runs)
            bound = max(pair.exact_bounds(lo, up).upper)
            if not bname.startswith("cube"):
                totals.append(te)
            print(f"{name:<10} {bname:<22} {te:9.3f} {tf:9.4f} {float(bound):12.6g}", flush=True)
    print(f"sum of exact medians on the phi3 box and its sub-boxes: {sum(totals):.3f} s")
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
