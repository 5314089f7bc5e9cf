"""The exercises (three per chapter): how each answer is read, what it is compared with, and the two steps of its hint.

Expected answers are not computed here: expected.json holds their SHA-256 digests (and, for 2.2, the Han characters
that are one token each), written from the real tokenizer and torch by tests/test_exercises.py, which also checks
them on every test run.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from . import canon, cases
from .canon import FormatError
from .sandbox import run_cases

EXAMPLE_HAN = "龘"  # the rare character chapter 2 shows; exercise 2.2 asks for another one

INDEXING_NODES = {
    "IndexBackward0", "EmbeddingBackward0", "IndexSelectBackward0", "GatherBackward0", "SelectBackward0",
    "TakeBackward0", "TakeAlongDimBackward0", "UnbindBackward0", "EmbeddingBagBackward0", "SplitBackward0",
    "SplitWithSizesBackward0", "MaskedSelectBackward0", "SliceBackward0", "AsStridedBackward0", "CatBackward0",
    "StackBackward0",
}
PRODUCT_NODES = {
    "MmBackward0", "BmmBackward0", "MulBackward0", "MvBackward0", "AddmmBackward0", "AddmvBackward0",
    "BaddbmmBackward0", "AddbmmBackward0", "DotBackward0", "LinearBackward0",
}


@dataclass(frozen=True)
class Verdict:
    """How an answer was judged: "right", "wrong" (a value problem), "format" (type, form, method) or "stopped" (the
    function did not finish); detail says where or why."""

    status: str
    detail: str = ""


RIGHT = Verdict("right")


@dataclass(frozen=True)
class Exercise:
    """One exercise: its judge and the two steps of its hint (the idea first, then the API)."""

    number: str
    judge: Callable[[str, object], Verdict]
    concept: str
    api: str


@lru_cache(maxsize=1)
def expected() -> dict:
    """The contents of expected.json."""
    return json.loads(resources.files(__package__).joinpath("expected.json").read_text("utf-8"))


def digest(exercise: str, index: int, value: object) -> str:
    """The stored form of one expected value: SHA-256 of the exercise, the case number and the value as JSON."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"text-to-vectors|{exercise}|{index}|{text}".encode()).hexdigest()


def _compare(exercise: str, index: int, value: object) -> bool:
    stored = expected()["answers"].get(exercise) if index < 0 else expected()["cases"][exercise][index]
    return digest(exercise, max(index, 0), value) == stored


# --- value exercises ------------------------------------------------------------------------------------------


def value_judge(read: Callable[[object], object]) -> Callable[[str, object], Verdict]:
    """A judge that reads the answer into a plain value with `read` and compares it with the stored digest."""

    def judge(exercise: str, answer: object) -> Verdict:
        try:
            value = read(answer)
        except FormatError as error:
            return Verdict("format", str(error))
        return RIGHT if _compare(exercise, -1, value) else Verdict("wrong")

    return judge


def read_counts(answer: object) -> list[int]:
    first, second = canon.two_parts(answer, "(多出的个数, 其中特殊 token 的个数)")
    return [canon.integer(first), canon.integer(second)]


def read_ids_and_count(answer: object) -> list:
    ids, count = canon.two_parts(answer, "(ID 列表, 相同 ID 的个数)")
    return [canon.id_list(ids), canon.integer(count)]


def judge_han(exercise: str, answer: object) -> Verdict:
    """2.2: one CJK unified ideograph, not the chapter's example, that the tokenizer splits into several tokens."""
    try:
        char = canon.text(answer, "一个汉字（字符串）")
    except FormatError as error:
        return Verdict("format", str(error))
    if len(char) != 1:
        return Verdict("format", f"需要恰好一个字，收到的是{canon.describe(char)}。")
    if not unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH"):
        return Verdict("format", f"“{char}”不是汉字（CJK 统一表意文字）。")
    if char == EXAMPLE_HAN:
        return Verdict("format", f"“{EXAMPLE_HAN}”是本章正文里的例子，请另找一个字。")
    return Verdict("wrong") if char in expected()["single_token_han"] else RIGHT


# --- function exercises ---------------------------------------------------------------------------------------


def function_judge(build: Callable[[], list], convert, names: tuple[str, ...]) -> Callable[[str, object], Verdict]:
    """A judge that runs the answer (a function) on fresh inputs from `build` and compares each output's digest."""

    def judge(exercise: str, answer: object) -> Verdict:
        signature = f"{FUNCTION_NAMES[exercise]}({', '.join(names)})"
        if not callable(answer):
            return Verdict("format", f"需要一个函数：先 def {signature}: …，再写 answer = {FUNCTION_NAMES[exercise]}；"
                           f"收到的是{canon.describe(answer)}。")
        inputs = build()
        run = run_cases(answer, inputs, convert, names)
        if run.printed:
            print(run.printed)
        if run.stopped:
            return Verdict("stopped", run.stopped)
        return _verdict_of_run(exercise, inputs, run.outcomes)

    return judge


def _verdict_of_run(exercise: str, inputs: list, outcomes: list[dict]) -> Verdict:
    for index, (case, outcome) in enumerate(zip(inputs, outcomes, strict=False)):
        where = f"在第 {index + 1} 组输入（{case.label}）上"
        problem = outcome.get("problem")
        if problem == "raised":
            return Verdict("wrong", f"{where}运行你的函数出错：{outcome['message']}。")
        if problem == "mutated":
            return Verdict("format", f"{where}，你的函数改动了传入的 {outcome['message']}（例如用了 +=、mul_、"
                           "masked_fill_ 这类原地操作）。请在新的张量上计算，不要修改输入。")
        if problem == "format":
            return Verdict("format", f"{where}：{outcome['message']}")
        if not _compare(exercise, index, outcome["value"]):
            return Verdict("wrong", f"{where}结果不对。")
    if len(outcomes) < len(inputs):
        return Verdict("format", "你的函数没有在每组输入上都给出结果。")
    return RIGHT


def read_count(output: object, case: cases.Case) -> int:
    return canon.integer(output, "返回一个整数（token 的个数）")


def graph_names(tensor) -> set[str]:
    """Names of the autograd nodes that produced `tensor`."""
    names, seen, stack = set(), set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.add(type(node).__name__)
        stack.extend(parent for parent, _ in node.next_functions)
    return names


def require_onehot_product(output) -> None:
    """3.3 asks for one-hot times weight: refuse a result taken from weight by indexing, or with no product."""
    if output.grad_fn is None:
        raise FormatError("结果和 weight 之间没有计算图（是不是用了 detach()、.data 或 torch.no_grad()？），"
                          "看不出它是怎样算出来的。")
    names = graph_names(output)
    indexing = sorted(names & INDEXING_NODES)
    if indexing:
        raise FormatError(f"结果是按下标直接从 weight 取行得到的（计算图里有 {indexing[0]}）；"
                          "本题要求用 one-hot 乘 weight。")
    if not names & PRODUCT_NODES:
        raise FormatError("计算图里没有乘法：本题要求把 one-hot 向量和 weight 相乘。")


def require_row_gradients(output, input_ids, weight) -> None:
    """one-hot @ weight sends each row of weight a gradient equal to how often its ID occurs: nothing else does."""
    import torch

    (grad,) = torch.autograd.grad(output.sum(), weight, allow_unused=True)
    counts = torch.bincount(input_ids.reshape(-1), minlength=weight.shape[0]).to(torch.float32)
    if grad is None or not torch.equal(grad.float(), counts[:, None].expand(weight.shape)):
        raise FormatError("结果对 weight 的梯度不对：one-hot 乘 weight 时，weight 每一行的梯度等于这个 ID 出现的次数"
                          "（是不是用了 detach()，或者只是让结果看起来依赖 weight？）。")


def read_lookup(output: object, case: cases.Case) -> list:
    input_ids, weight = case.args
    values = canon.tensor_values(output, case.shape, str(weight.dtype), "same")
    require_onehot_product(output)
    require_row_gradients(output, input_ids, weight)
    return values


def read_positions(output: object, case: cases.Case) -> list:
    return canon.tensor_values(output, case.shape, "", "integer")


def read_means(output: object, case: cases.Case) -> list:
    return canon.tensor_values(output, case.shape, "", "floating")


def read_half_pairs(output: object, case: cases.Case) -> list:
    values = canon.tensor_values(output, case.shape, "", "")
    x = case.args[0]
    if output.dtype != x.dtype:
        raise FormatError(f"返回的 dtype 应与 x 相同（{x.dtype}），收到的是 {output.dtype}：只重排维度，不要转换类型。")
    return values


def read_tokens(answer: object) -> list[str]:
    """6.1: the new tokens, in order, as a list or tuple of strings."""
    if not canon.one_of(type(answer), (list, tuple)):
        raise FormatError(f"需要一个字符串列表，例如 [\"ab\", \"cd\"]；收到的是{canon.describe(answer)}。")
    return [canon.text(item, "列表里的每一项都是一个字符串（新 token）") for item in answer]


def read_pair(output: object, case: cases.Case) -> list[int]:
    """6.3: a pair of IDs, (left, right)."""
    left, right = canon.two_parts(output, "(左边的 ID, 右边的 ID)")
    return [canon.strict_integer(left, "整数 ID"), canon.strict_integer(right, "整数 ID")]


def read_row(output: object, case: cases.Case) -> int:
    """8.2: a row number."""
    return canon.integer(output, "返回一个整数（行号）")


def read_words(answer: object) -> list[str]:
    """8.3: words in order, as a list or tuple of strings."""
    if not canon.one_of(type(answer), (list, tuple)):
        raise FormatError(f"需要一个字符串列表，例如 [\"女王\", \"王子\"]；收到的是{canon.describe(answer)}。")
    return [canon.text(item, "列表里的每一项都是一个词（字符串）") for item in answer]


def read_window_counts(answer: object) -> list[int]:
    """10.1: (windows in transformers, pairs in GPTDatasetV1)."""
    first, second = canon.two_parts(answer, "(transformers 的窗口数, GPTDatasetV1 的样本数)")
    return [canon.integer(first), canon.integer(second)]


def read_labels(output: object, case: cases.Case) -> list:
    """10.3: labels, a torch.long tensor shaped like input_ids."""
    values = canon.tensor_values(output, case.shape, "", "integer")
    if str(output.dtype) != "torch.int64":
        raise FormatError(f"labels 应是 torch.long（int64）：cross_entropy 的目标要用它，收到的是 {output.dtype}。")
    return values


FUNCTION_NAMES = {"2.3": "count_tokens", "3.3": "lookup", "4.2": "position_ids_from_mask", "4.3": "masked_mean",
                  "6.3": "most_frequent_pair", "8.2": "odd_one_out", "9.3": "to_half_pairs", "10.3": "make_labels"}


def _exercises() -> list[Exercise]:
    return [
        Exercise("1.1", value_judge(read_counts),
                 "新增 token 是 vocab_size 之外、另外加进词表的 token；其中 special=True 的是特殊 token。",
                 "多出的个数是 len(tokenizer) - tokenizer.vocab_size；特殊的个数数一数 "
                 "tokenizer.added_tokens_decoder.values() 里 .special 为 True 的。"),
        Exercise("1.2", value_judge(lambda a: canon.strict_integer(a, "一个整数 ID")),
                 "<|im_end|> 是新增的特殊 token，它的 ID 排在 tokenizer.vocab_size 之后。",
                 "用 tokenizer.convert_tokens_to_ids(\"<|im_end|>\")。"),
        Exercise("1.3", value_judge(canon.integer),
                 "分词器能给出的 ID 是 0 到 len(tokenizer) - 1；表的行数是模型配置里的 vocab_size，"
                 "多出的行没有 ID 指向。",
                 "QWEN25_7B.vocab_size - len(tokenizer)（注意不是 tokenizer.vocab_size）。"),
        Exercise("2.1", value_judge(read_ids_and_count),
                 "不加特殊 token 编码；再数一数两句话共有的 ID。",
                 "tokenizer.encode(text, add_special_tokens=False)；共有的个数可以用 len(set(a) & set(b))。"),
        Exercise("2.2", judge_han,
                 "词表里没有的字只能拆成字节片段；一个汉字在 UTF-8 里占 3 或 4 个字节。试试生僻字。",
                 "找一个 len(tokenizer.encode(ch, add_special_tokens=False)) > 1 的字，例如在 range(0x4E00, 0xA000) "
                 "里用 chr 逐个试。"),
        Exercise("2.3", function_judge(cases.count_cases, read_count, ("text",)),
                 "token 个数就是编码得到的 ID 个数：不截断，不加特殊 token；文本里写出的特殊 token 算一个。",
                 "len(tokenizer.encode(text, add_special_tokens=False))。"),
        Exercise("3.1", value_judge(canon.integer),
                 "参数量 = 行数 × 列数；行数是 len(tokenizer)，不是 tokenizer.vocab_size，也不是配置里的行数。",
                 "len(tokenizer) * QWEN25_0_5B.hidden_size。"),
        Exercise("3.2", value_judge(canon.number),
                 "内存 = 行数 × 列数 × 每个数的字节数：行数用配置里的 vocab_size，bfloat16 每个数 2 字节，"
                 "1 MiB = 2**20 字节。",
                 "QWEN25_7B.vocab_size * QWEN25_7B.hidden_size * 2 / 2**20。"),
        Exercise("3.3", function_judge(cases.lookup_cases, read_lookup, ("input_ids", "weight")),
                 "one-hot 向量只在自己的 ID 处为 1，乘 weight 正好取出那一行；"
                 "结果的形状是 input_ids.shape + (hidden,)，dtype 与 weight 相同。",
                 "torch.nn.functional.one_hot(input_ids, num_classes=weight.shape[0]).to(weight.dtype) @ weight。"),
        Exercise("4.1", value_judge(canon.integer),
                 "填充个数 = 句数 × 最长长度 − 各句真实长度之和，也就是 attention_mask 里 0 的个数。",
                 "batch = tokenizer(sentences, padding=True, return_tensors=\"pt\")；"
                 "int((batch[\"attention_mask\"] == 0).sum())。"),
        Exercise("4.2", function_judge(cases.position_cases, read_positions, ("mask",)),
                 "位置编号只数真实 token：对掩码逐位累加，第一个真实 token 处得 1，减 1 就从 0 开始；"
                 "填充处要清零——右填充时，句尾的填充处也要是 0。",
                 "(mask.cumsum(dim=-1) - 1) * mask，或 (mask.cumsum(dim=-1) - 1).masked_fill(mask == 0, 0)。"),
        Exercise("4.3", function_judge(cases.mean_cases, read_means, ("vectors", "mask")),
                 "填充位置的向量不能参与平均：先乘掩码把它们变成 0，再除以每句真实 token 的个数"
                 "（不是 seq 的长度，也不是前几个位置——左填充时真实 token 在右边）。",
                 "m = mask.unsqueeze(-1).to(vectors.dtype)；(vectors * m).sum(dim=1) / m.sum(dim=1)。"),
        Exercise("5.1", value_judge(canon.shape_list),
                 "形状是 (batch, 最长长度, hidden_size)；最长长度按 token 数算，不按字数。",
                 "tuple(vectors.shape)，vectors 是 text_to_embeddings 返回的第一个值。"),
        Exercise("5.2", value_judge(canon.integer),
                 "共享之后，输出层不再需要自己的一张 vocab_size × hidden_size 矩阵。",
                 "MINIMIND.vocab_size * MINIMIND.hidden_size。"),
        Exercise("5.3", value_judge(canon.exception_name),
                 "ID 大于等于表的行数时，查表越界。",
                 "用 try/except Exception as error 捕获，再看 type(error).__name__。"),
        Exercise("6.1", value_judge(read_tokens),
                 "每一步数所有相邻的对（重叠的也算：“aaa”里有两个 “aa”），合并次数最多的一对；次数相同时取 ID 小的"
                 "一对——单个字节的 ID 都比合并出来的新 token 小。",
                 "vocab, merges = bpe_by_hand(\"aaabdaaabac\", 259)；answer = vocab[256:]。"),
        Exercise("6.2", value_judge(canon.integer),
                 "词表 = 256 个单字节 + 合并规则 + 特殊 token；每条合并规则在词表里添一个新 token。",
                 "6400 - 256 - 8。"),
        Exercise("6.3", function_judge(cases.pair_cases, read_pair, ("ids",)),
                 "先数每一对相邻 ID 出现几次（重叠的也算：[5, 5, 5] 里有两个 (5, 5)），取次数最多的；"
                 "平局时取最小的一对：先比左边的 ID，再比右边的（不是先出现的那一对）。",
                 "counts = Counter(pairwise(ids))；top = max(counts.values())；"
                 "min(p for p, n in counts.items() if n == top)。"),
        Exercise("7.1", value_judge(canon.integer),
                 "WordPiece 先把每个汉字切成单独的一段，再逐个查词表；词表里没有的字整个变成 [UNK]。",
                 "ids = wordpiece(text, add_special_tokens=False)[\"input_ids\"]；ids.count(wordpiece.unk_token_id)。"),
        Exercise("7.2", value_judge(canon.integer),
                 "Qwen 的预分词把每个数字单独切开；常见的中文词（例如“森林”）是一个 token。",
                 "len(qwen(text, add_special_tokens=False)[\"input_ids\"])。"),
        Exercise("7.3", value_judge(canon.integer),
                 "这个 SentencePiece 模型没有字节回退：不认识的字符变成 <unk>，连在一起的几个未知字符只算一个。",
                 "ids = sentencepiece(text, add_special_tokens=False)[\"input_ids\"]；"
                 "ids.count(sentencepiece.unk_token_id)。"),
        Exercise("8.1", value_judge(canon.integer),
                 "backward 之后，只有前向计算里查过的行才有梯度；context 表查的是上下文词和负样本，"
                 "同一个 ID 查几次也只是一行。",
                 "tiny(centers, contexts, negatives).backward()；"
                 "int((tiny.context.weight.grad != 0).any(dim=1).sum())。"),
        Exercise("8.2", function_judge(cases.odd_cases, read_row, ("vectors",)),
                 "比的是方向，不是长短：先把每行除以自己的长度，再算两两的余弦相似度；"
                 "平均值最低的那一行最不合群（是最小值的位置，不是最大值）。",
                 "unit = vectors / vectors.norm(dim=1, keepdim=True)；"
                 "int((unit @ unit.T).mean(dim=1).argmin())。"),
        Exercise("8.3", value_judge(read_words),
                 "每个词的向量是它的片段在表里那几行的平均，不算单独的“▁”（本章的 word_vector）；"
                 "从高到低排，最像“国王”的排第一。",
                 "king = word_vector(\"国王\")；"
                 "sorted(words, key=lambda w: cosine(king, word_vector(w)).item(), reverse=True)。"),
        Exercise("9.1", value_judge(canon.integer),
                 "head_dim = hidden_size // num_attention_heads；第 i 对的波长是 "
                 "2π / θ_i = 2π · rope_theta^(2i / head_dim)，i 从 0 数到 head_dim/2 − 1；数的是维度对，不是维度。",
                 "i = torch.arange(0, head_dim, 2, dtype=torch.float64)；"
                 "wavelength = 2 * math.pi * QWEN25_7B.rope_theta ** (i / head_dim)；"
                 "int((wavelength > QWEN25_7B.max_position_embeddings).sum())。"),
        Exercise("9.2", value_judge(canon.integer),
                 "可学习的位置表每个位置一行，每行和 token 向量一样长（hidden_size，不是 head_dim）。",
                 "QWEN25_7B.max_position_embeddings * QWEN25_7B.hidden_size。"),
        Exercise("9.3", function_judge(cases.half_pairs_cases, read_half_pairs, ("x",)),
                 "相邻配对时，每一对的第一个数在偶数维（0, 2, 4, …），第二个数在奇数维（1, 3, 5, …）；"
                 "前后两半配对要求第一个数都在前一半、第二个数都在后一半，各自保持原来的先后。",
                 "torch.cat((x[..., 0::2], x[..., 1::2]), dim=-1)。"),
        Exercise("10.1", value_judge(read_window_counts),
                 "transformers 的 stride 是相邻窗口的重叠，步长是 max_length − stride，不满一窗的结尾也单独成一个窗口；"
                 "GPTDatasetV1 的 stride 就是步长，每个样本要凑满 max_length + 1 个 token，凑不满的结尾丢掉。",
                 "a = len(tokenizer(\"7\" * 100, add_special_tokens=False, truncation=True, max_length=30, stride=10, "
                 "return_overflowing_tokens=True)[\"input_ids\"])；b = len(range(0, 100 - 30, 10))。"),
        Exercise("10.2", value_judge(canon.integer),
                 "只有助手的回答和紧跟着它的 <|im_end|> 参与训练；system 和 user 两种轮次、<|im_start|>assistant "
                 "和每轮末尾的换行，标签都是 -100。",
                 "labels = build_chat_example(dialogue, tokenizer)[\"labels\"]；"
                 "sum(label != -100 for label in labels)。"),
        Exercise("10.3", function_judge(cases.label_cases, read_labels,
                                        ("input_ids", "attention_mask", "prompt_lengths")),
                 "填充位置要按 attention_mask 找，不能按 ID（Base 模型的 eos 与 pad 同 ID）；提示是每句的前 "
                 "prompt_lengths[i] 个真实 token——左填充时，真实 token 不从第 0 列开始。",
                 "nth = attention_mask.cumsum(dim=1)；keep = (attention_mask == 1) & "
                 "(nth > torch.tensor(prompt_lengths).unsqueeze(1))；input_ids.masked_fill(~keep, -100)。"),
    ]


EXERCISES: dict[str, Exercise] = {exercise.number: exercise for exercise in _exercises()}
