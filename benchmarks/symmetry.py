"""Benchmark: exact orbits, stabilizers and canonical forms (exactnet.symmetry) vs brute force.

    python benchmarks/symmetry.py [--quick] [--repeat 1] [--seed 0]

Families of random rational networks (entries p/q, |p| ≤ 999, q ≤ 9; inputs 4, output 1):

* ``generic``   — independent entries (ties in biases happen and are resolved by the rows);
* ``zero-bias`` — every hidden bias 0 (the primary sort key ties everywhere);
* ``twins``     — every hidden unit present 10 times (identical incoming row, bias and outgoing
  column), units shuffled: the stabilizer has order (10!)^(d/10) per layer;
* ``broken``    — groups of 10 units share incoming row and bias but have distinct outgoing
  columns: the next layer must break the ties;
* ``circulant`` — one layer of equal units feeding a circulant 0/1 layer (stabilizer = Z_d): ties
  that only the search resolves.

Architectures: one hidden layer of width d up to 10^4; depth 8 with width up to 300; and depth 8
alternating width 10^4 with width 8 (four layers of width 10^4). Timed (CPU seconds of this
process, best of ``--repeat``): the orbit computation (``stabilizer``: twin collapse +
individualization–refinement search) and the canonicalisation (``canonical_form``: the same plus
building the representative). Network construction is not timed. The growth exponent is the
least-squares slope of log(time) against log(S) over the rows of a family with time ≥ 0.01 s.

Brute force: enumerate the whole group (``exactnet.symmetry.brute``) on small widths; the
stabilizer orders are compared and the times printed side by side with their ratio.
"""

from __future__ import annotations

import argparse
import math
import random
import time

from flint import fmpq

from exactnet.network import Layer, Network
from exactnet.symmetry import canonical_form, stabilizer
from exactnet.symmetry import brute


def _q(rng: random.Random) -> fmpq:
    return fmpq(rng.randint(-999, 999), rng.randint(1, 9))


def generic(rng, widths, zero_bias=False) -> Network:
    layers = []
    for k in range(len(widths) - 1):
        a, b = widths[k], widths[k + 1]
        hidden = k < len(widths) - 2
        layers.append(Layer(tuple(tuple(_q(rng) for _ in range(a)) for _ in range(b)),
                            tuple(fmpq(0) if (zero_bias and hidden) else _q(rng) for _ in range(b))))
    return Network("relu", tuple(layers))


def _shuffle_units(rng, net: Network) -> Network:
    from exactnet.proofs._symmetry_random import random_element
    from exactnet.symmetry import act, group_of

    return act(random_element(rng, group_of(net)), net)


def twins(rng, widths, copies=10) -> Network:
    """Every hidden unit of a random network of widths d/copies repeated ``copies`` times."""
    base_w = (widths[0],) + tuple(max(1, w // copies) for w in widths[1:-1]) + (widths[-1],)
    base = generic(rng, base_w)
    reps = [1] + [copies] * (len(widths) - 2) + [1]
    layers = []
    for k, layer in enumerate(base.layers):
        rows = [row for row in layer.weight for _ in range(reps[k + 1])]
        bias = [b for b in layer.bias for _ in range(reps[k + 1])]
        rows = [tuple(v for v in row for _ in range(reps[k])) for row in rows]
        layers.append(Layer(tuple(rows), tuple(bias)))
    return _shuffle_units(rng, Network("relu", tuple(layers)))


def broken(rng, widths, copies=10) -> Network:
    """Groups of ``copies`` units with one incoming row and bias, all outgoing weights independent."""
    layers = []
    for k in range(len(widths) - 1):
        a, b = widths[k], widths[k + 1]
        if k < len(widths) - 2:
            groups = [(tuple(_q(rng) for _ in range(a)), _q(rng)) for _ in range(max(1, b // copies))]
            chosen = [groups[i % len(groups)] for i in range(b)]
            layers.append(Layer(tuple(r for r, _ in chosen), tuple(c for _, c in chosen)))
        else:
            layers.append(Layer(tuple(tuple(_q(rng) for _ in range(a)) for _ in range(b)),
                                tuple(_q(rng) for _ in range(b))))
    return _shuffle_units(rng, Network("relu", tuple(layers)))


def circulant(rng, d) -> Network:
    first = Layer(tuple((fmpq(1),) for _ in range(d)), tuple(fmpq(0) for _ in range(d)))
    second = Layer(tuple(tuple(fmpq(1) if (j - i) % d in (0, 1, 3) else fmpq(0) for j in range(d)) for i in range(d)),
                   tuple(fmpq(0) for _ in range(d)))
    out = Layer((tuple(fmpq(1) for _ in range(d)),), (fmpq(0),))
    return _shuffle_units(rng, Network("relu", (first, second, out)))


def best(fn, repeat):
    t_best, out = math.inf, None
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        t_best = min(t_best, time.process_time() - t0)
    return t_best, out


def slope(rows) -> float | None:
    pts = [(math.log(s), math.log(t)) for s, t in rows if t >= 0.01]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)

    shallow = [10, 100, 1000] if args.quick else [10, 100, 1000, 3000, 10_000]
    deep = [10, 30] if args.quick else [10, 30, 100, 300]
    wide_deep = [] if args.quick else [(4, 10_000, 8, 10_000, 8, 10_000, 8, 10_000, 8, 1)]
    cases = []
    for d in shallow:
        cases.append(("generic", (4, d, 1)))
    for d in deep:
        cases.append(("generic", (4,) + (d,) * 8 + (1,)))
    cases += [("generic", w) for w in wide_deep]
    for d in shallow:
        cases.append(("zero-bias", (4, d, 1)))
    for d in deep:
        cases.append(("zero-bias", (4,) + (d,) * 8 + (1,)))
    for d in shallow:
        cases.append(("twins", (4, d, 1)))
    for d in deep:
        cases.append(("twins", (4,) + (d,) * 8 + (1,)))
    cases += [("twins", w) for w in wide_deep]
    for d in shallow:
        cases.append(("broken", (4, d, 1)))
    for d in deep:
        cases.append(("broken", (4,) + (d,) * 8 + (1,)))
    for d in ([10, 30, 100] if args.quick else [10, 30, 100, 200, 400]):
        cases.append(("circulant", (1, d, d, 1)))

    print("exact orbits and canonical forms (exactnet.symmetry); CPU seconds, best of", args.repeat)
    print(f"{'family':10} {'depth':>5} {'max width':>9} {'S':>9} {'nodes':>5} {'log10|Stab|':>11} "
          f"{'orbit s':>8} {'canon s':>8} {'µs/param':>8}")
    fits: dict = {}
    for family, widths in cases:
        if family == "generic":
            net = generic(rng, widths)
        elif family == "zero-bias":
            net = generic(rng, widths, zero_bias=True)
        elif family == "twins":
            net = twins(rng, widths)
        elif family == "broken":
            net = broken(rng, widths)
        else:
            net = circulant(rng, widths[1])
        t_orb, stab = best(lambda: stabilizer(net), args.repeat)
        t_can, _ = best(lambda: canonical_form(net), args.repeat)
        S = net.num_parameters
        kind = "shallow" if len(widths) == 3 else ("wide-deep" if max(widths) >= 10_000 else f"depth {len(widths) - 2}")
        key = (family, kind)
        fits.setdefault(key, []).append((S, t_orb))
        print(f"{family:10} {len(widths) - 2:5d} {max(widths):9d} {S:9d} {stab.search_nodes:5d} "
              f"{math.log10(stab.order):11.1f} {t_orb:8.3f} {t_can:8.3f} {1e6 * t_orb / S:8.2f}")
    print()
    print("fitted growth exponent of the orbit time in S (time ∝ S^k):")
    for (family, kind), rows in fits.items():
        k = slope(rows)
        if len(rows) > 1:
            print(f"  {family:10} {kind:9} k = {'n/a' if k is None else f'{k:.2f}'}  ({len(rows)} sizes)")

    print()
    print("brute force over the whole group vs exactnet (same stabilizer order required)")
    print(f"{'widths':16} {'|G|':>8} {'brute s':>8} {'exactnet s':>10} {'ratio':>8}")
    small = [(2, 4, 1), (2, 3, 3, 1), (2, 5, 1), (1, 4, 3, 1)] if args.quick else \
        [(2, 4, 1), (2, 3, 3, 1), (2, 5, 1), (1, 4, 3, 1), (2, 6, 1), (1, 4, 4, 1), (2, 7, 1)]
    for widths in small:
        pool_rng = random.Random(rng.random())
        from exactnet.proofs._symmetry_random import plant_duplicates, random_network

        net = plant_duplicates(pool_rng, random_network(pool_rng, "relu", widths, (-1, 0, 1, 2)))
        t_b, order_b = best(lambda: brute.stabilizer_order(net), 1)
        t_e, st = best(lambda: stabilizer(net), args.repeat)
        assert st.order == order_b, (widths, st.order, order_b)
        g = math.prod(math.factorial(d) for d in widths[1:-1])
        print(f"{str(widths):16} {g:8d} {t_b:8.3f} {t_e:10.5f} {t_b / max(t_e, 1e-6):8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
