"""Numba's on-disk cache: a second process loads every kernel from it, and a change to
any kernel source reaches the drivers that compile it in (``embed.jitcache``)."""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import embed

# Trains a tiny model and prints its last loss and how many compilations and cache
# loads the package's jitted functions went through.
TRAIN = """
import json, sys
import numba.core.registry
import embed
assert embed.__file__.startswith(sys.argv[1]), embed.__file__
sentences = [["paris", "france", "rome", "italy", "berlin", "germany"]] * 40
losses = [embed.train(sentences, arch=arch, dim=8, min_count=1, epochs=1, workers=1, progress=False).history[-1].loss
          for arch in sys.argv[2:]]
misses = hits = 0
for name, module in list(sys.modules.items()):
    if name.startswith("embed."):
        for value in vars(module).values():
            if isinstance(value, numba.core.registry.CPUDispatcher):
                misses += sum(value.stats.cache_misses.values())
                hits += sum(value.stats.cache_hits.values())
print(json.dumps({"losses": losses, "compiled": misses, "loaded": hits}))
"""


def train_in_fresh_process(package_parent: pathlib.Path, *archs: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", TRAIN, str(package_parent), *archs], capture_output=True, text=True, cwd=package_parent,
        env={**os.environ, "PYTHONPATH": str(package_parent)},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_second_process_loads_every_kernel_from_the_cache():
    installed = pathlib.Path(embed.__file__).resolve().parent.parent
    train_in_fresh_process(installed, "cbow", "skipgram")  # compiles whatever earlier tests did not
    second = train_in_fresh_process(installed, "cbow", "skipgram")
    assert second["compiled"] == 0 and second["loaded"] > 0, second


SUBSAMPLE = """
import json, sys
import numpy as np
import embed
from embed.text.windows import subsample
assert embed.__file__.startswith(sys.argv[1]), embed.__file__
kept = subsample(np.arange(1000), np.full(1000, 0.5, np.float32), 3)
print(json.dumps({"kept": len(kept), "compiled": sum(subsample.__globals__["subsample_into"].stats.cache_misses.values())}))
"""


def test_an_edited_kernel_file_takes_effect_in_the_functions_that_inline_it(tmp_path):
    # windows.subsample_into inlines rng.uniform from another file, as the drivers
    # inline the losses: keyed on its own file, the cache would keep the old code.
    source = pathlib.Path(embed.__file__).resolve().parent
    shutil.copytree(source, tmp_path / "embed", ignore=shutil.ignore_patterns("__pycache__"))

    def run() -> dict:
        result = subprocess.run([sys.executable, "-c", SUBSAMPLE, str(tmp_path)], capture_output=True, text=True,
                                cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)})
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    first, again = run(), run()
    assert first["compiled"] == 1 and again == {**first, "compiled": 0}
    assert 400 < first["kept"] < 600  # half of the words, at keep rate 0.5
    rng = tmp_path / "embed" / "text" / "rng.py"
    text = rng.read_text()
    old = "    return (next_u64(state) >> np.uint64(11)) * _TO_UNIT\n"
    assert text.count(old) == 1
    rng.write_text(text.replace(old, "    next_u64(state)\n    return 0.0\n"))  # every word is kept
    edited = run()
    assert edited == {"kept": 1000, "compiled": 1}
