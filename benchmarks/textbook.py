"""The textbook model on the Factbook: what skip-gram's shared softmax saves, and what
momentum and a stepped learning rate do to the loss.

    python benchmarks/textbook.py epochs     # one epoch each: skip-gram shared, pairs; CBOW
    python benchmarks/textbook.py momentum   # 3 epochs each; writes the loss curves to --plot
    python benchmarks/textbook.py demo-settings   # the sweep the demo's settings come from

`epochs` times the whole `embed train` process (start-up, vocabulary, one epoch of the
full softmax, writing) in a fresh process per setting, after a warm-up that compiles
the kernels, and prints the epoch alone as embed reports it. `momentum` trains skip-gram
with the shared full softmax for 3 epochs with plain SGD, with classical momentum 0.9 at
a tenth of the learning rate (the same step in the long run, 1 / (1 - 0.9) = 10 times
each gradient), with momentum 0.9 at the full rate, and with plain SGD on a stepped rate
(a tenth from epoch 3), draws their loss per epoch and per tenth of an epoch in one
picture, and prints each run's final loss and capital-country analogies (the Factbook's
in-vocabulary questions, 3CosMul).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import machine, run_embed, table  # noqa: E402

SETTINGS = {
    "skip-gram, shared softmax (default)": ["--arch", "skipgram"],
    "skip-gram, a softmax per pair": ["--arch", "skipgram", "--skipgram-softmax", "pairs"],
    "CBOW": ["--arch", "cbow"],
}
RUNS = {  # label: settings
    "SGD, alpha 0.025": dict(alpha=0.025),
    "momentum 0.9, alpha 0.0025": dict(alpha=0.0025, min_alpha=0.0, momentum=0.9),
    "momentum 0.9, alpha 0.025": dict(alpha=0.025, momentum=0.9),
    "SGD, alpha 0.025, step /10 at epoch 3": dict(alpha=0.025, lr_schedule="step", lr_step_epochs=(3,)),
}


def epochs(corpus: str, workers: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "v.bin")
        common = ["--loss", "softmax", "--epochs", "1", "--workers", str(workers), "--quiet", "-o", out]
        for extra in SETTINGS.values():  # compiles each kernel once, untimed
            run_embed(["train", corpus, *common, *extra, "--max-vocab", "50"])
        rows = [["", "whole process s", "training s (embed's own count)", "peak RSS MB"]]
        for name, extra in SETTINGS.items():
            seconds, peak, output = run_embed(["train", corpus, *common, *extra])
            trained = re.search(r"trained [\d,]+ words in ([\d.]+) s", output).group(1)
            rows.append([name, f"{seconds:.1f}", trained, f"{peak:.0f}"])
            print(rows[-1], flush=True)
    print(f"\n{machine()}; {corpus}, the full softmax, d=100, window 5, one epoch, {workers} workers\n")
    print(table(rows))


def momentum(corpus: str, workers: int, plot: str) -> None:
    from embed import Config, EmbedError, Word2Vec, plot_loss
    from embed.demo import analogy_accuracy

    models, rows = {}, [["", "final loss", "loss per epoch", "capital analogies %", "seconds"]]
    for label, settings in RUNS.items():
        config = Config(arch="skipgram", loss="softmax", epochs=3, workers=workers, seed=1, **settings)
        started = time.perf_counter()
        model = Word2Vec(config).build_vocab(corpus)
        try:
            model.train(corpus, progress=False)
        except EmbedError as error:  # a diverged run is a finding, not a failure of the benchmark
            rows.append([label, "diverged", str(error).split(";")[0], "", ""])
            print(rows[-1], flush=True)
            continue
        seconds = time.perf_counter() - started
        right, asked, _ = analogy_accuracy(model.wv, "3cosmul")["capitals"]
        models[label] = model
        rows.append([label, f"{model.history[-1].loss:.3f}", " ".join(f"{h.loss:.3f}" for h in model.history),
                     f"{100 * right / max(asked, 1):.1f}", f"{seconds:.0f}"])
        print(rows[-1], flush=True)
    plot_loss(models, plot, title="Skip-gram, full softmax, on the Factbook: SGD against momentum")
    print(f"\n{machine()}; {corpus}, skip-gram, shared full softmax, d=100, window 5, 3 epochs, {workers} workers\n")
    print(table(rows))
    print(f"\nwrote {plot}")


SWEEP = {  # label: settings changed from the demo's (skip-gram, negative sampling, d=100)
    "window 5, 10 epochs (the demo before)": dict(window=5, epochs=10, sample=1e-3),
    "window 10, 10 epochs": dict(window=10, epochs=10, sample=1e-3),
    "window 20, 10 epochs": dict(window=20, epochs=10, sample=1e-3),
    "window 30, 10 epochs": dict(window=30, epochs=10, sample=1e-3),
    "CBOW, window 10, 10 epochs": dict(arch="cbow", window=10, epochs=10, sample=1e-3),
    "window 20, 20 epochs, sample 1e-4": dict(window=20, epochs=20, sample=1e-4),
    "window 20, 30 epochs, sample 1e-4 (the demo)": dict(window=20, epochs=30, sample=1e-4),
    "window 30, 30 epochs, sample 1e-4": dict(window=30, epochs=30, sample=1e-4),
    "window 20, 30 epochs, sample 3e-4": dict(window=20, epochs=30, sample=3e-4),
}


def demo_settings(corpus: str, workers: int) -> None:
    """The sweep the demo's settings were chosen from: capital-country analogies by
    3CosAdd and 3CosMul (in-vocabulary questions), one run each."""
    from embed import Word2Vec
    from embed.demo import FACTBOOK_CONFIG, analogy_accuracy

    rows = [["settings (skip-gram, d=100)", "3CosAdd %", "3CosMul %", "training s"]]
    for label, settings in SWEEP.items():
        config = FACTBOOK_CONFIG.replace(workers=workers, **settings)
        model = Word2Vec(config).build_vocab(corpus)
        model.train(corpus, progress=False)
        shares = []
        for method in ("3cosadd", "3cosmul"):
            right, asked, _ = analogy_accuracy(model.wv, method)["capitals"]
            shares.append(f"{100 * right / max(asked, 1):.1f} (of {asked:,})")
        rows.append([label, *shares, f"{sum(h.seconds for h in model.history):.1f}"])
        print(rows[-1], flush=True)
    print(f"\n{machine()}; {corpus}, {workers} workers, one run each\n")
    print(table(rows))


def main() -> None:
    from embed.data import bundled

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["epochs", "momentum", "demo-settings"])
    parser.add_argument("--corpus", default=bundled("factbook.txt.xz"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--plot", default="loss-factbook-softmax.png")
    args = parser.parse_args()
    if args.what == "epochs":
        epochs(args.corpus, args.workers)
    elif args.what == "demo-settings":
        demo_settings(args.corpus, args.workers)
    else:
        momentum(args.corpus, args.workers, args.plot)


if __name__ == "__main__":
    main()
