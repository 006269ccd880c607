"""Template ``workbooks/prepayment_regression.xlsx``: prepayment regressions with MBS_REGRESS and MBS_PREDICT.

Sheets
------
1. **CPR regression** - the 24 published monthly CPRs of Jianyuan 2007-1 (seed 002, Jan 2008 - Dec 2009)
   against explanatory series that are public facts, each computed by a formula:
   the PBoC mortgage benchmark (lending over five years) in force on the first day of the month, found
   with LOOKUP in the rate table; its change over the previous 3 and 12 months; a Spring Festival month
   dummy (1 in the month of Chinese New Year: 2008-02-07, 2009-01-26); months from the cut-off date
   (2007-10-10) to the first day of the month.  ``MBS_REGRESS`` gives the regression table (the standard
   error type is an input cell), ``MBS_PREDICT`` the fitted CPR with 95% intervals, and a line chart sets
   the fitted CPR against the published one.
2. **Macro factors (seed 000)** - seed 000's macro regression laid out: one column per factor (loan
   interest rate, exchange rate, GDP growth, 国房景气指数, industrial value added above scale, household
   disposable income, change in fiscal expenditure) plus the default and prepayment rates, monthly rows
   2008-01 to 2017-10, all EMPTY: no statistic is invented.  Two ``MBS_REGRESS`` formulas already point at
   the block; a cell counts the complete rows, and with no data the regressions show the error
   "0 complete rows".
3. **Rates & calendar** - the PBoC benchmark table (``mbsxl/data/pboc_benchmark_rates.csv``) and the
   Spring Festival dates.
4. **Notes** - sources and method.

``build(path)`` writes the workbook in two passes through :mod:`mbsxl.templates._book` so that every
formula cell stores its computed value.
"""
from __future__ import annotations

import datetime as _dt

from mbsxl.reference import jianyuan

from xlsxwriter.utility import xl_rowcol_to_cell

from mbsxl.stats import regression as R
from mbsxl.stats.regression import COEF_COLUMNS, OLS_STATS, PREDICT_COLUMNS
from mbsxl.templates._book import build_with_values, label, viewers_note, write_typed


FILENAME = "prepayment_regression.xlsx"

S1 = "CPR regression"
S2 = "Macro factors (seed 000)"
S3 = "Rates & calendar"
S4 = "Notes"

# Spring Festival (Chinese New Year's Day), public calendar facts
SPRING_FESTIVAL = [_dt.date(2008, 2, 7), _dt.date(2009, 1, 26), _dt.date(2010, 2, 14), _dt.date(2011, 2, 3),
                   _dt.date(2012, 1, 23), _dt.date(2013, 2, 10), _dt.date(2014, 1, 31), _dt.date(2015, 2, 19),
                   _dt.date(2016, 2, 8), _dt.date(2017, 1, 28)]

# the status line above each macro-factor fit while the sheet is empty; the fit itself is "" until then (a
# scalar error or text in a dynamic-array range is repeated over the whole range by LibreOffice)
PASTE_HERE = "Paste data here (columns B:J, one row a month)"

MACRO_FACTORS = [
    label("贷款利率", "Loan interest rate"),
    label("汇率", "Exchange rate (CNY per USD)"),
    label("GDP增长率", "GDP growth"),
    label("国房景气指数", "National housing climate index"),
    label("规模以上工业增加值", "Industrial value added above scale"),
    label("居民可支配收入", "Household disposable income"),
    label("财政支出变动", "Change in fiscal expenditure"),
]
DEFAULT_RATE = label("违约率", "Default rate")
PREPAY_RATE = label("提前还款率", "Prepayment rate")

# sheet 1 geometry (0-based rows for the loop, A1 references for formulas)
_HDR = 6                       # header row (1-based)
_FIRST = _HDR + 1              # first data row
_N = len(jianyuan.CPR)         # 24 months
_LAST = _FIRST + _N - 1        # 30
_N_COEF = 1 + 4                # constant + rate, change 3m, spring, months since cut-off
_TABLE_ROWS = 1 + _N_COEF + 2 + len(OLS_STATS)
_REG_ROW = _LAST + 4           # regression table anchor row (1-based)

# sheet 2 geometry
_M_HDR = 6
_M_FIRST = _M_HDR + 1
_M_MONTHS = [(y, m) for y in range(2008, 2018) for m in range(1, 13) if (y, m) <= (2017, 10)]
_M_LAST = _M_FIRST + len(_M_MONTHS) - 1
_M_TABLE_ROWS = 1 + 1 + len(MACRO_FACTORS) + 2 + len(OLS_STATS)

# sheet 3 geometry
_R_HDR = 5


def _rates_rows():
    from mbsxl.rates.floating import pboc_table
    df = pboc_table()
    return [(r.effective_date.date(), float(r.deposit_1y), float(r.lending_1y), float(r.lending_over_5y))
            for r in df.itertuples()]


# number formats of the model statistics (column "Value" of the MBS_REGRESS table)
_STAT_FMT = {R.OBS_USED: "0", R.ROWS_DROPPED: "0", R.DF_RESID: "0", R.DF_MODEL: "0", R.R2: "0.0000",
             R.ADJ_R2: "0.0000", R.F_STAT: "0.00", R.F_PVALUE: "0.0000", R.DURBIN_WATSON: "0.00",
             R.LOG_LIKELIHOOD: "0.00", R.AIC: "0.00", R.BIC: "0.00", R.RESID_SE: "0.0000",
             R.CONDITION_NUMBER: "#,##0", R.COVARIANCE: "general"}
_COEF_FMT = ["general", "0.0000", "0.0000", "0.00", "0.0000", "0.0000", "0.0000", "0.00"]


def _table_rows(n_coef: int) -> int:
    """Rows of an MBS_REGRESS spill: header, coefficients, blank, Statistic | Value, statistics."""
    return 1 + n_coef + 2 + len(OLS_STATS)


def _restyle_regression(book, ws, row0: int, col0: int, n_coef: int) -> None:
    """Formats per row of an MBS_REGRESS spill (anchor at 0-based ``row0, col0``), written over the cached
    values: coefficient rows by column, the blank row and the unused cells of the statistics block empty,
    each statistic in its own format.  Cell contents are the computed values; only the styles differ."""
    def stored(r, c):
        if book.values is None:
            return None
        return book.values.get(f"{ws.name.upper()}!{xl_rowcol_to_cell(r, c)}")

    def put(r, c, v, kind, style="formula"):
        write_typed(ws, r, c, v, book.fmt(kind, style))

    ncol = len(COEF_COLUMNS)
    anchor = stored(row0, col0)
    if isinstance(anchor, str) and (anchor.startswith("#") or anchor == ""):
        # an error result does not spill in Excel 365: the anchor shows it, the rest of the range is empty
        for i in range(_table_rows(n_coef)):
            for j in range(ncol):
                if i or j:
                    put(row0 + i, col0 + j, None, "general")
        return
    for i in range(1, 1 + n_coef):                   # coefficient rows
        r = row0 + i
        for j in range(1, ncol):
            v = stored(r, col0 + j)
            if j == ncol - 1 and i == 1:             # the constant has no VIF
                v = None
            put(r, col0 + j, v, _COEF_FMT[j])
    r_blank = row0 + 1 + n_coef
    for j in range(ncol):
        put(r_blank, col0 + j, None, "general")
    for j in range(ncol):
        put(r_blank + 1, col0 + j, stored(r_blank + 1, col0 + j) if j < 2 else None, "general", "subtitle")
    for k, name in enumerate(OLS_STATS):
        r = r_blank + 2 + k
        put(r, col0 + 1, stored(r, col0 + 1), _STAT_FMT[name])
        for j in range(2, ncol):
            put(r, col0 + j, None, "general")


def _col(c: int) -> str:
    from xlsxwriter.utility import xl_col_to_name
    return xl_col_to_name(c)


def _write(book) -> None:
    rates = _rates_rows()
    r_first = _R_HDR + 1
    r_last = r_first + len(rates) - 1
    rate_dates = f"'{S3}'!$A${r_first}:$A${r_last}"
    rate_5y = f"'{S3}'!$D${r_first}:$D${r_last}"
    sf_first = _R_HDR + 1
    sf_last = sf_first + len(SPRING_FESTIVAL) - 1
    sf_months = f"'{S3}'!$H${sf_first}:$H${sf_last}"

    # ---------------------------------------------------------------- sheet 1: CPR regression
    ws = book.sheet(S1)
    book.text(ws, "A1", label("建元2007-1 提前还款回归", "Jianyuan 2007-1 prepayment regression"), "title")
    book.note(ws, "A2", "Published monthly CPR (seed 002) on public series: the PBoC mortgage benchmark in force on "
                        "the 1st of the month, its 3-month change, a Spring Festival month dummy, months since the "
                        "cut-off date. Blue cells are inputs; see Notes.")
    book.text(ws, "A3", label("标准误类型", "Standard errors"), "label")
    book.input(ws, "B3", "nonrobust", "text")
    book.note(ws, "C3", "nonrobust | HC1 (heteroskedasticity-robust) | HAC (Newey-West, autocorrelation-robust)")
    book.text(ws, "A4", label("信托财产起算日", "Cut-off date"), "label")
    book.input(ws, "B4", jianyuan.CUTOFF_DATE, "date")

    heads = [label("月份", "Month"), label("提前还款率", "CPR"), label("基准利率", "Benchmark rate"),
             label("3个月利率变动", "Rate change 3m"), label("春节月", "Spring Festival"),
             label("距起算日月数", "Months since cut-off"), label("12个月利率变动", "Rate change 12m")]
    book.header(ws, f"A{_HDR}", heads)
    months = [_dt.date(int(m[:4]), int(m[5:]), 1) for m in jianyuan.MONTHS]
    for i, (d, cpr) in enumerate(zip(months, jianyuan.CPR)):
        r = _FIRST + i
        book.input(ws, f"A{r}", d, "month")
        book.input(ws, f"B{r}", cpr, "pct")
        book.formula(ws, f"C{r}", f"=LOOKUP(A{r},{rate_dates},{rate_5y})", "pct")
        book.formula(ws, f"D{r}", f"=C{r}-LOOKUP(DATE(YEAR(A{r}),MONTH(A{r})-3,1),{rate_dates},{rate_5y})", "pct")
        book.formula(ws, f"E{r}", f"=IF(COUNTIF({sf_months},A{r})>0,1,0)", "int")
        book.formula(ws, f"F{r}", f"=(YEAR(A{r})-YEAR($B$4))*12+MONTH(A{r})-MONTH($B$4)", "int")
        book.formula(ws, f"G{r}", f"=C{r}-LOOKUP(DATE(YEAR(A{r})-1,MONTH(A{r}),1),{rate_dates},{rate_5y})", "pct")

    # fitted CPR with intervals: MBS_PREDICT at the sample's own rows
    p0 = 8                                              # column I
    p_last = p0 + len(PREDICT_COLUMNS) - 1              # column N
    y_rng = f"B{_FIRST}:B{_LAST}"
    x_rng = f"C{_FIRST}:F{_LAST}"
    book.array(ws, f"{_col(p0)}{_HDR}", f"{_col(p_last)}{_LAST}",
               f"=MBS_PREDICT({y_rng},{x_rng},{x_rng},TRUE,0.95)", col_fmts=["pct"] * len(PREDICT_COLUMNS),
               header_row=True)
    resid_col = _col(p_last + 1)
    book.header(ws, f"{resid_col}{_HDR}", [label("残差", "Residual")])
    for i in range(_N):
        r = _FIRST + i
        book.formula(ws, f"{resid_col}{r}", f"=B{r}-{_col(p0)}{r}", "pct")
    book.note(ws, f"I{_HDR - 2}", "MBS_PREDICT: fitted CPR, 95% intervals of the mean and of one month")

    # regression table
    book.text(ws, f"A{_REG_ROW - 1}", label("回归结果", "Regression of CPR (MBS_REGRESS)"), "subtitle")
    last_col = _col(len(COEF_COLUMNS) - 1)
    book.array(ws, f"A{_REG_ROW}", f"{last_col}{_REG_ROW + _TABLE_ROWS - 1}",
               f"=MBS_REGRESS(B{_HDR}:B{_LAST},C{_HDR}:F{_LAST},TRUE,TRUE,$B$3)", col_fmts=_COEF_FMT,
               header_row=True)
    _restyle_regression(book, ws, _REG_ROW - 1, 0, _N_COEF)
    book.note(ws, f"A{_REG_ROW + _TABLE_ROWS + 1}",
              "x = columns C:F with their header row (names from row 6). Type HC1 or HAC in B3 for robust standard "
              "errors; to add the 12-month change, extend x to C:G.")

    # chart: published vs fitted CPR
    ch = book.chart({"type": "line"})
    cats = f"='{S1}'!$A${_FIRST}:$A${_LAST}"
    ch.add_series({"name": label("公布", "Published CPR"), "categories": cats,
                   "values": f"='{S1}'!$B${_FIRST}:$B${_LAST}", "line": {"color": "#1F4E9E", "width": 2.0},
                   "marker": {"type": "circle", "size": 4, "fill": {"color": "#1F4E9E"},
                              "border": {"color": "#1F4E9E"}}})
    ch.add_series({"name": label("拟合", "Fitted CPR"), "categories": cats,
                   "values": f"='{S1}'!${_col(p0)}${_FIRST}:${_col(p0)}${_LAST}",
                   "line": {"color": "#C00000", "width": 2.0}})
    for j, nm in ((p0 + 4, label("预测区间下限", "95% prediction low")),
                  (p0 + 5, label("预测区间上限", "95% prediction high"))):
        ch.add_series({"name": nm, "categories": cats,
                       "values": f"='{S1}'!${_col(j)}${_FIRST}:${_col(j)}${_LAST}",
                       "line": {"color": "#C00000", "width": 0.75, "dash_type": "dash"}})
    ch.set_title({"name": label("月度CPR: 公布与拟合", "Monthly CPR: published and fitted"),
                  "name_font": {"size": 11, "bold": True}})
    ch.set_x_axis({"num_format": "yyyy-mm", "num_font": {"rotation": -45, "size": 8}, "interval_unit": 2})
    ch.set_y_axis({"num_format": "0%", "name": "CPR", "major_gridlines": {"visible": True,
                                                                         "line": {"color": "#E0E0E0"}}})
    ch.set_legend({"position": "bottom", "font": {"size": 8}})
    ch.set_size({"width": 560, "height": 400})
    ws.insert_chart(f"J{_REG_ROW - 1}", ch, {"x_offset": 10})

    book.widths(ws, {"A": 27, "B": 12, "C:G": 12, "H": 10, "I:O": 11})
    ws.set_row(_HDR - 1, 42)
    book.freeze(ws, _HDR, 1)
    book.print_setup(ws, landscape=True, fit_width=True, fit_height=1,
                     area=f"A1:O{_REG_ROW + _TABLE_ROWS + 1}")

    # ---------------------------------------------------------------- sheet 2: macro factors
    ws = book.sheet(S2)
    book.text(ws, "A1", label("宏观因素回归", "Macro-factor regression of default and prepayment rates (seed 000)"),
              "title")
    book.note(ws, "A2", "Seed 000 regresses Jianyuan 2007-1's monthly default and prepayment rates (Jan 2008 - Oct 2017) "
                        "on these macro factors. The cells are empty on purpose: paste official statistics (sources "
                        "on the Notes sheet).")
    book.note(ws, "A3", "Rows with an empty cell are dropped and counted; each regression stays empty (the red line above "
                        "it says why) until there are more complete rows than coefficients (9), then fits every complete row.")
    book.text(ws, "H4", label("完整行数", "Complete rows"), "label", align="right", bold=True)
    last_data_col = _col(1 + len(MACRO_FACTORS) + 1)            # J: prepayment rate
    isnum = "*".join(f"ISNUMBER({_col(c)}{_M_FIRST}:{_col(c)}{_M_LAST})"
                     for c in list(range(1, 1 + len(MACRO_FACTORS))) + [1 + len(MACRO_FACTORS) + 1])
    book.formula(ws, "J4", f"=SUMPRODUCT({isnum})", "count")
    isnum_d = "*".join(f"ISNUMBER({_col(c)}{_M_FIRST}:{_col(c)}{_M_LAST})"
                       for c in list(range(1, 1 + len(MACRO_FACTORS))) + [1 + len(MACRO_FACTORS)])
    book.formula(ws, "I4", f"=SUMPRODUCT({isnum_d})", "count")
    # enough complete rows to fit (more than the coefficients): the regressions wait for data until then
    book.text(ws, "H5", label("可拟合", "Enough to fit"), "label", align="right", bold=True)
    book.formula(ws, "I5", f"=I4>{len(MACRO_FACTORS) + 1}", "bool")
    book.formula(ws, "J5", f"=J4>{len(MACRO_FACTORS) + 1}", "bool")
    book.header(ws, f"A{_M_HDR}", [label("月份", "Month")] + MACRO_FACTORS + [DEFAULT_RATE, PREPAY_RATE])
    blank_row = [None] * (len(MACRO_FACTORS) + 2)
    for i, (y, m) in enumerate(_M_MONTHS):
        r = _M_FIRST + i
        book.input(ws, f"A{r}", _dt.date(y, m, 1), "month")
        book.inputs(ws, f"B{r}", [blank_row], fmts=["general"] * len(blank_row))
    x_m = f"B{_M_HDR}:{_col(len(MACRO_FACTORS))}{_M_LAST}"
    tcol = 1 + len(MACRO_FACTORS) + 3                           # column L (K is a gap)
    t_last = _col(tcol + len(COEF_COLUMNS) - 1)
    fmts = _COEF_FMT
    k_m = len(MACRO_FACTORS) + 1
    book.text(ws, f"{_col(tcol)}{_M_HDR - 2}", label("提前还款率回归", "Prepayment rate on the macro factors"),
              "subtitle")
    book.formula(ws, f"{_col(tcol)}{_M_HDR - 1}",
                 f'=IF(J4>{k_m},"Fitted on "&J4&" complete rows (rows with an empty cell dropped)",'
                 f'"{PASTE_HERE}: "&J4&" complete rows so far, the fit needs at least {k_m + 1}")', style="bad")
    book.array(ws, f"{_col(tcol)}{_M_HDR}", f"{t_last}{_M_HDR + _M_TABLE_ROWS - 1}",
               f'=IF(J5,MBS_REGRESS({last_data_col}{_M_HDR}:{last_data_col}{_M_LAST},{x_m},TRUE),"")',
               col_fmts=fmts,
               header_row=True)
    _restyle_regression(book, ws, _M_HDR - 1, tcol, 1 + len(MACRO_FACTORS))
    d_row = _M_HDR + _M_TABLE_ROWS + 4
    dcol = _col(1 + len(MACRO_FACTORS) + 1 - 1)                 # I: default rate
    book.text(ws, f"{_col(tcol)}{d_row - 2}", label("违约率回归", "Default rate on the macro factors"), "subtitle")
    book.formula(ws, f"{_col(tcol)}{d_row - 1}",
                 f'=IF(I4>{k_m},"Fitted on "&I4&" complete rows (rows with an empty cell dropped)",'
                 f'"{PASTE_HERE}: "&I4&" complete rows so far, the fit needs at least {k_m + 1}")', style="bad")
    book.array(ws, f"{_col(tcol)}{d_row}", f"{t_last}{d_row + _M_TABLE_ROWS - 1}",
               f'=IF(I5,MBS_REGRESS({dcol}{_M_HDR}:{dcol}{_M_LAST},{x_m},TRUE),"")',
               col_fmts=fmts, header_row=True)
    _restyle_regression(book, ws, d_row - 1, tcol, 1 + len(MACRO_FACTORS))
    book.widths(ws, {"A": 10, "B:J": 15, "K": 2, _col(tcol): 34, f"{_col(tcol + 1)}:{t_last}": 11})
    ws.set_row(_M_HDR - 1, 40)
    book.freeze(ws, _M_HDR, 1)
    book.print_setup(ws, landscape=True, fit_width=True, repeat_rows=(_M_HDR - 1, _M_HDR - 1))

    # ---------------------------------------------------------------- sheet 3: rates & calendar
    ws = book.sheet(S3)
    book.text(ws, "A1", label("人民银行基准利率与春节日期", "PBoC benchmark rates and Spring Festival dates"), "title")
    book.note(ws, "A2", "Each rate is in force from its effective date until the next row (PBoC announcements; "
                        "mbsxl/data/pboc_benchmark_rates.csv).")
    book.note(ws, "A3", "Sheet 1 looks up the rate in force on the first day of each month (LOOKUP on the dates).")
    book.header(ws, f"A{_R_HDR}", [label("生效日", "Effective date"), label("一年期存款", "Deposit 1y"),
                                   label("一年期贷款", "Lending 1y"), label("五年以上贷款", "Lending over 5y")])
    for i, row in enumerate(rates):
        book.input(ws, f"A{r_first + i}", row[0], "date")
        book.inputs(ws, f"B{r_first + i}", [row[1:]], fmts=["pct", "pct", "pct"])
    book.header(ws, f"G{_R_HDR}", [label("春节", "Spring Festival"), label("所在月", "Month")])
    for i, d in enumerate(SPRING_FESTIVAL):
        r = sf_first + i
        book.input(ws, f"G{r}", d, "date")
        book.formula(ws, f"H{r}", f"=DATE(YEAR(G{r}),MONTH(G{r}),1)", "month")
    book.widths(ws, {"A": 14, "B:D": 13, "E:F": 3, "G:H": 14})
    book.freeze(ws, _R_HDR)
    book.print_setup(ws, landscape=False)

    # ---------------------------------------------------------------- sheet 4: notes
    ws = book.sheet(S4)
    book.text(ws, "A1", label("说明", "Notes: sources and method"), "title")
    lines = [
        ("subtitle", label("数据来源", "Sources")),
        ("label", "CPR: the 24 monthly CPRs of Jianyuan 2007-1, Jan 2008 - Dec 2009, as published in seed 002 "
                  "(Feb 2008 derived there from the Jan and Mar reports)."),
        ("label", "Cut-off date 2007-10-10 (信托财产起算日): seed 001."),
        ("label", "Benchmark rates: PBoC announcements of benchmark deposit and lending rates (the 'lending over "
                  "five years' rate is the mortgage benchmark); table on the 'Rates & calendar' sheet."),
        ("label", "From 27 Oct 2008 banks could price first-home mortgages down to 70% of the benchmark; the sheet "
                  "uses the benchmark itself, the rate a borrower's floating rate is quoted on."),
        ("label", "Spring Festival dates: the Chinese calendar (New Year's Day 2008-02-07, 2009-01-26, ...)."),
        ("label", "Macro factors (sheet 2), where the official series are published: National Bureau of Statistics "
                  "(国家统计局: GDP growth, 国房景气指数, industrial value added above scale, household disposable "
                  "income); PBoC / CFETS (CNY central parity exchange rate, loan rates); Ministry of Finance "
                  "(fiscal expenditure); the trustee reports of Jianyuan 2007-1 (default and prepayment rates)."),
        ("label", "Nothing on sheet 2 is filled in: GDP and income are quarterly, so decide (and note) how a "
                  "quarter's figure is spread over its months before pasting."),
        ("subtitle", label("方法", "Method")),
        ("label", "MBS_REGRESS: ordinary least squares (statsmodels OLS). Rows with an empty cell in y or x are "
                  "dropped and counted, never filled. Standard errors: nonrobust, HC1 or HAC (Newey-West; default "
                  "lags floor(4 (n/100)^(2/9)), 2 for 24 months). t statistics with n - k degrees of freedom."),
        ("label", "VIF: 1/(1 - R²) of each column on the others; above 10 signals columns that move together."),
        ("label", "Durbin-Watson near 2: little first-order autocorrelation left in the residuals; well below 2: "
                  "use HAC standard errors."),
        ("label", "MBS_PREDICT: fitted values at given rows with the 95% interval of the mean and the 95% "
                  "prediction interval of one month; pass a scenario's rows as x_new to project a CPR path for "
                  "MBS_CASHFLOWS."),
        ("label", "24 months and 5 coefficients leave 19 degrees of freedom: read the table as a description of "
                  "2008-2009, not as a forecasting model."),
        ("subtitle", label("查看", "Viewing")),
        ("label", "The tables are dynamic arrays (Excel 365 spills them; `mbsxl calc` recalculates them headless). "
                  + viewers_note(FILENAME)),
    ]
    width = 88
    for i, (style, s) in enumerate(lines):
        if style == "subtitle":
            book.text(ws, f"A{3 + i}", s, style)
            continue
        chars = sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)          # CJK characters are double width
        ws.set_row(2 + i, 14 * max(1, -(-chars // int(width * 0.95))))
        book.text(ws, f"A{3 + i}", s, "label", text_wrap=True)
    book.widths(ws, {"A": width})
    book.print_setup(ws, landscape=False)


def build(path: str) -> dict:
    """Write the template to ``path`` (two passes: formulas, then formulas with their computed values)."""
    return build_with_values(path, _write)
