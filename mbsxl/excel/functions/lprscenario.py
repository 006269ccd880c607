"""Worksheet function for LPR rate scenarios: MBS_LPRSCENARIO.

Wrapper only: the conventions (last fixing, fixing dates on the 20th, linear or step) are in
:mod:`mbsxl.rates.lprscenario`.  The table spills with a header row: effective date, rate, source; its first
two columns are an index table for the index_dates / index_rates arguments.

    =MBS_LPRSCENARIO(-0.005, 24)                  LPR 5y history, then -50 bp reached over 24 months
    =MBS_LPRSCENARIO(0.005, 12, "lpr_1y", "step") LPR 1y history, then +50 bp at once, 12 fixings
"""
from __future__ import annotations

import mbsxl
from mbsxl.excel.registry import Arg, udf


@udf("MBS_LPRSCENARIO", "LPR scenario (利率情景): the LPR history then monthly fixings (the 20th) moved by a shift "
     "from the last fixing, linearly over the months or at once; a table of dates and rates for index_dates / "
     "index_rates",
     args=[Arg("shift", "Change from the last fixing, a decimal: -0.005 = -50 bp (|shift| < 0.2; -50 or -0.5 is "
               "refused as basis points or percent)", kind="number"),
           Arg("months", "Future monthly fixings listed, 1 to 600; a linear shift is complete at the last (default 24)",
               kind="int", optional=True, default=24, max=600, cap_note="months (50 years)"),
           Arg("index", "lpr_5y (default, 五年期以上LPR) or lpr_1y (一年期LPR)", kind="text", optional=True,
               default="lpr_5y"),
           Arg("shape", "linear (default, 线性: an equal part each month) or step (一次性: all at the first fixing)",
               kind="text", optional=True, default="linear")],
     returns="table")
def MBS_LPRSCENARIO(shift, months=24, index="lpr_5y", shape="linear"):
    return mbsxl.lpr_scenario(shift, months, index, shape)
