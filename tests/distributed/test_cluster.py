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

    def run(self, fn, tasks, deadline=None):
        for i, result in self.inner.run(fn, tasks, deadline):
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


# ---------------------------------------------------------------------------------------------
# a scheduler and two workers as separate processes
# ---------------------------------------------------------------------------------------------


@contextmanager
def separate_cluster(tmp: Path, workers: int = 2, worker_env: dict | None = None):
    """``dask scheduler`` and ``workers`` × ``dask worker`` (one thread, no nanny) as processes."""
    info = tmp / "scheduler.json"
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", "0", "--no-dashboard", "--scheduler-file", str(info)],
                              cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        started = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                     "--no-nanny", "--no-dashboard"],
                                    cwd=tmp, env={**env, **(worker_env or {})},
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for _ in range(workers)]
        procs += started
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address, started
    finally:
        for p in reversed(procs):  # workers first; nothing to save, so no graceful shutdown
            if p.poll() is None:
                p.kill()
        for p in procs:
            p.wait(timeout=10)


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


def _answers(path: Path) -> dict:
    out = {}
    for line in path.read_text().splitlines():
        obj = json.loads(line)
        assert obj["id"] not in out, f"{obj['id']} answered twice"
        obj.pop("seconds", None)  # the worker's times differ from run to run
        obj.pop("cpu_seconds", None)
        cert = obj.pop("certificate", None)
        if cert:
            obj["certificate_bytes"] = Path(cert).read_text()
            obj["certificate_valid"] = check_file(cert).valid  # /1, or /2 (tier-d proofs, the default)
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
    """A worker whose Python finds a broken exactnet: exit 2 with one line, no hang."""
    broken = tmp_path / "broken" / "exactnet"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text('raise ImportError("no exactnet here")\n')
    net = random_net(random.Random(1), (3, 8, 6, 1))
    save_network(net, tmp_path / "n.json")
    with separate_cluster(tmp_path, workers=1, worker_env={"PYTHONPATH": str(tmp_path / "broken")}) as (address, _):
        r = run("regions", tmp_path / "n.json", "--scheduler", address, timeout=120)
    r.assert_error("could not be set up", "exactnet")
