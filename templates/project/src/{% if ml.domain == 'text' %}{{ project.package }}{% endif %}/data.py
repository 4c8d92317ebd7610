"""Training text: CSV files with a ``text`` column, one example per row.

The corpus may live in a local directory, a SageMaker channel, an S3 mount or an ``s3://``
URI (see ``channels``). The tokenizer is built from the corpus itself (``build_tokenizer``),
so training needs no download; fine-tuning a pretrained model (``--base-model``) uses that
model's tokenizer instead.

Run ``python -m <package>.data synth --out data/train/train.csv`` to write a synthetic
corpus of short sentences from a small grammar (``--no-label`` writes prompts to complete).
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Sequence
from pathlib import Path

from .channels import DataError

TEXT_COLUMN = "text"
PAD, UNK, BOS, EOS = "[PAD]", "[UNK]", "[BOS]", "[EOS]"
SPECIAL_TOKENS = (PAD, UNK, BOS, EOS)
_GRAMMAR = {
    "subject": ("the fox", "a bird", "the cat", "an owl", "the dog"),
    "verb": ("runs", "flies", "walks", "jumps", "sleeps"),
    "place": ("to the river", "over the hill", "into the forest", "near the house"),
    "time": ("at dawn", "at night", "in the rain", "every day"),
}


def make_sentence(rng: random.Random) -> str:
    """One sentence: subject, verb, place, time and a full stop."""
    return " ".join(rng.choice(_GRAMMAR[part]) for part in _GRAMMAR) + " ."


def synthesize(out: Path, rows: int = 200, seed: int = 0, prompts: bool = False) -> Path:
    """Write ``rows`` synthetic sentences (or, with ``prompts``, their first words) to ``out``."""
    if rows < 1:
        raise DataError("rows must be at least 1")
    rng = random.Random(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([TEXT_COLUMN])
        for _ in range(rows):
            sentence = make_sentence(rng)
            writer.writerow([" ".join(sentence.split()[:3]) if prompts else sentence])
    return out


def corpus_files(root: Path) -> list[Path]:
    """The CSV files at ``root`` (a file, or a directory searched recursively), sorted."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise DataError(f"{root} does not exist; pass a directory or CSV file of text")
    found = sorted(p for p in root.rglob("*.csv") if p.is_file())
    if not found:
        raise DataError(
            f"no .csv files under {root} "
            "(python -m <package>.data synth --out <dir>/train.csv makes a synthetic corpus)"
        )
    return found


def read_texts(root: Path) -> list[str]:
    """Every non-empty ``text`` cell of the CSV files under ``root``, in file order."""
    texts = []
    for path in corpus_files(root):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            if TEXT_COLUMN not in header:
                raise DataError(
                    f"{path}: no {TEXT_COLUMN!r} column (columns: {', '.join(header) or 'none'})"
                )
            reader.fieldnames = header
            texts.extend(text for row in reader if (text := (row[TEXT_COLUMN] or "").strip()))
    if not texts:
        raise DataError(f"{root}: the CSV files hold no text")
    return texts


def build_tokenizer(texts: Sequence[str]):
    """A word-level tokenizer over the words of ``texts``, built locally (no download).

    Words are split on whitespace; unseen words become ``[UNK]``. Swap in a subword
    tokenizer (``tokenizers.models.BPE`` with a trainer) for open vocabularies.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = sorted({word for text in texts for word in text.split()} - set(SPECIAL_TOKENS))
    vocabulary = {token: index for index, token in enumerate([*SPECIAL_TOKENS, *words])}
    core = Tokenizer(models.WordLevel(vocab=vocabulary, unk_token=UNK))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(
        tokenizer_object=core, pad_token=PAD, unk_token=UNK, bos_token=BOS, eos_token=EOS
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m <package>.data synth --out data/train/train.csv``."""
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}.data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    synth = commands.add_parser("synth", help="write a synthetic text corpus")
    synth.add_argument("--out", type=Path, default=Path("data/train/train.csv"))
    synth.add_argument("--rows", type=int, default=200)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--no-label", action="store_true", help="write prompts to complete")
    args = parser.parse_args(argv)
    path = synthesize(args.out, rows=args.rows, seed=args.seed, prompts=args.no_label)
    print(f"wrote {args.rows} rows to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
