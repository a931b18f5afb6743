"""Training: the settings (``config``), the model users hold (``word2vec``), its weights
and tables, the epochs on threads, and the model file.

Importing this package loads nothing heavy; ``embed.training.word2vec`` loads the
kernels (numba).
"""
