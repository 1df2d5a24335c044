"""The digits read from scikit-learn's data file without importing scikit-learn (the workshop
bundle carries only the file): the same images and labels as `load_digits`, bad files refused."""

import gzip
import subprocess
import sys

import numpy as np
import pytest

from ganlab.core.images import digits
from ganlab.core.images.digits import DIGIT_COUNT, digits_file, read_digits


def test_the_same_pixels_and_labels_as_load_digits():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    pixels, labels = read_digits(digits_file())
    np.testing.assert_array_equal(pixels, bunch.images)
    np.testing.assert_array_equal(labels, bunch.target)
    assert labels.dtype == np.int64 and pixels.shape == (DIGIT_COUNT, 8, 8)
    np.testing.assert_array_equal(digits(8).images[:, 0], (bunch.images / 16).astype(np.float32))
    np.testing.assert_array_equal(digits(8).labels, bunch.target)


def test_finding_the_file_does_not_import_sklearn():
    code = ("import sys; from ganlab.core.images.digits import digits_file, read_digits; "
            "read_digits(digits_file()); print('sklearn' in sys.modules, 'scipy' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.split() == ["False", "False"]


def _gzip(path, text):
    path.write_bytes(gzip.compress(text.encode()))
    return path


@pytest.mark.parametrize("content", [
    "1,2,3\n",  # wrong shape
    ("0," * 64 + "3\n") * (DIGIT_COUNT - 1),  # a row short
    ("17," + "0," * 63 + "3\n") * DIGIT_COUNT,  # a pixel above 16
    ("0," * 64 + "10\n") * DIGIT_COUNT,  # label 10
    "not,numbers\n",
])
def test_a_bad_file_is_a_one_line_error_naming_it(tmp_path, content):
    path = _gzip(tmp_path / "digits.csv.gz", content)
    with pytest.raises(ValueError, match=r"digits\.csv\.gz: not scikit-learn's digits file"):
        read_digits(path)


def test_a_file_that_is_not_gzip_is_refused(tmp_path):
    path = tmp_path / "digits.csv.gz"
    path.write_bytes(b"plain text, not gzip")
    with pytest.raises(ValueError, match="not scikit-learn's digits file"):
        read_digits(path)
