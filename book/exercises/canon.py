"""Answers turned into plain values (int, float, str, lists of them) before anything compares them.

Only exact built-in types, NumPy scalars and arrays, and torch tensors are read, through their own methods: an object
of the learner's making (an always-equal object, an int, list or tensor subclass) is refused with a message saying
what was expected, so no code of the answer's runs while it is judged. Every refusal is a FormatError.
"""

from __future__ import annotations

import builtins
import sys
import types

FLOAT_DIGITS = 1  # answers in MiB are compared after rounding to 0.1


class FormatError(ValueError):
    """The answer has the wrong type, form or shape; str(error) says in Chinese what was expected and what came."""


def one_of(kind: type, choices) -> bool:
    """Whether `kind` is one of `choices`, by identity: `kind in choices` could run a metaclass's __eq__."""
    return any(kind is choice for choice in choices)


def _torch():
    """The torch module when it is imported (an answer cannot be a tensor otherwise)."""
    return sys.modules.get("torch")


def _numpy():
    return sys.modules.get("numpy")


def is_tensor(value: object) -> bool:
    torch = _torch()
    return torch is not None and one_of(type(value), (torch.Tensor, torch.nn.Parameter))


def is_array(value: object) -> bool:
    numpy = _numpy()
    return numpy is not None and type(value) is numpy.ndarray


def is_numpy_scalar(value: object) -> bool:
    numpy = _numpy()
    return numpy is not None and one_of(type(value), numpy.sctypeDict.values())


def class_name(value: object) -> str:
    """The name of the answer's class, read without running any of its code."""
    return type.__dict__["__name__"].__get__(type(value), type)


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def describe(value: object) -> str:
    """What the answer is, in Chinese, e.g. “整数 5”, “形状为 (1, 5) 的张量”, “函数 count_tokens”."""
    kind = type(value)
    if value is None or value is Ellipsis:
        return repr(value)
    if kind is bool:
        return f"布尔值 {value}"
    if kind is int:
        return f"整数 {_short(str(value)) if value.bit_length() < 200 else '（很大的整数）'}"
    if kind is float:
        return f"小数 {value!r}"
    if kind is str:
        return f"字符串 “{_short(value)}”（{len(value)} 个字符）"
    for container, noun in ((list, "列表"), (tuple, "元组"), (dict, "字典"), (set, "集合")):
        if kind is container:
            return f"含 {len(value)} 个元素的{noun}"
    if is_tensor(value):
        return f"形状为 {tuple(value.shape)}、dtype 为 {value.dtype} 的张量"
    if is_array(value):
        return f"形状为 {value.shape}、dtype 为 {value.dtype} 的 NumPy 数组"
    if is_numpy_scalar(value):
        return f"NumPy 标量 {class_name(value)}"
    if one_of(kind, (types.FunctionType, types.BuiltinFunctionType)):
        return f"函数 {value.__name__}"
    if callable(value):
        return f"可调用的 {class_name(value)} 对象"
    return f"{class_name(value)} 类型的对象"


def _refuse(expected: str, value: object) -> FormatError:
    return FormatError(f"需要{expected}，收到的是{describe(value)}。")


def _scalar(value: object, expected: str) -> int | float:
    """An int or float from a Python, NumPy or 0-d tensor/array number; bools and everything else are refused."""
    kind = type(value)
    if kind is int or kind is float:
        return value
    if is_numpy_scalar(value):
        numpy = _numpy()
        if issubclass(kind, numpy.integer):
            return int(value)
        if issubclass(kind, numpy.floating):
            return float(value)
        raise _refuse(expected, value)
    if is_tensor(value) or is_array(value):
        return _scalar_from_tensor(value, expected)
    raise _refuse(expected, value)


def _scalar_from_tensor(value, expected: str) -> int | float:
    if tuple(value.shape) != ():
        if value.numel() == 1:  # one element in a [1] or [1, 1] tensor
            raise FormatError(f"需要{expected}，收到的是{describe(value)}：用 .item() 取出里面的数。")
        raise _refuse(expected, value)
    item = value.item()
    if type(item) is bool or type(item) not in (int, float):
        raise _refuse(expected, value)
    return item


def number(value: object) -> float:
    """A number (int, float, NumPy scalar, 0-d tensor), rounded to FLOAT_DIGITS decimals."""
    return round(float(_scalar(value, "一个数")), FLOAT_DIGITS)


def integer(value: object, expected: str = "一个整数") -> int:
    """A whole number: int, NumPy integer, 0-d tensor; a float is accepted when it is whole (22.0)."""
    item = _scalar(value, expected)
    if type(item) is float:
        if not item.is_integer():
            raise FormatError(f"需要{expected}，收到的是小数 {item!r}。")
        return int(item)
    return item


def strict_integer(value: object, expected: str = "整数 ID") -> int:
    """An integer that must not be a float, e.g. a token ID."""
    item = _scalar(value, expected)
    if type(item) is not int:
        raise _refuse(expected, value)
    return item


def id_list(value: object) -> list[int]:
    """Token IDs: a list or tuple of integers, or a 1-D integer tensor or array."""
    if one_of(type(value), (list, tuple)):
        return [strict_integer(item) for item in value]
    if is_tensor(value) or is_array(value):
        shape = tuple(value.shape)
        if len(shape) == 2 and shape[0] == 1:
            raise FormatError(f"需要一维的 ID 列表，收到的是{describe(value)}：用 [0] 取出第一句的 ID。")
        if len(shape) != 1:
            raise _refuse("一维的 ID 列表", value)
        items = value.tolist()
        if any(type(item) is not int for item in items):
            raise FormatError(f"ID 应是整数，收到的是{describe(value)}。")
        return items
    raise _refuse("一个 ID 列表（list、tuple 或一维张量）", value)


def two_parts(value: object, form: str) -> tuple:
    """The two items of an answer written as a pair `form`, e.g. “(ID 列表, 相同 ID 的个数)”."""
    if not one_of(type(value), (list, tuple)) or len(value) != 2:
        raise FormatError(f"答案要写成两部分 {form}，收到的是{describe(value)}。")
    return value[0], value[1]


def shape_list(value: object) -> list[int]:
    """A tensor shape: torch.Size, tuple or list of integers."""
    torch = _torch()
    if one_of(type(value), (list, tuple)) or (torch is not None and type(value) is torch.Size):
        return [strict_integer(item, "整数") for item in value]
    raise _refuse("一个形状（tuple、list 或 torch.Size）", value)


def text(value: object, expected: str = "一个字符串") -> str:
    numpy = _numpy()
    if type(value) is str or (numpy is not None and type(value) is numpy.str_):
        return str(value)
    raise _refuse(expected, value)


def _builtin_exceptions() -> list[type]:
    return [obj for obj in vars(builtins).values() if type(obj) is type and issubclass(obj, BaseException)]


def exception_name(value: object) -> str:
    """The name of an exception type: a string, a built-in exception class, or an instance of one."""
    if type(value) is str:
        return value.strip()
    builtin = _builtin_exceptions()
    if any(value is cls for cls in builtin):
        return value.__name__
    if one_of(type(value), builtin):
        return class_name(value)
    raise _refuse("异常类型的名字（字符串，例如 “ValueError”）", value)


def tensor_values(value: object, shape: tuple[int, ...], dtype: str, dtype_rule: str) -> list:
    """A tensor's values as a flat list (floats as float64), after checking type, shape and dtype.

    dtype_rule: "same" (the dtype must be `dtype`), "integer" or "floating".
    """
    if not is_tensor(value):
        raise _refuse("返回一个 torch 张量", value)
    if tuple(value.shape) != tuple(shape):
        raise FormatError(f"返回的形状应是 {tuple(shape)}，收到的是 {tuple(value.shape)}。")
    _check_dtype(value, dtype, dtype_rule)
    flat = value.detach().reshape(-1)
    if value.dtype.is_floating_point:
        return [item + 0.0 for item in flat.to(_torch().float64).tolist()]  # + 0.0 turns -0.0 into 0.0
    return flat.tolist()


def _check_dtype(value, dtype: str, dtype_rule: str) -> None:
    got = value.dtype
    integer_kind = not got.is_floating_point and not got.is_complex and got != _torch().bool
    if dtype_rule == "same" and str(got) != dtype:
        raise FormatError(f"返回的 dtype 应与 weight 相同（{dtype}），收到的是 {got}。")
    if dtype_rule == "integer" and not integer_kind:
        raise FormatError(f"位置编号应是整数张量（例如 torch.long），收到的是 {got}。")
    if dtype_rule == "floating" and not got.is_floating_point:
        raise FormatError(f"平均值应是浮点张量，收到的是 {got}：先把掩码转成 vectors 的 dtype 再计算。")
