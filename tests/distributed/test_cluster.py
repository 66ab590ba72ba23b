"""Region work and batches on real Dask clusters: a LocalCluster of two worker processes, and a
``dask scheduler`` with two ``dask worker`` processes started here on localhost. The same
questions are answered serially and distributed and compared (counts, witnesses, certificate
bytes, batch answers); a worker is killed (``os.kill``) in the middle of a run and the answer is
still complete and equal to the serial one.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from exactnet.check import check_certificate, check_file  # noqa: E402
from exactnet.distributed import DaskExecutor  # noqa: E402
from exactnet.io import save_network  # noqa: E402
from exactnet.relu.equivalence import equivalent  # noqa: E402
from exactnet.relu.regions import list_regions  # noqa: E402
from exactnet.relu.subtrees import list_regions_on  # noqa: E402

from ..cli.hostile.clirun import run  # noqa: E402
from ..relu.nets import random_moves, random_net  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


class KillOneWorker:
    """Passes the tasks to a Dask executor and kills one worker process (SIGKILL) as soon as the
    first result arrives, while the other tasks are still queued or running."""

    def __init__(self, inner: DaskExecutor):
        self.inner, self.workers = inner, inner.workers
        self.killed = None
        self.after_kill = 0

    def prepare(self, setup):
        self.inner.prepare(setup)

    def run(self, fn, tasks, deadline=None, shared=None):
        for i, result in self.inner.run(fn, tasks, deadline, shared):
            if self.killed is None:
                busy = self.inner.client.processing()  # worker address -> task keys
                pids = self.inner.worker_pids()
                victim = max(pids, key=lambda w: len(busy.get(w, ())))
                self.killed = pids[victim]
                os.kill(self.killed, signal.SIGKILL)
            else:
                self.after_kill += 1
            yield i, result


@pytest.fixture(scope="module")
def local():
    ex = DaskExecutor(workers=2)
    try:
        yield ex
    finally:
        ex.close()


def _bytes(res) -> str:
    return json.dumps(res.certificate, sort_keys=True)


def test_local_cluster_gives_the_serial_listing(local):
    net = random_net(random.Random(1), (3, 10, 8, 1))
    serial = list_regions([net], keep=40)
    dist = list_regions_on(local, [net], keep=40)
    assert serial.count > 500
    assert (dist.count, dist.complete, dist.degenerate, dist.regions) == \
        (serial.count, serial.complete, serial.degenerate, serial.regions)
    assert [r.point for r in dist.regions] == [r.point for r in serial.regions]


def test_local_cluster_certificate_and_witness_equal_the_serial_ones(local):
    rnd = random.Random(4)
    a = random_net(rnd, (3, 8, 6, 1))
    b = random_moves(a, rnd)
    serial = equivalent(a, b, certificate=True, tiers="d")
    dist = equivalent(a, b, certificate=True, tiers="d", executor=local)
    assert dist.equivalent is True and dist.stats == serial.stats and _bytes(dist) == _bytes(serial)
    c = random_net(rnd, (3, 8, 6, 1))
    s2, d2 = equivalent(a, c, tiers="d"), equivalent(a, c, tiers="d", executor=local)
    assert d2.equivalent is False and (d2.witness, d2.stats) == (s2.witness, s2.stats)


def test_a_killed_worker_loses_nothing(local):
    rnd = random.Random(8)
    a = random_net(rnd, (3, 8, 6, 1))
    b = random_moves(a, rnd)
    serial = equivalent(a, b, certificate=True, tiers="d")
    killer = KillOneWorker(local)
    dist = equivalent(a, b, certificate=True, tiers="d", executor=killer)
    assert killer.killed is not None and killer.after_kill > 0
    assert dist.equivalent is True and dist.stats == serial.stats
    assert _bytes(dist) == _bytes(serial)
    assert check_certificate(dist.certificate).valid
    # the nanny restarts the worker: the cluster keeps two processes, one of them new
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(local.worker_pids()) < 2:
        time.sleep(0.2)
    assert killer.killed not in local.worker_pids().values()


def test_the_time_limit_stops_the_wait_for_busy_workers(local):
    """Blocking waits still end at the deadline: tasks that take 8 s, a limit of 1 s."""
    from exactnet.deadline import Deadline, TimeLimitReached

    start = time.monotonic()
    with pytest.raises(TimeLimitReached):
        list(local.run(time.sleep, [8, 8, 8], Deadline.after(1)))
    assert time.monotonic() - start < 8  # before any task could have finished


# ---------------------------------------------------------------------------------------------
# a scheduler and two workers as separate processes
# ---------------------------------------------------------------------------------------------


#: The most seconds any one start-up step may take before the test gives up on the machine (a step
#: is only waited for while the process it waits for is alive; a process that exits fails at once).
PATIENCE = 600


def _wait_while_alive(ready, procs, what: str, logs) -> None:
    """Poll ``ready()`` until true; fail at once (with the processes' stderr) when one of ``procs``
    has exited, and after :data:`PATIENCE` seconds (no fixed short limit: how long a start-up takes
    depends on the machine's load, a dead process does not)."""
    deadline = time.monotonic() + PATIENCE
    while not ready():
        dead = [p for p in procs if p.poll() is not None]
        assert not dead, f"{what}: a process exited ({dead[0].returncode}): " + " | ".join(
            log.read_text()[-2000:] for log in logs if log.exists())
        assert time.monotonic() < deadline, f"{what}: not ready after {PATIENCE} s"
        time.sleep(0.1)


def _scheduler_address(info: Path):
    try:
        return json.loads(info.read_text())["address"]
    except (OSError, ValueError, KeyError):  # not written yet, or half written
        return None


@contextmanager
def separate_cluster(tmp: Path, workers: int = 2, worker_env: dict | None = None):
    """``dask scheduler`` and ``workers`` × ``dask worker`` (one thread, no nanny) as processes."""
    info = tmp / "scheduler.json"
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    logs = [tmp / "scheduler.log"] + [tmp / f"worker{i}.log" for i in range(workers)]
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", "0", "--no-dashboard", "--scheduler-file", str(info)],
                              cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=logs[0].open("w"))]
    try:
        _wait_while_alive(lambda: _scheduler_address(info) is not None, procs, "the scheduler", logs)
        address = _scheduler_address(info)
        started = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                     "--no-nanny", "--no-dashboard"],
                                    cwd=tmp, env={**env, **(worker_env or {})},
                                    stdout=subprocess.DEVNULL, stderr=logs[1 + i].open("w"))
                   for i in range(workers)]
        procs += started
        from distributed import Client

        with Client(address, timeout=PATIENCE) as client:
            _wait_while_alive(lambda: len(client.scheduler_info(n_workers=-1)["workers"]) >= workers, procs,
                              "the workers", logs)
        yield address, started
    finally:
        for p in reversed(procs):  # workers first; nothing to save, so no graceful shutdown
            if p.poll() is None:
                p.kill()
        for p in procs:
            p.wait(timeout=60)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with separate_cluster(tmp_path_factory.mktemp("cluster")) as found:
        yield found


def test_cli_on_a_separate_scheduler_matches_serial(cluster, tmp_path):
    address, _workers = cluster
    net = random_net(random.Random(1), (3, 8, 6, 1))
    save_network(net, tmp_path / "n.json")
    serial = run("regions", tmp_path / "n.json", "--json")
    dist = run("regions", tmp_path / "n.json", "--json", "--scheduler", address)
    assert serial.code == dist.code == 0, dist.err
    assert dist.json == serial.json and serial.json["count"] > 100


def _manifest(tmp: Path, count: int) -> Path:
    rnd = random.Random(21)
    lines = []
    for i in range(count):
        a = random_net(rnd, (3, 6, 5, 1))
        b = random_moves(a, rnd) if i % 2 == 0 else random_net(rnd, (3, 6, 5, 1))
        save_network(a, tmp / f"a{i}.json")
        save_network(b, tmp / f"b{i}.json")
        lines.append(json.dumps({"id": f"q{i}", "command": "equiv", "networks": [f"a{i}.json", f"b{i}.json"]}))
    lines.append('{"id": "broken", "command": "equiv", "networks": ["a0.json"]}')
    lines.append("{not json")
    (tmp / "m.jsonl").write_text("\n".join(lines) + "\n")
    return tmp / "m.jsonl"


def _answers(path: Path, base: Path | None = None) -> dict:
    """Results lines by id (certificate paths relative to ``base``, the batch's folder)."""
    out = {}
    for line in path.read_text().splitlines():
        obj = json.loads(line)
        assert obj["id"] not in out, f"{obj['id']} answered twice"
        obj.pop("seconds", None)  # the worker's times differ from run to run
        obj.pop("cpu_seconds", None)
        cert = obj.pop("certificate", None)
        if cert:
            obj["certificate_bytes"] = ((base or Path.cwd()) / cert).read_text()
            obj["certificate_valid"] = check_file((base or Path.cwd()) / cert).valid  # /1, or /2 (tier d)
        out[obj["id"]] = obj
    return out


def test_batch_survives_a_killed_worker_and_resumes(cluster, tmp_path):
    address, workers = cluster
    manifest = _manifest(tmp_path, 6)
    serial = run("batch", manifest, "-o", tmp_path / "serial.jsonl", "--json")
    assert serial.code == 0, serial.err
    assert serial.json["answered"] == 8 and serial.json["errors"] == 2

    out = tmp_path / "dist.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "exactnet", "batch", str(manifest), "-o", str(out), "--json",
                             "--scheduler", address], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    # the two malformed items are answered by the coordinator first; wait for a worker's answer
    while time.monotonic() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 3):
        time.sleep(0.05)
    os.kill(workers[0].pid, signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    summary = json.loads(stdout)
    assert summary["complete"] and summary["answered"] == 8
    answers, expected = _answers(out), _answers(tmp_path / "serial.jsonl")
    assert answers == expected  # same ids, answers and certificate bytes; none lost, none twice
    assert sum(a.get("answer", {}).get("equivalent") is True for a in answers.values()) == 3
    for a in answers.values():
        if "certificate_bytes" in a:
            assert a["certificate_valid"] is True

    again = run("batch", manifest, "-o", out, "--json", "--scheduler", address)
    assert again.code == 0 and again.json["skipped"] == 8 and again.json["answered"] == 0
    assert _answers(out) == answers


def test_workers_that_cannot_import_exactnet_are_a_clear_error(tmp_path):
    """A worker whose Python finds a broken exactnet: exit 2 with one line, no hang. "No hang" is
    measured against the same command without the cluster under the machine's current load (it
    imports and plans the same), not against a fixed number of seconds."""
    broken = tmp_path / "broken" / "exactnet"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text('raise ImportError("no exactnet here")\n')
    net = random_net(random.Random(1), (3, 8, 6, 1))
    save_network(net, tmp_path / "n.json")
    with separate_cluster(tmp_path, workers=1, worker_env={"PYTHONPATH": str(tmp_path / "broken")}) as (address, _):
        alone = run("regions", tmp_path / "n.json", "--json", timeout=PATIENCE)
        assert alone.code == 0, alone.err
        # the cluster adds Dask's import, the handshake (at most its connect timeout, 30 s) and one
        # message to the worker; a hang would exceed this by far
        allowed = 60 + 10 * alone.seconds
        r = run("regions", tmp_path / "n.json", "--scheduler", address, timeout=allowed)
    r.assert_error("could not be set up", "exactnet")


def test_every_item_kind_runs_distributed_with_the_serial_answers_and_certificates(cluster, tmp_path):
    """equiv (exact, ε, top-1), diff, fdim (with a batch of points) and regions items: the
    distributed results equal the serial ones line by line, certificates byte for byte, and every
    certificate checks."""
    import shutil

    from ..cli.hostile.clirun import EXAMPLES

    address, _workers = cluster
    for name in ("relu_diff_a.json", "relu_diff_b.json", "relu_small.json", "relu_small_b.json", "relu_deep.json"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    (tmp_path / "points.json").write_text(json.dumps([["1/3", "1/5"], ["-2/7", "3/11"], ["5/13", "-1/17"]]))
    pair = ["relu_diff_a.json", "relu_diff_b.json"]
    items = [
        {"id": "equiv", "command": "equiv", "networks": ["relu_small.json", "relu_small_b.json"]},
        {"id": "diff", "command": "diff", "networks": pair, "box": "0,1"},
        {"id": "eps", "command": "equiv", "networks": pair, "box": "0,1", "eps": "73/40000"},
        {"id": "top1", "command": "equiv", "networks": pair, "box": "0,1", "top1": True},
        {"id": "fdim", "command": "fdim", "networks": ["relu_small.json"], "batch": "points.json"},
        {"id": "regions", "command": "regions", "networks": ["relu_deep.json"]},
    ]
    (tmp_path / "m.jsonl").write_text("\n".join(json.dumps(i) for i in items) + "\n")
    serial = run("batch", "m.jsonl", "-o", "serial.jsonl", "--json", cwd=tmp_path)
    dist = run("batch", "m.jsonl", "-o", "dist.jsonl", "--json", "--scheduler", address, cwd=tmp_path)
    assert serial.code == dist.code == 0 and dist.json["answered"] == len(items), dist.err
    answers, expected = _answers(tmp_path / "dist.jsonl", tmp_path), _answers(tmp_path / "serial.jsonl", tmp_path)
    # fdim draws random probe points and a random prime (serially too): compare its numbers, not its draws
    numbers = {"functional_dimension", "upper_bound", "attained", "parameters", "hidden_neurons",
               "batch_functional_dimension", "batch_points", "batch_attains_functional_dimension"}
    for a in (answers, expected):
        a["fdim"]["answer"] = {k: v for k, v in a["fdim"]["answer"].items() if k in numbers}
    assert answers == expected and all("error" not in a for a in answers.values())
    kinds = {"equiv": "relu.equivalence", "diff": "relu.max_difference", "eps": "relu.epsilon", "top1": "relu.top1"}
    for ident, kind in kinds.items():
        text = answers[ident]["certificate_bytes"]  # /1, or a streamed /2 (its first line the header)
        cert = json.loads(text.splitlines()[0] if text.startswith('{"format":"exactnet.certificate/2"') else text)
        assert cert["kind"] == kind and answers[ident]["certificate_valid"] is True, ident
    assert answers["fdim"]["answer"]["batch_functional_dimension"] is not None
    assert answers["diff"]["answer"]["max_abs_difference"] == "73/40000"
