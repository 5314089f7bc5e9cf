"""The chapters' explorers: ipywidgets controls above one panel that book/static/panel.js draws (anywidget).

Python checks the input and tokenizes it with the real tokenizer (book.panels); the panel draws the result.
On the built site the same panel is drawn from the state the build computed (see `static_html`).
"""

from __future__ import annotations

import gc
import html
import json
from collections.abc import Callable
from functools import partial

import anywidget
import ipywidgets as widgets
import traitlets

from .panels import RULES, STATIC, compare_state, panel_state, stride_state

DEFAULT_TEXT = "小红帽去森林"


class Panel(anywidget.AnyWidget):
    """The drawing of one explorer: a state dict in, tokens / vectors / padded batch out."""

    _esm = STATIC / "panel.js"
    _css = STATIC / "panel.css"
    state = traitlets.Dict().tag(sync=True)


def static_html(state: dict) -> str:
    """The panel as the site ships it: its state for page.js, and a plain-text summary for viewers without JS."""
    data = html.escape(json.dumps(state, ensure_ascii=False, allow_nan=False), quote=True)
    summary = state["error"] or "\n".join(f"IDs {s['ids']}" for s in state["sequences"])
    return (f'<div class="ttv-panel" data-state="{data}"><pre class="ttv-fallback">'
            f"{html.escape(summary)}</pre></div>")


class Explorer(widgets.VBox):
    """Controls (ipywidgets) above a Panel; any control's change recomputes the panel's state with `compute`."""

    def __init__(self, compute: Callable[..., dict], controls: dict[str, widgets.Widget], rows: list[widgets.Widget]):
        self.compute, self.controls = compute, controls
        self.panel = Panel()
        super().__init__(children=[*rows, self.panel])
        for name, control in controls.items():
            setattr(self, name, control)
            control.observe(lambda _change: self.refresh(), names="value")
        self.refresh()
        gc.freeze()  # the tokenizer's many objects leave the collector's view: no long pauses while typing

    def refresh(self) -> None:
        self.panel.state = self.compute(**{name: control.value for name, control in self.controls.items()})

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/html"] = static_html(self.panel.state)
        return bundle


def _text(value: str, rows: int = 2) -> widgets.Textarea:
    return widgets.Textarea(value=value, rows=rows, description="文本", layout=widgets.Layout(width="100%"))


def token_explorer(tokenizer, text: str = DEFAULT_TEXT) -> Explorer:
    """Text in, coloured tokens with IDs out; toggles for bytes, whitespace and split_special_tokens."""
    controls = {
        "text": _text(text),
        "show_bytes": widgets.Checkbox(value=False, description="显示字节"),
        "show_whitespace": widgets.Checkbox(value=False, description="显示空白"),
        "split_special": widgets.Checkbox(value=False, description="split_special_tokens=True"),
    }
    toggles = widgets.HBox([controls["show_bytes"], controls["show_whitespace"], controls["split_special"]])
    return Explorer(partial(panel_state, "tokens", tokenizer), controls, [controls["text"], toggles])


def embedding_explorer(tokenizer, text: str = DEFAULT_TEXT, hidden_size: int = 512, seed: int = 0) -> Explorer:
    """A hidden_size slider and a text box: table size, memory, and this text's vectors with a heatmap."""
    low, high = RULES["min_hidden"], RULES["max_hidden"]
    slider = widgets.IntSlider(value=hidden_size, min=low, max=high, step=RULES["hidden_step"],
                               description="hidden_size", style={"description_width": "initial"},
                               layout=widgets.Layout(width="100%"))
    ends = widgets.HTML(f"<small>范围 {low}～{high:,}，步长 {RULES['hidden_step']}</small>")
    controls = {"text": widgets.Text(value=text, description="文本", layout=widgets.Layout(width="100%")),
                "hidden_size": slider}
    compute = partial(panel_state, "embedding", tokenizer, seed=seed)
    return Explorer(compute, controls, [controls["text"], slider, ends])


def batch_explorer(tokenizer, text: str = "小红帽去森林\n大灰狼\n小红帽提着篮子去看望外婆") -> Explorer:
    """Several sentences (one per line) -> padded IDs and attention mask, with a padding-side switch."""
    side = widgets.ToggleButtons(options=[("右填充（right）", "right"), ("左填充（left）", "left")], value="right",
                                 description="填充方向", style={"description_width": "initial"})
    controls = {"text": _text(text, rows=4), "padding_side": side}
    controls["text"].description = "每行一句"
    return Explorer(partial(panel_state, "batch", tokenizer), controls, [controls["text"], side])


def compare_explorer(tokenizers: dict, text: str = DEFAULT_TEXT, site: dict | None = None) -> Explorer:
    """One text, several tokenizers (name -> tokenizer): a row of coloured spans and a token count for each.

    `site` names the tokenizer files the built site serves, so that those rows stay live on the page.
    """
    controls = {"text": _text(text, rows=3)}
    return Explorer(partial(compare_state, tokenizers, site=site), controls, [controls["text"]])


def stride_explorer(tokenizer, text: str = "小红帽提着篮子，穿过森林去看望生病的外婆。", max_length: int = 8,
                    stride: int = 2) -> Explorer:
    """Sliding windows over a text's IDs: sliders for max_length and stride (the overlap, as in transformers)."""
    style = {"description_width": "initial"}
    controls = {
        "text": _text(text, rows=3),
        "max_length": widgets.IntSlider(value=max_length, min=RULES["min_window"], max=RULES["max_window"],
                                        description="max_length", style=style),
        "stride": widgets.IntSlider(value=stride, min=0, max=RULES["max_window"] - 1, description="stride（重叠）",
                                    style=style),
    }
    size, overlap = controls["max_length"], controls["stride"]
    overlap.max = size.value - 1  # stride < max_length always: the stride slider ends at max_length − 1

    def follow(change) -> None:
        overlap.max = change["new"] - 1

    size.observe(follow, names="value")  # before the Explorer's own observer: the panel sees a clamped stride
    return Explorer(partial(stride_state, tokenizer), controls, list(controls.values()))
