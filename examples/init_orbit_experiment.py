"""exactnet's own experiment (not from Shen, ICML 2024): random initialization and the teacher's orbit.

A teacher–student problem with a one-hidden-layer tanh network. The teacher ``θ*`` has rational
weights; its orbit under unit permutations and sign flips has ``|G·θ*| = |G| / |Stab θ*|`` points
(computed exactly by ``exactnet.symmetry``). Students start from the G-invariant law "uniform on
``[−B, B]^S``" and are trained to convergence (NumPy floats: this is an
experiment; the identity behind it, ``Φ(g·θ) = g·Φ(θ)``, is checked exactly for gradient descent by
``exactnet reproduce symmetry-gd-equivariance``; the Levenberg–Marquardt steps used here, with
isotropic damping, commute with the group for the same reason). Each student that ends within ``tol`` (sup norm)
of a point ``g·θ*`` of the orbit is counted for that point.

The identity of docs/symmetry.md §6 says ``P(converge into G·θ*) = |G·θ*| · P(basin of θ*)``, and more
precisely that every orbit point attracts the same probability. The script prints the counts per
orbit point, the two sides of the identity, and a chi-square statistic for "all orbit points are
equally likely". Runs in well under a minute.

    python examples/init_orbit_experiment.py [--width 2|3] [--students 4000] [--steps 300] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from exactnet.network import Network
from exactnet.symmetry import act, group_of, stabilizer
from exactnet.symmetry.brute import elements

TEACHERS = {
    2: Network.from_lists("tanh", [([[2], ["-3/2"]], ["1/2", 1]), ([[1, "3/2"]], [0])]),
    3: Network.from_lists("tanh", [([[2], ["-3/2"], [1]], ["1/2", 1, "-1"]), ([[1, "3/2", "-2"]], [0])]),
}
BOUND = 3.0


def flat(net: Network) -> np.ndarray:
    return np.array([float(v) for v in net.parameter_vector()])


def forward(params: np.ndarray, x: np.ndarray, h: int) -> np.ndarray:
    """Batched (students × points) outputs; params rows: w (h), b (h), a (h), d (1) in exactnet order."""
    w, b, a, d = params[:, :h], params[:, h:2 * h], params[:, 2 * h:3 * h], params[:, 3 * h]
    z = np.tanh(w[:, None, :] * x[None, :, None] + b[:, None, :])
    return (z * a[:, None, :]).sum(-1) + d[:, None]


def _residual_jacobian(p: np.ndarray, x: np.ndarray, y: np.ndarray, h: int):
    w, b, a, d = p[:, :h], p[:, h:2 * h], p[:, 2 * h:3 * h], p[:, 3 * h]
    z = np.tanh(w[:, None, :] * x[None, :, None] + b[:, None, :])          # (students, n, h)
    r = (z * a[:, None, :]).sum(-1) + d[:, None] - y[None, :]              # (students, n)
    dz = a[:, None, :] * (1 - z**2)
    jac = np.concatenate([dz * x[None, :, None], dz, z, np.ones_like(r)[:, :, None]], axis=2)
    return r, jac


def train(params: np.ndarray, x: np.ndarray, y: np.ndarray, h: int, steps: int) -> np.ndarray:
    """Levenberg–Marquardt with isotropic damping ``(JᵀJ + λI)δ = Jᵀr``, per student. The damping is a
    multiple of the identity, so the step commutes with every signed permutation of the parameters,
    like gradient descent (docs/symmetry.md §6)."""
    p = params.copy()
    lam = np.full(len(p), 1e-2)
    eye = np.eye(p.shape[1])
    r, jac = _residual_jacobian(p, x, y, h)
    loss = (r**2).sum(1)
    for _ in range(steps):
        jtj = np.einsum("snk,snl->skl", jac, jac)
        g = np.einsum("snk,sn->sk", jac, r)
        delta = np.linalg.solve(jtj + lam[:, None, None] * eye, g[:, :, None])[:, :, 0]
        cand = p - delta
        r2, jac2 = _residual_jacobian(cand, x, y, h)
        loss2 = (r2**2).sum(1)
        better = loss2 < loss
        p[better], r[better], jac[better], loss[better] = cand[better], r2[better], jac2[better], loss2[better]
        lam = np.where(better, lam / 3, np.minimum(lam * 3, 1e8))
    return p


def to_exactnet_order(p: np.ndarray, h: int) -> np.ndarray:
    """(w, b, a, d) → exactnet's parameter vector order (W_0 rows, b_0, W_1 row, b_1) for one input."""
    return np.concatenate([p[:, :h], p[:, h:2 * h], p[:, 2 * h:3 * h], p[:, 3 * h:]], axis=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=4000)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--tol", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--width", type=int, choices=sorted(TEACHERS), default=2, help="hidden width of the teacher")
    args = ap.parse_args()
    start = time.perf_counter()
    TEACHER = TEACHERS[args.width]

    h = TEACHER.hidden_widths[0]
    group = group_of(TEACHER)
    stab = stabilizer(TEACHER)
    orbit = []
    for g in elements(group):
        v = flat(act(g, TEACHER))
        if not any(np.array_equal(v, o) for o in orbit):
            orbit.append(v)
    assert len(orbit) == stab.orbit_size  # exact count from exactnet.symmetry
    identity_index = next(i for i, o in enumerate(orbit) if np.array_equal(o, flat(TEACHER)))

    x = np.linspace(-2.0, 2.0, 20)
    y = forward(flat(TEACHER)[None, :], x, h)[0]
    rng = np.random.default_rng(args.seed)
    init = rng.uniform(-BOUND, BOUND, size=(args.students, 3 * h + 1))
    final = to_exactnet_order(train(init, x, y, h, args.steps), h)

    dist = np.stack([np.abs(final - o[None, :]).max(1) for o in orbit], axis=1)   # (students, |orbit|)
    nearest = dist.argmin(1)
    converged = dist.min(1) <= args.tol
    counts = np.bincount(nearest[converged], minlength=len(orbit))

    n = args.students
    p_orbit = converged.mean()
    p_basin = counts[identity_index] / n
    p_basin_sym = counts.mean() / n   # the same quantity averaged over the orbit (the identity's prediction)
    expected = counts.sum() / len(orbit)
    chi2 = float(((counts - expected) ** 2 / expected).sum()) if expected > 0 else float("nan")

    print("exactnet's own experiment (not a result of Shen, ICML 2024)")
    print(f"teacher: tanh, widths {list(TEACHER.widths)}; |G| = {group.order} ({group.describe()}), "
          f"|Stab θ*| = {stab.order}, |G·θ*| = {stab.orbit_size} (exact)")
    print(f"students: {n}, init uniform on [-{BOUND}, {BOUND}]^{TEACHER.num_parameters}, "
          f"{args.steps} Levenberg–Marquardt steps; converged = within {args.tol} (sup norm) of an orbit point")
    print("counts per orbit point:", counts.tolist(), f"(teacher itself: index {identity_index})")
    print(f"P(converge into G·θ*)          = {p_orbit:.4f}")
    print(f"|G·θ*| · P(basin of θ*)        = {stab.orbit_size} × {p_basin:.4f} = {stab.orbit_size * p_basin:.4f}")
    print(f"|G·θ*| · mean over the orbit   = {stab.orbit_size * p_basin_sym:.4f} (equal to the first line by definition)")
    df = len(orbit) - 1
    print(f"chi-square for equal counts: {chi2:.2f} on {df} degrees of freedom "
          f"(mean {df}, sd {math.sqrt(2 * df):.2f}; large values would contradict the identity)")
    print(f"not converged to the orbit: {n - int(converged.sum())} students; time {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
