"""The row of "Show:" check boxes, one per registered view layer (`views/canvas_layers.py`). It
reports the user's toggles and shows the layers of the moment without reporting them back (no
feedback loop). The layers draw points only, so an image run hides the whole row
(`show_for_images`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtWidgets import QCheckBox, QLabel

from ganlab.app.layers import Layers, layer_specs
from ganlab.app.views.flow_layout import FlowLayout


class LayerToggles(FlowLayout):
    """`boxes` maps each layer's name to its check box; a toggle calls `toggled(name, shown)`.
    The row wraps onto a second line where the window is narrow (1366 pixels) rather than
    widening the window."""

    def __init__(self, toggled: Callable[[str, bool], None]):
        super().__init__()
        self.label = QLabel("Show:")
        self.addWidget(self.label)
        self.boxes: dict[str, QCheckBox] = {}
        for name, spec in layer_specs().items():
            box = QCheckBox(spec.label)
            box.setToolTip(spec.tooltip)
            box.toggled.connect(lambda shown, name=name: toggled(name, shown))
            self.boxes[name] = box
            self.addWidget(box)

    def show_layers(self, layers: Layers) -> None:
        shown = dataclasses.asdict(layers)
        for name, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(shown.get(name, False))
            box.blockSignals(False)

    def show_for_images(self, images: bool) -> None:
        """Hide the row for an image run (no layer draws images), show it again for points."""
        for widget in (self.label, *self.boxes.values()):
            widget.setVisible(not images)
