"""The terminal tutor: lessons as data, quizzes checked against the engine, progress in SQLite.

lessons        load and schema-check lesson folders (lessons/README.md documents the format)
sources/       the source families, one module each, and their table SOURCES
source_family  the interface every source family implements
quantities     what a quiz asks: the Quantity record and its error
answers        answer keys: quantities read, sources solved and quantities computed, via SOURCES
networks       layer and model sources: the real layers run once, shapes and parameter counts read off
training       training sources: lesson runs of the real training loop, their figures and the train view
quiz_kinds     the quiz kinds and their table QUIZ_KINDS: read, judge and show an answer of each kind
quiz           the readers and checkers the kinds use (numbers, shapes, matrices, patterns, choices)
grading        one quiz step's key, reader and judge
progress       the learner's progress file
session        the runner: explain, show, ask; interactive or scripted
check          `gradtutor dev check`: every lesson against the schema, the engine and the renderers
commands       the functions behind `gradtutor lesson/lessons/progress/reset/dev check`
text           languages and the tutor's own words (strings.toml)
"""
