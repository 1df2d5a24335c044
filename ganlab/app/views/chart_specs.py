"""What each chart plots: its series (name in `ganlab.app.history`, legend label, colour), its
title and axis label, and which charts a kind of data gets."""

from __future__ import annotations

from ganlab.app import theme
from ganlab.core.objectives import OBJECTIVES

# chart → [(series, label, colour)]
CHARTS = {
    "losses": [("discriminator_loss", "D loss", theme.DISCRIMINATOR),
               ("generator_loss", "G loss", theme.GENERATOR)],
    "divergences": [("js", "JS divergence", theme.JS_COLOUR),
                    ("w1", "W1 estimate", theme.W1_COLOUR)],
    "kl": [("kl_data_model", "KL(p_data‖p_g)", theme.KL_COLOUR),
           ("kl_model_data", "KL(p_g‖p_data)", theme.JS_COLOUR)],
    "modes": [("modes_covered", "modes covered %", theme.MODES_COLOUR),
              ("high_quality", "high quality %", theme.HIGH_QUALITY_COLOUR)],
    # a VAE run's (`ganlab.core.vae`): shown only while one trains (`chart_wanted`)
    "elbo": [("elbo_reconstruction", "E log p(x|z)", theme.GENERATOR),
             ("elbo_kl", "KL(q‖p)", theme.KL_COLOUR),
             ("elbo", "ELBO", theme.DENSITY)],
}
# image runs (`ganlab.app.history.IMAGE_METRICS`), each chart with its real-vs-real series
IMAGE_CHARTS = {
    "frechet": [("frechet_distance", "FD of classifier features", theme.W1_COLOUR)],
    "classes": [("classes_covered", "classes covered", theme.MODES_COLOUR)],
    "class_kl": [("class_kl", "KL(generated ‖ real classes)", theme.KL_COLOUR)],
    "coverage": [("coverage", "coverage", theme.REAL),
                 ("density", "density", theme.HIGH_QUALITY_COLOUR),
                 ("mean_confidence", "confidence", theme.JS_COLOUR)],
}
IMAGE_REFERENCES = {"frechet": "frechet_distance_real", "classes": "classes_covered_real",
                    "class_kl": "class_kl_real", "coverage": "coverage_real"}
ALL_CHARTS = CHARTS | IMAGE_CHARTS
KIND_CHARTS = {"points": tuple(CHARTS), "images": ("losses", *IMAGE_CHARTS)}
LEFT_AXIS_WIDTH = 44  # pixels: room for labels like "−0.25" or "1e+03"
LABELLED_AXIS_WIDTH = LEFT_AXIS_WIDTH + 18  # and for a rotated axis label beside them
TITLES = {
    "losses": "Losses",
    "divergences": "Jensen–Shannon and Wasserstein-1",
    "kl": "KL divergences",
    "modes": "Mode coverage",
    "elbo": "VAE: ELBO = E log p(x|z) − KL",
    "frechet": "Fréchet distance",
    "classes": "Classes covered",
    "class_kl": "Class KL to real",
    "coverage": "Coverage / density",
}
UNLABELLED_CHARTS = ("classes", "class_kl")  # one series, which the title names: no legend
Y_LABELS = {"elbo": "nats", "frechet": "distance", "classes": "classes", "class_kl": "nats",
            "coverage": "fraction"}


def chart_wanted(chart: str, modes: bool, families: tuple[str, ...]) -> bool:
    """Whether a chart of the current kind of data is shown for runs of these model families
    ("gan", "vae"): the losses while a GAN trains, the ELBO while a VAE does, mode coverage
    where the target has modes (`modes`)."""
    if chart == "losses":
        return "gan" in families or not families
    if chart == "elbo":
        return "vae" in families
    return chart != "modes" or modes


def chart_title(chart: str) -> str:
    """The chart's title as rich text that names its series in their curves' colours (the
    chart's legend); a one-series chart in `UNLABELLED_CHARTS` shows its title so."""
    series = ALL_CHARTS[chart]
    if chart in UNLABELLED_CHARTS:
        return f"<span style='color:{series[0][2]}'>{TITLES[chart]}</span>"
    return " · ".join(f"<span style='color:{colour}'>{label}</span>"
                      for _, label, colour in series)


def equilibrium_losses(name: str) -> dict[str, float | None]:
    """The objective's theory values of the losses at equilibrium (None where it has none)."""
    objective = OBJECTIVES.get(name)
    return {role: getattr(objective, f"equilibrium_{role}_loss", None) if objective else None
            for role in ("discriminator", "generator")}
