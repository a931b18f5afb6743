"""The loss per epoch as a picture: how the derivation shows what momentum, annealing
and weight decay do."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

from ..errors import EmbedError, described
from ..vectors.plot import figure_format, save_figure


def plot_loss(models, path: str | os.PathLike, title: str = "") -> None:
    """Draw the training loss of one model, or of several (a mapping from a label to a
    model, to compare runs), as PNG or as the name's ending says (.pdf, .svg: see
    ``embed.vectors.plot.figure_format``): the mean loss of each epoch as points, and of each
    tenth of an epoch as a line where it was recorded, each at the middle of what it averages.

    >>> model = embed.train("corpus.txt", loss="softmax", momentum=0.9)  # doctest: +SKIP
    >>> plot_loss(model, "loss.png")                                    # doctest: +SKIP
    >>> plot_loss({"SGD": plain, "momentum 0.9": fast}, "loss.png")     # doctest: +SKIP
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure_format(path)
    runs = dict(models) if isinstance(models, Mapping) else {"": models}
    strange = next((model for model in runs.values() if not hasattr(model, "history")), None)
    if strange is not None:
        raise EmbedError(f"plot_loss takes a Word2Vec, or a mapping from labels to them, got "
                         f"{described(strange)}")
    if not any(getattr(model, "history", None) for model in runs.values()):
        raise EmbedError("no loss to plot: the model has not been trained")
    figure = Figure(figsize=(8, 5), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for (label, model), color in zip(runs.items(), _colors()):
        history = model.history
        first = history[0].epoch - 1 if history else 0
        xs, ys = [], []
        for stats in history:
            for i, loss in enumerate(stats.tenths):
                xs.append(stats.epoch - 1 + (i + 0.5) / len(stats.tenths))
                ys.append(loss)
        if xs:
            axes.plot(xs, ys, color=color, linewidth=1, alpha=0.6)
        epochs = [(s.epoch - 0.5, s.loss) for s in history if math.isfinite(s.loss)]  # a mean over the epoch: its middle
        axes.plot([e for e, _ in epochs], [loss for _, loss in epochs], "o-", color=color, linewidth=1.8,
                  label=f"{label} (last epoch {epochs[-1][1]:.3f})".strip() if epochs else label)
        axes.set_xlim(left=first)
    axes.set_xlabel("epoch")
    axes.set_ylabel("mean training loss per example")
    axes.grid(alpha=0.3)
    if any(label for label in runs):
        axes.legend()
    if title:
        axes.set_title(title)
    figure.tight_layout()
    save_figure(figure, path)


def _colors():
    while True:
        yield from ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")
