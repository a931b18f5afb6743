"""Hot rows every round, the rest every few rounds (issue 15): an experiment, not the engine.

CBOW in rounds keeps its accuracy only with rounds of about 100,000 words, where a round's
28 MB exchange and the model's copy and compare cost as much as training; at a million
words it loses two points (benchmarks/README.md). This script tests one explanation: that
the shards are coupled through the few hundred most frequent rows, which every piece
updates thousands of times, while a rare row can wait for the next full merge.

The scheme: every shard keeps a model of its own. A round trains each shard's piece on
its model in place; the hottest ``--hot`` input and output rows (the most frequent words)
are merged every round (summed in shard order) and copied into every shard's model; the
other rows' changes stay in their shard's model and are summed into the shared model
every ``--full`` rounds (and at each epoch's end), after which every shard starts from it.

accuracy: the scheme on threads of this process, one row per (hot, round words, full)
setting; analogy accuracy (questions-words, 30,000 most frequent words), WordSim-353 and
the sha256 of the input rows (which ``one-cluster-run`` prints for the same settings),
beside the thread engine (Hogwild) on the same settings:

    python benchmarks/hot_rows.py accuracy --hot 500 --round-words 100000 --full 10

``--delays 0 1`` adds the same settings with the hot rows a round late: a round between
full merges starts from the hot rows as merged two rounds back, plus its shard's own last
round. On a cluster a round's exchange could then travel while the next round trains,
and a shard would not wait for the others' pieces of the round before:

    python benchmarks/hot_rows.py accuracy --hot 512 --round-words 300000 --full 4 --delays 0 1

speed: the same scheme on a LocalCluster of 1 and 2 single-threaded worker processes
(each worker keeps its shards' models and the shared one, and fetches only the hot rows'
changes, and at a full merge the rest), beside ``embed train --workers 2`` (Hogwild);
words/s of the epochs (training alone: after the model and the pieces are on the workers),
each in a fresh process, taking turns; and whether local:1 and local:2 gave bit-identical
vectors:

    python benchmarks/hot_rows.py speed --hot 500 --round-words 300000 --full 3 --repeats 3

The prototype has none of the engine's recovery: a lost worker loses its shards' models.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, machine, plain_copy, table  # noqa: E402


class Step(NamedTuple):
    """What one shard's piece sends: its hot rows' deltas, and at a full merge the other
    rows it changed since the last one (rows, deltas), with its totals."""

    hot_in: np.ndarray
    hot_out: np.ndarray
    cold: tuple | None
    loss: float
    examples: int
    words: int


def bring_up(shared, previous: list, full: bool, hot: int, factors=None) -> None:
    """The shared model after the round whose ``previous`` steps are given, in shard order:
    summed, or where ``factors`` is given (the frequency rule's, for the hot rows over a
    round and for the others over a full merge's rounds), each row's sum scaled."""
    from embed.kernels.densematrix import add_scaled_rows
    from embed.kernels.piece import Changes, apply_changes

    for step in previous:
        if factors is None:
            shared[0][:hot] += step.hot_in
            shared[1][:hot] += step.hot_out
        else:
            shared[0][:hot] += factors[0][0][:hot, None] * step.hot_in
            shared[1][:hot] += factors[0][1][:hot, None] * step.hot_out
    if full:
        for step in previous:
            for k, (matrix, (rows, delta)) in enumerate(zip(shared, step.cold)):
                if factors is None:
                    apply_changes(matrix, Changes(rows, delta), 1.0)  # jitted: NumPy's += on rows made 3 passes
                else:
                    add_scaled_rows(matrix, rows, delta, factors[1][k])


def train_step(own, shared, after_full: bool, hot: int, full: bool, plan, ids, offsets, number, a0, a1,
               carried: Step | None = None) -> Step:
    """Train one piece on the shard's own model in place, from the shared hot rows (and,
    after a full merge, the whole shared model); with ``carried`` (``--delay 1``), the
    shared hot rows are a round behind and the shard's own last round is added to them."""
    from embed.kernels.densematrix import row_changes
    from embed.kernels.piece import Piece, new_worker, train_piece

    for k, (mine, common) in enumerate(zip(own, shared)):
        if after_full:
            np.copyto(mine, common)
        elif carried is not None:
            mine[:hot] = common[:hot] + (carried.hot_in, carried.hot_out)[k]
        else:
            mine[:hot] = common[:hot]
    before = (own[0][:hot].copy(), own[1][:hot].copy())
    worker = new_worker(plan, own[1].shape[0], own[1].shape[1])
    outcome = train_piece(own[0], own[1], plan, worker, Piece(number, ids, offsets, a0, a1))
    cold = None
    if full:
        cold = []
        for mine, common in zip(own, shared):
            rows, delta = row_changes(common, mine)
            keep = rows >= hot
            cold.append((rows[keep], delta[keep]))
    return Step(own[0][:hot] - before[0], own[1][:hot] - before[1], cold, outcome.loss, outcome.examples,
                int(offsets[-1]))


def plan_rounds(model, corpus: str, args):
    """Every round of the run: its tasks (shard, ids, offsets, piece number, a0, a1) and
    whether it ends with a full merge (every ``--full`` rounds, at an epoch's end, and
    where a shard has its last piece of the epoch, so that no shard's changes wait past it)."""
    from embed.training.rounds import encode_shard, piece_bounds, piece_number
    from embed.training.schedule import Schedule

    config = model.config
    encoded = [encode_shard(shard, model.vocab.words, config) for shard in model._shards(corpus)]
    bounds = [piece_bounds(e, args.round_words) for e in encoded]
    per_epoch = sum(int(words.sum()) for _, words in bounds)
    schedule = Schedule.for_run(config, config.epochs, per_epoch)
    rounds = []
    pieces = max(len(words) for _, words in bounds)
    for epoch in range(config.epochs):
        schedule.done = epoch * per_epoch
        for r in range(pieces):
            active = [s for s in range(len(bounds)) if r < len(bounds[s][1])]
            a0, a1 = schedule.span(sum(int(bounds[s][1][r]) for s in active))
            full = (r + 1) % args.full == 0 or any(r == len(bounds[s][1]) - 1 for s in active)
            tasks = []
            for s in active:
                first, last = int(bounds[s][0][r]), int(bounds[s][0][r + 1])
                begin, end = encoded[s].offsets[first], encoded[s].offsets[last]
                tasks.append((s, encoded[s].ids[begin:end], encoded[s].offsets[first:last + 1] - begin,
                              piece_number(epoch, s, r), a0, a1))
            rounds.append((tasks, full))
    return rounds


def new_model(corpus: str, args):
    from embed import Config, Word2Vec

    config = Config(arch=args.arch, loss="negative", epochs=args.epochs, shards=args.shards, deterministic=True,
                    round_words=args.round_words)
    return Word2Vec(config).build_vocab(corpus)


def frequency(model, args):
    """The frequency rule's factors: (hot (input, output), others (input, output)), the hot
    rows' from one round's updates, the others' from a full merge's rounds'."""
    from embed.training.rounds import CONTRACTION, frequency_factors
    from embed.training.tables import expected_updates

    updates = expected_updates(model.config, model.vocab, model.plan, model.weights.rows)
    return tuple(tuple(frequency_factors(n * scale, args.shards, c) for n, c in zip(updates, CONTRACTION))
                 for scale in (1, args.full))


def on_threads(corpus: str, args):
    """The scheme on threads of this process: the model, trained."""
    model = new_model(corpus, args)
    rows = model.weights.rows
    shared = [model.weights.input[:rows], model.weights.output[:rows]]
    own = [[m.copy() for m in shared] for _ in range(args.shards)]
    rounds = plan_rounds(model, corpus, args)
    factors = frequency(model, args) if args.merge == "frequency" else None
    pending, after_full = [], True  # rounds whose steps the shared model has yet to take, oldest first
    with ThreadPoolExecutor(2) as pool:
        for tasks, full in rounds:
            # With --delay 1, a round between full merges takes the hot rows as merged two
            # rounds back, so that the round before's exchange could travel while it trains;
            # a round after a full merge still waits for every row.
            held = 1 if args.delay and not after_full else 0
            for steps, was_full in pending[: len(pending) - held]:
                bring_up(shared, [step for _, step in steps], was_full, args.hot, factors)
            pending = pending[len(pending) - held:]
            carried = {step_shard: step for step_shard, step in pending[0][0]} if pending else {}
            steps = list(pool.map(lambda t: (t[0], train_step(own[t[0]], shared, after_full, args.hot, full,
                                                              model.plan, *t[1:], carried=carried.get(t[0]))),
                                  tasks))
            pending.append((steps, full))
            after_full = full
        for steps, was_full in pending:
            bring_up(shared, [step for _, step in steps], was_full, args.hot, factors)
    model._vectors = None
    return model


def accuracy(args, corpus: str) -> None:
    from rounds import scores

    from embed import Config, Word2Vec

    rows = [["configuration", "run", "merge", "hot rows", "round words", "full merge every", "hot rows' delay",
             "analogy %", "WS353", "sha256 of the input rows"]]
    if not args.no_threads:
        model = Word2Vec(Config(arch=args.arch, loss="negative", epochs=args.epochs, workers=2)).build_vocab(corpus)
        model.train(corpus, progress=False)
        analogy, ws = scores(model)
        rows.append([f"{args.arch}-negative", "threads (Hogwild), 2 workers", "-", "-", "-", "-", "-", f"{analogy:.2f}",
                     f"{ws:.3f}", "-"])
        print(" | ".join(rows[-1]), flush=True)
    for hot in args.hot_sweep or [args.hot]:
        for words in args.round_words_sweep or [args.round_words]:
            for full, delay in [(full, delay) for full in args.full_sweep or [args.full] for delay in args.delays]:
                settings = argparse.Namespace(**{**vars(args), "hot": hot, "round_words": words, "full": full,
                                                 "delay": delay})
                model = on_threads(corpus, settings)
                analogy, ws = scores(model)
                digest = hashlib.sha256(model.weights.input[: model.weights.rows].tobytes()).hexdigest()
                rows.append([f"{args.arch}-negative", f"{args.shards} shards", args.merge, f"{hot:,}", f"{words:,}",
                             f"{full} rounds ({full * words:,} words)", f"{delay} round", f"{analogy:.2f}",
                             f"{ws:.3f}", digest[:12]])
                print(" | ".join(rows[-1]), flush=True)
    print()
    print(table(rows))


# -- on a LocalCluster --------------------------------------------------------------------------------------


def _state(run: str) -> dict:
    from distributed import get_worker

    worker = get_worker()
    if getattr(worker, "hot_rows_run", None) != run:
        worker.hot_rows_run, worker.hot_rows_state = run, {}
    return worker.hot_rows_state


def _start(run: str, shard: int, model) -> None:
    state = _state(run)
    if "shared" not in state:
        state["shared"], state["round"] = [m.copy() for m in model], 0
    state[shard] = [m.copy() for m in model]


def _shared_at(run, number_of_round, previous, full, hot, factors) -> dict:
    """This worker's state, its shared model brought up to round ``number_of_round`` by
    the first of its tasks in that round."""
    state = _state(run)
    if state["round"] == number_of_round - 1:
        bring_up(state["shared"], previous, full, hot, factors)
        state["round"] = number_of_round
    return state


def _round_task(run, number_of_round, previous, after_full, hot, full, plan, factors, task) -> Step:
    state = _shared_at(run, number_of_round, previous, after_full and bool(previous), hot, factors)
    return train_step(state[task[0]], state["shared"], after_full, hot, full, plan, *task[1:])


def _final(run, number_of_round, previous, hot, factors):
    return _shared_at(run, number_of_round, previous, True, hot, factors)["shared"][0].copy()


def on_cluster(corpus: str, args, workers: int) -> None:
    """One run of the scheme on a LocalCluster (called in a fresh process): prints the
    epochs' words/s and the sha256 of the input vectors."""
    from distributed import wait

    from embed.training.cluster import connected

    model = new_model(corpus, args)
    rows = model.weights.rows
    model_rows = [model.weights.input[:rows], model.weights.output[:rows]]
    rounds = plan_rounds(model, corpus, args)
    if any(len(tasks) != args.shards for tasks, _ in rounds):
        # A worker brings its shared model up to date from the round before only: one
        # that sat a round out would miss that round's changes.
        raise SystemExit("the prototype needs every shard in every round: shards with as many pieces each")
    with connected(f"local:{workers}") as client:  # the LocalCluster `embed train --cluster local:N` starts
        names = sorted(client.scheduler_info()["workers"])
        home = {s: [names[s % len(names)]] for s in range(args.shards)}
        run = os.urandom(8).hex()
        sent = client.scatter(model_rows, broadcast=True)
        wait([client.submit(_start, run, s, sent, workers=home[s], pure=False) for s in range(args.shards)])
        # In lists: a tuple would go item by item.
        [plan, factors] = client.scatter([model.plan, frequency(model, args) if args.merge == "frequency" else None],
                                         broadcast=True)
        # Each piece's ids go to its shard's worker before the clock starts, as the engine
        # encodes its shards where they train.
        by_shard = {s: [task for tasks, _ in rounds for task in tasks if task[0] == s] for s in range(args.shards)}
        scattered = {s: iter(client.scatter(by_shard[s], workers=home[s])) for s in by_shard}
        pieces = [[next(scattered[task[0]]) for task in tasks] for tasks, _ in rounds]
        wait([p for round_pieces in pieces for p in round_pieces])
        started = time.perf_counter()
        previous, after_full = [], True
        for number, ((tasks, full), round_pieces) in enumerate(zip(rounds, pieces), start=1):
            previous = [client.submit(_round_task, run, number, previous, after_full, args.hot, full, plan, factors,
                                      piece,
                                      workers=home[task[0]], pure=False)
                        for task, piece in zip(tasks, round_pieces)]
            after_full = full
        final = client.submit(_final, run, len(rounds) + 1, previous, args.hot, factors, workers=home[0], pure=False)
        vectors = final.result()
        seconds = time.perf_counter() - started
    words = sum(int(t[2][-1]) for tasks, _ in rounds for t in tasks)
    print(f"words/s {words / seconds:.0f} sha256 {hashlib.sha256(vectors.tobytes()).hexdigest()}")


def speed(args, corpus: str) -> None:
    from rounds import _train

    base = [sys.executable, os.path.abspath(__file__), "--corpus", corpus, "--arch", args.arch, "--epochs",
            str(args.epochs), "--shards", str(args.shards), "--hot", str(args.hot), "--round-words",
            str(args.round_words), "--full", str(args.full), "--merge", args.merge]
    runs = [("scheme, --cluster local:1", base + ["one-cluster-run", "--workers", "1"]),
            ("scheme, --cluster local:2", base + ["one-cluster-run", "--workers", "2"]),
            ("threads (Hogwild), 2 workers", [corpus, "-o", os.path.join(args.out, "hogwild.bin"), "--arch",
                                              args.arch, "--loss", "negative", "--epochs", str(args.epochs),
                                              "--workers", "2"])]
    rates: list[list[float]] = [[] for _ in runs]
    hashes = set()
    for repeat in range(args.repeats):
        for i, (label, command) in enumerate(runs):
            if i == 2:
                rate = _train(command).epochs  # embed train: its epochs' words/s
            else:
                result = subprocess.run(command, capture_output=True, text=True)
                if result.returncode:
                    raise SystemExit(result.stderr)
                found = re.search(r"words/s (\d+) sha256 (\w+)", result.stdout)
                rate = float(found.group(1))
                hashes.add(found.group(2))
            rates[i].append(rate)
            print(f"{label} | repeat {repeat + 1} | {rate:,.0f}", flush=True)
    medians = [float(np.median(r)) for r in rates]
    rows = [["run", "training words/s (median)", "ratio to local:1"]]
    for (label, _), median in zip(runs, medians):
        rows.append([label, f"{median:,.0f}", f"{median / medians[0]:.2f}"])
    print(f"\n{machine()}; {args.arch}, negative sampling, {args.shards} shards, hot rows {args.hot}, "
          f"{args.round_words:,}-word rounds, full merge every {args.full}; median of {args.repeats}")
    print(table(rows))
    print(f"local:2 is {medians[1] / medians[0]:.2f} x local:1 (target 1.8) and {medians[1] / medians[2]:.2f} x "
          f"Hogwild (target 0.85); local:1 and local:2 gave {len(hashes)} distinct sha256")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["accuracy", "speed", "one-cluster-run"])
    parser.add_argument("--corpus", default=None, help="default: wiki2015-17m, decompressed to /tmp")
    parser.add_argument("--arch", default="cbow", choices=["cbow", "skipgram"])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--hot", type=int, default=500, help="the rows merged every round, in each matrix")
    parser.add_argument("--round-words", type=int, default=100_000)
    parser.add_argument("--merge", default="sum", choices=["sum", "frequency"],
                        help="the changes summed, or scaled by the frequency rule")
    parser.add_argument("--full", type=int, default=10, help="rounds between full merges")
    parser.add_argument("--hot-sweep", type=int, nargs="*", help="accuracy: several --hot values")
    parser.add_argument("--round-words-sweep", type=int, nargs="*", help="accuracy: several --round-words values")
    parser.add_argument("--full-sweep", type=int, nargs="*", help="accuracy: several --full values")
    parser.add_argument("--delays", type=int, nargs="+", default=[0], choices=[0, 1],
                        help="accuracy: 1 has the rounds between full merges take the hot rows as merged two "
                        "rounds back, plus the shard's own last round (0: the round before's)")
    parser.add_argument("--no-threads", action="store_true", help="accuracy: leave out the Hogwild row")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="one-cluster-run: worker processes")
    parser.add_argument("--out", default="/tmp")
    args = parser.parse_args()
    corpus = args.corpus or plain_copy(WIKI)
    if args.what == "one-cluster-run":
        on_cluster(corpus, args, args.workers)
    else:
        {"accuracy": accuracy, "speed": speed}[args.what](args, corpus)


if __name__ == "__main__":
    main()
