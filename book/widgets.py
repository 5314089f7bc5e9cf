"""ipywidgets for the chapters: each widget is controls + one HTML output, recomputed by book.explore."""

from __future__ import annotations

import html
from importlib import resources

import ipywidgets as widgets

from . import explore
from .inputs import MAX_HIDDEN, MIN_HIDDEN

STYLE = "<style>" + resources.files("book").joinpath("widgets.css").read_text("utf-8") + "</style>"
DEFAULT_TEXT = "小红帽去森林"


class Explorer(widgets.VBox):
    """Rows of controls above an HTML output; any control's change re-renders through `render()`."""

    def __init__(self, rows: list[widgets.Widget], render, *, controls: list[widgets.Widget] | None = None,
                 kind: str = "", **kwargs):
        self.output = widgets.HTML()
        self._render = render
        self._controls = controls = controls if controls is not None else rows  # rows that are controls themselves
        self.kind = kind  # which kernel-free playground the static page offers in its place
        super().__init__(children=[*rows, self.output], **kwargs)
        for control in controls:
            control.observe(lambda _change: self.refresh(), names="value")
        self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        """Add a static HTML snapshot, shown wherever no widget manager runs (the built site, plain viewers)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/html"] = self.snapshot_html()
        return bundle

    def snapshot_html(self) -> str:
        settings = " · ".join(
            f"{html.escape(c.description)}：{html.escape(repr(c.value) if isinstance(c.value, str) else str(c.value))}"
            for c in self._controls
        )
        data = "".join(
            f' data-{name}="{html.escape(str(getattr(self, name).value), quote=True)}"'
            for name in ("text", "hidden", "padding_side") if hasattr(self, name)
        )
        return (
            f'<div class="ttv-snapshot" data-playground="{self.kind}"{data}>'
            + explore.note_html(["静态快照（构建网站时运行得到）。在 Jupyter、Colab 或 Binder 中运行本章，即可修改输入、实时重算。"])
            + f'<div class="ttv-settings">{settings}</div>'
            + self.output.value
            + "</div>"
        )

    def refresh(self) -> None:
        try:
            body = self._render()
        except Exception as error:  # a view bug must not kill the notebook: show it instead
            body = explore.error_html(f"出错了：{type(error).__name__}: {error}")
        self.output.value = STYLE + body


def token_explorer(tokenizer, text: str = DEFAULT_TEXT) -> Explorer:
    """Text in, coloured tokens with ids out; toggles for bytes, whitespace and special tokens."""
    text_box = widgets.Textarea(value=text, description="文本", layout=widgets.Layout(width="100%"))
    show_bytes = widgets.Checkbox(value=False, description="显示字节")
    show_space = widgets.Checkbox(value=False, description="显示空白")
    split = widgets.Checkbox(value=False, description="特殊 token 当普通文字")
    explorer = Explorer(
        [text_box, widgets.HBox([show_bytes, show_space, split])],
        lambda: explore.tokens_view(tokenizer, text_box.value, show_bytes=show_bytes.value,
                                    show_whitespace=show_space.value, split_special_tokens=split.value),
        controls=[text_box, show_bytes, show_space, split],
        kind="tokens",
    )
    explorer.text, explorer.show_bytes, explorer.show_whitespace, explorer.split_special = text_box, show_bytes, show_space, split
    return explorer


def embedding_explorer(tokenizer, text: str = DEFAULT_TEXT, hidden_size: int = 512, seed: int = 0) -> Explorer:
    """A hidden_size slider and a text box: table size, memory, and this text's vectors with a heatmap."""
    text_box = widgets.Text(value=text, description="文本", layout=widgets.Layout(width="100%"))
    slider = widgets.IntSlider(value=hidden_size, min=MIN_HIDDEN, max=MAX_HIDDEN, step=8, description="hidden_size",
                               style={"description_width": "initial"}, layout=widgets.Layout(width="100%"))
    explorer = Explorer(
        [text_box, slider],
        lambda: explore.embedding_view(tokenizer, text_box.value, slider.value, seed=seed),
        kind="embedding",
    )
    explorer.text, explorer.hidden = text_box, slider
    return explorer


def batch_explorer(tokenizer, text: str = "小红帽去森林\n大灰狼\n小红帽提着篮子去看望外婆") -> Explorer:
    """Several sentences (one per line) -> padded ids and attention mask, with a padding-side switch."""
    text_box = widgets.Textarea(value=text, description="每行一句", rows=4, layout=widgets.Layout(width="100%"),
                                style={"description_width": "initial"})
    side = widgets.ToggleButtons(options=[("右填充", "right"), ("左填充", "left")], value="right", description="填充")
    explorer = Explorer([text_box, side], lambda: explore.batch_view(tokenizer, text_box.value, side.value), kind="batch")
    explorer.text, explorer.padding_side = text_box, side
    return explorer
