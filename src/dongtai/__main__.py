"""``python -m dongtai``: the command line."""

from dongtai.cli import main

main()
