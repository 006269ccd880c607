"""Excel's BAHTTEXT for the headless engine (issue 21): a number written in Thai words with the
currency, ``บาท`` (baht) and ``สตางค์`` (satang, hundredths; ``ถ้วน`` "exactly" when there are none).

The reading follows Thai numerals as the Excel-compatible implementation of LibreOffice Calc
(``ScInterpreter::ScBahtText``) writes them: the value rounded to satang, split into blocks of six
digits joined by ``ล้าน`` (million); in a block the digits take ``แสน หมื่น พัน ร้อย สิบ`` (10^5 ...
10^1); a tens digit 1 is ``สิบ`` alone, 2 is ``ยี่สิบ``; a units digit 1 after a tens digit is ``เอ็ด``;
zero is ``ศูนย์``; a negative number starts with ``ลบ``.  Where Thai usage differs (a units digit 1 after
hundreds with no tens, ``101``: ``หนึ่งร้อยหนึ่ง`` or ``หนึ่งร้อยเอ็ด``; a block of 1 after millions) and the
corpus does not show Excel's choice, the cell is refused rather than guessed.  The number is read as a
scalar (TRUE is 1, an empty cell 0, text that is no number #VALUE!) and element by element over a range
in an array formula.

>>> bahttext(157), bahttext(65.8), bahttext(-1)
('หนึ่งร้อยห้าสิบเจ็ดบาทถ้วน', 'หกสิบห้าบาทแปดสิบสตางค์', 'ลบหนึ่งบาทถ้วน')
>>> bahttext(1234), bahttext(21.25)
('หนึ่งพันสองร้อยสามสิบสี่บาทถ้วน', 'ยี่สิบเอ็ดบาทยี่สิบห้าสตางค์')
"""
from __future__ import annotations

import math

from ._fn_args import NUM, elementwise, is_error, number

_DIGITS = ["ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า"]
_POWERS = {5: "แสน", 4: "หมื่น", 3: "พัน", 2: "ร้อย"}
_TEN, _ONE_AFTER_TEN, _TWENTY, _MILLION = "สิบ", "เอ็ด", "ยี่", "ล้าน"
_BAHT, _EXACT, _SATANG, _MINUS = "บาท", "ถ้วน", "สตางค์", "ลบ"


class _Ambiguous(Exception):
    pass


def _block(n: int, after_higher: bool) -> str:
    """The words of 1 <= n <= 999999; ``after_higher``: a higher block (millions) comes before it."""
    out = []
    for p in (5, 4, 3, 2):
        d, n = divmod(n, 10 ** p)
        if d:
            out.append(_DIGITS[d] + _POWERS[p])
    tens, ones = divmod(n, 10)
    if tens:
        out.append((_DIGITS[tens] if tens >= 3 else _TWENTY if tens == 2 else "") + _TEN)
    if ones == 1 and not tens and (out or after_higher):
        raise _Ambiguous
    if ones:
        out.append(_ONE_AFTER_TEN if (tens and ones == 1) else _DIGITS[ones])
    return "".join(out)


def _words(value: float) -> str:
    minus = value < 0
    cents = math.floor(abs(value) * 100.0 + 0.5)
    baht, satang = divmod(int(cents), 100)
    text = ""
    if baht == 0:
        if satang == 0:
            text = _DIGITS[0]
    else:
        blocks = []
        while baht > 0:
            baht, b = divmod(baht, 1_000_000)
            blocks.append(b)
        parts = []
        for i in range(len(blocks) - 1, -1, -1):
            b = blocks[i]
            higher = i < len(blocks) - 1
            parts.append((_block(b, higher) if b else "") + (_MILLION if i > 0 else ""))
        text = "".join(parts)
    if text:
        text += _BAHT
    text += _EXACT if satang == 0 else _block(satang, False) + _SATANG
    return (_MINUS if minus else "") + text


def bahttext(value):
    def one(v):
        n = number(v)
        if is_error(n):
            return n
        if not math.isfinite(n) or abs(n) >= 1e15:
            return NUM if not math.isfinite(n) else _refuse("a number of 10^15 or more")
        try:
            return _words(float(n))
        except _Ambiguous:
            return _refuse("a units digit 1 after hundreds or millions with no tens (Thai usage varies)")
    return elementwise(one, value)


def _refuse(what: str):
    from .errors import CalcError
    return CalcError("#VALUE!", f"unsupported: BAHTTEXT of {what}")


def install(mod) -> None:
    """Put this function into the pycel plug-in module."""
    mod.bahttext = bahttext
