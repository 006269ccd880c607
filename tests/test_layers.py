"""The core's domain packages import one way, top to bottom (issue 19 item 0; /work/shared/DESIGN.md,
adapted to the code: zero curves and short-rate models sit with pricing because the curve reads the
SF-G yield arithmetic; the trustee series sits with surveillance (not "history": mbsxl.history is a public function) because it is built from projections).

    excel, templates, cli, demo        (may import anything below)
    deal -> surveillance -> reference -> pricing -> pool -> rates -> stats
    options, columns, dates, errors, _validate, _jitcache   (shared, import no domain package)

A module may import its own package and any package listed after it, never one listed before it.
Function-level (lazy) imports count too.
"""
from __future__ import annotations

from test_import_graph import _imports, _modules

LAYERS = ["deal", "surveillance", "reference", "pricing", "pool", "rates", "stats"]
SHARED = {"options", "columns", "dates", "errors", "_validate", "_jitcache"}


def _place(module: str):
    parts = module.split(".")
    if len(parts) < 2:
        return None
    if parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    if parts[1] in SHARED:
        return len(LAYERS)
    return -1                                  # excel, templates, cli, demo, __main__: the top


def test_every_core_module_lives_in_a_domain_package_or_is_shared():
    flat = {m.split(".")[1] for m in _modules() if m.count(".") == 1}
    assert flat <= SHARED | {"cli", "demo", "__main__", "data", "excel", "templates"} | set(LAYERS), sorted(flat)


def test_arrows_run_one_way():
    modules = _modules()
    upward = []
    for name, path in modules.items():
        here = _place(name)
        if here is None or here < 0:
            continue
        for dep in _imports(name, path, modules):
            there = _place(dep)
            if there is not None and there < here:
                upward.append(f"{name} -> {dep}")
    assert not upward, upward
