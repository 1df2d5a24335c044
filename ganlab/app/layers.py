"""Which layers of the data-space canvas are shown (Qt-free), and what that asks of the worker.

The 2D canvas has one heatmap: it shows D(x) when that layer is on, else D*(x); with both on,
D* is drawn as its decision boundary D* = ½ over the D(x) heatmap. The 1D view draws both curves.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from ganlab.training.pending_changes import ViewRequest


@dataclass(frozen=True)
class Layers:
    real: bool = True  # real samples x ~ p_data (green)
    generated: bool = True  # generated samples G(z) (purple)
    discriminator: bool = True  # heatmap of D(x) (or the critic's value)
    optimal_discriminator: bool = False  # heatmap of D*(x) = p_data / (p_data + p_g)
    density: bool = True  # contour of the target density
    gradients: bool = False  # arrows -∂L_G/∂x on generated samples
    manifold: bool = False  # the image of a latent grid under G
    interpolation: bool = True  # path G((1-t) z0 + t z1) and its travelling point

    def with_layer(self, name: str, shown: bool) -> Layers:
        """A copy with one layer changed."""
        if name not in {f.name for f in fields(self)}:
            raise KeyError(f"no layer called {name!r}")
        return replace(self, **{name: shown})

    def view_request(self, metrics: bool = True, resolution: int = 64) -> ViewRequest:
        """Ask the worker only for what a shown layer (or the 1D view) draws."""
        return ViewRequest(
            critic=self.discriminator,
            optimal_discriminator=self.optimal_discriminator,
            target_density=self.density or self.optimal_discriminator,
            gradients=self.gradients,
            manifold=self.manifold,
            metrics=metrics,
            resolution=resolution,
        )


#: label, tooltip and colour of each layer toggle, in the order the toolbar shows them
LAYER_INFO = {
    "real": ("Real", "Show real samples x ~ p_data (green)."),
    "generated": ("Generated", "Show generated samples G(z) for a fixed batch of z (purple)."),
    "discriminator": (
        "D(x)",
        "Heatmap of the discriminator: D(x) = sigmoid(d(x)), green = 'real', purple = 'fake' "
        "(the raw critic value for WGAN-type objectives).",
    ),
    "optimal_discriminator": (
        "D*(x)",
        "The optimal discriminator D*(x) = p_data / (p_data + p_g) for the current G (a "
        "heatmap, or its ½ contour when D(x) is shown too).",
    ),
    "density": ("Density", "Contour lines of the target density p_data."),
    "gradients": (
        "Gradients",
        "Arrows showing where each generated sample is pushed: the direction −∂L_G/∂x.",
    ),
    "manifold": ("Manifold", "The image under G of a square grid in latent space (z1, z2)."),
    "interpolation": (
        "Interpolation",
        "The path G((1−t)·z0 + t·z1) between two latent points, with a point travelling on it.",
    ),
}
