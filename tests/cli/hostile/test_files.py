"""Issue 10 §5 (reading) through the real CLI: files that declare far more than they hold are
refused before anything is materialised, at once and with one line; non-``.npy`` members and
malformed module state are clear errors, never the internal-error handler. The hostile files
are built small at test time (``tests/io/helpers.py``)."""

import pytest

from tests.io.helpers import (
    MALFORMED_MODULES, module_checkpoint, npy_header, npz_archive, npz_zero_bomb, stride0_checkpoint,
)

from .clirun import run

BOUND = 10


def test_stride_zero_checkpoint_is_refused_at_once(tmp_path):
    """659 bytes before the fix ran past 60 s or died with an internal error."""
    path = stride0_checkpoint(tmp_path / "stride0.pt")
    assert path.stat().st_size < 1000
    r = run("info", path, "--activation", "relu", timeout=60)
    r.assert_error("(1, 268435456)", "over the limit of 16,777,216 numbers")
    assert r.seconds < BOUND


def test_npz_of_zeros_is_refused_without_running_out_of_memory(tmp_path):
    """Before the fix a 3 MB archive holding 3.2 GB of zeros ran out of memory. Here: a real
    compressed archive of 160 MB of zeros, and one whose header declares the issue's 3.2 GB."""
    bomb = npz_zero_bomb(tmp_path / "zeros.npz")
    declared = npz_archive(tmp_path / "declared.npz", {"W0.npy": npy_header((20000, 20000)) + bytes(64)}, compress=True)
    for path, shape in ((bomb, "(5000, 4000)"), (declared, "(20000, 20000)")):
        r = run("info", path, "--activation", "relu", timeout=60)
        r.assert_error(f"'W0' of shape {shape}", "over the limit of 16,777,216 numbers")
        assert r.seconds < BOUND


def test_npz_member_that_is_not_npy_is_named(tmp_path):
    path = npz_archive(tmp_path / "x.npz", {"W0.npy": npy_header((1, 1)) + bytes(8), "readme.txt": b"hello"})
    run("info", path, "--activation", "relu").assert_error("member 'readme.txt' is not a .npy array")


@pytest.mark.parametrize("what", sorted(MALFORMED_MODULES))
def test_malformed_module_state_is_a_clear_error(tmp_path, what):
    path = module_checkpoint(tmp_path / "m.pt", MALFORMED_MODULES[what])
    r = run("info", path, "--activation", "relu")
    r.assert_error(str(path))
