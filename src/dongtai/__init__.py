"""dongtai (动态): a cited daily intelligence briefing in Chinese from a day of news.

The library is organised as one module per pipeline stage (see :mod:`dongtai.pipeline`
for the order); the command line (:mod:`dongtai.cli`) is a thin shell over it.
"""

__version__ = "0.1.0"
