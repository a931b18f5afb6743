"""The word2vec tool's command line (Mikolov's C ``word2vec``) in embed's terms.

``embed train -train text8 -output vectors.bin -size 200`` is how a user of the C tool
first types it. argparse read ``-output`` as ``-o utput`` and refused the rest; the
command now answers with the embed command that trains what the tool would have
trained, its defaults included where they differ from embed's (CBOW's learning rate).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

# Every option of word2vec.c; each takes a value.
TOOL_OPTIONS = ("-train", "-output", "-size", "-window", "-sample", "-hs", "-negative", "-threads", "-iter",
                "-min-count", "-alpha", "-cbow", "-binary", "-classes", "-debug", "-save-vocab", "-read-vocab")
# The tool's options that embed train has under another name, their values as they are.
_RENAMED = {"-size": "--dim", "-window": "--window", "-sample": "--sample", "-min-count": "--min-count",
            "-iter": "--epochs", "-threads": "--workers"}


def tool_options(arguments: Sequence[str]) -> list[str]:
    """The word2vec tool's options among ``arguments``, in order.

    >>> tool_options(["-train", "text8", "--dim", "50", "-cbow", "0"])
    ['-train', '-cbow']
    """
    return [argument for argument in arguments if argument in TOOL_OPTIONS]


def _number(text: str | None, default: float) -> float:
    """An option's value as the tool reads it (atoi, atof: 0 where it is not a number);
    ``default`` where the option is not given."""
    if text is None:
        return default
    try:
        return float(text)
    except ValueError:
        return 0.0


def in_embed_terms(arguments: Sequence[str]) -> str:
    """What to say to ``embed train`` given the word2vec tool's options (``arguments``,
    after ``train``): the embed command that trains what the tool would have trained,
    and what embed has no equivalent for.

    >>> print(in_embed_terms("-train text8 -output vectors.bin -size 200 -window 8 -negative 25 -hs 0 "
    ...                      "-sample 1e-4 -threads 20 -binary 1 -iter 15".split()))
    -train, -output, -size, -window, -negative, -hs, -sample, -threads, -binary and -iter are the word2vec tool's options; in embed that run is: embed train text8 -o vectors.bin --dim 200 --window 8 --sample 1e-4 --epochs 15 --workers 20 --negative 25 --alpha 0.05 --min-alpha 5e-06
    >>> in_embed_terms("-train t -output v.bin -size 5 -size 7".split()).split("; ")[1]
    'in embed that run is: embed train t -o v.bin --dim 5 --alpha 0.05 --min-alpha 5e-06'
    """
    given: dict[str, str | None] = {}
    others: list[str] = []
    position = 0
    while position < len(arguments):
        argument = arguments[position]
        if argument in TOOL_OPTIONS:
            value = arguments[position + 1] if position + 1 < len(arguments) else None
            given.setdefault(argument, value)  # the tool's ArgPos finds an option's first occurrence
            position += 2
        else:
            others.append(argument)
            position += 1
    output = given.get("-output") or "OUT"
    command = ["embed", "train", given.get("-train") or "CORPUS", *others, "-o", output]
    notes = []
    cbow = _number(given.get("-cbow"), 1) != 0
    if not cbow:
        command += ["--arch", "skipgram"]
    for option, ours in _RENAMED.items():
        if given.get(option) is not None:
            command += [ours, given[option]]
    hierarchical, negative = _number(given.get("-hs"), 0) != 0, _number(given.get("-negative"), 5)
    if hierarchical:
        command += ["--loss", "hierarchical"]
        if negative:
            notes.append(f"with -hs 1 and -negative {negative:g} the tool trains both output layers at once; embed "
                         "trains one, hierarchical softmax here (--loss negative for the other)")
    elif given.get("-negative") is not None and negative:
        command += ["--negative", given["-negative"]]
    elif not negative:
        notes.append("with -hs 0 and -negative 0 the tool trains no output layer; embed trains negative sampling")
    # The tool starts CBOW at 0.05 and ends every run at 1e-4 of the start.
    alpha = _number(given.get("-alpha"), 0.05 if cbow else 0.025)
    command += ["--alpha", given.get("-alpha") or f"{alpha:g}", "--min-alpha", f"{alpha * 1e-4:g}"]
    binary = _number(given.get("-binary"), 0) != 0
    if binary and not output.endswith(".bin"):
        notes.append(f"embed writes word2vec's binary format (-binary 1) where OUT ends in .bin, and text to {output}")
    elif not binary and output.endswith(".bin"):
        notes.append("embed writes word2vec's binary format where OUT ends in .bin: name it .txt for the text "
                     "format (-binary 0)")
    if _number(given.get("-classes"), 0):
        notes.append("embed has no -classes (the tool's k-means word classes)")
    for option in ("-save-vocab", "-read-vocab"):
        if option in given:
            notes.append(f"embed has no {option}: it counts the vocabulary itself, and a whole model (OUT ending in "
                         ".embed) keeps it with its counts")
    found = list(given)  # each once, as the command line gives them
    names = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]
    said = (f"{names} {'is' if len(found) == 1 else 'are'} the word2vec tool's option{'s' * (len(found) > 1)}; "
            f"in embed that run is: {shlex.join(command)}")
    return "; ".join([said, *notes])
