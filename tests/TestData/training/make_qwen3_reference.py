#!/usr/bin/env python3
"""Reference logits of a small random-weight Qwen3 model, for the TorchSharp parity test.

Regenerate (from the repository root) with the system interpreter, which has torch 1.13 and numpy:

    /usr/bin/python3 tests/TestData/training/make_qwen3_reference.py tests/TestData/training

Writes, beside this script:
  qwen3-reference/config.json         Hugging Face style config of the small model
  qwen3-reference/model.safetensors   random fp32 weights with Hugging Face parameter names
  qwen3-reference/expected.safetensors  "input_ids" [B, T] (I64) and "logits" [B, T, V] (F32)

The forward pass below is written from the Qwen3 architecture description (no transformers import):
pre-norm decoder layers with RMSNorm, rotary embeddings (rotate_half layout), grouped-query attention with
per-head RMSNorm on q and k, SwiGLU MLP, final norm and an untied LM head. Safetensors is written with struct.
"""
import json
import os
import struct
import sys

import numpy as np
import torch

CONFIG = {
    "architectures": ["Qwen3ForCausalLM"],
    "model_type": "qwen3",
    "vocab_size": 200,
    "hidden_size": 48,
    "intermediate_size": 96,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "rms_norm_eps": 1e-6,
    "rope_theta": 10000.0,
    "max_position_embeddings": 128,
    "tie_word_embeddings": False,
    "attention_bias": False,
    "hidden_act": "silu",
    "torch_dtype": "float32",
}


def write_safetensors(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    blobs = []
    for name, t in tensors:
        arr = t.detach().contiguous().numpy()
        dtype = {np.dtype("float32"): "F32", np.dtype("int64"): "I64"}[arr.dtype]
        raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    js = json.dumps(header).encode("utf-8")
    js += b" " * ((8 - len(js) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)


def rms_norm(x, w, eps):
    xf = x.float()
    xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return w * xf.to(x.dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def forward(w, c, ids):
    b, t = ids.shape
    h, kv, d = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
    eps = c["rms_norm_eps"]
    x = w["model.embed_tokens.weight"][ids]
    inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    pos = torch.arange(t).float()
    freqs = pos[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]
    causal = torch.ones(t, t, dtype=torch.bool).tril()
    for i in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % i
        r = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (r @ w[p + "self_attn.q_proj.weight"].T).view(b, t, h, d)
        k = (r @ w[p + "self_attn.k_proj.weight"].T).view(b, t, kv, d)
        v = (r @ w[p + "self_attn.v_proj.weight"].T).view(b, t, kv, d)
        q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps).transpose(1, 2)
        k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps).transpose(1, 2)
        v = v.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(h // kv, dim=1)
        v = v.repeat_interleave(h // kv, dim=1)
        scores = (q @ k.transpose(-1, -2)) / (d ** 0.5)
        scores = scores.masked_fill(~causal, float("-inf"))
        attn = torch.softmax(scores, dim=-1) @ v
        x = x + attn.transpose(1, 2).reshape(b, t, h * d) @ w[p + "self_attn.o_proj.weight"].T
        r = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        g = torch.nn.functional.silu(r @ w[p + "mlp.gate_proj.weight"].T)
        u = r @ w[p + "mlp.up_proj.weight"].T
        x = x + (g * u) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    return x @ w["lm_head.weight"].T


def main():
    out_root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(out_root, "qwen3-reference")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1234)
    c = CONFIG
    hd, inter, d = c["hidden_size"], c["intermediate_size"], c["head_dim"]
    h, kv, vocab = c["num_attention_heads"], c["num_key_value_heads"], c["vocab_size"]
    shapes = [("model.embed_tokens.weight", (vocab, hd))]
    for i in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % i
        shapes += [
            (p + "self_attn.q_proj.weight", (h * d, hd)),
            (p + "self_attn.k_proj.weight", (kv * d, hd)),
            (p + "self_attn.v_proj.weight", (kv * d, hd)),
            (p + "self_attn.o_proj.weight", (hd, h * d)),
            (p + "self_attn.q_norm.weight", (d,)),
            (p + "self_attn.k_norm.weight", (d,)),
            (p + "mlp.gate_proj.weight", (inter, hd)),
            (p + "mlp.up_proj.weight", (inter, hd)),
            (p + "mlp.down_proj.weight", (hd, inter)),
            (p + "input_layernorm.weight", (hd,)),
            (p + "post_attention_layernorm.weight", (hd,)),
        ]
    shapes += [("model.norm.weight", (hd,)), ("lm_head.weight", (vocab, hd))]
    w = {}
    for name, shape in shapes:
        if name.endswith("norm.weight"):
            # norms near 1 but not exactly, so a wrong norm placement changes the logits
            w[name] = 1.0 + 0.1 * torch.randn(shape)
        else:
            w[name] = 0.2 * torch.randn(shape)
    ids = torch.randint(0, vocab, (2, 10), dtype=torch.int64)
    with torch.no_grad():
        logits = forward(w, c, ids)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(out, "model.safetensors"), shapes and [(n, w[n]) for n, _ in shapes])
    write_safetensors(os.path.join(out, "expected.safetensors"), [("input_ids", ids), ("logits", logits)])
    print("wrote", out, "logits", tuple(logits.shape), "torch", torch.__version__)


if __name__ == "__main__":
    main()
