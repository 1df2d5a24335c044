"""The registry of the data canvas's layers, in toolbar order: the toggles, the session's and
lessons' layer names, what the worker computes and what each canvas draws all come from here.

A new layer: a module with a `CanvasLayer` subclass (see `canvas_layer.py`) and one line below,
or `register_layer(MyLayer)` from outside (a plugin, a test).
"""

from __future__ import annotations

from ganlab.app.views.canvas_layer import CanvasLayer
from ganlab.app.views.density_layer import Density
from ganlab.app.views.discriminator_layers import Discriminator, OptimalDiscriminator
from ganlab.app.views.generator_layers import Interpolation, Manifold
from ganlab.app.views.gradient_layer import Gradients
from ganlab.app.views.raw_sample_layer import RawGeneratedSamples
from ganlab.app.views.sample_layers import GeneratedSamples, RealSamples

CANVAS_LAYERS: dict[str, type[CanvasLayer]] = {}


def register_layer(layer: type[CanvasLayer]) -> type[CanvasLayer]:
    """Add `layer` at the end of the toolbar (canvases and windows made later show it)."""
    name = layer.spec.name
    if name in CANVAS_LAYERS:
        raise ValueError(f"a layer called {name!r} is registered already")
    CANVAS_LAYERS[name] = layer
    return layer


def unregister_layer(name: str) -> None:
    """Remove a registered layer (tests that add one take it away again)."""
    del CANVAS_LAYERS[name]


for _layer in (RealSamples, GeneratedSamples, RawGeneratedSamples, Discriminator,
               OptimalDiscriminator, Density, Gradients, Manifold, Interpolation):
    register_layer(_layer)
