"""Worksheet-function declarations, one module per domain; importing this package fills the registry.

Each module here holds ``@udf`` wrappers only: conversion is in ``mbsxl.excel.convert``, analytics
in the core.
"""
import importlib
import pkgutil

for _m in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_m.name}")
