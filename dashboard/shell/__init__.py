"""The frame around every page: the shared filter bar, cached store reads, charts, tables and guards.

Importing it keeps the dashboard's text columns in Python objects rather than Arrow (pandas' `str` dtype
either way, with the same missing values): a page's rerun works on dozens of tables of tens of rows, where
converting to and from Arrow for every small operation cost a fifth of the rerun. The loaders, whose tables
are large, ask for Arrow explicitly and are not affected.
"""

import pandas as pd

pd.options.mode.string_storage = "python"
