"""Farrugia-Roberts (2023): a tanh parameter is reducible iff its rank is below its width;
the compressed parameter is irreducible, equivalent, and of the planted (optimal) width."""

from __future__ import annotations

import random

from flint import arb, arb_mat, fmpq

from exactnet.check import check_certificate
from exactnet.numbers import working_precision
from exactnet.reproduce import Claim, Outcome
from exactnet.tanh.certificates import equivalence_certificate
from exactnet.tanh.compression import compress, reducibility
from exactnet.tanh.equivalence import equivalent

from ._tanh_random import irreducible_units, network, planted_reducible, vector

CLAIM = Claim(
    name="tanh-rank-optimal-compression",
    source="Farrugia-Roberts 2023, 'Functional equivalence and path connectivity of reducible hyperbolic "
           "tangent networks' (docs/tanh.md § Irreducible parameters, § Compression and the canonical form)",
    statement="on random parameters with planted redundancy: reducible ⇔ rank < h; rank equals the planted "
              "irreducible width; the compressed parameter is irreducible and provably equivalent (move "
              "certificate checked independently); its r features 1, tanh(β_j·x + γ_j) are linearly "
              "independent (nonzero arb determinant at r+1 rational points); the canonical form does not "
              "depend on the planted moves",
)


def features_independent(p, rng, attempts: int = 20) -> bool:
    """``1, tanh(β_j·x + γ_j)`` (j < r) are linearly independent functions: the matrix of their
    values at r+1 rational points has a determinant whose ``arb`` ball excludes 0."""
    r, n = p.width, p.input_dim
    for _ in range(attempts):
        xs = [[fmpq(rng.randint(-40, 40), rng.randint(1, 9)) for _ in range(n)] for _ in range(r + 1)]
        with working_precision(256):
            rows = []
            for x in xs:
                row = [arb(1)]
                for b, c in zip(p.b, p.c):
                    z = c + sum((bi * xi for bi, xi in zip(b, x)), fmpq(0))
                    row.append(arb(z).tanh())
                rows.append(row)
            det = arb_mat(rows).det()
            if det > 0 or det < 0:
                return True
    return False


def run(quick: bool = False) -> Outcome:
    rng = random.Random(20230508)
    trials = 25 if quick else 300
    counts = {"reducible": 0, "irreducible": 0}
    for t in range(trials):
        n, m = rng.randint(1, 3), rng.randint(1, 2)
        r = rng.randint(0, 5)
        units = irreducible_units(rng, r, n, m)
        d = vector(rng, m)
        extra = rng.choice((0, 0, 1, 2, 3, 5))
        if r == 0 and extra == 0:
            extra = 1
        redundant = planted_reducible(rng, units, n, m, extra)
        net = network(redundant, d, n, m)
        comp = compress(net)
        rep = reducibility(net)
        h = len(redundant)
        if rep.reducible != (comp.rank < h):
            return Outcome(False, f"trial {t}: reducible={rep.reducible} but rank {comp.rank}, width {h}")
        counts["reducible" if rep.reducible else "irreducible"] += 1
        if comp.rank != r:
            return Outcome(False, f"trial {t}: rank {comp.rank} ≠ planted rank {r}")
        small = comp.compressed()
        if reducibility(small).reducible:
            return Outcome(False, f"trial {t}: the compressed parameter is reducible")
        if compress(network(units, d, n, m)).compressed() != small:
            return Outcome(False, f"trial {t}: the canonical form depends on the planted redundancy")
        if not features_independent(small, rng):
            return Outcome(False, f"trial {t}: could not show the compressed features independent")
        result = equivalent(net, small.realised().to_network())
        if not result.equivalent:
            return Outcome(False, f"trial {t}: the compressed network is not equivalent")
        if t % 5 == 0:
            check = check_certificate(equivalence_certificate(result))
            if not check.valid:
                return Outcome(False, f"trial {t}: certificate rejected: {check.reason}")
    return Outcome(True, f"{trials} random parameters ({counts['reducible']} reducible, {counts['irreducible']} "
                         "irreducible): reducible ⇔ rank < h, rank = planted width, compression optimal",
                   counts)
