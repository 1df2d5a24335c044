"""Which layers of the data-space canvas are shown, and what that asks of the worker.

The layers are those registered in `views/canvas_layers.py`, in toolbar order; each declares a
`LayerSpec`. `Layers` is a frozen dataclass with one bool field per registered layer (built from
the registry, so a new layer needs no edit here): `layers.gradients`, `dataclasses.asdict`,
`Layers(**saved)` (a name no layer has is a TypeError) all work as for a hand-written one.

The 2D canvas has one heatmap: it shows D(x) when that layer is on, else D*(x); with both on,
D* is drawn as its decision boundary D* = ½ over the D(x) heatmap. The 1D view draws both curves.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, make_dataclass, replace

from ganlab.training.pending_changes import ViewRequest

#: the parts of a `ViewRequest` a layer may ask for while it is shown
REQUEST_PARTS = ("critic", "optimal_discriminator", "target_density", "gradients", "manifold")


@dataclass(frozen=True)
class LayerSpec:
    """A layer's toggle and what it costs the worker."""

    name: str  # a Python identifier: the field of `Layers`, the key in sessions and lessons
    label: str  # the toggle's text
    tooltip: str  # one sentence or two: what the layer draws
    shown: bool = True  # shown when the app starts
    asks: frozenset[str] = frozenset()  # REQUEST_PARTS computed while it is shown

    def __post_init__(self) -> None:
        unknown = set(self.asks) - set(REQUEST_PARTS)
        if not self.name.isidentifier() or unknown:
            raise ValueError(f"layer {self.name!r}: bad name or unknown parts {sorted(unknown)}")


def layer_specs() -> dict[str, LayerSpec]:
    """The registered layers' specs, in toolbar order."""
    from ganlab.app.views.canvas_layers import CANVAS_LAYERS  # the registry (a Qt module)

    return {name: layer.spec for name, layer in CANVAS_LAYERS.items()}


class Layers:
    """Which layers are shown: `Layers(real=False)` is every registered layer at its default
    except `real`. Instances are of a frozen dataclass made from the registry (see above)."""

    def __new__(cls, **shown: bool):
        if cls is Layers:
            return _layers_type(tuple(layer_specs().values()))(**shown)
        return super().__new__(cls)

    def with_layer(self, name: str, shown: bool) -> Layers:
        """A copy with one layer changed."""
        if name not in {f.name for f in fields(self)}:
            raise KeyError(f"no layer called {name!r}")
        return replace(self, **{name: shown})

    def view_request(self, metrics: bool = True, resolution: int = 64) -> ViewRequest:
        """Ask the worker only for what a shown layer (or the 1D view) draws."""
        specs = layer_specs()
        asked = set()
        for f in fields(self):
            if getattr(self, f.name) and f.name in specs:
                asked |= specs[f.name].asks
        parts = {part: part in asked for part in REQUEST_PARTS}
        return ViewRequest(**parts, metrics=metrics, resolution=resolution)


_TYPES: dict[tuple[LayerSpec, ...], type] = {}


def _layers_type(specs: tuple[LayerSpec, ...]) -> type:
    """The frozen dataclass with a bool field per spec (one class per registry state)."""
    if specs not in _TYPES:
        made = make_dataclass("Layers", [(spec.name, bool, spec.shown) for spec in specs],
                              bases=(Layers,), frozen=True)
        made.__module__ = __name__
        _TYPES[specs] = made
    return _TYPES[specs]


def layer_info() -> dict[str, tuple[str, str]]:
    """Label and tooltip of each layer toggle, in the order the toolbar shows them."""
    return {name: (spec.label, spec.tooltip) for name, spec in layer_specs().items()}
