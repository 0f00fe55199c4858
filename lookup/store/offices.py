"""Which office a dossier is shown with: the one that filed it, or the one that office was
merged into (the 2025 reform). Lookups, alerts and statistics all join through here."""

from __future__ import annotations

from sqlalchemy import ColumnElement, FromClause, func

from lookup.store.schema import agencies, dossiers


def acting_office(agency: FromClause) -> ColumnElement[str]:
    """The office that acts for a row of `agency` (the table or an alias): the one it was
    merged into, else itself. `merged_into` never chains (lookup.mergers flattens), so one
    hop is enough."""
    return func.coalesce(agency.c.merged_into, agency.c.id)


filing_agency = agencies.alias("filing_agency")
office = agencies.alias("office")

DOSSIERS_WITH_OFFICE = dossiers.join(filing_agency, filing_agency.c.id == dossiers.c.agency_id).join(
    office, office.c.id == acting_office(filing_agency)
)

OFFICE_COLUMNS = (
    office.c.id.label("office_id"),
    office.c.name_vi.label("agency_name_vi"),
    office.c.name_en.label("agency_name_en"),
    office.c.address.label("agency_address"),
    office.c.pickup_hours.label("agency_pickup_hours"),
    office.c.hotline.label("agency_hotline"),
    filing_agency.c.name_vi.label("filing_agency_name_vi"),
    filing_agency.c.name_en.label("filing_agency_name_en"),
)
