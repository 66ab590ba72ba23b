"""The executor interface without a cluster: the serial executor, option checks, scheduler
addresses that fail at once, and no Dask import on the default path."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from exactnet.deadline import Deadline, TimeLimitReached
from exactnet.distributed import LazyExecutor, SerialExecutor, open_executor
from exactnet.distributed.executors import reachable
from exactnet.errors import InputError


def _square(x):
    return x * x


def test_serial_executor_runs_every_task_in_order():
    ex = SerialExecutor()
    assert list(ex.run(_square, [3, 1, 2])) == [(0, 9), (1, 1), (2, 4)]
    assert ex.workers == 1


def _power(x, shared):
    return x ** shared


class _Feeder:
    """Hands out 1, 2, 3, ... tasks per call until ``n`` (and records what it saw in flight)."""

    def __init__(self, n):
        self.n, self.next, self.calls = n, 0, []

    def take(self, in_flight):
        self.calls.append(in_flight)
        out = list(range(self.next, min(self.n, self.next + len(self.calls))))
        self.next += len(out)
        return out


def test_serial_executor_passes_shared_inputs_and_streams_what_the_feeder_hands_out():
    ex = SerialExecutor()
    assert list(ex.run(_power, [2, 3], shared=3)) == [(0, 8), (1, 27)]
    feeder = _Feeder(7)
    assert list(ex.stream(_square, feeder)) == [(k, k * k) for k in range(7)]
    assert set(feeder.calls) == {0}  # in the process nothing is ever in flight
    with pytest.raises(TimeLimitReached):
        list(ex.stream(_square, _Feeder(3), Deadline.after(0)))


def test_serial_executor_honours_the_deadline():
    with pytest.raises(TimeLimitReached):
        list(SerialExecutor().run(_square, [1, 2], Deadline.after(0)))


def test_open_executor_without_options_is_serial_and_lazy_makes_nothing():
    assert isinstance(open_executor(), SerialExecutor)
    assert isinstance(open_executor(workers=1), SerialExecutor)
    made = []
    lazy = LazyExecutor(lambda: made.append(1) or SerialExecutor())
    lazy.close()
    assert made == []
    assert list(lazy.run(_square, [5])) == [(0, 25)] and made == [1]


@pytest.mark.parametrize("kwargs, needle", [
    ({"workers": 2, "scheduler": "tcp://127.0.0.1:1"}, "not both"),
    ({"workers": 0}, "at least 1"),
])
def test_open_executor_rejects_bad_options(kwargs, needle):
    with pytest.raises(InputError, match=needle):
        open_executor(**kwargs)


@pytest.mark.parametrize("address", ["nonsense://x", "tcp://", "host:notaport", "localhost:99999", ""])
def test_malformed_scheduler_addresses(address):
    with pytest.raises(InputError, match="not a scheduler address"):
        reachable(address)


def test_a_closed_port_fails_at_once():
    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        reachable(f"tcp://127.0.0.1:{port}", timeout=2)


def test_the_default_path_never_imports_dask():
    code = ("import sys\n"
            "from exactnet.cli.main import main\n"
            "try:\n"
            "    main(['regions', 'examples/relu_deep.json', '--json'])\n"
            "except SystemExit:\n"
            "    pass\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]\n"
            "print(bad, file=sys.stderr)\n"
            "sys.exit(1 if bad else 0)\n")
    from pathlib import Path

    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert run.returncode == 0, run.stderr
