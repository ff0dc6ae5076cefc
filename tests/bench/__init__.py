"""`make bench`: this assistant against a stock `rasa init` bot and the floor (Rasa with no
machine learning), measured in one run.

Not a test: it prints figures and ratios and writes reports/bench.json and reports/bench.png.
"""
