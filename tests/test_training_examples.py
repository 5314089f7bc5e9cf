"""Chapter 10 (从句子到训练样本): sliding windows, labels, the collate function and chat examples behave as the page
says; what the page claims about transformers and tokenizers holds; the page has the Part II frame.

The fast tests use the real tokenizer and a tiny, randomly initialised Qwen2ForCausalLM; the executed page is read
from the last build of the book (skipped while chapter 10 is not in it: nothing here starts a build).
"""

from __future__ import annotations

import ast
import inspect
import math
import re

import jupytext
import nbformat
import pytest
import torch
import torch.nn.functional as F
from transformers import DataCollatorForLanguageModeling, Qwen2Config, Qwen2ForCausalLM, Qwen2Tokenizer
from transformers.loss.loss_utils import ForCausalLMLoss

from book.panels import stride_state
from book.saved import (
    CHATML_TEMPLATE,
    IGNORE_INDEX,
    build_chat_example,
    collate_for_causal_lm,
    corpus_text,
    sliding_windows,
)

from .conftest import EXECUTED, ROOT, outputs
from .test_exercises import DIALOGUE

CHAPTER = ROOT / "chapters" / "10_training_examples.md"
STORY = ("从前有个小姑娘，大家都叫她小红帽。一天，妈妈让她给住在森林另一边的外婆送蛋糕和葡萄酒。"
         "路上，她遇到了一只大灰狼。大灰狼问她要去哪里，小红帽把外婆家的地址告诉了它。")
ENDOFTEXT, IM_START, IM_END = 151643, 151644, 151645


def encode(tokenizer, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def cut(tokenizer, text: str, max_length: int, stride: int) -> list[list[int]]:
    return tokenizer(text, add_special_tokens=False, truncation=True, max_length=max_length, stride=stride,
                     return_overflowing_tokens=True)["input_ids"]


def window_count(n: int, max_length: int, stride: int) -> int:
    """The page's formula (transformers' convention: stride is the overlap)."""
    return 1 if n <= max_length else 1 + math.ceil((n - max_length) / (max_length - stride))


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Texts of 1 to a few hundred tokens: the story, a word, one token, digits, a People's Daily passage."""
    return [STORY, "大灰狼", "你", "7" * 100, corpus_text()[:400]]


@pytest.fixture(scope="module")
def tiny_model():
    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=151_665, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, tie_word_embeddings=True)
    return Qwen2ForCausalLM(config).eval()


# --- sliding windows --------------------------------------------------------------------------------------------


def test_the_window_formula_is_what_the_tokenizer_cuts(tokenizer, texts):
    checked = 0
    for text in texts:
        n = len(encode(tokenizer, text))
        for max_length in [*range(1, 20), 31, 64, n - 1, n, n + 1]:
            if max_length < 1:
                continue
            for stride in sorted({0, 1, max_length // 2, max_length - 1} & set(range(max_length))):
                assert len(cut(tokenizer, text, max_length, stride)) == window_count(n, max_length, stride), (
                    text[:10], max_length, stride)
                checked += 1
    assert checked > 300


@pytest.mark.parametrize(("max_length", "stride"), [(16, 4), (16, 0), (8, 7), (10, 3), (1, 0), (200, 5)])
def test_windows_start_every_step_overlap_by_stride_and_cover_every_token(tokenizer, max_length, stride):
    ids = encode(tokenizer, STORY)
    windows = sliding_windows(tokenizer, STORY, max_length, stride)
    step = max_length - stride
    assert windows == cut(tokenizer, STORY, max_length, stride)
    for k, window in enumerate(windows):
        assert window == ids[k * step : k * step + max_length]
    for left, right in zip(windows, windows[1:], strict=False):
        assert stride == 0 or left[-stride:] == right[:stride]
    assert {k * step + j for k, w in enumerate(windows) for j in range(len(w))} == set(range(len(ids)))


def test_several_texts_give_their_windows_in_order(tokenizer):
    both = sliding_windows(tokenizer, [STORY, "大灰狼"], 16, 4)
    assert both == cut(tokenizer, STORY, 16, 4) + cut(tokenizer, "大灰狼", 16, 4)


def test_a_stride_not_below_max_length_makes_tokenizers_panic_past_except_exception(tokenizer):
    """The page says transformers does not check: the Rust library panics with an exception that is no Exception."""
    with pytest.raises(BaseException) as raised:
        cut(tokenizer, STORY, 8, 8)
    assert type(raised.value).__name__ == "PanicException" and not isinstance(raised.value, Exception)


@pytest.mark.parametrize(("text", "max_length", "stride", "words"), [
    (STORY, 8, 8, "0 ≤ stride < max_length"), (STORY, 8, 12, "重叠"), (STORY, 8, -1, "stride"),
    (STORY, 0, 0, "max_length 要是正整数"), (STORY, 8.0, 2, "max_length"), (STORY, True, 0, "max_length"),
    (STORY, 8, 2.5, "stride"), ("", 8, 2, "没有可切的文字"), ([], 8, 2, "没有可切的文字"), ([STORY, ""], 8, 2, "非空"),
    (None, 8, 2, "没有可切的文字"),
])
def test_sliding_windows_refuses_bad_input_in_chinese(tokenizer, text, max_length, stride, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        sliding_windows(tokenizer, text, max_length, stride)


def gpt_dataset_pairs(ids: list[int], max_length: int, stride: int) -> list[tuple[list[int], list[int]]]:
    """rasbt/LLMs-from-scratch, pkg/llms_from_scratch/ch02.py, GPTDatasetV1's loop."""
    return [(ids[i : i + max_length], ids[i + 1 : i + max_length + 1])
            for i in range(0, len(ids) - max_length, stride)]


@pytest.mark.parametrize(("max_length", "stride"), [(16, 12), (16, 4), (16, 16), (16, 20), (4, 1), (60, 3)])
def test_gpt_dataset_v1_steps_by_stride_and_drops_the_tail(tokenizer, max_length, stride):
    ids = encode(tokenizer, STORY)
    pairs = gpt_dataset_pairs(ids, max_length, stride)
    assert len(pairs) == max(0, math.ceil((len(ids) - max_length) / stride))
    for x, y in pairs:
        assert len(x) == len(y) == max_length and x[1:] == y[:-1]
    if stride < max_length:  # the same starts as transformers with overlap max_length - stride
        hf = cut(tokenizer, STORY, max_length, max_length - stride)
        assert [x for x, _ in pairs] == hf[: len(pairs)]


# --- the shift and -100 ------------------------------------------------------------------------------------------


def test_qwen2_for_causal_lm_shifts_labels_inside_its_loss(tokenizer, tiny_model):
    assert tiny_model.loss_type == "ForCausalLM" and tiny_model.loss_function is ForCausalLMLoss
    w = torch.tensor([encode(tokenizer, STORY)[:20]])
    with torch.no_grad():
        model_side = tiny_model(input_ids=w, labels=w).loss
        logits = tiny_model(input_ids=w[:, :-1]).logits
    by_hand = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), w[:, 1:].reshape(-1))
    assert torch.allclose(model_side, by_hand, atol=1e-5)


def test_cross_entropy_skips_minus_100_in_the_sum_and_in_the_count():
    assert inspect.signature(F.cross_entropy).parameters["ignore_index"].default == IGNORE_INDEX == -100
    torch.manual_seed(0)
    logits, targets = torch.randn(6, 10), torch.tensor([1, 2, -100, 3, -100, 4])
    real = targets != -100
    assert torch.allclose(F.cross_entropy(logits, targets), F.cross_entropy(logits[real], targets[real]))


def test_the_model_skips_padded_labels(tokenizer, tiny_model):
    batch = tokenizer(["小红帽提着篮子去看望外婆。", "大灰狼来了。"], padding=True, return_tensors="pt")
    labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    with torch.no_grad():
        out = tiny_model(**batch, labels=labels)
    logits, targets = out.logits[:, :-1], labels[:, 1:]
    per_token = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="none")
    real = targets.reshape(-1) != -100
    assert int(real.sum()) == int(batch["attention_mask"].sum()) - 2
    assert torch.allclose(per_token[real].mean(), out.loss) and per_token[~real].eq(0).all()


def test_qwen2_tokenizer_defaults_eos_and_pad_to_endoftext_while_the_course_tokenizer_differs(tokenizer):
    defaults = inspect.signature(Qwen2Tokenizer.__init__).parameters
    assert defaults["eos_token"].default == defaults["pad_token"].default == "<|endoftext|>"
    assert (tokenizer.eos_token_id, tokenizer.pad_token_id) == (IM_END, ENDOFTEXT)


def base_style_docs(tokenizer) -> list[list[int]]:
    return [encode(tokenizer, text) + [ENDOFTEXT] for text in ["小红帽去森林。", "大灰狼来了。外婆开门。"]]


def test_transformers_collator_masks_an_eos_that_has_the_pad_id(tokenizer):
    docs = base_style_docs(tokenizer)
    labels = DataCollatorForLanguageModeling(tokenizer, mlm=False)([{"input_ids": d} for d in docs])["labels"]
    assert int((labels == ENDOFTEXT).sum()) == 0


def test_with_the_course_tokenizer_the_collator_drops_every_document_end_of_the_corpus_windows(tokenizer):
    """The quiz: even with the Instruct tokenizer (eos <|im_end|>), pad is <|endoftext|>, so masking by ID drops the
    <|endoftext|> that ends each document in the page's windows; the course's collate keeps them."""
    assert tokenizer.eos_token == "<|im_end|>" and tokenizer.pad_token_id == ENDOFTEXT
    documents = [paragraph + "<|endoftext|>" for paragraph in corpus_text().splitlines()[:64]]
    dataset = [{"input_ids": window} for window in sliding_windows(tokenizer, documents, max_length=32, stride=8)]
    in_windows = sum(feature["input_ids"].count(ENDOFTEXT) for feature in dataset)
    by_id = DataCollatorForLanguageModeling(tokenizer, mlm=False)(dataset)["labels"]
    by_mask = collate_for_causal_lm(dataset, pad_token_id=tokenizer.pad_token_id)["labels"]
    assert in_windows >= len(documents)  # every document's end, some twice where windows overlap
    assert int((by_id == ENDOFTEXT).sum()) == 0 and int((by_mask == ENDOFTEXT).sum()) == in_windows
    assert len(dataset) % 4 != 0  # the page's DataLoader (batch_size=4) ends on a smaller batch


def test_the_course_collate_keeps_that_eos_and_pads_right(tokenizer):
    docs = base_style_docs(tokenizer)
    batch = collate_for_causal_lm([{"input_ids": d} for d in docs], pad_token_id=tokenizer.pad_token_id)
    longest = max(map(len, docs))
    assert all(tensor.shape == (2, longest) and tensor.dtype == torch.int64 for tensor in batch.values())
    assert torch.equal(batch["labels"] == -100, batch["attention_mask"] == 0)
    assert int((batch["labels"] == ENDOFTEXT).sum()) == len(docs)
    for row, doc in enumerate(docs):
        assert batch["input_ids"][row, : len(doc)].tolist() == doc
        assert batch["attention_mask"][row].tolist() == [1] * len(doc) + [0] * (longest - len(doc))


def test_collate_keeps_labels_a_sample_brings_and_explains_bad_batches():
    batch = collate_for_causal_lm([{"input_ids": [5, 6, 7], "labels": [-100, 6, 7]}, {"input_ids": [8]}], 0)
    assert batch["labels"].tolist() == [[-100, 6, 7], [8, -100, -100]]
    assert batch["input_ids"].tolist() == [[5, 6, 7], [8, 0, 0]]
    with pytest.raises(ValueError, match="没有样本"):
        collate_for_causal_lm([], 0)
    with pytest.raises(ValueError, match="一样长"):
        collate_for_causal_lm([{"input_ids": [1, 2], "labels": [1]}], 0)


def test_a_seeded_data_loader_gives_the_same_batches(tokenizer):
    from functools import partial

    from torch.utils.data import DataLoader

    windows = sliding_windows(tokenizer, [p + "<|endoftext|>" for p in corpus_text().splitlines()[:16]], 32, 8)
    collate = partial(collate_for_causal_lm, pad_token_id=tokenizer.pad_token_id)

    def batches():
        loader = DataLoader([{"input_ids": w} for w in windows], batch_size=4, shuffle=True, collate_fn=collate,
                            generator=torch.Generator().manual_seed(0))
        return [batch["input_ids"].tolist() for batch in loader]

    assert batches() == batches()


# --- chat examples -------------------------------------------------------------------------------------------------


def test_a_chatml_turn_has_the_published_ids(tokenizer):
    assert encode(tokenizer, "<|im_start|>user\n你好<|im_end|>") == [IM_START, 872, 198, 108386, IM_END]


def by_hand(messages: list[dict], generation_prompt: bool = False) -> str:
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return text + ("<|im_start|>assistant\n" if generation_prompt else "")


@pytest.mark.parametrize("prompt", [False, True])
def test_the_template_writes_chatml(tokenizer, prompt):
    assert tokenizer.chat_template is None  # the offline build carries none: the page supplies one
    text = tokenizer.apply_chat_template(DIALOGUE, chat_template=CHATML_TEMPLATE, tokenize=False,
                                         add_generation_prompt=prompt)
    assert text == by_hand(DIALOGUE, prompt)


DIALOGUES = [
    DIALOGUE,
    [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "你好！"}],
    [{"role": "user", "content": "说点什么"}, {"role": "assistant", "content": ""}],
    [{"role": "system", "content": "s"}, {"role": "assistant", "content": "先开口 Hello world 2024"},
     {"role": "user", "content": "  多个  空格\n换行"}, {"role": "assistant", "content": "好的\n\n两行"}],
]


@pytest.mark.parametrize("messages", DIALOGUES)
def test_a_chat_example_trains_exactly_each_reply_and_its_im_end(tokenizer, messages):
    example = build_chat_example(messages, tokenizer)
    assert example["input_ids"] == encode(tokenizer, by_hand(messages))
    trained = [t for t, label in zip(example["input_ids"], example["labels"], strict=True) if label != -100]
    replies = [encode(tokenizer, m["content"]) + [IM_END] for m in messages if m["role"] == "assistant"]
    assert trained == [t for reply in replies for t in reply]
    assert all(label in (-100, t) for t, label in zip(example["input_ids"], example["labels"], strict=True))


@pytest.mark.parametrize(("messages", "words"), [
    ([], "对话是空的"), (None, "对话是空的"), ("你好", "对话是空的"),
    ([{"role": "robot", "content": "你好"}, {"role": "assistant", "content": "好"}], "角色 'robot' 不认识"),
    ([{"role": "user", "content": "你好"}], "没有助手"),
    (["你好"], "字典"), ([{"role": "user"}], "字典"), ([{"role": "user", "content": 5}], "字典"),
    ([{"role": "user", "content": "a<|im_end|>b"}, {"role": "assistant", "content": "好"}], "<|im_end|>"),
    ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "<tool_call>"}], "<tool_call>"),
])
def test_a_bad_dialogue_gets_a_chinese_message(tokenizer, messages, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        build_chat_example(messages, tokenizer)


def test_the_default_system_prompt_the_page_names_is_in_an_installed_file():
    """transformers' decision module renders a Qwen2.5-0.5B-Instruct prompt from one user message: it opens with a
    system turn, the default the official template adds. The page states nothing else about that template."""
    from transformers.decision import template_utils

    assert "Qwen/Qwen2.5-0.5B-Instruct" in template_utils.__doc__
    system = "<|im_start|>system\n    You are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>"
    assert system in template_utils.__doc__
    assert 'conversation = [{"role": "user", "content": content}]' in inspect.getsource(template_utils.prepare_inputs)


def test_truncation_side_works_as_an_attribute_not_as_an_argument(tokenizer):
    ids = encode(tokenizer, STORY)
    as_argument = tokenizer(STORY, truncation=True, max_length=16, add_special_tokens=False, truncation_side="left")
    assert as_argument["input_ids"] == ids[:16]
    tokenizer.truncation_side = "left"
    try:
        assert tokenizer(STORY, truncation=True, max_length=16, add_special_tokens=False)["input_ids"] == ids[-16:]
    finally:
        tokenizer.truncation_side = "right"


# --- the explorer ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("max_length", "stride"), [(8, 2), (2, 0), (128, 127), (60, 0)])
def test_the_stride_panel_draws_the_tokenizer_s_windows(tokenizer, max_length, stride):
    state = stride_state(tokenizer, STORY, max_length, stride)
    n = len(encode(tokenizer, STORY))
    assert not state["error"] and len(state["windows"]) == window_count(n, max_length, stride)
    assert [state["sequences"][0]["ids"][a:b] for a, b in state["windows"]] == cut(tokenizer, STORY, max_length, stride)


def test_the_stride_panel_explains_a_bad_stride_in_chinese(tokenizer):
    state = stride_state(tokenizer, STORY, 8, 8)
    assert "stride" in state["error"] and "重叠" in state["error"] and not state["windows"]


# --- the page ------------------------------------------------------------------------------------------------------


def prose(text: str) -> str:
    """The chapter's Markdown without code cells and inline code."""
    text = re.sub(r"```\{code-cell\}.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def test_the_page_has_the_part_two_frame():
    text = CHAPTER.read_text("utf-8")
    assert text.count("(ch-training-examples)=") == 1
    for heading in ("学习目标", "前置知识", "本章术语", "预计用时", "## 动手试试", "## 小结", "## 练习", "## 小测验",
                    "## 解答"):
        assert heading in text, heading
    setup = jupytext.read(ROOT / "chapters" / "03_embeddings.md").cells[1].source
    assert setup in text, "the Colab setup cell differs from chapter 3's"
    assert "stride_explorer(tokenizer, story, max_length=8, stride=2)" in text
    assert "窗口数 = 1 + ⌈(n − L) / (L − s)⌉" in text and "$" not in text  # no TeX: MathJax would come from a CDN
    assert [f"check(\"10.{n}\", answer)" in text for n in (1, 2, 3)] == [True] * 3


def test_chinese_prose_uses_chinese_quotation_marks():
    ascii_quoted = re.findall(r'"[^"\n]*[\u4e00-\u9fff][^"\n]*"', prose(CHAPTER.read_text("utf-8")))
    assert not ascii_quoted, ascii_quoted


def test_the_page_uses_no_hub_and_no_remote_code():
    code = "\n".join(c.source for c in jupytext.read(CHAPTER).cells if c.cell_type == "code")
    assert not re.search(r"from_pretrained\(", code)
    assert "trust_remote_code" not in code


def test_the_exercise_dialogue_on_the_page_is_the_one_the_checker_knows():
    cell = next(c.source for c in jupytext.read(CHAPTER).cells if c.cell_type == "code" and "dialogue = [" in c.source)
    assignment = next(node for node in ast.parse(cell).body
                      if isinstance(node, ast.Assign) and node.targets[0].id == "dialogue")
    assert ast.literal_eval(assignment.value) == DIALOGUE


@pytest.fixture(scope="module")
def executed():
    path = EXECUTED / f"{CHAPTER.stem}.ipynb"
    if not path.is_file():  # read the last build; never start one from here (the site tests do)
        pytest.skip("chapter 10 is not in the last build of the book yet")
    return nbformat.read(path, as_version=4)


def test_the_executed_page_shows_no_machine_path_and_no_error(executed):
    shown = outputs(executed)
    assert not re.search(r"/work/|/tmp/|/home/|site-packages|\.venv", shown)
    assert not any(o.get("output_type") == "error" for c in executed.cells for o in c.get("outputs", []))


def test_the_executed_solutions_pass_their_self_checks(executed):
    shown = outputs(executed)
    for n in (1, 2, 3):
        assert f"练习 10.{n} 正确" in shown
