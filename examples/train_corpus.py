"""Train on any corpus: one sentence per line, or one long line as in text8 (.gz/.bz2/.xz too).

    python examples/train_corpus.py ../shared/data/wiki2015-17m.txt.xz wiki.bin --arch skipgram

Evaluates the vectors on the bundled Google analogies and WordSim-353 when done.
"""

import argparse

import embed
from embed.data import bundled
from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("corpus")
parser.add_argument("output", help="vectors file: .bin for word2vec binary, anything else for text")
parser.add_argument("--arch", default="skipgram", choices=["cbow", "skipgram"])
parser.add_argument("--loss", default="negative", choices=["negative", "softmax", "hierarchical"])
parser.add_argument("--dim", type=int, default=100)
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--min-count", type=int, default=5)
args = parser.parse_args()

config = embed.Config(arch=args.arch, loss=args.loss, dim=args.dim, epochs=args.epochs, min_count=args.min_count)


def report(model, epoch, loss):
    print(f"epoch {epoch}: loss {loss:.4f}")


model = embed.Word2Vec(config).build_vocab(args.corpus)
model.train(args.corpus, on_epoch_end=report)
model.wv.save_word2vec_format(args.output)

analogies = evaluate_word_analogies(model.wv, bundled("questions-words.txt"), restrict_vocab=30_000)
print(analogies.table())
pairs = evaluate_word_pairs(model.wv, bundled("wordsim353.tsv"))
print(f"WordSim-353 Spearman {pairs.spearman:.3f} ({pairs.oov_ratio:.1f}% of pairs out of vocabulary)")
