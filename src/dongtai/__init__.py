"""dongtai (动态): a cited daily intelligence briefing in Chinese from a day of news.

Records, settings, errors, plugins and the stage table sit at the top
(:mod:`dongtai.pipeline` owns the order of the stages); each subpackage is one part of
the pipeline: ``fetch`` → ``stages`` → ``writers`` → ``verify`` → ``render``, with
``text`` shared by them and ``store`` under all. The command line (:mod:`dongtai.cli`)
is a thin shell over the library.
"""

__version__ = "0.1.0"
