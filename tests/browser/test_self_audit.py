"""The self-audit journeys in a real browser (Debian's Chromium), with axe on every page.

They use the real default standard, loaded from its file. To keep them fast, the sections a
journey does not walk through are answered directly in the database (with the demo's answer
generator), and axe runs once for each distinct page state: empty, with errors, completed.
"""

import random
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from accounts.services import grant_role
from audits.demo import generate_answers
from audits.models import Declaration
from audits.services import applicable_requirements, start_declaration, today
from providers.models import Provider
from standards.models import StandardVersion
from standards.services import load_version, publish_version
from standards.vocabulary import ProviderType
from tests import mfa
from tests.accounts.factories import UserFactory
from tests.browser.axe import assert_accessible
from tests.providers.factories import AreaFactory, ProviderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-tests-password-1"
STANDARD_FILE = Path(settings.BASE_DIR) / "standards" / "data" / "send-statutory-baseline-1.0.yaml"


@pytest.fixture
def standard() -> StandardVersion:
    load_version(text=STANDARD_FILE.read_text(encoding="utf-8"))
    return publish_version(slug="send-statutory-baseline", version="1.0")


def editor_of(provider: Provider, email: str) -> User:
    user = UserFactory(email=email, password=PASSWORD, full_name="Hana Head")
    grant_role(user=user, role=Role.PROVIDER_EDITOR, scope=provider)
    return user


@pytest.fixture
def school(standard) -> Provider:
    return ProviderFactory(
        name="Edward Wilson Primary School", area=AreaFactory(name="Westminster")
    )


def prefill(declaration: Declaration, *, leave: set[str]) -> None:
    """Answer every section except those in `leave` (by section code), completely."""
    requirements = applicable_requirements(declaration)
    rows = generate_answers(
        requirements, rng=random.Random(7), strength=0.8, slug="school", anchor=today()
    )
    for answer in declaration.answers.select_related("requirement__section"):
        if answer.requirement.section.code in leave:
            continue
        row = rows[answer.requirement_key]
        if row["not_applicable"]:
            answer.not_applicable, answer.not_applicable_reason = True, row["reason"]
        else:
            answer.set_value(row["value"])
        answer.evidence_url, answer.evidence_note = row["evidence_url"], row["evidence_note"]
        answer.save()


def sign_in(page: Page, base: str, email: str, *, check: bool = False) -> None:
    """Email and password, then the code from the person's authenticator if they have one."""
    mfa.sign_in(page, base, email, PASSWORD, check=assert_accessible if check else None)


def save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="Save and continue").click()


def expect_error(page: Page, message: str, label: str) -> None:
    """The GOV.UK error pattern: title prefix, summary linking to the field, message at the field."""
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(message)
    expect(page.locator(".govuk-error-message", has_text=message)).to_be_visible()
    assert_accessible(page, label)


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(text)


# ---- a headteacher completes a whole declaration for a school ------------------------------------


def test_headteacher_completes_a_declaration(live_server, page: Page, school):
    base = live_server.url
    email = "head@example.org"
    editor_of(school, email)

    sign_in(page, base, email, check=True)
    page.get_by_role("link", name=f"SEND self-audit for {school.name}").click()
    heading(page, "SEND self-audit")
    expect(page.get_by_text("There are 58 questions")).to_be_visible()
    assert_accessible(page, "self-audit page, not started")
    page.get_by_role("button", name="Start now").click()

    heading(page, "Your declaration for")
    expect(page.get_by_text("You have completed 0 of 11 sections.")).to_be_visible()
    assert_accessible(page, "task list, empty")
    declaration = Declaration.objects.get(provider=school)
    prefill(declaration, leave={"LEADERSHIP", "WORKFORCE"})
    page.reload()
    expect(page.get_by_text("You have completed 9 of 11 sections.")).to_be_visible()

    # Leadership: radios, a web address, dates, text; errors met and corrected.
    page.get_by_role("link", name="Leadership, governance and policy").click()
    assert_accessible(page, "yes/no question, empty")
    save_and_continue(page)
    expect_error(page, "Select yes or no", "yes/no question with an error")
    page.locator(".govuk-error-summary").get_by_role("link", name="Select yes or no").click()
    expect(page.locator("#value")).to_be_focused()
    page.get_by_label("Yes", exact=True).check()
    save_and_continue(page)

    page.get_by_role("textbox", name=re.compile("web address of your school")).fill(
        "www.school.example.org/send"
    )
    save_and_continue(page)
    expect_error(page, "Enter a web address that starts with https://", "web address with an error")
    field = page.get_by_role("textbox", name=re.compile("web address of your school"))
    expect(field).to_have_value("www.school.example.org/send")  # kept exactly as typed
    field.fill("https://www.school.example.org/send")
    save_and_continue(page)

    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    save_and_continue(page)
    expect_error(page, "The date must be a real date", "date with an error")
    expect(page.get_by_label("Day")).to_have_value("31")
    page.get_by_label("Day").fill("3")
    save_and_continue(page)

    page.get_by_role("textbox", name=re.compile("governor, trustee or committee")).fill(
        "Mrs A Khan, SEND governor"
    )
    save_and_continue(page)

    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("10")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_text("Your answers have been saved")).to_be_visible()
    expect(page.get_by_text("You have completed 10 of 11 sections.")).to_be_visible()

    # Sign out, come back, continue.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, email)
    page.get_by_role("link", name=f"SEND self-audit for {school.name}").click()
    expect(page.get_by_text("46 of 58 questions answered")).to_be_visible()
    page.get_by_role("button", name="Continue").click()

    # Submitting too early lists what is missing.
    page.goto(base + f"/declarations/{declaration.pk}/check/")
    page.get_by_role("button", name="Accept and submit").click()
    assert page.title().startswith("Error: ")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Date the SENCO was appointed: Enter a date"
    )
    assert page.locator(".govuk-error-summary__list li").count() == 12
    assert page.locator(".govuk-summary-list .govuk-error-message").count() == 12
    assert_accessible(page, "check answers with errors")
    page.get_by_role("link", name="Back").click()

    # SENCO and workforce: checkboxes, single choice, not applicable, evidence, numbers.
    page.get_by_role("link", name="SENCO and workforce").click()
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2021")
    save_and_continue(page)

    page.get_by_label("None of these").check()
    page.get_by_label("Holds qualified teacher status").check()
    expect(page.get_by_label("None of these")).not_to_be_checked()  # "None of these" is exclusive
    page.get_by_label("Works as a teacher at this school").check()
    page.get_by_label("Has completed statutory induction").check()
    assert_accessible(page, "checkboxes question, answered")
    save_and_continue(page)

    page.get_by_label("National Professional Qualification for SENCOs").check()
    assert_accessible(page, "single choice question, answered")
    save_and_continue(page)

    for check in (True, False):  # the two dates of the national award: not applicable
        reason = page.get_by_label("Why does this not apply to you?")
        expect(reason).to_be_hidden()
        page.get_by_label("This does not apply to us").check()
        expect(reason).to_be_visible()  # the conditional reveal
        if check:
            save_and_continue(page)
            expect_error(
                page,
                "Enter why this does not apply to your setting",
                "not applicable without a reason",
            )
        page.get_by_label("Why does this not apply to you?").fill(
            "Our SENCO holds the national professional qualification."
        )
        save_and_continue(page)

    page.get_by_label("Yes", exact=True).check()
    save_and_continue(page)
    expect_error(
        page, "Enter a web address or a note for the evidence", "required evidence missing"
    )
    page.get_by_label("Web address of the evidence").fill(
        "https://www.school.example.org/senco-job-description"
    )
    save_and_continue(page)

    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2026")
    save_and_continue(page)
    for _ in range(2):
        page.get_by_label("Yes", exact=True).check()
        save_and_continue(page)
    page.get_by_label("Day").fill("5")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2026")
    save_and_continue(page)

    percentage = page.get_by_role("textbox", name=re.compile("percentage of your teachers"))
    assert percentage.get_attribute("inputmode") == "decimal"
    percentage.fill("lots")
    save_and_continue(page)
    expect_error(page, "Enter a number, like 12 or 95.5", "number with an error")
    page.get_by_role("textbox", name=re.compile("percentage of your teachers")).fill("92")
    save_and_continue(page)
    page.get_by_role("textbox", name=re.compile("teaching assistants")).fill("85")
    page.get_by_label("Note about the evidence").fill(
        "Training log signed by each member of staff."
    )
    # The visible count; a visually hidden copy is announced to screen readers after a pause.
    expect(page.locator(".govuk-character-count__status")).to_have_text(
        "You have 956 characters remaining"
    )
    save_and_continue(page)

    # All sections completed: check the answers, change one, submit.
    expect(page.get_by_text("You have completed 11 of 11 sections.")).to_be_visible()
    assert_accessible(page, "task list, completed")
    page.get_by_role("link", name="Check your answers and submit").click()
    heading(page, "Check your answers before submitting your declaration")
    assert_accessible(page, "check your answers")
    page.get_by_role(
        "link", name="Change policy for special educational needs is published"
    ).click()
    page.get_by_role("textbox", name=re.compile("web address of your school")).fill(
        "https://www.school.example.org/send-policy"
    )
    save_and_continue(page)
    heading(page, "Check your answers")
    expect(page.get_by_text("https://www.school.example.org/send-policy")).to_be_visible()
    page.get_by_role("button", name="Accept and submit").click()

    expect(page.locator(".govuk-panel__title")).to_have_text("Declaration submitted")
    assert_accessible(page, "confirmation")
    page.get_by_role("link", name="Go to your self-audit page").click()
    expect(page.get_by_text("58 of 58 questions answered")).to_be_visible()
    expect(page.get_by_role("button", name="Start a revision")).to_be_visible()
    assert_accessible(page, "self-audit page, submitted")
    page.get_by_role("link", name="View your submitted declaration").click()
    expect(page.get_by_text("Mrs A Khan, SEND governor")).to_be_visible()
    assert_accessible(page, "submitted declaration")
    declaration.refresh_from_db()
    assert declaration.status == "submitted"
    assert declaration.answers.get(requirement_key="SCH-TEACHERS-SEND-TRAINED").value == 92


# ---- the same, with the keyboard alone --------------------------------------------------------------


def focused(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e ? (e.id || e.textContent.trim()) : '' }"
    )


def tab_to(page: Page, target: str, limit: int = 80, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element with this id (or exactly this text) has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(page) == target:
            return
    raise AssertionError(f"{key} never reached {target!r}")


def enter(page: Page) -> None:
    """Press Enter and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_date(page: Page, day: str, month: str, year: str) -> None:
    tab_to(page, "value-day")
    page.keyboard.type(day)
    page.keyboard.press("Tab")
    page.keyboard.type(month)
    page.keyboard.press("Tab")
    page.keyboard.type(year)
    enter(page)


def test_a_whole_section_and_the_submission_work_with_the_keyboard_alone(
    live_server, page: Page, school
):
    base = live_server.url
    email = "keys@example.org"
    user = editor_of(school, email)
    declaration = start_declaration(provider=school, user=user).declaration
    prefill(declaration, leave={"LEADERSHIP"})

    page.goto(base + "/account/sign-in/")
    tab_to(page, "id_username")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    enter(page)
    expect(page.get_by_text(f"You are signed in as {email}")).to_be_visible()
    tab_to(page, f"SEND self-audit for {school.name}")
    enter(page)
    tab_to(page, "Continue")
    enter(page)
    tab_to(page, "Leadership, governance and policy")
    enter(page)

    # Radios: Tab into the group, Space selects the first option ("Yes").
    tab_to(page, "value")
    page.keyboard.press("Space")
    tab_to(page, "Save and continue")
    enter(page)
    # A web address, typed; Enter submits with the first button, "Save and continue".
    tab_to(page, "value")
    page.keyboard.type("https://www.school.example.org/send")
    enter(page)
    type_date(page, "1", "10", "2025")
    tab_to(page, "value")
    page.keyboard.type("The curriculum and standards committee")
    enter(page)
    # A date typed wrongly, then corrected, all from the keyboard.
    type_date(page, "14", "13", "2026")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The date must be a real date")
    tab_to(page, "value-month")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("10")
    enter(page)

    expect(page.get_by_text("You have completed 11 of 11 sections.")).to_be_visible()
    tab_to(page, "Check your answers and submit")
    enter(page)
    tab_to(page, "Accept and submit", backwards=True)  # from the end of the long page
    enter(page)
    expect(page.locator(".govuk-panel__title")).to_have_text("Declaration submitted")
    declaration.refresh_from_db()
    assert declaration.status == "submitted"
    answers = {a.requirement_key: a.value for a in declaration.answers.all()}
    assert answers["ALL-REGARD-TO-CODE"] is True
    assert answers["SCH-SEN-GOVERNOR"] == "The curriculum and standards committee"
    assert answers["SCH-SEND-REPORT-TO-GOVERNORS"].month == 10


# ---- early years settings and colleges: their own requirements ------------------------------------


def start_journey(
    page: Page, base: str, provider: Provider, email: str, questions: int
) -> Declaration:
    editor_of(provider, email)
    sign_in(page, base, email)
    page.get_by_role("link", name=f"SEND self-audit for {provider.name}").click()
    expect(page.get_by_text(f"There are {questions} questions")).to_be_visible()
    page.get_by_role("button", name="Start now").click()
    return Declaration.objects.get(provider=provider)


def submit(page: Page) -> None:
    page.get_by_role("link", name="Check your answers and submit").click()
    page.get_by_role("button", name="Accept and submit").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Declaration submitted")


def test_early_years_setting_and_college_journeys(live_server, page: Page, standard):
    base = live_server.url
    area = AreaFactory(name="Brighton and Hove")
    nursery = ProviderFactory(
        name="Little Acorns Day Nursery",
        area=area,
        provider_type=ProviderType.EARLY_YEARS_SETTING,
        urn="EY900001",
    )
    college = ProviderFactory(
        name="Brighton College of Further Education",
        area=area,
        provider_type=ProviderType.FURTHER_EDUCATION_COLLEGE,
        urn=None,
        ukprn="19998461",
    )

    # An early years setting: 18 questions in 10 sections, with its own SENCO questions.
    declaration = start_journey(page, base, nursery, "nursery@example.org", 18)
    tasks = page.locator(".govuk-task-list").first
    expect(tasks).not_to_contain_text("Disagreements and redress")
    expect(page.get_by_text("You have completed 0 of 10 sections.")).to_be_visible()
    assert_accessible(page, "task list, early years")
    prefill(declaration, leave={"WORKFORCE"})
    page.reload()
    page.get_by_role("link", name="SENCO and workforce").click()
    heading(page, "How is the role of special educational needs co-ordinator (SENCO) covered")
    assert_accessible(page, "early years SENCO question")
    page.get_by_label("A named member of staff is the SENCO").check()
    save_and_continue(page)
    page.get_by_label("An accredited level 3 early years SENCO qualification").check()
    save_and_continue(page)
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2026")
    save_and_continue(page)
    submit(page)
    assert {a.requirement_key for a in declaration.answers.all()} == {
        r.key for r in applicable_requirements(declaration)
    }
    assert declaration.answers.count() == 18

    # A college: 21 questions, with supported internships and careers guidance for 16 to 25.
    page.get_by_role("button", name="Sign out").click()
    declaration = start_journey(page, base, college, "college@example.org", 21)
    expect(page.get_by_text("You have completed 0 of 10 sections.")).to_be_visible()
    prefill(declaration, leave={"TRANSITIONS"})
    page.reload()
    page.get_by_role("link", name="Transitions and preparation for adulthood").click()
    page.locator("#value").fill("84")
    save_and_continue(page)
    page.locator("#value").fill("95")
    save_and_continue(page)
    page.locator("#value").fill("https://www.brightoncollege.example.org/careers")
    save_and_continue(page)
    internships = page.locator("#value")
    assert internships.get_attribute("inputmode") == "numeric"
    internships.fill("2.5")
    save_and_continue(page)
    expect_error(page, "Enter a whole number", "college whole number with an error")
    page.locator("#value").fill("6")
    save_and_continue(page)
    expect(page.get_by_text("You have completed 10 of 10 sections.")).to_be_visible()
    submit(page)
    assert declaration.answers.count() == 21
    assert not declaration.answers.filter(requirement_key__startswith="SCH-").exists()


# ---- the officers' pages ----------------------------------------------------------------------------


def test_officer_pages_have_no_wcag_22_aa_violations(live_server, page: Page):
    from audits.answers import AnswerInput
    from audits.services import review_declaration, save_answer, start_revision
    from tests.audits.factories import make_submitted_declaration
    from tests.standards.builders import document, make_version

    doc = document()
    doc["standard"]["slug"] = "send-statutory-baseline"
    version = make_version(doc, publish=True)
    area = AreaFactory(name="Westminster")
    school = ProviderFactory(name="Edward Wilson Primary School", area=area)
    late = ProviderFactory(name="Late Primary School", area=area)
    ProviderFactory(name="Later Still Primary School", area=area)
    answers = {
        "SCH-POLICY-URL": "https://www.school.example.org/send",
        "SCH-POLICY-REVIEWED": "2026-09-01",
    }
    submitted = make_submitted_declaration(provider=school, version=version, answers=answers)
    make_submitted_declaration(provider=late, version=version, answers=answers)
    officer = UserFactory(email="officer@example.org", password=PASSWORD, full_name="Omar Officer")
    grant_role(user=officer, role=Role.AREA_OFFICER, scope=area)
    editor = editor_of(school, "head@example.org")
    review_declaration(
        declaration=submitted,
        reviewer=officer,
        accept=False,
        challenges={"SCH-POLICY-URL": "The page does not mention SEN support."},
    )
    revision = start_revision(declaration=submitted, user=editor).declaration
    save_answer(
        declaration=revision,
        requirement_key="SCH-POLICY-URL",
        data=AnswerInput(value="https://www.school.example.org/send-support"),
        user=editor,
        expected_row_version=None,
    )

    base = live_server.url
    sign_in(page, base, "officer@example.org")
    page.get_by_role("link", name="Declaration rounds in Westminster").click()
    assert_accessible(page, "rounds, none")
    page.get_by_role("button", name="Open a round").click()
    page.get_by_role("button", name="Open the round").click()
    expect_error(page, "Enter the deadline", "open a round, with an error")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year", exact=True).fill(str(today().year + 1))
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_role("heading", name="Not submitted (1)")).to_be_visible()
    assert_accessible(page, "round")

    page.goto(base + f"/declarations/{submitted.pk}/")
    expect(page.get_by_text("The page does not mention SEN support.")).to_be_visible()
    assert_accessible(page, "returned declaration, with comments")
    page.goto(base + f"/declarations/{revision.pk}/history/")
    expect(page.get_by_text("https://www.school.example.org/send-support")).to_be_visible()
    assert_accessible(page, "history")

    page.goto(base + f"/declarations/{submitted.pk}/review/")
    page.get_by_label(re.compile("^Challenge this answer: SEN policy reviewed")).check()
    page.get_by_label("Return it to the provider with my comments").check()
    page.get_by_role("button", name="Confirm review").click()
    expect_error(
        page, "Enter why you challenge the answer to “SEN policy reviewed”", "review with an error"
    )
    page.get_by_label(re.compile("^Why do you challenge this answer")).nth(1).fill(
        "Please give the date of the meeting."
    )
    page.get_by_role("button", name="Confirm review").click()
    expect(
        page.get_by_text("You returned the declaration to Edward Wilson Primary School")
    ).to_be_visible()
    page.goto(base + "/reviews/")
    expect(page.get_by_role("link", name="Late Primary School", exact=True)).to_be_visible()
    assert_accessible(page, "declarations to review")


def test_a_save_after_someone_else_submitted_keeps_the_answer_on_screen(live_server, page: Page):
    from audits.answers import AnswerInput
    from audits.services import save_answer, submit_declaration
    from tests.standards.builders import document, make_version

    doc = document()
    doc["standard"]["slug"] = "send-statutory-baseline"
    make_version(doc, publish=True)
    school = ProviderFactory(name="Edward Wilson Primary School", area=AreaFactory())
    editor = editor_of(school, "head@example.org")
    colleague = UserFactory(email="senco@example.org", password=PASSWORD, full_name="Sam Senco")
    grant_role(user=colleague, role=Role.PROVIDER_EDITOR, scope=school)
    declaration = start_declaration(provider=school, user=editor, period=None).declaration
    for key, value in (
        ("SCH-POLICY-URL", "https://www.school.example.org/send"),
        ("SCH-POLICY-REVIEWED", "2026-09-01"),
    ):
        save_answer(
            declaration=declaration,
            requirement_key=key,
            data=AnswerInput(value=value),
            user=editor,
            expected_row_version=None,
        )

    base = live_server.url
    sign_in(page, base, "head@example.org")
    page.goto(base + f"/declarations/{declaration.pk}/questions/SCH-POLICY-URL/")
    page.locator("#value").fill("https://www.school.example.org/send-support")
    submit_declaration(declaration=declaration, user=colleague)
    save_and_continue(page)
    assert page.title().startswith("Error: ")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Sam Senco submitted this declaration at"
    )
    expect(page.get_by_text("https://www.school.example.org/send-support")).to_be_visible()
    assert_accessible(page, "answer not saved: submitted by someone else")
    page.get_by_role("button", name="Start a revision").click()
    expect(page).to_have_url(re.compile(r"/declarations/\d+/questions/SCH-POLICY-URL/$"))
    expect(page.get_by_text("Revision 2 started")).to_be_visible()
