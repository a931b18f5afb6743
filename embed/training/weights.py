"""The two weight matrices of a model, stored as the kernels want them.

Rows are padded to whole cache lines (``embed.kernels.densematrix``); users see
``rows x dim`` views. Below the vocabulary's rows the output matrix may hold spare rows
where each worker keeps its copy of the hot rows (``embed.kernels.private_rows``).
"""

from __future__ import annotations

import numpy as np

from ..errors import EmbedError
from ..memory import check_fits
from ..kernels.densematrix import dense_matrix, dense_rows, padded_width
from ..kernels.private_rows import NO_PRIVATE_ROWS, PrivateRows


def model_bytes(rows: int, dim: int) -> int:
    """The bytes of a model's input and output matrices as stored (rows padded to whole
    cache lines).

    >>> model_bytes(70_000, 100)
    62720000
    """
    return 2 * rows * padded_width(dim) * 4


class Weights:
    """Input and output vectors of ``rows`` words of ``dim`` floats.

    >>> weights = Weights.initial(rows=3, dim=4, seed=1)
    >>> weights.w_in.shape, float(np.abs(weights.w_out).sum())
    ((3, 4), 0.0)
    """

    def __init__(self, w_in: np.ndarray, w_out: np.ndarray) -> None:
        self.rows, self.dim = w_in.shape
        self.input = dense_matrix(w_in)
        self.output = dense_matrix(w_out)
        self.velocity: tuple[np.ndarray, np.ndarray] | None = None  # momentum's, made when a run needs it

    @classmethod
    def initial(cls, rows: int, dim: int, seed: int) -> Weights:
        """word2vec's start: input vectors uniform in [-0.5/dim, 0.5/dim), output vectors zero."""
        check_fits(model_bytes(rows, dim), f"the weights of {rows:,} words of dimension {dim:,}")
        weights = cls.__new__(cls)
        weights.rows, weights.dim = rows, dim
        weights.input, weights.output = dense_rows(rows, dim), dense_rows(rows, dim)
        weights.velocity = None
        # Drawn a block of rows at a time into the padded matrix: one draw of the whole
        # matrix, shifted, scaled and then padded, made four copies of it at once (110 MB
        # of peak memory at 68k words, d=100). The stream of draws is the same.
        rng = np.random.default_rng(seed)
        block = max(1, (1 << 20) // dim)
        for first in range(0, rows, block):
            values = rng.random((min(block, rows - first), dim), dtype=np.float32)
            values -= np.float32(0.5)
            values /= np.float32(dim)
            weights.input[first : first + len(values), :dim] = values
        return weights

    def grown(self, rows: int, seed: int) -> Weights:
        """These weights with rows up to ``rows``: the new input rows drawn as word2vec
        draws a start (uniform in [-0.5/dim, 0.5/dim), from ``seed``), the new output
        rows and velocities zero, every existing row as it is.

        >>> Weights.initial(rows=2, dim=4, seed=1).grown(5, seed=2).w_in.shape
        (5, 4)
        """
        added = rows - self.rows
        start = Weights.initial(added, self.dim, seed)
        grown = Weights(np.vstack([self.w_in, start.w_in]), np.vstack([self.w_out, start.w_out]))
        if self.velocity is not None:
            grown.velocity = tuple(dense_matrix(np.vstack([v[: self.rows, : self.dim], np.zeros((added, self.dim),
                                                                                               np.float32)]))
                                   for v in self.velocity)
        return grown

    @property
    def w_in(self) -> np.ndarray:
        return self.input[: self.rows, : self.dim]

    @w_in.setter
    def w_in(self, values: np.ndarray) -> None:
        self.input = dense_matrix(self.checked("w_in", values))

    @property
    def w_out(self) -> np.ndarray:
        return self.output[: self.rows, : self.dim]

    @w_out.setter
    def w_out(self, values: np.ndarray) -> None:
        self.output = dense_matrix(self.checked("w_out", values))

    def checked(self, name: str, values: np.ndarray) -> np.ndarray:
        """``values`` if it is a matrix of this model's shape."""
        values = np.asarray(values)
        if values.shape != (self.rows, self.dim):
            raise EmbedError(
                f"{name} must be a matrix of {self.rows} rows (the vocabulary) x {self.dim} (dim), got shape {values.shape}"
            )
        return values

    def velocities(self) -> tuple[np.ndarray, np.ndarray]:
        """Momentum's velocities of the input and output rows, padded as the weights
        are (zero until a run with momentum moves them)."""
        if self.velocity is None:
            check_fits(2 * self.rows * self.input.shape[1] * 4, f"momentum's velocities for {self.rows:,} words")
            self.velocity = (np.zeros_like(self.input[: self.rows]), np.zeros_like(self.output[: self.rows]))
        return self.velocity

    def set_velocities(self, velocity: tuple[np.ndarray, np.ndarray] | None) -> None:
        """Velocities of ``rows x dim`` each, as a model file holds them."""
        self.velocity = None if velocity is None else tuple(dense_matrix(self.checked("velocity", v)) for v in velocity)

    def make_room(self, spare: int) -> None:
        """Give the output matrix ``spare`` rows below the vocabulary's, for the
        workers' private rows."""
        if self.output.shape[0] != self.rows + spare:
            self.output = dense_matrix(self.w_out, spare)

    def output_for(self, private: PrivateRows = NO_PRIVATE_ROWS) -> np.ndarray:
        """The output matrix as a worker with these private rows trains it: the full
        softmax sums over every row it is given, so without private rows it gets the
        vocabulary's rows alone."""
        return self.output if private.count else self.output[: self.rows]
