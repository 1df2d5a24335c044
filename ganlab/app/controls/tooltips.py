"""One sentence per setting, shown as its tooltip (with the formula where one helps)."""

from __future__ import annotations

TOOLTIPS = {
    "objective.name": "The GAN variant being trained; its two losses are written under the "
    "model overview.",
    "objective.gradient_penalty_weight": "λ of WGAN-GP: weight of the penalty "
    "λ·E(‖∇d(x̂)‖₂ − 1)² on random interpolates x̂ of real and generated samples.",
    "objective.clip_value": "c of WGAN: every critic weight is clipped to [−c, c] after each "
    "update, a crude way to keep the critic Lipschitz.",
    "objective.r1_gamma": "γ of the R1 penalty (γ/2)·E_data‖∇d(x)‖² on real samples, which "
    "damps oscillation around equilibrium; 0 turns it off.",
    "objective.discriminator_weight_decay": "C of the L2 penalty (C/2)·Σ‖W‖² on the "
    "discriminator's weights; with 0 hidden layers this is the log-linear D of theory §6.",
    "training.critic_steps": "k: discriminator updates per iteration, each on fresh real and "
    "generated batches (the original GAN used 1, WGAN uses 5).",
    "training.generator_steps": "g: generator updates per iteration.",
    "training.batch_size": "Real and generated samples in every update.",
    "training.seed": "Seeds the networks, the data and the noise, so a CPU run repeats exactly.",
    "training.device": "Where the networks train; CUDA is listed only when a usable GPU is "
    "present.",
    "generator_optimizer.name": "The optimizer that updates the generator.",
    "generator_optimizer.learning_rate": "Step size of the generator's optimizer (log scale).",
    "generator_optimizer.beta1": "Adam's β1 for G: decay of the running mean of gradients "
    "(0.5 is the usual GAN choice).",
    "generator_optimizer.beta2": "Adam's β2 for G: decay of the running mean of squared "
    "gradients.",
    "generator_optimizer.momentum": "Momentum of SGD or RMSProp for G.",
    "discriminator_optimizer.name": "The optimizer that updates the discriminator.",
    "discriminator_optimizer.learning_rate": "Step size of the discriminator's optimizer "
    "(log scale).",
    "discriminator_optimizer.beta1": "Adam's β1 for D: decay of the running mean of gradients.",
    "discriminator_optimizer.beta2": "Adam's β2 for D: decay of the running mean of squared "
    "gradients.",
    "discriminator_optimizer.momentum": "Momentum of SGD or RMSProp for D.",
    "model.latent_dim": "Dimension of the noise z; changing it rebuilds both networks and "
    "restarts training.",
    "model.latent_distribution": "p(z): a standard Gaussian N(0, I) or uniform on [−1, 1]^d.",
    "model.standardize_data": "Train on (x − mean)/std of the target and map back for display, "
    "so one learning rate suits every target.",
    "model.generator.hidden_layers": "Hidden layers of G; changing it rebuilds both networks "
    "and restarts training.",
    "model.generator.width": "Units in each hidden layer of G; changing it restarts training.",
    "model.generator.activation": "Nonlinearity after each hidden layer of G.",
    "model.discriminator.hidden_layers": "Hidden layers of D; 0 gives the log-linear "
    "D(x) = sigmoid(wᵀx + b); changing it restarts training.",
    "model.discriminator.width": "Units in each hidden layer of D; changing it restarts "
    "training.",
    "model.discriminator.activation": "Nonlinearity after each hidden layer of D.",
}
