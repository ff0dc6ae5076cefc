"""`make bench`: this assistant against a stock `rasa init` bot, measured in one run.

Not a test: it prints figures and ratios and writes reports/bench.json and reports/bench.png.
"""
