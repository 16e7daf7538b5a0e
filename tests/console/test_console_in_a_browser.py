"""The console in a real headless browser (Debian's chromium), against a real
``liaison serve --demo``: what two inspectors see of one enterprise, the language switch,
an amendment signed by two stewards, an auditor finding an inspector's read, and every way
a sign-in is refused — each with its message on the screen and its event in the audit trail.
"""

from __future__ import annotations

import httpx
from playwright.sync_api import Playwright

from console.browser import (
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    Browser,
    browser,
    choose_purpose,
    open_enterprise,
    sign_in,
    states,
)
from console.live_api import expire_sign_ins, graphql, sign_ins_of
from live_process import Served

ENTERPRISE = (
    "913101156103048027"  # 上海永宏精细化学品股份有限公司: customs entries, an emergency risk
)
MASKED_BY_THE_REGISTRY = {"address", "legal_representative", "contact_phone"}


def no_problems(opened: Browser) -> None:
    assert opened.problems == []


def test_an_emergency_and_a_customs_inspector_see_one_enterprise_as_the_memorandum_grants(
    console_demo: Served, playwright: Playwright
) -> None:
    with browser(playwright) as emergency:
        sign_in(emergency, console_demo.url, "emergency.inspector")
        choose_purpose(emergency, "joint_inspection")
        emergency.page.wait_for_selector("#ledger-table")
        emergency.screenshot("ledger")
        open_enterprise(emergency, console_demo.url, ENTERPRISE)
        emergency.screenshot("enterprise-emergency")
        entries_for_emergency = states(emergency, "dangerous_chemical_entry", "customs")
        registry_for_emergency = states(emergency, "enterprise", "market")
        withheld_note = emergency.page.text_content(
            "[data-field='dangerous_chemical_entry.declared_value'][data-state=withheld]"
        )
        no_problems(emergency)

    with browser(playwright) as customs:
        sign_in(customs, console_demo.url, "customs.inspector")
        choose_purpose(customs, "joint_inspection")
        open_enterprise(customs, console_demo.url, ENTERPRISE)
        customs.screenshot("enterprise-customs")
        entries_for_customs = states(customs, "dangerous_chemical_entry", "customs")
        risks_for_customs = states(customs, "risk", "emergency")
        registry_for_customs = states(customs, "enterprise", "market")
        no_problems(customs)

    assert entries_for_emergency["withheld"] == {
        "declaration_number",
        "declared_value",
        "consignee",
    }
    assert entries_for_emergency["masked"] == {"quantity"}
    assert "withheld" not in entries_for_customs
    assert "masked" not in entries_for_customs
    assert risks_for_customs["withheld"] == {"description", "closed_on", "evidence"}
    assert risks_for_customs["masked"] == {"rectification_deadline"}
    assert registry_for_emergency["masked"] == MASKED_BY_THE_REGISTRY
    assert registry_for_customs["masked"] == MASKED_BY_THE_REGISTRY
    assert "withheld" not in registry_for_emergency
    assert withheld_note == (
        "withheld Needs a grant Customs → Emergency management bureau of "
        "dangerous_chemical_entry.declared_value for Joint inspection. Agreements between "
        "you that could carry it: ftz-joint-supervision-memorandum (v1, active)."
    )


def test_the_language_switches_to_chinese_and_back_and_is_remembered(
    console_demo: Served, playwright: Playwright
) -> None:
    with browser(playwright) as opened:
        page = opened.page
        sign_in(opened, console_demo.url, "emergency.inspector")
        choose_purpose(opened, "joint_inspection", "CASE-2026-0417")
        open_enterprise(opened, console_demo.url, ENTERPRISE)
        english_date = page.text_content(
            "[data-section=enterprise] [data-field='enterprise.registered_on']"
        )

        page.click("button[data-language=zh-CN]")
        page.wait_for_selector("html[lang=zh-CN] h1[data-uscc]")
        chinese_date = page.text_content(
            "[data-section=enterprise] [data-field='enterprise.registered_on']"
        )
        opened.screenshot("enterprise-zh")
        nav = page.eval_on_selector_all("nav.tabs a", "links => links.map(a => a.textContent)")
        quantity = page.text_content(
            "[data-field='dangerous_chemical_entry.quantity'][data-state=masked] .badge"
        )
        page.reload()
        page.wait_for_selector("html[lang=zh-CN] h1[data-uscc]")
        remembered = page.text_content("#current-purpose")
        page.click("button[data-language=en]")
        page.wait_for_selector("html[lang=en] h1[data-uscc]")
        no_problems(opened)

    assert english_date == "Nov 22, 2010"
    assert chinese_date == "2010年11月22日"
    # The three screens every inspector has, then the joint-supervision screens of the
    # workflows the API offers, every one of them in Chinese.
    assert nav[:3] == ["企业台账", "风险隐患", "共享协议"]
    assert nav[3:] == [
        "联合检查计划",
        "联合检查",
        "线索移送",
        "突发事件",
        "互认结果",
        "许可与认证",
        "联合惩戒名单",
    ]
    assert quantity == "已脱敏"
    assert remembered == "联合检查"


AMENDED = "customs-emergency-entry-values"
PROPOSE = """mutation($input: AgreementInput!) { proposeAgreement(input: $input) {
  agreement { version status } errors { message } } }"""
SIGN = """mutation($code: String!, $version: Int!) { signAgreement(code: $code, version: $version) {
  agreement { status } errors { message } } }"""
REVOKE = """mutation($code: String!) { revokeAgreement(code: $code) { agreement { status } } }"""


def _agreement_in_force(served: Served) -> None:
    terms = {
        "code": AMENDED,
        "title": "Entry values for joint inspections",
        "legalBasis": "FTZ-MOU-2026-01 art. 4",
        "purposes": ["joint_inspection"],
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2028-12-31T23:59:59Z",
        "parties": ["customs", "emergency"],
        "grants": [
            {
                "provider": "customs",
                "consumers": ["emergency"],
                "recordType": "dangerous_chemical_entry",
                "fields": [{"field": "port", "level": "FULL"}],
            }
        ],
    }
    proposed = graphql(served, PROPOSE, "customs", "steward", variables={"input": terms})
    assert proposed["data"]["proposeAgreement"]["errors"] == []
    for department in ("customs", "emergency"):
        signed = graphql(
            served, SIGN, department, "steward", variables={"code": AMENDED, "version": 1}
        )
        assert signed["data"]["signAgreement"]["errors"] == []
    assert signed["data"]["signAgreement"]["agreement"]["status"] == "active"


def test_two_stewards_sign_an_amendment_and_the_inspector_sees_the_new_field(
    console_demo: Served, playwright: Playwright
) -> None:
    _agreement_in_force(console_demo)
    try:
        with browser(playwright) as customs:
            page = customs.page
            sign_in(customs, console_demo.url, "customs.steward")
            choose_purpose(customs, "information_exchange")
            page.click("a[data-screen=agreements]")
            page.wait_for_selector("#grant-matrix")
            customs.screenshot("agreements")
            page.goto(f"{console_demo.url}/console#/agreements/{AMENDED}")
            page.click("#amend-agreement")
            page.select_option(
                "fieldset[data-grant='customs>emergency:dangerous_chemical_entry'] "
                "select[data-field=declared_value]",
                "MASKED",
            )
            page.click("#preview-amendment")
            page.wait_for_selector("#amendment-diff li")
            changes = page.eval_on_selector_all(
                "#amendment-diff li",
                "items => items.map(li => [li.dataset.change, li.textContent])",
            )
            customs.screenshot("amendment-preview")
            page.click("#propose-agreement")
            page.wait_for_selector(f"h1[data-agreement='{AMENDED}'][data-version='2']")
            page.click("#sign-agreement")
            page.wait_for_selector("#action-done")
            after_customs = page.get_attribute("h1[data-agreement]", "data-status")
            no_problems(customs)

        with browser(playwright) as emergency:
            page = emergency.page
            sign_in(emergency, console_demo.url, "emergency.steward")
            choose_purpose(emergency, "joint_inspection")
            page.goto(f"{console_demo.url}/console#/agreements/{AMENDED}")
            page.click("#open-proposal")
            page.wait_for_selector("#sign-agreement")
            page.click("#sign-agreement")
            page.wait_for_selector("#action-done")
            emergency.screenshot("amendment-signed")
            after_emergency = page.get_attribute("h1[data-agreement]", "data-status")
            no_problems(emergency)

        with browser(playwright) as inspector:
            sign_in(inspector, console_demo.url, "emergency.inspector")
            choose_purpose(inspector, "joint_inspection")
            open_enterprise(inspector, console_demo.url, ENTERPRISE)
            entries = states(inspector, "dangerous_chemical_entry", "customs")
            no_problems(inspector)
    finally:
        graphql(console_demo, REVOKE, "customs", "steward", variables={"code": AMENDED})

    assert changes == [
        [
            "emergency:dangerous_chemical_entry.declared_value:NONE>MASKED",
            "+ Emergency management bureau gains dangerous_chemical_entry.declared_value "
            "from Customs: masked",
        ]
    ]
    assert after_customs == "proposed"
    assert after_emergency == "active"
    assert entries["withheld"] == {"declaration_number", "consignee"}
    assert entries["masked"] == {"quantity", "declared_value"}


def test_an_auditor_finds_the_inspectors_read_with_its_purpose_and_case(
    console_demo: Served, playwright: Playwright
) -> None:
    with browser(playwright) as inspector:
        sign_in(inspector, console_demo.url, "emergency.inspector")
        choose_purpose(inspector, "joint_inspection", "CASE-2026-0521")
        open_enterprise(inspector, console_demo.url, ENTERPRISE)
        no_problems(inspector)

    with browser(playwright) as auditor:
        page = auditor.page
        sign_in(auditor, console_demo.url, "customs.auditor")
        choose_purpose(auditor, "")
        page.click("a[data-screen=audit]")
        page.wait_for_selector("#chain-status")
        page.fill("input[name=enterpriseUscc]", ENTERPRISE)
        page.fill("input[name=caseReference]", "CASE-2026-0521")
        page.click("#audit-search")
        page.wait_for_selector("#access-log tbody tr")
        auditor.screenshot("audit")
        rows = page.eval_on_selector_all(
            "#access-log tbody tr",
            "rows => rows.map(r => [r.dataset.subject, r.dataset.outcome, "
            "[...r.querySelectorAll('[data-disclosure]')].map(d => d.dataset.disclosure)])",
        )
        chain = page.get_attribute("#chain-status", "data-intact")
        no_problems(auditor)

    assert len(rows) == 1
    subject, outcome, disclosures = rows[0]
    assert (subject, outcome) == ("user:emergency.inspector", "PARTIAL")
    assert "customs:dangerous_chemical_entry.quantity:masked" in disclosures
    assert "customs:dangerous_chemical_entry.declared_value:none" in disclosures
    assert chain == "true"


def test_a_wrong_password_is_refused_on_the_login_page_and_audited(
    console_demo: Served, playwright: Playwright
) -> None:
    with browser(playwright) as opened:
        sign_in(opened, console_demo.url, "park.inspector", "not-the-password-at-all")
        message = opened.page.text_content("#sign-in-message")
        opened.screenshot("sign-in-refused")

    assert message == "Wrong username or password.用户名或密码错误。"
    assert sign_ins_of(console_demo, "password.", "park")[0] == {
        "subject": "user:park.inspector",
        "operationType": "login",
        "operationName": "password.wrong_password",
        "outcome": "DENIED",
    }


def _tamper_before_submitting(opened: Browser, base: str, username: str, key: str) -> None:
    page = opened.page
    page.goto(f"{base}/console")
    page.click("button[data-provider=liaison]")
    page.wait_for_selector("#username")
    # The login page is this origin too: the pending sign-in is in this tab's sessionStorage.
    page.evaluate(
        """key => { const saved = JSON.parse(sessionStorage.getItem('liaison.sign-in'));
                    saved[key] = 'tampered-' + saved[key];
                    sessionStorage.setItem('liaison.sign-in', JSON.stringify(saved)); }""",
        key,
    )
    page.fill("#username", username)
    page.fill("#password", f"{username}-demo-pass")
    page.click("button[type=submit]")
    page.wait_for_selector("#sign-in-message")


def test_a_tampered_state_is_refused_by_the_console_and_the_code_refused_in_the_audit(
    console_demo: Served, playwright: Playwright
) -> None:
    with browser(playwright) as opened:
        _tamper_before_submitting(opened, console_demo.url, "ecology.inspector", "state")
        message = opened.page.text_content("#sign-in-message")
        signed_in = opened.page.evaluate("sessionStorage.getItem('liaison.session')")
        address = opened.page.url

    assert message == (
        "The answer to this sign-in does not belong to the sign-in this console started (the "
        "state parameter does not match). Nothing was signed in; the code was refused."
    )
    assert signed_in is None
    assert "code=" not in address
    assert sign_ins_of(console_demo, "code", "ecology")[0] == {
        "subject": "user:ecology.inspector",
        "operationType": "login",
        "operationName": "code.missing_verifier",
        "outcome": "DENIED",
    }


def test_a_tampered_pkce_verifier_is_refused_by_the_token_endpoint_and_audited(
    console_demo: Served, playwright: Playwright
) -> None:
    with browser(playwright) as opened:
        _tamper_before_submitting(opened, console_demo.url, "market.inspector", "verifier")
        message = opened.page.text_content("#sign-in-message")

    assert message == (
        "The sign-in server refused the code: code_verifier does not match the "
        "code_challenge of the authorization request"
    )
    assert sign_ins_of(console_demo, "code", "market")[0]["operationName"] == (
        "code.wrong_verifier"
    )


def test_a_revoked_refresh_token_ends_the_session_with_its_reason(
    console_demo: Served, playwright: Playwright
) -> None:
    with browser(playwright) as opened:
        page = opened.page
        sign_in(opened, console_demo.url, "park.steward")
        choose_purpose(opened, "joint_inspection")
        refresh = page.evaluate("JSON.parse(sessionStorage.getItem('liaison.session')).refresh")
        revoked = httpx.post(
            f"{console_demo.url}/oauth/revoke",
            data={"token": refresh, "client_id": "liaison-console"},
        )
        page.reload()  # the access token was in memory: the console refreshes
        page.wait_for_selector("#sign-in-message")
        message = page.text_content("#sign-in-message")

    assert revoked.status_code == 200
    assert message == ("Your session has ended: refresh token has been revoked. Sign in again.")
    assert sign_ins_of(console_demo, "refresh", "park")[0]["operationName"] == "refresh.revoked"


def test_an_expired_session_ends_with_its_reason_and_is_audited(
    console_demo: Served, playwright: Playwright
) -> None:
    with browser(playwright) as opened:
        page = opened.page
        sign_in(opened, console_demo.url, "ecology.steward")
        choose_purpose(opened, "")
        page.wait_for_selector("#ledger-table")
        expire_sign_ins(console_demo)
        page.reload()
        page.wait_for_selector("#sign-in-message")
        message = page.text_content("#sign-in-message")
        opened.screenshot("session-expired")

    assert message == "Your session has ended: refresh token has expired. Sign in again."
    assert sign_ins_of(console_demo, "refresh", "ecology")[0]["operationName"] == "refresh.expired"


def test_signing_out_revokes_the_sign_in(console_demo: Served, playwright: Playwright) -> None:
    with browser(playwright) as opened:
        page = opened.page
        sign_in(opened, console_demo.url, "customs.auditor")
        choose_purpose(opened, "")
        page.click("#sign-out")
        page.wait_for_selector("#sign-in-message")
        message = page.text_content("#sign-in-message")
        kept = page.evaluate("sessionStorage.getItem('liaison.session')")

    assert message == "You are signed out."
    assert kept is None
    assert sign_ins_of(console_demo, "logout", "customs")[0]["subject"] == "user:customs.auditor"


def test_every_screen_works_on_a_tablet_by_keyboard_without_scrolling_sideways(
    console_demo: Served, playwright: Playwright
) -> None:
    for name, viewport in (("landscape", TABLET_LANDSCAPE), ("portrait", TABLET_PORTRAIT)):
        with browser(playwright, viewport) as opened:
            page = opened.page
            sign_in(opened, console_demo.url, "customs.auditor")
            choose_purpose(opened, "information_exchange")
            page.wait_for_selector("#ledger-table")
            visited = []
            for screen in ("risks", "agreements", "audit", "ledger"):
                page.focus(f"a[data-screen={screen}]")
                page.keyboard.press("Enter")
                page.wait_for_selector(f"a[data-screen={screen}][aria-current=page]")
                page.wait_for_selector("main h1:focus")
                page.wait_for_timeout(300)
                opened.screenshot(f"tablet-{name}-{screen}")
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                visited.append((screen, overflow))
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.tagName")
            no_problems(opened)

        assert visited == [("risks", 0), ("agreements", 0), ("audit", 0), ("ledger", 0)]
        assert focused in {"A", "BUTTON", "INPUT", "SELECT", "DIV"}


def test_the_joint_supervision_screens_list_what_the_api_lets_the_inspector_see(
    console_demo: Served, playwright: Playwright
) -> None:
    with browser(playwright) as opened:
        page = opened.page
        sign_in(opened, console_demo.url, "emergency.inspector")
        choose_purpose(opened, "joint_inspection")
        page.wait_for_selector("#ledger-table")
        shown = {}
        for screen in ("plans", "visits", "recognitions", "certificates", "discipline"):
            page.click(f"a[data-screen='joint/{screen}']")
            page.wait_for_selector(f"a[data-screen='joint/{screen}'][aria-current=page]")
            page.wait_for_selector("main table.data tbody tr")
            current = page.eval_on_selector_all("nav a[aria-current=page]", "links => links.length")
            assert current == 1, f"{current} tabs marked current on {screen}"
            shown[screen] = page.eval_on_selector_all(
                "main table.data tbody tr", "rows => rows.length"
            )
            opened.screenshot(f"joint-{screen}")
        no_problems(opened)

    # The demo's plan and visit (the bureau takes part), recognitions it owns or is the
    # recognised department of, certificates and discipline entries as the memorandum shares.
    assert all(rows > 0 for rows in shown.values()), shown


def test_the_risks_screen_charts_what_it_loaded_and_says_so(
    console_demo: Served, playwright: Playwright
) -> None:
    with browser(playwright) as opened:
        page = opened.page
        sign_in(opened, console_demo.url, "emergency.inspector")
        choose_purpose(opened, "joint_inspection")
        page.click("a[data-screen=risks]")
        page.wait_for_selector("#chart-zone-status[data-rendered=true] svg")
        opened.screenshot("risks")
        loaded = page.get_attribute("#risks-loaded", "data-loaded")
        caption = page.text_content(".chart-figure figcaption")
        figures = page.eval_on_selector_all(
            "table[data-chart=chart-zone-status] td[data-value]",
            "cells => cells.reduce((sum, c) => sum + Number(c.dataset.value), 0)",
        )
        first_rows = page.eval_on_selector_all(
            "#risks-table tbody tr", "rows => rows.slice(0, 3).map(r => r.dataset.overdue)"
        )
        no_problems(opened)

    assert loaded == "200"
    assert caption == "Hidden dangers by zone and status (of the 200 loaded)"
    assert figures == 200
    assert first_rows == ["true", "true", "true"]
