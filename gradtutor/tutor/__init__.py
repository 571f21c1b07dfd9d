"""The terminal tutor: lessons as data, quizzes checked against the engine, progress in SQLite.

lessons   load and schema-check lesson folders (lessons/README.md documents the format)
answers   compute answer keys with the engine (sources, quantities, worked-solution steps)
networks  layer and model sources: the real layers run once, shapes and parameter counts read off
training  training sources: lesson runs of the real training loop, their figures and the train view
quiz      read and judge a learner's answer, per quiz kind
progress  the learner's progress file
session   the runner: explain, show, ask; interactive or scripted
check     `gradtutor dev check`: every lesson against the schema, the engine and the renderers
commands  the functions behind `gradtutor lesson/lessons/progress/reset/dev check`
text      languages and the tutor's own words (strings.toml)
"""
