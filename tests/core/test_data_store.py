"""The data store: arrays named by their content, held once per process, bounded."""

import numpy as np
import pytest

from ganlab.core.data_store import DataStore, MissingData, content_reference, is_reference


def test_a_reference_names_the_content_dtype_and_shape():
    points = np.arange(12, dtype=np.float64).reshape(6, 2)
    reference = content_reference(points)
    assert is_reference(reference) and reference.startswith("sha256:")
    assert content_reference(points.copy()) == reference
    assert content_reference(np.asfortranarray(points)) == reference  # same values, C order
    changed = points.copy()
    changed[5, 1] = np.nextafter(changed[5, 1], 100)
    assert content_reference(changed) != reference
    assert content_reference(points.reshape(3, 4)) != reference
    assert content_reference(points.astype(np.float32)) != reference


def test_stored_arrays_are_read_only_copies_and_a_wrong_reference_is_refused():
    store = DataStore()
    points = np.ones((4, 2))
    reference = store.put(points)
    points[0, 0] = 7.0  # the caller's array is not the stored one
    stored = store.get(reference)
    assert stored[0, 0] == 1.0 and not stored.flags.writeable
    assert store.put(stored) == reference and len(store) == 1
    with pytest.raises(ValueError, match="hashes to"):
        store.put(np.zeros((4, 2)), reference=reference)


def test_missing_data_names_the_reference():
    reference = content_reference(np.zeros(3))
    with pytest.raises(MissingData, match="is not loaded in this process") as caught:
        DataStore().get(reference)
    assert reference[:20] in str(caught.value)


def test_beyond_its_budget_the_store_forgets_the_least_recently_used():
    store = DataStore(max_bytes=3 * 800)
    first, second, third = (store.put(np.full(100, float(i))) for i in range(3))
    store.get(first)  # used: second is now the oldest
    fourth = store.put(np.full(100, 3.0))
    assert first in store and third in store and fourth in store
    assert second not in store
    assert store.stored_bytes == 3 * 800
    huge = store.put(np.zeros(1000))  # bigger than the budget: kept alone
    assert huge in store and len(store) == 1


@pytest.mark.parametrize("text", [None, 3, "sha256:", "sha256:" + "g" * 64,
                                  "md5:" + "0" * 64, "sha256:" + "A" * 64])
def test_malformed_references_are_not_references(text):
    assert not is_reference(text)
