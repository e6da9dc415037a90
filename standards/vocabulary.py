"""The fixed vocabularies that standards refer to: provider types, themes, strengths, answer types."""

from django.db import models


class ProviderType(models.TextChoices):
    EARLY_YEARS_SETTING = "early_years_setting", "Early years setting"
    MAINTAINED_NURSERY_SCHOOL = "maintained_nursery_school", "Maintained nursery school"
    MAINSTREAM_SCHOOL = "mainstream_school", "Mainstream school"
    SPECIAL_SCHOOL = "special_school", "Special school"
    ALTERNATIVE_PROVISION = (
        "alternative_provision",
        "Alternative provision (including pupil referral units)",
    )
    FURTHER_EDUCATION_COLLEGE = (
        "further_education_college",
        "Further education or sixth form college",
    )
    INDEPENDENT_SPECIALIST_PROVIDER = (
        "independent_specialist_provider",
        "Independent specialist provider",
    )
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    INTEGRATED_CARE_BOARD = "integrated_care_board", "Integrated care board"


class Theme(models.TextChoices):
    GOVERNANCE = "governance", "Leadership and governance"
    IDENTIFICATION = "identification", "Early identification and assessment"
    ORDINARILY_AVAILABLE_PROVISION = (
        "ordinarily_available_provision",
        "Ordinarily available provision and SEN support",
    )
    EHC_PLANS = "ehc_plans", "Education, health and care (EHC) plans"
    SPECIALIST_PROVISION = "specialist_provision", "Specialist provision and sufficiency"
    HEALTH = "health", "Health"
    TRANSITIONS = "transitions", "Transitions"
    PREPARATION_FOR_ADULTHOOD = "preparation_for_adulthood", "Preparation for adulthood"
    CO_PRODUCTION = "co_production", "Co-production with children, young people and parents"
    PUBLISHED_INFORMATION = "published_information", "Published information"
    ACCESSIBILITY = "accessibility", "Equality and accessibility"
    WORKFORCE = "workforce", "Workforce"
    REDRESS = "redress", "Disagreement and redress"
    FUNDING = "funding", "Funding"
    DATA = "data", "Data"


class Strength(models.TextChoices):
    MUST = "must", "Must (law)"
    SHOULD = "should", "Should (statutory guidance)"
    GOOD_PRACTICE = "good_practice", "Good practice"


class AnswerType(models.TextChoices):
    YES_NO = "yes_no", "Yes or no"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    URL = "url", "Web address"
    TEXT = "text", "Text"


PROVIDER_TYPE_ORDER = {value: index for index, value in enumerate(ProviderType.values)}

# Which rule operators can judge which answer types. "any" operators combine or wrap others.
OPERATORS_BY_ANSWER_TYPE: dict[str, frozenset[str]] = {
    AnswerType.YES_NO: frozenset({"is_yes", "is_no"}),
    AnswerType.NUMBER: frozenset({"number_at_least", "number_at_most", "number_between"}),
    AnswerType.DATE: frozenset(
        {"date_within", "date_older_than", "date_on_or_before", "date_on_or_after"}
    ),
    AnswerType.SINGLE_CHOICE: frozenset({"choice_in"}),
    AnswerType.MULTIPLE_CHOICE: frozenset({"includes_all", "includes_any"}),
    AnswerType.URL: frozenset({"https_url"}),
    AnswerType.TEXT: frozenset({"text_present"}),
}
ANY_TYPE_OPERATORS = frozenset({"answered", "all_of", "any_of", "if"})
ALL_OPERATORS = ANY_TYPE_OPERATORS.union(*OPERATORS_BY_ANSWER_TYPE.values())
