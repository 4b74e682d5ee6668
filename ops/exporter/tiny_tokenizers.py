"""Small but real tokenizers, learned from the embedded multilingual corpus.

The components are those of the real models' `tokenizer.json` files: a CLIP-style byte-level BPE
and a BERT-style cased WordPiece. The merges are learned here in plain Python rather than with
the `tokenizers` trainers, because those break ties in hash-map order and so give a different
vocabulary on every run; this learner breaks ties by the pair's text, so the committed tiny
bundle regenerates byte for byte.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import islice, pairwise

from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
)
from transformers.models.clip.tokenization_clip import bytes_to_unicode

from .corpus import CORPUS

CLIP_VOCAB_SIZE = 1000
CLIP_START = "<|startoftext|>"
CLIP_END = "<|endoftext|>"
CLIP_END_OF_WORD = "</w>"
CLIP_SPLIT_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""

WORDPIECE_VOCAB_SIZE = 1000
WORDPIECE_PREFIX = "##"
WORDPIECE_SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

Symbols = tuple[str, ...]


def learn_merges(
    word_counts: Counter[Symbols], join: Callable[[str, str], str]
) -> Iterator[tuple[str, str]]:
    """Yields BPE merges, most frequent pair first, ties broken by the pair's text.

    `word_counts` maps each word, split into its initial symbols, to its frequency; `join` gives
    the symbol a merge of two symbols produces. Stops when every word is a single symbol.
    """
    words = [list(symbols) for symbols in word_counts]
    frequencies = list(word_counts.values())
    while True:
        pairs: Counter[tuple[str, str]] = Counter()
        for symbols, frequency in zip(words, frequencies, strict=True):
            for pair in pairwise(symbols):
                pairs[pair] += frequency
        if not pairs:
            return
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        yield best
        for symbols in words:
            _apply_merge(symbols, best, join(*best))


def _apply_merge(symbols: list[str], pair: tuple[str, str], merged: str) -> None:
    """Replaces, left to right, every occurrence of `pair` in `symbols` with `merged`."""
    i = 0
    while i < len(symbols) - 1:
        if (symbols[i], symbols[i + 1]) == pair:
            symbols[i : i + 2] = [merged]
        i += 1


def _pre_tokenized_words(tokenizer: Tokenizer, texts: Iterable[str]) -> Counter[str]:
    """Counts the words `tokenizer`'s normalizer and pre-tokenizer make of `texts`."""
    counts: Counter[str] = Counter()
    for text in texts:
        normalized = tokenizer.normalizer.normalize_str(text)
        counts.update(word for word, _ in tokenizer.pre_tokenizer.pre_tokenize_str(normalized))
    return counts


def _clip_pipeline() -> Tokenizer:
    """CLIP's normalizer, pre-tokenizer and decoder around an empty BPE model."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(CLIP_SPLIT_PATTERN), behavior="removed", invert=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


def build_clip_tokenizer(corpus: Iterable[str] = CORPUS) -> Tokenizer:
    """A CLIP-style byte-level BPE tokenizer of exactly `CLIP_VOCAB_SIZE` tokens.

    The vocabulary is laid out as CLIP's: the 256 byte symbols, the same with `</w>`, the
    merges, then `<|startoftext|>` and `<|endoftext|>`, so the end token has the largest id.
    """
    pipeline = _clip_pipeline()
    byte_symbols = list(bytes_to_unicode().values())
    word_counts = Counter(
        {
            (*word[:-1], word[-1] + CLIP_END_OF_WORD): count
            for word, count in _pre_tokenized_words(pipeline, corpus).items()
        }
    )
    merge_count = CLIP_VOCAB_SIZE - 2 * len(byte_symbols) - 2
    merges = list(islice(learn_merges(word_counts, lambda left, right: left + right), merge_count))
    if len(merges) < merge_count:
        raise ValueError(f"corpus gives {len(merges)} merges, {merge_count} needed")
    tokens = (
        byte_symbols
        + [symbol + CLIP_END_OF_WORD for symbol in byte_symbols]
        + [left + right for left, right in merges]
        + [CLIP_START, CLIP_END]
    )
    vocab = {token: token_id for token_id, token in enumerate(tokens)}
    pipeline.model = models.BPE(
        vocab=vocab,
        merges=merges,
        unk_token=CLIP_END,
        continuing_subword_prefix="",
        end_of_word_suffix=CLIP_END_OF_WORD,
        fuse_unk=False,
    )
    pipeline.add_special_tokens(
        [AddedToken(token, special=True) for token in (CLIP_START, CLIP_END)]
    )
    pipeline.post_processor = processors.RobertaProcessing(
        sep=(CLIP_END, vocab[CLIP_END]),
        cls=(CLIP_START, vocab[CLIP_START]),
        trim_offsets=False,
        add_prefix_space=False,
    )
    return pipeline


def _wordpiece_pipeline() -> Tokenizer:
    """BERT's cased normalizer, pre-tokenizer and decoder around an empty WordPiece model."""
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece(prefix=WORDPIECE_PREFIX)
    return tokenizer


def _wordpiece_join(left: str, right: str) -> str:
    """The WordPiece symbol for `left` followed by the continuation symbol `right`."""
    return left + right[len(WORDPIECE_PREFIX) :]


def build_sentiment_tokenizer(corpus: Iterable[str] = CORPUS) -> Tokenizer:
    """A cased BERT-style WordPiece tokenizer of at most `WORDPIECE_VOCAB_SIZE` tokens.

    Ids 0-4 are `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]`; then every character of the corpus,
    as a word start and as a `##` continuation, then merged pieces in the order learned.
    """
    pipeline = _wordpiece_pipeline()
    word_counts = Counter(
        {
            (word[0], *(WORDPIECE_PREFIX + char for char in word[1:])): count
            for word, count in _pre_tokenized_words(pipeline, corpus).items()
        }
    )
    alphabet = sorted({symbol for word in word_counts for symbol in word})
    tokens = list(dict.fromkeys([*WORDPIECE_SPECIALS, *alphabet]))
    for merge in learn_merges(word_counts, _wordpiece_join):
        if len(tokens) == WORDPIECE_VOCAB_SIZE:
            break
        merged = _wordpiece_join(*merge)
        if merged not in tokens:
            tokens.append(merged)
    vocab = {token: token_id for token_id, token in enumerate(tokens)}
    pipeline.model = models.WordPiece(
        vocab=vocab, unk_token="[UNK]", continuing_subword_prefix=WORDPIECE_PREFIX
    )
    pipeline.add_special_tokens([AddedToken(token, special=True) for token in WORDPIECE_SPECIALS])
    pipeline.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    return pipeline
