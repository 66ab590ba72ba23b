"""Region-tree certificates: the ``/1`` JSON tree against the streamed ``/2`` encoding, side by side.

Instance (issue 16, "compact, streamed certificates"): a 2-32-32-32-1 network with float32
He-initialised weights (taken exactly as dyadic rationals) and its ``hidden`` partner from
``benchmarks/relu_equivalence_vs_z3.py`` (permuted, rescaled, a split unit, two shifted opposite
pairs, a constant and a dead unit; seed index 17 there). Tier (b) reduces both networks, tier (d)
proves them equivalent on about 4,700 common cells. ``--quick``: 2-16-16-16-1 (about 1,600 cells).

Printed per encoding: file bytes, bytes per cell, the CPU time to produce the certificate (the
tier-d decision with the recorder, plus writing the file), the CPU time of
``exactnet.check.check_file`` (reading included), and check/produce; the load average is printed
with them (the machine is shared: CPU seconds are what the code costs, wall seconds vary with the
load). ``decide only`` is the decision without a certificate. ``/1`` was the default encoding of
region-tree proofs before; ``/2`` (plain) is the default now (``exactnet equiv``/``compress``
``--certificate``; ``--certificate-format 1`` writes ``/1``).
``--memory`` also reports the peak Python heap of each check (``tracemalloc``; slower).

    python benchmarks/certificates.py            # ~4,700 cells (a few minutes)
    python benchmarks/certificates.py --quick
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from relu_equivalence_vs_z3 import he_network, hidden_partner, symmetry_partner  # noqa: E402

from exactnet.certificates import write_certificate  # noqa: E402
from exactnet.check import check_file  # noqa: E402
from exactnet.relu.equivalence import equivalent  # noqa: E402


def instance(quick: bool):
    index = 16 if quick else 17  # the deep (16,16,16) / (32,32,32) instances of the Z3 benchmark
    widths = (2, 16, 16, 16, 1) if quick else (2, 32, 32, 32, 1)
    rng, rnd = np.random.default_rng(index), random.Random(index)
    a = he_network(rng, widths)
    symmetry_partner(a, rnd)  # the Z3 benchmark draws the symmetry partner first (same random stream)
    return a, hidden_partner(a, rnd), widths


def timed(fn):
    """``(value, CPU seconds)`` of ``fn()``."""
    gc.collect()
    start = time.process_time()
    value = fn()
    return value, time.process_time() - start


def peak_memory(fn) -> int:
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2-16-16-16-1 instead of 2-32-32-32-1")
    parser.add_argument("--memory", action="store_true", help="also the peak heap of each check (tracemalloc)")
    parser.add_argument("--skip-old", action="store_true", help="only the streamed encodings")
    args = parser.parse_args(argv)
    a, b, widths = instance(args.quick)
    tmp = Path(tempfile.mkdtemp(prefix="exactnet-certs-"))

    res, t_decide = timed(lambda: equivalent(a, b))
    cells = res.stats.get("cells")
    print(f"load average {os.getloadavg()[0]:.1f}; CPU seconds")
    print(f"region-tree certificates, {'-'.join(map(str, widths))} hidden pair: "
          f"tier {res.tier}, {cells} cells, decide only {t_decide:.2f} s")
    assert res.equivalent is True and res.tier == "d", res.reason

    rows = []

    def old():
        path = tmp / "old.json"

        def produce():
            r = equivalent(a, b, certificate=True)
            write_certificate(r.certificate, path)

        return path, produce

    def stream(name):
        path = tmp / name

        def produce():
            r = equivalent(a, b, certificate=True, certificate_stream=str(path))
            assert r.certificate_file == str(path)

        return path, produce

    encodings = [] if args.skip_old else [("/1 JSON tree (old dflt)", old)]
    encodings += [("/2 stream (default)", lambda: stream("new.jsonl")), ("/2 stream, gzip", lambda: stream("new.jsonl.gz"))]
    for label, make in encodings:
        path, produce = make()
        _, t_produce = timed(produce)
        size = os.path.getsize(path)
        verdict, t_check = timed(lambda: check_file(path))
        assert verdict.valid, verdict.reason
        mem = peak_memory(lambda: check_file(path)) if args.memory else None
        rows.append((label, size, t_produce, t_check, mem))
        print(f"  {label:24} done: {size:,} bytes, produce {t_produce:.2f} s, check {t_check:.2f} s", flush=True)

    print()
    head = f"{'encoding':24} {'bytes':>12} {'bytes/cell':>11} {'produce s':>10} {'check s':>9} {'check/produce':>14}"
    if args.memory:
        head += f" {'check peak MB':>14}"
    print(head)
    print("-" * len(head))
    for label, size, tp, tc, mem in rows:
        line = f"{label:24} {size:>12,} {size / cells:>11,.1f} {tp:>10.2f} {tc:>9.2f} {tc / tp:>14.2f}"
        if mem is not None:
            line += f" {mem / 2**20:>14.1f}"
        print(line)
    if not args.skip_old:
        base = rows[0]
        print()
        for label, size, tp, tc, _ in rows[1:]:
            print(f"{label}: {base[1] / size:,.0f}x smaller, check {base[3] / tc:,.1f}x faster than /1")
    best = rows[-1]
    print(f"target <= 1 KB per cell: {best[1] / cells:,.0f} B -> {'met' if best[1] / cells <= 1024 else 'NOT met'};"
          f" check <= produce: {best[3]:.2f} s vs {best[2]:.2f} s -> {'met' if best[3] <= best[2] else 'NOT met'}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
