"""CBOW with negative sampling, embed against gensim on questions-words over seeds.

    python benchmarks/syntactic.py --seeds 1 2 3

For each seed, embed and gensim train cbow-negative with embed's default settings (d=100,
window 5, 5 epochs) on 2 workers, each in a fresh process (benchmarks/workers.py trains
and scores), and one JSON line per run gives syntactic, semantic and overall analogy
accuracy (30,000 most frequent words), WordSim-353 Spearman and the last loss (null for
gensim). A summary follows: each tool's mean and standard deviation of the syntactic
accuracy, embed - gensim, and each "gram*" section's mean accuracy for both tools.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, plain_copy, run_child, table  # noqa: E402

TOOLS = ("embed", "gensim")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--config", default="cbow-negative")
    parser.add_argument("--corpus", default=WIKI)
    args = parser.parse_args()

    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "workers.py")
    corpora = {"embed": args.corpus, "gensim": plain_copy(args.corpus)}
    runs: dict[str, list[dict]] = {tool: [] for tool in TOOLS}
    for seed in args.seeds:
        for tool in TOOLS:
            record = run_child([script, "--child", tool, args.config, str(args.workers), str(seed), corpora[tool]])
            record.pop("peak_rss_mb")
            runs[tool].append(record)
            print(json.dumps({k: record[k] for k in ("tool", "seed", "syntactic", "semantic", "analogy",
                                                     "ws353", "loss")}), flush=True)

    def spread(tool: str, key: str) -> tuple[float, float]:
        values = [r[key] for r in runs[tool]]
        return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0

    rows = [["tool", "syntactic % mean", "sd", "semantic % mean", "overall % mean", "WS353 mean"]]
    for tool in TOOLS:
        mean, sd = spread(tool, "syntactic")
        rows.append([tool, f"{mean:.2f}", f"{sd:.2f}", f"{spread(tool, 'semantic')[0]:.2f}",
                     f"{spread(tool, 'analogy')[0]:.2f}", f"{spread(tool, 'ws353')[0]:.4f}"])
    difference = spread("embed", "syntactic")[0] - spread("gensim", "syntactic")[0]
    print(f"\n{args.config}, {args.workers} workers, seeds {' '.join(map(str, args.seeds))}\n")
    print(table(rows))
    print(f"\nsyntactic embed - gensim: {difference:+.2f} points\n")

    sections = [s for s in runs["embed"][0]["sections"] if s.startswith("gram")]
    rows = [["section", "embed %", "gensim %", "embed - gensim"]]
    for section in sections:
        means = [statistics.mean(r["sections"][section] for r in runs[tool]) for tool in TOOLS]
        rows.append([section, f"{means[0]:.2f}", f"{means[1]:.2f}", f"{means[0] - means[1]:+.2f}"])
    print(table(rows))


if __name__ == "__main__":
    main()
