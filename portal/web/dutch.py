"""The Dutch texts of the pages: one place for every word a user of the portal reads.

Plain language (B1) and the formal "u", because the readers are case workers of many
organisations, not lawyers or engineers. Each closed vocabulary of the portal has a table
here with a text for every member; a unit test fails when a member has none, so a new
refusal code, action or rule cannot reach a page untranslated.

- :data:`REFUSALS`: per refusal code, what happened and why, and whom to contact;
- labels for audit actions, outcomes, processing activities and audit columns;
- labels for the rules, phases, purposes, data categories, legal bases, partij kinds,
  roles and closing reasons.

The domain words (partij, casus, procesregisseur, afschaling, RTO) are the users' own and
stay as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from portal.domain.actions import Action, Outcome
from portal.domain.cases import ClosingReason, Phase, Purpose
from portal.domain.documents import DataCategory, LegalBasis
from portal.domain.partijen import PartijKind, Role
from portal.domain.refusal_codes import RefusalCode
from portal.domain.register import ProcessingActivity
from portal.domain.rules import Rule


class Contact(enum.StrEnum):
    """Whom a refused user turns to: the person who can change what refused them."""

    PROCESREGISSEUR = "procesregisseur"
    PROVIDER = "provider"
    MANAGER = "manager"
    FG = "fg"
    OWN_ORGANISATION = "own-organisation"
    BEHEERDER = "beheerder"
    SELF = "self"


CONTACTS: Final[Mapping[Contact, str]] = {
    Contact.PROCESREGISSEUR: "Neem contact op met de procesregisseur van deze casus.",
    Contact.PROVIDER: "Neem contact op met de organisatie die het document heeft aangeleverd.",
    Contact.MANAGER: "Neem contact op met de manager van het Zorg- en Veiligheidshuis.",
    Contact.FG: "Neem contact op met de functionaris gegevensbescherming (FG) van uw organisatie.",
    Contact.OWN_ORGANISATION: (
        "Neem contact op met uw leidinggevende of met de contactpersoon van uw organisatie "
        "voor het Zorg- en Veiligheidshuis."
    ),
    Contact.BEHEERDER: "Neem contact op met de beheerder van het portaal.",
    Contact.SELF: "Pas uw gegevens aan en probeer het opnieuw.",
}


@dataclass(frozen=True, kw_only=True)
class RefusalText:
    explanation: str
    """What happened and why, in one or two short sentences."""
    contact: Contact

    @property
    def whom_to_contact(self) -> str:
        return CONTACTS[self.contact]


def _says(explanation: str, contact: Contact) -> RefusalText:
    return RefusalText(explanation=explanation, contact=contact)


REFUSALS: Final[Mapping[RefusalCode, RefusalText]] = {
    RefusalCode.NOT_AUTHENTICATED: _says(
        "U bent niet ingelogd, of uw sleutel voor het portaal is niet meer geldig.",
        Contact.BEHEERDER,
    ),
    RefusalCode.ACCOUNT_DEACTIVATED: _says(
        "Uw account is uitgezet. U kunt het portaal nu niet gebruiken.", Contact.BEHEERDER
    ),
    RefusalCode.PARTIJ_WITHDRAWN: _says(
        "Uw organisatie doet niet meer mee aan het convenant. Daarom heeft u geen toegang meer.",
        Contact.OWN_ORGANISATION,
    ),
    RefusalCode.SCREENING_MISSING: _says(
        "Van u staan geen VOG en geen ondertekende geheimhoudingsverklaring in het portaal. "
        "Zonder deze twee krijgt u geen toegang.",
        Contact.OWN_ORGANISATION,
    ),
    RefusalCode.ZVH_ROLE_ELSEWHERE: _says(
        "Uw account heeft een rol die alleen medewerkers van het Zorg- en Veiligheidshuis "
        "hebben. Daarom is uw account geblokkeerd.",
        Contact.BEHEERDER,
    ),
    RefusalCode.TOO_MANY_REQUESTS: _says(
        "Vanaf uw adres is te vaak een verkeerde sleutel gebruikt. Wacht even en probeer "
        "het daarna opnieuw.",
        Contact.BEHEERDER,
    ),
    RefusalCode.NOT_ALLOWED: _says("U mag dit niet doen.", Contact.PROCESREGISSEUR),
    RefusalCode.ROLE_NOT_ALLOWED: _says("Met uw rol mag u dit niet doen.", Contact.PROCESREGISSEUR),
    RefusalCode.NOT_ASSIGNED: _says(
        "Alleen een procesregisseur van deze casus mag dit doen. U bent niet aan deze casus "
        "toegewezen.",
        Contact.PROCESREGISSEUR,
    ),
    RefusalCode.NO_PART_IN_CASE: _says(
        "U heeft geen rol in deze casus. Daarom mag u dit niet doen.", Contact.PROCESREGISSEUR
    ),
    RefusalCode.CONTROLLER_ONLY: _says(
        "Uw organisatie heeft dit document aangeleverd en beslist erover. Maar om het te "
        "openen heeft u zelf een rol in de casus nodig.",
        Contact.PROCESREGISSEUR,
    ),
    RefusalCode.DOCUMENT_NOT_IN_GRANT: _says(
        "Uw toegang tot deze casus geldt alleen voor andere documenten.",
        Contact.PROCESREGISSEUR,
    ),
    RefusalCode.NOT_PROVIDER: _says(
        "Alleen de organisatie die het document heeft aangeleverd, beslist hierover.",
        Contact.PROVIDER,
    ),
    RefusalCode.OWN_DOCUMENT: _says(
        "Dit document is van uw eigen organisatie. U hoeft daarvoor geen toestemming te vragen.",
        Contact.SELF,
    ),
    RefusalCode.OUTSIDE_SUPERVISION: _says(
        "Als FG ziet u alleen de gegevens over uw eigen organisatie.", Contact.MANAGER
    ),
    RefusalCode.GRANT_ENDED: _says(
        "Uw toegang tot deze casus is afgelopen. Dat kan zijn omdat de toegang is ingetrokken, "
        "omdat de einddatum voorbij is, of door de afschaling.",
        Contact.PROCESREGISSEUR,
    ),
    RefusalCode.ADMISSION_ENDED: _says(
        "Uw toegang tot deze gearchiveerde casus is afgelopen.", Contact.MANAGER
    ),
    RefusalCode.CASE_RESTRICTED: _says(
        "Over deze casus is een besluit genomen. Het eerste half jaar daarna hebben alleen de "
        "procesregisseur en de administratief medewerker nog toegang.",
        Contact.PROCESREGISSEUR,
    ),
    RefusalCode.CASE_ARCHIVED: _says(
        "Deze casus is gearchiveerd. Alleen wie de manager toegang geeft, kan hem nog inzien.",
        Contact.MANAGER,
    ),
    RefusalCode.CASE_DESTROYED: _says(
        "De persoonsgegevens van deze casus zijn vernietigd. Niemand kan ze meer inzien.",
        Contact.MANAGER,
    ),
    RefusalCode.CASE_HELD: _says(
        "Op deze casus rust een bewaarplicht (legal hold). Zolang die geldt, wordt er niets "
        "vernietigd of verwijderd.",
        Contact.MANAGER,
    ),
    RefusalCode.CASE_STILL_OPEN: _says(
        "Deze casus loopt nog. Vernietigen kan pas na het besluit tot afschaling of afsluiten.",
        Contact.PROCESREGISSEUR,
    ),
    RefusalCode.DESTRUCTION_DUE: _says(
        "Deze casus is al vernietigd of de termijn voor vernietiging is verstreken. Een "
        "bewaarplicht kan niet meer worden ingesteld.",
        Contact.MANAGER,
    ),
    RefusalCode.NO_HOLD: _says("Op deze casus rust geen bewaarplicht.", Contact.MANAGER),
    RefusalCode.CASE_KEY_DESTROYED: _says(
        "De sleutel van deze casus is vernietigd. De documenten zijn niet meer te openen en "
        "er kunnen geen documenten meer bij.",
        Contact.MANAGER,
    ),
    RefusalCode.CASE_CLOSED: _says(
        "Deze casus is afgesloten. Er kan niets meer aan veranderen.", Contact.PROCESREGISSEUR
    ),
    RefusalCode.CASE_NOT_CLOSABLE: _says(
        "Een casus kan alleen bij de aanmelding of de triage worden afgesloten. Daarna eindigt "
        "een casus met de afschaling.",
        Contact.PROCESREGISSEUR,
    ),
    RefusalCode.CASE_NOT_ARCHIVED: _says(
        "Toegang tot het archief kan pas als de casus gearchiveerd is: een half jaar tot een "
        "jaar na het besluit.",
        Contact.MANAGER,
    ),
    RefusalCode.CASE_ARCHIVED_NO_ASSIGNMENT: _says(
        "Deze casus is gearchiveerd. Er kan geen procesregisseur meer aan worden toegewezen. "
        "De manager kan wel toegang tot het archief geven.",
        Contact.MANAGER,
    ),
    RefusalCode.AFTER_AFSCHALING: _says(
        "Over deze casus is al besloten tot afschaling of afsluiting. Daarna krijgt niemand "
        "nieuwe toegang en komen er geen documenten meer bij.",
        Contact.PROCESREGISSEUR,
    ),
    RefusalCode.BEFORE_TRIAGE: _says(
        "Deze casus is nog in de fase aanmelding. Deelnemers krijgen pas toegang vanaf de triage.",
        Contact.PROCESREGISSEUR,
    ),
    RefusalCode.PHASE_FINAL: _says(
        "Deze casus is in de laatste fase: afschaling. Er komt geen fase meer na.",
        Contact.PROCESREGISSEUR,
    ),
    RefusalCode.PHASE_ORDER: _says(
        "Een casus gaat steeds één fase verder, en nooit terug. Kies de volgende fase.",
        Contact.SELF,
    ),
    RefusalCode.WRONG_PHASE: _says(
        "Dit kan niet in de fase waarin de casus nu is.", Contact.PROCESREGISSEUR
    ),
    RefusalCode.NOT_CURRENT_PHASE: _says(
        "U kunt alleen documenten aanleveren voor de fase waarin de casus nu is.", Contact.SELF
    ),
    RefusalCode.REPORTING_PARTIJ_WITHDRAWN: _says(
        "De organisatie die de casus wil aanmelden, doet niet meer mee aan het convenant.",
        Contact.MANAGER,
    ),
    RefusalCode.SELF_ADMISSION: _says(
        "U kunt uzelf geen toegang tot het archief geven.", Contact.MANAGER
    ),
    RefusalCode.PURPOSE_NOT_ALLOWED: _says(
        "U mag dit document niet voor dit doel gebruiken. Kies een doel dat past bij de fase "
        "van de casus en dat de aanleverende organisatie heeft toegestaan.",
        Contact.PROVIDER,
    ),
    RefusalCode.PURPOSES_NOT_OF_PHASE: _says(
        "Kies alleen doelen die bij deze fase van de casus horen.", Contact.SELF
    ),
    RefusalCode.REAPPROVAL_REQUIRED: _says(
        "Dit document is aangeleverd voor een eerdere fase. De organisatie die het aanleverde, "
        "moet het eerst opnieuw goedkeuren voor de fase van nu.",
        Contact.PROVIDER,
    ),
    RefusalCode.PROVIDED_FOR_THIS_PHASE: _says(
        "Dit document is al voor deze fase aangeleverd. Opnieuw goedkeuren is niet nodig.",
        Contact.SELF,
    ),
    RefusalCode.CONSENT_WITHDRAWN: _says(
        "De betrokkene heeft de toestemming ingetrokken waarop dit document is gedeeld. "
        "Daarom kunt u het niet meer openen.",
        Contact.PROVIDER,
    ),
    RefusalCode.CONSENT_NOT_USABLE: _says(
        "Deze toestemming kunt u niet gebruiken. Ze is niet van uw organisatie, of ze is "
        "ingetrokken.",
        Contact.FG,
    ),
    RefusalCode.JUSTIFICATION_REQUIRED: _says(
        "Documenten van de politie en het OM krijgt u alleen als u uitlegt waarom u ze nodig "
        "heeft. Vul een toelichting in en probeer het opnieuw.",
        Contact.SELF,
    ),
    RefusalCode.JUSTIFICATION_IN_URL: _says(
        "Uw toelichting stond in het webadres. Dat is niet veilig. Vul de toelichting in het "
        "formulier in.",
        Contact.SELF,
    ),
    RefusalCode.HANDOVER_WINDOW_CLOSED: _says(
        "De termijn om de overgedragen documenten op te halen is voorbij.",
        Contact.PROCESREGISSEUR,
    ),
    RefusalCode.HANDOVER_NOT_APPROVED: _says(
        "De organisatie die dit document aanleverde, heeft het niet goedgekeurd voor de "
        "overdracht.",
        Contact.PROVIDER,
    ),
    RefusalCode.OPENPGP_KEY_MISSING: _says(
        "U wilt het document versleuteld ontvangen, maar er staat geen OpenPGP-sleutel van u "
        "in het portaal. Voeg eerst uw sleutel toe.",
        Contact.SELF,
    ),
    RefusalCode.OPENPGP_KEY_UNUSABLE: _says(
        "Met uw OpenPGP-sleutel kan het portaal niet versleutelen. Voeg een andere sleutel toe.",
        Contact.BEHEERDER,
    ),
    RefusalCode.OPENPGP_KEY_INVALID: _says(
        "Dit is geen openbare OpenPGP-sleutel waarmee het portaal kan versleutelen.",
        Contact.SELF,
    ),
    RefusalCode.RESTRICTIONS_INVALID: _says(
        "De doelen, soorten gegevens, grondslag of toestemming die u opgaf, passen niet bij "
        "deze fase of bij elkaar. Controleer wat u heeft ingevuld.",
        Contact.SELF,
    ),
    RefusalCode.LEGAL_BASIS_NOT_ALLOWED: _says(
        "Uw organisatie mag op deze grondslag geen gegevens aanleveren. Kies een andere grondslag.",
        Contact.FG,
    ),
    RefusalCode.DATA_CATEGORY_NOT_ALLOWED: _says(
        "Uw organisatie levert dit soort gegevens niet aan. Controleer de soorten gegevens.",
        Contact.FG,
    ),
    RefusalCode.FILE_TYPE_NOT_ALLOWED: _says(
        "Dit soort bestand neemt het portaal niet aan, of het bestand is iets anders dan de "
        "naam zegt. Gebruik bijvoorbeeld een PDF-bestand.",
        Contact.SELF,
    ),
    RefusalCode.FILE_NAME_NOT_ALLOWED: _says(
        "De naam van het bestand kan niet worden gebruikt. Geef het bestand een andere naam.",
        Contact.SELF,
    ),
    RefusalCode.TOO_LARGE: _says(
        "Het bestand is te groot voor het portaal. Maak het kleiner of deel het op.",
        Contact.SELF,
    ),
    RefusalCode.MALFORMED_UPLOAD: _says(
        "Het bestand is niet goed aangekomen. Probeer het opnieuw.", Contact.BEHEERDER
    ),
    RefusalCode.VALIDATION_FAILED: _says(
        "Een gegeven ontbreekt of is niet goed ingevuld. Controleer het formulier.",
        Contact.SELF,
    ),
    RefusalCode.NUL_CHARACTER: _says(
        "Uw tekst bevat een teken dat het portaal niet kan opslaan. Typ de tekst opnieuw.",
        Contact.SELF,
    ),
    RefusalCode.TEXT_NOT_ACCEPTED: _says(
        "Uw tekst is te lang of bevat tekens die niet zijn toegestaan. Maak de tekst korter "
        "of typ hem opnieuw.",
        Contact.SELF,
    ),
    RefusalCode.REASON_REQUIRED: _says(
        "Geef een reden of toelichting. Die is hier verplicht.", Contact.SELF
    ),
    RefusalCode.INVALID_DATE: _says(
        "De datum klopt niet. Kies een datum die binnen de toegestane periode valt.",
        Contact.SELF,
    ),
    RefusalCode.UNKNOWN_USER: _says(
        "Er is geen gebruiker met deze gebruikersnaam. Controleer de naam.", Contact.SELF
    ),
    RefusalCode.UNKNOWN_PARTIJ: _says(
        "Deze organisatie is niet bekend in het portaal.", Contact.BEHEERDER
    ),
    RefusalCode.PERSON_NOT_ELIGIBLE: _says(
        "De persoon die u koos, kan deze rol niet krijgen. Dat komt door de rol, het account, "
        "de organisatie of de screening van die persoon.",
        Contact.MANAGER,
    ),
    RefusalCode.DOCUMENTS_NOT_IN_CASE: _says(
        "Kies een of meer documenten van deze casus.", Contact.SELF
    ),
    RefusalCode.ROLE_ZVH_ONLY: _says(
        "Deze rol bestaat alleen bij het Zorg- en Veiligheidshuis.", Contact.BEHEERDER
    ),
    RefusalCode.NOT_FOUND: _says(
        "Wat u zoekt, bestaat niet of u heeft er geen toegang toe.", Contact.PROCESREGISSEUR
    ),
    RefusalCode.METHOD_NOT_ALLOWED: _says(
        "Deze handeling kan hier niet. Ga terug en probeer het opnieuw.", Contact.BEHEERDER
    ),
    RefusalCode.HEADERS_TOO_LARGE: _says(
        "Uw browser stuurde te veel gegevens mee. Sluit de browser en probeer het opnieuw.",
        Contact.BEHEERDER,
    ),
    RefusalCode.BAD_REQUEST: _says("Het portaal kon uw verzoek niet verwerken.", Contact.BEHEERDER),
    RefusalCode.CONFLICT: _says(
        "Dit kan nu niet, omdat de gegevens intussen veranderd zijn. Laad de pagina opnieuw.",
        Contact.PROCESREGISSEUR,
    ),
    RefusalCode.ALREADY_EXISTS: _says("Dit bestaat al.", Contact.SELF),
    RefusalCode.ALREADY_DECIDED: _says(
        "Hierover is al een besluit genomen.", Contact.PROCESREGISSEUR
    ),
    RefusalCode.BUSY: _says(
        "Dit wordt op dit moment al gewijzigd, bijvoorbeeld in een ander venster. Wacht even "
        "en probeer het opnieuw.",
        Contact.SELF,
    ),
    RefusalCode.TIMED_OUT: _says(
        "De verbinding viel te lang stil. Wat al was ontvangen, is bewaard: u kunt verdergaan.",
        Contact.SELF,
    ),
    RefusalCode.SERVICE_UNAVAILABLE: _says(
        "Een onderdeel van het portaal is even niet bereikbaar. Er is niets gebeurd. Probeer "
        "het over een paar minuten opnieuw.",
        Contact.BEHEERDER,
    ),
    RefusalCode.STORE_FULL: _says(
        "De opslag van het portaal is vol. Er is niets opgeslagen. De beheerder moet eerst "
        "ruimte maken.",
        Contact.BEHEERDER,
    ),
    RefusalCode.AUDIT_UNAVAILABLE: _says(
        "Het portaal kan nu niet vastleggen wat u doet. Daarom is er niets gebeurd. Probeer "
        "het later opnieuw.",
        Contact.BEHEERDER,
    ),
    RefusalCode.INTERNAL_ERROR: _says(
        "Er ging iets mis in het portaal. Er is niets gebeurd. Noem de foutcode als u contact "
        "opneemt.",
        Contact.BEHEERDER,
    ),
}


ACTIONS: Final[Mapping[Action, str]] = {
    Action.CASE_CREATE: "Casus geregistreerd",
    Action.CASE_CREATE_DENIED: "Registratie van casus geweigerd",
    Action.CASE_READ_DENIED: "Inzien van casus geweigerd",
    Action.CASE_PHASE: "Casus naar volgende fase",
    Action.CASE_PHASE_DENIED: "Faseovergang geweigerd",
    Action.CASE_CLOSE: "Casus afgesloten",
    Action.CASE_CLOSE_DENIED: "Afsluiten van casus geweigerd",
    Action.CASE_DESTROY: "Persoonsgegevens van casus vernietigd",
    Action.CASE_HOLD: "Bewaarplicht op casus ingesteld",
    Action.CASE_HOLD_DENIED: "Instellen van bewaarplicht geweigerd",
    Action.CASE_RELEASE_HOLD: "Bewaarplicht op casus opgeheven",
    Action.CASE_RELEASE_HOLD_DENIED: "Opheffen van bewaarplicht geweigerd",
    Action.CASE_DESTROY_EARLY: "Casus vervroegd vernietigd",
    Action.CASE_DESTROY_EARLY_DENIED: "Vervroegd vernietigen van casus geweigerd",
    Action.CASE_DESTRUCTION_REPORT_DENIED: "Inzien van verslag van vernietiging geweigerd",
    Action.FIGURES_READ_DENIED: "Inzien van managementinformatie geweigerd",
    Action.CASE_ASSIGN: "Procesregisseur toegewezen",
    Action.CASE_ASSIGN_DENIED: "Toewijzen van procesregisseur geweigerd",
    Action.HANDOVER_NAME: "Overdracht aan casusregisseur vastgelegd",
    Action.GRANT_CREATE: "Toegang tot casus gegeven",
    Action.GRANT_CREATE_DENIED: "Geven van toegang geweigerd",
    Action.GRANT_REVOKE: "Toegang tot casus ingetrokken",
    Action.GRANT_REVOKE_DENIED: "Intrekken van toegang geweigerd",
    Action.GRANT_END: "Toegang tot casus beëindigd",
    Action.ARCHIVE_ADMIT: "Toegang tot archief gegeven",
    Action.ARCHIVE_ADMIT_DENIED: "Geven van toegang tot archief geweigerd",
    Action.ARCHIVE_REVOKE: "Toegang tot archief ingetrokken",
    Action.ARCHIVE_REVOKE_DENIED: "Intrekken van toegang tot archief geweigerd",
    Action.CONSENT_RECORD: "Toestemming vastgelegd",
    Action.CONSENT_RECORD_DENIED: "Vastleggen van toestemming geweigerd",
    Action.CONSENT_WITHDRAW: "Toestemming ingetrokken",
    Action.CONSENT_WITHDRAW_DENIED: "Intrekken van toestemming geweigerd",
    Action.DOCUMENT_APPROVE: "Document goedgekeurd voor nieuwe fase",
    Action.DOCUMENT_REMOVE: "Document door aanleverende partij verwijderd",
    Action.DOCUMENT_REMOVE_DENIED: "Verwijderen van document geweigerd",
    Action.DOCUMENT_APPROVE_DENIED: "Goedkeuren van document geweigerd",
    Action.FURTHER_USE_REQUEST: "Verder gebruik van document gevraagd",
    Action.FURTHER_USE_REQUEST_DENIED: "Vraag om verder gebruik geweigerd",
    Action.FURTHER_USE_DECIDE: "Besluit over verder gebruik genomen",
    Action.FURTHER_USE_DECIDE_DENIED: "Besluit over verder gebruik geweigerd",
    Action.PARTIJ_WITHDRAW: "Partij uit convenant gestapt",
    Action.PARTIJ_WITHDRAW_DENIED: "Vastleggen van uittreden geweigerd",
    Action.USER_UPDATE: "Gebruiker gewijzigd",
    Action.TOKEN_REVOKE: "Sleutel van gebruiker ingetrokken",
    Action.PARTIJ_REGISTER_KEY: "OpenPGP-sleutel van partij vastgelegd",
    Action.USER_REGISTER_KEY: "Eigen OpenPGP-sleutel vastgelegd",
    Action.USER_REGISTER_KEY_DENIED: "Vastleggen van eigen OpenPGP-sleutel geweigerd",
    Action.ACCESS_EXPLAIN: "Overzicht van toegang bekeken",
    Action.ACCESS_EXPLAIN_DENIED: "Overzicht van toegang geweigerd",
    Action.DOCUMENT_UPLOAD: "Document aangeleverd",
    Action.DOCUMENT_UPLOAD_DENIED: "Aanleveren van document geweigerd",
    Action.DOCUMENT_UPLOAD_FAILED: "Aanleveren van document mislukt",
    Action.UPLOAD_CREATE: "Hervatbare aanlevering begonnen",
    Action.UPLOAD_ACCESS_DENIED: "Toegang tot hervatbare aanlevering geweigerd",
    Action.UPLOAD_TERMINATE: "Hervatbare aanlevering afgebroken",
    Action.UPLOAD_EXPIRE: "Onvoltooide aanlevering verlopen en gewist",
    Action.DOCUMENT_DOWNLOAD: "Document geopend",
    Action.DOCUMENT_DOWNLOAD_DENIED: "Openen van document geweigerd",
    Action.DOCUMENT_DOWNLOAD_COMPLETE: "Document volledig verstuurd",
    Action.DOCUMENT_DOWNLOAD_FAILED: "Versturen van document mislukt",
    Action.DOCUMENT_READ_DENIED: "Inzien van documentgegevens geweigerd",
    Action.AUTH_LOGIN_FAILED: "Inloggen mislukt",
    Action.AUTH_SIGNIN: "Aangemeld op de webpagina's",
    Action.AUTH_SIGNIN_FAILED: "Aanmelden op de webpagina's mislukt",
    Action.AUTH_LOCK: "Account tijdelijk geblokkeerd na mislukte pogingen",
    Action.AUTH_SIGNOUT: "Afgemeld",
    Action.AUTH_TOTP_ENROL: "Tweede factor (authenticator-app) ingericht",
    Action.AUTH_RECOVERY_CODE: "Aangemeld met een herstelcode",
    Action.AUTH_PASSWORD_SET: "Wachtwoord ingesteld",
    Action.AUTH_ENROLMENT_LINK: "Inrichtingslink aangemaakt",
    Action.AUTH_CSRF_DENIED: "Formulier zonder geldige beveiligingscode geweigerd",
    Action.AUDIT_READ: "Logboek ingezien",
    Action.AUDIT_READ_DENIED: "Inzien van logboek geweigerd",
    Action.AUDIT_EXPORT: "Logboek geëxporteerd",
    Action.AUDIT_EXPORT_DENIED: "Exporteren van logboek geweigerd",
}

OUTCOMES: Final[Mapping[Outcome, str]] = {
    Outcome.PERMIT: "toegestaan",
    Outcome.DENY: "geweigerd",
    Outcome.SUCCESS: "gelukt",
    Outcome.FAILURE: "mislukt",
}

PROCESSING_ACTIVITIES: Final[Mapping[ProcessingActivity, str]] = {
    ProcessingActivity.CASE_REGISTRATION: "Registratie van casussen",
    ProcessingActivity.ACCESS_MANAGEMENT: "Beheer van toegang",
    ProcessingActivity.CONSENT_REGISTRATION: "Registratie van toestemming",
    ProcessingActivity.DOCUMENT_EXCHANGE: "Uitwisseling van documenten",
    ProcessingActivity.ACCOUNTABILITY: "Verantwoording en toezicht",
}

AUDIT_COLUMNS: Final[Mapping[str, str]] = {
    "seq": "Volgnummer",
    "started_at": "Begonnen op",
    "ended_at": "Geëindigd op",
    "action": "Handeling",
    "outcome": "Uitkomst",
    "processing_activity": "Verwerking",
    "reason": "Reden",
    "actor_user_id": "Gebruiker (id)",
    "actor_username": "Gebruikersnaam",
    "actor_partij_id": "Partij van gebruiker (id)",
    "actor_role": "Rol",
    "on_behalf_of": "Namens",
    "case_id": "Casus (id)",
    "phase": "Fase",
    "document_id": "Document (id)",
    "document_sha256": "Controlegetal document (SHA-256)",
    "provider_partij_id": "Aanleverende partij (id)",
    "data_categories": "Soorten gegevens",
    "purpose": "Doel",
    "legal_basis": "Grondslag",
    "consent_id": "Toestemming (id)",
    "justification": "Toelichting",
    "emergency": "Noodgeval",
    "client_address": "Netwerkadres",
    "user_agent": "Programma van gebruiker",
    "trace_id": "Trace-id",
    "span_id": "Span-id",
    "data_subject_ref": "Betrokkene (pseudoniem)",
    "prev_hash": "Hash van vorige regel",
    "hash": "Hash",
}
"""The column headers of the audit export in CSV, by field name of the API."""

PHASES: Final[Mapping[Phase, str]] = {
    Phase.AANMELDING: "Aanmelding en screening",
    Phase.TRIAGE: "Triage",
    Phase.RTO: "Ronde Tafel Overleg (RTO)",
    Phase.AFSCHALING: "Afschaling",
}

PURPOSES: Final[Mapping[Purpose, str]] = {
    Purpose.SCREENING: "Beoordelen of de casus past bij de criteria van het ZVH",
    Purpose.BEELDVORMING: "Een eerste beeld vormen en de screening aanvullen",
    Purpose.ROUTERING: "Besluiten over routering, doelen en thema's van het RTO en wie meedoet",
    Purpose.VOORBEREIDING_RTO: "Het RTO voorbereiden",
    Purpose.TOESTANDSBEELD: "Een gezamenlijk beeld van de situatie maken",
    Purpose.PLAN_VAN_AANPAK: "Het integrale plan van aanpak opstellen",
    Purpose.MONITORING: "De uitvoering en resultaten van het plan volgen",
    Purpose.VERDERE_VERSTREKKING: (
        "Besluiten of verder delen met een ander samenwerkingsverband nodig en toegestaan is"
    ),
    Purpose.AFSCHALEN: "Besluiten tot afschaling",
    Purpose.OPSCHALEN: "Besluiten tot opschaling",
    Purpose.OVERDRACHT: "Bepalen welke gegevens de casusregisseur nodig heeft en die overdragen",
}

DATA_CATEGORIES: Final[Mapping[DataCategory, str]] = {
    DataCategory.PERSONALIA: "Personalia",
    DataCategory.ADRES: "Adres",
    DataCategory.CONTACT: "Contactgegevens",
    DataCategory.WOONSITUATIE: "Woonsituatie",
    DataCategory.FINANCIEEL: "Financiële gegevens",
    DataCategory.RELATIES: "Relaties en sociale contacten",
    DataCategory.TOEZICHT_HANDHAVING: "Toezicht en handhaving",
    DataCategory.POLITIE_WPG_8_13: "Politiegegevens (art. 8 en 13 Wpg)",
    DataCategory.GEZONDHEID: "Gezondheid",
    DataCategory.RELIGIE: "Religie of levensovertuiging",
    DataCategory.ETNICITEIT: "Etnische afkomst",
    DataCategory.SEKSUEEL: "Seksueel leven of seksuele gerichtheid",
    DataCategory.STRAFRECHTELIJK: "Strafrechtelijke gegevens",
    DataCategory.STRAFVORDERLIJK: "Strafvorderlijke gegevens",
    DataCategory.TENUITVOERLEGGING: "Gegevens over de tenuitvoerlegging van straffen",
}

LEGAL_BASES: Final[Mapping[LegalBasis, str]] = {
    LegalBasis.AVG_6_1_E: "Taak van algemeen belang (art. 6 lid 1 sub e AVG)",
    LegalBasis.TOESTEMMING: "Uitdrukkelijke toestemming van de betrokkene",
    LegalBasis.WPG_ART_20: "Politiegegevens (art. 20 Wpg)",
    LegalBasis.WJSG_ART_8A: "Justitiële gegevens (art. 8a Wjsg)",
    LegalBasis.WJSG_ART_39F: "Justitiële gegevens (art. 39f Wjsg)",
    LegalBasis.WJSG_ART_51C: "Justitiële gegevens (art. 51c Wjsg)",
}

PARTIJ_KINDS: Final[Mapping[PartijKind, str]] = {
    PartijKind.BURGEMEESTER: "Burgemeester",
    PartijKind.COLLEGE: "College van burgemeester en wethouders",
    PartijKind.OM: "Openbaar Ministerie",
    PartijKind.POLITIE: "Politie",
    PartijKind.RVDK: "Raad voor de Kinderbescherming",
    PartijKind.VEILIG_THUIS: "Veilig Thuis",
    PartijKind.RECLASSERING: "Reclassering",
    PartijKind.GECERTIFICEERDE_INSTELLING: "Gecertificeerde instelling",
    PartijKind.GGZ: "Geestelijke gezondheidszorg (GGZ)",
    PartijKind.GGD: "GGD",
    PartijKind.DJI: "Dienst Justitiële Inrichtingen",
    PartijKind.SLACHTOFFERHULP: "Slachtofferhulp Nederland",
    PartijKind.ZORGAANBIEDER: "Zorg- of hulpaanbieder",
    PartijKind.WONINGCORPORATIE: "Woningcorporatie",
    PartijKind.OVERIG: "Andere partij",
    PartijKind.ZVH: "Zorg- en Veiligheidshuis",
}

ROLES: Final[Mapping[Role, str]] = {
    Role.PROCESREGISSEUR: "Procesregisseur",
    Role.CASUSREGISSEUR: "Casusregisseur",
    Role.DEELNEMER: "Deelnemer aan het RTO",
    Role.PARTNER: "Medewerker van een partner",
    Role.MANAGER: "Manager van het ZVH",
    Role.ADMINISTRATIEF: "Administratief medewerker",
    Role.FG: "Functionaris gegevensbescherming (FG)",
}

CLOSING_REASONS: Final[Mapping[ClosingReason, str]] = {
    ClosingReason.NIET_TOEGELATEN: "Past niet bij de criteria van het ZVH",
    ClosingReason.ELDERS_BELEGD: "Elders belegd",
}

RULES: Final[Mapping[Rule, str]] = {
    Rule.ACCESS_ACCOUNT: "Account is actief",
    Rule.ACCESS_EXPLAIN: "Overzicht van toegang",
    Rule.ACCESS_EXPLAIN_ROLE: "Wie het overzicht van toegang ziet",
    Rule.ACCESS_PARTIJ_WITHDRAWN: "Partij doet mee aan het convenant",
    Rule.ACCESS_SCREENING: "VOG en geheimhoudingsverklaring aanwezig",
    Rule.ACCESS_ZVH_ROLE: "ZVH-rollen alleen bij het ZVH",
    Rule.ARCHIVE_ACCESS_ACCOUNT: "Account van wie archieftoegang krijgt is actief",
    Rule.ARCHIVE_ACCESS_PARTIJ_WITHDRAWN: "Partij van wie archieftoegang krijgt doet mee",
    Rule.ARCHIVE_ACCESS_SCREENING: "Screening van wie archieftoegang krijgt",
    Rule.ARCHIVE_ACCESS_ZVH_ROLE: "ZVH-rollen van wie archieftoegang krijgt",
    Rule.ARCHIVE_ADMIT: "Manager geeft toegang tot archief",
    Rule.ARCHIVE_ADMITTEE_ROLE: "Rol van wie archieftoegang krijgt",
    Rule.ARCHIVE_DUPLICATE: "Eén toegang tot archief per persoon",
    Rule.ARCHIVE_ENDED: "Toegang tot archief is afgelopen",
    Rule.ARCHIVE_REASON: "Reden voor toegang tot archief",
    Rule.ARCHIVE_REGIME: "Toegang tot archief alleen voor gearchiveerde casus",
    Rule.ARCHIVE_REVOKE: "Manager trekt toegang tot archief in",
    Rule.ARCHIVE_ROLE: "Alleen de manager beslist over het archief",
    Rule.ARCHIVE_SELF: "Geen toegang tot archief aan uzelf",
    Rule.ARCHIVE_UNTIL: "Einddatum van toegang tot archief",
    Rule.AUDIT_READ_FG: "FG ziet logboek van eigen partij",
    Rule.AUDIT_READ_FG_ZVH: "FG van het ZVH ziet het hele logboek",
    Rule.AUDIT_READ_MANAGER: "Manager ziet het logboek",
    Rule.AUDIT_READ_ROLE: "Alleen manager en FG zien het logboek",
    Rule.AUDIT_READ_SCOPE: "FG ziet alleen eigen partij",
    Rule.CASE_AANMELDER: "Aanmelder hoort bij de aanmeldende partij",
    Rule.CASE_ARCHIVED: "Casus is gearchiveerd",
    Rule.CASE_ASSIGN: "Procesregisseur toewijzen",
    Rule.CASE_ASSIGN_ASSIGNEE: "Wie als procesregisseur wordt toegewezen",
    Rule.CASE_ASSIGN_DUPLICATE: "Procesregisseur is al toegewezen",
    Rule.CASE_ASSIGN_REASON: "Reden voor toewijzing",
    Rule.CASE_ASSIGN_REGIME: "Geen toewijzing in het archief",
    Rule.CASE_ASSIGN_ROLE: "Wie een procesregisseur toewijst",
    Rule.CASE_CLOSE: "Casus afsluiten",
    Rule.CASE_CLOSE_PHASE: "Afsluiten alleen bij aanmelding of triage",
    Rule.CASE_CLOSED: "Casus is afgesloten",
    Rule.CASE_DECIDED_AT: "Datum van het besluit",
    Rule.CASE_DESTROYED: "Casus is vernietigd",
    Rule.CASE_NOT_ASSIGNED: "Alleen toegewezen procesregisseurs",
    Rule.CASE_PHASE: "Naar de volgende fase",
    Rule.CASE_PHASE_FINAL: "Afschaling is de laatste fase",
    Rule.CASE_PHASE_ORDER: "Eén fase tegelijk, alleen vooruit",
    Rule.CASE_PHASE_ROLE: "Alleen de procesregisseur verandert de fase",
    Rule.CASE_REGISTER_ENTRY_MANAGER: "Manager ziet het casusregister",
    Rule.CASE_REGISTER_ENTRY_PROCESREGISSEUR: "Procesregisseur ziet het casusregister",
    Rule.CASE_REGISTER_ROLE: "Alleen een procesregisseur registreert casussen",
    Rule.CASE_REPORTER_WITHDRAWN: "Aanmeldende partij doet mee aan het convenant",
    Rule.CASE_RESTRICTED: "Beperkte toegang na het besluit",
    Rule.CASE_SEE_AANMELDER: "Aanmelder ziet de casus",
    Rule.CASE_SEE_GRANT: "Deelnemer met toegang ziet de casus",
    Rule.CASE_SEE_NONE: "Geen rol in de casus",
    Rule.CASE_SEE_PROCESREGISSEUR: "Procesregisseur ziet de casus",
    Rule.CONSENT_PARTIJ: "Alleen eigen partij trekt toestemming in",
    Rule.CONSENT_RECORD: "Toestemming vastleggen",
    Rule.CONSENT_ROLE: "Wie toestemming vastlegt of intrekt",
    Rule.CONSENT_WITHDRAW: "Toestemming intrekken",
    Rule.DOCUMENT_APPROVE: "Document goedkeuren voor nieuwe fase",
    Rule.DOCUMENT_APPROVE_PHASE: "Goedkeuren voor de huidige fase",
    Rule.DOCUMENT_APPROVE_PROVIDER: "Alleen de aanleverende partij keurt goed",
    Rule.DOCUMENT_APPROVE_PURPOSES: "Doelen van de goedkeuring horen bij de fase",
    Rule.DOCUMENT_APPROVE_SAME_PHASE: "Al aangeleverd voor deze fase",
    Rule.DOCUMENT_DOWNLOAD_AANMELDER: "Aanmelder opent het document",
    Rule.DOCUMENT_DOWNLOAD_CONSENT: "Toestemming is niet ingetrokken",
    Rule.DOCUMENT_DOWNLOAD_CONTROLLER_ONLY: "Aanleveren is geen rol in de casus",
    Rule.DOCUMENT_DOWNLOAD_GRANT: "Deelnemer met toegang opent het document",
    Rule.DOCUMENT_DOWNLOAD_GRANT_LIMIT: "Toegang geldt voor andere documenten",
    Rule.DOCUMENT_DOWNLOAD_HANDOVER: "Casusregisseur haalt overdracht op",
    Rule.DOCUMENT_DOWNLOAD_JUSTIFICATION: "Toelichting verplicht voor politie en OM",
    Rule.DOCUMENT_DOWNLOAD_NO_PART: "Geen rol in de casus om te openen",
    Rule.DOCUMENT_DOWNLOAD_PROCESREGISSEUR: "Procesregisseur opent het document",
    Rule.DOCUMENT_DOWNLOAD_PURPOSE: "Doel is toegestaan door de aanleverende partij",
    Rule.DOCUMENT_DOWNLOAD_PURPOSE_PHASE: "Doel hoort bij de fase",
    Rule.DOCUMENT_DOWNLOAD_REAPPROVAL: "Opnieuw goedgekeurd voor de fase",
    Rule.DOCUMENT_SEE_HANDOVER: "Casusregisseur ziet de overdracht",
    Rule.DOCUMENT_SEE_NONE: "Document niet zichtbaar",
    Rule.DOCUMENT_SEE_PROVIDER: "Aanleverende partij ziet het document",
    Rule.DOCUMENT_SEE_UPLOADER: "Wie aanleverde ziet het document",
    Rule.DOCUMENT_UPLOAD_RESUME: "Wie een aanlevering begon, zet die voort",
    Rule.DOCUMENT_UPLOAD_RESUME_OTHER: "Geen voortzetting van andermans aanlevering",
    Rule.DOCUMENT_UPLOAD_AANMELDER: "Aanmelder levert aan",
    Rule.DOCUMENT_UPLOAD_AFSCHALING: "Geen aanlevering na het besluit",
    Rule.DOCUMENT_UPLOAD_GRANT: "Deelnemer met toegang levert aan",
    Rule.DOCUMENT_UPLOAD_NO_PART: "Geen rol in de casus om aan te leveren",
    Rule.DOCUMENT_UPLOAD_PHASE: "Aanleveren voor de huidige fase",
    Rule.DOCUMENT_UPLOAD_PROCESREGISSEUR: "Procesregisseur levert aan",
    Rule.DOCUMENT_UPLOAD_ROLE: "Wie documenten aanlevert",
    Rule.FURTHER_USE_DECIDE: "Besluit over verder gebruik",
    Rule.FURTHER_USE_NO_PART: "Geen rol in de casus voor verder gebruik",
    Rule.FURTHER_USE_OWN: "Eigen document, geen toestemming nodig",
    Rule.FURTHER_USE_PROVIDER: "Alleen de aanleverende partij beslist over verder gebruik",
    Rule.FURTHER_USE_REQUEST: "Vraag om verder gebruik",
    Rule.GRANT_ACCESS_ACCOUNT: "Account van wie toegang krijgt is actief",
    Rule.GRANT_ACCESS_PARTIJ_WITHDRAWN: "Partij van wie toegang krijgt doet mee",
    Rule.GRANT_ACCESS_SCREENING: "Screening van wie toegang krijgt",
    Rule.GRANT_ACCESS_ZVH_ROLE: "ZVH-rollen van wie toegang krijgt",
    Rule.GRANT_AFSCHALING: "Geen nieuwe toegang na afschaling",
    Rule.GRANT_BEFORE_TRIAGE: "Toegang pas vanaf de triage",
    Rule.GRANT_CREATE: "Toegang geven",
    Rule.GRANT_DOCUMENTS: "Toegang tot documenten van de casus",
    Rule.GRANT_DUPLICATE: "Heeft al toegang",
    Rule.GRANT_ENDED: "Toegang is afgelopen",
    Rule.GRANT_GRANTEE_ROLE: "Rol van wie toegang krijgt",
    Rule.GRANT_REVOKE: "Toegang intrekken",
    Rule.GRANT_ROLE: "Alleen de procesregisseur geeft toegang",
    Rule.GRANT_UNTIL: "Einddatum van de toegang",
    Rule.HANDOVER_APPROVAL: "Goedgekeurd voor overdracht",
    Rule.HANDOVER_DOCUMENTS: "Documenten voor de overdracht",
    Rule.HANDOVER_NAME: "Overdracht vastleggen",
    Rule.HANDOVER_PHASE: "Overdracht bij het besluit tot afschaling",
    Rule.HANDOVER_RECIPIENT: "Wie de overdracht ontvangt",
    Rule.HANDOVER_WINDOW: "Termijn voor de overdracht",
    Rule.PARTIJ_ADD: "Partij toevoegen",
    Rule.PARTIJ_WITHDRAW: "Uittreden van partij vastleggen",
    Rule.PARTIJ_WITHDRAW_ROLE: "Alleen de manager legt uittreden vast",
    Rule.PARTIJ_ZVH_EXISTS: "Er is één Zorg- en Veiligheidshuis",
    Rule.PROVISION: "Partij mag aanleveren",
    Rule.PROVISION_CATEGORY: "Soort gegevens past bij de partij",
    Rule.PROVISION_LEGAL_BASIS: "Grondslag past bij de partij",
    Rule.USER_ROLE: "Rol past bij de partij",
    Rule.DOCUMENT_REMOVE: "Aanleverende partij verwijdert eigen document",
    Rule.DOCUMENT_REMOVE_HELD: "Geen verwijderen onder bewaarplicht",
    Rule.DOCUMENT_REMOVE_PROVIDER: "Alleen de aanleverende partij verwijdert",
    Rule.DOCUMENT_REMOVE_REASON: "Reden voor verwijderen van document",
    Rule.RETENTION_DESTROY_EARLY: "Procesregisseur vernietigt vervroegd",
    Rule.RETENTION_DESTROY_HELD: "Geen vernietiging onder bewaarplicht",
    Rule.RETENTION_DESTROY_OPEN: "Vervroegd vernietigen alleen na het besluit",
    Rule.RETENTION_DESTROY_REASON: "Reden voor vervroegd vernietigen",
    Rule.RETENTION_FIGURES: "Manager ziet de managementinformatie",
    Rule.RETENTION_FIGURES_ROLE: "Alleen de manager ziet de managementinformatie",
    Rule.RETENTION_HOLD: "Manager stelt bewaarplicht in",
    Rule.RETENTION_HOLD_DESTROYED: "Geen bewaarplicht na vernietiging",
    Rule.RETENTION_HOLD_DUPLICATE: "Eén bewaarplicht per casus",
    Rule.RETENTION_HOLD_REASON: "Reden voor bewaarplicht",
    Rule.RETENTION_HOLD_ROLE: "Alleen de manager stelt een bewaarplicht in",
    Rule.RETENTION_LIFT: "Manager heft bewaarplicht op",
    Rule.RETENTION_LIFT_NONE: "Alleen een bestaande bewaarplicht opheffen",
    Rule.RETENTION_LIFT_REASON: "Reden voor opheffen van bewaarplicht",
    Rule.RETENTION_OVERSEE: "Toezicht op vernietiging",
    Rule.RETENTION_OVERSEE_ROLE: "Alleen procesregisseur en manager zien de bewaarkalender",
    Rule.RETENTION_REPORT: "Verslag van vernietiging inzien",
    Rule.RETENTION_REPORT_ROLE: "Alleen manager en procesregisseur zien vernietigingsverslagen",
    Rule.RETENTION_TOMBSTONE: "Manager ziet dat een casus vernietigd is",
    Rule.USER_ROLE_ZVH_ONLY: "Rol alleen bij het ZVH",
}
