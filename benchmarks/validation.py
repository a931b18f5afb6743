"""Validation while training on wiki2015-17m: the held-out loss per epoch, and early
stopping with a learning rate set too high on purpose.

    python benchmarks/validation.py [--epochs 5] [--held-out 1000000]

The corpus's last ``--held-out`` tokens are held out, the rest is trained on, by the
``embed train`` command a user runs (skip-gram, negative sampling, 2 workers, seed 1):
once with the defaults and ``--validate held-out.txt``, once with ``--alpha 0.25``
(ten times the default) and ``--early-stop 1``. Prints each run's epoch lines (training
loss, held-out loss) and what the early stop kept.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, machine, plain_copy  # noqa: E402


def split(corpus: str, held_out: int, folder: str) -> tuple[str, str]:
    train, held = os.path.join(folder, "wiki-train.txt"), os.path.join(folder, f"wiki-held-out-{held_out}.txt")
    if not (os.path.exists(train) and os.path.exists(held)):
        with open(plain_copy(corpus), encoding="utf-8") as f:
            tokens = f.read().split()
        for path, part in ((train, tokens[:-held_out]), (held, tokens[-held_out:])):
            with open(path + ".part", "w", encoding="utf-8") as f:
                f.write(" ".join(part) + "\n")
            os.replace(path + ".part", path)
    return train, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--held-out", type=int, default=1_000_000)
    parser.add_argument("--corpus", default=WIKI)
    parser.add_argument("--folder", default="/tmp")
    args = parser.parse_args()
    train, held = split(args.corpus, args.held_out, args.folder)
    print(f"# {machine()}; trained on {train}, held out {held}")
    base = [sys.executable, "-m", "embed", "train", train, "--arch", "skipgram", "--loss", "negative", "--workers", "2",
            "--seed", "1", "--epochs", str(args.epochs), "--validate", held]
    for label, extra in [("defaults (alpha 0.025)", []), ("alpha 0.25, --early-stop 1", ["--alpha", "0.25",
                                                                                          "--early-stop", "1"])]:
        output = os.path.join(args.folder, "validation-run.bin")
        command = base + ["-o", output] + extra
        print(f"\n## {label}\n$ {' '.join(command[1:])}", flush=True)
        done = subprocess.run(command, capture_output=True, text=True)
        for line in (done.stdout + done.stderr).splitlines():
            if line.startswith(("epoch ", "stopped early", "text:", "cut:", "subsampling:", "validation:", "embed:")):
                print(line, flush=True)
        if done.returncode:
            print(f"(exit status {done.returncode})")


if __name__ == "__main__":
    main()
