"""tutor/catalog.py lists the lessons from their headings and step lines without loading them:
what it reads must be what the full loader reads, and a manifest it cannot read plainly is left
to the loader."""

import subprocess
import sys

from gradtutor.lang import LANGUAGES
from gradtutor.tutor import catalog, lessons, listing
from gradtutor.tutor.catalog import _headings, _manifest_head, sections


def test_the_catalog_reads_every_installed_lesson_as_the_loader_does():
    loaded = {lesson.id: lesson for lesson in lessons.load_all()}
    assert set(catalog.names()) == set(loaded)
    for name in catalog.names():
        entry = catalog.read(name)
        assert entry is not None, f"{name}: read by the loader, not the catalog"
        lesson = loaded[name]
        assert (entry.id, entry.order, entry.title) == (lesson.id, lesson.order, lesson.title)
        assert [(s.id, s.kind, s.title) for s in entry.steps] == [(s.id, s.kind, s.title) for s in lesson.steps]
        assert [s.id for s in entry.quizzes] == [s.id for s in lesson.quizzes]
        assert all(entry.index(s.id) == lesson.index(s.id) for s in lesson.steps) and entry.index("gone") == 0
    assert [entry.id for entry in listing.entries()] == [lesson.id for lesson in lessons.load_all()]


def test_the_lines_the_catalog_picks_read_as_all_lines_do():
    """The readers look only at the lines a regex picks; with "\r\n" line breaks they go through
    every line (str.splitlines): both must find the same, in every installed lesson."""
    for name in catalog.names():
        folder = catalog.folder() / name
        manifest = (folder / catalog.MANIFEST).read_text(encoding="utf-8")
        assert _manifest_head(manifest) == _manifest_head(manifest.replace("\n", "\r\n")), name
        for lang in LANGUAGES:
            markdown = (folder / f"{lang}.md").read_text(encoding="utf-8")
            title, _, found = sections(markdown)
            picked_title, _, picked = _headings(markdown)
            assert picked_title == title and picked.keys() == found.keys(), (name, lang)
            assert all(picked[key][0] == found[key][0] for key in found if key is not None), (name, lang)


def test_step_lines_inside_a_multiline_string_are_not_steps():
    text = '\n'.join([
        'format_version = 1', 'id = "demo"', 'order = 7', '',
        '[circuits.one]', 'expression = """', '[[step]]', 'id = "fake"', 'kind = "quiz"', '"""', '',
        '[[step]]', 'id = "first"  # a comment', 'kind = "explain"', '',
        '[[step]]', 'kind = "quiz"', 'id = "second"', 'quiz = "numeric"', 'at = [', '  [1, 2],', ']', '',
        '[step.extra]', 'id = "not-a-step-id"',
    ])
    assert _manifest_head(text) == ("demo", 7, [("first", "explain"), ("second", "quiz")])


def test_a_manifest_written_another_way_is_left_to_the_loader():
    assert _manifest_head('id = "demo"\n[[step]]\nid = "only-an-id"\n') is None  # kind missing
    assert _manifest_head('id = "demo"\norder = "first"\n[[step]]\nid = "a"\nkind = "explain"\n') is None
    assert _manifest_head('id = "demo"\n') is None  # no steps


def test_listing_the_lessons_loads_none_of_them(tmp_path):
    probe = (
        "import sys\n"
        "from gradtutor.tutor.listing import lessons_table, progress_report\n"
        f"lessons_table('en', {str(tmp_path)!r}); progress_report('en', {str(tmp_path)!r})\n"
        "print('gradtutor.tutor.lessons' in sys.modules, 'tomllib' in sys.modules and 'gradtutor.tutor.sources' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
