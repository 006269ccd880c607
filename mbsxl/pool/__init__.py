"""The pool: SMM/CPR/PSA/SDA conventions, SF-4 arithmetic, cash-flow engines and kernels, prepayment models, loan rate paths, NPL recovery projection, stratification."""
