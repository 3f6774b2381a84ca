"""Verification: every figure, date, organisation, person and quotation of a briefing
proven by an item the same paragraph cites.

- :mod:`~dongtai.verify.claims` reads what a text asserts and what an item states;
- :mod:`~dongtai.verify.support` indexes the cited items and says how each bears on a claim;
- :mod:`~dongtai.verify.gate` is the gate itself (claims, citations, references → a
  :class:`~dongtai.models.Verification`);
- :mod:`~dongtai.verify.marks` places verified claims in the text for renderers;
- :mod:`~dongtai.verify.recheck` re-checks a stored issue or any ``briefing.json``.
"""

from dongtai.verify.gate import Index, check, status, verify, verify_briefing

__all__ = ["Index", "check", "status", "verify", "verify_briefing"]
