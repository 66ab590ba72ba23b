"""``exactnet batch`` through the real command line (serial; the Dask runs are in tests/distributed/).

Each results line is checked against the single command's answer; bad lines become error lines
and the batch goes on; a re-run skips answered ids and repairs a line cut off by a kill; bad
manifests, results files and scheduler addresses are exit 2 with one line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from exactnet.cli.batch import item_id, parse_line
from exactnet.errors import InputError

from .hostile.clirun import EXAMPLES, run


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def folder(tmp_path):
    for name in ("relu_small.json", "relu_small_b.json", "relu_deep.json", "box.json", "relu_diff_a.json",
                 "relu_diff_b.json", "tanh_reducible.json", "tanh_reducible_b.json"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path


def test_answers_equal_the_single_commands_and_bad_lines_are_error_lines(folder):
    (folder / "m.jsonl").write_text("\n".join([
        '{"id": "eq", "command": "equiv", "networks": ["relu_small.json", "relu_small_b.json"], "domain": "box.json"}',
        '{"id": "reg", "command": "regions", "networks": ["relu_deep.json"], "limit": 3}',
        "",
        "# a comment",
        '{"id": "nojson", "command": ',
        '{"id": "nocmd", "command": "frobnicate", "networks": ["relu_deep.json"]}',
        '{"id": "missing", "command": "fdim", "networks": ["nope.json"]}',
        '{"id": "reg", "command": "regions", "networks": ["relu_deep.json"]}',
    ]) + "\n")
    r = run("batch", "m.jsonl", "-o", "out.jsonl", "--json", cwd=folder)
    assert r.code == 0, r.err
    assert r.json["complete"] is True and r.json["items"] == 6 and r.json["errors"] == 4
    lines = {obj["id"]: obj for obj in _lines(folder / "out.jsonl")}
    single = run("equiv", "relu_small.json", "relu_small_b.json", "--domain", "box.json", "--json", cwd=folder)
    assert lines["eq"]["answer"] == single.json and lines["eq"]["exit"] == single.code == 0
    cert = folder / lines["eq"]["certificate"]
    assert run("check", cert, "--json", cwd=folder).json["valid"] is True
    regions = run("regions", "relu_deep.json", "--limit", "3", "--json", cwd=folder)
    assert lines["reg"]["answer"] == regions.json and lines["reg"]["exit"] == regions.code
    # per-item errors, each naming its line
    errors = {k: v["error"] for k, v in lines.items() if "error" in v}
    assert set(errors) == {"nocmd", "missing", "reg#line8"} | {k for k in errors if k.startswith("sha256:")}
    assert any("line 5" in e and "not valid JSON" in e for e in errors.values())
    assert "frobnicate" in errors["nocmd"] and "nope.json" in errors["missing"]
    assert all(v["exit"] == 2 for v in lines.values() if "error" in v)


#: Items of the maximum-difference family, and the command line each one stands for.
DIFFERENCE_ITEMS = [
    ({"id": "diff", "command": "diff", "box": "0,1"}, ["diff", "--box", "0,1"], "relu.max_difference"),
    ({"id": "diff1", "command": "diff", "box": "0,1", "norm": "1"}, ["diff", "--box", "0,1", "--norm", "1"], None),
    ({"id": "eps-yes", "command": "equiv", "box": "0,1", "eps": "73/40000"},
     ["equiv", "--box", "0,1", "--eps", "73/40000"], "relu.epsilon"),
    ({"id": "eps-no", "command": "equiv", "box": "0,1", "eps": "0.0018"},
     ["equiv", "--box", "0,1", "--eps", "0.0018"], "relu.epsilon"),
    ({"id": "top1", "command": "equiv", "box": "0,1", "top1": True}, ["equiv", "--box", "0,1", "--top1"], "relu.top1"),
]


def test_difference_items_equal_the_single_commands_with_checked_certificates(folder):
    pair = ["relu_diff_a.json", "relu_diff_b.json"]
    lines = [json.dumps({**item, "networks": pair}) for item, _args, _kind in DIFFERENCE_ITEMS]
    lines += [
        json.dumps({"id": "top1-same", "command": "equiv", "networks": pair[:1] * 2, "box": "0,1", "top1": True}),
        json.dumps({"id": "both", "command": "equiv", "networks": pair, "box": "0,1", "eps": "1/10", "top1": True}),
        json.dumps({"id": "float-eps", "command": "equiv", "networks": pair, "box": "0,1", "eps": 0.1}),
        json.dumps({"id": "norm2", "command": "diff", "networks": pair, "box": "0,1", "norm": "2"}),
        json.dumps({"id": "tanh-eps", "command": "equiv", "networks": ["tanh_reducible.json", "tanh_reducible_b.json"],
                    "box": "0,1", "eps": "1/10"}),
        json.dumps({"id": "unbounded", "command": "diff", "networks": pair}),
    ]
    (folder / "m.jsonl").write_text("\n".join(lines) + "\n")
    r = run("batch", "m.jsonl", "-o", "out.jsonl", "--json", cwd=folder)
    assert r.code == 0 and r.json["complete"] is True, r.err
    got = {obj["id"]: obj for obj in _lines(folder / "out.jsonl")}
    for item, args, kind in DIFFERENCE_ITEMS:
        single = run(*args[:1], *pair, *args[1:], "--json", "--certificate", folder / f"{item['id']}.cert.json",
                     cwd=folder)
        line = got[item["id"]]
        expected = {k: v for k, v in single.json.items() if k != "certificate"}
        assert line["exit"] == single.code and line["answer"] == expected, item["id"]
        if kind is None:  # the 1-norm: no certificate (the answer says why)
            assert line["certificate"] is None and "sup norm" in line["answer"]["certificate_note"]
            continue
        checked = run("check", folder / line["certificate"], "--json", cwd=folder)
        assert checked.code == 0 and checked.json["valid"] is True and checked.json["kind"] == kind
        assert (folder / line["certificate"]).read_bytes() == (folder / f"{item['id']}.cert.json").read_bytes()
    assert got["eps-yes"]["answer"]["equivalent"] is True and got["eps-no"]["answer"]["equivalent"] is False
    assert got["diff"]["answer"]["max_abs_difference"] == "73/40000"
    assert got["top1"]["exit"] == 1 and got["top1-same"]["exit"] == 0
    errors = {k: v["error"] for k, v in got.items() if "error" in v}
    assert set(errors) == {"both", "float-eps", "norm2", "tanh-eps", "unbounded"}
    assert "different questions" in errors["both"] and "exact number" in errors["float-eps"]
    assert "'norm'" in errors["norm2"] and "tanh" in errors["tanh-eps"] and "bounded domain" in errors["unbounded"]


def test_rerun_skips_answered_ids_and_repairs_a_cut_line(folder):
    (folder / "m.jsonl").write_text(
        '{"id": "a", "command": "regions", "networks": ["relu_deep.json"]}\n'
        '{"id": "b", "command": "regions", "networks": ["relu_small.json"]}\n')
    first = run("batch", "m.jsonl", "-o", "out.jsonl", "--json", cwd=folder)
    assert first.code == 0 and first.json["answered"] == 2
    text = (folder / "out.jsonl").read_text()
    keep = [line for line in text.splitlines() if json.loads(line)["id"] == "a"][0]
    (folder / "out.jsonl").write_text(keep + "\n" + '{"id": "b", "comm')  # killed while writing b
    again = run("batch", "m.jsonl", "-o", "out.jsonl", "--json", cwd=folder)
    assert again.code == 0 and again.json["skipped"] == 1 and again.json["answered"] == 1
    ids = [obj["id"] for obj in _lines(folder / "out.jsonl")]
    assert sorted(ids) == ["a", "b"]


@pytest.mark.parametrize("setup, args, needles", [
    (None, ["missing.jsonl", "-o", "out.jsonl"], ["cannot read the manifest"]),
    ("garbage", ["m.jsonl", "-o", "out.jsonl"], ["not a results file"]),
    (None, ["m.jsonl", "-o", "out.jsonl", "--scheduler", "nonsense://x"], ["not a scheduler address"]),
    (None, ["m.jsonl", "-o", "out.jsonl", "--workers", "0"], ["--workers"]),
    (None, ["m.jsonl", "-o", "out.jsonl", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], ["not both"]),
])
def test_bad_batches_are_one_line_errors(folder, setup, args, needles):
    (folder / "m.jsonl").write_text('{"command": "regions", "networks": ["relu_deep.json"]}\n')
    if setup == "garbage":
        (folder / "out.jsonl").write_text("this is not json\n")
    r = run("batch", *args, cwd=folder)
    if "--workers" in args and "0" in args:
        assert r.code == 2 and "--workers" in r.err  # click's usage error
    else:
        r.assert_error(*needles)


def test_a_refused_scheduler_is_exit_2_at_once(folder):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (folder / "m.jsonl").write_text('{"command": "regions", "networks": ["relu_deep.json"]}\n')
    r = run("batch", "m.jsonl", "-o", "out.jsonl", "--scheduler", f"127.0.0.1:{port}", cwd=folder, timeout=60)
    r.assert_error("cannot reach the Dask scheduler")


def test_item_ids_and_line_checks():
    ident, obj = parse_line('{"command": "regions", "networks": ["n.json"]}', 1)
    assert ident == item_id(obj, "") and ident.startswith("sha256:")
    # the same content in another key order is the same item
    assert parse_line('{"networks": ["n.json"], "command": "regions"}', 2)[0] == ident
    assert parse_line('{"id": 7, "command": "regions", "networks": ["n.json"]}', 1)[0] == "7"
    for bad, needle in [('[1, 2]', "JSON object"), ('{"command": "equiv", "networks": ["a"]}', "networks"),
                        ('{"command": "regions", "networks": ["a"], "limit": 0}', "limit"),
                        ('{"command": "regions", "networks": ["a"], "colour": 1}', "colour")]:
        with pytest.raises(InputError, match=needle):
            parse_line(bad, 3)
