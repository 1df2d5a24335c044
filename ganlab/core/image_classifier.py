"""A small CNN classifier trained on a labelled image dataset (nothing is downloaded), the
feature extractor of the image metrics, and its cache in the user data folder.

Training uses a fixed stratified split and keeps the held-out accuracy. The cache is one
safetensors file per dataset content hash: weights plus a JSON description (architecture, image
shape, classes, accuracy, torch version) in the header's metadata, so one atomic write keeps the
two consistent. Loading never unpickles; a file that does not match the expected description,
tensor names, shapes or dtypes, or holds non-finite weights, is ignored and retrained over."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from torch import nn

from ganlab.core.atomic_file import atomic_write
from ganlab.core.autosave import default_data_folder

log = logging.getLogger(__name__)

ARCHITECTURE = "small-cnn-v1"  # change when SmallCnn changes: old cache files are then retrained
FORMAT = "ganlab-classifier"
IMAGE_SIZES = (8, 16, 32, 64)
FEATURE_SIZE = 128  # units of the penultimate layer, the metrics' feature vector


@dataclass
class ClassifierTraining:
    """How the classifier is trained. Measured on one thread: digits at 16×16 (1,438 training
    images) 97.2% held-out after 20 epochs in 7-10 s; at 64×64, 95.3% in 55 s."""

    epochs: int = 20  # passes over the training split, unless the time budget ends first
    time_budget_s: float = 60.0  # seconds of training at most (checked every step)
    batch_size: int = 32  # images per Adam step
    learning_rate: float = 3e-3  # Adam's initial step size, decayed to 0 by a cosine
    heldout_fraction: float = 0.2  # of each class, kept out of training to measure accuracy
    threads: int = 1  # torch CPU threads while training; more only slow these small convs
    seed: int = 0  # initial weights, split and batch order


class SmallCnn(nn.Module):
    """Three 3×3 conv blocks (16, 32, 64 channels; the first two halve the size) → 2×2 average
    pool → 128 ReLU features → logits. For (channels, h, w) images with h = w in IMAGE_SIZES."""

    def __init__(self, channels: int, num_classes: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # h/2
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # h/4
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(2), nn.Flatten(),  # (n, 64 · 2 · 2)
            nn.Linear(64 * 4, FEATURE_SIZE), nn.ReLU(),
        )
        self.head = nn.Linear(FEATURE_SIZE, num_classes)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        return self.body(images - 0.5)  # pixels in [0, 1], centred

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(images))


class FeatureExtractor:
    """A trained classifier in eval mode: features, class probabilities, held-out accuracy."""

    def __init__(self, network: SmallCnn, image_shape: tuple[int, int, int], num_classes: int,
                 accuracy: float, batch_size: int = 256):
        self.network = network.eval()
        self.image_shape = tuple(image_shape)  # (channels, height, width) it was trained on
        self.num_classes = num_classes
        self.accuracy = accuracy  # fraction of the held-out split classified correctly
        self.batch_size = batch_size

    @torch.no_grad()
    def _run(self, images, head: bool) -> np.ndarray:
        array = np.asarray(images, dtype=np.float32)
        if array.ndim != 4 or array.shape[1:] != self.image_shape:
            raise ValueError(f"images must be (n, {', '.join(map(str, self.image_shape))}), "
                             f"got {array.shape}")
        outputs = []
        for start in range(0, len(array), self.batch_size):
            batch = torch.from_numpy(array[start:start + self.batch_size])
            features = self.network.features(batch)
            outputs.append(torch.softmax(self.network.head(features), 1) if head else features)
        if not outputs:
            return np.zeros((0, self.num_classes if head else FEATURE_SIZE))
        return torch.cat(outputs).double().numpy()

    def features(self, images) -> np.ndarray:
        """Penultimate-layer features, (n, FEATURE_SIZE) float64, of (n, c, h, w) images."""
        return self._run(images, head=False)

    def probabilities(self, images) -> np.ndarray:
        """Softmax class probabilities, (n, num_classes) float64, of (n, c, h, w) images."""
        return self._run(images, head=True)

    def predict(self, images) -> np.ndarray:
        """Most probable class of each image, (n,) int64."""
        return self.probabilities(images).argmax(axis=1)


def _checked_dataset(images, labels, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    if labels is None:
        raise ValueError("image metrics need a labelled dataset: this one has no labels, so "
                         "no classifier can be trained for it")
    images = np.asarray(images, dtype=np.float32)
    labels = np.asarray(labels)
    if images.ndim != 4 or images.shape[2:] not in [(h, h) for h in IMAGE_SIZES]:
        raise ValueError(f"images must be (n, c, h, h) with h in {IMAGE_SIZES}, "
                         f"got {images.shape}")
    if labels.shape != (len(images),) or not len(images) or not np.isfinite(images).all():
        raise ValueError(f"need finite images and one label each, got {labels.shape} labels "
                         f"for {len(images)} images")
    if num_classes < 2 or labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes}) with at least 2 classes")
    return images, labels.astype(np.int64)


def stratified_split(labels: np.ndarray, heldout_fraction: float, seed: int):
    """Indices (train, held-out): from each class, round(fraction · count) held out (≥ 1 when
    the class has ≥ 2 images), chosen by a seeded permutation."""
    rng = np.random.default_rng(seed)
    train, heldout = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        count = min(max(round(heldout_fraction * len(members)), 1), len(members) - 1)
        heldout.append(members[:count])
        train.append(members[count:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(heldout))


def train_classifier(images, labels, num_classes: int,
                     training: ClassifierTraining | None = None) -> FeatureExtractor:
    """Train a SmallCnn with Adam on cross-entropy over a stratified training split; the
    returned extractor carries its accuracy on the held-out rest."""
    training = training or ClassifierTraining()
    images, labels = _checked_dataset(images, labels, num_classes)
    train_index, heldout_index = stratified_split(labels, training.heldout_fraction,
                                                  training.seed)
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(training.threads)
    try:
        generator = torch.Generator().manual_seed(training.seed)
        torch.manual_seed(training.seed)
        network = SmallCnn(images.shape[1], num_classes)
        optimizer = torch.optim.Adam(network.parameters(), lr=training.learning_rate)
        x = torch.from_numpy(images[train_index])
        y = torch.from_numpy(labels[train_index])
        steps_per_epoch = -(-len(x) // training.batch_size)
        total_steps = training.epochs * steps_per_epoch
        started, step, progress = time.perf_counter(), 0, 0.0
        network.train()
        while progress < 1.0:
            order = torch.randperm(len(x), generator=generator)
            for start in range(0, len(x), training.batch_size):
                # progress is the larger of the steps done and the time spent, so the cosine
                # reaches 0 whichever limit ends training (a busy CPU gets fewer epochs, not a
                # classifier stopped at a high learning rate)
                elapsed = time.perf_counter() - started
                progress = max(step / total_steps, elapsed / training.time_budget_s)
                if progress >= 1.0:
                    break
                for group in optimizer.param_groups:
                    group["lr"] = training.learning_rate * 0.5 * (1 + math.cos(math.pi * progress))
                batch = order[start:start + training.batch_size]
                loss = nn.functional.cross_entropy(network(x[batch]), y[batch])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                step += 1
        elapsed = time.perf_counter() - started
        extractor = FeatureExtractor(network, images.shape[1:], num_classes, 0.0)
        predicted = extractor.predict(images[heldout_index])
    finally:
        torch.set_num_threads(previous_threads)
    extractor.accuracy = float(np.mean(predicted == labels[heldout_index]))
    log.info("trained the image classifier: %.1f epochs in %.1f s, held-out accuracy %.3f",
             step / steps_per_epoch, elapsed, extractor.accuracy)
    return extractor


class ClassifierCacheError(ValueError):
    """A cached classifier file that cannot be used: unreadable, damaged or for other data."""


def cache_path(key: str, folder: str | Path | None = None) -> Path:
    """The cache file for dataset content hash `key` ("sha256:…" and the like), in `folder`,
    by default `classifiers/` in the user data folder.

    The key becomes the file name with every character outside [A-Za-z0-9._-] replaced by "_";
    when anything had to be replaced (or the key is long), 16 hex digits of the key's own
    SHA-256 are appended so that two different keys never share a file.
    """
    if not key:
        raise ValueError("a classifier cache key must not be empty")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", key)[:80].lstrip(".") or "key"
    if name != key:
        name += "-" + hashlib.sha256(key.encode()).hexdigest()[:16]
    folder = default_data_folder() / "classifiers" if folder is None else Path(folder)
    return folder / f"{name}.safetensors"


def save_classifier(extractor: FeatureExtractor, path: str | Path, key: str) -> Path:
    """Write the weights and their description to one safetensors file, atomically."""
    description = {"format": FORMAT, "architecture": ARCHITECTURE, "key": key,
                   "image_shape": list(extractor.image_shape), "num_classes": extractor.num_classes,
                   "feature_size": FEATURE_SIZE, "accuracy": extractor.accuracy,
                   "torch": torch.__version__}
    tensors = {name: value.detach().cpu().contiguous()
               for name, value in extractor.network.state_dict().items()}
    data = save_tensors(tensors, metadata={"ganlab": json.dumps(description)})
    return atomic_write(path, lambda stream: stream.write(data))


def _header_metadata(data: bytes) -> dict:
    # safetensors layout: 8-byte little-endian header length, then the JSON header
    length = int.from_bytes(data[:8], "little")
    if len(data) < 8 or length > len(data) - 8:
        raise ValueError("the file is shorter than its header says")
    description = json.loads(json.loads(data[8:8 + length])["__metadata__"]["ganlab"])
    if not isinstance(description, dict):
        raise TypeError("no classifier description")
    return description


def load_classifier(path: str | Path, key: str, image_shape: tuple[int, int, int],
                    num_classes: int) -> FeatureExtractor:
    """Load a cached classifier, checking that it is ours, for this dataset and these images.

    Raises ClassifierCacheError naming what is wrong: unreadable file, other format or
    architecture, another key, image shape or class count, missing or extra tensors, wrong
    shapes or dtypes, non-finite weights or accuracy.
    """
    try:
        data = Path(path).read_bytes()
        description = _header_metadata(data)
        tensors = load_tensors(data)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, SafetensorError) as error:
        raise ClassifierCacheError(f"{path}: unreadable ({error})") from None
    expected = {"format": FORMAT, "architecture": ARCHITECTURE, "key": key,
                "image_shape": list(image_shape), "num_classes": num_classes,
                "feature_size": FEATURE_SIZE}
    for field, value in expected.items():
        if description.get(field) != value:
            raise ClassifierCacheError(f"{path}: {field} is {description.get(field)!r}, "
                                       f"expected {value!r}")
    accuracy = description.get("accuracy")
    if not isinstance(accuracy, float) or not 0.0 <= accuracy <= 1.0:
        raise ClassifierCacheError(f"{path}: accuracy {accuracy!r} is not in [0, 1]")
    network = SmallCnn(image_shape[0], num_classes)
    reference = network.state_dict()
    if set(tensors) != set(reference):
        raise ClassifierCacheError(f"{path}: tensors {sorted(tensors)} differ from "
                                   f"{sorted(reference)}")
    for name, value in tensors.items():
        if value.shape != reference[name].shape or value.dtype != reference[name].dtype:
            raise ClassifierCacheError(f"{path}: {name} is {value.dtype} {tuple(value.shape)}, "
                                       f"expected {reference[name].dtype} "
                                       f"{tuple(reference[name].shape)}")
        if not torch.isfinite(value).all():
            raise ClassifierCacheError(f"{path}: {name} holds NaN or infinite values")
    network.load_state_dict(tensors)
    return FeatureExtractor(network, image_shape, num_classes, accuracy)


def classifier_for(images, labels, num_classes: int, key: str,
                   folder: str | Path | None = None,
                   training: ClassifierTraining | None = None) -> FeatureExtractor:
    """The classifier of a labelled dataset: loaded from the cache when a valid file for `key`
    exists, else trained on (images, labels) and saved there (atomically replacing any broken
    file); `folder` as in `cache_path`. Unlabelled data (labels None) → ValueError.
    """
    images, labels = _checked_dataset(images, labels, num_classes)
    path = cache_path(key, folder)
    if path.exists():
        try:
            extractor = load_classifier(path, key, images.shape[1:], num_classes)
        except ClassifierCacheError as error:
            log.warning("ignoring the cached classifier, training a new one: %s", error)
        else:
            log.info("loaded the image classifier from %s", path)
            return extractor
    extractor = train_classifier(images, labels, num_classes, training)
    try:
        save_classifier(extractor, path, key)
    except OSError as error:  # a read-only data folder costs a retraining next time, no more
        log.warning("could not cache the image classifier at %s: %s", path, error)
    return extractor
