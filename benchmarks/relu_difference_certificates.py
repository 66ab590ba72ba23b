"""Certified maximum difference: certificate time and size with and without certified pruning.

A certified run of ``max_difference`` records a region tree the independent checker verifies.
Without pruning it covers every region of the common refinement; with certified pruning a subtree
whose exact interval bound (recomputed by the checker, docs/certificates.md "Pruned subtrees") is
at most the best value already attained is closed by that bound. Printed side by side for the
pairs of ``relu_epsilon_equivalence.py`` (iris 4-8-3, wine 13-12-3, digits 64-32-16-10 against a
float16 copy and a copy with one weight changed by 2^-30, on a box around a training point): CPU
time of the search (``time.process_time``), tree nodes, leaves, certificate bytes, checker CPU time,
and the ratios. The load average is printed with every run (the machine is shared).

    python benchmarks/relu_difference_certificates.py [--cap 300] [--only iris]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from relu_epsilon_equivalence import box_around, near_zero, partners, to_network, trained  # noqa: E402

from exactnet.check import check_certificate  # noqa: E402
from exactnet.deadline import Deadline  # noqa: E402
from exactnet.relu.certificates import max_difference_certificate  # noqa: E402
from exactnet.relu.max_difference import max_difference  # noqa: E402


def run(a, b, box, prune: bool, cap: float):
    t0 = time.process_time()
    res = max_difference(a, b, box, certificate=True, certified_pruning=prune, deadline=Deadline.after(cap))
    t_search = time.process_time() - t0
    if not res.complete:
        return None, t_search
    cert = max_difference_certificate(a, b, box, res.value, res.per_output, res.per_output_argmax,
                                      res.certificate_nodes)
    size = len(json.dumps(cert))
    t0 = time.process_time()
    ok = check_certificate(json.loads(json.dumps(cert))).valid
    t_check = time.process_time() - t0
    assert ok
    nodes = res.certificate_nodes
    leaves = sum(1 for nd in nodes if "leaf" in nd)
    closed = sum(1 for nd in nodes if "bounded" in nd)
    return (res.value, len(nodes), leaves, closed, size, t_check), t_search


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cap", type=float, default=300.0, help="CPU-ish seconds per certified search")
    ap.add_argument("--only", default=None)
    ap.add_argument("--mode", choices=["both", "pruned", "unpruned"], default="both")
    args = ap.parse_args(argv)
    models = [("iris", (8,), 0.1), ("wine", (12,), 0.05), ("digits", (32, 16), 0.01)]
    if args.only:
        models = [m for m in models if m[0] == args.only]
    modes = {"both": (False, True), "pruned": (True,), "unpruned": (False,)}[args.mode]
    print(f"{'instance':32} {'mode':9} {'M':>10} {'t_search':>9} {'nodes':>7} {'leaves':>7} {'closed':>7}"
          f" {'bytes':>10} {'t_check':>8} load")
    for name, hidden, r in models:
        weights, X = trained(name, hidden)
        a = to_network(weights)
        box = box_around(X[0], r)
        for kind in ("float16", "near-zero 2^-30"):
            b = near_zero(a, 30) if kind.startswith("near") else to_network(partners(weights)[kind])
            label = f"{name} {'-'.join(map(str, a.widths))} {kind}"
            for prune in modes:
                out, t = run(a, b, box, prune, args.cap)
                load = os.getloadavg()[0]
                mode = "pruned" if prune else "unpruned"
                if out is None:
                    print(f"{label:32} {mode:9} {'-':>10} {t:9.2f} stopped at the cap ({args.cap:.0f} s)"
                          f"{'':>30} {load:.1f}")
                else:
                    value, nodes, leaves, closed, size, t_check = out
                    print(f"{label:32} {mode:9} {float(value):10.3e} {t:9.2f} {nodes:7d} {leaves:7d} {closed:7d}"
                          f" {size:10d} {t_check:8.2f} {load:.1f}")
                sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
