#!/usr/bin/env python3
"""Reshape Vidur's fp16 forward kernel profile into FineTuneSim's op_s trace rows.

Usage: python3 reshape.py /work/shared/reference/kernels/vidur_fp16_forward_ops.csv > fp16_forward_ops.csv

Every source row becomes one row; the mapping from a Vidur op to a kernel query (op, m, n, k, elements) is
documented in README.md. Deterministic: rows keep the source order.
"""
import csv
import sys

GPU_IDS = {"a40": "a40", "a100": "a100-sxm4-80gb", "h100": "h100-sxm5-80gb"}
COLUMNS = ["gpu", "model", "tensor_parallel", "num_tokens", "vidur_op", "op", "m", "n", "k", "elements", "dtype",
           "median_s", "min_s", "max_s"]


def query(row):
    """(op, m, n, k, elements) of one source row."""
    tokens = int(row["num_tokens"])
    tp = int(row["tensor_parallel"])
    heads, kv_heads = int(row["n_head"]), int(row["n_kv_head"])
    embd, expanded = int(row["n_embd"]), int(row["n_expanded_embd"])
    gated = row["use_gated_mlp"] == "True"
    head_dim = embd // heads
    op = row["op"]
    if op == "emb":
        return ("embedding", tokens, embd, 0, 0)
    if op in ("input_layernorm", "post_attention_layernorm"):
        # phi-2 (the only non-gated model) uses LayerNorm; the others vLLM's RMSNorm kernels: `rms_norm` before
        # attention (reads each row twice), `fused_add_rms_norm` after it (adds the residual in the same kernel).
        if not gated:
            return ("layernorm", tokens, embd, 0, 0)
        return ("rmsnorm_vllm" if op == "input_layernorm" else "fused_add_rmsnorm", tokens, embd, 0, 0)
    if op == "attn_pre_proj":
        return ("gemm", tokens, (heads + 2 * kv_heads) * head_dim // tp, embd, 0)
    if op == "attn_rope":
        return ("rope", 0, 0, 0, tokens * (heads + kv_heads) // tp * head_dim)
    if op == "attn_post_proj":
        return ("gemm", tokens, embd, embd // tp, 0)
    if op == "mlp_up_proj":
        return ("gemm", tokens, (2 if gated else 1) * expanded // tp, embd, 0)
    if op == "mlp_act":
        return ("silu_mul" if gated else "gelu", 0, 0, 0, tokens * expanded // tp)
    if op == "mlp_down_proj":
        return ("gemm", tokens, embd, expanded // tp, 0)
    if op == "add":
        return ("add", 0, 0, 0, tokens * embd)
    raise SystemExit(f"unknown Vidur op '{op}'")


def seconds(ms):
    """Milliseconds text to seconds text, exact in decimal (the source has at most 5 decimals of ms)."""
    return repr(round(float(ms) / 1000, 12))


def main():
    rows = list(csv.DictReader(open(sys.argv[1], newline="")))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(COLUMNS)
    for r in rows:
        op, m, n, k, e = query(r)
        out.writerow([GPU_IDS[r["gpu"]], r["model"], r["tensor_parallel"], r["num_tokens"], r["op"], op, m, n, k, e,
                      "fp16", seconds(r["median_ms"]), seconds(r["min_ms"]), seconds(r["max_ms"])])


if __name__ == "__main__":
    main()
