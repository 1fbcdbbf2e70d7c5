"""The data dictionary, generated from the schema so it can never drift from the store."""

from __future__ import annotations

import sqlalchemy as sa

from data_connectors import schema
from data_connectors.codelists import ALL_CODE_LISTS

PRIVACY_TEXT = {
    schema.KEYED_HASH: "replaced by a keyed hash",
    schema.BIRTH_MONTH: "reduced to the month",
    schema.ROUNDED_LOCATION: "rounded to about 100 m",
}
GROUP_TITLES = {
    "geography": "Geography",
    "social_care": "Children's social care",
    "partners": "Partner agencies",
    "practice": "Partnership practice",
    "benchmarks": "Benchmarks (published statistics)",
    "store": "The store's own records",
}


def _type_name(column: sa.Column) -> str:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return "yes/no"
    if isinstance(kind, sa.DateTime):
        return "date and time"
    if isinstance(kind, sa.Date):
        return "date"
    if isinstance(kind, sa.Integer):
        return "whole number"
    if isinstance(kind, sa.Float):
        return "number"
    length = getattr(kind, "length", None)
    return f"text ({length})" if length else "text"


def column_rows(table: sa.Table, template: bool = False) -> list[list[str]]:
    """One row per column: name, type, required, code list, reference, privacy, meaning."""
    rows = []
    columns = schema.content_columns(table) if template else list(table.columns)
    for column in columns:
        info = column.info
        name = info.get("template_name", column.name) if template else column.name
        bounds = [
            f"from {info['minimum']:g}" if "minimum" in info else "",
            f"to {info['maximum']:g}" if "maximum" in info else "",
        ]
        meaning = info.get("description", "") + ("" if not any(bounds) else f" ({' '.join(b for b in bounds if b)})")
        rows.append(
            [
                name,
                _type_name(column),
                "key" if column.primary_key else ("yes" if not column.nullable else ""),
                info.get("codelist", ""),
                info.get("references", ""),
                PRIVACY_TEXT.get(info.get("privacy", ""), ""),
                meaning,
            ]
        )
    if template:
        for postcode_column, area_column in table.info.get("postcode_inputs", {}).items():
            rows.append(
                [
                    postcode_column,
                    "text (postcode)",
                    "",
                    "",
                    "postcode_areas.postcode",
                    f"reduced to {area_column}, never stored",
                    "Postcode, when the small area is not known.",
                ]
            )
    return rows


def data_dictionary() -> str:
    """Markdown describing every table, column and code list."""
    out = [
        "# Line of Sight data dictionary",
        "",
        "Generated from `data_connectors/schema.py` by `python -m data_connectors dictionary`; do not edit by hand.",
        "Every data table also has `source` (the extract a row came from) and `load_id` (the load that wrote it).",
        "A newer extract of the same source replaces that source's rows in the period it covers (its *period*",
        "column, earliest to latest date) and any row with the same key.",
        "Children's social care tables are *merged*: the CIN census return and the local authority's own extracts",
        "describe the same children and events, so a row another source already describes keeps the values this",
        "source leaves empty (an empty value never overwrites), and `several_sources` marks it; no one source's",
        "newer extract then removes it.",
        "",
    ]
    for group, title in GROUP_TITLES.items():
        out += [f"## {title}", ""]
        for table in schema.metadata.sorted_tables:
            if table.info.get("group") != group:
                continue
            out += [f"### `{table.name}`", "", table.info["description"], ""]
            if table.info.get("period"):
                out += [f"Period column: `{table.info['period']}`.", ""]
            out += [
                "| column | type | required | code list | refers to | on the way in | meaning |",
                "|---|---|---|---|---|---|---|",
            ]
            shown = [r for r in column_rows(table) if group == "store" or r[0] not in schema.PROVENANCE_COLUMNS]
            out += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in shown]
            postcode_inputs = table.info.get("postcode_inputs", {})
            for postcode_column, area_column in postcode_inputs.items():
                out += [
                    "",
                    f"The template may give `{postcode_column}` instead of `{area_column}`: it is looked up in "
                    "`postcode_areas` and only the small area is kept.",
                ]
            out.append("")
    out += ["## Code lists", ""]
    for code_list in ALL_CODE_LISTS.values():
        out += [f"### `{code_list.name}`", "", f"Source: {code_list.source}.", "", "| code | meaning |", "|---|---|"]
        out += [f"| {code} | {label} |" for code, label in code_list.codes.items()]
        out.append("")
    return "\n".join(out)
