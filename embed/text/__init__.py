"""Text to word ids: tokens (``tokenizer``), corpus files (``corpus``, and ``plaintext``
for ASCII text such as text8), the vocabulary (``vocab``), chunks of ids (``chunks``)
and the windows the models train on (``windows``, drawing from ``rng``)."""
