"""The worker's promise about file commands: every command it is asked gets exactly one result.

Commands run in order between iterations; a command pushed out of a full queue is answered "not
done" as soon as the worker sees it; and if the worker fails, every command it had taken but not
answered — and every command asked since — is answered "not done" before the worker ends. Owns
that bookkeeping; what a command does is `file_commands.py`'s (or, for opening a session, the
worker's).
"""

from __future__ import annotations

from collections.abc import Callable

from ganlab.training.file_commands import FileCommand, FileResult, ResultQueue, not_done
from ganlab.training.pending_changes import MAX_FILE_COMMANDS, Requests


class FileDesk:
    """Answers the file commands of one worker into `results`."""

    def __init__(self, results: ResultQueue):
        self.results = results
        self._unanswered: list[FileCommand] = []  # taken from the requests, not yet answered

    def took(self, requests: Requests) -> None:
        """New requests were taken: their commands are owed a result; dropped ones get theirs."""
        self._unanswered = list(requests.file_commands)
        for command in requests.dropped_file_commands:
            self.results.put(not_done(
                command, f"more than {MAX_FILE_COMMANDS} file commands were waiting"))

    def run(self, requests: Requests, answer: Callable[[FileCommand], FileResult]
            ) -> list[FileResult]:
        """Run each command of `requests` through `answer`, in order, and hand its result on. If
        `answer` raises, that command and the ones after it stay owed (see `fail_all`)."""
        done = []
        for command in requests.file_commands:
            result = answer(command)
            self.results.put(result)
            self._unanswered.pop(0)
            done.append(result)
        return done

    def fail_all(self, asked: Requests, why: str) -> None:
        """The worker is ending on a failure: everything owed, and everything `asked` since the
        last take, is answered "not done: `why`"."""
        waiting = [*self._unanswered, *asked.dropped_file_commands, *asked.file_commands]
        for command in waiting:
            self.results.put(not_done(command, why))
        self._unanswered = []
