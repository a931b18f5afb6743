"""Training in rounds (issue 15): what the merge rule, the round length and the number of
shards cost in accuracy, and what the engine costs in speed, against Hogwild threads.

    python benchmarks/rounds.py accuracy --tokens 3000000 --epochs 3 --shards 2 4 8
    python benchmarks/rounds.py accuracy --merges row-average --round-words 50000 250000 1000000000
    python benchmarks/rounds.py accuracy --shards 8 --merges frequency --round-words 10000 --full-merge-every 1 --contraction 0.003,0.003
    python benchmarks/rounds.py accuracy --configs cbow-negative --shards 2 --merges hogwild --round-words 300000 500000 --full-merge-every 3 4
    python benchmarks/rounds.py speed --epochs 2 --configs cbow-negative --repeats 3
    python benchmarks/rounds.py costs --shards 2 --rounds 8
    python benchmarks/rounds.py timeline --epochs 2

Round words and full merges default to embed's own (``Config``): 300,000 and 4.

accuracy: for each configuration, one row for the thread engine (Hogwild, 2 workers) and
one per (shards, merge, round words, full merge every) trained in rounds on 2 threads (``deterministic``);
round words beyond a shard's size give one round per epoch, Spark MLlib's once-per-pass
averaging when the merge is ``row-average``. Each row: training seconds (the model's
own clock), final loss, analogy accuracy (questions-words, 30,000 most frequent words)
and WordSim-353 Spearman.

speed: words/s for one process training one shard on one thread (``--deterministic
--workers 1 --shards 1``), ``--cluster local:1`` and ``local:2`` (one and two
single-threaded worker processes, 2 shards: the same vectors), 2 shards on 2 threads,
and the thread engine with 2 threads; each run a fresh
``embed train`` process after one untimed run has compiled the kernels; with
``--repeats N`` the five take turns N times and each shows its median. Two figures
each: the epochs alone (from the epoch lines), and the whole train call (from its
closing line: with the shards' encoding and the kernels' loading; a cluster starts
before it, with the vocabulary pass). And the cores each run kept busy after its first
epoch: its own process (the coordinator, and a LocalCluster's scheduler, which runs
in it) and its child processes (a LocalCluster's nannies and workers): on 2 cores,
what the coordinator takes in ``local:2`` comes out of the workers' time. ``--runs``
picks the runs (the ratios are to the first):

    python benchmarks/rounds.py speed --epochs 2 --configs cbow-negative --runs local:1 local:2 hogwild --repeats 3

cores: what two busy cores of this host give against one, with nothing exchanged: one
single-threaded ``embed train --workers 1`` process alone, then two such processes at
once (each its own output), taking turns; words/s of the second epoch (of at least 3)
from the epoch lines, where both processes are training. The two together over the
one alone bounds ``local:2`` over ``local:1`` for any scheme that runs two processes
where one ran, with all of the exchange's costs left out:

    python benchmarks/rounds.py cores --epochs 3 --configs cbow-negative skipgram-negative --repeats 3

barrier: what the host's noise costs an engine that waits for both shards every round,
with the exchange itself left out. Two fresh processes, one a shard, each train
``--rounds`` pieces of ``--round-words`` words on one thread, started together, then each
alone; from their piece times: the two alone (one process training both) against the
slower of the two at once, and against the sum over rounds of the slower piece:

    python benchmarks/rounds.py barrier --configs cbow-negative skipgram-negative --rounds 25 --repeats 2

costs: per cycle (``--full-merge-every`` rounds; ``--rounds`` rounds in whole cycles),
measured in this process on one thread: a task's kernels, the copy of the merged model
into its shard's own at a cycle's start and the compare of every row at its end, the
bytes of its change between full merges (the hot rows) and at one (every row the cycle
changed), and the merge of each; from them, a model of words/s on 8, 32 and 128 machines
of 16 cores on 10 Gb/s links, for wiki-sized and news-sized models, as the engine is
today and with the next step (a merge sharded across the machines). With
``--full-merge-every 1`` every round's change is a full one, and the kernels' figure
holds the copy and the compare.

timeline: where each worker process's time goes in ``--cluster local:1`` and ``local:2``
(2 shards, one run each in this process, on the LocalCluster ``embed`` starts), from
Dask's task stream: computing the training tasks, and between them fetching the other
worker's changes and waiting for its task, apart for the rounds between full merges and
for the full merges. What ``local:2`` spends beyond ``local:1`` outside its computing is
what the exchange costs:

    python benchmarks/rounds.py timeline --epochs 2 --configs cbow-negative skipgram-negative

upkeep: the CPU an idle LocalCluster of 2 single-threaded worker processes takes, over
``--seconds``: with Dask's own settings, and as ``embed`` starts it (``--cluster
local:2``); the coordinator's process (the client, the scheduler and the nannies) and
each worker's, in percent of a core. On as many workers as cores it comes out of training:

    python benchmarks/rounds.py upkeep --repeats 3
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, machine, plain_copy, prefix_corpus, table  # noqa: E402


def scores(model) -> tuple[float, float]:
    from embed.data import bundled
    from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs

    wv = model.wv
    analogy = evaluate_word_analogies(wv, bundled("questions-words.txt"), restrict_vocab=30_000)
    return 100 * analogy.accuracy, evaluate_word_pairs(wv, bundled("wordsim353.tsv")).spearman


def accuracy(args, corpus: str) -> None:
    from embed import Config, EmbedError, Word2Vec
    from embed.training import rounds

    if args.contraction:
        # The frequency rule's constant, for a sweep: the rounds here run on threads of this process.
        rounds.CONTRACTION = tuple(float(c) for c in args.contraction.split(","))

    rows = [["configuration", "engine", "shards", "merge", "round words", "full merge every", "train s", "loss",
             "analogy %", "WS353"]]
    for config_name in args.configs:
        arch, loss = config_name.split("-")
        base = Config(arch=arch, loss=loss, epochs=args.epochs, workers=2)
        runs = ([] if args.no_threads else [("threads", base)]) + [
            ("rounds", base.replace(deterministic=True, shards=shards, merge=merge, round_words=words,
                                    full_merge_every=every))
            for shards in args.shards for merge in args.merges for words in args.round_words
            for every in args.full_merge_every]
        for engine, config in runs:
            shown = [config_name, engine] + ([str(config.shards), config.merge, f"{config.round_words:,}",
                                              str(config.full_merge_every)] if engine == "rounds" else ["-"] * 4)
            model = Word2Vec(config).build_vocab(corpus)
            try:
                model.train(corpus, progress=False)
            except EmbedError as error:  # a merge rule that diverges is a finding, not a failure of the benchmark
                rows.append(shown + ["-", str(error).split(";")[0], "-", "-"])
                print(" | ".join(rows[-1]), flush=True)
                continue
            seconds = sum(h.seconds for h in model.history)
            analogy, ws = scores(model)
            rows.append(shown + [f"{seconds:.1f}", f"{model.history[-1].loss:.4f}", f"{analogy:.2f}", f"{ws:.3f}"])
            print(" | ".join(rows[-1]), flush=True)
    print()
    print(table(rows))


def speed(args, corpus: str) -> None:
    import numpy as np

    folder = tempfile.mkdtemp(prefix="embed-rounds-")
    out = os.path.join(folder, "v.bin")
    warm = prefix_corpus(corpus, 50_000, folder)
    rows = [["configuration", "run", "training words/s", "ratio", "train call words/s", "ratio",
             "coordinator cores", "worker process cores"]]
    targets = []
    for config_name in args.configs:
        arch, loss = config_name.split("-")
        common = ["--arch", arch, "--loss", loss]
        rounds = ["--round-words", str(args.round_words[0]), "--merge", args.merges[0], "--full-merge-every",
                  str(args.full_merge_every[0])]
        runs = {"one": ("one process, one thread, 1 shard", ["--deterministic", "--workers", "1", "--shards", "1",
                                                               *rounds]),
                "local:1": ("--cluster local:1, 2 shards", ["--cluster", "local:1", "--shards", "2", *rounds]),
                "local:2": ("--cluster local:2, 2 shards", ["--cluster", "local:2", "--shards", "2", *rounds]),
                "deterministic": ("--deterministic, 2 threads, 2 shards", ["--deterministic", "--workers", "2",
                                                                           "--shards", "2", *rounds]),
                "hogwild": ("threads (Hogwild), 2 workers", ["--workers", "2"])}
        runs = {key: runs[key] for key in args.runs}
        # Untimed: compiles each run's kernels into Numba's cache, which every later process loads.
        for _, extra in runs.values():
            _train([warm, "-o", out, "--epochs", "1", *common, *extra])
        # The runs take turns, so that a slow spell of this shared host falls on all of them.
        measured: dict[str, list[Measurement]] = {key: [] for key in runs}
        for repeat in range(args.repeats):
            for key, (label, extra) in runs.items():
                measured[key].append(_train([corpus, "-o", out, "--epochs", str(args.epochs), *common, *extra]))
                if args.repeats > 1:
                    print(f"{config_name} | {label} | repeat {repeat + 1} | {measured[key][-1].epochs:,.0f}",
                          flush=True)
        medians = {key: Measurement(*(float(np.median(column)) for column in zip(*taken)))
                   for key, taken in measured.items()}
        first = medians[args.runs[0]]
        for key, (label, _) in runs.items():
            median = medians[key]
            rows.append([config_name, label, f"{median.epochs:,.0f}", f"{median.epochs / first.epochs:.2f}",
                         f"{median.whole:,.0f}", f"{median.whole / first.whole:.2f}",
                         f"{median.coordinator_cores:.2f}", f"{median.worker_cores:.2f}"])
            print(" | ".join(rows[-1]), flush=True)
        if {"local:1", "local:2", "hogwild"} <= set(runs):
            one, two, hogwild = (medians[key].epochs for key in ("local:1", "local:2", "hogwild"))
            targets.append(f"{config_name}: local:2 is {two / one:.2f} x local:1 (target 1.8) and {two / hogwild:.2f} "
                           "x Hogwild (target 0.85), training words/s")
    print(f"\nmedian of {args.repeats}; training words/s: the epochs alone (rounds, with what they send and "
          "merge); train call: all of `embed train`'s training step (reading and encoding the shards, loading "
          "the kernels, the epochs; a cluster starts before it, with the vocabulary pass, and the writing comes "
          "after); cores: CPU seconds over wall seconds from the first epoch's end to the last's, of the embed "
          "process (coordinator, and a LocalCluster's scheduler) and of its child processes (nannies and workers)")
    print(table(rows))
    print("\n".join(targets))


class Measurement(NamedTuple):
    """One ``embed train``: words/s of its epochs and of its whole train call; and the
    cores its own process (the coordinator, with a LocalCluster's scheduler) and its
    child processes (a LocalCluster's nannies and workers) kept busy from the end of its
    first epoch to the end of its last (NaN with one epoch)."""

    epochs: float
    whole: float
    coordinator_cores: float
    worker_cores: float


EPOCH_LINE = re.compile(r"epoch (\d+): loss \S+ per example, ([\d,]+) words/s")


class _Started(NamedTuple):
    process: subprocess.Popen
    stderr: object  # a temporary file


def _embed_train(arguments: list[str], stdout) -> _Started:
    """``embed train`` in a fresh process, its progress bar into a temporary file: a pipe
    that nobody reads while the run lasts would fill and stop it."""
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}  # the epoch lines as they are written
    stderr = tempfile.TemporaryFile("w+")
    return _Started(subprocess.Popen([sys.executable, "-m", "embed", "train", *arguments], stdout=stdout,
                                     stderr=stderr, text=True, env=environment), stderr)


def _check_ended(started: _Started) -> None:
    """Wait for the process; where it failed, stop with the end of its stderr."""
    if started.process.wait():
        started.stderr.seek(0)
        raise SystemExit(started.stderr.read()[-4000:])


def _rates(stdout: str) -> list[float]:
    return [float(rate.replace(",", "")) for _, rate in EPOCH_LINE.findall(stdout)]


def _train(arguments: list[str]) -> Measurement:
    """Run ``embed train``, reading the CPU time of its processes at each epoch line."""
    import psutil

    started = _embed_train(arguments, subprocess.PIPE)
    watched = psutil.Process(started.process.pid)
    marks = []  # (wall s, the coordinator's CPU s, its children's CPU s) at each epoch line
    lines = []
    for line in started.process.stdout:
        lines.append(line)
        if EPOCH_LINE.match(line):
            with contextlib.suppress(psutil.Error):
                marks.append((time.perf_counter(), _cpu(watched),
                              sum(_cpu(child) for child in watched.children(recursive=True))))
    _check_ended(started)
    stdout = "".join(lines)
    rates = _rates(stdout)
    whole = float(re.search(r"\(([\d,]+) words/s\)", stdout).group(1).replace(",", ""))
    coordinator = workers = float("nan")
    if len(marks) >= 2:
        wall = marks[-1][0] - marks[0][0]
        coordinator, workers = ((marks[-1][k] - marks[0][k]) / wall for k in (1, 2))
    # Epochs of equal words: the harmonic mean.
    return Measurement(len(rates) / sum(1 / rate for rate in rates), whole, coordinator, workers)


def _cpu(process) -> float:
    """A process's CPU seconds, user and system, without those of its children."""
    times = process.cpu_times()
    return times.user + times.system


def cores(args, corpus: str) -> None:
    """One single-threaded process alone against two at once (see the module's docstring)."""
    import numpy as np

    folder = tempfile.mkdtemp(prefix="embed-cores-")
    warm = prefix_corpus(corpus, 50_000, folder)
    rows = [["configuration", "one process alone, words/s", "two at once, words/s of each run",
             "two together, words/s", "two together / one alone, in each repeat"]]
    for config_name in args.configs:
        arch, loss = config_name.split("-")
        common = ["--arch", arch, "--loss", loss, "--workers", "1", "--epochs", str(args.epochs)]
        _second_epoch_rates([[warm, "-o", os.path.join(folder, "warm.bin"), *common]])  # compiles, untimed
        alone, each, together = [], [], []
        for repeat in range(args.repeats):
            [rate] = _second_epoch_rates([[corpus, "-o", os.path.join(folder, "one.bin"), *common]])
            pair = _second_epoch_rates([[corpus, "-o", os.path.join(folder, f"pair{i}.bin"), *common]
                                        for i in (0, 1)])
            alone.append(rate)
            each.extend(pair)
            together.append(sum(pair))
            print(f"{config_name} | repeat {repeat + 1} | alone {rate:,.0f} | at once {pair[0]:,.0f} + "
                  f"{pair[1]:,.0f}", flush=True)
        ratios = [two / one for one, two in zip(alone, together)]
        rows.append([config_name, f"{float(np.median(alone)):,.0f}", f"{float(np.median(each)):,.0f}",
                     f"{float(np.median(together)):,.0f}",
                     f"{float(np.median(ratios)):.2f} ({', '.join(f'{ratio:.2f}' for ratio in ratios)})"])
    print(f"\nmedian of {args.repeats} repeats (of {2 * args.repeats} runs for 'each'); words/s of the second of "
          f"{args.epochs} epochs (`embed train --workers 1`: the thread engine on one thread), each run a fresh "
          "process; the pair started together; the ratio is each repeat's, and their median")
    print(table(rows))


def barrier(args, corpus: str) -> None:
    """Two processes that exchange nothing, each training its shard's pieces, at once and
    alone; what a barrier after every round would cost them (see the module's docstring)."""
    import json

    import numpy as np

    folder = tempfile.mkdtemp(prefix="embed-barrier-")
    rows = [["configuration", "repeat", "alone s", "at once s, the slower", "at once, a barrier each round s",
             "at once / alone", "with the barrier", "the barrier costs"]]

    def piece_times(config_name: str, shards: list[int], tag: str) -> list[np.ndarray]:
        """Each shard's piece times, the shards' processes started together."""
        outputs = [os.path.join(folder, f"{tag}-{shard}.json") for shard in shards]
        started = [subprocess.Popen([sys.executable, os.path.abspath(__file__), "pieces", "--corpus", corpus,
                                     "--configs", config_name, "--rounds", str(args.rounds),
                                     "--round-words", str(args.round_words[0]), "--shards", str(shard),
                                     "--output", output])
                   for shard, output in zip(shards, outputs)]
        ready = [output + ".ready" for output in outputs]
        while not all(os.path.exists(path) for path in ready):  # each has counted and compiled
            if any(process.poll() not in (None, 0) for process in started):
                raise SystemExit("barrier: a pieces process failed")
            time.sleep(0.05)
        for output in outputs:
            open(output + ".go", "w").close()
        for process in started:
            if process.wait() != 0:
                raise SystemExit("barrier: a pieces process failed")
        return [np.array(json.load(open(output))) for output in outputs]

    for config_name in args.configs:
        for repeat in range(1, args.repeats + 1):
            first, second = piece_times(config_name, [0, 1], f"{config_name}-{repeat}-together")
            [alone_first] = piece_times(config_name, [0], f"{config_name}-{repeat}-alone0")
            [alone_second] = piece_times(config_name, [1], f"{config_name}-{repeat}-alone1")
            alone = alone_first.sum() + alone_second.sum()  # one process trains both shards' pieces
            free = max(first.sum(), second.sum())  # two that never wait for each other
            synced = np.maximum(first, second).sum()  # two that wait for each other every round
            rows.append([config_name, str(repeat), f"{alone:.2f}", f"{free:.2f}", f"{synced:.2f}",
                         f"{alone / free:.2f}", f"{alone / synced:.2f}", f"{100 * (synced / free - 1):.1f}%"])
            print(" | ".join(rows[-1]), flush=True)
    print(f"\n{args.rounds} pieces of {args.round_words[0]:,} words of each of 2 shards, trained on one thread "
          "by a fresh process a shard (embed.training.rounds.train_own_piece: the kernels, no exchange), the two "
          "started together, then each alone; 'alone' is the two alone runs' sum (one process training both), "
          "'at once' the slower of the two started together, and 'a barrier each round' the sum over rounds of "
          "the slower piece: what a round-synchronous engine with free exchange would take")
    print(table(rows))


def pieces(args, corpus: str) -> None:
    """One shard's piece times, for ``barrier``: counts, encodes and compiles, says it is
    ready, waits for the word to go, then trains ``--rounds`` pieces and writes their times."""
    import json

    from embed import Config
    from embed.training.rounds import piece_number, train_own_piece

    arch, loss = args.configs[0].split("-")
    shard = args.shards[0]
    config = Config(arch=arch, loss=loss, deterministic=True, shards=2, workers=1, round_words=args.round_words[0])
    model, transport, bounds, merger, merged = _shards_ready(config, corpus)
    starts = bounds[shard][0]
    if len(starts) < args.rounds + 3:
        raise SystemExit(f"pieces: shard {shard} has {len(starts) - 1} pieces, fewer than --rounds {args.rounds} + 2")

    def train(piece: int, own):
        return train_own_piece(merged, own, piece == 0, False, merger.each_round, model.plan,
                               transport.encoded[shard], int(starts[piece]), int(starts[piece + 1]),
                               piece_number(0, shard, piece), 0.025, 0.025)[1]

    own = train(0, train(0, None))  # compiles, untimed
    open(args.output + ".ready", "w").close()
    while not os.path.exists(args.output + ".go"):
        time.sleep(0.01)
    times = []
    for piece in range(1, args.rounds + 1):
        started = time.perf_counter()
        own = train(piece, own)
        times.append(time.perf_counter() - started)
    with open(args.output, "w") as out:
        json.dump(times, out)


def _shards_ready(config, corpus: str) -> tuple:
    """What a shard's pieces train with, in this process: the model with its vocabulary,
    the thread transport holding the encoded shards, each shard's piece bounds, the merge
    rule and the model's trained rows."""
    from embed import Word2Vec
    from embed.training.rounds import LocalTransport, Merger

    model = Word2Vec(config).build_vocab(corpus)
    transport = LocalTransport(threads=1)
    bounds, _ = transport.encode(model._shards(corpus), model.vocab.words, config)
    weights = model.weights
    merger = Merger(config.merge, config.loss, weights.rows, len(bounds), full_merge_every=config.full_merge_every)
    return model, transport, bounds, merger, (weights.input[: weights.rows], weights.output[: weights.rows])


def timeline(args, corpus: str) -> None:
    """Where each worker's time goes in ``--cluster local:1`` and ``local:2``, from Dask's
    task stream (see the module's docstring)."""
    import embed
    from distributed import get_task_stream

    from embed.training.cluster import connected

    folder = tempfile.mkdtemp(prefix="embed-timeline-")
    warm = prefix_corpus(corpus, 50_000, folder)
    names = ("compute", "fetch between rounds", "wait between rounds", "fetch at full merges", "wait at full merges")
    rows = [["configuration", "cluster", "worker", "epochs s", "training tasks s", *names]]
    for config_name in args.configs:
        arch, loss = config_name.split("-")
        settings = dict(arch=arch, loss=loss, shards=2, round_words=args.round_words[0], merge=args.merges[0],
                        full_merge_every=args.full_merge_every[0], progress=False)
        for workers in (1, 2):
            with connected(f"local:{workers}") as client:
                embed.train(warm, cluster=client, epochs=1, **settings)  # compiles on the workers, untimed
                with get_task_stream(client) as stream:
                    model = embed.train(corpus, cluster=client, epochs=args.epochs, **settings)
            epochs = sum(stats.seconds for stats in model.history)
            for worker, parts in sorted(_worker_times(stream.data).items()):
                rows.append([config_name, f"local:{workers}", worker.rsplit(":", 1)[-1], f"{epochs:.2f}",
                             f"{parts['span']:.2f}"]
                            + [f"{parts[name]:.2f} ({100 * parts[name] / parts['span']:.0f}%)"
                               for name in names])
                print(" | ".join(rows[-1]), flush=True)
    print(f"\n{args.epochs} epochs, 2 shards; per worker, from its first training task's start to its last's end: "
          "computing the tasks (the kernels, and the merges, copies and compares a task does); between one task's "
          "end and the next's start, after a round between full merges and after a full merge (whose change is "
          "the large one): fetching the next task's inputs from the other worker, and waiting (for the other "
          "worker's task, and the scheduler)")
    print(table(rows))


def upkeep(args) -> None:
    """The CPU an idle LocalCluster takes, with Dask's settings and with embed's (see the
    module's docstring)."""
    import psutil
    from distributed import Client, LocalCluster

    from embed.training.cluster import connected

    rows = [["cluster", "repeat", "coordinator %", "worker 1 %", "worker 2 %", "all %"]]
    for repeat in range(1, args.repeats + 1):
        for name in ("Dask's settings", "embed's (--cluster local:2)"):
            with contextlib.ExitStack() as stack:
                if name.startswith("embed"):
                    client = stack.enter_context(connected("local:2"))
                else:
                    cluster = stack.enter_context(LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                                               dashboard_address=None, silence_logs=50))
                    client = stack.enter_context(Client(cluster))
                processes = [psutil.Process()] + [psutil.Process(pid) for pid in client.run(os.getpid).values()]
                time.sleep(2)  # past the workers' start
                before = [sum(process.cpu_times()[:2]) for process in processes]
                time.sleep(args.seconds)
                shares = [100 * (sum(process.cpu_times()[:2]) - spent) / args.seconds
                          for process, spent in zip(processes, before)]
            rows.append([name, str(repeat)] + [f"{share:.1f}" for share in shares] + [f"{sum(shares):.1f}"])
            print(" | ".join(rows[-1]), flush=True)
    print(f"\nCPU over {args.seconds:g} s of an idle LocalCluster of 2 single-threaded worker processes, in percent "
          "of a core: the coordinator's process (client, scheduler, nannies) and each worker's")
    print(table(rows))


FULL_CHANGE_BYTES = 5e6  # a task's result this large is a full merge's change, not the hot rows'


def _worker_times(records: list[dict]) -> dict[str, dict[str, float]]:
    """Per worker: the span of its training tasks, their compute, and the time between
    one task's end and the next's start, after a round between full merges or after a full
    merge, split into fetching the next task's inputs (the other worker's changes) and
    waiting (for the other worker's task to end, and for the scheduler)."""
    tasks: dict[str, list] = {}
    for record in records:
        if not str(record["key"]).strip("('\"").startswith(("train_own_replica_piece", "train_replica_piece")):
            continue
        computed = [part for part in record["startstops"] if part["action"] == "compute"]
        if computed:
            fetched = sum(part["stop"] - part["start"] for part in record["startstops"] if part["action"] == "transfer")
            tasks.setdefault(record["worker"], []).append((computed[0]["start"], computed[0]["stop"], fetched,
                                                           record.get("nbytes", 0)))
    times = {}
    for worker, parts in tasks.items():
        parts.sort()
        shares = dict.fromkeys(("fetch between rounds", "wait between rounds", "fetch at full merges",
                                "wait at full merges"), 0.0)
        for before, after in zip(parts, parts[1:]):
            gap = max(0.0, after[0] - before[1])
            fetched = min(after[2], gap)
            where = "at full merges" if before[3] > FULL_CHANGE_BYTES else "between rounds"
            shares["fetch " + where] += fetched
            shares["wait " + where] += gap - fetched
        times[worker] = {"span": parts[-1][1] - parts[0][0], "compute": sum(stop - start for start, stop, _, _ in parts),
                         **shares}
    return times


def _second_epoch_rates(commands: list[list[str]]) -> list[float]:
    """Run the ``embed train`` commands at once; each one's words/s in its second epoch."""
    outputs = [tempfile.TemporaryFile("w+") for _ in commands]
    runs = [_embed_train(command, output) for command, output in zip(commands, outputs)]
    rates = []
    for started, output in zip(runs, outputs):
        _check_ended(started)
        output.seek(0)
        rates.append(_rates(output.read())[1])
    return rates


NETWORK = 10e9 / 8  # bytes/s: a 10 Gb/s link, each machine's
CORES = 16  # per machine, one shard per core
SIZES = {"wiki-sized (V=70k, d=100)": (70_000, 100), "news-sized (V=3M, d=300)": (3_000_000, 300)}


def costs(args, corpus: str) -> None:
    """Per cycle (``--full-merge-every`` rounds of ``--round-words``), measured here on one
    thread: each task's compute, split into the kernels, the copy of the merged model
    into a shard's own at a cycle's start and the compare of every row at its end; the
    bytes of a task's change each round (the hot rows) and at the cycle's end (every
    row it changed); the merge of each. Then the model that predicts words/s on many
    machines."""
    import numpy as np

    from embed import Config
    from embed.kernels.densematrix import row_changes
    from embed.training.rounds import copied_into, piece_number, train_own_piece, train_shard_piece

    every = args.full_merge_every[0]
    for config_name in args.configs:
        arch, loss = config_name.split("-")
        config = Config(arch=arch, loss=loss, deterministic=True, shards=args.shards[0],
                        round_words=args.round_words[0], workers=1, full_merge_every=every)
        model, transport, bounds, merger, merged = _shards_ready(config, corpus)
        weights, plan = model.weights, model.plan
        cycles = min(max(1, args.rounds // every), min(len(words) for _, words in bounds) // every - 1)
        if cycles < 1:
            raise SystemExit(f"costs: the shards have fewer than {2 * every} pieces of {config.round_words:,} words: "
                             "a smaller --round-words, or a larger corpus")
        own: dict[int, tuple] = {}
        kernels, words, hot_bytes, full_bytes, full_rows, hot_merge, full_merge = [], [], [], [], [], [], []
        copies, compares = [], []
        for r in range(-every, cycles * every):  # the first cycle compiles, untimed
            k = r % every
            fresh, ends, piece = k == 0, k == every - 1, r + every
            changes = []
            for shard, (starts, _) in enumerate(bounds):
                first, last = int(starts[piece]), int(starts[piece + 1])
                number = piece_number(0, shard, piece)
                started = time.perf_counter()
                if merger.each_round is None:
                    change = train_shard_piece(merged, plan, transport.encoded[shard], first, last, number, 0.025,
                                               0.025)
                else:
                    change, own[shard] = train_own_piece(merged, own.get(shard), fresh, ends, merger.each_round, plan,
                                                         transport.encoded[shard], first, last, number, 0.025, 0.025)
                seconds = time.perf_counter() - started
                if r >= 0:
                    # What the task spent besides its kernels, timed again on the same matrices:
                    # the merged model copied into a shard's own, every row compared with it.
                    # (Merging every row every round, a task copies and compares inside
                    # ``train_shard_piece``: the kernels' figure then holds both.)
                    extra = 0.0
                    if fresh and merger.each_round is not None:
                        started = time.perf_counter()
                        copied_into(own[shard], merged)
                        copies.append(time.perf_counter() - started)
                        extra += copies[-1]
                    if ends and merger.each_round is not None:
                        started = time.perf_counter()
                        for before, after in zip(merged, own[shard]):
                            row_changes(before, after, width=plan.dim)
                        compares.append(time.perf_counter() - started)
                        extra += compares[-1]
                    kernels.append(seconds - extra)
                    words.append(change.words)
                    (full_bytes if ends else hot_bytes).append(_change_bytes(change))
                    if ends:
                        full_rows.append((len(change.in_rows), len(change.out_rows)))
                changes.append(change)
            started = time.perf_counter()
            merger.merge(merged, iter(changes), len(changes))
            if r >= 0:
                (full_merge if ends else hot_merge).append((time.perf_counter() - started) / len(changes))
        _cost_model(config_name, config, weights, np.mean(words), sum(words) / sum(kernels),
                    np.mean(copies) if copies else 0.0, np.mean(compares) if compares else 0.0, hot_bytes, full_bytes, full_rows,
                    hot_merge, full_merge)


def _cost_model(config_name, config, weights, round_words, rate, copy_s, compare_s, hot_bytes, full_bytes,
                full_rows, hot_merge, full_merge) -> None:
    """Print the measured costs of a cycle and the model of many machines built on them."""
    import numpy as np

    every, rows_v, dim = config.full_merge_every, weights.rows, weights.dim
    model_bytes = 2 * rows_v * dim * 4
    hot = np.mean(hot_bytes) if hot_bytes else 0.0
    full = np.mean(full_bytes)
    rows_in, rows_out = np.mean(full_rows, axis=0)
    per_byte = np.mean(full_merge) / full  # a change's merge goes by its bytes
    print(f"\n{config_name}: V={rows_v:,}, d={dim}, cycles of {every} rounds of about {round_words:,.0f} words a "
          f"task, one thread each")
    print(table([
        ["per task", "measured"],
        ["kernels s a round", f"{round_words / rate:.3f} ({rate:,.0f} words/s on one core)"],
        ["copy of the merged model into the shard's own, at a cycle's start, s", f"{copy_s:.4f}"],
        ["compare of every row, at a cycle's end, s", f"{compare_s:.4f}"],
        ["bytes of the whole model (a run's first round sends it)", f"{model_bytes:,}"],
        ["bytes of a change in the rounds between full merges (the hot rows)", f"{hot:,.0f}"],
        ["bytes of a change at a full merge (every row the cycle changed)", f"{full:,.0f}"],
        ["rows changed in a cycle, input and output",
         f"{rows_in:,.0f} ({100 * rows_in / rows_v:.1f}% of V), {rows_out:,.0f} ({100 * rows_out / rows_v:.1f}%)"],
        ["merge s of a change, between full merges and at one",
         f"{np.mean(hot_merge) if hot_merge else 0.0:.4f}, {np.mean(full_merge):.4f}"],
    ]))
    rows = [["model", "machines", "compute s", "fetch hot s", "merge hot s", "fetch full s", "merge full s",
             "words/s today", "bound by", "words/s, sharded merge", "own models GB a machine"]]
    for size_name, (vocab, d) in SIZES.items():
        scale = vocab * d / (rows_v * dim)  # the copy and the compare go over every row
        row_bytes = d * 4 + 8
        # The hot rows are the same few rows at any V; a cycle's changed rows scale with its
        # words, not with V: the same counts, capped at V.
        hot_size = hot / (dim * 4 + 8) * row_bytes
        full_size = (min(vocab, rows_in) + min(vocab, rows_out)) * row_bytes
        cycle_words = every * round_words
        for machines in (8, 32, 128):
            tasks = machines * CORES
            # Each machine's replica takes every other machine's changes, fetched, and merges
            # all of them on one core; each task trains its shard's own model in between.
            parts = {"compute": every * round_words / rate + (copy_s + compare_s) * scale,
                     "fetching hot rows": (every - 1) * (tasks - CORES) * hot_size / NETWORK,
                     "merging hot rows": (every - 1) * tasks * hot_size * per_byte,
                     "fetching full changes": (tasks - CORES) * full_size / NETWORK,
                     "merging full changes": tasks * full_size * per_byte}
            total = sum(parts.values())
            bound = max(parts, key=parts.get)
            # Next: each machine sums its tasks' changes, the machines' sums are reduced and
            # spread by row ranges (all-reduce: about 2 x the union of the changed rows
            # through each link), and each machine merges its own range.
            hot_union = hot_size
            full_union = (min(vocab, rows_in * CORES) + min(vocab, rows_out * CORES)) * row_bytes
            t_next = (parts["compute"] + (every - 1) * (2 * hot_union / NETWORK + CORES * hot_size * per_byte)
                      + 2 * full_union / NETWORK + CORES * full_size * per_byte)
            rows.append([size_name, str(machines)] + [f"{seconds:.3f}" for seconds in parts.values()]
                        + [f"{tasks * cycle_words / total:,.0f}", bound, f"{tasks * cycle_words / t_next:,.0f}",
                           f"{CORES * 2 * vocab * d * 4 / 1e9:.1f}"])
    print(f"\nscaling model: {CORES} cores a machine, one shard each, {NETWORK * 8 / 1e9:.0f} Gb/s links, one cycle "
          f"of {every} rounds; today's design: every machine fetches every other machine's changes (the hot rows "
          "each round, every changed row at a full merge) and merges them all on one core; the coordinator takes "
          "each task's totals and the model every 10 s")
    print(table(rows))


def _change_bytes(change) -> int:
    return change.in_delta.nbytes + change.out_delta.nbytes + change.in_rows.nbytes + change.out_rows.nbytes


def main() -> None:
    from embed import Config

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["accuracy", "speed", "cores", "barrier", "costs", "timeline", "upkeep",
                                         "pieces"])
    parser.add_argument("--corpus", default=WIKI)
    parser.add_argument("--tokens", type=int, help="only the corpus's first N tokens")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--configs", nargs="+", default=["cbow-negative", "skipgram-negative"])
    parser.add_argument("--shards", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--merges", nargs="+", default=["hogwild", "sum", "average", "row-average"])
    defaults = Config()
    parser.add_argument("--round-words", type=int, nargs="+", default=[defaults.round_words])
    parser.add_argument("--full-merge-every", type=int, nargs="+", default=[defaults.full_merge_every],
                        help="rounds between merges of every row (speed: the first)")
    parser.add_argument("--no-threads", action="store_true", help="accuracy: leave out the thread engine's row")
    parser.add_argument("--contraction", help="accuracy: the frequency merge's CONTRACTION as INPUT,OUTPUT "
                        "(embed.training.rounds)")
    parser.add_argument("--rounds", type=int, default=10, help="costs: rounds measured")
    parser.add_argument("--runs", nargs="+", choices=["one", "local:1", "local:2", "deterministic", "hogwild"],
                        default=["one", "local:1", "local:2", "deterministic", "hogwild"],
                        help="speed: which runs (ratios are to the first)")
    parser.add_argument("--repeats", type=int, default=1, help="speed: runs of each, taking turns; the median is shown")
    parser.add_argument("--seconds", type=float, default=10.0, help="upkeep: seconds measured")
    parser.add_argument("--output", help="pieces (run by barrier): where the piece times go")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    if args.seconds <= 0:
        parser.error(f"--seconds must be above 0, got {args.seconds:g}")
    if args.what == "upkeep":  # no corpus
        print(machine())
        upkeep(args)
        return
    if not os.path.exists(args.corpus):
        parser.error(f"--corpus {args.corpus}: no such file (the default is ../shared/data beside the repository; "
                     "EMBED_WIKI names another)")
    if args.what == "cores" and args.epochs < 3:
        parser.error(f"cores times the second epoch, while both processes train: --epochs must be at least 3, "
                     f"got {args.epochs}")
    if args.what == "pieces":  # a process of barrier's, given the corpus barrier prepared
        pieces(args, args.corpus)
        return
    folder = tempfile.mkdtemp(prefix="embed-rounds-")
    corpus = prefix_corpus(plain_copy(args.corpus), args.tokens, folder)
    print(f"{machine()}; {corpus}, {args.epochs} epochs")
    {"accuracy": accuracy, "speed": speed, "cores": cores, "barrier": barrier, "costs": costs,
     "timeline": timeline}[args.what](args, corpus)


if __name__ == "__main__":
    main()
