"""The ``embed`` command. Heavy modules (numba, numpy) load only inside the commands,
so that ``embed --help`` answers at once."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import difflib
import os
import signal
import sys
import time

from .training.stop import interrupt, raise_stop
from .word2vec_tool import in_embed_terms, tool_options


def _checkpoint_every(text: str) -> tuple[int | None, float | None]:
    """'2' is every 2 epochs, '30m' every 30 minutes."""
    try:
        if text.endswith("m"):
            minutes = float(text[:-1])
            if minutes > 0:
                return None, 60.0 * minutes
        elif int(text) >= 1:
            return int(text), None
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected a number of epochs (2) or minutes (30m), got {text!r}")


def _train(args: argparse.Namespace) -> None:
    from .errors import EmbedError
    from .training.config import Config
    from .training.schedule import Checkpoints
    from .training.word2vec import Word2Vec
    from .vectors.atomic import check_writable, claim_output
    from .vectors.formats import output_format

    # Before hours of training. A run resumed from OUT.partial or OUT.checkpoint has read
    # it already and may write it again; OUT itself must be neither input.
    if args.early_stop and not args.validate:
        raise EmbedError("--early-stop needs --validate: a score to stop on")
    if args.validate and args.resume:
        raise EmbedError("--validate applies to a new run; a resumed run goes on as it was started")
    if args.init and args.resume:
        raise EmbedError("--init and --resume both say where training starts from: give one")
    if args.cluster and args.workers is not None:
        from .training.cluster import warn_of_workers_beside_cluster

        warn_of_workers_beside_cluster(args.workers, args.cluster, command_line=True)
    check_writable(args.output, inputs=(*args.corpus, args.resume, args.init, args.validate))
    output_format(args.output)  # a name no writer takes (m.embed.gz) is refused before training
    if args.plot_loss is not None:  # "" is a name too, refused as -o "" is
        from .vectors.plot import figure_format

        check_writable(args.plot_loss, inputs=(*args.corpus, args.resume, args.init, args.validate),
                       outputs=(args.output, args.output + ".partial", args.output + ".checkpoint"))
        figure_format(args.plot_loss)
    for path in (args.output + ".partial", args.output + ".checkpoint"):
        check_writable(path, inputs=tuple(args.corpus))
    claim_output(args.output)  # and its .partial and .checkpoint
    fields = {name: getattr(args, name) for name in _config_fields() if getattr(args, name) is not None}
    corpus = args.corpus[0] if len(args.corpus) == 1 else args.corpus
    checkpoints = None
    if args.checkpoint_every:
        epochs, seconds = args.checkpoint_every
        checkpoints = Checkpoints(args.output + ".checkpoint", epochs=epochs, seconds=seconds)
    started = time.perf_counter()
    counted = ""
    if args.resume:
        model = Word2Vec.load(args.resume)
        if fields:
            raise EmbedError(f"--resume continues with the settings saved in {args.resume}; drop {', '.join(fields)}")
        if model.run is None:
            raise EmbedError(f"{args.resume}: its training run already finished; nothing to resume")
        if args.cluster and not model.run.rounds:
            raise EmbedError(f"{args.resume}: its run trained on threads (Hogwild), not in rounds; resume it "
                             "without --cluster")
    elif args.init:
        model, initial = _initial_model(args.init, fields)
    else:
        model = Word2Vec(Config().replace(**fields), phrases=args.phrases)
    if args.phrases and model.phrases is None:  # --resume, --init: the model's reading, with phrases joined
        model.use_phrases(args.phrases)
    # What this command trains, for its closing line: a resumed run's history and its
    # stopped epoch's words, or an --init model's history, were trained before.
    trained_before = _words_trained(model)
    with contextlib.ExitStack() as shielding, contextlib.ExitStack() as stack:
        cluster = None
        if args.cluster:
            from .training.cluster import connected

            cluster = stack.enter_context(connected(args.cluster))  # one cluster for both passes, closed at the end
        if args.resume:
            run = lambda: model.resume(corpus, progress=not args.quiet, checkpoints=checkpoints,  # noqa: E731
                                       check_corpus=not args.resume_other_corpus, cluster=cluster)
        else:
            if args.init and initial is None:  # a model: its vocabulary takes in the new text's words
                known = len(model.vocab)
                model.build_vocab(corpus, cluster=cluster, update=True)
                print(f"went on from {args.init}: {len(model.vocab) - known:,} new words joined its {known:,}")
            else:
                model.build_vocab(corpus, cluster=cluster)
                if args.init:
                    found = model.intersect_vectors(initial)
                    print(f"initialised the input vectors of {found:,} of {len(model.vocab):,} words from {args.init}")
            counted = f"counted a vocabulary of {len(model.vocab):,} words in {time.perf_counter() - started:.1f} s; "
            started = time.perf_counter()
            run = lambda: model.train(corpus, progress=not args.quiet, checkpoints=checkpoints,  # noqa: E731
                                      cluster=cluster, validate=args.validate, early_stop=args.early_stop)
        try:
            run()
        except KeyboardInterrupt as stop:
            with _shielded():
                partial = _save_somewhere(model, args.output + ".partial", args.output)
            how, status = _stopped(stop)
            if model.run is None:  # stopped before training began, or after its last epoch: nothing to resume
                print(f"embed: {how}; the model so far is in {partial}", file=sys.stderr)
            else:
                where = f" --cluster {args.cluster}" if args.cluster else ""  # or on this machine: the same vectors
                print(
                    f"embed: {how}; the model so far is in {partial}. Resume with:\n"
                    f"  embed train {' '.join(args.corpus)} -o {args.output} --resume {partial}{where}",
                    file=sys.stderr,
                )
            raise SystemExit(status) from None
        # Trained: a stop while the cluster closes (a LocalCluster takes seconds) or the
        # model is written would lose the training, so it waits until the model is written.
        shielding.enter_context(_shielded())
        stack.close()
        seconds = time.perf_counter() - started
        _write_result(model, args.output)
    if args.plot_loss is not None:
        from .training.loss_curve import plot_loss

        plot_loss(model, args.plot_loss, title=f"{model!r} on {os.path.basename(args.corpus[0])}")
        print(f"wrote the loss curve to {args.plot_loss}")
    if model.report is not None:
        print(model.report)
    words = _words_trained(model) - trained_before
    last = model.history[-1].loss if model.history else float("nan")
    print(
        f"{counted}trained {words:,} words in {seconds:.1f} s ({words / max(seconds, 1e-9):,.0f} words/s), "
        f"final loss {last:.4f}; wrote {len(model.vocab):,} vectors to {args.output}"
    )


def _words_trained(model) -> int:
    """The words of the model's finished epochs and of the epoch its run stands in."""
    return sum(stats.words for stats in model.history) + (model.run.words if model.run is not None else 0)


# Settings that fix the shape and meaning of a model's weights: training further cannot change them.
_STRUCTURAL = ("arch", "loss", "dim")


def _initial_model(path: str, fields: dict):
    """The model ``--init PATH`` starts from, and the vectors to copy into it: a whole
    model (trained further with the settings given, none of them structural) and None,
    or a new model of the settings (its dimension the file's) and the file's vectors."""
    from .errors import EmbedError
    from .training.config import Config
    from .training.word2vec import Word2Vec
    from .vectors.native import is_model_file

    if is_model_file(path):
        model = Word2Vec.load(path)
        if model.run is not None:
            raise EmbedError(f"{path}: its training run did not finish: --resume {path} finishes it first")
        for name in _STRUCTURAL:
            if name in fields and fields[name] != getattr(model.config, name):
                option = "--" + name.replace("_", "-")
                raise EmbedError(f"the model in {path} has {name} {getattr(model.config, name)}; {option} "
                                 f"{fields[name]} asks for another: leave {option} out to go on with the model's")
        model.config = model.config.replace(**fields)
        return model, None
    vectors = _load(path)
    if "dim" in fields and fields["dim"] != vectors.dim:
        raise EmbedError(f"{path} holds vectors of dimension {vectors.dim}; --dim {fields['dim']} asks for another: "
                         "leave --dim out to take the file's")
    return Word2Vec(Config().replace(**{**fields, "dim": vectors.dim})), vectors


def _write_result(model, output: str) -> None:
    """Write the trained model to OUT; where that fails (a full disk, say), save it
    whole to OUT.partial or the temporary folder, say where, and fail in one line."""
    from .errors import EmbedError
    from .vectors.formats import output_format
    from .vectors.word_vectors import Vectors

    try:
        kind = output_format(output)
        if kind == "model":
            model.save(output)
        elif kind == "vectors":
            Vectors(model.vocab.words, model.w_in, model.vocab.counts).save(output)
        else:  # from the weights themselves: wv would copy them first
            Vectors(model.vocab.words, model.w_in, model.vocab.counts).save_word2vec_format(output)
        return
    except (OSError, EmbedError) as error:
        problem = str(error) if isinstance(error, EmbedError) else f"{output}: cannot write it ({error.strerror or error})"
    fallback = _save_somewhere(model, output + ".partial", output, problem)
    raise EmbedError(f"{problem}; the trained model is saved in {fallback}: "
                     f"embed convert {fallback} {output} writes the vectors once {output} can be written")


def _save_somewhere(model, path: str, output: str, problem: str = "") -> str:
    """Save the whole model to ``path``, else to the temporary folder; where it went."""
    import os
    import tempfile

    from .errors import EmbedError

    fallback = os.path.join(tempfile.gettempdir(), os.path.basename(output)[:100] + ".partial.embed")
    for where in (path, fallback):
        try:
            model.save(where)
            return where
        except (OSError, EmbedError) as error:
            problem = problem or str(error)
    raise EmbedError(f"{problem}, and the model could not be saved in {path} nor in {fallback}")


def _config_fields() -> dict[str, dataclasses.Field]:
    """Config's fields, from the declarations in embed.training.config (no numba)."""
    from .training.config import Config

    return {field.name: field for field in dataclasses.fields(Config)}


def _add_config_options(command: argparse.ArgumentParser, fields: dict[str, dataclasses.Field] | None = None,
                        title: str = "settings (embed.Config's fields)") -> None:
    """One option per field (Config's by default), with the field's help text and
    default; an option not given stays None, so that only the settings the user chose
    are passed on."""
    group = command.add_argument_group(title)
    for name, field in (fields if fields is not None else _config_fields()).items():
        meta = field.metadata
        shown = meta["default_text"] or field.default
        group.add_argument(
            "--" + name.replace("_", "-"), dest=name, default=None,
            help=f"{meta['help']} (default: {shown})", **meta["constraint"].option(),
        )


def _load(path: str, limit: int | None = None):
    from .vectors.vectors_file import is_vectors_file
    from .vectors.word_vectors import load_vectors

    # A vectors file is mapped, not read: a query on Google News's 3M words starts at once.
    return load_vectors(path, limit=limit, mmap="r" if is_vectors_file(path) else None)


def _convert(args: argparse.Namespace) -> None:
    from .errors import EmbedError
    from .vectors.atomic import check_writable
    from .vectors.formats import output_format

    kind = output_format(args.output)
    if kind == "model":
        raise EmbedError("a whole model (.embed) can only be written by training; convert writes vectors")
    if args.no_header and kind != "text":
        raise EmbedError(f"--no-header writes GloVe's text; {args.output} names a {kind} file")
    check_writable(args.output, inputs=(args.input,))
    vectors = _load(args.input, limit=args.limit)
    if kind == "vectors":
        vectors.save(args.output)
    else:
        vectors.save_word2vec_format(args.output, write_header=not args.no_header)
    print(f"wrote {len(vectors):,} vectors of dimension {vectors.dim} to {args.output}")


def _phrases_fields() -> dict[str, dataclasses.Field]:
    from .training.phrases import PhrasesConfig

    return {field.name: field for field in dataclasses.fields(PhrasesConfig)}


def _phrases(args: argparse.Namespace) -> None:
    from .errors import EmbedError
    from .training.phrases import Phrases
    from .vectors.atomic import check_writable

    fields = {name: getattr(args, name) for name in _phrases_fields() if getattr(args, name) is not None}
    if args.load and fields:
        raise EmbedError(f"--load applies the phrases saved in {args.load} with their settings; drop "
                         f"{', '.join('--' + name.replace('_', '-') for name in fields)}")
    check_writable(args.output, inputs=(*args.corpus, args.load))  # before the corpus is read, maybe twice
    if args.save:
        check_writable(args.save, inputs=(*args.corpus, args.load), outputs=(args.output,))
    corpus = args.corpus[0] if len(args.corpus) == 1 else args.corpus
    started = time.perf_counter()
    if args.load:
        phrases = Phrases.load(args.load)
    else:
        phrases = Phrases(**fields).learn(corpus)
        print(f"learnt {len(phrases):,} phrases in {phrases.config.passes} pass(es) in "
              f"{time.perf_counter() - started:.1f} s")
    if args.save:
        phrases.save(args.save)
        print(f"saved the phrases to {args.save}")
    written = phrases.write(corpus, args.output)
    print(f"wrote {written.sentences:,} sentences to {args.output}: {written.tokens_read:,} tokens read, "
          f"{written.tokens_read - written.tokens_written:,} joined to the one before; train on it with "
          f"--token-pattern '\\S+' (or embed train CORPUS --phrases {args.save or 'PHRASES.json'})")


def _export(args: argparse.Namespace) -> None:
    from .vectors.projector import write_projector

    vectors = _load(args.vectors, limit=args.limit)
    written = write_projector(args.projector, vectors.words, vectors.vectors)
    print(f"wrote {len(vectors):,} vectors of dimension {vectors.dim} for TensorBoard's projector: "
          f"{', '.join(written)}")


def _similar(args: argparse.Namespace) -> None:
    _print_answers(_load(args.vectors).most_similar(args.word, topn=args.topn))


def _analogy(args: argparse.Namespace) -> None:
    vectors = _load(args.vectors)
    _print_answers(vectors.most_similar(positive=[args.b, args.c], negative=[args.a], topn=args.topn))


def _print_answers(answers: list[tuple[str, float]]) -> None:
    from .errors import EmbedError
    from .vectors.word_vectors import NO_ANSWER

    if not answers:  # it printed nothing, with exit 0
        raise EmbedError(NO_ANSWER)
    for word, score in answers:
        print(f"{word}\t{score:.4f}")


def _plot(args: argparse.Namespace) -> None:
    import os

    from .vectors.atomic import check_writable
    from .vectors.plot import figure_format, plot_capitals

    check_writable(args.output, inputs=(args.vectors,))
    figure_format(args.output)  # before the vectors are read
    vectors = _load(args.vectors)
    source = os.path.basename(args.vectors) if args.title is None else args.title
    projection = plot_capitals(vectors, args.output, pairs=args.pairs, max_pairs=args.max_pairs, source=source)
    if projection.note:
        print(f"note: {projection.note}")
    print(f"wrote {args.output} ({len(projection.words) // 2} capital-country pairs)")


def _evaluate(args: argparse.Namespace) -> None:
    from .data import bundled as corpus_path
    from .vectors.evaluate import evaluate_word_analogies, evaluate_word_pairs, read_analogies, read_word_pairs

    analogies = args.analogies or corpus_path("questions-words.txt")
    pair_files = args.pairs or [corpus_path("wordsim353.tsv"), corpus_path("simlex999.txt")]
    # Every file read before any is scored (they are small): a bad line in a pairs file
    # ended the command after the analogies' table.
    read_analogies(analogies)
    for path in pair_files:
        read_word_pairs(path)
    vectors = _load(args.vectors)
    result = evaluate_word_analogies(vectors, analogies, restrict_vocab=args.restrict_vocab, method=args.method)
    print(f"analogies: {analogies} (restricted to the {args.restrict_vocab} most frequent words, {args.method})")
    print(result.table())
    for path in pair_files:
        pairs = evaluate_word_pairs(vectors, path)
        print(
            f"{path}: Spearman {pairs.spearman:.4f}, Pearson {pairs.pearson:.4f}, "
            f"{pairs.pairs} pairs, {pairs.oov_ratio:.1f}% out of vocabulary"
        )


def _demo(args: argparse.Namespace) -> None:
    from .demo import run_demo

    run_demo(args.out_dir, progress=not args.quiet, corpus=args.corpus)


def _download(args: argparse.Namespace) -> None:
    from .download import download

    print(download(args.name, args.folder, progress=not args.quiet))  # the path alone: $(embed download text8)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="embed", description="Train word2vec embeddings (CBOW, skip-gram) and query them."
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser("train", help="train vectors on a corpus file", description=(
        "Train on CORPUS (one sentence per line, or one long line as in text8; .gz, .bz2 and .xz "
        "are read directly) and write the vectors to OUT: word2vec's binary format if OUT ends in "
        ".bin, the whole model (to query or train further) if it ends in .embed, word2vec's text "
        "format otherwise. Ctrl-C saves the model so far to OUT.partial."))
    _add_corpus_argument(train)
    train.add_argument("--cluster", metavar="local:N|tcp://HOST:PORT",
                       help="train in rounds on Dask: N local worker processes, or a running scheduler's workers "
                            "(pip install 'embed[dask]')")
    train.add_argument("-o", "--output", required=True, metavar="OUT")
    _add_config_options(train)
    train.add_argument("--checkpoint-every", type=_checkpoint_every, metavar="N|Nm",
                       help="save the whole model to OUT.checkpoint every N epochs or N minutes")
    train.add_argument("--resume", metavar="CHECKPOINT",
                       help="continue the run saved in CHECKPOINT (OUT.checkpoint or OUT.partial)")
    train.add_argument("--init", metavar="MODEL|VECTORS",
                       help="start from a model (.embed: its vocabulary takes in CORPUS's new words, its weights go "
                            "on training) or from vectors in any format (the input vectors of the words they have)")
    train.add_argument("--resume-other-corpus", action="store_true",
                       help="let --resume go on with a corpus other than the one the run was trained on")
    train.add_argument("--phrases", metavar="PHRASES.json",
                       help="join the phrases saved by embed phrases --save as the corpus is read")
    train.add_argument("--validate", metavar="FILE",
                       help="score every epoch on FILE: analogies (questions-words.txt: accuracy), word pairs "
                            "(wordsim353.tsv: Spearman) or held-out text (its loss, nothing trained on it)")
    train.add_argument("--early-stop", type=_positive, metavar="N",
                       help="with --validate: stop after N epochs without improvement and keep the best epoch's "
                            "weights")
    train.add_argument("--plot-loss", metavar="PNG", help="draw the loss per epoch (and per tenth of one) as PNG "
                       "(PDF, SVG, ... where the name ends so)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(run=_train)

    convert = commands.add_parser("convert", help="convert vectors between formats", description=(
        "Read IN (a .vectors file, an .embed model, word2vec binary or text, fastText's .vec, GloVe's text; "
        "compressed or not) and write OUT: embed's memory-mapped vectors file if it ends in .vectors, "
        "word2vec binary if it ends in .bin, text otherwise (with --no-header, GloVe's); .gz, .bz2 and .xz "
        "compress."))
    convert.add_argument("input", metavar="IN")
    convert.add_argument("output", metavar="OUT")
    convert.add_argument("--limit", type=_positive, metavar="N", help="only the first N words")
    convert.add_argument("--no-header", action="store_true", help="write text without the 'WORDS DIMENSIONS' "
                         "line, as GloVe does")
    convert.set_defaults(run=_convert)

    phrases = commands.add_parser("phrases", help="join frequent collocations (new york -> new_york)",
                                  description=(
        "Learn the word pairs that score above --threshold in CORPUS (word2phrase's score, (count(ab) - "
        "min_count) * N / (count(a) * count(b)), or gensim's normalised PMI) and write CORPUS with them "
        "joined to OUT, every other token kept; --passes 2 makes phrases of 3 and 4 words. --save keeps "
        "what was learnt for embed train --phrases or a later --load."))
    _add_corpus_argument(phrases)
    phrases.add_argument("-o", "--output", required=True, metavar="OUT",
                         help="the joined text (.gz, .bz2 or .xz: compressed)")
    phrases.add_argument("--save", metavar="PHRASES.json", help="also write the phrases learnt")
    phrases.add_argument("--load", metavar="PHRASES.json", help="apply phrases saved before instead of learning")
    _add_config_options(phrases, _phrases_fields(), "settings (embed.Phrases's fields)")
    phrases.set_defaults(run=_phrases)

    export = commands.add_parser("export", help="vectors for other tools: TensorBoard's embedding projector",
                                 description=(
        "Write VECTORS (any format embed reads) as TensorBoard projector files in DIR: tensors.tsv, "
        "metadata.tsv and projector_config.pbtxt (projector.tensorflow.org's Load takes the two .tsv files)."))
    export.add_argument("vectors", metavar="VECTORS")
    export.add_argument("--projector", required=True, metavar="DIR", help="the folder to write (made if missing)")
    export.add_argument("--limit", type=_positive, metavar="N", help="only the N most frequent (first) words; a "
                        "browser shows some 100,000 points at most")
    export.set_defaults(run=_export)

    similar = commands.add_parser("similar", help="nearest neighbours of a word")
    similar.add_argument("vectors", metavar="VECTORS", help="an .embed model, word2vec binary or text file")
    similar.add_argument("word", metavar="WORD")
    similar.add_argument("--topn", type=int, default=10)
    similar.set_defaults(run=_similar)

    analogy = commands.add_parser("analogy", help="A is to B as C is to ? (B - A + C)")
    analogy.add_argument("vectors", metavar="VECTORS")
    analogy.add_argument("a", metavar="A")
    analogy.add_argument("b", metavar="B")
    analogy.add_argument("c", metavar="C")
    analogy.add_argument("--topn", type=int, default=5)
    analogy.set_defaults(run=_analogy)

    plot = commands.add_parser("plot", help="the capital-country PCA plot as PNG (PDF, SVG, ... where the name "
                               "ends so)")
    plot.add_argument("vectors", metavar="VECTORS")
    plot.add_argument("-o", "--output", required=True, metavar="PNG")
    plot.add_argument("--pairs", choices=["mikolov", "frequent"], default="mikolov", help=(
        "mikolov: the 11 pairs of Mikolov et al. 2013's figure found in the vocabulary (the frequent "
        "ones if fewer than 4 are); frequent: the most frequent pairs of questions-words' capital "
        "sections (default mikolov)"))
    plot.add_argument("--max-pairs", type=_positive, default=30,
                      help="most frequent pairs to draw with --pairs frequent (default 30)")
    plot.add_argument("--title", metavar="TEXT",
                      help="the corpus and model that drew the vectors, shown in the figure's title "
                           "(default: the vectors file's name; '' for none)")
    plot.set_defaults(run=_plot)

    evaluate = commands.add_parser("evaluate", help="Google analogies and word-pair similarity")
    evaluate.add_argument("vectors", metavar="VECTORS")
    evaluate.add_argument("--analogies", metavar="FILE", help="questions-words file (default: the bundled one)")
    evaluate.add_argument("--pairs", metavar="FILE", nargs="+", help="word-pair files (default: WordSim-353, SimLex-999)")
    evaluate.add_argument("--restrict-vocab", type=_positive, default=30_000, metavar="N")
    evaluate.add_argument("--method", choices=["3cosadd", "3cosmul"], default="3cosadd")
    evaluate.set_defaults(run=_evaluate)

    demo = commands.add_parser("demo", help="train on the bundled World Factbook and show what it learnt")
    demo.add_argument("--out-dir", default=".", help="where capitals.png and factbook.vec go (default .)")
    demo.add_argument("--corpus", default="factbook", metavar="factbook|text8|PATH",
                      help="what to train on: the bundled Factbook, text8 (downloaded once, 31 MB) or a corpus file "
                           "(default factbook)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(run=_demo)

    from .download import CORPORA  # the standard library only: --help stays quick

    download = commands.add_parser("download", help="download a corpus to train on (text8)", description=(
        "Download NAME into DIR (default: $EMBED_DATA, else $XDG_CACHE_HOME/embed or ~/.cache/embed), check "
        "its SHA-256, extract it and print its path. A download cut short is resumed by running the command "
        "again."))
    download.add_argument("name", metavar="NAME", choices=sorted(CORPORA), help=", ".join(sorted(CORPORA)))
    download.add_argument("--folder", metavar="DIR", help="where the corpus goes")
    download.add_argument("--quiet", action="store_true", help="no progress bar")
    download.set_defaults(run=_download)
    return top


def _add_corpus_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument("corpus", metavar="CORPUS", nargs="+",
                         help="text files (.gz, .bz2, .xz too), directories of them or glob patterns")


def _positive(text: str) -> int:
    try:
        if int(text) >= 1:
            return int(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")


class _shielded:
    """Every stop signal waits while a model is written: a stop then would lose the
    training that the write is saving."""

    def __enter__(self) -> None:
        def wait(signum, frame):
            with contextlib.suppress(OSError, RuntimeError):  # a closed terminal, or stderr in mid-write
                print("embed: saving the model; it stops once that is done", file=sys.stderr, flush=True)

        self.previous = {number: signal.signal(number, wait) for number in (signal.SIGINT, *_TERMINATING)}

    def __exit__(self, *exc) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a job scheduler's stop, ``kill``) or SIGHUP (a closed terminal), handled
    as Ctrl-C is: the workers finish their sentences and the model so far is saved."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__()
        self.signum = signum


# The signals handled as Ctrl-C is (SIGHUP does not exist everywhere).
_TERMINATING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _terminate(signum, frame) -> None:
    raise_stop(Terminated(signum))


def _stopped(stop: KeyboardInterrupt) -> tuple[str, int]:
    """What a stop is called and the exit status it gives (128 + the signal's number)."""
    if isinstance(stop, Terminated):
        return ("hung up" if stop.signum == signal.SIGHUP else "terminated"), 128 + stop.signum
    return "interrupted", 130


def _one_line(message: object) -> str:
    """A message on one line, whatever the names in it hold (a path with a newline)."""
    return str(message).replace("\r", "\\r").replace("\n", "\\n")


_said: set[str] = set()  # the corpus warnings shown


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    from .text.corpus import CorpusWarning

    text = _one_line(message)
    if issubclass(category, CorpusWarning):
        # Every pass over a corpus reads it again and says its repairs again; Python's own
        # once-per-message rule forgets what it said whenever a library changes the filters
        # (several files' repairs came out twice, at the count and in the first epoch).
        if text in _said:
            return
        _said.add(text)
    print(f"embed: warning: {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt as stop:  # before the command started: while Python imported
        how, status = _stopped(stop)
        print(f"embed: {how}", file=sys.stderr)
        return status
    except ImportError as error:
        # An interrupt inside a C extension's import (numpy's) comes back as numpy's
        # page-long ImportError, with the interrupt as its cause.
        cause = error
        while cause is not None and not isinstance(cause, KeyboardInterrupt):
            cause = cause.__cause__ or cause.__context__
        if cause is None:
            raise
        how, status = _stopped(cause)
        print(f"embed: {how}", file=sys.stderr)
        return status


def _option_hints(top: argparse.ArgumentParser, command: str, unknown: list[str]) -> str:
    """What the unknown options were likely meant to be: an option of ``command`` spelt
    close to one, or embed's name for a gensim setting (``--size``: ``--dim``)."""
    from .training.config import GENSIM_NAMES

    subcommand = top._subparsers._group_actions[0].choices[command]
    known = [name for action in subcommand._actions for name in action.option_strings if name.startswith("--")]
    hints = []
    for option in (argument.split("=")[0] for argument in unknown if argument.startswith("-")):
        field = option.lstrip("-").replace("-", "_")
        if field in GENSIM_NAMES and command == "train":
            ours = GENSIM_NAMES[field]
            if "=" in ours:  # an argument in Python, not a setting
                hints.append(f"{option} is gensim's; embed's is {ours}, in Python")
            else:
                name, _, rest = ours.partition(" ")  # "arch ('skipgram' or 'cbow')": the field, then what to set
                ours = " ".join(["--" + name.replace("_", "-"), rest]).strip()
                hints.append(f"{option} is gensim's name; embed's is {ours}")
        else:
            close = difflib.get_close_matches(option, known, n=1, cutoff=0.75)
            if close:
                hints.append(f"did you mean {close[0]}?")
    return f" ({'; '.join(hints)})" if hints else ""


def _main(argv: list[str] | None) -> int:
    for number in _TERMINATING:
        signal.signal(number, _terminate)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where SIGINT is ignored (nohup)
        signal.signal(signal.SIGINT, interrupt)
    # A word the terminal's encoding cannot show is escaped, not a traceback.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["train"] and tool_options(arguments[1:]):
        print(f"embed: error: {in_embed_terms(arguments[1:])}", file=sys.stderr)
        return 2  # argparse's status for a command line it refuses
    top = parser()
    args, unknown = top.parse_known_args(arguments)
    if unknown:
        top.error(f"unrecognized arguments: {' '.join(unknown)}{_option_hints(top, args.command, unknown)}")
    import warnings

    from .errors import EmbedError, UnknownWordError

    warnings.showwarning = _show_warning

    try:
        args.run(args)
    except (EmbedError, UnknownWordError) as error:
        print(f"embed: error: {_one_line(error)}", file=sys.stderr)
        return 1
    except MemoryError:
        print("embed: error: out of memory: a setting asks for more than this machine has (--dim, --max-vocab, "
              "--chunk-words, --workers)", file=sys.stderr)
        return 1
    except OSError as error:  # a disk that fills or fails where no check could foresee it
        where = f"{error.filename}: " if error.filename else ""
        print(f"embed: error: {_one_line(where + str(error.strerror or error))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as stop:
        how, status = _stopped(stop)
        print(f"embed: {how}", file=sys.stderr)
        return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
