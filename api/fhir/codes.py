"""Every code system and code the FHIR export uses, as data (listed in docs/fhir.md).

SNOMED CT body sites are the structures the intake's confirmed sites name. Where no SNOMED CT
concept for the exact site was verified, the nearest verified parent is used and the exact site
stays in `bodySite.text` (marked `exact=False`): the metatarsal sites and the sesamoids under
"Foot structure", the medial malleolus under "Bone structure of tibia".
"""

import dataclasses

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PROVENANCE_AGENT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
LATERALITY_EXTENSION = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
URI_IDENTIFIER = "urn:ietf:rfc:3986"


@dataclasses.dataclass(frozen=True)
class Code:
    system: str
    code: str
    display: str

    def coding(self) -> dict:
        return {"system": self.system, "code": self.code, "display": self.display}

    def concept(self, text: str = "") -> dict:
        return {"coding": [self.coding()], "text": text or self.display}


@dataclasses.dataclass(frozen=True)
class BodySite:
    code: Code
    exact: bool = True  # False: a verified parent structure stands for the exact site


def _sct(code: str, display: str) -> Code:
    return Code(SNOMED, code, display)


_TIBIA = _sct("12611008", "Bone structure of tibia")
_TIBIAL_SHAFT = _sct("52687003", "Bone structure of shaft of tibia")
_FOOT = _sct("56459004", "Foot structure")

# The intake's confirmed-site codes (intake/rulesets, SITES) → SNOMED CT body structure.
BODY_SITES = {
    "femoral_neck": BodySite(_sct("29627003", "Structure of neck of femur")),
    "anterior_tibia": BodySite(_TIBIAL_SHAFT),
    "posteromedial_tibia": BodySite(_TIBIAL_SHAFT),
    "medial_malleolus": BodySite(_TIBIA, exact=False),
    "talus_lateral_process": BodySite(_sct("67453005", "Bone structure of talus")),
    "navicular": BodySite(_sct("75772009", "Bone structure of navicular")),
    "fifth_metatarsal_proximal": BodySite(_FOOT, exact=False),
    "second_metatarsal_base": BodySite(_FOOT, exact=False),
    "metatarsal_shaft_2_4": BodySite(_FOOT, exact=False),
    "sesamoids": BodySite(_FOOT, exact=False),
    "patella": BodySite(_sct("64234005", "Bone structure of patella")),
    "fibula": BodySite(_sct("87342007", "Bone structure of fibula")),
    "femoral_shaft": BodySite(_sct("41111004", "Bone structure of shaft of femur")),
    "pelvis": BodySite(_sct("66040006", "Bone structure of pubis")),
    "sacrum": BodySite(_sct("54735007", "Bone structure of sacrum")),
    "calcaneus": BodySite(_sct("80144004", "Bone structure of calcaneum")),
}

LATERALITY = {
    "left": _sct("7771000", "Left"),
    "right": _sct("24028007", "Right"),
    "both": _sct("51440002", "Right and left"),
}

STRESS_FRACTURE = _sct("240197007", "Stress fracture")
BONE_STRESS_INJURY_TEXT = "Bone stress injury (stress reaction or stress fracture)"

PAIN_NRS = Code(LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")

CATEGORY_ENCOUNTER_DIAGNOSIS = Code(
    CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis"
)
CATEGORY_SURVEY = Code(OBSERVATION_CATEGORY, "survey", "Survey")
CATEGORY_ACTIVITY = Code(OBSERVATION_CATEGORY, "activity", "Activity")
AGENT_ASSEMBLER = Code(PROVENANCE_AGENT_TYPE, "assembler", "Assembler")

CLINICAL_STATUS = {
    "active": Code(CONDITION_CLINICAL, "active", "Active"),
    "resolved": Code(CONDITION_CLINICAL, "resolved", "Resolved"),
}
VERIFICATION_STATUS = {
    "confirmed": Code(CONDITION_VERIFICATION, "confirmed", "Confirmed"),
    "provisional": Code(CONDITION_VERIFICATION, "provisional", "Provisional"),
    "unconfirmed": Code(CONDITION_VERIFICATION, "unconfirmed", "Unconfirmed"),
    "refuted": Code(CONDITION_VERIFICATION, "refuted", "Refuted"),
}

# Rebound's own codes, in code systems under the site's address (no standard code was found for
# a day's running distance; the intake's answer codes are the rule set's own).
LOCAL_OBSERVATION_PATH = "/fhir/CodeSystem/rebound-observation"
RUNNING_DISTANCE_CODE = "running-distance-day"
RUNNING_DISTANCE_DISPLAY = "Running distance in the day (runs and walk-runs)"
LOCAL_ANSWER_PATH = "/fhir/CodeSystem/rebound-intake-answer"
QUESTIONNAIRE_PATH = "/fhir/Questionnaire/rebound-intake"

GENDER = {"female": "female", "male": "male", "intersex": "other", "undisclosed": "unknown"}

CAREPLAN_STATUS = {
    "draft": "draft",
    "active": "active",
    "review": "on-hold",
    "completed": "completed",
    "ended": "revoked",
}
