"""Clip/HardTanh as ReLUs and elementwise folding: the rewritten network computes the same function,
checked exactly at random rational points against a direct evaluation with the clips."""

from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.io.lowering import RELU, Clip, fold_after, fold_before, lower_to_relu, relu_pieces
from exactnet.network import Layer, Network, forward_exact

rat = st.builds(lambda p, q: fmpq(p, q), st.integers(-40, 40), st.integers(1, 8))
bound = st.one_of(st.none(), rat)
clips = st.builds(Clip, bound, bound)


def relu(z):
    return z if z > 0 else fmpq(0)


@settings(max_examples=300, deadline=None)
@given(clips, rat)
def test_pieces_reproduce_the_clip_everywhere(clip, z):
    kappa, pieces = relu_pieces(clip)
    value = kappa + sum((c * relu(alpha * z + beta) for c, alpha, beta in pieces), fmpq(0))
    lo, hi = clip.lower, clip.upper
    expected = z if lo is None else max(z, lo)
    expected = expected if hi is None else min(expected, hi)  # min(max(z, a), b): ONNX's rule when a > b
    assert value == expected == clip(z)
    assert len(pieces) <= 2


def test_hardtanh_and_relu6_formulas():
    assert relu_pieces(Clip(fmpq(-1), fmpq(1))) == (fmpq(-1), ((1, 1, 1), (-1, 1, -1)))  # relu(z+1) − relu(z−1) − 1
    assert relu_pieces(Clip(fmpq(0), fmpq(6))) == (0, ((1, 1, 0), (-1, 1, -6)))  # relu(z) − relu(z−6)
    assert relu_pieces(RELU) == (0, ((1, 1, 0),))


@st.composite
def clipped_networks(draw):
    widths = draw(st.lists(st.integers(1, 3), min_size=3, max_size=4))
    layers = []
    for n_in, n_out in zip(widths, widths[1:]):
        w = tuple(tuple(draw(rat) for _ in range(n_in)) for _ in range(n_out))
        b = tuple(draw(rat) for _ in range(n_out))
        layers.append(Layer(w, b))
    acts = []
    for layer in layers[:-1]:
        if draw(st.booleans()):
            acts.append(draw(clips.filter(lambda c: c.lower is None or c.upper is None or c.lower < c.upper)))
        else:
            acts.append([draw(clips.filter(lambda c: c.lower is None or c.upper is None or c.lower < c.upper))
                         for _ in range(layer.out_dim)])
    x = tuple(draw(rat) for _ in range(widths[0]))
    return layers, acts, x


def direct(layers, acts, x):
    v = list(x)
    for k, layer in enumerate(layers):
        v = [b + sum((w * xi for w, xi in zip(row, v)), fmpq(0)) for row, b in zip(layer.weight, layer.bias)]
        if k < len(acts):
            per = acts[k] if isinstance(acts[k], list) else [acts[k]] * len(v)
            v = [c(z) for c, z in zip(per, v)]
    return tuple(v)


@settings(max_examples=150, deadline=None)
@given(clipped_networks())
def test_lowered_network_is_exactly_the_clipped_network(case):
    layers, acts, x = case
    net = Network("relu", tuple(lower_to_relu(layers, acts)))
    assert forward_exact(net, x) == direct(layers, acts, x)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 3).flatmap(lambda n: st.tuples(
    st.lists(st.lists(rat, min_size=n, max_size=n), min_size=1, max_size=3),
    st.lists(rat, min_size=n, max_size=n), st.lists(rat, min_size=n, max_size=n), st.lists(rat, min_size=n, max_size=n))))
def test_folding_elementwise_maps(case):
    rows, s, t, x = case
    layer = Layer(tuple(map(tuple, rows)), tuple(fmpq(i) for i in range(len(rows))))

    def apply(lay, v):
        return [b + sum((w * vi for w, vi in zip(row, v)), fmpq(0)) for row, b in zip(lay.weight, lay.bias)]

    before = fold_before(layer, s, t)
    assert apply(before, x) == apply(layer, [si * xi + ti for si, xi, ti in zip(s, x, t)])
    out = len(rows)
    after = fold_after(layer, s[:1] * out, t[:1] * out)
    assert apply(after, x) == [s[0] * y + t[0] for y in apply(layer, x)]
