"""First-level areas (governorates, provinces) and the towns they are named after.

Shared by the entity ruler (which must split "Idlib province" from "Idlib" before entities
are formed) and the linker (which decides between a town and its eponymous area), so both
answer "which area is named after this town?" the same way.
"""

from __future__ import annotations

from kg.gazetteer import Entry, Gazetteer, fold
from kg.link.normalise import translit_key

ADMIN_WORDS = frozenset({"governorate", "province", "oblast", "region", "state", "district",
                         "muhafazat"})


def core_name(name: str | None) -> str:
    """'Aleppo Governorate' -> 'aleppo': the part of an admin name people write."""
    if not name:
        return ""
    return " ".join(t for t in fold(name).split() if t not in ADMIN_WORDS)


def area_of(gazetteer: Gazetteer, entry: Entry) -> Entry | None:
    """The first-level area `entry` lies in (an area is its own), if the gazetteer has it."""
    if entry.cls != "Location" or not entry.admin1:
        return None
    if entry.subclass == "AdministrativeArea":
        return entry
    for area in gazetteer.lookup(entry.admin1):
        if area.subclass == "AdministrativeArea" and area.country == entry.country:
            return area
    return None


def eponymous_area(gazetteer: Gazetteer, entry: Entry) -> Entry | None:
    """The area named after town `entry` and containing it ("Idlib" -> Idlib Governorate).

    None when the town's area has another name (al-Bab lies in Aleppo Governorate): then
    "al-Bab province" names no area we know.
    """
    area = area_of(gazetteer, entry)
    if area is None or area is entry:
        return area
    core = translit_key(core_name(area.label))
    return area if any(translit_key(n) == core for n in entry.names) else None


def same_area(a: str | None, b: str | None) -> bool:
    """Do two admin-1 names denote one area ("Idlib Governorate" = "Idlib Province")?"""
    return bool(a and b) and translit_key(core_name(a)) == translit_key(core_name(b))
