"""The image view's controls for latent maths: straight or spherical interpolation, and what a
click on a generated image picks (an interpolation end, a term of a − b + c, or, with neither
on, the image whose nearest training image is shown). Each has a key that works while its
view has the focus, so two views side by side (compare mode) never share one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QWidget

SLERP_TIP = (
    "Interpolate along a great circle (slerp) instead of a straight line. A Gaussian z in d "
    "dimensions lies on a thin shell of radius ≈ √d; the straight line between two such "
    "points passes inside the shell (its middle has norm ≈ √(d/2)), through latents the "
    "generator hardly ever saw, so its middle images fade. Slerp keeps to the shell. (S)")
ENDS_TIP = ("While on, clicks choose the two ends A and B of a latent interpolation, as "
            "Shift+click does; a conditional run draws the path in A's class. (E)")
ARITHMETIC_TIP = ("While on, clicks choose a, b and c, as Ctrl+click does; the view then "
                  "shows G(z_a − z_b + z_c): a without what b has, with what c has. (A)")


class LatentControls(QWidget):
    """Slerp toggle and the two pick modes (at most one on)."""

    spherical_toggled = Signal(bool)

    def __init__(self, shortcut_scope: QWidget, parent=None):
        super().__init__(parent)
        self.slerp = QCheckBox("Slerp")
        self.slerp.setToolTip(SLERP_TIP)
        self.slerp.toggled.connect(self.spherical_toggled)
        self.pick_ends = QPushButton("Pick ends")
        self.pick_ends.setCheckable(True)
        self.pick_ends.setToolTip(ENDS_TIP)
        self.arithmetic = QPushButton("a − b + c")
        self.arithmetic.setCheckable(True)
        self.arithmetic.setToolTip(ARITHMETIC_TIP)
        # one pick mode at a time, and none is allowed (then a click selects)
        self.pick_ends.toggled.connect(lambda on: on and self.arithmetic.setChecked(False))
        self.arithmetic.toggled.connect(lambda on: on and self.pick_ends.setChecked(False))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.slerp)
        row.addWidget(self.pick_ends)
        row.addWidget(self.arithmetic)
        for key, button in (("S", self.slerp), ("E", self.pick_ends), ("A", self.arithmetic)):
            shortcut = QShortcut(QKeySequence(key), shortcut_scope)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(button.toggle)

    @property
    def spherical(self) -> bool:
        return self.slerp.isChecked()
