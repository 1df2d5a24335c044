"""Names of the classes of labelled images held in the data store, by the labels' content
reference: small metadata that never travels per frame. The configuration carries them too
(`TargetConfig.class_names`, so a saved session keeps them and the training process's target
reports them); this memory is the views' fallback for runs whose configuration has none.

The process that loads a folder of labelled sub-folders (the window) remembers their names
here; a view showing a run on those labels (`TargetConfig.labels`) asks for them and falls back
to the names the run's target reports ("0", "1", … for labels given by number). Bounded: the
oldest entries go past `MAX_REMEMBERED`. Thread-safe; numpy-free; no Qt.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

MAX_REMEMBERED = 64  # label sets whose names are kept

_names: OrderedDict[str, tuple[str, ...]] = OrderedDict()
_lock = threading.Lock()


def remember_class_names(labels_reference: str | None, names: tuple[str, ...]) -> None:
    """Keep `names` (one per class, in label order) for the labels stored as
    `labels_reference`; nothing for unlabelled data (None) or no names."""
    if labels_reference is None or not names:
        return
    with _lock:
        _names[labels_reference] = tuple(str(name) for name in names)
        _names.move_to_end(labels_reference)
        while len(_names) > MAX_REMEMBERED:
            _names.popitem(last=False)


def class_names_for(labels_reference: str | None, reported: tuple[str, ...]) -> tuple[str, ...]:
    """The remembered names of these labels when there are as many as the run `reported`,
    else the reported ones."""
    with _lock:
        names = _names.get(labels_reference) if labels_reference is not None else None
    return names if names is not None and len(names) == len(reported) else tuple(reported)
