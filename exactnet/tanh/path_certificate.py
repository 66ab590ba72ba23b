"""Checkable certificates for :func:`exactnet.tanh.paths.path` answers.

* a path: kind ``tanh.path``, claim ``{"path_exists": true, "segments": K}``, evidence
  ``{"type": "segments", "segments": [{"kinds": [...], "start": P, "end": P}, ...]}`` with
  ``P`` the ``exactnet.tanh-parameter/1`` form of each endpoint (a symbolic output bias where a
  constant-unit segment needs one);
* no path because the class is finite: kind ``tanh.path``, claim ``{"path_exists": false}``,
  evidence ``{"type": "finite_class", "normal_forms": [N_A, N_B]}`` where ``N`` lists every unit
  sign-normalised (``s·(a, b, c)`` with ``s`` the sign of the first nonzero coordinate of ``b``)
  as ``[a..., b..., c]``, then the output bias. The checker recomputes both: every number of
  both networks appears, so changing any number makes the check fail;
* no path because the inputs are not equivalent: the ``tanh.equivalence`` certificate of
  :mod:`exactnet.tanh.certificates` (``equivalent: false`` with a witness).

All are verified by ``exactnet check`` (:mod:`exactnet.check.tanh_path` and
:mod:`exactnet.check.tanh`), independently of the construction.
"""

from __future__ import annotations

from ..certificates import certificate
from ..errors import InputError
from ..numbers import number_json
from .paths import TanhPath

KIND = "tanh.path"


def path_certificate(result: TanhPath) -> dict:
    """The certificate of a path answer (see the module docstring)."""
    if not result.exists and not result.equivalent:
        from .certificates import equivalence_certificate

        return equivalence_certificate(result.equivalence)
    nets = result.networks
    if nets is None:
        if not (result.start.has_numeric_bias and result.end.has_numeric_bias):
            raise InputError("a certificate needs endpoints that are networks (an exact output bias)")
        nets = (result.start.to_network(), result.end.to_network())
    if not result.exists:
        return certificate(KIND, {"path_exists": False}, list(nets),
                           {"type": "finite_class", "normal_forms": [_normal_form(n) for n in nets]})
    segments = [{"kinds": list(s.kinds), "start": s.start.to_json(), "end": s.end.to_json()} for s in result.segments]
    return certificate(KIND, {"path_exists": True, "segments": len(segments)}, list(nets),
                       {"type": "segments", "segments": segments})


def _normal_form(net) -> dict:
    """Each unit as ``s·(a, b, c)`` (``s`` = sign of the first nonzero coordinate of ``b``) and ``d``."""
    first, second = net.layers
    units = []
    for i, (row, c) in enumerate(zip(first.weight, first.bias)):
        s = next((1 if v > 0 else -1 for v in row if v != 0), 1)
        a = [second.weight[k][i] for k in range(net.output_dim)]
        units.append([number_json(s * v) for v in (*a, *row, c)])
    return {"units": units, "output_bias": [number_json(v) for v in second.bias]}


__all__ = ["KIND", "path_certificate"]
