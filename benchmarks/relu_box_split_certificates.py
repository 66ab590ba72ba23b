"""What a certificate costs on the ACAS-size pairs: box splitting with and without ``box_split`` evidence.

On the ACAS Xu φ3 box (``benchmarks/relu_practitioner_scale.py``: a 5-50×6-5 network, its retrained copy
and its 5-100-100-5 student), for ε = 0.05 and top-1: CPU seconds of the answer without a certificate,
with one (``box_split`` evidence), the certificate's size, the independent checker's CPU seconds, and,
for reference, the certified region search without box splitting (``box_splitting=False``) up to a cap.
CPU time (``time.process_time``) and the load average are printed with every row: the 2-core machine is
shared.

    python benchmarks/relu_box_split_certificates.py [--cap 300] [--no-regions] [--max | --whole-box]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flint import fmpq  # noqa: E402

from benchmarks.relu_practitioner_scale import ACAS_PHI3, acas_teacher, retrained, student, to_network  # noqa: E402
from exactnet.check import check_certificate  # noqa: E402
from exactnet.deadline import Deadline  # noqa: E402
from exactnet.network.domain import Box  # noqa: E402
from exactnet.relu.certificates import epsilon_certificate, max_difference_certificate, top1_certificate  # noqa: E402
from exactnet.relu.max_difference import max_difference, within_epsilon  # noqa: E402
from exactnet.relu.top1 import top1_equivalent  # noqa: E402


def _run(question, a, b, eps, certificate, cap, box_splitting=True, domain=ACAS_PHI3):
    t = time.process_time()
    deadline = Deadline.after(cap)
    if question == "top1":
        r = top1_equivalent(a, b, domain, certificate=certificate, deadline=deadline, box_splitting=box_splitting)
        verdict = r.equivalent
    elif question == "max":
        r = max_difference(a, b, domain, certificate=certificate, deadline=deadline, box_splitting=box_splitting)
        verdict = True if r.complete else None
    else:
        r = within_epsilon(a, b, domain, eps, certificate=certificate, deadline=deadline,
                           box_splitting=box_splitting)
        verdict = r.within
    return r, verdict, time.process_time() - t


def _certificate(question, a, b, eps, r, domain=ACAS_PHI3):
    if question == "max":
        return max_difference_certificate(a, b, domain, r.value, r.per_output, r.per_output_argmax,
                                          r.certificate_nodes, boxes=r.certificate_boxes)
    if question == "top1":
        if r.equivalent:
            return top1_certificate(a, b, domain, True, nodes=r.certificate_nodes, boxes=r.certificate_boxes)
        return top1_certificate(a, b, domain, False, witness=r.witness)
    if r.within:
        return epsilon_certificate(a, b, domain, eps, True, nodes=r.certificate_nodes, boxes=r.certificate_boxes)
    return epsilon_certificate(a, b, domain, eps, False, witness=r.argmax)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cap", type=float, default=300.0, help="wall seconds per run")
    ap.add_argument("--no-regions", action="store_true", help="skip the certified region search without splitting")
    ap.add_argument("--max", action="store_true", help="instead: the exact maximum difference of the retrained copy")
    ap.add_argument("--whole-box", action="store_true",
                    help="instead: the retrained copy within 0.05 on the whole box [-0.5, 0.5]^5")
    args = ap.parse_args(argv)
    T, X = acas_teacher()
    a = to_network(T)
    pairs = [("retrained", to_network(retrained(T)), "eps", fmpq(1, 20)),
             ("retrained", to_network(retrained(T)), "top1", None),
             ("student 5-100-100-5", to_network(student(T, X, (100, 100))), "top1", None)]
    if args.max:
        pairs = [("retrained", to_network(retrained(T)), "max", None)]
    domain = ACAS_PHI3
    if args.whole_box:
        domain = Box.from_bounds([fmpq(-1, 2)] * 5, [fmpq(1, 2)] * 5)
        pairs = [("retrained (whole)", to_network(retrained(T)), "eps", fmpq(1, 20))]
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    print(f"{'pair':20} {'question':9} {'verdict':8} {'plain s':>8} {'cert s':>8} {'ratio':>6} {'bytes':>10}"
          f" {'check s':>8} {'valid':6} {'load':>5}  evidence; region search with certificate (no splitting)")
    for name, b, question, eps in pairs:
        _, plain_verdict, plain = _run(question, a, b, eps, False, args.cap, domain=domain)
        r, verdict, cert_s = _run(question, a, b, eps, True, args.cap, domain=domain)
        q = question if eps is None else f"eps {float(eps):g}"
        if question == "max" and verdict:
            q = f"max={float(r.value):.3g}"
        if verdict is None:
            print(f"{name:20} {q:9} unknown  {plain:8.2f} {cert_s:8.2f}  (time limit: no certificate)")
            continue
        assert verdict == plain_verdict, (verdict, plain_verdict)
        cert = json.loads(json.dumps(_certificate(question, a, b, eps, r, domain)))
        size = len(json.dumps(cert))
        t = time.process_time()
        ok = check_certificate(cert)
        check_s = time.process_time() - t
        ev = cert["evidence"]
        boxes = ev.get("boxes") or []
        leaves = sum(1 for nd in boxes if "leaf" in nd)
        backsub = sum(1 for nd in boxes if "backsub" in json.dumps(nd.get("bound", {}))[:200])
        desc = (f"{ev['method']}: {len(boxes)} boxes, {leaves} region leaves, {backsub} with back-substituted bounds,"
                f" evidence {len(json.dumps(ev))} bytes")
        if not args.no_regions and verdict:
            _, rv, rs = _run(question, a, b, eps, True, args.cap, box_splitting=False, domain=domain)
            desc += f"; regions: {'cap' if rv is None else rv} ({rs:.1f} s)"
        print(f"{name:20} {q:9} {str(verdict):8} {plain:8.2f} {cert_s:8.2f} {cert_s / max(plain, 1e-9):6.2f}"
              f" {size:10d} {check_s:8.2f} {str(ok.valid):6} {os.getloadavg()[0]:5.2f}  {desc}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
