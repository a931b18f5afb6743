"""Phrases (embed.training.phrases): word2phrase's counts, scores, greedy joining, passes,
pruning and files, checked against counts made here by hand and against gensim."""

import bz2
import dataclasses
import gzip
import itertools
import json
import lzma
import math
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from embed.data import bundled
from embed.errors import EmbedError
from embed.training import phrases as phrases_module
from embed.text.corpus import read_sentences
from embed.text.phrase_counts import PairCounts
from embed.training.phrases import Phrases, PhrasesConfig, PruningWarning, word2phrase_score

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def hand_counts(sentences):
    """Unigram and in-sentence bigram counts, and N, the way word2phrase's formula wants them."""
    unigrams = Counter(t for s in sentences for t in s)
    bigrams = Counter(pair for s in sentences for pair in zip(s, s[1:]))
    return unigrams, bigrams, sum(unigrams.values())


CORPUS = ([["new", "york", "is", "a", "big", "city"], ["he", "left", "new", "york"],
           ["the", "big", "apple", "is", "new", "york"], ["a", "big", "city"], ["new", "shoes"]] * 4
          + [["york", "minster"], ["big", "apple"]])


def test_default_scores_are_word2phrases_formula_on_hand_counts():
    min_count, threshold = 3, 1.5
    unigrams, bigrams, n = hand_counts(CORPUS)
    expected = {}
    for (a, b), together in bigrams.items():
        if min(unigrams[a], unigrams[b], together) >= min_count:
            score = (together - min_count) / unigrams[a] / unigrams[b] * n
            if score > threshold:
                expected[f"{a}_{b}"] = score
    found = Phrases(passes=1, min_count=min_count, threshold=threshold).learn(CORPUS).export_phrases()
    assert found.keys() == expected.keys() and len(found) >= 3
    for name, score in expected.items():
        assert found[name] == pytest.approx(score, rel=1e-12)
    assert "new_york" in found and "new_shoes" not in found  # "new shoes" 4 times: (4-3)/16/4*n is below 1.5


def test_npmi_scores_are_normalised_pmi_on_hand_counts():
    min_count, threshold = 4, 0.3
    unigrams, bigrams, n = hand_counts(CORPUS)
    expected = {}
    for (a, b), together in bigrams.items():
        if together >= min_count:
            pa, pb, pab = unigrams[a] / n, unigrams[b] / n, together / n
            score = math.log(pab / (pa * pb)) / -math.log(pab)
            if score > threshold:
                expected[f"{a}_{b}"] = score
    found = Phrases(passes=1, min_count=min_count, threshold=threshold, scoring="npmi").learn(CORPUS).export_phrases()
    assert found.keys() == expected.keys() and found
    for name, score in expected.items():
        assert found[name] == pytest.approx(score, rel=1e-12)
        assert -1 <= found[name] <= 1


def test_threshold_and_min_count_edges():
    # "a b" 4 times in 4 sentences of 2 tokens: N = 8, count(a) = count(b) = count(ab) = 4.
    sentences = [["a", "b"]] * 4
    score = (4 - 2) / 4 / 4 * 8  # 1.0 at min_count 2
    assert Phrases(passes=1, min_count=2, threshold=score - 1e-9).learn(sentences).export_phrases() == {"a_b": score}
    assert Phrases(passes=1, min_count=2, threshold=score).learn(sentences).export_phrases() == {}  # a score must be above it
    assert Phrases(passes=1, min_count=4, threshold=0).learn(sentences).export_phrases() == {}  # count(ab) == min_count scores 0
    assert Phrases(passes=1, min_count=5, threshold=0).learn(sentences).export_phrases() == {}
    # npmi: count(ab) == min_count is enough; the score is 1 when a and b only occur together
    npmi = Phrases(passes=1, min_count=4, threshold=0.99, scoring="npmi").learn(sentences + [["c", "d"]] * 4).export_phrases()
    assert npmi == {"a_b": pytest.approx(1.0), "c_d": pytest.approx(1.0)}
    assert Phrases(passes=1, min_count=5, threshold=-0.5, scoring="npmi").learn(sentences).export_phrases() == {}
    assert Phrases(passes=1, min_count=4, threshold=1, scoring="npmi").learn(sentences).export_phrases() == {}


def test_joining_is_greedy_left_to_right_as_word2phrase():
    # (a, b) and (b, c) are both phrases; in "a b c" b joins a, and c stays alone.
    sentences = [["a", "b"], ["b", "c"]] * 3
    phrases = Phrases(passes=1, min_count=1, threshold=0).learn(sentences)
    assert set(phrases.export_phrases()) == {"a_b", "b_c"}
    assert phrases.apply(["a", "b", "c"]) == ["a_b", "c"]
    assert phrases.apply(["b", "c", "a", "b", "c"]) == ["b_c", "a_b", "c"]
    assert phrases.apply(["x", "b", "c", "c"]) == ["x", "b_c", "c"]
    assert phrases.apply(["a"]) == ["a"] and phrases.apply([]) == []
    # the same on the jitted path, from a file
    assert [s for s in phrases.sentences([["a", "b", "c"], ["b", "c", "a", "b", "c"]])] == [["a_b", "c"],
                                                                                            ["b_c", "a_b", "c"]]


def test_two_passes_make_three_and_four_word_phrases(tmp_path):
    fillers = [[f"filler{a}{b}"] for a in "abcdefghij" for b in "abcdefghijklmnopqrst"]  # 200 one-off words
    sentences = [["new", "york", "stock", "exchange"]] * 10 + [["new", "york", "times"]] * 10 + fillers
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(s) for s in sentences) + "\n")
    once = Phrases(passes=1, min_count=5, threshold=5).learn(path)
    # N = 270: new_york (20-5)/20/20*N, york_stock and york_times (10-5)/20/10*N, stock_exchange (10-5)/10/10*N
    assert once.export_phrases() == pytest.approx({"stock_exchange": 13.5, "new_york": 10.125, "york_stock": 6.75,
                                                   "york_times": 6.75})
    assert once.apply(sentences[0]) == ["new_york", "stock_exchange"]  # york stock loses: york joined already
    twice = Phrases(min_count=5, threshold=5, passes=2).learn(path)
    # the second pass counts the first's output: N = 240, (new_york, stock_exchange) (10-5)/20/10*N = 6
    assert twice.stats[1].tokens == sum(len(once.apply(s)) for s in sentences) == 240
    assert twice.pass_sizes == [4, 2]
    assert {k: v for k, v in twice.export_phrases().items() if k.count("_") > 1} == pytest.approx(
        {"new_york_stock_exchange": 6.0, "new_york_times": 6.0})
    assert twice.apply(["on", *sentences[0], *sentences[10]]) == ["on", "new_york_stock_exchange", "new_york_times"]
    assert list(twice.sentences(path))[:11:10] == [["new_york_stock_exchange"], ["new_york_times"]]
    assert Phrases(min_count=5, threshold=5).learn(sentences, passes=2).export_phrases() == twice.export_phrases()


def test_rare_words_break_adjacency(tmp_path):
    # "alpha" and "omega" never touch: each time a different rare word lies between.
    # Dropping the rare words (as training's reader does) would make "alpha omega" 50 times.
    sentences = [["alpha", f"rare{chr(97 + i % 26)}{chr(97 + i // 26)}", "omega"] for i in range(50)]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(s) for s in sentences) + "\n")
    for corpus in (sentences, path):
        phrases = Phrases(passes=1, min_count=5, threshold=0).learn(corpus)
        assert "alpha_omega" not in phrases.export_phrases()
        assert phrases.stats[0].tokens == 150


def test_no_pair_crosses_a_sentence_line_cut_or_file(tmp_path):
    # "a" ends every line and "b" starts the next: no sentence has the pair.
    lines = ["x a", "b y"] * 20
    path = tmp_path / "lines.txt"
    path.write_text("\n".join(lines) + "\n")
    assert "a_b" not in Phrases(passes=1, min_count=1, threshold=0).learn(path).export_phrases()
    assert "a_b" not in Phrases(passes=1, min_count=1, threshold=0).learn([s.split() for s in lines]).export_phrases()
    # one long line cut every 2 tokens (as read_sentences cuts text8): "x a | b y | x a ..."
    long = tmp_path / "long.txt"
    long.write_text(" ".join(lines) + "\n")
    cut = Phrases(passes=1, min_count=1, threshold=0, max_sentence_length=2).learn(long)
    assert "a_b" not in cut.export_phrases() and "y_x" not in cut.export_phrases()
    assert "a_b" in Phrases(passes=1, min_count=1, threshold=0).learn(long).export_phrases()
    # two files: the first's last token and the second's first are not a pair
    first, second = tmp_path / "1.txt", tmp_path / "2.txt"
    first.write_text("p q\n" * 5 + "p")
    second.write_text("s t\n" * 5)
    both = Phrases(passes=1, min_count=1, threshold=0).learn([first, second])
    assert "p_s" not in both.export_phrases() and both.stats[0].tokens == 21


def test_a_file_that_is_not_plain_text_in_a_later_block_gives_the_same_phrases(tmp_path, monkeypatch):
    monkeypatch.setattr(phrases_module, "_READ_BYTES", 16)
    text = "new york is big\nin new york now\n" * 20 + "Zürich, new york!\n"
    path = tmp_path / "c.txt"
    path.write_text(text, encoding="utf-8")
    sentences = list(read_sentences(path))
    from_file = Phrases(min_count=3, threshold=1, passes=2).learn(path)
    from_lists = Phrases(min_count=3, threshold=1, passes=2).learn(sentences)
    assert from_file.export_phrases() == from_lists.export_phrases() and len(from_file)
    assert list(from_file.sentences(path)) == [from_lists.apply(s) for s in sentences]


corpus_lines = st.lists(st.lists(st.sampled_from(["a", "b", "c", "d", "Ab", "e"]), max_size=12), min_size=1,
                        max_size=30)


@SETTINGS
@given(corpus_lines, st.integers(1, 3), st.integers(1, 2), st.integers(3, 40), st.sampled_from([1, 2, 5]))
def test_write_keeps_every_token_in_order(tmp_path, monkeypatch, lines, passes, min_count, block, cut):
    assume(any(lines))
    monkeypatch.setattr(phrases_module, "_READ_BYTES", block)  # sentences and pairs straddle blocks
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(line) for line in lines) + "\n")
    phrases = Phrases(min_count=min_count, threshold=0, passes=passes, max_sentence_length=cut).learn(path)
    out = tmp_path / "out.txt"
    report = phrases.write(path, out)
    written = [line.split() for line in out.read_text().splitlines()]
    read = list(read_sentences(path, max_sentence_length=cut))
    assert [[t for token in line for t in token.split("_")] for line in written] == read
    assert report.sentences == len(read) and report.tokens_read == sum(map(len, read))
    assert report.tokens_written == sum(map(len, written))
    # the jitted join over the reader's blocks is apply() sentence by sentence
    assert written == [phrases.apply(s) for s in read]
    # and the phrases learnt from the file are those learnt from its sentences
    assert Phrases(min_count=min_count, threshold=0, passes=passes).learn(read).export_phrases() == \
        phrases.export_phrases()


@pytest.mark.parametrize("suffix,opener", [(".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)])
def test_compressed_corpora_in_and_out(tmp_path, suffix, opener):
    text = "new york is big\nin new york now\nzzz\n" * 6
    source = tmp_path / f"c.txt{suffix}"
    with opener(source, "wt") as f:
        f.write(text)
    phrases = Phrases(passes=1, min_count=6, threshold=0).learn(source)
    assert list(phrases.export_phrases()) == ["new_york"]
    out = tmp_path / f"out.txt{suffix}"
    phrases.write(source, out)
    with opener(out, "rt") as f:
        assert f.read().splitlines()[:3] == ["new_york is big", "in new_york now", "zzz"]
    plain = tmp_path / "plain.txt"
    phrases.write(source, plain)
    assert plain.read_bytes()[:8] == b"new_york"


def test_save_and_load_round_trip(tmp_path):
    phrases = Phrases(min_count=2, threshold=0.5, passes=2, delimiter="+", scoring="default").learn(
        [["new", "york", "city", "hall"]] * 6 + [["york"], ["hall"]])
    for name in ("p.json", "p.json.gz", "p.json.xz"):
        phrases.save(tmp_path / name)
        again = Phrases.load(tmp_path / name)
        assert again.config == phrases.config and again.export_phrases() == phrases.export_phrases()
        assert again.pass_sizes == phrases.pass_sizes and again.stats == phrases.stats
        sentence = ["a", "new", "york", "city", "hall", "b"]
        assert again.apply(sentence) == phrases.apply(sentence) != sentence
        assert list(again.sentences([sentence])) == [phrases.apply(sentence)]
    assert json.loads((tmp_path / "p.json").read_text())["settings"]["delimiter"] == "+"


def damaged(document, change):
    document = json.loads(json.dumps(document))
    change(document)
    return json.dumps(document)


def test_damaged_phrases_files_are_one_line(tmp_path):
    good = tmp_path / "good.json"
    Phrases(passes=1, min_count=1, threshold=0).learn([["a", "b"], ["a", "b", "c"]] * 2).save(good)
    document = json.loads(good.read_text())
    cases = {
        "{\"format\": ": "not a phrases file saved by embed (not JSON",
        "[1, 2]": "not a phrases file saved by embed (no \"format\"",
        damaged(document, lambda d: d.update(version=9)): "phrases file version 9",
        damaged(document, lambda d: d["settings"].update(min_count=0)): "damaged phrases file: min_count must be",
        damaged(document, lambda d: d["settings"].update(colour=1)): "damaged phrases file: unknown settings",
        damaged(document, lambda d: d.update(words=["a", "a"])): "a word is listed twice",
        damaged(document, lambda d: d["passes"][0]["phrases"][0].__setitem__(0, 99)): "ids must be below 3",
        damaged(document, lambda d: d["passes"][0]["phrases"][0].__setitem__(3, "x")): "expected [first id, second",
        damaged(document, lambda d: d["passes"][0].pop("phrases")): "pass 1 has no list of phrases",
        damaged(document, lambda d: d["passes"][0]["phrases"].append([0, 1, 2, 1.0])): "is listed twice",
    }
    for text, message in cases.items():
        path = tmp_path / "bad.json"
        path.write_text(text)
        with pytest.raises(EmbedError) as error:
            Phrases.load(path)
        assert str(error.value).startswith(f"{path}: ") and message in str(error.value), str(error.value)
        assert "\n" not in str(error.value)
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(gzip.compress(good.read_bytes())[:30])
    with pytest.raises(EmbedError, match="cannot read compressed data"):
        Phrases.load(cut)
    with pytest.raises(EmbedError, match="no such file"):
        Phrases.load(tmp_path / "missing.json")


def reference_pruning(sentences, max_table):
    """word2phrase's rule as this module states it: after each token (its count, then its
    pair's), when distinct tokens plus distinct pairs exceed max_table, forget those seen
    at most min_reduce times and raise min_reduce."""
    unigrams, bigrams, min_reduce = Counter(), Counter(), 1
    for sentence in sentences:
        for i, token in enumerate(sentence):
            unigrams[token] += 1
            if i:
                bigrams[(sentence[i - 1], token)] += 1
            if len(unigrams) + len(bigrams) > max_table:
                unigrams = Counter({k: c for k, c in unigrams.items() if c > min_reduce})
                bigrams = Counter({k: c for k, c in bigrams.items() if c > min_reduce})
                min_reduce += 1
    return unigrams, bigrams, min_reduce


@pytest.mark.parametrize("max_table", [3, 6, 10, 25, 1000])
def test_pruning_forgets_the_rarest_as_word2phrase(max_table):
    rng = np.random.default_rng(max_table)
    sentences = [list(rng.choice(8, size=int(rng.integers(1, 9)), p=[.3, .2, .15, .1, .1, .05, .05, .05]))
                 for _ in range(60)]
    unigrams, bigrams, min_reduce = reference_pruning(sentences, max_table)
    counts = PairCounts(max_table)
    ids = np.concatenate([np.array(s, np.int32) for s in sentences])
    starts = np.cumsum([0] + [len(s) for s in sentences[:-1]])
    for low, high in zip(range(0, len(ids), 7), range(7, len(ids) + 7, 7)):  # blocks of 7 tokens
        inside = starts[(starts >= low) & (starts < high)] - low
        counts.add(ids[low:high], inside)
    assert counts.min_reduce == min_reduce and (min_reduce > 1) == (max_table < 1000)
    assert counts.pairs() == {(int(a), int(b)): c for (a, b), c in sorted(bigrams.items())}
    assert {i: int(c) for i, c in enumerate(counts.unigrams) if c} == {int(k): c for k, c in unigrams.items()}
    assert counts.tokens == len(ids)  # N is every token read, pruned or not


def test_a_small_table_can_lose_a_phrase_as_word2phrase_does():
    # "rare pair" occurs 6 times, once per 40 distinct one-off pairs: with room for
    # about 30 entries each pruning forgets it before it reaches min_count.
    sentences = []
    for i in range(6):
        sentences += [[f"w{i}x{j}", f"v{i}x{j}"] for j in range(20)] + [["rare", "pair"]]
    full = Phrases(passes=1, min_count=3, threshold=0).learn(sentences)
    with pytest.warns(PruningWarning, match=r"the sentences: pass 1 outgrew max_table=30 .* raise max_table"):
        small = Phrases(passes=1, min_count=3, threshold=0, max_table=30).learn(sentences)
    assert "rare_pair" in full.export_phrases() and "rare_pair" not in small.export_phrases()
    assert small.stats[0].min_reduce > 1 and full.stats[0].min_reduce == 1


def test_sentences_can_be_read_again_for_every_epoch(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("new york is big\nin new york now\n" * 5)
    phrases = Phrases(passes=1, min_count=5, threshold=0).learn(path)
    joined = phrases.sentences(path)
    assert list(joined) == list(joined) == [["new_york", "is", "big"], ["in", "new_york", "now"]] * 5
    with pytest.raises(EmbedError, match="not a generator"):
        phrases.sentences(iter([["a"]]))


def test_gensim_agrees_given_word2phrases_scorer(tmp_path):
    """gensim's built-in "default" scorer multiplies by len(vocab) (its table of words
    and pairs) where word2phrase multiplies by N: gensim is given word2phrase_score."""
    gensim_phrases = pytest.importorskip("gensim.models.phrases")
    lines = list(itertools.islice(read_sentences(bundled("factbook.txt.xz")), 1500))
    text8 = tmp_path / "text8"  # the same tokens as plain text, for the jitted reader
    text8.write_text("\n".join(" ".join(line) for line in lines) + "\n")
    for scoring, threshold, scorer in (("default", 50.0, word2phrase_score), ("npmi", 0.5, "npmi")):
        gensim = gensim_phrases.Phrases(lines, min_count=5, threshold=threshold, scoring=scorer)
        expected = gensim.export_phrases()
        for corpus in (lines, text8):
            ours = Phrases(passes=1, min_count=5, threshold=threshold, scoring=scoring).learn(corpus)
            found = ours.export_phrases()
            assert found.keys() == expected.keys() and len(found) > 50, scoring
            assert all(found[k] == pytest.approx(expected[k], rel=1e-12) for k in found)
            assert [ours.apply(s) for s in lines[:300]] == [gensim[s] for s in lines[:300]]


def test_bad_input_is_one_line(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("12 ... 34\n")
    folder = tmp_path / "none"
    folder.mkdir()
    utf16 = tmp_path / "u16.txt"
    utf16.write_text("new york\n", encoding="utf-16")
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(gzip.compress(b"new york " * 1000)[:60])
    learn = Phrases(passes=1, min_count=1, threshold=0)
    cases = [
        (lambda: learn.learn(tmp_path / "missing.txt"), f"{tmp_path / 'missing.txt'}: no such file"),
        (lambda: learn.learn(folder), f"{folder}: a directory with no corpus files in it"),
        (lambda: learn.learn(empty), f"{empty}: no tokens found"),
        (lambda: learn.learn([]), "the sentences: no tokens found"),
        (lambda: learn.learn(utf16), f"{utf16}: the text is UTF-16"),
        (lambda: learn.learn(cut), f"{cut}: cannot read compressed data"),
        (lambda: learn.learn(["new york", "is big"]), "a sentence must be a list of tokens, got the string 'new york'"),
        (lambda: learn.learn(iter([["a", "b"]]), passes=2), "reads the corpus 2 times"),
        (lambda: learn.learn(path, passes=11), "passes must be an integer from 1 to 10, got 11"),
        (lambda: learn.learn(42), "a corpus must be a file's path"),
        (lambda: learn.apply("new york"), "apply takes one sentence's tokens"),
        (lambda: learn.write(path, path), f"{path}: is also an input"),
        (lambda: learn.write(path, tmp_path / "no" / "out.txt"), "does not exist"),
        (lambda: learn.write(path, folder), "is a directory"),
        (lambda: Phrases(PhrasesConfig(), min_count=2), "a PhrasesConfig or settings, not both"),
    ]
    for call, message in cases:
        with pytest.raises(EmbedError) as error:
            call()
        assert message in str(error.value) and "\n" not in str(error.value), str(error.value)
    assert path.read_text() == "a b\n"


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(PhrasesConfig)])
def test_every_setting_refuses_every_bad_value_its_declaration_names(field):
    declaration = next(f for f in dataclasses.fields(PhrasesConfig) if f.name == field)
    for value in declaration.metadata["constraint"].bad_values():
        with pytest.raises(EmbedError, match=rf"^{field} (must|.* is not a valid)"):
            Phrases(**{field: value})


def test_thresholds_are_checked_against_the_scoring():
    for scoring, threshold, message in (("default", -1, "threshold must be >= 0 with scoring 'default'"),
                                        ("npmi", -1, "above -1 and at most 1 with scoring 'npmi', got -1.0"),
                                        ("npmi", 1.5, "above -1 and at most 1"), ("default", math.nan, "finite")):
        with pytest.raises(EmbedError, match=message.replace("(", r"\(").replace(")", r"\)")):
            Phrases(scoring=scoring, threshold=threshold)
    assert Phrases(scoring="npmi", threshold=1).config.threshold == 1.0
    assert Phrases(threshold=np.float32(2)).config.threshold == 2.0


def test_training_joins_the_phrases_as_it_reads(tmp_path):
    import embed
    from embed.training.word2vec import Word2Vec

    rng = np.random.default_rng(5)
    lines = [" ".join(["new", "york"] + list(rng.choice(["city", "big", "apple", "lights"], 4))) for _ in range(300)]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines) + "\n")
    phrases = Phrases(min_count=5, threshold=1, passes=1).learn(path)
    assert "new_york" in phrases.export_phrases()
    model = embed.train(str(path), phrases=phrases, dim=8, min_count=1, epochs=1, workers=1, progress=False)
    assert "new_york" in model.vocab and "new" not in model.vocab
    assert model.vocab.counts[model.vocab.index["new_york"]] == 300
    phrases.save(tmp_path / "p.json")
    again = Word2Vec(embed.Config(dim=8, min_count=1, epochs=1, workers=1), phrases=str(tmp_path / "p.json"))
    assert again.build_vocab(str(path)).vocab.words == model.vocab.words
    with pytest.raises(EmbedError, match="the phrases were learnt with lowercase=True and training reads with "
                                         "False: give both the same lowercase"):
        embed.train(str(path), phrases=phrases, lowercase=False, min_count=1, progress=False)
    with pytest.raises(EmbedError, match="phrases are joined on one machine"):
        embed.train(str(path), phrases=phrases, deterministic=True, min_count=1, progress=False)


def test_the_phrases_command_learns_writes_saves_and_trains(tmp_path):
    import subprocess
    import sys

    lines = ["new york is a big city", "i like new york", "new york new york"] * 40 + ["york new"] * 3
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines) + "\n")

    def embed_command(*arguments):
        return subprocess.run([sys.executable, "-m", "embed", *map(str, arguments)], capture_output=True, text=True)

    done = embed_command("phrases", path, "-o", tmp_path / "joined.txt.gz", "--min-count", "3", "--threshold", "1",
                         "--save", tmp_path / "p.json")
    assert done.returncode == 0, done.stderr
    assert "in 2 pass(es)" in done.stdout and "joined to the one before" in done.stdout
    import gzip

    joined = gzip.decompress((tmp_path / "joined.txt.gz").read_bytes()).decode().splitlines()
    assert joined[0].startswith("new_york") and joined[-1] == "york new"  # 2 passes: phrases of phrases too
    assert [t for line in joined for t in line.replace("_", " ").split()] == " ".join(lines).split()
    done = embed_command("train", path, "-o", tmp_path / "v.vec", "--phrases", tmp_path / "p.json", "--min-count", "1",
                         "--dim", "8", "--epochs", "1", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "new_york " in (tmp_path / "v.vec").read_text()
    for arguments, message in [
        (["-o", path], "is also an input"),
        (["-o", tmp_path / "x.txt", "--threshold", "-1"], "threshold must be >= 0 with scoring 'default'"),
        (["-o", tmp_path / "x.txt", "--load", tmp_path / "p.json", "--min-count", "2"], "drop --min-count"),
        (["-o", tmp_path / "x.txt", "--load", tmp_path / "missing.json"], "missing.json: no such file"),
    ]:
        done = embed_command("phrases", path, *arguments)
        assert done.returncode == 1 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1, (
            arguments, done.stderr)


def test_settings_of_the_wrong_name_or_kind_and_misused_apply_are_one_line():
    # Python's "unexpected keyword argument", AttributeErrors at the first use, and
    # TypeErrors of apply and load.
    phrases = Phrases(min_count=1, threshold=0).learn([["new", "york"]] * 5)
    for call, message in (
            (lambda: Phrases(min_cout=3), "unknown phrases field(s): min_cout (did you mean min_count?)"),
            (lambda: PhrasesConfig(min_cout=3), "unknown phrases field(s): min_cout (did you mean min_count?)"),
            (lambda: Phrases({"min_count": 3}), "config must be an embed PhrasesConfig, got dict {'min_count': 3}; "
                                                "Phrases also takes the settings as keywords: Phrases(min_count=3)"),
            (lambda: Phrases.load(None), "a file's path must be a str or an os.PathLike, got NoneType None"),
            (lambda: phrases.apply(None), "apply takes one sentence's tokens (a list of strings), got NoneType None"),
            (lambda: phrases.apply([["new", "york"]] * 2), "apply takes one sentence's tokens (a list of strings), got "
                                                           "a list of lists: phrases.sentences(corpus) joins a corpus's"),
    ):
        with pytest.raises(EmbedError, match="^" + re.escape(message) + "$"):
            call()
    assert phrases.apply(("new", "york")) == ["new_york"]
