"""A non-performing pool through the deal table (issue 20 on issue 19's ledger engine): the pool table,
the haircut x delay grid and the breakeven haircut of a class.

:func:`npl_pool` turns the monthly recoveries of :func:`mbsxl.recoveries` into the pool table the deal
functions read (:mod:`mbsxl.deal.ledger`): collections (the gross proceeds) in ``Total Principal``, no
interest, loss or default, the claim as the pool's first ``Beginning Balance``, and two NPL columns
the fee bases of the deal table read: ``处置费用 Disposal costs`` (fee base ``disposal_costs``) and
``预期回收 Expected recoveries`` (fee base ``excess_collections``: the expected path, by default the
base case's own collections).  The deal engine's periods are months (interest due = coupon / 12 x the
balance), so the recoveries must be monthly.

The NPL priority of payments is written in the deal table with the NPL fee bases and ``pay_share``
(see :mod:`mbsxl.deal.dealtable`), e.g. for one ledger ``cash`` receiving ``both``::

    normal cash 1 pay_fee   处置费用            (fee: rate 1, base disposal_costs)
    normal cash 2 pay_fee   基础服务费          (fee: rate 0.02, base collections)
    normal cash 3 pay_interest A
    normal cash 4 pay_principal A
    normal cash 5 pay_principal Sub
    normal cash 6 pay_interest Sub              (固定资金成本: Sub's coupon, carried)
    normal cash 7 pay_fee   超额奖励服务费      (fee: rate 0.2, base excess_collections)
    normal cash 8 pay_share 超额分成  limit 0.3 (fee: rate 0, base share)
    normal cash 9 pay_residual Sub

:func:`npl_grid` runs a deal over recovery haircut x delay stresses (one ledger run, all scenarios at
once); :func:`npl_breakeven` finds the largest haircut (applied to every loan) at which a class is
still repaid in full with all its interest.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mbsxl import _validate as v
from mbsxl import columns as C
from mbsxl.deal import dealtable as dt
from mbsxl.deal import ledger as lg
from mbsxl.pool import recovery as R
from mbsxl.errors import MbsxlInputError


def _column(name: str, x, label: str) -> np.ndarray:
    if isinstance(x, pd.DataFrame):
        if label not in x.columns:
            raise MbsxlInputError(f"{name} has no column {label!r}; pass the table of MBS_RECOVERIES (monthly)")
        return v.array(name, x[label].to_numpy(dtype=float), lo=0.0)
    return v.array(name, x, lo=0.0)


def npl_pool(recoveries, expected=None, claim=None) -> pd.DataFrame:
    """The pool table of a non-performing pool for the deal functions (module docstring).

    ``recoveries``: the monthly table of :func:`mbsxl.recoveries`.  ``expected``: the expected collections
    by month (a table of :func:`mbsxl.recoveries`, its gross proceeds, or a column); default the
    recoveries' own gross proceeds.  ``claim``: the pool's claim at cut-off; default from the table
    (cumulative recoveries / cumulative recovery rate).  Both series are padded with zeros to the longer.

    >>> rec = pd.DataFrame({C.NPL_GROSS: [10.0, 20.0], C.NPL_COSTS: [1.0, 0.0], C.NPL_CUM_GROSS: [10.0, 30.0],
    ...                     C.NPL_CUM_RATE: [0.1, 0.3]})
    >>> npl_pool(rec)[[C.TOTAL_PRINCIPAL, C.NPL_COSTS, C.BEGINNING_BALANCE]].values.tolist()
    [[10.0, 1.0, 100.0], [20.0, 0.0, 90.0]]
    """
    if not isinstance(recoveries, pd.DataFrame):
        raise MbsxlInputError("recoveries is not a table; pass the table of MBS_RECOVERIES (monthly, header row)")
    gross = _column("recoveries", recoveries, C.NPL_GROSS)
    costs = _column("recoveries", recoveries, C.NPL_COSTS)
    exp = gross if expected is None else _column("expected", expected, C.NPL_GROSS)
    if claim is None:
        if C.NPL_CUM_GROSS not in recoveries.columns or C.NPL_CUM_RATE not in recoveries.columns:
            raise MbsxlInputError("claim is empty and recoveries has no cumulative columns; pass the claim at cut-off")
        cg, cr = float(recoveries[C.NPL_CUM_GROSS].iloc[-1]), float(recoveries[C.NPL_CUM_RATE].iloc[-1])
        if not cr > 0:
            raise MbsxlInputError("claim is empty and the recoveries are 0; pass the claim at cut-off")
        claim = cg / cr
    total = v.number("claim", claim, lo=0.0, lo_open=True, accepted="pass the claim at cut-off (> 0)")
    T = max(gross.size, exp.size)
    if T == 0:
        raise MbsxlInputError("recoveries has no periods")
    pad = lambda a: np.concatenate([a, np.zeros(T - a.size)])     # noqa: E731
    gross, costs, exp = pad(gross), pad(costs), pad(exp)
    beg = np.maximum(total - np.concatenate([[0.0], np.cumsum(gross)[:-1]]), 0.0)
    z = np.zeros(T)
    return pd.DataFrame({C.PERIOD: np.arange(1, T + 1), C.BEGINNING_BALANCE: beg, C.TOTAL_PRINCIPAL: gross,
                         C.NET_INTEREST: z, C.LOSS: z, C.DEFAULT: z, C.NPL_COSTS: costs, C.NPL_EXPECTED: exp})


def npl_flows(recoveries, deal, view="classes", expected=None, claim=None) -> pd.DataFrame:
    """The deal table run over a non-performing pool: :func:`mbsxl.deal_flows` of :func:`npl_pool`
    (``view``: classes, ledgers or events; the other arguments as :func:`npl_pool`)."""
    from mbsxl.deal.dealviews import deal_flows
    return deal_flows(npl_pool(recoveries, expected, claim), deal, view)


def npl_deal_stats(recoveries, deal, price=None, expected=None, claim=None, compounding=2) -> pd.DataFrame:
    """Per class of the deal table over a non-performing pool: :func:`mbsxl.deal_stats` of :func:`npl_pool`
    (WAL in years, principal window, interest, principal, loss -- what a class is still owed at the end,
    with writedown none -- and the yield at ``price`` per 100, ``compounding`` a year)."""
    from mbsxl.deal.dealviews import deal_stats
    return deal_stats(npl_pool(recoveries, expected, claim), deal, price, compounding)


def _pools(tape, haircuts, delays, amount_stress, cost_stress, stage_table, window, expected):
    """One pool table per (haircut, delay), all of one length (padded with zeros)."""
    t = R.read_tape(tape)
    table = R.stage_table(stage_table)
    T0 = R.stage_months(t.stage, table, t.loan)
    months = np.maximum(T0 - t.months_in_stage, 1.0)
    a, _, c, w = R._stresses(amount_stress, 0, cost_stress, window)
    claim = float(t.claim.sum())
    out = []
    for h in haircuts:
        sale = t.collateral * (1.0 - (t.haircut if h is None else h))
        for d in delays:
            net, paid, gross, month, _ = R.project_arrays(t.claim, sale, t.costs, months, amount_stress=a, delay=d,
                                                          cost_stress=c)
            g, k = R.by_month(month, [gross, paid], w)
            out.append((g, k))
    T = max(max(g.size for g, _ in out), 0 if expected is None else len(expected))
    pools = []
    for g, k in out:
        pad = lambda x: np.concatenate([x, np.zeros(T - x.size)])     # noqa: E731
        e = np.zeros(T) if expected is None else pad(np.asarray(expected, dtype=float))
        gg = pad(g)
        beg = np.maximum(claim - np.concatenate([[0.0], np.cumsum(gg)[:-1]]), 0.0)
        pools.append(pd.DataFrame({C.BEGINNING_BALANCE: beg, C.TOTAL_PRINCIPAL: gg, C.NET_INTEREST: np.zeros(T),
                                   C.LOSS: np.zeros(T), C.DEFAULT: np.zeros(T), C.NPL_COSTS: pad(k),
                                   C.NPL_EXPECTED: e}))
    return pools, claim


def _class_index(d, class_) -> int:
    names = [c.name for c in d.classes]
    key = str(class_).strip().lower()
    for k, nm in enumerate(names):
        if nm.lower() == key:
            return k
    raise MbsxlInputError(f"class_={class_!r} is not a class of the deal table; accepted: {', '.join(names)}")


def _shortfall(r: lg.Run, k: int) -> np.ndarray:
    """Per scenario: what class k is not paid -- balance left or written off, plus unpaid interest."""
    x = r.classes[:, :, k, :]
    left = x[:, :, lg.LOSS].sum(axis=1) + x[:, -1, lg.END] + x[:, -1, lg.SHORT]
    return left


def _expected(tape, stage_table, window):
    """The base case's monthly gross proceeds: the expected path of the excess incentive fee."""
    return R.recoveries(tape, None, stage_table, window)[C.NPL_GROSS].to_numpy()


def npl_grid(tape, deal, class_, haircuts, delays, amount_stress=0.0, cost_stress=0.0, stage_table=None,
             window=1) -> pd.DataFrame:
    """The deal over a grid of recovery haircuts (applied to every loan, replacing the tape's) x delays
    (months): per scenario the class's WAL (years), principal and interest received, and what it is not
    paid (balance written off or left, plus unpaid interest).  The expected path of the excess fee is
    the base case (the tape's own haircuts, no stress).  Columns :data:`mbsxl.columns.NPL_GRID_COLUMNS`."""
    d = dt.parse_deal(deal)
    k = _class_index(d, class_)
    hs = [v.number("haircuts", h, lo=0.0, hi=1.0, accepted="fractions in [0, 1]") for h in np.atleast_1d(haircuts)]
    ds = [v.whole("delays", x, lo=0, hi=v.MAX_MONTHS, why=" months") for x in np.atleast_1d(delays)]
    if len(hs) * len(ds) > 10_000:
        raise MbsxlInputError(f"{len(hs)} haircuts x {len(ds)} delays is above the cap of 10,000 scenarios")
    pools, _ = _pools(tape, hs, ds, amount_stress, cost_stress, stage_table, window,
                      _expected(tape, stage_table, window))
    r = lg.run(d, pools)
    x = r.classes[:, :, k, :]
    months = np.arange(1, x.shape[1] + 1)
    prin = x[:, :, lg.PRIN]
    tot = prin.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        wal = np.where(tot > 0, prin @ months / np.where(tot > 0, tot, 1.0) / 12.0, np.nan)
    hh = np.repeat(hs, len(ds))
    dd = np.tile(ds, len(hs))
    return pd.DataFrame({C.NPL_HAIRCUT: hh, C.NPL_DELAY: dd, C.WAL: wal, C.PRINCIPAL: tot,
                         C.INTEREST_PAID: (x[:, :, lg.PAID] - x[:, :, lg.RESID]).sum(axis=1),
                         C.NPL_UNPAID: _shortfall(r, k)}, columns=C.NPL_GRID_COLUMNS)


def npl_breakeven(tape, deal, class_, delay=0, amount_stress=0.0, cost_stress=0.0, stage_table=None, window=1,
                  tolerance=1e-4) -> float:
    """The largest recovery haircut (every loan) at which ``class_`` is still paid in full -- principal and
    all interest, nothing written off or left -- to ``tolerance`` (bisection on [0, 1]; each step one
    ledger run of 9 haircuts).  1.0 when the class is paid even with nothing recovered from collateral
    (never for a class with a balance); 0.0 when it is short even with no haircut (then it is short in the
    base case itself)."""
    d = dt.parse_deal(deal)
    k = _class_index(d, class_)
    tol = v.number("tolerance", tolerance, lo=1e-9, hi=0.1)
    dl = v.whole("delay", delay, lo=0, hi=v.MAX_MONTHS, why=" months")
    exp = _expected(tape, stage_table, window)
    owed_tol = 1e-6 * max(d.classes[k].balance, 1.0)

    def ok(hs):
        pools, _ = _pools(tape, hs, [dl], amount_stress, cost_stress, stage_table, window, exp)
        return _shortfall(lg.run(d, pools), k) <= owed_tol

    lo, hi = 0.0, 1.0
    first = ok([lo, hi])
    if not first[0]:
        return 0.0
    if first[1]:
        return 1.0
    while hi - lo > tol:
        grid = np.linspace(lo, hi, 10)[1:-1]
        res = ok(list(grid))
        good = grid[res]
        bad = grid[~res]
        lo = float(good.max()) if good.size else lo
        hi = float(bad[bad > lo].min()) if (bad > lo).any() else hi
    return lo


def example_deal(expected_collections: float) -> list:
    """An ILLUSTRATIVE NPL deal table (rows, Chinese and English labels) sized on the expected collections
    ``E`` (e.g. the base case's gross proceeds): senior A = 65 % of E rounded down to 10,000 yuan, coupon
    3 % a year; subordinate = 15 % of E, fixed return (固定资金成本) 5 % a year, carried; disposal costs
    first; base servicing fee 2 % of collections; excess incentive fee 20 % of the excess over the expected
    path; the excess after the subordinate class shared 30 % to the servicer.  Every figure is the mbsxl
    authors' illustration, not a deal's terms."""
    e = v.number("expected_collections", expected_collections, lo=0.0, lo_open=True)
    a = float(np.floor(0.65 * e / 1e4) * 1e4)
    sub = float(np.floor(0.15 * e / 1e4) * 1e4)
    return [["分档 Classes", "金额 balance", "利率 coupon", "累计 carry"],
            ["优先A Senior A", a, 0.03, "yes"], ["次级 Sub", sub, 0.05, "yes"], [None],
            ["费用税收 Fees", "费率 rate", "基数 base"],
            ["处置费用 Disposal costs", 1.0, "disposal_costs"], ["基础服务费 Base fee", 0.02, "collections"],
            ["超额奖励服务费 Incentive fee", 0.2, "excess_collections"], ["超额分成 Servicer share", 0.0, "share"],
            [None], ["账户 Ledgers", "收入来源 receives"], ["回收款 Collections", "both"], [None],
            ["偿付顺序 Priority", "账户 ledger", "步骤 step", "动作 action", "对象 target", "上限 limit"],
            ["正常 normal", "回收款 Collections", 1, "pay_fee", "处置费用 Disposal costs", None],
            ["正常 normal", "回收款 Collections", 2, "pay_fee", "基础服务费 Base fee", None],
            ["正常 normal", "回收款 Collections", 3, "pay_interest", "优先A Senior A", None],
            ["正常 normal", "回收款 Collections", 4, "pay_principal", "优先A Senior A", None],
            ["正常 normal", "回收款 Collections", 5, "pay_principal", "次级 Sub", None],
            ["正常 normal", "回收款 Collections", 6, "pay_interest", "次级 Sub", None],
            ["正常 normal", "回收款 Collections", 7, "pay_fee", "超额奖励服务费 Incentive fee", None],
            ["正常 normal", "回收款 Collections", 8, "pay_share", "超额分成 Servicer share", 0.3],
            ["正常 normal", "回收款 Collections", 9, "pay_residual", "次级 Sub", None],
            [None], ["参数 Settings", "数值 value"], ["writedown", "none"]]
