"""The example model: a tiny GPT-2 style causal language model (Hugging Face transformers).

``Task`` is what ``train`` trains: a model built from a small config with random weights and
a tokenizer built from the corpus (no download), or, with ``--base-model DIR``, a pretrained
model and its tokenizer saved in ``DIR`` to fine-tune. ``Predictor`` is what ``serve`` and
``batch`` run: text generation with the request and response bodies of the SageMaker LMI and
Hugging Face TGI containers, so the same client works locally and against the endpoint.

A saved model is a Hugging Face model directory (``config.json``, ``model.safetensors``,
``tokenizer.json``, ...), which ``from_pretrained`` and the LMI container load as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .artifacts import model_directory
from .channels import DataError
from .data import build_tokenizer, corpus_files, read_texts

FORMAT = "causal-lm/v1"
CONFIG_FILE = "config.json"
MAX_LENGTH = 32
# Generation parameters a request may set, with their types and limits.
PARAMETERS: dict[str, tuple[type, float, float]] = {
    "max_new_tokens": (int, 1, 256),
    "temperature": (float, 0.01, 10.0),
    "top_p": (float, 0.01, 1.0),
    "top_k": (int, 1, 1000),
    "seed": (int, 0, 2**31 - 1),
}


class ModelError(ValueError):
    """A model that cannot be read, or input that does not fit the model."""


def _from_pretrained(path: Path | str) -> tuple[nn.Module, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    directory = model_directory(path, CONFIG_FILE)
    if directory is None:
        raise ModelError(f"no {CONFIG_FILE} or model archive at {path}")
    try:
        model = AutoModelForCausalLM.from_pretrained(directory, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
    except (OSError, ValueError) as error:
        raise ModelError(f"model at {path} is incomplete or malformed: {error}") from None
    return model.eval(), tokenizer


class Task:
    """The corpus under ``root``, its tokenizer and the language model that learns it."""

    def __init__(self, root: Path, base_model: str = "") -> None:
        self.root = root
        self.files = corpus_files(root)
        self.texts = read_texts(root)
        self.base_model = base_model
        self.tokenizer = (
            _from_pretrained(base_model)[1] if base_model else build_tokenizer(self.texts)
        )
        tokenizer = self.tokenizer
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        start = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
        end = [tokenizer.eos_token_id]
        self.examples = [
            (start + tokenizer(text, add_special_tokens=False)["input_ids"] + end)[:MAX_LENGTH]
            for text in self.texts
        ]

    def __len__(self) -> int:
        return len(self.examples)

    def describe(self) -> dict[str, Any]:
        """What shapes the model, for the run key."""
        return {"format": FORMAT, "vocabulary": len(self.tokenizer), "max_length": MAX_LENGTH}

    def summary(self) -> str:
        """One line for the log."""
        origin = f"fine-tuning {self.base_model}" if self.base_model else "fresh weights"
        return f"{len(self)} texts, vocabulary {len(self.tokenizer)}, {origin}"

    def batch(self, indices: Sequence[int]) -> dict[str, torch.Tensor]:
        """Pad the examples at ``indices``; padding is masked out of attention and the loss."""
        chosen = [self.examples[i] for i in indices]
        width = max(len(ids) for ids in chosen)
        pad = self.tokenizer.pad_token_id
        input_ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids in chosen])
        mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids in chosen])
        return {
            "input_ids": input_ids,
            "attention_mask": mask,
            "labels": input_ids.masked_fill(mask == 0, -100),
        }

    def build_model(self, base_model: str | None = None) -> nn.Module:
        """A tiny GPT-2 from a config with random weights, or the base model to fine-tune."""
        if base_model:
            return _from_pretrained(base_model)[0]
        from transformers import GPT2Config, GPT2LMHeadModel

        tokenizer = self.tokenizer
        config = GPT2Config(
            vocab_size=len(tokenizer),
            n_positions=MAX_LENGTH,
            n_embd=16,
            n_layer=2,
            n_head=2,
            resid_pdrop=0.0,
            embd_pdrop=0.0,
            attn_pdrop=0.0,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
        return GPT2LMHeadModel(config)

    def loss(self, model: nn.Module, batch: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """Next-token cross-entropy of one batch."""
        return model(**batch).loss

    @torch.no_grad()
    def evaluate(self, model: nn.Module, prefix: str) -> dict[str, float]:
        """Mean loss and perplexity over the corpus, keyed ``<prefix>_loss`` and so on."""
        model.eval()
        losses = [
            float(self.loss(model, self.batch(range(i, min(i + 64, len(self))))))
            for i in range(0, len(self), 64)
        ]
        loss = sum(losses) / len(losses)
        return {
            f"{prefix}_loss": loss,
            f"{prefix}_perplexity": float(torch.exp(torch.tensor(loss))),
        }

    def save(self, model: nn.Module, model_dir: Path) -> Path:
        """Write the model and its tokenizer as a Hugging Face directory; return it."""
        model_dir.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(model_dir)
        self.tokenizer.save_pretrained(model_dir)
        return model_dir


class Predictor:
    """A loaded language model answering ``/invocations`` bodies and batch rows."""

    def __init__(self, model: nn.Module, tokenizer: Any) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer

    def summary(self) -> str:
        """One line for the log."""
        size = sum(p.numel() for p in self.model.parameters())
        return f"causal language model, {size:,} parameters, vocabulary {len(self.tokenizer)}"

    def _parameters(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise DataError('"parameters" must be an object')
        result: dict[str, Any] = {}
        for name, given in value.items():
            if name == "do_sample":
                if not isinstance(given, bool):
                    raise DataError("parameters.do_sample must be true or false")
                result[name] = given
                continue
            if name not in PARAMETERS:
                known = ", ".join(sorted([*PARAMETERS, "do_sample"]))
                raise DataError(f"unknown parameter {name!r}; known: {known}")
            kind, low, high = PARAMETERS[name]
            if (
                isinstance(given, bool)
                or not isinstance(given, int | float)
                or (kind is int and not float(given).is_integer())
            ):
                raise DataError(
                    f"parameters.{name} must be a{'n integer' if kind is int else ' number'}"
                )
            if not low <= given <= high:
                raise DataError(f"parameters.{name} must be between {low:g} and {high:g}")
            result[name] = kind(given)
        return result

    @torch.no_grad()
    def generate(self, prompt: str, parameters: Mapping[str, Any] | None = None) -> str:
        """The continuation of ``prompt`` (greedy unless ``do_sample`` is set)."""
        options = {"max_new_tokens": 16, **self._parameters(parameters)}
        seed = options.pop("seed", None)
        if seed is not None:
            torch.manual_seed(seed)
        tokenizer = self.tokenizer
        start = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
        ids = start + tokenizer(prompt, add_special_tokens=False)["input_ids"]
        room = getattr(self.model.config, "n_positions", None) or getattr(
            self.model.config, "max_position_embeddings", MAX_LENGTH
        )
        options["max_new_tokens"] = max(1, min(options["max_new_tokens"], room - len(ids)))
        if len(ids) >= room:
            raise DataError(f"the prompt is {len(ids)} tokens; this model reads at most {room - 1}")
        input_ids = torch.tensor([ids])
        output = self.model.generate(
            input_ids,
            attention_mask=torch.ones_like(input_ids),
            pad_token_id=tokenizer.pad_token_id,
            do_sample=bool(options.pop("do_sample", False)),
            **options,
        )
        return tokenizer.decode(output[0, len(ids) :], skip_special_tokens=True).strip()

    def predict(self, document: Any) -> Any:
        """``{"inputs": "prompt", "parameters": {...}}`` in, ``{"generated_text": ...}`` out.

        A list of prompts gives a list of ``{"generated_text": ...}``. ``parameters`` may set
        ``max_new_tokens``, ``do_sample``, ``temperature``, ``top_p``, ``top_k`` and ``seed``.
        """
        if not isinstance(document, Mapping) or "inputs" not in document:
            raise DataError('the body must be {"inputs": "prompt", "parameters": {...}}')
        inputs, parameters = document["inputs"], document.get("parameters")
        if isinstance(inputs, str):
            return {"generated_text": self.generate(inputs, parameters)}
        if isinstance(inputs, list) and inputs and all(isinstance(i, str) for i in inputs):
            return [{"generated_text": self.generate(i, parameters)} for i in inputs]
        raise DataError('"inputs" must be a prompt string or a non-empty list of them')

    def predict_rows(self, rows: Sequence[Mapping[str, str]], base: Path) -> list[dict[str, Any]]:
        """Generations for batch rows, each prompt in the ``text`` column."""
        del base  # prompts are inline; nothing to read next to the file
        return [{"generated_text": self.generate(row.get("text") or "")} for row in rows]


def load_predictor(path: Path | str) -> Predictor:
    """Load a saved model (a Hugging Face directory or ``model.tar.gz``) for generation.

    Raises:
        ModelError: When no model is found there or it cannot be read.
    """
    model, tokenizer = _from_pretrained(path)
    return Predictor(model, tokenizer)
