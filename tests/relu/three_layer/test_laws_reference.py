"""Conservation laws on random small networks: every reported law is conserved by the gradient of the
network at every data point (exact back-propagation, independent of the module's polynomials); the
count is proved when ``count_exact``; and the FLINT implementation agrees with the earlier SymPy one
(``laws_reference.py``) wherever that one's answer is determined."""

from __future__ import annotations

import re

import pytest
from flint import fmpq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactnet.errors import InputError
from exactnet.linalg import rank
from exactnet.network import Network
from exactnet.relu.three_layer.laws import default_data, laws

from . import laws_reference

WIDTHS = [(2, 3, 1), (3, 4, 1), (2, 2, 2, 1), (2, 3, 2, 1), (3, 2, 3, 1), (2, 2, 2, 2), (1, 2, 2, 2, 1)]


def _network(draw, widths) -> Network:
    entry = st.integers(-6, 6).map(lambda k: fmpq(k, 2))
    layers = []
    for a, b in zip(widths, widths[1:]):
        W = [[draw(entry) for _ in range(a)] for _ in range(b)]
        layers.append((W, [draw(entry) for _ in range(b)]))
    return Network.from_lists("relu", layers)


@st.composite
def networks(draw):
    return _network(draw, draw(st.sampled_from(WIDTHS)))


def parameter_gradients(net: Network, x) -> list[list[fmpq]]:
    """``∇_θ f(x)_s`` for every output ``s``, by exact back-propagation (parameters in the order of
    ``Network.parameter_vector``: layer by layer, weight rows, then bias)."""
    acts, pres = [list(map(fmpq, x))], []
    for li, L in enumerate(net.layers):
        z = [sum((w * a for w, a in zip(row, acts[-1])), fmpq(0)) + b for row, b in zip(L.weight, L.bias)]
        pres.append(z)
        acts.append([v if v > 0 else fmpq(0) for v in z] if li < len(net.layers) - 1 else z)
    out = []
    for s in range(net.output_dim):
        delta = [fmpq(int(r == s)) for r in range(net.output_dim)]
        grads = []
        for li in range(len(net.layers) - 1, -1, -1):
            L, a = net.layers[li], acts[li]
            grads.append([d * v for d in delta for v in a] + list(delta))
            if li:
                back = [sum((L.weight[r][c] * delta[r] for r in range(len(delta))), fmpq(0)) for c in range(len(a))]
                delta = [g if pres[li - 1][c] > 0 else fmpq(0) for c, g in enumerate(back)]
        out.append([v for layer in reversed(grads) for v in layer])
    return out


def law_gradient(law, names, theta) -> list[fmpq]:
    """The gradient at ``θ`` of the law as printed (parsed back with SymPy: the text is what users read)."""
    import sympy

    ident = {n: re.sub(r"\W", "_", n) for n in names}
    syms = {ident[n]: sympy.Symbol(ident[n]) for n in names}
    text = law.polynomial
    for n in sorted(names, key=len, reverse=True):
        text = text.replace(n, ident[n])
    Q = sympy.sympify(text, locals=syms)
    sub = {syms[ident[n]]: sympy.Rational(int(v.p), int(v.q)) for n, v in zip(names, theta)}
    out = []
    for n in names:
        d = sympy.diff(Q, syms[ident[n]]).xreplace(sub)
        out.append(fmpq(int(d.p), int(d.q)))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_laws_are_conserved_and_the_count_is_proved(net):
    try:
        L = laws(net)
    except InputError:
        return  # every data point on a bent hyperplane: refused, not answered
    theta = list(net.parameter_vector())
    D = len(theta)
    grads = [g for x in default_data(net) for g in parameter_gradients(net, x)]
    for law in L.laws:
        assert law.verified
        q = law_gradient(law, L.names, theta)
        for g in grads:
            assert sum((a * b for a, b in zip(q, g)), fmpq(0)) == 0, (law.name, law.polynomial)
    k = rank([law_gradient(law, L.names, theta) for law in L.laws], D)
    assert k == L.law_rank <= L.count == D - L.lie_rank
    # the span of the data's gradients lies in Lie(V)(θ): its rank bounds the Lie rank from below
    assert rank(grads, D) <= L.lie_rank
    assert L.count_exact == (L.law_rank == L.count)
    assert L.to_obj()["count_bounds"] == [L.law_rank, L.count]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([(2, 2, 2, 1), (2, 3, 2, 1), (3, 2, 2, 1)]).flatmap(
    lambda w: st.composite(lambda draw: _network(draw, w))()))
def test_agrees_with_the_sympy_reference(net):
    try:
        new = laws(net)
    except InputError:
        with pytest.raises(InputError):
            laws_reference.laws(net)
        return
    ref = laws_reference.laws(net)
    assert new.parameters == ref.parameters and new.field_rank == ref.field_rank
    assert [x.to_obj() for x in new.no_laws] == [x.to_obj() for x in ref.no_laws]
    neuron = [x.to_obj() for x in new.laws if x.kind == "neuron"]
    assert neuron == [x.to_obj() for x in ref.laws if x.kind == "neuron"]
    assert {x.polynomial for x in ref.laws if x.kind == "block"} <= {x.polynomial for x in new.laws if x.kind == "block"}
    if new.count_exact:  # the reference's rank is a lower bound on dim Lie: its count can only be larger
        assert new.count <= ref.count and new.lie_rank >= ref.lie_rank
    else:  # no law beyond the reference's: the same brackets, the same stopping rule
        assert (new.count, new.lie_rank, new.bracket_depth) == (ref.count, ref.lie_rank, ref.bracket_depth)


def test_frozen_parameters_complete_the_count_at_a_dead_neuron():
    """E2 (second-layer neuron 2 dead on every data point): its four parameters are conserved
    themselves, which with the three other per-neuron laws proves the count 7 (the per-neuron laws
    alone only bound it between 4 and 7)."""
    from .vectors import E2

    L = laws(E2)
    frozen = sorted(x.polynomial for x in L.laws if x.kind == "frozen")
    assert frozen == ["W2[2,1]", "W2[2,2]", "W3[1,2]", "b2[2]"]
    assert L.count == 7 and L.count_exact and L.law_rank == 7


def test_first_layer_block_law_when_its_neurons_are_always_active():
    """Both first-layer neurons active at every data point (positive inputs, positive weights and
    biases; n0 = 1 so the data are on a line): the layer-1 GL mixing of the pair conserves
    ``W1[1,:]·W1[2,:] + b1[1] b1[2] − W2[:,1]·W2[:,2]``, reported as a block law of hidden layer 1."""
    net = Network.from_lists("relu", [([[1], [2]], [3, 1]), ([[1, -1], [2, 1]], [0, -1]), ([[1, -3]], [0])])
    L = laws(net, [[1], [2], [3], ["1/2"], [5]])
    blocks = [x for x in L.laws if x.kind == "block" and x.name.startswith("block 1.")]
    assert [x.polynomial for x in blocks] == ["W1[1,1]*W1[2,1] - W2[1,1]*W2[1,2] - W2[2,1]*W2[2,2] + b1[1]*b1[2]"]
    assert blocks[0].verified


def test_deeper_brackets_agree_with_the_reference():
    """A parameter where the brackets of depth 1 do not reach ``D − k`` (an output weight is 0, so the
    fields degenerate at θ): the kept brackets become the next frontier as polynomials; the ranks,
    the depth and the (unproved, honestly bounded) count agree with the SymPy computation."""
    net = Network.from_lists("relu", [
        ([[1, 0], [2, "-5/2"], ["5/2", -1]], ["5/2", "3/2", "5/2"]),
        ([[3, "-5/2", -1], [-2, "-5/2", -2]], [-3, "-3/2"]),
        ([[0, -3]], [-3])])
    new, ref = laws(net, max_depth=3), laws_reference.laws(net, max_depth=3)
    assert new.bracket_depth >= 2 and not new.count_exact
    assert (new.count, new.lie_rank, new.field_rank, new.bracket_depth) == (ref.count, ref.lie_rank, ref.field_rank,
                                                                             ref.bracket_depth)
    assert new.to_obj()["count_bounds"] == [new.law_rank, new.count] and new.law_rank < new.count


@settings(max_examples=15, deadline=None)
@given(networks(), st.integers(0, 10**6))
def test_polynomial_brackets_match_their_values(net, seed):
    """``[X, Y]`` formed as polynomials (what the next depth brackets) takes, at ``θ`` and at the probes,
    the values computed from the Jacobians' values (what the screen and the exact rank use)."""
    import random

    from exactnet.relu.three_layer import laws as module

    ctx, layers = module._symbolic(net)
    theta = list(net.parameter_vector())
    rnd = random.Random(seed)
    probes = [theta] + [[v + fmpq(rnd.randint(-9, 9), 997) for v in theta] for _ in range(2)]
    fields = module._Fields(len(theta), theta, probes, seed)
    pattern = tuple(tuple(rnd.randint(0, 1) for _ in range(L.out_dim)) for L in net.layers[:-1])
    A, c = module._affine(ctx, layers, pattern, net.input_dim)
    gens = [fields.gradient(e) for e in [x for row in A for x in row] + list(c) if not e.is_zero()]
    zero = ctx.constant(0)
    pairs = [(X, Y) for X in gens[:3] for Y in gens[:3] if X is not Y]
    deeper = [fields.bracket(X, Y, zero) for X, Y in pairs]
    for X, Y in pairs + [(gens[0], Z) for Z in deeper[:2]] if gens else []:
        Z = fields.bracket(X, Y, zero)
        exact = [fmpq(0)] * len(theta)
        for i, e in Z:
            exact[i] = e(*theta)
        assert exact == fields.bracket_at_theta(X, Y)
        values = fields.bracket_residues(X, Y)
        fresh = module._Fields(len(theta), theta, probes, seed)  # Z's own residues, not adopted ones
        assert (fresh.residues(Z) == values).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(-5, 5), st.lists(st.integers(0, 3), min_size=4, max_size=4)), min_size=1,
                max_size=6), st.integers(0, 10**6))
def test_gradient_values_and_hessians_from_terms(terms, seed):
    """The values of ``∇e`` and of its Hessian read off the terms of ``e`` equal the evaluations of the
    derivative polynomials (exactly at ``θ``, modulo ``p`` at the probes), also for exponents above 1
    (the network's entries are multilinear, so only this test sees them)."""
    import random

    from flint import fmpq_mpoly_ctx

    from exactnet.relu.three_layer import laws as module

    ctx = fmpq_mpoly_ctx.get(("t", 4), "lex")
    g = ctx.gens()
    e = ctx.constant(0)
    for c, exps in terms:
        m = ctx.constant(c)
        for v, a in enumerate(exps):
            m = m * g[v] ** a
        e = e + m
    rnd = random.Random(seed)
    theta = [fmpq(rnd.randint(-9, 9), rnd.randint(1, 5)) for _ in range(4)]
    probes = [theta] + [[v + fmpq(rnd.randint(-9, 9), 997) for v in theta] for _ in range(2)]
    fields = module._Fields(4, theta, probes, seed)
    F = fields.gradient(e)
    plain = tuple((i, d) for i, d in F)  # the same polynomials, not registered as a gradient
    other = module._Fields(4, theta, probes, seed)
    assert (fields.residues(F) == other.residues(plain)).all()
    assert fields.at_theta(F) == other.at_theta(plain)
    (I, J, V), (I2, J2, V2) = fields.jacobian(F), other.jacobian(plain)
    dense = {(i, j): (V[:, t].tolist(), x) for t, (i, j, x) in enumerate(zip(I.tolist(), J.tolist(),
                                                                            fields._jac[id(F)][2]))}
    dense2 = {(i, j): (V2[:, t].tolist(), x) for t, (i, j, x) in enumerate(zip(I2.tolist(), J2.tolist(),
                                                                              other._jac[id(plain)][2]))}
    zero = ([0, 0, 0], fmpq(0))
    for key in set(dense) | set(dense2):
        assert dense.get(key, zero) == dense2.get(key, zero), key
