"""Which generated images the user picked for latent maths, without Qt: the two ends A, B of
an interpolation and the three terms a, b, c of the arithmetic a − b + c, and the request
(`training.pending_changes.Interpolation`) they make once complete.

Picks are tile indices into the fixed latent batch of the image view, so the same index
names the same z in every frame. A conditional run draws the interpolation path in the class
of A's row and each term in its own row's class (the sum in c's).
"""

from __future__ import annotations

import numpy as np

from ganlab.training.pending_changes import Interpolation, LatentArithmetic

END_NAMES = ("A", "B")
TERM_NAMES = ("a", "b", "c")


class LatentPicks:
    def __init__(self):
        self.ends: list[int] = []
        self.terms: list[int] = []
        self.spherical = False

    def pick_end(self, index: int) -> bool:
        """Add an interpolation end; True when this completes a pair (a third starts anew;
        the same tile twice is ignored)."""
        return _pick(self.ends, index, 2)

    def pick_term(self, index: int) -> bool:
        """Add the next of a, b, c; True when this completes the three (a fourth starts anew).
        A tile may be two terms: a − a + c is c."""
        if len(self.terms) == 3:
            self.terms = []
        self.terms.append(index)
        return len(self.terms) == 3

    def forget_beyond(self, count: int) -> None:
        """Drop picks of tiles that a smaller grid no longer has."""
        if any(i >= count for i in self.ends):
            self.ends = []
        if any(i >= count for i in self.terms):
            self.terms = []

    @property
    def complete_ends(self) -> bool:
        return len(self.ends) == 2

    @property
    def complete_terms(self) -> bool:
        return len(self.terms) == 3

    def request(self, latent: np.ndarray, labels: np.ndarray | None) -> Interpolation | None:
        """What the runs should draw for the complete picks (None if neither is complete):
        `latent` is the view's (n, latent_dim) batch and `labels` its classes (or None)."""
        if not (self.complete_ends or self.complete_terms):
            return None
        start = end = None
        label = None
        if self.complete_ends:
            start, end = (latent[i].copy() for i in self.ends)
            label = int(labels[self.ends[0]]) if labels is not None else None
        arithmetic = None
        if self.complete_terms:
            a, b, c = (latent[i].copy() for i in self.terms)
            classes = tuple(int(labels[i]) for i in self.terms) if labels is not None else None
            arithmetic = LatentArithmetic(a, b, c, classes)
        return Interpolation(start, end, label, self.spherical, arithmetic)


def _pick(picks: list[int], index: int, size: int) -> bool:
    if len(picks) == size:
        picks.clear()
    if index in picks:
        return False
    picks.append(index)
    return len(picks) == size
