"""The row of "Show:" check boxes, one per view layer. It reports the user's toggles and shows
the layers of the moment without reporting them back (no feedback loop)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel

from ganlab.app.layers import LAYER_INFO, Layers


class LayerToggles(QHBoxLayout):
    """`boxes` maps each layer's name to its check box; a toggle calls `toggled(name, shown)`."""

    def __init__(self, toggled: Callable[[str, bool], None]):
        super().__init__()
        self.addWidget(QLabel("Show:"))
        self.boxes: dict[str, QCheckBox] = {}
        for name, (label, tip) in LAYER_INFO.items():
            box = QCheckBox(label)
            box.setToolTip(tip)
            box.toggled.connect(lambda shown, name=name: toggled(name, shown))
            self.boxes[name] = box
            self.addWidget(box)
        self.addStretch(1)

    def show_layers(self, layers: Layers) -> None:
        for name, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(getattr(layers, name))
            box.blockSignals(False)
