"""gradtutor.lang.plain_table reads one table of a words file from its own lines, so a command
that shows a few words parses none of the file: what it reads must be what tomllib reads, for
every table of every words file shipped, and a table written any other way is left to tomllib."""

import tomllib
from pathlib import Path

import pytest

import gradtutor
from gradtutor.lang import load_strings, plain_table, strings_table
from gradtutor.ops import table as op_table

PACKAGE = Path(gradtutor.__file__).parent
WORDS_FILES = sorted([*PACKAGE.glob("*/strings.toml"), *(PACKAGE / "ops" / "texts").glob("*.toml")])


def tables(document: dict, prefix=()):
    """(dotted name, table) for every table of a parsed document, nested ones included."""
    for key, value in document.items():
        if isinstance(value, dict):
            yield ".".join((*prefix, key)), value
            yield from tables(value, (*prefix, key))


@pytest.mark.parametrize("path", WORDS_FILES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_every_table_read_plainly_is_the_table_tomllib_reads(path):
    text = path.read_text(encoding="utf-8")
    found = list(tables(tomllib.loads(text)))
    plain = 0
    for name, table in found:
        read = plain_table(text, name)
        assert read is None or read == table, name
        plain += read is not None
    assert plain >= len(found) * 3 // 4, "most tables are written plainly, or the reader is no help"


@pytest.mark.parametrize("package", ["gradtutor.render", "gradtutor.tutor"])
def test_each_strings_table_is_the_parsed_table(package):
    for name, table in tables(load_strings(package)):
        assert strings_table(package, name) == table, name
    with pytest.raises(KeyError):
        strings_table(package, "no_such_table")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_each_ops_words_table_is_the_parsed_table(lang):
    parsed = tomllib.loads((op_table.TEXTS / f"{lang}.toml").read_text(encoding="utf-8"))
    for section in ("op", "pattern"):
        for key, table in parsed[section].items():
            assert op_table._table(lang, section, key) == table, (section, key)
    assert op_table._table(lang, "op", "no_such_op") == {}


def test_a_table_written_another_way_is_left_to_tomllib():
    assert plain_table('[a]\nx = "one"  # note\ny = ["p", "q",]\n\n[b]\n', "a") == {"x": "one", "y": ["p", "q"]}
    assert plain_table('# words\n[a] # the first\nx = ""\n', "a") == {"x": ""}
    assert plain_table('[a]\nx = "one"\n', "b") is None  # not there
    assert plain_table('[a]\nx = "two\\nlines, \\"quoted\\", \\\\"\n', "a") == {"x": 'two\nlines, "quoted", \\'}
    assert plain_table('[a]\nx = "\\u00e9"\n', "a") is None  # a code point escape
    assert plain_table('[a]\nx = """one\ntwo"""\n', "a") is None  # a multi-line string
    assert plain_table("[a]\nx = 'literal'\n", "a") is None
    assert plain_table('[a]\nx.y = "dotted"\n', "a") is None
    assert plain_table('[a]\nx = { en = "inline" }\n', "a") is None
    assert plain_table('[a]\nx = 1\n', "a") is None
    assert plain_table('[a]\nx = "one"\n[a.b]\ny = "two"\n', "a") is None  # a sub-table
    assert plain_table('[a]\nx = "one"\nx = "again"\n', "a") is None
    assert plain_table('[a] y = "z"\n', "a") is None
