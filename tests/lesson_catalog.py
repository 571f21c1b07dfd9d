"""The installed lessons that load, shared by the lesson tests.

A broken lesson is left out here, so it fails test_dev_check_passes with its problems instead of
breaking the collection of every test that parametrizes over lessons.
"""

from gradtutor.tutor import lessons
from gradtutor.tutor.lessons import LessonError


def loadable():
    found = []
    for name in lessons.names():
        try:
            found.append(lessons.load(name))
        except LessonError:
            pass
    return sorted(found, key=lambda lesson: (lesson.order, lesson.id))
