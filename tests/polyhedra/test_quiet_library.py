"""Used as a library (no command line capturing the file descriptors), exactnet writes nothing on
standard output, though the ReLU deciders call HiGHS (which prints a banner when made through
``highspy.Highs()``): every solver comes from ``highs_backend.new_solver``.

Each case runs in a fresh interpreter whose ``highspy._Highs`` counts the solvers made, so the test
also shows that HiGHS really was used (a quiet run that never called HiGHS would prove nothing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("highspy")

ROOT = Path(__file__).resolve().parents[2]

_PROBE = r"""
import json, sys
import highspy

class Counting(highspy._Highs):
    made = 0

    def __init__(self):
        Counting.made += 1
        super().__init__()

highspy._Highs = Counting
from exactnet import load_network, relu
from exactnet.network.domain import Box
from exactnet.relu.max_difference import max_difference

a, b = load_network("examples/relu_diff_a.json"), load_network("examples/relu_diff_b.json")
square = Box.from_bounds(["-1", "-1"], ["1", "1"])
iris = load_network("examples/iris.pt", activation="relu")
data_box = Box.from_bounds(["1", "1/10"], ["69/10", "5/2"])
case = sys.argv[1]
if case == "regions":
    answer = len(relu.list_regions([iris], data_box).regions)
elif case == "equiv tier d":
    answer = relu.equivalent(a, b, square, tiers="d").equivalent
elif case == "diff":
    answer = str(max_difference(a, b, square).value)
elif case == "compress --domain":
    answer = list(relu.compress(iris, data_box).width_after)
elif case == "fdim --domain":
    answer = relu.functional_dimension(iris, data_box).value
sys.stderr.write(json.dumps({"answer": answer, "solvers": Counting.made}) + "\n")
"""

#: The case and its exact answer (tutorial network and box, docs/tutorial.md; examples/relu_diff_*).
CASES = {
    "regions": 7,
    "equiv tier d": False,
    "diff": "1/500",
    "compress --domain": [6],
    "fdim --domain": 29,
}


def _run(case: str) -> tuple[str, dict]:
    out = subprocess.run([sys.executable, "-c", _PROBE, case], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    return out.stdout, json.loads(out.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("case", sorted(CASES))
def test_library_calls_print_nothing(case):
    stdout, report = _run(case)
    assert report["answer"] == CASES[case]
    assert report["solvers"] >= 1, "HiGHS was not used: the case does not test the banner"
    assert stdout == ""


def test_the_probe_would_see_the_banner():
    """The check can fail: the wrapper class HiGHS ships prints on standard output when made."""
    out = subprocess.run([sys.executable, "-c", "import highspy; highspy.Highs()"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    if not out.stdout:
        pytest.skip("this highspy's Highs() prints no banner")
    assert "HiGHS" in out.stdout
