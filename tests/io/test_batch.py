"""Input batches for ``eval --input`` read exactly."""

import numpy as np
import pytest
from flint import fmpq

from exactnet.errors import InputError
from exactnet.io.batch import read_batch
from exactnet.network.argmax import ball_argmax, exact_argmax


def test_npy_floats_are_the_dyadics_they_hold(tmp_path):
    path = tmp_path / "b.npy"
    np.save(path, np.array([[0.1, -2.0], [3.0, 1e-3]], dtype=np.float32))
    pts = read_batch(path)
    assert pts[0][0] == fmpq(*float(np.float32(0.1)).as_integer_ratio()) != fmpq(1, 10)
    assert pts[1] == [3, fmpq(*float(np.float32(1e-3)).as_integer_ratio())]
    np.save(path, np.array([1, 2, 3], dtype=np.int64))
    assert read_batch(path) == [[1, 2, 3]]


def test_csv_and_json_decimals_are_exact(tmp_path):
    csv = tmp_path / "b.csv"
    csv.write_text("x0, x1\n# a comment\n0.1, -1/3\n\n1e-3,2\n")
    assert read_batch(csv) == [[fmpq(1, 10), fmpq(-1, 3)], [fmpq(1, 1000), 2]]
    js = tmp_path / "b.json"
    js.write_text('{"inputs": [[0.1, "1/3"], [1, "sqrt(2)"]]}')
    pts = read_batch(js)
    assert len(pts) == 2 and pts[1][1] == "sqrt(2)"


@pytest.mark.parametrize("name,content,match", [
    ("b.csv", "0.1,x\n", "line 1: 'x' is not a number"),
    ("b.csv", "a,b\n", "no points"),
    ("b.json", "[]", "non-empty list"),
    ("b.json", "[1, 2]", "every point must be a list"),
    ("b.json", '{"points": []}', "expected a list of points"),
    ("b.txt", "1,2", "unknown batch type"),
])
def test_bad_batches(tmp_path, name, content, match):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError, match=match):
        read_batch(path)


def test_bad_npy(tmp_path):
    path = tmp_path / "b.npy"
    np.save(path, np.zeros((2, 2, 2)))
    with pytest.raises(InputError, match="shape"):
        read_batch(path)
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="not a readable .npy"):
        read_batch(path)
    np.save(path, np.array([[np.nan, 1.0]]))
    with pytest.raises(InputError, match="NaN"):
        read_batch(path)
    np.save(path, np.zeros((0, 3)))
    with pytest.raises(InputError, match="empty"):
        read_batch(path)


def test_argmax_tie_rule():
    assert exact_argmax([fmpq(1), fmpq(3), fmpq(3), fmpq(-1)]) == (1, (1, 2))
    assert exact_argmax([fmpq(2)]) == (0, (0,))
    from flint import arb

    assert ball_argmax([arb(1, 0.1), arb(2, 0.1)]) == 1
    assert ball_argmax([arb(1, 0.6), arb(2, 0.6)]) is None
