"""The op table as a whole: complete in a fresh process, and every op's words in every language file.

Rules are code (gradtutor/ops/*.py), words are data (gradtutor/ops/texts/<lang>.toml). The language
list is the files present, so a new language is checked as soon as its file exists.
"""

import subprocess
import sys
import tomllib

import pytest

from gradtutor import ops
from gradtutor.ops import table

LANGUAGES = ops.languages()
FILES = {lang: tomllib.loads((table.TEXTS / f"{lang}.toml").read_text(encoding="utf-8")) for lang in LANGUAGES}
ALL_OPS = list(ops.OPS.values())


def per_input_count(op) -> int:
    return op.arity if op.arity >= 0 else 1  # a variadic op has one text for all its inputs


def test_english_comes_first_and_korean_is_there():
    assert LANGUAGES[0] == "en" and "ko" in LANGUAGES


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_every_op_has_its_words_in_every_language_file(op, lang):
    words = FILES[lang]["op"].get(op.name)
    assert words is not None, f"texts/{lang}.toml has no [op.{op.name}] table"
    # English has every text; another language may leave out a text that is formulas only (the
    # English then shows), but never the gate pattern's name and sentence.
    required = table.KEYS if lang == "en" else ("gate", "explain")
    for key in required:
        assert words.get(key), f"texts/{lang}.toml [op.{op.name}] needs {key}"
    for key in table.PER_INPUT:
        if key in words:
            assert len(words[key]) == per_input_count(op), f"texts/{lang}.toml [op.{op.name}] {key}: one per input"
    unknown = set(words) - set(table.KEYS) - {"summed_over_batch"}
    assert not unknown, f"texts/{lang}.toml [op.{op.name}] has keys no accessor reads: {unknown}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_table_in_a_language_file_is_a_registered_op_or_pattern(lang):
    assert set(FILES[lang]["op"]) <= set(ops.OPS), "a text table for an op that does not exist"
    assert FILES[lang]["pattern"]["fanout"]["gate"] and FILES[lang]["pattern"]["fanout"]["explain"]


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_the_accessors_read_the_files(op):
    english, korean = FILES["en"]["op"][op.name], FILES["ko"]["op"][op.name]
    assert op.gate_in("en") == english["gate"] and op.gate_in("ko") == korean["gate"]
    assert op.explain_in("ko") == korean["explain"]
    assert op.formula_in("ko") == korean.get("formula", english["formula"])
    for slot in range(per_input_count(op)):
        assert op.local_in(slot, "ko") == korean.get("local", english["local"])[slot]
        assert op.jacobian_in(slot, "en") == english["jacobian"][slot]
        assert op.backward_in(slot, "ko") == korean.get("backward", english["backward"])[slot]


def test_adding_a_language_is_adding_a_file(tmp_path, monkeypatch):
    (tmp_path / "en.toml").write_bytes((table.TEXTS / "en.toml").read_bytes())
    (tmp_path / "eo.toml").write_text('[op.mul]\ngate = "multipliko interŝanĝas"\n\n[pattern.fanout]\ngate = "kopio adicias"\n',
                                      encoding="utf-8")
    monkeypatch.setattr(table, "TEXTS", tmp_path)
    monkeypatch.setattr(table, "_LANGUAGES", {})
    assert ops.languages() == ("en", "eo")
    assert ops.MUL.gate_in("eo") == "multipliko interŝanĝas"
    assert ops.MUL.explain_in("eo") == ops.MUL.explain_in("en")  # left out: the English shows
    assert ops.FANOUT.gate_in("eo") == "kopio adicias"


def test_the_words_load_only_when_asked_for():
    """Importing the op table reads no text file and imports no array library: `gradtutor --help`
    stays fast."""
    code = "import sys, gradtutor.ops; print('numpy' in sys.modules, 'tomllib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


# One gate of every fused layer op, as `gradtutor jacobian` takes it.
FUSED = {
    "linear": ["X=[[1,2]]", "W=[[1],[2]]", "b=[1]"],
    "conv2d": ["X=[[[[1,2,3],[4,5,6],[7,8,9]]]]", "W=[[[[1,0],[0,-1]]]]", "b=[0.5]"],
    "max_pool2d": ["X=[[[[1,2],[4,3]]]]"],
    "avg_pool2d": ["X=[[[[1,2],[4,3]]]]"],
    "batch_norm": ["X=[[1,2],[3,5],[0,1]]", "γ=[1,2]", "β=[0,0]"],
    "layer_norm": ["X=[[1,2,4]]", "γ=[1,1,1]", "β=[0,0,0]"],
    "dropout": ["X=[1,2]"],
    "embedding": ["W=[[1,2],[3,4]]"],
    "rnn": ["x=[[[1]]]", "h0=[[0]]", "W_xh=[[1]]", "W_hh=[[1]]", "b=[0]"],
    "lstm": ["x=[[[1]]]", "h0=[[0]]", "c0=[[0]]", "W_x=[[1,1,1,1]]", "W_h=[[1,1,1,1]]", "b=[0,0,0,0]"],
    "gru": ["x=[[[1]]]", "h0=[[0]]", "W_x=[[1,1,1]]", "W_h=[[1,1,1]]", "b=[0,0,0]", "b_hn=[0]"],
    "attention": ["Q=[[1,0],[0,1]]", "K=[[1,2],[0,1]]", "V=[[1,2],[3,-1]]"],
}


def test_every_fused_op_is_listed_here():
    from gradtutor.ops import nn, recurrent

    fused = {op.name for module in (nn, recurrent) for op in vars(module).values() if isinstance(op, ops.Op)}
    assert fused == set(FUSED)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("name", sorted(FUSED))
def test_a_fresh_process_knows_every_fused_op(name, lang):
    at = [arg for value in FUSED[name] for arg in ("--at", value)]
    result = subprocess.run(
        [sys.executable, "-m", "gradtutor", "jacobian", name, *at, "--lang", lang],
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert ops.OPS[name].gate_in(lang).split()[0] in result.stdout
    assert "✓" in result.stdout  # upstream · J agrees with the rule the engine runs
