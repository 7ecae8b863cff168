"""The register of processing activities (art. 24.3 a-h), and which activity each action is.

Every audit record names the register entry it is part of. That is a property of the
action, not a choice at each call site: :data:`ACTIVITY_OF` holds it, and a test checks
that every action has one.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from portal.domain.actions import Action


class ProcessingActivity(enum.StrEnum):
    """Ids of the register entries (:data:`REGISTER`) an audit record refers to."""

    CASE_REGISTRATION = "zvh-casusregistratie"
    ACCESS_MANAGEMENT = "zvh-toegangsbeheer"
    CONSENT_REGISTRATION = "zvh-toestemmingsregistratie"
    DOCUMENT_EXCHANGE = "zvh-documentuitwisseling"
    ACCOUNTABILITY = "zvh-verantwoording"


@dataclass(frozen=True, kw_only=True)
class RegisterEntry:
    """One processing activity with the fields of art. 24.3 a-h of the protocol."""

    id: ProcessingActivity
    name: str
    controller: str
    """a. the controller(s) and how to reach them."""
    purposes: tuple[str, ...]
    """b. the purposes; purpose codes of Bijlage 2 where the activity serves a phase."""
    data_categories: tuple[str, ...]
    """c. the categories of personal data (codes of Bijlage 4)."""
    subject_categories: tuple[str, ...]
    """d. the categories of data subjects (Bijlage 4, categories 1-4)."""
    recipients: tuple[str, ...]
    """e. the categories of recipients."""
    third_country_transfers: str
    """f. transfers outside the EEA, if any."""
    retention: str
    """g. when the data is erased."""
    security_measures: tuple[str, ...]
    """h. the technical and organisational measures."""


_CONTROLLER: Final = (
    "Partijen van het convenant Zorg- en Veiligheidshuis Noord-Limburg, elk voor de "
    "gegevens die zij inbrengen (art. 2.1); gezamenlijk register bijgehouden door de "
    "Manager van het Zorg- en Veiligheidshuis (art. 24.2), beheergemeente Horst aan de Maas"
)
_SUBJECTS: Final = (
    "1: personen op wie het plan van aanpak is gericht",
    "2: gezinsleden en directe sociale contacten",
    "3: betrokken professionals",
    "4: medewerkers van derden",
)
_ALL_CATEGORIES: Final = (
    "personalia",
    "adres",
    "contact",
    "woonsituatie",
    "financieel",
    "relaties",
    "toezicht_handhaving",
    "politie_wpg_8_13",
    "gezondheid",
    "religie",
    "etniciteit",
    "seksueel",
    "strafrechtelijk",
    "strafvorderlijk",
    "tenuitvoerlegging",
)
_CASE_RETENTION: Final = (
    "na afschaling 6 maanden voor procesregisseur en administratief medewerker, daarna "
    "6 maanden archief op besluit van de Manager, na 12 maanden vernietigd (art. 11.2); "
    "documenten worden vernietigd door hun casussleutel te vernietigen"
)
_MEASURES: Final = (
    "versleuteling van elk document met een eigen OpenPGP-sleutel per casus (AES-256)",
    "casussleutels beschermd met een hoofdsleutel buiten de database",
    "toegang alleen met VOG en geheimhoudingsverklaring (art. 13.1, 13.3)",
    "toegang per casus, fase en doel beslist en vastgelegd (art. 3.5, 9.6)",
    "onweerlegbaar logboek: alleen toevoegen, hashketen, ondertekende controlepunten",
    "beveiligde verbindingen (TLS) en beleid van de beheergemeente (Bijlage 3)",
)

REGISTER: Final[Mapping[ProcessingActivity, RegisterEntry]] = {
    entry.id: entry
    for entry in (
        RegisterEntry(
            id=ProcessingActivity.CASE_REGISTRATION,
            name="Registratie en procesregie van casussen",
            controller=_CONTROLLER,
            purposes=(
                "screening",
                "routering",
                "voorbereiding_rto",
                "afschalen",
                "opschalen",
                "procesregie door de procesregisseur (art. 5.1)",
            ),
            data_categories=("personalia", "adres", "contact", "woonsituatie", "relaties"),
            subject_categories=_SUBJECTS[:2],
            recipients=("procesregisseur", "administratief medewerker", "Manager (archief)"),
            third_country_transfers="geen",
            retention=_CASE_RETENTION,
            security_measures=_MEASURES,
        ),
        RegisterEntry(
            id=ProcessingActivity.DOCUMENT_EXCHANGE,
            name="Uitwisseling van documenten tussen partijen per casus en fase",
            controller=_CONTROLLER,
            purposes=(
                "screening",
                "beeldvorming",
                "routering",
                "voorbereiding_rto",
                "toestandsbeeld",
                "plan_van_aanpak",
                "monitoring",
                "verdere_verstrekking",
                "afschalen",
                "opschalen",
                "overdracht",
            ),
            data_categories=_ALL_CATEGORIES,
            subject_categories=_SUBJECTS,
            recipients=(
                "deelnemers aan het Ronde Tafel Overleg, per casus toegelaten",
                "procesregisseur",
                "casusregisseur (bij afschaling)",
                "de verstrekkende partij zelf",
            ),
            third_country_transfers="geen",
            retention=_CASE_RETENTION,
            security_measures=_MEASURES,
        ),
        RegisterEntry(
            id=ProcessingActivity.ACCESS_MANAGEMENT,
            name="Beheer van accounts, toegang en aanmelding",
            controller=_CONTROLLER,
            purposes=(
                "toegang alleen voor gescreende medewerkers van partijen (art. 13)",
                "beveiliging tegen onbevoegde toegang (art. 12)",
            ),
            data_categories=("personalia", "contact"),
            subject_categories=_SUBJECTS[2:],
            recipients=("Manager", "functionaris gegevensbescherming"),
            third_country_transfers="geen",
            retention="zolang het account bestaat; logboekregels zoals de verantwoording",
            security_measures=_MEASURES,
        ),
        RegisterEntry(
            id=ProcessingActivity.CONSENT_REGISTRATION,
            name="Vastleggen en intrekken van toestemming van betrokkenen",
            controller=_CONTROLLER,
            purposes=(
                "gegevens onder beroepsgeheim alleen met uitdrukkelijke toestemming (art. 7.2)",
                "geen verdere verstrekking na intrekking (art. 7.2d, 13.7)",
            ),
            data_categories=("gepseudonimiseerde verwijzing naar betrokkene", "reikwijdte"),
            subject_categories=_SUBJECTS[:1],
            recipients=("de partij die de toestemming verkreeg", "procesregisseur"),
            third_country_transfers="geen",
            retention=_CASE_RETENTION,
            security_measures=_MEASURES,
        ),
        RegisterEntry(
            id=ProcessingActivity.ACCOUNTABILITY,
            name="Logboek van verwerkingen en toezicht daarop",
            controller=_CONTROLLER,
            purposes=(
                "verantwoording van elke verstrekking (NEN 7513; art. 8: art. 32 Wpg, 39j Wjsg)",
                "toezicht door de functionaris gegevensbescherming (art. 24.4, 24.6)",
                "inzage door betrokkenen (art. 18)",
            ),
            data_categories=("gepseudonimiseerde verwijzing naar betrokkene", "personalia"),
            subject_categories=_SUBJECTS,
            recipients=("Manager", "functionarissen gegevensbescherming van partijen"),
            third_country_transfers="geen",
            retention=(
                "logboekregels overleven de casus; verstrekkingen door OM en politie ten "
                "minste 4 jaar (art. 17.5); gegevens van de betrokkene staan er slechts "
                "gepseudonimiseerd in"
            ),
            security_measures=_MEASURES,
        ),
    )
}


ACTIVITY_OF: Final[dict[Action, ProcessingActivity]] = {
    **dict.fromkeys(
        (
            Action.CASE_CREATE,
            Action.CASE_CREATE_DENIED,
            Action.CASE_READ_DENIED,
            Action.CASE_PHASE,
            Action.CASE_PHASE_DENIED,
            Action.CASE_CLOSE,
            Action.CASE_CLOSE_DENIED,
            Action.CASE_DESTROY,
            Action.CASE_HOLD,
            Action.CASE_HOLD_DENIED,
            Action.CASE_RELEASE_HOLD,
            Action.CASE_RELEASE_HOLD_DENIED,
            Action.CASE_DESTROY_EARLY,
            Action.CASE_DESTROY_EARLY_DENIED,
            Action.CASE_DESTRUCTION_REPORT_DENIED,
            Action.FIGURES_READ_DENIED,
        ),
        ProcessingActivity.CASE_REGISTRATION,
    ),
    **dict.fromkeys(
        (
            Action.GRANT_CREATE,
            Action.GRANT_CREATE_DENIED,
            Action.GRANT_REVOKE,
            Action.GRANT_REVOKE_DENIED,
            Action.GRANT_END,
            Action.ARCHIVE_ADMIT,
            Action.ARCHIVE_ADMIT_DENIED,
            Action.ARCHIVE_REVOKE,
            Action.ARCHIVE_REVOKE_DENIED,
            Action.CASE_ASSIGN,
            Action.CASE_ASSIGN_DENIED,
            Action.HANDOVER_NAME,
            Action.PARTIJ_WITHDRAW,
            Action.PARTIJ_WITHDRAW_DENIED,
            Action.ACCESS_EXPLAIN,
            Action.ACCESS_EXPLAIN_DENIED,
            Action.AUTH_LOGIN_FAILED,
            Action.AUTH_SIGNIN,
            Action.AUTH_SIGNIN_FAILED,
            Action.AUTH_LOCK,
            Action.AUTH_SIGNOUT,
            Action.AUTH_TOTP_ENROL,
            Action.AUTH_RECOVERY_CODE,
            Action.AUTH_PASSWORD_SET,
            Action.AUTH_ENROLMENT_LINK,
            Action.AUTH_CSRF_DENIED,
            Action.USER_UPDATE,
            Action.TOKEN_REVOKE,
            Action.PARTIJ_REGISTER_KEY,
            Action.USER_REGISTER_KEY,
            Action.USER_REGISTER_KEY_DENIED,
        ),
        ProcessingActivity.ACCESS_MANAGEMENT,
    ),
    **dict.fromkeys(
        (
            Action.CONSENT_RECORD,
            Action.CONSENT_RECORD_DENIED,
            Action.CONSENT_WITHDRAW,
            Action.CONSENT_WITHDRAW_DENIED,
        ),
        ProcessingActivity.CONSENT_REGISTRATION,
    ),
    **dict.fromkeys(
        (
            Action.DOCUMENT_UPLOAD,
            Action.DOCUMENT_UPLOAD_DENIED,
            Action.DOCUMENT_UPLOAD_FAILED,
            Action.UPLOAD_CREATE,
            Action.UPLOAD_ACCESS_DENIED,
            Action.UPLOAD_TERMINATE,
            Action.UPLOAD_EXPIRE,
            Action.DOCUMENT_DOWNLOAD,
            Action.DOCUMENT_DOWNLOAD_DENIED,
            Action.DOCUMENT_DOWNLOAD_COMPLETE,
            Action.DOCUMENT_DOWNLOAD_FAILED,
            Action.DOCUMENT_READ_DENIED,
            Action.DOCUMENT_APPROVE,
            Action.DOCUMENT_APPROVE_DENIED,
            Action.FURTHER_USE_REQUEST,
            Action.FURTHER_USE_REQUEST_DENIED,
            Action.FURTHER_USE_DECIDE,
            Action.FURTHER_USE_DECIDE_DENIED,
            Action.DOCUMENT_REMOVE,
            Action.DOCUMENT_REMOVE_DENIED,
        ),
        ProcessingActivity.DOCUMENT_EXCHANGE,
    ),
    # Art. 24.4, 24.6: reading the log is itself processing, for accountability.
    **dict.fromkeys(
        (
            Action.AUDIT_READ,
            Action.AUDIT_READ_DENIED,
            Action.AUDIT_EXPORT,
            Action.AUDIT_EXPORT_DENIED,
        ),
        ProcessingActivity.ACCOUNTABILITY,
    ),
}
"""The register entry of every action (art. 24.3): one table, so no call site picks one."""
