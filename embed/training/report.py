"""What a run did to the text: one short block at the end of ``embed train`` and in
``Word2Vec.report``, so that no text is lost without the user seeing it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RunReport:
    """The last vocabulary pass's reading, and what training left out.

    >>> print(RunReport(tokens_read=1000, vocabulary_tokens=900, vocabulary_words=50, min_count=5,
    ...                 cut_sentences=2, cut_tokens=0, repaired_bytes=1, subsampled=120.0, epochs=2))
    text: 1,000 tokens read; 100 (10.0%) dropped as words seen fewer than min_count=5 times, 900 left of 50 words
    cut: long lines cut 2 times into sentences of at most 10,000 tokens; 0 tokens cut to 100 characters; 1 byte not valid in the encoding replaced
    subsampling: about 120 words (13.3%) left out of each epoch, 2 epochs so far (expected from the keep rates)
    """

    tokens_read: int
    vocabulary_tokens: int
    vocabulary_words: int
    min_count: int
    cut_sentences: int | None  # None where the reading was not recorded
    cut_tokens: int | None
    repaired_bytes: int | None
    subsampled: float  # words per epoch, expected
    epochs: int
    validation_oov: tuple[tuple[str, float], ...] = field(default=())  # (what, share out of vocabulary)
    max_sentence_length: int = 10_000
    max_token_length: int = 100

    def __str__(self) -> str:
        dropped = self.tokens_read - self.vocabulary_tokens
        share = 100 * dropped / self.tokens_read if self.tokens_read else 0.0
        lines = [f"text: {self.tokens_read:,} tokens read; {dropped:,} ({share:.1f}%) dropped as words seen fewer "
                 f"than min_count={self.min_count} times, {self.vocabulary_tokens:,} left of "
                 f"{self.vocabulary_words:,} words"]
        if self.cut_sentences is None:
            lines.append("cut: not recorded (sentences given in memory, phrases joined as they were read, or a "
                         "model saved by an older embed)")
        else:
            byte = "byte" if self.repaired_bytes == 1 else "bytes"
            lines.append(f"cut: long lines cut {self.cut_sentences:,} times into sentences of at most "
                         f"{self.max_sentence_length:,} tokens; {self.cut_tokens:,} tokens cut to "
                         f"{self.max_token_length:,} characters; {self.repaired_bytes:,} {byte} not valid in the "
                         "encoding replaced")
        kept = 100 * self.subsampled / self.vocabulary_tokens if self.vocabulary_tokens else 0.0
        epochs = "1 epoch" if self.epochs == 1 else f"{self.epochs} epochs"
        lines.append(f"subsampling: about {self.subsampled:,.0f} words ({kept:.1f}%) left out of each epoch, "
                     f"{epochs} so far (expected from the keep rates)")
        for what, oov in self.validation_oov:
            lines.append(f"validation: {100 * oov:.1f}% of {what} out of the vocabulary")
        return "\n".join(lines)
