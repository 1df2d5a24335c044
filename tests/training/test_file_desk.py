"""Every file command gets exactly one result: run, dropped, or owed when the worker fails."""

from __future__ import annotations

import pytest

from ganlab.training.file_commands import ExportGenerator, FileResult, ResultQueue, SaveSession
from ganlab.training.file_desk import FileDesk
from ganlab.training.pending_changes import Requests


def requests(*commands, dropped=()) -> Requests:
    return Requests(configs=None, running=False, iterations_per_second=None,
                    file_commands=tuple(commands), dropped_file_commands=tuple(dropped))


def test_commands_run_in_order_and_dropped_ones_are_answered_not_done():
    queue = ResultQueue()
    desk = FileDesk(queue)
    first, second, dropped = SaveSession("a.ganlab"), ExportGenerator("g"), SaveSession("old")
    asked = requests(first, second, dropped=(dropped,))
    desk.took(asked)
    assert [(r.command, r.ok) for r in queue.take_all()] == [(dropped, False)]
    done = desk.run(asked, lambda command: FileResult(command, True, "done"))
    assert [r.command for r in done] == [first, second]
    assert [(r.command, r.ok) for r in queue.take_all()] == [(first, True), (second, True)]
    desk.fail_all(requests(), "the training worker failed (RuntimeError)")
    assert queue.take_all() == []  # nothing was owed


def test_a_failure_answers_the_commands_owed_and_those_asked_since():
    queue = ResultQueue()
    desk = FileDesk(queue)
    done, broken, later = SaveSession("1"), SaveSession("2"), SaveSession("3")
    asked = requests(done, broken, later)
    desk.took(asked)

    def answer(command):
        if command is broken:
            raise RuntimeError("mid-command")
        return FileResult(command, True, "done")

    with pytest.raises(RuntimeError):
        desk.run(asked, answer)
    since, pushed_out = ExportGenerator("4"), SaveSession("5")
    desk.fail_all(requests(since, dropped=(pushed_out,)),
                  "the training worker failed (RuntimeError)")
    results = queue.take_all()
    assert [r.command for r in results] == [done, broken, later, pushed_out, since]
    assert [r.ok for r in results] == [True, False, False, False, False]
    assert results[1].message == "2: not done: the training worker failed (RuntimeError)"
