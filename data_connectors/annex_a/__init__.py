"""Ofsted ILACS Annex A: the list layouts, the answers its cells hold, and how a workbook is read.

The format and bundle that load it live in `data_connectors.formats.annex_a`; these modules hold what
they share: `answers` (lettered answers and dates to canonical text, stand-in keys), `lists` (the
columns of Lists 1 to 8 and how a sheet is recognised) and `workbook` (reading the sheets, one row per
child, List 6 joined onto List 3).
"""
