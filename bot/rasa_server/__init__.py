"""Plugins of the Rasa server (`rasa run`): channels, NLU components, the tracker and lock
stores and the patches they need. This process alone touches the tracker database."""
