"""The pieces of the time limit that can be checked in-process: the ``--timeout`` type, the
supervisor's message protocol, the alarm, and the deadline's refusal of nonsense."""

from __future__ import annotations

import math
import struct
import time

import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactnet.cli.limits import MAX_TIMEOUT, SECONDS, _Messages, alarm
from exactnet.deadline import Deadline, is_time_limit_interrupt


def _frame(text: str, code: int) -> bytes:
    data = text.encode("utf-8")
    return b"P" + struct.pack("<iQ", code, len(data)) + data


@given(st.lists(st.tuples(st.text(max_size=40), st.integers(0, 3)), min_size=1, max_size=5),
       st.booleans(), st.lists(st.integers(1, 7), min_size=1, max_size=30))
def test_messages_survive_any_chunking(answers, commit, cuts):
    stream = b"".join(_frame(t, c) for t, c in answers) + (b"C" if commit else b"")
    reader = _Messages()
    pos, i = 0, 0
    while pos < len(stream):
        step = cuts[i % len(cuts)]
        reader.feed(stream[pos:pos + step])
        pos, i = pos + step, i + 1
    assert reader.latest == answers[-1] and reader.committed is commit and reader.buffer == b""


def test_an_incomplete_frame_is_not_an_answer():
    reader = _Messages()
    reader.feed(_frame("an answer", 0)[:-1])
    assert reader.latest is None and not reader.committed


@pytest.mark.parametrize("text", ["1", "0.5", "1e-3", str(MAX_TIMEOUT)])
def test_valid_timeouts(text):
    assert SECONDS.convert(text, None, None) == float(text)


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "0", "-0.0", "-1", str(MAX_TIMEOUT * 2), "x", "", "1 s"])
def test_invalid_timeouts(text):
    with pytest.raises(click.BadParameter):
        SECONDS.convert(text, None, None)


def test_alarm_interrupts_python_code():
    start = time.monotonic()
    with pytest.raises(BaseException) as caught:
        with alarm(time.monotonic() + 0.2, "test limit"):
            while time.monotonic() - start < 30:
                pass
    assert is_time_limit_interrupt(caught.value)
    assert time.monotonic() - start < 10


def test_alarm_is_disarmed_after_the_block():
    with alarm(time.monotonic() + 0.2, "test limit"):
        pass
    time.sleep(0.4)  # no interrupt arrives later


def test_no_limit_no_alarm():
    with alarm(None, "never"):
        time.sleep(0.01)


@pytest.mark.parametrize("seconds", [math.nan, -1.0])
def test_deadline_refuses_nonsense(seconds):
    with pytest.raises(ValueError):
        Deadline.after(seconds)


def test_ordinary_exceptions_are_not_time_limits():
    assert not is_time_limit_interrupt(KeyboardInterrupt())
    assert not is_time_limit_interrupt(ValueError())
