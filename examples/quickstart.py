"""Train on the bundled World Factbook, query neighbours and analogies, draw the figure.

    python examples/quickstart.py
"""

import embed
from embed.data import bundled
from embed.plot import plot_capitals

corpus = bundled("factbook.txt.xz")
model = embed.train(corpus, arch="skipgram", epochs=10)
vectors = model.wv

for word in ("paris", "france", "tokyo"):
    print(word, "->", ", ".join(w for w, _ in vectors.most_similar(word, topn=5)))

# berlin - germany + japan: "germany is to berlin as japan is to ?"
print("germany : berlin :: japan :", vectors.analogy("germany", "berlin", "japan"))
print(vectors.most_similar(positive=["berlin", "japan"], negative=["germany"], topn=3))

vectors.save_word2vec_format("factbook.bin")  # word2vec binary: gensim and the C tool read it
plot_capitals(vectors, "capitals.png")
print("wrote factbook.bin and capitals.png")
