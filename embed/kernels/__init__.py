"""The Numba kernels: two architecture drivers (``cbow``, ``skipgram``), the batch between
them and the losses (``loss`` dispatching to ``loss_negative``, ``loss_softmax`` and
``loss_hierarchical``, the last two sharing ``logistic``), and the primitives under
them. ``piece`` is their entry point: train a piece of a shard, apply what changed."""
