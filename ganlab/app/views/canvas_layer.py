"""The interface of one layer of the 2D data canvas, and what the canvas lends it.

A layer is a class with a `spec` (its toggle: name, label, tooltip, whether it starts shown,
and which snapshot parts the worker computes for it while it is shown; see `layers.LayerSpec`)
and four methods the canvas calls:

- `attach(parts)` once: create the pyqtgraph items, add them to `parts.plot` at their depth
  (the `Z_*` constants below, back to front), and any legend entries;
- `set_visible(shown)` whenever the toggles change (shown = toggled on and not painting);
- `show(run, box)` with every frame, shown or not (hidden items keep up, so a toggle shows the
  newest picture at once); a part the worker skipped this frame is None: keep the last picture;
- `restart()` when the networks restart: forget adaptive scales.

`legend_entries(layers)` names the legend stand-ins to list for the toggles of the moment.
A new layer is one module with such a class plus one line in `canvas_layers.py` (or a call of
`register_layer`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import pyqtgraph as pg

if TYPE_CHECKING:
    from ganlab.app.layers import Layers, LayerSpec
    from ganlab.app.views.canvas_legend import CanvasLegend
    from ganlab.core.targets import ViewBox
    from ganlab.training.frame import RunFrame

# depth of the canvas's items (pyqtgraph z values), back to front
Z_HEATMAP = -10
Z_DENSITY = -5
Z_BOUNDARY = -4
Z_MANIFOLD = 0
Z_REAL = 1
Z_GENERATED = 2
Z_ARROWS = 3
Z_ARROW_TIPS = 4
Z_PATH = 5
Z_PATH_ENDS = 6
Z_TRAVELLER = 7
Z_PAINTED = 8
Z_OFFSCREEN_LABELS = 20


@dataclass
class CanvasParts:
    """What a layer may draw into: the plot, the canvas's grid (for side items such as a colour
    bar), the legend, and `shared`, items that two layers of one canvas draw together."""

    plot: pg.PlotItem
    layout: pg.GraphicsLayoutWidget
    legend: CanvasLegend
    shared: dict[str, object] = field(default_factory=dict)


class CanvasLayer:
    """Base class of the canvas's layers: `attach`, `set_visible` and `show` are required;
    `restart` and `legend_entries` do nothing unless overridden."""

    spec: ClassVar[LayerSpec]

    def attach(self, parts: CanvasParts) -> None:
        raise NotImplementedError

    def set_visible(self, shown: bool) -> None:
        raise NotImplementedError

    def show(self, run: RunFrame, box: ViewBox) -> None:
        raise NotImplementedError

    def restart(self) -> None:
        """Forget adaptive scales (the networks restarted)."""

    def legend_entries(self, layers: Layers) -> tuple[pg.GraphicsObject, ...]:
        """Stand-ins (added in `attach` with `legend.add_switchable`) to list now."""
        return ()
