"""Offices merged into others (the 2025 reform: 63 provinces became 34, districts went away).

A merged office keeps its row and its dossiers keep their codes, so every receipt still
resolves. Its dossiers are shown with the office it was merged into (address, hours, hotline,
statistics, alert switches), and that office's keys may write them; the old office's keys act
for the new one. `merged_into` never chains: merging into an office that was itself merged
goes to where that one went, and offices merged into the old one follow it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lookup.store import Store
from lookup.store import api_keys as api_key_rows
from lookup.store import dossiers as rows


class MergeRefused(Exception):
    """The merger cannot be recorded; the message says why."""


@dataclass(frozen=True)
class Merged:
    agency_id: str
    agency_name: str
    office_id: str
    office_name: str
    dossiers: int
    api_keys: int
    # Offices merged earlier into `agency_id`, now merged into `office_id` as well.
    followers: tuple[str, ...]


def merge(store: Store, agency_id: str, into: str) -> Merged:
    if agency_id == into:
        raise MergeRefused(f"{agency_id} cannot be merged into itself")
    with store.begin() as conn:
        agency = rows.get_agency(conn, agency_id)
        office = rows.get_agency(conn, into)
        if agency is None:
            raise MergeRefused(f"no agency {agency_id}")
        if office is None:
            raise MergeRefused(f"no agency {into}; PUT /api/v1/agencies/{into} first")
        if office.merged_into:
            office = rows.get_agency(conn, office.merged_into)
        if office.id == agency_id:
            raise MergeRefused(f"{into} is part of {agency_id}; unmerge-agency {into} first")
        followers = tuple(rows.merged_into(conn, agency_id))
        rows.set_merged_into(conn, [agency_id, *followers], office.id)
        return Merged(agency_id, agency.name_vi, office.id, office.name_vi,
                      dossiers=sum(rows.count_for_agency(conn, a) for a in (agency_id, *followers)),
                      api_keys=sum(api_key_rows.count_for_agency(conn, a) for a in (agency_id, *followers)),
                      followers=followers)


def unmerge(store: Store, agency_id: str) -> str:
    """Undo a merger recorded by mistake; the office it had been merged into."""
    with store.begin() as conn:
        agency = rows.get_agency(conn, agency_id)
        if agency is None:
            raise MergeRefused(f"no agency {agency_id}")
        if not agency.merged_into:
            raise MergeRefused(f"{agency_id} is not merged into another office")
        rows.set_merged_into(conn, [agency_id], None)
        return agency.merged_into
