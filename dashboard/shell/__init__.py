"""The frame around every page: the shared filter bar, cached store reads, charts, tables and guards."""
