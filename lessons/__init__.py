"""The lesson files, installed as the package `gradtutor.lessons` (see README.md here).

This file holds no code: it makes the folder a regular package, so that importlib.resources
finds the lessons the same way in a source checkout, an editable install and a wheel.
"""
