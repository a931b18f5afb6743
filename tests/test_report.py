"""The run report (Word2Vec.report, the block at the end of embed train): every figure
against what the test counts in the text it wrote."""

import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from embed.training.config import Config
from embed.training.word2vec import Word2Vec


def expected_dropping(tokens, min_count, sample):
    counts = Counter(tokens)
    kept = {w: c for w, c in counts.items() if c >= min_count}
    total = sum(kept.values())
    share = {w: c / total for w, c in kept.items()}
    keep = {w: min(1.0, (np.sqrt(f / sample) + 1) * sample / f) for w, f in share.items()}
    return len(tokens) - total, total, sum(c * (1 - keep[w]) for w, c in kept.items())


@pytest.mark.parametrize("files", [1, 2], ids=["one file", "two files"])  # two: the report said "not recorded"
@pytest.mark.parametrize("plain", [True, False], ids=["plain bytes", "tokenizer"])
def test_the_report_counts_what_happened_to_the_text(tmp_path, plain, files):
    rng = np.random.default_rng(3)
    words = ["alpha", "beta", "gamma", "delta", "eps"] + [f"rare{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(50)]
    lines = [list(rng.choice(words[:5], 30)) + [words[5 + i % 50]] for i in range(200)]  # each rare word 4 times
    lines.append(["alpha"] * 25)  # cut twice at 10 tokens
    text = "\n".join(" ".join(line) for line in lines) + "\n"
    raw = text.encode()
    if not plain:
        raw += b"gamma caf\xe9 " + b"z" * 30 + b" beta\n"  # one invalid byte, one token over 20 characters
    if files == 1:
        path = tmp_path / "c.txt"
        path.write_bytes(raw)
    else:  # cut between lines
        half = raw.index(b"\n", len(raw) // 2) + 1
        path = [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
        for name, part in zip(path, (raw[:half], raw[half:])):
            open(name, "wb").write(part)
    config = Config(dim=8, min_count=5, epochs=2, workers=1, sample=1e-2, max_sentence_length=10, max_token_length=20)
    model = Word2Vec(config).build_vocab(path).train(path, progress=False)
    report = model.report
    tokens = [t for line in lines for t in line] + ([] if plain else ["gamma", "caf\ufffd", "z" * 20, "beta"])
    dropped, left, subsampled = expected_dropping(tokens, 5, 1e-2)
    assert (report.tokens_read, report.vocabulary_tokens, report.vocabulary_words) == (len(tokens), left, 5)
    assert report.tokens_read - report.vocabulary_tokens == dropped
    cuts = sum(-(-len(line) // 10) - 1 for line in lines)
    assert report.cut_sentences == cuts == 2 + sum(-(-len(line) // 10) - 1 for line in lines[:-1])
    assert (report.cut_tokens, report.repaired_bytes) == ((0, 0) if plain else (1, 1))
    assert report.subsampled == pytest.approx(subsampled, rel=1e-5)
    assert report.epochs == 2
    text = str(report)
    assert f"{len(tokens):,} tokens read; {dropped:,}" in text and f"cut {cuts:,} times" in text
    assert Word2Vec.load(_saved(model, tmp_path)).report == report  # kept in the model file


def _saved(model, tmp_path):
    model.save(tmp_path / "m.embed")
    return tmp_path / "m.embed"


def test_the_report_gives_the_validation_sets_share_out_of_the_vocabulary(tiny_corpus, tmp_path):
    path, _, _ = tiny_corpus
    held = tmp_path / "held.txt"
    held.write_text("cat dog zebra cow\nhammer yak saw drill\n")  # 2 of 8 tokens unknown
    model = Word2Vec(Config(dim=8, min_count=1, epochs=1, workers=1)).build_vocab(path)
    model.train(path, progress=False, validate=str(held))
    assert model.report.validation_oov == ((f"the tokens of {held}", pytest.approx(0.25)),)
    assert f"validation: 25.0% of the tokens of {held} out of the vocabulary" in str(model.report)


def test_sentences_in_memory_say_the_reading_was_not_recorded():
    model = Word2Vec(Config(dim=8, min_count=1, epochs=1, workers=1, sample=0)).build_vocab([["a", "b", "a"]] * 5)
    model.train([["a", "b", "a"]] * 5, progress=False)
    assert model.report.tokens_read == 15 and model.report.cut_sentences is None
    assert "cut: not recorded" in str(model.report)


def test_embed_train_ends_with_the_report(tiny_corpus, tmp_path):
    path, _, _ = tiny_corpus
    done = subprocess.run([sys.executable, "-m", "embed", "train", str(path), "-o", str(tmp_path / "v.vec"),
                           "--dim", "8", "--min-count", "1", "--epochs", "1", "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("text: 3,200 tokens read; 0 (0.0%) dropped") and lines[1].startswith("cut: long lines")
    assert lines[2].startswith("subsampling: about")
