"""Word vectors after training: queries, file formats, evaluation and plots.

Nothing here loads the training kernels (numba): querying, converting and evaluating
vectors start at once.

>>> import numpy as np
>>> Vectors(["a", "b"], np.eye(2, dtype=np.float32)).most_similar("a", topn=1)[0][0]
'b'
"""

from .word_vectors import Vectors, load_vectors

__all__ = ["Vectors", "load_vectors"]
