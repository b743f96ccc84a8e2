"""tracefix's own trainer: LoRA fine-tuning of a Hugging Face causal LM on a `tracefix dataset build` file.

    python train.py --data train.jsonl --base BASE_DIR --out OUT_DIR [--publish-dir MODELS_DIR]
                    [--suffix NAME] [--steps 60] [--learning-rate 2e-4] [--lora-rank 8] ...

Input: chat-format JSONL, one `{"messages": [...]}` per line, the last message the verified answer.
Output, in OUT_DIR:
    adapter/        the LoRA adapter (peft: adapter_config.json + adapter_model.safetensors)
    merged/         base + adapter merged, with the tokenizer: a plain Hugging Face folder that vLLM
                    serves and llama.cpp's convert_hf_to_gguf.py converts
    manifest.json   base model, data hash, hyper-parameters, loss curve, loss on the training rows
                    before and after
    result.json     {"model_id": ...}: the name the model is served under (read by the provider)
With --publish-dir, merged/ is then moved to MODELS_DIR/<model_id> in one rename, as the very last
step: a run that fails, crashes or is cancelled before that leaves every served model untouched, and an
existing model folder is never overwritten.

Progress goes to stdout as JSON lines, one object each, for the scheduler:
    {"event": "start", ...} {"event": "step", "step": 3, "steps": 60, "loss": 2.31} ...
    {"event": "done", "model_id": ...}   or   {"event": "error", "message": ...} (exit code 1)
SIGTERM stops the run between steps (exit code 143) without publishing anything.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chat_format import answer_text  # noqa: E402


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


class Cancelled(Exception):
    pass


_stop = False


def _on_term(_signum: int, _frame: Any) -> None:
    global _stop
    _stop = True


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="training JSONL from `tracefix dataset build`")
    p.add_argument("--base", required=True, help="base model folder (Hugging Face layout)")
    p.add_argument("--out", required=True, help="job output folder")
    p.add_argument("--publish-dir", help="move the merged model to PUBLISH_DIR/<model_id> when done")
    p.add_argument("--suffix", default="tuned", help="part of the model id")
    p.add_argument("--model-id", help="the served name (default: <base folder name>-<suffix>-<data hash>)")
    p.add_argument("--steps", type=int, default=60, help="optimiser steps")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--learning-rate", type=float, default=2e-4)
    p.add_argument("--warmup-steps", type=int, default=0)
    p.add_argument("--lora-rank", type=int, default=8)
    p.add_argument("--lora-alpha", type=int, default=16)
    p.add_argument("--lora-dropout", type=float, default=0.0)
    p.add_argument("--target-modules", default="all-linear", help="comma-separated module names, or all-linear")
    p.add_argument("--max-length", type=int, default=2048, help="tokens per example; the prompt is cut from the left")
    p.add_argument(
        "--answer-reserve", type=int, default=0,
        help="cut prompts as a server does that keeps this many tokens free for the answer (its max_tokens)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    p.add_argument("--dtype", choices=["auto", "float32", "bfloat16", "float16"], default="auto",
                   help="weights of the base model; auto: bfloat16 on a GPU that has it, else float32")
    return p.parse_args(argv)


def read_examples(path: Path) -> list[list[dict[str, str]]]:
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        messages = row.get("messages") if isinstance(row, dict) else None
        if (
            not isinstance(messages, list)
            or len(messages) < 2
            or not all(isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str) for m in messages)
            or messages[-1]["role"] != "assistant"
        ):
            raise ValueError(f"line {number} of the dataset is not a conversation ending in an assistant answer")
        examples.append([{"role": m["role"], "content": m["content"]} for m in messages])
    if not examples:
        raise ValueError("the dataset has no examples")
    return examples


def encode(tokenizer: Any, messages: list[dict[str, str]], max_length: int, answer_reserve: int) -> tuple[list[int], list[int]]:
    """Token ids and labels: the loss is on the answer only (the prompt is given, not learnt).

    A long prompt keeps its end (the program, its trace and the failures), the part a serving endpoint
    with a short context keeps too; with --answer-reserve the cut is exactly the server's.
    """
    prompt, completion = answer_text(tokenizer, messages)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(completion, add_special_tokens=False)["input_ids"][:max_length]
    keep = max(0, max_length - max(len(answer_ids), answer_reserve))
    prompt_ids = prompt_ids[len(prompt_ids) - keep:] if keep else []
    return prompt_ids + answer_ids, [-100] * len(prompt_ids) + answer_ids


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_term)
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    data_path, base, out = Path(args.data), Path(args.base), Path(args.out)
    data_hash = hashlib.sha256(data_path.read_bytes()).hexdigest()
    examples = read_examples(data_path)
    base_name = re.sub(r"[^A-Za-z0-9._-]+", "-", base.resolve().name).strip("-") or "model"
    model_id = args.model_id or f"{base_name}-{args.suffix}-{data_hash[:8]}"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", model_id):
        raise ValueError(f"model id {model_id!r} is not a safe folder name")
    publish_to = Path(args.publish_dir) / model_id if args.publish_dir else None
    if publish_to is not None and publish_to.exists():
        raise ValueError(f"a model named {model_id} is already published; it is never overwritten")

    device = "cuda" if torch.cuda.is_available() else "cpu"
    tokenizer = AutoTokenizer.from_pretrained(base)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    if args.dtype == "auto":
        dtype = torch.bfloat16 if device == "cuda" and torch.cuda.is_bf16_supported() else torch.float32
    else:
        dtype = getattr(torch, args.dtype)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype).to(device)
    limit = getattr(model.config, "max_position_embeddings", None) or args.max_length
    max_length = min(args.max_length, limit)
    encoded = [encode(tokenizer, m, max_length, args.answer_reserve) for m in examples]

    targets: Any = args.target_modules if args.target_modules == "all-linear" else [t for t in args.target_modules.split(",") if t]
    lora = LoraConfig(r=args.lora_rank, lora_alpha=args.lora_alpha, lora_dropout=args.lora_dropout, target_modules=targets, task_type="CAUSAL_LM")
    model = get_peft_model(model, lora)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    hyper = {
        "steps": args.steps, "batch_size": args.batch_size, "learning_rate": args.learning_rate,
        "warmup_steps": args.warmup_steps, "lora_rank": args.lora_rank, "lora_alpha": args.lora_alpha,
        "lora_dropout": args.lora_dropout, "target_modules": args.target_modules, "max_length": max_length,
        "answer_reserve": args.answer_reserve,
        "seed": args.seed, "dtype": str(dtype).replace("torch.", ""), "optimizer": "adamw",
        "schedule": "linear warmup, cosine decay",
    }
    emit("start", model_id=model_id, examples=len(examples), steps=args.steps, device=device, trainable_parameters=trainable)

    def batch_of(rows: list[tuple[list[int], list[int]]]) -> dict[str, Any]:
        width = max(len(ids) for ids, _ in rows)
        pad = tokenizer.pad_token_id
        ids = torch.tensor([i + [pad] * (width - len(i)) for i, _ in rows], device=device)
        labels = torch.tensor([l + [-100] * (width - len(l)) for _, l in rows], device=device)
        mask = torch.tensor([[1] * len(i) + [0] * (width - len(i)) for i, _ in rows], device=device)
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}

    def mean_loss() -> float:
        model.eval()
        total, tokens = 0.0, 0
        with torch.no_grad():
            for row in encoded:
                n = sum(1 for l in row[1][1:] if l != -100)
                if n:
                    total += float(model(**batch_of([row])).loss) * n
                    tokens += n
        model.train()
        return total / max(tokens, 1)

    loss_before = mean_loss()
    emit("eval", when="before", loss=loss_before)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.learning_rate)

    def lr_at(step: int) -> float:
        if step < args.warmup_steps:
            return args.learning_rate * (step + 1) / args.warmup_steps
        progress = (step - args.warmup_steps) / max(1, args.steps - args.warmup_steps)
        return args.learning_rate * 0.5 * (1 + math.cos(math.pi * progress))

    generator = torch.Generator().manual_seed(args.seed)
    order: list[int] = []
    curve = []
    model.train()
    started = time.monotonic()
    for step in range(args.steps):
        if _stop:
            raise Cancelled()
        if len(order) < args.batch_size:
            order += torch.randperm(len(encoded), generator=generator).tolist()
        picked, order = order[: args.batch_size], order[args.batch_size:]
        for group in optimiser.param_groups:
            group["lr"] = lr_at(step)
        loss = model(**batch_of([encoded[i] for i in picked])).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        optimiser.zero_grad()
        value = loss.item()
        if not math.isfinite(value):
            raise ValueError(f"the loss diverged at step {step + 1} (lower --learning-rate)")
        curve.append({"step": step + 1, "loss": value})
        emit("step", step=step + 1, steps=args.steps, loss=value, lr=lr_at(step), elapsed_s=round(time.monotonic() - started, 2))
    loss_after = mean_loss()
    emit("eval", when="after", loss=loss_after)
    if _stop:
        raise Cancelled()

    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out / "adapter")
    merged = model.merge_and_unload()
    merged.save_pretrained(out / "merged", safe_serialization=True)
    tokenizer.save_pretrained(out / "merged")
    manifest = {
        "model_id": model_id,
        "base_model": str(base.resolve()),
        "data": {"path": str(data_path.resolve()), "sha256": data_hash, "examples": len(examples)},
        "hyperparameters": hyper,
        "device": device,
        "trainable_parameters": trainable,
        "loss_curve": curve,
        "train_loss_before": loss_before,
        "train_loss_after": loss_after,
        "seconds": round(time.monotonic() - started, 2),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    shutil.copy(out / "manifest.json", out / "merged" / "tracefix-manifest.json")
    emit("saved", adapter=str(out / "adapter"), merged=str(out / "merged"))
    if _stop:
        raise Cancelled()
    if publish_to is not None:
        publish_to.parent.mkdir(parents=True, exist_ok=True)
        staging = publish_to.parent / f".{model_id}.partial-{os.getpid()}"
        shutil.copytree(out / "merged", staging)
        # rename(2) onto an existing non-empty folder fails: a published model is never replaced.
        os.rename(staging, publish_to)
        emit("published", path=str(publish_to))
    (out / "result.json").write_text(json.dumps({"model_id": model_id}) + "\n")
    emit("done", model_id=model_id, train_loss_before=loss_before, train_loss_after=loss_after)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Cancelled:
        emit("cancelled")
        sys.exit(143)
    except Exception as error:  # one line for the scheduler; the traceback goes to stderr
        import traceback

        traceback.print_exc()
        emit("error", message=f"{type(error).__name__}: {error}"[:500])
        sys.exit(1)
