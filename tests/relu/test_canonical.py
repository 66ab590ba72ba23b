"""The one-hidden-layer canonical form (docs/relu.md § One hidden layer): invariant under every
function-preserving move, different for different functions, and it reproduces the function."""

from __future__ import annotations

import random

from flint import fmpq
from hypothesis import given, settings

from exactnet.network import forward_exact
from exactnet.relu.canonical import canonical_form, row_eval

from .nets import net_from, random_moves, random_net, seeds


def _value(form, x):
    """The canonical form evaluated at ``x``: Σ α σ(u·x + β) + L x + C."""
    out = list(form.constant)
    for k, row in enumerate(form.linear):
        out[k] += sum((a * v for a, v in zip(row, x)), fmpq(0))
    for (u, beta), alpha in form.terms:
        t = row_eval(u, beta, x)
        if t > 0:
            for k in range(len(out)):
                out[k] += alpha[k] * t
    return tuple(out)


@settings(max_examples=40, deadline=None)
@given(seeds())
def test_the_form_is_invariant_under_moves_and_computes_the_function(seed):
    rnd = random.Random(seed)
    a = random_net(rnd, (2, 3, 1))
    b = random_moves(a, rnd, count=5)
    assert canonical_form(a) == canonical_form(b)
    for _ in range(5):
        x = [fmpq(rnd.randint(-20, 20), rnd.randint(1, 5)) for _ in range(2)]
        assert _value(canonical_form(a), x) == tuple(forward_exact(a, x))


def test_abs_and_two_relus_share_a_key_and_differ_from_a_single_relu():
    abs_x = net_from([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])      # σ(x) + σ(−x) = |x|
    two = net_from([([[1]], [0]), ([[2]], [0])])                      # 2σ(x)
    fa, ft = canonical_form(abs_x), canonical_form(two)
    assert [key for key, _ in fa.terms] == [key for key, _ in ft.terms]   # one kink at x = 0
    assert fa != ft and fa.linear != ft.linear                            # |x| = 2σ(x) − x
