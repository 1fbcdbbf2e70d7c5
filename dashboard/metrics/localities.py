"""Localities as people name them in meetings ("North"), turned into the codes the store keys on."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_connectors import schema


def locality_names(engine: Engine) -> dict[str, str]:
    """Locality code -> name, in name order."""
    table = schema.localities
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.locality_code, table.c.locality_name).order_by(table.c.locality_name)
        )
        return dict(rows.all())


def resolve_localities(engine: Engine, wanted: list[str]) -> tuple[str, ...]:
    """Codes for names or codes (case does not matter); ValueError naming the ones not found."""
    if not wanted:
        return ()
    names = locality_names(engine)
    by_text = {code.lower(): code for code in names} | {name.lower(): code for code, name in names.items()}
    missing = [w for w in wanted if w.lower() not in by_text]
    if missing:
        known = ", ".join(names.values()) or "none loaded"
        raise ValueError(f"no locality called {', '.join(missing)} (localities: {known})")
    return tuple(by_text[w.lower()] for w in wanted)


def area_names(engine: Engine, level: str) -> dict[str, str]:
    """Code -> name for every locality, ward or small area ("area"), in name order."""
    table, code, name = {
        "locality": (schema.localities, "locality_code", "locality_name"),
        "ward": (schema.wards, "ward_code", "ward_name"),
        "area": (schema.small_areas, "area_code", "area_name"),
    }[level]
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(table.c[code], table.c[name]).order_by(table.c[name])).all())
