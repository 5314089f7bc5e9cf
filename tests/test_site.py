"""The built site: every chapter page carries its executed outputs, computed values and the diagram."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from .conftest import CHAPTERS, ROOT

# Values each page must show; all of them are printed by the page's own code.
EXPECTED_OUTPUTS = {
    "01_load_tokenizer": ["Qwen2Tokenizer", "151643", "151665", "152064", "151387", "&lt;|im_end|&gt;", "512 × 297",
                          "128 × 1187"],
    "02_tokenize": ["30709", "99425", "102663", "85336", "102258", "58230", "�", "151644", "U+F900 → U+8C48",
                    "[151657, 6023, 151658]", "[1, 2)"],
    "03_embeddings": ["[1, 5, 512]", "index out of range in self", "最大差异", "2.03", "77,652,480",
                      "Qwen2Config().pad_token_id： None", "padding_idx = None", "padding_idx=3"],
    "04_batching": ["151643", "padding_side", "-inf", "tensor([nan, nan", "含 NaN 的行有 0 行", "-100"],
    "05_pipeline": ["30709, 99425, 102663, 85336, 102258", "6,400", "嵌入表的行数必须不少于 len(tokenizer)",
                    "#@save", "book.saved", "post_attention_layernorm", "两条残差和最后的 RMSNorm 都与上面的描述一致"],
    "06_train_tokenizer": ["词表大小 6,400", "6,141", "1,841,657", "6,108", "最先成为多字词的 10 个 token：   ['中国'"],
    "07_compare_tokenizers": ["Qwen2.5：小 | 红 | 帽", "[UNK]", "SentencePiece", "训练用时", "只数汉字"],
    "08_meaning": ["国王：['▁', '国王'] → ID [6, 54055]", "0.43", "训练用时", "512 维里：0 个词离别组的中心更近"],
    "09_position": ["apply_rotary_pos_emb", "6.2e-05", "每次都只是跟着打乱：True"],
    "10_training_examples": ["[151644, 872, 198, 108386, 151645]", "-100", "一个 epoch 有 53 批", "最后一批只剩",
                             "DataCollatorForLanguageModeling 留下 0 个"],
}


def page(site, stem):
    return (site / "chapters" / f"{stem}.html").read_text("utf-8")


@pytest.mark.parametrize("stem", [p.stem for p in CHAPTERS])
def test_page_has_executed_outputs(built_site, stem):
    html = page(built_site, stem)
    assert html.count('class="cell_output') >= 3, "code cells without outputs"
    for value in EXPECTED_OUTPUTS[stem]:
        assert value in html, f"{stem}: {value!r} not on the page"
    assert "Traceback" not in html
    assert 'class="output stderr"' not in html
    for machine_path in ("/root/", "/home/", ".cache/text-to-vectors", "site-packages"):
        assert machine_path not in html, f"{stem}: an output shows a path of the build machine ({machine_path})"


@pytest.mark.parametrize("stem", [p.stem for p in CHAPTERS])
def test_glued_values_are_filled_in(built_site, stem):
    source = (ROOT / "chapters" / f"{stem}.md").read_text("utf-8")
    html = page(built_site, stem)
    assert "{glue" not in html
    assert html.count('class="pasted-text"') >= source.count("{glue:text}")


def test_diagram_carries_real_numbers_and_local_mermaid(built_site):
    html = page(built_site, "05_pipeline")
    blocks = re.findall(r'<pre\s+class="mermaid[^"]*"[^>]*>(.*?)</pre>', html, re.S)
    assert len(blocks) == 1
    diagram = blocks[0]
    assert "flowchart TD" in diagram
    assert "[30709, 99425, 102663, 85336, 102258]" in diagram
    assert "151,665 × 512" in diagram and "[1, 5, 512]" in diagram
    assert diagram.count("RMSNorm") == 3 and diagram.count("残差") == 2 and "lm_head" in diagram
    script = re.search(r'import mermaid from "([^"]+)"', html).group(1)
    assert not script.startswith("http")
    assert (built_site / "chapters" / script).resolve().is_file()


def search_terms(site) -> dict:
    text = (site / "searchindex.js").read_text("utf-8")
    document = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    return document["terms"]


def test_chinese_search_index(built_site):
    terms = search_terms(built_site)
    for word in ("森林", "分词器", "注意力掩码"):
        assert word in terms, f"{word} is not in the search index (is jieba installed?)"


@pytest.mark.parametrize("stem", ["02_tokenize", "03_embeddings", "04_batching", "05_pipeline"])
def test_each_explorer_is_one_panel_without_a_cdn(built_site, stem):
    html = page(built_site, stem)
    source = (ROOT / "chapters" / f"{stem}.md").read_text("utf-8")
    explorers = len(re.findall(r"^(?:token|embedding|batch)_explorer\(", source, flags=re.M))
    assert explorers and html.count('class="ttv-panel"') == explorers
    assert "ttv-snapshot" not in html and "静态快照" not in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com/@jupyter-widgets", "require.min.js"):
        assert cdn not in html, cdn


def visible_text(html: str) -> str:
    """A page's text without tags, scripts and styles (glued values become plain text)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_index_and_setup_name_the_chapters_with_browser_panels(built_site):
    """“在网页上读” lists exactly the chapters whose built page holds a panel, and the “动手试试” without one."""
    numbers = {p.stem: str(int(p.stem[:2])) for p in CHAPTERS}
    with_panel = [n for stem, n in numbers.items() if 'class="ttv-panel"' in page(built_site, stem)]
    without = [n for stem, n in numbers.items() if n not in with_panel
               and "## 动手试试" in (ROOT / "chapters" / f"{stem}.md").read_text("utf-8")]
    assert with_panel and without
    for name in ("index", "setup"):
        text = visible_text((built_site / f"{name}.html").read_text("utf-8"))
        assert f"第 {'、'.join(with_panel)} 章的“动手试试”带" in text, name
        assert f"第 {'、'.join(without)} 章的“动手试试”在网页上只显示构建时的结果" in text, name


@pytest.mark.parametrize("stem, code", [("03_embeddings", ["nn.Embedding(", "nn.init.normal_", "torch.manual_seed"]),
                                        ("05_pipeline", ["def text_to_embeddings", "def padded_batch", "#@save"])])
def test_the_lesson_code_is_on_the_page(built_site, stem, code):
    """The table is built and the pipeline is written in plain torch/transformers, in visible code cells."""
    from html import unescape

    shown = [unescape(re.sub(r"<[^>]+>", "", block))
             for block in re.findall(r'<div class="cell_input.*?</pre>', page(built_site, stem), flags=re.S)]
    for piece in code:
        assert any(piece in block for block in shown), piece
    assert "seeded_embedding" not in "".join(shown)
