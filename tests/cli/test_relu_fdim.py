"""``exactnet fdim``, ``exactnet fiber`` and the ReLU ``info`` keys: contract keys, exit codes, errors."""

import json
import random

import pytest

from exactnet.cli.main import main
from exactnet.network import Network, network_from_obj, write_network
from exactnet.relu.equivalence import equivalent

from tests.relu.nets import random_net


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def files(tmp_path):
    nets = {
        "abs": Network.from_lists("relu", [([[1], [-1]], [0, 0]), ([[1, 1]], [0])]),
        "t1": Network.from_lists("relu", [([[1]], ["1/2"]), ([[2]], [3])]),
        "deep": Network.from_lists("relu", [([[1]], ["1/3"]), ([[1]], [-1]), ([[1]], [0])]),
        "tanh": Network.from_lists("tanh", [([[1]], [0]), ([[1]], [0])]),
        "big": random_net(random.Random(3), (2, 8, 8, 8, 1)),
    }
    paths = {}
    for name, net in nets.items():
        paths[name] = str(tmp_path / f"{name}.json")
        write_network(net, paths[name])
    for name, text in {"batch": '[[1], ["2/3"], [-4]]', "kink": '[[1], [0]]', "bad": '[[1, 2]]',
                       "box": '{"lower": [1], "upper": [2]}', "notjson": "[1,"}.items():
        paths[name] = str(tmp_path / f"{name}.json")
        (tmp_path / f"{name}.json").write_text(text)
    return paths


def test_fdim_keys(capsys, files):
    code, out, _ = run(capsys, "fdim", files["abs"], "--json")
    data = json.loads(out)
    assert code == 0
    assert data["functional_dimension"] == 4 and data["upper_bound"] == 5 and data["attained"] is False
    assert data["parameters"] == 7 and data["hidden_neurons"] == 2 and data["local_fiber_dimension"] == 3
    assert data["certified_by"].startswith("exact kernel") and data["regions_used"] == 2
    assert data["kernel_directions"] == [{"b1[1]": "-1", "b1[2]": "-1", "b2[1]": "1"}]  # docs/relu.md § Test cases: T6
    code, out, _ = run(capsys, "fdim", files["t1"], "--json")
    data = json.loads(out)
    assert code == 0 and data["functional_dimension"] == data["upper_bound"] == 3 and data["attained"] is True
    assert data["certified_by"].startswith("modular")


def test_fdim_batch_domain_and_decisive_points(capsys, files, tmp_path):
    code, out, _ = run(capsys, "fdim", files["abs"], "--batch", files["batch"], "--json")
    data = json.loads(out)
    assert code == 0 and data["batch_functional_dimension"] == 3 and data["batch_points"] == 3
    assert data["batch_lower_bound"] == data["batch_upper_bound"] == 3 and data["parameters"] == 7
    # batch only: the batch is the domain, so the interface's keys carry the batch value
    assert data["functional_dimension"] == data["lower_bound"] == data["upper_bound"] == 3
    assert data["domain"] == "batch" and "batch_attains_functional_dimension" not in data
    assert "certified_by" not in data and "local_fiber_dimension" not in data  # the full fdim did not run
    code, out, _ = run(capsys, "fdim", files["abs"], "--batch", files["batch"], "--with-functional-dimension",
                       "--json")
    data = json.loads(out)
    assert code == 0 and data["batch_functional_dimension"] == 3 and data["functional_dimension"] == 4
    assert data["batch_attains_functional_dimension"] is False
    # the decisive points reported by fdim are a batch attaining the value
    dec = tmp_path / "dec.json"
    dec.write_text(json.dumps(data["decisive_points"]))
    code, out, _ = run(capsys, "fdim", files["abs"], "--batch", str(dec), "--json")
    assert json.loads(out)["batch_functional_dimension"] == 4
    code, out, _ = run(capsys, "fdim", files["t1"], "--domain", files["box"], "--json")
    data = json.loads(out)
    assert code == 0 and data["functional_dimension"] == 2 and data["domain"] == {"lower": [1], "upper": [2]}
    code, out, _ = run(capsys, "fdim", files["t1"])
    assert code == 0 and "functional dimension 3" in out


def test_fdim_errors_and_timeout(capsys, files):
    code, _, err = run(capsys, "fdim", files["abs"], "--batch", files["kink"])
    assert code == 2 and "batch point 2" in err and "layer 1, unit 1" in err and "Traceback" not in err
    code, _, err = run(capsys, "fdim", files["abs"], "--batch", files["bad"])
    assert code == 2 and "coordinates" in err
    code, _, err = run(capsys, "fdim", files["abs"], "--batch", files["notjson"])
    assert code == 2 and "JSON" in err
    code, _, err = run(capsys, "fdim", files["abs"], "--batch", "/nonexistent/batch.json")
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, "fdim", files["abs"], "--with-functional-dimension")
    assert code == 2 and "--batch" in err and "Traceback" not in err
    code, _, err = run(capsys, "fdim", files["tanh"])
    assert code == 2 and err.startswith("exactnet: error:")
    code, out, _ = run(capsys, "fdim", files["big"], "--timeout", "0.000001", "--json")
    data = json.loads(out)
    assert code == 3 and data["functional_dimension"] is None and "time limit" in data["reason"]


def test_fiber_cli(capsys, files):
    code, out, _ = run(capsys, "fiber", files["abs"], "--json", "--sample", "3", "--seed", "1")
    data = json.loads(out)
    assert code == 0 and data["components"] == 2 and data["components_up_to_permutation"] == 1
    assert data["piece_count"] == 1 and data["orbit_is_fiber"] is True and data["dimension"] == 2
    abs_net = network_from_obj(json.loads(open(files["abs"]).read()))
    for obj in data["samples"] + data["component_representatives"]:
        assert equivalent(abs_net, network_from_obj(obj)).equivalent
    code, out, _ = run(capsys, "fiber", files["abs"])
    assert code == 0 and "connected components: 2" in out
    code, out, _ = run(capsys, "fiber", files["deep"], "--json")  # two hidden layers: the three-layer fiber
    assert code == 0 and json.loads(out)["dimension_matches"] is True
    code, _, err = run(capsys, "fiber", files["big"])
    assert code == 2 and "one or two hidden layers" in err
    code, _, err = run(capsys, "fiber", files["abs"], "--domain", files["box"])
    assert code == 2 and "domain" in err


def test_info_symmetry_keys(capsys, files):
    code, out, _ = run(capsys, "info", files["deep"], "--json")
    data = json.loads(out)
    assert code == 0 and data["activation"] == "relu" and data["parameters"] == 6
    assert "symmetries" not in data  # the analysis is behind --symmetries: info stays instant
    code, out, _ = run(capsys, "info", files["deep"], "--symmetries", "--json")
    sym = json.loads(out)["symmetries"]
    assert code == 0 and sym["functional_dimension"] == 3 and sym["upper_bound"] == 4  # docs/relu.md § Test cases: T3d
    assert "hidden-kink" in sym["mechanism_kinds"] and sym["hidden_symmetry"] is True
    code, out, _ = run(capsys, "info", files["deep"], "--symmetries")
    assert code == 0 and "hidden symmetry: yes" in out


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_fdim_batch_with_verified_kernel_vectors(capsys, tmp_path, seed):
    """A batch with an always-zero input and rarely non-zero inputs, more rows than ``D − N_hid``:
    kernel vectors are verified, the answer equals the exact rational rank of the stacked Jacobians
    and the interval is closed (certified by the verified kernel bound, or, when a kernel direction
    lies outside the known families, by the exact fallback)."""
    from flint import fmpq, fmpq_mat

    from exactnet.relu.jacobian import compile_network, jacobian_at, preactivation_signs

    rnd = random.Random(seed)
    net = random_net(rnd, (5, 4, 3, 2))
    path = tmp_path / "net.json"
    write_network(net, str(path))
    cnet = compile_network(net)
    pts = []
    while len(pts) < 40:
        x = [fmpq(rnd.randint(-9, 9), 2), fmpq(rnd.randint(-9, 9), 3), fmpq(0)]
        x += [fmpq(rnd.randint(1, 9)) if rnd.random() < 0.1 else fmpq(0) for _ in range(2)]
        if all(v != 0 for layer in preactivation_signs(cnet, x) for v in layer):
            pts.append(x)
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps([[str(v) for v in x] for x in pts]))
    code, out, _ = run(capsys, "fdim", str(path), "--batch", str(batch), "--json")
    data = json.loads(out)
    rows = [r for x in pts for r in jacobian_at(net, x)]
    exact = fmpq_mat(len(rows), len(rows[0]), [v for r in rows for v in r]).rank()
    assert code == 0 and data["batch_functional_dimension"] == exact
    assert data["batch_lower_bound"] == data["batch_upper_bound"] == exact
    assert data["batch_kernel_vectors"] >= data["batch_kernel_rank"] > 0
    assert data["batch_certified_by"] in ("modular rank meets D minus the rank of the verified kernel vectors",
                                          "exact kernel verified on every region")
    code, out, _ = run(capsys, "fdim", str(path), "--batch", str(batch))
    assert code == 0 and f"batch functional dimension {exact} on 40 points" in out
