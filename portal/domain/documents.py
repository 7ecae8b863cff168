"""What a document declares about itself: legal basis and data categories (Bijlage 4)."""

from __future__ import annotations

import enum


class LegalBasis(enum.StrEnum):
    AVG_6_1_E = "avg_6_1_e"
    TOESTEMMING = "toestemming"
    WPG_ART_20 = "wpg_art_20"
    WJSG_ART_8A = "wjsg_art_8a"
    WJSG_ART_39F = "wjsg_art_39f"
    WJSG_ART_51C = "wjsg_art_51c"


class DataCategory(enum.StrEnum):
    PERSONALIA = "personalia"
    ADRES = "adres"
    CONTACT = "contact"
    WOONSITUATIE = "woonsituatie"
    FINANCIEEL = "financieel"
    RELATIES = "relaties"
    TOEZICHT_HANDHAVING = "toezicht_handhaving"
    POLITIE_WPG_8_13 = "politie_wpg_8_13"
    # Special categories, art. 9 AVG.
    GEZONDHEID = "gezondheid"
    RELIGIE = "religie"
    ETNICITEIT = "etniciteit"
    SEKSUEEL = "seksueel"
    # Criminal data, art. 10 AVG.
    STRAFRECHTELIJK = "strafrechtelijk"
    STRAFVORDERLIJK = "strafvorderlijk"
    TENUITVOERLEGGING = "tenuitvoerlegging"
