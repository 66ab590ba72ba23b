"""Wide deep ReLU networks: tiers (b) and (c) of equivalence with their certificates, before/after.

Instances: ``A`` = ``gaussian_network((3, w, w, 1))`` (float32 Gaussian weights, exact dyadic
rationals; ``exactnet.relu.sampling``), ``w`` in ``--widths`` (default 512 and 2048, i.e. 262k and
4.2M weights). Partners:

* ``planted``: both hidden layers permuted and every unit rescaled by a power of two
  (2^-3 … 2^3) — equivalent, decided by tier (b) (equal symmetry normal forms);
* ``near-miss``: the planted partner with one second-layer weight changed by 1/1000 — not
  equivalent, refuted by tier (c) (a probe point).

For each pair, CPU seconds (``time.process_time``: the machine is shared, so wall-clock times
vary with the load; CPU time is what the code costs) of:

* ``decide``: ``equivalent(A, B, certificate=True)`` — the verdict *and* the certificate object;
* ``json``: ``json.dumps`` of the sealed certificate (with its digest);
* ``check``: ``json.loads`` and the independent checker (``exactnet.check.check_certificate``).

The networks travel in the certificate compactly (integers over one denominator per layer) when
they are large; the row ``planted (ref)`` measures the same proof with the networks referred to by
their SHA-256 digest (``exactnet.certificates.networks.by_reference``, what ``exactnet equiv
--certificate-networks digest`` writes): ``json`` then includes computing both digests, and
``check`` is given the networks (``check_certificate(cert, [a, b])``), whose digests it recomputes.

``--code PATH`` runs the same measurement against another checkout (e.g. ``/work/main`` for the
"before" column); ``--table`` prints the before/after table measured for issue 16 (``MEASURED``).

    python benchmarks/relu_wide.py                         # this checkout, widths 512 and 2048
    python benchmarks/relu_wide.py --widths 512 --code /work/main
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

#: Measured on the shared 2-core machine under load (CPU seconds: decide / json / check / total),
#: seed 0. "before": main at f5832b7; "after": branch t16-wide. 2048 "before" was not run (the
#: quadratic merge search alone would take ~16² times its 512 time). MEASURED_COMPACT below is the
#: next step (branch t16-wide2).
MEASURED = """
      network      pair | before: decide  json  check  total | after: decide  json  check  total | speed-up
  3-512-512-1   planted |          16.11  0.16   1.43  17.70 |         1.03  0.15   1.06   2.25 |     7.9x
  3-512-512-1 near-miss |          21.72  0.12   1.07  22.91 |         1.21  0.15   0.82   2.17 |    10.6x
3-2048-2048-1   planted |              -     -      -      - |        18.98  2.08  14.41  35.47 |
3-2048-2048-1 near-miss |              -     -      -      - |        17.88  2.15  14.25  34.29 |
"""

#: Branch t16-wide2 (compact networks in certificates, by reference on request, a leaner normal form
#: and checker): CPU seconds, seed 0, load average 5-7 on the 2-core machine (an earlier run at
#: load 9: 26.6 / 27.3 / 26.8 s for the 2048 rows). "before" is the
#: "after" of MEASURED. (ref): the networks referred to by digest.
MEASURED_COMPACT = """
      network          pair | decide  json  check  total | cert MB | before: total  cert MB
  3-512-512-1       planted |   0.69  0.13   0.73   1.54 |     8.3 |          2.25     10.9
  3-512-512-1 planted (ref) |   0.69  0.31   0.55   1.55 |     0.1 |
  3-512-512-1     near-miss |   0.81  0.13   0.55   1.49 |     8.8 |          2.17     10.8
3-2048-2048-1       planted |   9.56  1.91  11.16  22.63 |   137.5 |         35.47    171.6
3-2048-2048-1 planted (ref) |   9.56  5.87  11.74  27.17 |     0.4 |
3-2048-2048-1     near-miss |  14.70  2.44  10.67  27.81 |   145.8 |         34.29    ~172
"""


def planted(net, rnd):
    from flint import fmpq

    from exactnet.network import Layer, Network

    Ws = [[list(r) for r in L.weight] for L in net.layers]
    bs = [list(L.bias) for L in net.layers]
    for h in range(len(Ws) - 1):
        n = len(Ws[h])
        order = list(range(n))
        rnd.shuffle(order)
        sc = [fmpq(2) ** rnd.randint(-3, 3) for _ in range(n)]
        Ws[h] = [[sc[k] * v for v in Ws[h][order[k]]] for k in range(n)]
        bs[h] = [sc[k] * bs[h][order[k]] for k in range(n)]
        Ws[h + 1] = [[row[order[k]] / sc[k] for k in range(n)] for row in Ws[h + 1]]
    return Network("relu", tuple(Layer(tuple(map(tuple, W)), tuple(b)) for W, b in zip(Ws, bs)))


def near_miss(net, rnd):
    from flint import fmpq

    from exactnet.network import Layer, Network

    Ws = [[list(r) for r in L.weight] for L in net.layers]
    Ws[1][rnd.randrange(len(Ws[1]))][rnd.randrange(len(Ws[1][0]))] += fmpq(1, 1000)
    return Network("relu", tuple(Layer(tuple(map(tuple, W)), L.bias) for W, L in zip(Ws, net.layers)))


def measure(width: int, seed: int) -> list[tuple]:
    import numpy as np

    from exactnet.certificates import sealed
    from exactnet.check import check_certificate
    from exactnet.relu.equivalence import equivalent
    from exactnet.relu.sampling import gaussian_network

    rnd = random.Random(seed)
    a = gaussian_network((3, width, width, 1), np.random.default_rng(seed))
    b = planted(a, rnd)
    c = near_miss(b, rnd)
    out = []
    try:
        from exactnet.certificates.networks import by_reference
    except ImportError:  # an older checkout (--code): networks inline only
        by_reference = None
    for name, other in (("planted", b), ("near-miss", c)):
        t0 = time.process_time()
        res = equivalent(a, other, certificate=True)
        t1 = time.process_time()
        text = json.dumps(sealed(res.certificate))
        t2 = time.process_time()
        valid = check_certificate(json.loads(text)).valid
        t3 = time.process_time()
        out.append((name, res.equivalent, res.tier, valid, t1 - t0, t2 - t1, t3 - t2, len(text)))
        if name == "planted" and by_reference is not None:
            text = None
            t2 = time.process_time()
            text = json.dumps(sealed(by_reference(res.certificate, [a, other])))
            t3 = time.process_time()
            valid = check_certificate(json.loads(text), [a, other]).valid
            t4 = time.process_time()
            out.append(("planted (ref)", res.equivalent, res.tier, valid, t1 - t0, t3 - t2, t4 - t3, len(text)))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--widths", default="512,2048")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--code", default=None, help="measure the exactnet of another checkout")
    ap.add_argument("--table", action="store_true", help="print the stored before/after table")
    args = ap.parse_args(argv)
    if args.table:
        print(MEASURED)
        print(MEASURED_COMPACT)
        return 0
    if args.code:
        sys.path.insert(0, args.code)
    import exactnet

    print(f"exactnet from {exactnet.__file__}")
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    print(f"{'network':>14} {'pair':>13} | {'verdict':>7} {'tier':>4} {'cert ok':>7} | {'decide':>7} {'json':>6}"
          f" {'check':>7} {'total':>7} | {'cert MB':>7}  (CPU seconds)")
    for w in (int(x) for x in args.widths.split(",")):
        for name, verdict, tier, valid, td, tj, tc, size in measure(w, args.seed):
            print(f"{f'3-{w}-{w}-1':>14} {name:>13} | {str(verdict):>7} {tier:>4} {str(valid):>7} | {td:7.2f} {tj:6.2f}"
                  f" {tc:7.2f} {td + tj + tc:7.2f} | {size / 1e6:7.1f}")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
