#!/usr/bin/env python3
"""PyTorch side of the `training` benchmark: the same Qwen3 model, batch and optimizer as the TorchSharp side.

Run by TrainingBenchmark.cs as a child process with the system interpreter:
    /usr/bin/python3 qwen3_train_bench.py CONFIG_JSON BATCH SEQ STEPS WARMUP THREADS
Prints one JSON line: {"tokens_per_second", "seconds_per_step", "peak_rss_mib", "torch"}.
The model is written from the Qwen3 architecture (no transformers): RMSNorm, RoPE (rotate_half), GQA with
q/k norms, SwiGLU, tied or untied head. Loss: next-token cross-entropy on every position.
"""
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * xf.to(x.dtype)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        hd, d, h, kv, i = c["hidden_size"], c["head_dim"], c["num_attention_heads"], c["num_key_value_heads"], c["intermediate_size"]
        self.h, self.kv, self.d = h, kv, d
        self.q_proj = nn.Linear(hd, h * d, bias=False)
        self.k_proj = nn.Linear(hd, kv * d, bias=False)
        self.v_proj = nn.Linear(hd, kv * d, bias=False)
        self.o_proj = nn.Linear(h * d, hd, bias=False)
        self.q_norm = RMSNorm(d, c["rms_norm_eps"])
        self.k_norm = RMSNorm(d, c["rms_norm_eps"])
        self.gate_proj = nn.Linear(hd, i, bias=False)
        self.up_proj = nn.Linear(hd, i, bias=False)
        self.down_proj = nn.Linear(i, hd, bias=False)
        self.input_layernorm = RMSNorm(hd, c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(hd, c["rms_norm_eps"])

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        r = self.input_layernorm(x)
        q = self.q_norm(self.q_proj(r).view(b, t, self.h, self.d)).transpose(1, 2)
        k = self.k_norm(self.k_proj(r).view(b, t, self.kv, self.d)).transpose(1, 2)
        v = self.v_proj(r).view(b, t, self.kv, self.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        g = self.h // self.kv
        k = k[:, :, None].expand(b, self.kv, g, t, self.d).reshape(b, self.h, t, self.d)
        v = v[:, :, None].expand(b, self.kv, g, t, self.d).reshape(b, self.h, t, self.d)
        s = (q @ k.transpose(-1, -2)) * (self.d ** -0.5)
        s = s.masked_fill(mask, float("-inf"))
        a = torch.softmax(s, dim=-1) @ v
        x = x + self.o_proj(a.transpose(1, 2).reshape(b, t, self.h * self.d))
        r = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(r)) * self.up_proj(r))


class Qwen3(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.lm_head = None if c["tie_word_embeddings"] else nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        d = c["head_dim"]
        self.inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))

    def forward(self, ids):
        t = ids.shape[1]
        x = self.embed_tokens(ids)
        f = torch.arange(t).float()[:, None] * self.inv_freq[None]
        e = torch.cat((f, f), -1)
        cos, sin = e.cos()[None, None], e.sin()[None, None]
        mask = ~torch.ones(t, t, dtype=torch.bool).tril()
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        x = self.norm(x)
        return x @ (self.embed_tokens.weight if self.lm_head is None else self.lm_head.weight).T


def main():
    config_path, batch, seq, steps, warmup, threads = sys.argv[1], *map(int, sys.argv[2:7])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    c = json.load(open(config_path))
    model = Qwen3(c)
    for n, p in model.named_parameters():
        with torch.no_grad():
            p.fill_(1.0) if n.endswith("norm.weight") else p.normal_(0, 0.02)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    ids = torch.randint(0, c["vocab_size"], (batch, seq))

    def step():
        opt.zero_grad(set_to_none=False)
        logits = model(ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), ids[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    dt = time.perf_counter() - t0
    print(json.dumps({
        "tokens_per_second": batch * (seq - 1) * steps / dt,
        "seconds_per_step": dt / steps,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
