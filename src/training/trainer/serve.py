"""A small OpenAI-compatible chat server over transformers, for the tests and for trying self-training
on one machine. Production serves the fine-tuned folders with its own server (vLLM, llama.cpp).

    python serve.py --model NAME=FOLDER [--model ...] [--models-dir DIR] [--port 0] [--request-log FILE]

Serves POST /v1/chat/completions (non-streaming; `n`, `temperature`, `max_tokens`, `seed`) and
GET /v1/models. A model is a named folder, or any sub-folder of --models-dir under its folder name (the
trainer publishes there), loaded on first use: a model promoted after the server started is served
without a restart. Prints {"event": "listening", "url": ...} once ready. Listens on 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chat_format import prompt_text  # noqa: E402

import torch  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402

SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class Models:
    def __init__(self, named: dict[str, Path], models_dir: Path | None) -> None:
        self.named = named
        self.models_dir = models_dir
        self.loaded: dict[str, tuple[Any, Any]] = {}

    def folder(self, model_id: str) -> Path | None:
        if model_id in self.named:
            return self.named[model_id]
        if self.models_dir is not None and SAFE_ID.fullmatch(model_id):
            candidate = self.models_dir / model_id
            if (candidate / "config.json").is_file():
                return candidate
        return None

    def ids(self) -> list[str]:
        found = list(self.named)
        if self.models_dir is not None and self.models_dir.is_dir():
            found += sorted(p.name for p in self.models_dir.iterdir() if SAFE_ID.fullmatch(p.name) and (p / "config.json").is_file())
        return found

    def get(self, model_id: str) -> tuple[Any, Any] | None:
        if model_id not in self.loaded:
            folder = self.folder(model_id)
            if folder is None:
                return None
            tokenizer = AutoTokenizer.from_pretrained(folder)
            model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
            # A few models at most: the oldest goes when a fourth arrives.
            if len(self.loaded) >= 3:
                self.loaded.pop(next(iter(self.loaded)))
            self.loaded[model_id] = (tokenizer, model)
        return self.loaded[model_id]


def complete(tokenizer: Any, model: Any, messages: list[dict[str, str]], n: int, temperature: float, max_tokens: int, seed: int | None) -> tuple[list[str], int, int]:
    ids = tokenizer(prompt_text(tokenizer, messages), add_special_tokens=False, return_tensors="pt")["input_ids"]
    context = getattr(model.config, "max_position_embeddings", 4096)
    max_tokens = max(1, min(max_tokens, context // 2))
    # Like servers with a sliding window: keep the end of the prompt, where the program and trace are.
    ids = ids[:, -(context - max_tokens):]
    if seed is not None:
        torch.manual_seed(seed)
    sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {"do_sample": False}
    with torch.no_grad():
        out = model.generate(
            ids.repeat(n, 1), attention_mask=torch.ones_like(ids).repeat(n, 1), max_new_tokens=max_tokens,
            pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id,
            eos_token_id=tokenizer.eos_token_id, **sampling,
        )
    texts = [tokenizer.decode(row[ids.shape[1]:], skip_special_tokens=True) for row in out]
    produced = sum(int((row[ids.shape[1]:] != tokenizer.pad_token_id).sum()) for row in out)
    return texts, int(ids.shape[1]), produced


def main() -> None:
    p = argparse.ArgumentParser(description="OpenAI-compatible chat server over transformers (tests, local trials)")
    p.add_argument("--model", action="append", default=[], help="NAME=FOLDER")
    p.add_argument("--models-dir", help="every sub-folder is a model, named after the folder")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--max-tokens", type=int, default=256, help="default and upper bound of max_tokens")
    p.add_argument("--request-log", help="append {model, n} of every chat request here (JSON lines)")
    p.add_argument("--threads", type=int, default=0)
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    named = {}
    for spec in args.model:
        name, _, folder = spec.partition("=")
        if not name or not folder:
            p.error(f"--model {spec!r}: expected NAME=FOLDER")
        named[name] = Path(folder)
    models = Models(named, Path(args.models_dir) if args.models_dir else None)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:  # requests hold user code: no access log
            pass

        def reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def error(self, status: int, message: str, code: str) -> None:
            self.reply(status, {"error": {"message": message, "type": "invalid_request_error", "code": code}})

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self.reply(200, {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "tracefix"} for m in models.ids()]})
            else:
                self.error(404, "not found", "not_found")

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self.error(404, "not found", "not_found")
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
                model_id = body["model"]
                messages = [{"role": str(m["role"]), "content": m["content"] if isinstance(m["content"], str) else "".join(part.get("text", "") for part in m["content"])} for m in body["messages"]]
                n = int(body.get("n") or 1)
                temperature = float(body.get("temperature") if body.get("temperature") is not None else 1.0)
                max_tokens = min(int(body.get("max_tokens") or body.get("max_completion_tokens") or args.max_tokens), args.max_tokens)
                seed = body.get("seed")
                if body.get("stream"):
                    return self.error(400, "streaming is not supported by this server", "unsupported")
                if not 1 <= n <= 16:
                    return self.error(400, "n must be between 1 and 16", "invalid_n")
            except (KeyError, TypeError, ValueError) as error:
                return self.error(400, f"bad request: {error}", "bad_request")
            if args.request_log:
                with open(args.request_log, "a", encoding="utf-8") as log:
                    log.write(json.dumps({"model": model_id, "n": n}) + "\n")
            with lock:  # one generation at a time: the machine's cores are shared
                loaded = models.get(model_id)
                if loaded is None:
                    return self.error(404, f"The model `{model_id}` does not exist", "model_not_found")
                texts, prompt_tokens, completion_tokens = complete(*loaded, messages, n, temperature, max_tokens, int(seed) if seed is not None else None)
            self.reply(200, {
                "id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()), "model": model_id,
                "choices": [{"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"} for i, t in enumerate(texts)],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens},
            })

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(json.dumps({"event": "listening", "url": f"http://127.0.0.1:{server.server_address[1]}/v1"}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
