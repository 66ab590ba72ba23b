"""Benchmark: exact tanh functional equivalence (exactnet) vs the float64 NumPy baseline.

    python benchmarks/tanh_equivalence.py [--widths 10,100,1000,10000,100000] [--repeat 3]
                                          [--inputs 2] [--outputs 1] [--seed 0]

For each weight kind (``rational``: random ``p/q`` with unrelated denominators up to 1000;
``float32``: float32 normals imported exactly as dyadic rationals) and each width ``h``:

* **main pair**: ``A`` and ``B`` built from one random irreducible core (70% of ``h``) with
  independently planted redundancy (splits, negated splits, dead units, cancelling pairs,
  shared constant units with ``c ≠ 0`` so the output bias is transcendental), ``B`` permuted.
  Truth: equivalent. Timed (CPU time of the process, best of ``--repeat``): ``exactnet.tanh.equivalence.equivalent`` on the
  two ``Network`` objects vs ``equivalent_float`` on float64 arrays (same algorithm,
  ``benchmarks/tanh_float_baseline.py``); ratio = exact / float.
* **near-miss pairs** (truth in brackets): ``tiny-constant`` [no] adds a constant unit
  ``(1, 0, 2^-40)``; ``ulp-key`` [no] moves one unit's ``c`` by one float32 ulp;
  ``tiny-weight`` [no] changes one outgoing weight by ``2^-30``; ``big-split`` [yes] splits
  one outgoing weight ``α`` into ``α + 2^40`` and ``−2^40``. Verdicts of exactnet and of both
  float variants (bitwise keys / keys rounded to 7 decimals) are compared with the truth.

Prints one row per (kind, width), the growth factor from 10^4 to 10^5, and the totals of
wrong verdicts. Network construction is not timed (it is the same for any exact tool).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

import numpy as np
from flint import fmpq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tanh_float_baseline import FloatParameter, equivalent_float  # noqa: E402

from exactnet.network import Layer, Network  # noqa: E402
from exactnet.numbers import from_float  # noqa: E402
from exactnet.tanh.equivalence import equivalent  # noqa: E402

ZERO = fmpq(0)


class Sampler:
    """Random exact weights of one kind."""

    def __init__(self, kind: str, seed: int):
        self.kind = kind
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)

    def numbers(self, count: int) -> list:
        if self.kind == "float32":
            return [from_float(v) for v in self.np.standard_normal(count).astype(np.float32).tolist()]
        r = self.rng
        return [fmpq(r.randint(-1000, 1000), r.randint(1, 1000)) for _ in range(count)]

    def vector(self, length: int) -> tuple:
        while True:
            v = tuple(self.numbers(length))
            if any(x != 0 for x in v):
                return v


def neg(v):
    return tuple(-x for x in v)


def planted_units(s: Sampler, core: list, constants: list, extra: int, n: int, m: int) -> tuple[list, set]:
    """Core units plus ``extra`` redundant ones; returns units and the core indices left unsplit."""
    units = [list(u) for u in core]
    unsplit = set(range(len(core)))
    added = []
    rng = s.rng
    for a, c in constants:  # shared constant units, re-represented at random
        if rng.random() < 0.5:
            added.append((a, tuple(ZERO for _ in range(n)), c))
        else:
            added.append((neg(a), tuple(ZERO for _ in range(n)), -c))
    while len(added) < extra:
        kind = rng.random()
        if kind < 0.4 and core:
            i = rng.randrange(len(core))
            t = s.vector(m)
            units[i][0] = tuple(x - y for x, y in zip(units[i][0], t))
            unsplit.discard(i)
            b, c = units[i][1], units[i][2]
            added.append((t, b, c) if rng.random() < 0.5 else (neg(t), neg(b), -c))
        elif kind < 0.6:
            added.append((tuple(ZERO for _ in range(m)), s.vector(n), s.numbers(1)[0]))
        elif len(added) + 2 <= extra:
            t, b, c = s.vector(m), s.vector(n), s.numbers(1)[0]
            added.append((t, b, c))
            added.append((neg(t), b, c) if rng.random() < 0.5 else (t, neg(b), -c))
        else:
            added.append((tuple(ZERO for _ in range(m)), s.vector(n), s.numbers(1)[0]))
    return [tuple(u) for u in units] + added, unsplit


def network(units: list, d: tuple, n: int, m: int) -> Network:
    w1 = tuple(u[1] for u in units)
    b1 = tuple(u[2] for u in units)
    w2 = tuple(tuple(u[0][k] for u in units) for k in range(m))
    return Network("tanh", (Layer(w1, b1), Layer(w2, d)))


def to_float(net: Network) -> FloatParameter:
    def f(x):
        try:
            return int(x.p) / int(x.q)
        except OverflowError:
            return float("inf") if x > 0 else float("-inf")

    l1, l2 = net.layers
    return FloatParameter(
        a=np.array([[f(v) for v in col] for col in zip(*l2.weight)], dtype=np.float64),
        b=np.array([[f(v) for v in row] for row in l1.weight], dtype=np.float64),
        c=np.array([f(v) for v in l1.bias], dtype=np.float64),
        d=np.array([f(v) for v in l2.bias], dtype=np.float64),
    )


def build_pair(kind: str, h: int, n: int, m: int, seed: int):
    s = Sampler(kind, seed)
    r = max(2, int(0.7 * h))
    keys = set()
    core = []
    while len(core) < r:
        b, c = s.vector(n), s.numbers(1)[0]
        sg = next(1 if x > 0 else -1 for x in b if x != 0)
        key = tuple(sg * x for x in b) + (sg * c,)
        if key in keys:
            continue
        keys.add(key)
        core.append((s.vector(m), b, c))
    n_const = max(1, h // 20)
    constants = [(s.vector(m), s.numbers(1)[0] or fmpq(1, 3)) for _ in range(n_const)]
    d = tuple(s.numbers(m))
    units_a, unsplit = planted_units(s, core, constants, h - r, n, m)
    units_b, unsplit_b = planted_units(s, core, constants, h - r, n, m)
    perm = list(range(len(units_b)))
    s.rng.shuffle(perm)
    units_b = [units_b[i] for i in perm]
    flips = [s.rng.random() < 0.5 for _ in units_b]
    units_b = [(neg(a), neg(b), -c) if f else (a, b, c) for (a, b, c), f in zip(units_b, flips)]
    return units_a, units_b, d, sorted(unsplit), s


def near_misses(units_a: list, d: tuple, unsplit: list, n: int, m: int, s: Sampler):
    """``(name, truth, B)`` near-miss variants of ``A``."""
    out = []
    zero_b = tuple(ZERO for _ in range(n))
    e1 = tuple(fmpq(1) if k == 0 else ZERO for k in range(m))
    out.append(("tiny-constant", False, units_a + [(e1, zero_b, fmpq(1, 2**40))]))
    i = unsplit[0] if unsplit else 0
    a, b, c = units_a[i]
    ulp = from_float(float(np.spacing(np.float32(float(int(c.p) / int(c.q))))))
    moved = list(units_a)
    moved[i] = (a, b, c + ulp)
    out.append(("ulp-key", False, moved))
    changed = list(units_a)
    changed[i] = ((a[0] + fmpq(1, 2**30),) + a[1:], b, c)
    out.append(("tiny-weight", False, changed))
    big = fmpq(2**40)
    split = list(units_a)
    split[i] = ((a[0] + big,) + a[1:], b, c)
    split.append(((-big,) + tuple(ZERO for _ in range(m - 1)), b, c))
    out.append(("big-split", True, split))
    return [(name, truth, network(units, d, n, m)) for name, truth, units in out]


def best_time(fn, repeat: int) -> tuple[float, object]:
    """Best CPU time of this process over ``repeat`` runs (robust on a shared machine)."""
    best, value = float("inf"), None
    for _ in range(repeat):
        t = time.process_time()
        value = fn()
        best = min(best, time.process_time() - t)
    return best, value


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--widths", default="10,100,1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--inputs", type=int, default=2)
    ap.add_argument("--outputs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kinds", default="rational,float32")
    args = ap.parse_args(argv)
    widths = [int(w) for w in args.widths.split(",")]
    n, m = args.inputs, args.outputs
    print(f"tanh equivalence, n={n} inputs, m={m} outputs; CPU seconds, best of {args.repeat}")
    header = f"{'kind':8} {'width':>7} {'exact':>9} {'float':>9} {'ratio':>6}  {'exact ok':>8}  {'float wrong (bitwise/rounded keys)':>34}"
    print(header)
    wrong_exact = 0
    wrong_float = [0, 0]
    times: dict = {}
    for kind in args.kinds.split(","):
        for h in widths:
            units_a, units_b, d, unsplit, s = build_pair(kind, h, n, m, args.seed + h)
            net_a, net_b = network(units_a, d, n, m), network(units_b, d, n, m)
            fa, fb = to_float(net_a), to_float(net_b)
            t_exact, res = best_time(lambda: equivalent(net_a, net_b), args.repeat)
            t_float, fv = best_time(lambda: equivalent_float(fa, fb), args.repeat)
            times[(kind, h)] = t_exact
            ok = res.equivalent is True
            wrong_exact += not ok
            fw = [int(fv is not True), int(equivalent_float(fa, fb, key_decimals=7) is not True)]
            names = []
            for name, truth, net_c in near_misses(units_a, d, unsplit, n, m, s):
                r = equivalent(net_a, net_c)
                if r.equivalent != truth or (not truth and r.witness is None):
                    wrong_exact += 1
                    names.append(f"EXACT WRONG {name}")
                fc = to_float(net_c)
                for k, dec in enumerate((None, 7)):
                    if equivalent_float(fa, fc, key_decimals=dec) != truth:
                        fw[k] += 1
                        names.append(f"{name}{'' if dec is None else '(r)'}")
            wrong_float[0] += fw[0]
            wrong_float[1] += fw[1]
            ratio = t_exact / t_float if t_float > 0 else float("inf")
            print(f"{kind:8} {h:>7} {t_exact:>9.4f} {t_float:>9.4f} {ratio:>6.1f}  {'yes' if ok else 'NO':>8}"
                  f"  {fw[0]:>3} / {fw[1]:<3} {', '.join(names)}")
            sys.stdout.flush()
        if (kind, 10000) in times and (kind, 100000) in times:
            print(f"{kind}: time(10^5) / time(10^4) = {times[(kind, 100000)] / times[(kind, 10000)]:.1f}")
    print(f"wrong exact verdicts: {wrong_exact}; wrong float verdicts: {wrong_float[0]} (bitwise keys),"
          f" {wrong_float[1]} (keys rounded to 7 decimals)")
    return 1 if wrong_exact else 0


if __name__ == "__main__":
    raise SystemExit(main())
