"""PII masking: find and mask phone numbers, 주민등록번호, e-mail, card and account numbers, names and detailed
addresses in citizen-written Korean text before it is indexed, classified or shown (``mask``), and measure
recall and precision on a labelled sample (``sori analytics pii-eval``)."""

from analytics.pii.mask import KINDS, PLACEHOLDERS, MaskResult, PiiKind, PiiSpan, find_pii, mask

__all__ = ["KINDS", "PLACEHOLDERS", "MaskResult", "PiiKind", "PiiSpan", "find_pii", "mask"]
