"""Rasa NLU graph components of the project."""
