"""Builds a tiny base model for the trainer tests, from nothing: a byte-level BPE tokenizer trained on
the given text (the dataset's own), and a 2-layer Llama with random weights. Nothing is downloaded.

    python tiny-model.py --text corpus.txt --out BASE_DIR [--seed 0]
"""
import argparse
import json

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

SPECIAL = ["<|pad|>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>"]
# The same `<|role|>` text src/model/prompt.ts renders; an answer ends with <|end|>.
TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}"
    "{% if m['role'] == 'assistant' %}<|end|>{% endif %}\n\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)

p = argparse.ArgumentParser()
p.add_argument("--text", required=True)
p.add_argument("--out", required=True)
p.add_argument("--vocab", type=int, default=1024)
p.add_argument("--seed", type=int, default=0)
# A short context keeps training fast on a shared CPU: prompts keep their last tokens.
p.add_argument("--context", type=int, default=512)
args = p.parse_args()

bpe = Tokenizer(models.BPE())
bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
bpe.decoder = decoders.ByteLevel()
bpe.train([args.text], trainers.BpeTrainer(vocab_size=args.vocab, special_tokens=SPECIAL, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, pad_token="<|pad|>", eos_token="<|end|>")
tokenizer.chat_template = TEMPLATE
tokenizer.save_pretrained(args.out)

torch.manual_seed(args.seed)
config = LlamaConfig(
    vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
    num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=args.context,
    pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id, bos_token_id=None,
    tie_word_embeddings=False,
    # A pretrained model has confident logits; at the default 0.02 a random one cannot, since the final
    # norm caps the hidden state and LoRA leaves the head frozen.
    initializer_range=0.3,
)
LlamaForCausalLM(config).save_pretrained(args.out, safe_serialization=True)
print(json.dumps({"vocab": len(tokenizer), "parameters": sum(x.numel() for x in LlamaForCausalLM(config).parameters())}))
