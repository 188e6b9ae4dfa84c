"""The native libraries citeflow loads into one process get along, whichever loads first.

usearch 2.24 and later crash a later `import onnxruntime` (a statically linked C++ runtime);
the pin in pyproject.toml keeps that out, and this keeps the pin honest.
"""

import subprocess
import sys

import pytest

LIBRARIES = ["usearch.index", "onnxruntime", "tantivy", "pypdfium2", "mistralrs"]


@pytest.mark.parametrize("first", LIBRARIES)
def test_any_library_may_load_first(first: str) -> None:
    order = [first, *(name for name in LIBRARIES if name != first)]
    code = "".join(f"import {name}\n" for name in order) + "print('loaded')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"importing {order} failed ({result.returncode}): {result.stderr[-500:]}"
    assert result.stdout.strip() == "loaded"
