"""Make the real CLI process misbehave the way third-party libraries do, to test the contract.

:func:`injected` returns environment variables for :func:`tests.cli.hostile.clirun.run` that put a
``sitecustomize`` module on the path of the subprocess. It wraps ``exactnet.io.load_network`` and
``exactnet.io.load_model`` so that, before a network is read:

* ``"noise"``: text is written to file descriptors 1 and 2 directly (as C libraries do), through
  the C library's buffered ``printf`` (flushed only at exit unless someone flushes it), with
  Python's ``print`` on both streams, and as a Python ``UserWarning`` (as torch does);
* ``"long-c-call"``: one FLINT determinant runs for many seconds without returning to Python, so
  neither a deadline check nor a signal handler can stop it.
"""

from __future__ import annotations

import os
from pathlib import Path

SITECUSTOMIZE = '''
import os

_MODE = os.environ.get("EXACTNET_TEST_INJECT")
if _MODE:
    import exactnet.io as _io

    _original = _io.load_network

    def _misbehave():
        if _MODE == "noise":
            import ctypes
            import sys
            import warnings

            os.write(1, b"Running FakeSolver 1.0: banner on fd 1\\n")
            os.write(2, b"[W fake.cpp:1] C++ warning on fd 2\\n")
            ctypes.CDLL(None).printf(b"buffered C printf on stdout\\n")
            print("python print on stdout")
            print("python print on stderr", file=sys.stderr)
            warnings.warn("a library UserWarning\\nspanning two lines", UserWarning)
        elif _MODE == "long-c-call":
            import flint

            n = 500
            flint.fmpz_mat(n, n, [(i * 7919 + j * 104729 + i * j) % 1000003 + (i == j) * 10 ** 40
                                  for i in range(n) for j in range(n)]).det()

    def load_network(path, activation=None):
        _misbehave()
        return _original(path, activation=activation)

    _original_model = _io.load_model

    def load_model(path, activation=None):
        _misbehave()
        return _original_model(path, activation=activation)

    _io.load_network = load_network
    _io.load_model = load_model
'''


def injected(tmp_path: Path, mode: str) -> dict:
    """Environment for ``run(..., env=...)`` with the misbehaviour ``mode`` (see the module doc)."""
    site = tmp_path / f"inject-{mode}"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path, "EXACTNET_TEST_INJECT": mode}
