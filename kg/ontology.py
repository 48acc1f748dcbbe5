"""Namespaces, IRI scheme and the ontology terms the mapping uses.

IRI scheme (stable; documented in the README):
  ontology      https://w3id.org/kg-conflict/ontology#Term
  article       https://w3id.org/kg-conflict/id/article/{article-id}
  article graph https://w3id.org/kg-conflict/graph/{article-id}
  entities graph https://w3id.org/kg-conflict/graph/entities  (shared entity descriptions)
  entity        https://w3id.org/kg-conflict/id/entity/{QID}          when linked to Wikidata
                https://w3id.org/kg-conflict/id/entity/{class}/{slug}  otherwise
  event         https://w3id.org/kg-conflict/id/event/{article-id}/{hash}
  mention       https://w3id.org/kg-conflict/id/mention/{article-id}/{start}-{end}
  geometry      {entity IRI}/geometry                               (places with coordinates)
  assertion     https://w3id.org/kg-conflict/id/assertion/{hash of article, s, p, o}
  extraction    https://w3id.org/kg-conflict/id/extraction/{article-id}   (prov:Activity)
  extractor     https://w3id.org/kg-conflict/id/extractor/{slug of name/version}
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/kg-conflict/"
KGO = BASE + "ontology#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
# The one named graph holding what is said about entities rather than by one article (type,
# label, Wikidata link, coordinates, country): stated once however many articles mention them.
ENTITIES_GRAPH = GRAPH + "entities"

PREFIXES: dict[str, str] = {
    "kgo": KGO,
    "kg": ID,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "schema": "https://schema.org/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "itsrdf": "http://www.w3.org/2005/11/its/rdf#",
    "wd": "http://www.wikidata.org/entity/",
    "void": "http://rdfs.org/ns/void#",
}

# ACLED sub-event type string -> ontology class local name.
SUB_EVENT_CLASSES: dict[str, str] = {
    "Armed clash": "ArmedClash",
    "Government regains territory": "GovernmentRegainsTerritory",
    "Non-state actor overtakes territory": "NonStateActorOvertakesTerritory",
    "Air/drone strike": "AirDroneStrike",
    "Shelling/artillery/missile attack": "ShellingArtilleryMissileAttack",
    "Remote explosive/landmine/IED": "RemoteExplosiveLandmineIED",
    "Suicide bomb": "SuicideBomb",
    "Grenade": "Grenade",
    "Chemical weapon": "ChemicalWeapon",
    "Attack": "AttackOnCivilians",
    "Abduction/forced disappearance": "AbductionForcedDisappearance",
    "Sexual violence": "SexualViolence",
    "Peaceful protest": "PeacefulProtest",
    "Protest with intervention": "ProtestWithIntervention",
    "Excessive force against protesters": "ExcessiveForceAgainstProtesters",
    "Violent demonstration": "ViolentDemonstration",
    "Mob violence": "MobViolence",
    "Agreement": "Agreement",
    "Arrests": "Arrests",
    "Looting/property destruction": "LootingPropertyDestruction",
    "Headquarters or base established": "HeadquartersOrBaseEstablished",
    "Non-violent transfer of territory": "NonViolentTransferOfTerritory",
    "Change to group/activity": "ChangeToGroupActivity",
    "Disrupted weapons use": "DisruptedWeaponsUse",
    "Other": "OtherStrategicDevelopment",
}
EVENT_TYPE_CLASSES: dict[str, str] = {
    "Battles": "Battle",
    "Explosions/Remote violence": "ExplosionRemoteViolence",
    "Violence against civilians": "ViolenceAgainstCivilians",
    "Protests": "Protest",
    "Riots": "Riot",
    "Strategic developments": "StrategicDevelopment",
}
# Entity class -> gazetteer subclasses it may carry; each is an ontology class of the same name
# (rdfs:subClassOf the entity class). Entities are typed with both, so `?x a kgo:ArmedGroup`
# works without reasoning.
ENTITY_SUBCLASSES: dict[str, tuple[str, ...]] = {
    "StateActor": ("State", "StateForce", "Government", "SecurityService"),
    "ArmedGroup": ("RebelGroup", "PoliticalMilitia", "IdentityMilitia",
                   "TerroristDesignatedGroup", "PrivateMilitaryCompany"),
    "Organization": ("NewsAgency", "MonitoringGroup", "InternationalOrganization", "NGO",
                     "PoliticalParty"),
    "Weapon": ("WeaponSystem",),
    "Location": ("Country", "AdministrativeArea", "PopulatedPlace", "Site"),
    "Person": (),
}
RELATION_PROPERTIES = ("alliedWith", "supports", "affiliatedWith", "locatedIn", "controlledBy",
                       "basedIn", "memberOf")


def slug(text: str) -> str:
    """Lower-case ASCII slug: the normalised label part of local IRIs."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"^(the|al)[\s-]+", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


def article_iri(article_id: str) -> str:
    return ID + "article/" + quote(article_id, safe="")


def graph_iri(article_id: str) -> str:
    """The article's named graph; an id that would name the entities graph is refused."""
    iri = GRAPH + quote(article_id, safe="")
    if iri == ENTITIES_GRAPH:
        raise ValueError(f"article id {article_id!r} is reserved (it would name the "
                         "entities graph); give the article another id")
    return iri


def entity_iri(cls: str, label: str, qid: str | None = None, key: str | None = None) -> str:
    """QID-based when linked; else the gazetteer key when the linker chose an entry (a town
    and the province named after it have one label but two keys, "sy-hama" and
    "sy-hama-governorate"); else class + normalised label. Same entity, same IRI."""
    if qid:
        return ID + "entity/" + qid
    return ID + f"entity/{cls.lower()}/{slug(key or label)}"


def geometry_iri(entity: str) -> str:
    """The GeoSPARQL geometry node of a place: derived from its IRI, so stable too."""
    return entity + "/geometry"


def extraction_iri(article_id: str) -> str:
    """The prov:Activity that produced one article graph (replaced with the graph)."""
    return ID + "extraction/" + quote(article_id, safe="")


def extractor_iri(extractor: str) -> str:
    """The prov:SoftwareAgent for one extractor name/version ("kg-extract/0.1.0")."""
    return ID + "extractor/" + slug(extractor.replace(".", "-"))


def ontology_path(name: str = "kg.ttl") -> Path:
    """Path of a file of the ontology in the project's `ontology/` folder."""
    return PROJECT_ROOT / "ontology" / name
