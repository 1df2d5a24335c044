"""A clock the policy tests move by hand, so no test waits or depends on timing."""

from __future__ import annotations


class FakeClock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
