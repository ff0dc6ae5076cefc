"""The pure core: no Rasa, no web, no database, no environment reads (settings come in as
arguments), so every process and tool can use it and its tests need no server."""
