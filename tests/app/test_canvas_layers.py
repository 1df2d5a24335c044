"""The canvas's layers come from one registry: a new layer is its class plus its registration,
and it gets a toggle, a say in what the worker computes, and every frame."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pytest

from ganlab.app.layers import REQUEST_PARTS, Layers, LayerSpec, layer_specs
from ganlab.app.views.canvas_layer import CanvasLayer
from ganlab.app.views.canvas_layers import register_layer, unregister_layer


class FakeLayer(CanvasLayer):
    """Records what the canvas asks of it."""

    spec = LayerSpec("fake", "Fake", "A layer that only a test draws.", shown=False,
                     asks=frozenset({"manifold"}))
    made: ClassVar[list[FakeLayer]] = []

    def __init__(self):
        self.frames, self.visible, self.restarts = [], [], 0
        FakeLayer.made.append(self)

    def attach(self, parts):
        self.plot = parts.plot

    def set_visible(self, shown):
        self.visible.append(shown)

    def show(self, run, box):
        self.frames.append((run, box))

    def restart(self):
        self.restarts += 1


@pytest.fixture
def fake_layer():
    FakeLayer.made.clear()
    register_layer(FakeLayer)
    yield FakeLayer
    unregister_layer("fake")


def test_the_built_in_layers_in_toolbar_order_ask_for_their_fields():
    specs = layer_specs()
    assert list(specs) == ["real", "generated", "raw_generated", "discriminator",
                           "optimal_discriminator",
                           "density", "gradients", "manifold", "interpolation"]
    assert all(spec.asks <= set(REQUEST_PARTS) and spec.tooltip for spec in specs.values())
    # D* needs the target density even when the density contours are hidden
    request = Layers(density=False, optimal_discriminator=True).view_request()
    assert request.optimal_discriminator and request.target_density and request.critic
    none = Layers(**dict.fromkeys(specs, False)).view_request(metrics=False)
    assert not any(getattr(none, part) for part in REQUEST_PARTS) and not none.metrics
    with pytest.raises(ValueError):
        LayerSpec("bad", "Bad", "Asks for what no worker computes.", asks=frozenset({"magic"}))


def test_layers_are_a_dataclass_of_the_registered_layers(fake_layer):
    layers = Layers(fake=True)
    assert layers.fake and dataclasses.asdict(layers)["fake"] is True
    assert dataclasses.asdict(Layers())["fake"] is False  # its spec's default
    assert layers.with_layer("fake", False) == Layers()
    assert layers.view_request().manifold and not Layers().view_request().manifold
    with pytest.raises(TypeError):
        Layers(unknown=True)  # a session's layer that no longer exists: the caller keeps its own


def test_a_registered_layer_gets_a_toggle_and_the_frames(fake_layer, window, qtbot):
    box = window.layer_boxes["fake"]
    assert list(window.layer_boxes)[-1] == "fake" and box.text() == "Fake"
    assert box.toolTip() == FakeLayer.spec.tooltip and not box.isChecked()
    canvas_layer = window.panes[0].canvas.layers["fake"]
    assert canvas_layer.plot is window.panes[0].canvas.plot
    qtbot.waitUntil(lambda: len(canvas_layer.frames) > 0, timeout=10_000)
    run, view_box = canvas_layer.frames[-1]
    assert view_box == run.snapshot.box and run.snapshot.real.shape[1] == 2
    box.setChecked(True)
    assert window.layers.fake and canvas_layer.visible[-1] is True
    assert window.layers.view_request().manifold  # what the layer asks of the worker
    restarts = canvas_layer.restarts  # the first frame of a new worker restarts the views too
    window.panes[0].canvas.restart()
    assert canvas_layer.restarts == restarts + 1
