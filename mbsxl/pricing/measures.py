"""Price, yield, average life, duration and convexity of a cash-flow column (pool or tranche).

The measures are those of the SIFMA / Bond Market Association *Uniform Practices, Standard
Formulas for the Analysis of Mortgage-Backed Securities* (chapter SF, section G.1, SF-48 to SF-51),
with the day-count and delay rules of sections E and F (SF-44 to SF-46).

Timing (one rule, :func:`payment_times`)
    The cash-flow column holds one payment per period (a month by default): flow ``k`` (k = 1, 2, ...)
    is the payment for accrual period ``k``.  Period ``k`` ends ``k`` periods after the start of the
    accrual period that contains settlement (the factor date, the 1st of the month for a
    pass-through), and the investor receives the flow ``delay_days`` after that end (the *actual*
    delay of SF-44: Ginnie Mae I 14, Ginnie Mae II 19, Fannie Mae 24, Freddie Mac Gold 14 days).
    Settlement falls ``settle_days`` after the start of the accrual period.  So, on the 30/360
    calendar (SF-44), flow ``k`` arrives at ``T_k = (30 k + delay_days - settle_days) / 360`` years
    after settlement.  A payment on a fixed day of the month (Jianyuan 2007-1 pays on the 26th)
    is ``payment_day=26``, the same as ``delay_days=25`` for periods starting on the 1st.

Day count (``basis``)
    ``"30/360"`` (default, SF-44): months of 30 days, years of 360.
    ``"act/365"`` (China's interbank convention, 实际天数/365): with ``start_date`` the periods and
    payment days are placed on the calendar and times are actual days / 365; without it each month
    counts 365/12 days.  ``"act/360"`` likewise with years of 360 days.

Compounding (``compounding``)
    The yield is a nominal annual rate compounded ``compounding`` times a year and applied to the
    times ``T_k``: ``P = sum CF_k / (1 + y/m) ** (m T_k)``.  The default 2 is the SF bond-equivalent
    yield (SF-48 a); 12 gives the mortgage yield (SF-48 b), equal to
    ``1200 [(1 + Y/200) ** (1/6) - 1]``; 1 gives the annually compounded yield used for Chinese
    bonds.  Duration and convexity use the same ``m`` (SF uses the semiannual yield only).

Prices are per 100 of current face: the present value of the flows, times 100 / ``balance``, minus
accrued interest ``100 * coupon * settle_days / 360`` (or / 365 on act/365) when ``coupon`` is given
(SF-46 c: the dollar price in the yield equation includes accrued interest; the quoted price does not).

Example (SF-50: Ginnie Mae I 9.0%, 360 months, 150% PSA, 14-day actual delay, settled at issue)
-------
>>> import numpy as np, mbsxl
>>> r = 0.095 / 12; months = np.arange(1, 361)
>>> bal = (1 - (1 + r) ** -(360.0 - np.arange(361))) / (1 - (1 + r) ** -360)   # SF-4 BAL
>>> smm = 1 - (1 - np.minimum(0.003 * months, 0.09)) ** (1 / 12)                # 150% PSA
>>> factor = np.r_[1, np.cumprod(1 - smm)] * bal
>>> cf = 100 * (factor[:-1] - factor[1:] + factor[:-1] * 0.09 / 12)
>>> round(100 * yield_(cf, 100, delay_days=14), 5), round(100 * yield_(cf, 100, 14, compounding=12), 5)
(9.10675, 8.93863)
"""
from __future__ import annotations

import datetime as _dt
import math

import numpy as np
from mbsxl.pricing._brentq import brentq

from mbsxl import _validate as v
from mbsxl import options as _opt
from mbsxl.dates import add_months, as_date
from mbsxl.errors import MbsxlInputError

BASES = _opt.BASES
PERIODS = (1, 2, 4, 12)


# --------------------------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------------------------
def _flows(name: str, values) -> np.ndarray:
    a = v.array(name, values)
    if a.size == 0:
        raise MbsxlInputError(f"{name} is empty; pass at least one cash flow")
    return a




def _periods(n) -> int:
    n = v.whole("periods_per_year", n)
    if n not in PERIODS:
        raise MbsxlInputError(f"periods_per_year={n} is not one of 1, 2, 4, 12")
    return n


# --------------------------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------------------------
def payment_times(n, delay_days=0, settle_days=0, basis="30/360", periods_per_year=12,
                  start_date=None, payment_day=None) -> np.ndarray:
    """Years from settlement to the receipt of each of ``n`` periodic cash flows (the SF ``T_k``).

    Flow ``k`` pays for accrual period ``k``; it is received ``delay_days`` after the period ends
    (or on day ``payment_day`` of the month in which the period ends).  Settlement is
    ``settle_days`` after the start of period 1.

    - ``basis="30/360"`` (SF-44): ``T_k = (k * 360/periods_per_year + delay - settle) / 360``.
    - ``basis="act/365"`` / ``"act/360"``: with ``start_date`` (the first day of period 1) the
      period ends and payment days are real dates and ``T_k`` = actual days / 365 (or 360); without
      it a month counts 365/12 (or 30) days.

    >>> payment_times(3, delay_days=14).round(6).tolist()      # Ginnie Mae I: 44/360, 74/360, ...
    [0.122222, 0.205556, 0.288889]
    >>> import datetime
    >>> t = payment_times(2, basis="act/365", start_date=datetime.date(2008, 1, 1), payment_day=26)
    >>> [round(x * 365) for x in t]                             # 2008-02-26 and 2008-03-26
    [56, 85]
    """
    n = v.whole("n", n)
    basis = _opt.basis(basis)
    ppy = _periods(periods_per_year)
    settle = v.number("settle_days", settle_days, lo=0, hi=366,
                      accepted="accepted: [0, 366] days from the start of the accrual period")
    if payment_day is not None:
        day = v.whole("payment_day", payment_day)
        if day > 31:
            raise MbsxlInputError(f"payment_day={day} is out of range; accepted: 1 to 31")
        delay = float(day - 1)
    else:
        delay = v.number("delay_days", delay_days, lo=0, hi=366,
                         accepted="accepted: [0, 366] days after the end of the period (GNMA I 14, Fannie Mae 24)")
    k = np.arange(1, n + 1, dtype=float)
    start = as_date("start_date", start_date, optional=True)
    if basis == "30/360" or start is None:
        year = 360.0 if basis != "act/365" else 365.0
        month_days = 30.0 if basis != "act/365" else 365.0 / 12.0
        t = (k * month_days * 12.0 / ppy + delay - settle) / year
    else:
        year = 365.0 if basis == "act/365" else 360.0
        step = 12 // ppy
        days = np.empty(n)
        for i in range(n):
            if payment_day is not None:
                pay = add_months(start, (i + 1) * step, int(payment_day))
            else:
                pay = add_months(start, (i + 1) * step) + _dt.timedelta(days=delay)
            days[i] = (pay - start).days - settle
        t = days / year
    if t[0] < 0:
        raise MbsxlInputError(f"settle_days={settle:g} falls after the first payment (delay {delay:g} days); "
                         "drop the flows already paid")
    return t


def accrued(coupon, settle_days=0, basis="30/360") -> float:
    """Accrued interest per 100 of current face (SF-46 c): ``100 * coupon * settle_days / 360``.

    ``coupon`` is the security's annual coupon as a decimal; ``settle_days`` counts from the start
    of the accrual period (30/360 days, or actual days on act/365, divided by 365).

    >>> accrued(0.09, 7)
    0.175
    """
    c = v.rate("coupon", coupon)
    d = v.number("settle_days", settle_days, lo=0, hi=366,
                 accepted="accepted: [0, 366] days from the start of the accrual period")
    year = 365.0 if _opt.basis(basis) == "act/365" else 360.0
    return 100.0 * c * d / year


# --------------------------------------------------------------------------------------------
# price <-> yield
# --------------------------------------------------------------------------------------------
def _yield(name: str, value, m: int) -> float:
    """An annual yield as a decimal above -100% (-1): at or below it the discount factor
    ``(1 + y/m) ** (-m T)`` is not a discount (y = -1 with m = 2 would discount at -50% a half-year)."""
    y = v.number(name, value)
    if y <= -1.0:
        raise v.MbsxlInputError(f"{name}={v._fmt(y)} is a yield of {v._fmt(100 * y)}%; accepted: a decimal above -1 "
                                "(-100% a year), e.g. 0.08 for 8%")
    if y > 1.0 and y <= 100.0:
        raise v.MbsxlInputError(f"{name}={v._fmt(y)} looks like a percent; pass {v._fmt(y / 100)}")
    if y > 100.0:
        raise v.MbsxlInputError(f"{name}={v._fmt(y)} is out of range; accepted: a decimal in (-1, 1] (-100% to 100%)")
    return y


def _discount(y: float, m: int, t: np.ndarray) -> np.ndarray:
    base = 1.0 + y / m
    if base <= 0:
        return np.full_like(t, np.inf)
    return np.exp(-m * t * math.log(base))


def _setup(cash_flows, delay_days, settle_days, basis, balance, periods_per_year, start_date, payment_day):
    cf = _flows("cash_flows", cash_flows)
    if not (cf > 0).any():
        raise v.MbsxlInputError(
            f"cash_flows has no positive flow ({cf.size} values, largest {v._fmt(float(cf.max()))}); price, yield, "
            "duration and convexity are for an investor's receipts: pass the flows received (> 0), e.g. the "
            "Cash Flow column of MBS_CASHFLOWS")
    bal = v.number("balance", balance, lo=0, lo_open=True)
    t = payment_times(cf.size, delay_days, settle_days, basis, periods_per_year, start_date, payment_day)
    return cf * (100.0 / bal), t


def _accrued_or_zero(coupon, settle_days, basis) -> float:
    d = v.number("settle_days", settle_days, lo=0)
    if coupon is None:
        if d > 0:
            raise MbsxlInputError(f"settle_days={d:g} needs coupon to take out accrued interest; pass the annual "
                             "coupon (e.g. 0.09), or coupon=0 to work with the full price")
        return 0.0
    return accrued(coupon, d, basis)


def price(cash_flows, yield_, delay_days=0, settle_days=0, basis="30/360", *, balance=100.0, coupon=None,
          compounding=2, periods_per_year=12, start_date=None, payment_day=None) -> float:
    """Price per 100 of current face of a cash-flow column at a yield (SF-48 a).

    ``full = 100 / balance * sum CF_k / (1 + y/m) ** (m T_k)`` and the price returned is ``full``
    minus accrued interest (:func:`accrued`) when ``coupon`` is given; ``T_k`` from
    :func:`payment_times` (30/360 by default, flow k received ``delay_days`` after the end of
    month k, settlement ``settle_days`` into month 1).

    Parameters
    ----------
    cash_flows : the investor's cash flow each period (interest + principal), periods 1, 2, ...;
        at least one positive
    yield_ : annual yield as a decimal, compounded ``compounding`` times a year (2: bond-equivalent);
        above -1 (-100%) and at most 1 (100%)
    balance : current face the flows belong to (default 100: flows per 100 of face)
    coupon : annual coupon as a decimal, for accrued interest when ``settle_days > 0``

    >>> round(price([1, 1, 101], 0.12, compounding=12), 6)      # a 12% monthly note at 12%
    100.0
    """
    cf, t = _setup(cash_flows, delay_days, settle_days, basis, balance, periods_per_year, start_date, payment_day)
    m = _opt.compounding(compounding)
    y = _yield("yield_", yield_, m)
    full = float(cf @ _discount(y, m, t))
    return full - _accrued_or_zero(coupon, settle_days, basis)


def yield_(cash_flows, price, delay_days=0, settle_days=0, basis="30/360", *, balance=100.0, coupon=None,
           compounding=2, periods_per_year=12, start_date=None, payment_day=None) -> float:
    """Cash-flow yield of a column at a price per 100 of current face (SF-48 a, b).

    Solves ``price + accrued = 100 / balance * sum CF_k / (1 + y/m) ** (m T_k)`` for ``y``.
    ``compounding=2`` (default) gives the bond-equivalent yield; ``compounding=12`` the mortgage
    yield, ``1200 [(1 + Y/200) ** (1/6) - 1]`` of the bond-equivalent Y.  Arguments as :func:`price`.

    >>> round(yield_([1, 1, 101], 100, compounding=12), 10)
    0.12
    """
    cf, t = _setup(cash_flows, delay_days, settle_days, basis, balance, periods_per_year, start_date, payment_day)
    m = _opt.compounding(compounding)
    p = v.number("price", price, lo=0, lo_open=True)
    target = p + _accrued_or_zero(coupon, settle_days, basis)
    if cf.sum() <= 0:
        raise MbsxlInputError("cash_flows sum to zero or less; no yield exists")

    def f(y):
        return float(cf @ _discount(y, m, t)) - target

    lo, hi = -0.05, 1.0                  # yields are searched in (-100%, 100%], the range _yield accepts
    with np.errstate(over="ignore"):
        while f(lo) < 0 and lo > -0.99:
            lo = max(2 * lo, -0.99)
    if not (f(lo) >= 0 >= f(hi)):
        raise v.MbsxlInputError(f"price={p:g}: no yield between {lo:g} and {hi:g} (-99% to 100%) reprices the "
                                "cash flows; check the price (per 100 of current face) and balance")
    return float(brentq(f, lo, hi, xtol=1e-14, rtol=1e-13, maxiter=500))


# --------------------------------------------------------------------------------------------
# average life, duration, convexity
# --------------------------------------------------------------------------------------------
def wal(principal, delay_days=0, settle_days=0, basis="30/360", *, periods_per_year=12, start_date=None,
        payment_day=None) -> float:
    """Average life in years (WAL, 加权平均期限): ``sum T_k PR_k / sum PR_k`` (SF-49 c).

    ``principal`` is the principal received each period (periods 1, 2, ...); ``T_k`` measures from
    settlement to the actual receipt, delay included (:func:`payment_times`).  With no delay and
    no settlement offset this is the familiar ``sum k PR_k / (12 sum PR_k)`` for monthly flows.

    >>> wal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100])
    1.0
    """
    pr = _flows("principal", principal)
    if (pr < 0).any():
        i = int(np.argmax(pr < 0))
        raise v.MbsxlInputError(f"principal[{i}]={v._fmt(float(pr[i]))} is negative; pass the principal received "
                                "each period (>= 0)")
    total = pr.sum()
    if total == 0:
        raise MbsxlInputError("principal sums to zero; the average life is undefined")
    t = payment_times(pr.size, delay_days, settle_days, basis, periods_per_year, start_date, payment_day)
    return float(t @ pr / total)


def _yield_or_price(cash_flows, yield_arg, price_arg, kw):
    if (yield_arg is None) == (price_arg is None):
        raise MbsxlInputError("pass exactly one of yield_ and price")
    if yield_arg is None:
        return yield_(cash_flows, price_arg, **kw)
    return yield_arg



def _at_yield(cash_flows, yield_, price, what, delay_days, settle_days, basis, balance, coupon, compounding,
              periods_per_year, start_date, payment_day):
    """Flows, times, the yield (solved from ``price`` when no yield is given), compounding, discount
    factors and full price: what duration and convexity share."""
    kw = dict(delay_days=delay_days, settle_days=settle_days, basis=basis, balance=balance, coupon=coupon,
              compounding=compounding, periods_per_year=periods_per_year, start_date=start_date,
              payment_day=payment_day)
    y = _yield_or_price(cash_flows, yield_, price, kw)
    cf, t = _setup(cash_flows, delay_days, settle_days, basis, balance, periods_per_year, start_date, payment_day)
    m = _opt.compounding(compounding)
    y = _yield("yield_", y, m)
    d = _discount(y, m, t)
    full = float(cf @ d)
    if full <= 0:
        raise MbsxlInputError(f"the cash flows are worth zero or less; {what} is undefined")
    return cf, t, y, m, d, full


def duration(cash_flows, yield_=None, delay_days=0, settle_days=0, basis="30/360", *, price=None, modified=False,
             balance=100.0, coupon=None, compounding=2, periods_per_year=12, start_date=None,
             payment_day=None) -> float:
    """Macaulay duration in years (SF-49 d), or modified duration with ``modified=True`` (SF-49 e).

    ``D = sum T_k CF_k (1 + y/m) ** (-m T_k) / P`` with P the full price (present value of all
    flows); modified duration ``D / (1 + y/m)``.  Give ``yield_`` or ``price`` (then the yield is
    solved first).  Arguments as :func:`price`; SF uses the bond-equivalent yield (m = 2).

    >>> round(duration([0, 0, 100], 0.12, compounding=12, periods_per_year=12) * 12, 6)
    3.0
    """
    cf, t, y, m, d, full = _at_yield(cash_flows, yield_, price, "duration", delay_days, settle_days, basis,
                                     balance, coupon, compounding, periods_per_year, start_date, payment_day)
    mac = float((t * cf) @ d) / full
    return mac / (1.0 + y / m) if modified else mac


def convexity(cash_flows, yield_=None, delay_days=0, settle_days=0, basis="30/360", *, price=None,
              balance=100.0, coupon=None, compounding=2, periods_per_year=12, start_date=None,
              payment_day=None) -> float:
    """Cash-flow convexity in years squared (SF-49 f): the second derivative of price in yield over price.

    ``C = sum T_k (T_k + 1/m) CF_k (1 + y/m) ** (-m T_k) / ((1 + y/m) ** 2 P)``, yield as a decimal,
    so ``P(y + dy) ~ P [1 - ModDur dy + C dy**2 / 2]`` (SF-49 g).  SF quotes 54.4326 "years², or
    0.544326": divide by 100 for the second form.  Give ``yield_`` or ``price``.

    >>> round(convexity([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100], 0.1, compounding=1), 6)   # 1 * 2 / 1.1**2
    1.652893
    """
    cf, t, y, m, d, full = _at_yield(cash_flows, yield_, price, "convexity", delay_days, settle_days, basis,
                                     balance, coupon, compounding, periods_per_year, start_date, payment_day)
    return float((t * (t + 1.0 / m) * cf) @ d) / ((1.0 + y / m) ** 2 * full)


def convert_yield(y, from_compounding=2, to_compounding=12) -> float:
    """The same yield on another compounding basis: ``m2 [(1 + y/m1) ** (m1/m2) - 1]``.

    >>> round(100 * convert_yield(0.0910675, 2, 12), 5)        # SF-50: mortgage yield
    8.93863
    """
    m1, m2 = _opt.compounding(from_compounding, "from_compounding"), _opt.compounding(to_compounding, "to_compounding")
    y = _yield("y", y, m1)
    return m2 * ((1.0 + y / m1) ** (m1 / m2) - 1.0)
