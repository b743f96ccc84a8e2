"""How a chat turns into tokens, shared by the trainer and the test server so both see the same text.

A base model that ships a chat template (every instruct model on a model hub does) is used through it:
vLLM and llama.cpp apply the same template when they serve the fine-tuned model. A base model without
one gets tracefix's own plain format, the one src/model/prompt.ts renders (`<|role|>` lines).
"""
from __future__ import annotations

from typing import Any


def _plain(messages: list[dict[str, str]]) -> str:
    return "\n\n".join(f"<|{m['role']}|>\n{m['content']}" for m in messages)


def prompt_text(tokenizer: Any, messages: list[dict[str, str]]) -> str:
    """The text the model continues: every message, then the opening of the assistant's turn."""
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return _plain(messages) + "\n\n<|assistant|>\n"


def answer_text(tokenizer: Any, messages: list[dict[str, str]]) -> tuple[str, str]:
    """(prompt, completion) for a conversation whose last message is the assistant's answer.

    The completion is what the template adds after the prompt, closing tokens included, so the model
    learns where an answer ends.
    """
    prompt = prompt_text(tokenizer, messages[:-1])
    if getattr(tokenizer, "chat_template", None):
        full = tokenizer.apply_chat_template(messages, tokenize=False)
        if not full.startswith(prompt):
            raise ValueError("the chat template does not render the prompt as a prefix of the conversation")
        return prompt, full[len(prompt):]
    return prompt, messages[-1]["content"] + (tokenizer.eos_token or "")
