"""Rasa input channels of the project, each applying the input policy before Rasa reads."""
