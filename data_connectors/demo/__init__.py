"""A deterministic, entirely fictional safeguarding partnership for demonstrations and tests.

`write_demo` writes the partnership's source files the way its agencies and the national publishers
would hand them over, so loading the demo runs the real connectors end to end: geography as the ONS area
lookup plus GeoJSON boundaries, population as ONS single-year-of-age estimates, deprivation as IoD 2025
File 7, schools as a GIAS download, police as the partnership's incident template plus police.uk monthly
street files, children's social care as a DfE CIN census extract (XML) beside the templates for what the
census does not carry, and everything else in the partnership's own templates (`sources` says which is
which).
A manifest (`line-of-sight-demo.json`) says what was generated, what each table will hold and where
the planted signals are. The same seed always gives byte-identical files. Nothing in it is real: names
are invented, area codes use ONS ranges that are never issued, postcodes use the area "QQ" and school
URNs start 99.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from data_connectors import schema
from data_connectors.demo.calendar import period_start
from data_connectors.demo.children import Children, children_table
from data_connectors.demo.cin_files import use_census_ids
from data_connectors.demo.contacts import build_contacts
from data_connectors.demo.context import Partnership, Rates
from data_connectors.demo.early_help import build_early_help
from data_connectors.demo.geography import REGION_COLUMNS, Place, build_place, geography_tables
from data_connectors.demo.partners import build_attendance, build_health_events
from data_connectors.demo.police import build_police
from data_connectors.demo.police_uk_files import SHARE, split_street_crime, street_rows
from data_connectors.demo.practice import build_practice
from data_connectors.demo.referrals import planted_school_referrals, simulate_referrals
from data_connectors.demo.schools import Schools, build_schools
from data_connectors.demo.signals import SIGNAL_TEXT, describe, plan_signals
from data_connectors.demo.social_care import build_social_care
from data_connectors.demo.sources import NationalFiles, SourceFile, summarise, write_own_extracts

__all__ = ["MANIFEST_NAME", "TIERS", "write_demo", "build_partnership", "partnerships_for"]

MANIFEST_NAME = "line-of-sight-demo.json"
TIERS = {"local": 1, "region": 20}
Progress = Callable[[str, float], None]


def partnerships_for(tier: str, seed: int, end: date) -> list[Partnership]:
    """The partnerships of a tier. A region's partnerships differ in size, deprivation and headline rates
    (so comparisons between them mean something) but keep the total near twenty local partnerships."""
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {sorted(TIERS)}, not {tier!r}")
    start = period_start(end)
    if tier == "local":
        return [Partnership(1, seed, start, end)]
    rng = np.random.default_rng([seed, 0, 20])
    n = TIERS[tier]
    scale = np.exp(rng.normal(0, 0.2, n))
    scale = scale / scale.mean()
    shift = rng.normal(0, 0.18, n)
    before = 0.18 + rng.normal(0, 0.015, n)
    step = 0.09 + rng.normal(0, 0.01, n)
    nfa_other = np.clip(0.0565 + rng.normal(0, 0.008, n), 0.035, 0.08)
    return [
        Partnership(
            index=i + 1,
            seed=seed,
            start=start,
            end=end,
            prefix=f"P{i + 1:02d}-",
            scale=float(scale[i]),
            deprivation_shift=float(shift[i]),
            rates=Rates(
                rereferral_before=float(before[i]),
                rereferral_after=float(before[i] + step[i]),
                nfa_other=float(nfa_other[i]),
            ),
            grid_position=(i % REGION_COLUMNS, i // REGION_COLUMNS),
            region=True,
        )
        for i in range(n)
    ]


@dataclass
class Built:
    """One partnership in memory: its canonical tables (police_incidents holding what the partnership's
    template carries), the street crime police.uk publishes instead (police.uk's columns), the place and
    schools the national files describe, and the signal details for the manifest."""

    tables: dict[str, pd.DataFrame]
    street_crime: pd.DataFrame
    place: Place
    schools: Schools
    signals: dict


def build_partnership(p: Partnership, progress: Progress | None = None) -> Built:
    """Every canonical table for one partnership (in memory), and what its national files need."""

    def step(label: str, done: float) -> None:
        if progress is not None:
            progress(label, done)

    step("geography", 0.0)
    place = build_place(p)
    schools = build_schools(place, p)
    signals = plan_signals(p, place, schools)
    tables = geography_tables(place, p)
    tables["schools"] = schools.frame

    step("referrals", 0.15)
    children = Children()
    chain = simulate_referrals(p, place, children)
    chain, signal_children, signals = planted_school_referrals(p, place, schools, children, chain, signals)
    care = build_social_care(p, place, schools, children, chain, signals)
    step("contacts", 0.35)
    contacts = build_contacts(p, place, children, schools, care)
    tables.update(care.tables)
    tables["referrals"]["contact_id"] = contacts.referral_contact_id
    tables["contacts"] = contacts.frame
    step("early help", 0.5)
    tables["early_help_episodes"], tables["neglect_assessments"] = build_early_help(
        p, place, children, care, contacts.early_help_child, contacts.early_help_date
    )
    step("partners", 0.6)
    tables["police_incidents"] = build_police(p, place, schools, children, signals, signal_children)
    tables["health_events"] = build_health_events(p, place)
    tables["school_attendance"] = build_attendance(p, place, schools)
    tables.update(build_practice(p))
    # published statistics are real and public, so a fictional partnership has none: its benchmark tables are
    # written empty, ready for the DfE files themselves
    for table in schema.data_tables():
        if table.info["group"] == "benchmarks":
            tables[table.name] = pd.DataFrame(columns=schema.template_columns(table))

    first_contact = (
        pd.Series(contacts.frame["contact_date"].to_numpy(dtype="datetime64[D]"))
        .groupby(contacts.frame["child_pos"].to_numpy())
        .min()
    )
    first = first_contact.reindex(np.arange(children.count)).to_numpy(dtype="datetime64[D]")
    tables["children"], child_id = children_table(p, place, children, first)
    for frame in tables.values():
        if "child_pos" in frame.columns:
            pos = frame.pop("child_pos").to_numpy(dtype=np.int64)
            frame["child_id"] = np.where(pos >= 0, child_id[np.maximum(pos, 0)], None)
    use_census_ids(tables)
    tables["police_incidents"], street = split_street_crime(p, tables["police_incidents"])
    return Built(tables, street_rows(p, place, street), place, schools, describe(signals, p, place, schools))


CENSUS_TIERS = {"local"}
"""Tiers whose children's social care comes as CIN census XML beside the templates. The regional tier keeps
it in the templates: read from both sources and merged, its load took 272 CPU seconds instead of about 120
(the census reader alone about 2.8 CPU seconds per partnership), against a two-minute target."""


def write_demo(
    out_dir: Path,
    tier: str = "local",
    seed: int = 7,
    end: date = date(2026, 10, 31),
    progress: Progress | None = None,
) -> dict:
    """Write a fictional partnership (tier "local") or twenty side by side (tier "region": each one's own
    extracts in its folder, the national publications once at the root) as source files, with a manifest;
    returns the manifest.

    Partnerships are generated and written one at a time, so memory stays bounded at the region tier.
    """
    out_dir = Path(out_dir)
    partnerships = partnerships_for(tier, seed, end)
    out_dir.mkdir(parents=True, exist_ok=True)
    order = [t.name for t in schema.data_tables()]
    n = len(partnerships)
    entries: list[dict] = []
    signals: dict[str, dict] = {
        name: {"description": text, "expected": expect, "where": []} for name, (text, expect) in SIGNAL_TEXT.items()
    }
    totals: dict[str, int] = dict.fromkeys(order, 0)
    written: list[SourceFile] = []
    national = NationalFiles(out_dir)
    police_split = {"template": 0, "police_uk": 0}
    for k, p in enumerate(partnerships):

        def report(label: str, done: float, k: int = k, p: Partnership = p) -> None:
            if progress is not None:
                name = f"partnership {p.index} of {n}: " if n > 1 else ""
                progress(name + label, (k + done) / n)

        built = build_partnership(p, report)
        folder = out_dir / p.folder if p.region else out_dir
        folder.mkdir(parents=True, exist_ok=True)
        report("writing files", 0.8)
        written += write_own_extracts(folder, built.tables, p.start, p.end, census=tier in CENSUS_TIERS)
        written += national.add(p, built.place, built.schools, built.tables, built.street_crime)
        rows = {name: len(built.tables[name]) for name in order}  # what the store will hold
        police_split["template"] += rows["police_incidents"]
        police_split["police_uk"] += len(built.street_crime)
        rows["police_incidents"] += len(built.street_crime)
        for name, count in rows.items():
            totals[name] += count
        for name, detail in built.signals.items():
            signals[name]["where"].append(detail)
        localities = built.tables["localities"]
        entries.append(
            {
                "index": p.index,
                "folder": p.folder,
                "la_code": p.la_code,
                "la_name": str(localities["la_name"][0]),
                "localities": dict(zip(localities["locality_code"], localities["locality_name"], strict=True)),
                "id_prefix": p.prefix,
                "scale": round(p.scale, 4),
                "rows": rows,
            }
        )
        del built
    manifest = {
        "synthetic": True,
        "generator": "data_connectors.demo",
        "note": "Fictional data: invented names, never-issued ONS codes (E0699/E0599/E0199), "
        "postcode area QQ, URNs starting 99.",
        "tier": tier,
        "seed": seed,
        "period_from": str(partnerships[0].start),
        "period_to": str(end),
        "tables": order,
        "rows": totals,
        "sources": summarise(written),
        "police_split": {
            **police_split,
            "police_uk_share_of_unflagged_street_crime": SHARE,
            "note": "every incident is in exactly one of the two: police.uk holds only unflagged street crime "
            "not linked to a child, the template everything else",
        },
        "partnerships": entries,
        "planted_signals": signals,
    }
    (out_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if progress is not None:
        progress("done", 1.0)
    return manifest
