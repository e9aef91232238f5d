"""The network import, assessment and per-aspiration views over HTTP: the REST API and the
dashboard's forms (no JavaScript), each checking whose data it is."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from service.app import App
from service.tracking import goals
from tests.api.conftest import User, event_count
from tests.api.test_dashboard import sign_in
from tests.contact_exports import LINKEDIN, VCARDS


def _import(client: TestClient, user: User, body: bytes, dry_run: bool) -> dict:  # type: ignore[type-arg]
    response = client.post(
        f"/api/v1/contacts/import?dry_run={str(dry_run).lower()}",
        content=body,
        headers={**user.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    found: dict = response.json()  # type: ignore[type-arg]
    return found


def test_rest_import_previews_then_applies_once(client: TestClient, ann: User, service: App) -> None:
    head = event_count(service)
    preview = _import(client, ann, LINKEDIN.encode(), dry_run=True)
    assert (preview["applied"], preview["counts"]["new"], event_count(service)) == (False, 3, head)
    assert preview["new"][0]["known_since"] == "2019-03-14"
    applied = _import(client, ann, LINKEDIN.encode(), dry_run=False)
    assert (applied["applied"], applied["appended"], event_count(service)) == (True, 3, head + 3)
    again = _import(client, ann, LINKEDIN.encode(), dry_run=False)
    assert (again["appended"], again["counts"]["known"], event_count(service)) == (0, 3, head + 3)


def test_rest_import_of_a_malformed_file_is_422_naming_the_card(
    client: TestClient, ann: User, service: App
) -> None:
    head = event_count(service)
    broken = VCARDS.replace("EMAIL:xiaolong.li@alt.example", "EMAIL xiaolong.li@alt.example")
    response = client.post(
        "/api/v1/contacts/import?dry_run=false", content=broken.encode(), headers=ann.headers
    )
    assert response.status_code == 422
    assert "card 2 (line 30)" in response.json()["detail"][0]["msg"]
    assert event_count(service) == head


def test_rating_and_gaps_over_rest_are_per_user(
    client: TestClient, ann: User, bob: User, service: App
) -> None:
    aspiration = goals.add_aspiration(
        service, ann.user_id, "Move into a product role at a climate startup", "new-job"
    )
    _import(client, ann, LINKEDIN.encode(), dry_run=False)
    card = client.get("/api/v1/network/assess/next", headers=ann.headers).json()["card"]
    assert card["name"] == "Ann Okafor"
    body = {"strength": 5, "tags": ["mentor"], "cadence_days": 30, "helps_with": [aspiration]}
    # Bob can neither rate Ann's contact nor set a goal on her aspiration: they are not his.
    assert (
        client.post(
            f"/api/v1/contacts/{card['contact_id']}/assessment", json=body, headers=bob.headers
        ).status_code
        == 404
    )
    assert client.get("/api/v1/network/assess/next", headers=bob.headers).json() == {"card": None}
    rated = client.post(f"/api/v1/contacts/{card['contact_id']}/assessment", json=body, headers=ann.headers)
    assert rated.status_code == 200 and rated.json()["card"]["name"] == "Maya Lin"
    [view] = client.get("/api/v1/network/aspirations", headers=ann.headers).json()
    assert [h["name"] for h in view["helpers"]] == ["Ann Okafor"]
    assert [g["kind"] for g in view["gaps"]] == ["no-one-at-kind"]
    url = f"/api/v1/network/aspirations/{aspiration}/gaps/no-one-at-kind/goal"
    assert client.post(url, headers=bob.headers).status_code == 404
    created = client.post(url, headers=ann.headers)
    assert created.status_code == 201
    [goal] = goals.list_goals(service, ann.user_id)
    assert (goal.goal_id, goal.aspiration_id) == (created.json()["goal_id"], aspiration)
    # the fields `netgoals network gaps --json` always printed are in the API's answer too
    [view] = client.get("/api/v1/network/aspirations", headers=ann.headers).json()
    [gap] = view["gaps"]
    assert (gap["goal_id"], gap["goal_title"], gap["shared_with"]) == (goal.goal_id, goal.title, None)
    assert gap["proposal"]["contact_kind"] == "climate startup"


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_dashboard_upload_preview_confirm_assess_and_close_a_gap(
    client: TestClient, ann: User, service: App
) -> None:
    aspiration = goals.add_aspiration(
        service, ann.user_id, "Move into a product role at a climate startup", "new-job"
    )
    sign_in(client, ann)
    page = client.get("/network/import")
    csrf = _csrf(page.text)
    head = event_count(service)
    preview = client.post(
        "/network/import", data={"csrf": csrf}, files={"file": ("Connections.csv", LINKEDIN.encode())}
    )
    assert preview.status_code == 200
    assert re.findall(r'class="count-(\w+)">(\d+)<', preview.text) == [
        ("new", "3"),
        ("known", "0"),
        ("conflicting", "0"),
    ]
    assert event_count(service) == head  # a preview appends nothing
    content = re.search(r'name="content" value="([^"]*)"', preview.text)
    assert content is not None
    done = client.post(
        "/network/import", data={"csrf": csrf, "confirm": "yes", "content": html.unescape(content.group(1))}
    )
    assert done.status_code == 200 and "Imported 3 new contacts" in done.text

    card = client.get("/network/assess")
    assert "Ann Okafor" in card.text and "Card 1 of 3" in card.text
    skip = re.search(r'class="skip" href="([^"]+)" accesskey="k"', card.text)
    assert skip is not None
    maya = client.get(html.unescape(skip.group(1)))
    assert "Maya Lin" in maya.text
    action = re.search(r'action="(/network/assess/[^"]+)"', maya.text)
    skipped = re.search(r'name="skipped" value="([^"]*)"', maya.text)
    assert action is not None and skipped is not None
    form = {
        "csrf": csrf,
        "strength": "5",
        "tags": "mentor, product",
        "cadence_days": "30",
        "helps_with": aspiration,
        "skipped": skipped.group(1),
    }
    assert client.post(action.group(1), data={**form, "strength": "9"}).status_code == 422
    after = client.post(action.group(1), data=form)
    assert after.status_code == 200 and "Tomás Ruiz" in after.text and "Saved." in after.text
    forged = client.post(action.group(1), data={**form, "csrf": "x" * 64})
    assert forged.status_code == 403

    gaps = client.get("/network/gaps")
    assert gaps.status_code == 200
    assert "Strength by aspiration" in gaps.text and "<svg" in gaps.text and "<script" not in gaps.text
    assert 'aria-label="Move into a product role at a climate startup: 1 at strength 5"' in gaps.text
    missing = client.post(f"/network/gaps/{aspiration}/no-strong-tie", data={"csrf": csrf})
    assert missing.status_code == 422 and "has no &#39;no-strong-tie&#39; gap" in missing.text
    assert (
        client.post(f"/network/gaps/{aspiration}/no-one-at-kind", data={"csrf": "x" * 64}).status_code == 403
    )
    closed = client.post(f"/network/gaps/{aspiration}/no-one-at-kind", data={"csrf": csrf})
    assert closed.status_code == 200 and "Goal set, linked to its aspiration." in closed.text
    assert "Goal set: Reach out to one new contact at a climate startup per week." in closed.text
    [goal] = goals.list_goals(service, ann.user_id)
    assert goal.aspiration_id == aspiration


def test_wrong_rows_are_all_shown_and_the_rest_imports_only_when_chosen(
    client: TestClient, ann: User, service: App
) -> None:
    wrong = LINKEDIN.replace("14 Mar 2019", "Tuesday").replace("30 Jun 2021", "31 Jun 2021")
    head = event_count(service)
    rest = client.post("/api/v1/contacts/import?dry_run=false", content=wrong.encode(), headers=ann.headers)
    assert rest.status_code == 422  # the REST default: all or nothing, every wrong row named
    detail = rest.json()["detail"]
    assert [(d["line"], d["card"], d["field"], d["loc"]) for d in detail] == [
        (5, None, "Connected On", ["body", "line 5"]),
        (8, None, "Connected On", ["body", "line 8"]),
    ]
    assert detail[0]["msg"].startswith("line 5: 'Tuesday' is not a date")
    assert detail[1]["problem"].startswith("'31 Jun 2021' is not a date")
    assert event_count(service) == head
    sign_in(client, ann)
    csrf = _csrf(client.get("/network/import").text)
    preview = client.post(
        "/network/import", data={"csrf": csrf}, files={"file": ("Connections.csv", wrong.encode())}
    )
    assert preview.status_code == 200
    assert "2 rows of the file cannot be imported" in preview.text
    assert (
        "line 5: &#39;Tuesday&#39; is not a date" in preview.text
        and "line 8: &#39;31 Jun 2021&#39;" in preview.text
    )
    assert re.findall(r'class="count-(\w+)">(\d+)<', preview.text)[0] == ("new", "1")
    assert "Import the rest, without the 2 wrong rows" in preview.text
    content = re.search(r'name="content" value="([^"]*)"', preview.text)
    assert content is not None
    form = {"csrf": csrf, "confirm": "yes", "content": html.unescape(content.group(1))}
    whole = client.post("/network/import", data=form)  # without the choice: all or nothing
    assert whole.status_code == 422 and "2 rows cannot be read" in whole.text
    assert event_count(service) == head
    done = client.post("/network/import", data={**form, "the_rest": "yes"})
    assert done.status_code == 200 and "Imported 1 new contact" in done.text
    assert event_count(service) == head + 1
    again = client.post("/network/import", data={**form, "the_rest": "yes"})  # a retry appends nothing
    assert again.status_code == 200 and event_count(service) == head + 1


def test_the_preview_says_which_lines_were_taken_as_the_same_person(
    client: TestClient, ann: User, service: App
) -> None:
    twice = LINKEDIN + "Maya,Lin,https://www.linkedin.com/in/MayaLin/,maya@grid.org,,,01 Jan 2018\r\n"
    preview = _import(client, ann, twice.encode(), dry_run=True)
    assert preview["merged"] == [{"name": "Maya Lin", "lines": ["line 5", "line 9"]}]
    assert preview["counts"]["new"] == 3  # one contact for the two lines
    sign_in(client, ann)
    csrf = _csrf(client.get("/network/import").text)
    page = client.post("/network/import", data={"csrf": csrf}, files={"file": ("c.csv", twice.encode())})
    assert "The same person on several lines" in page.text
    assert "<strong>Maya Lin</strong>: line 5, line 9" in page.text
    plain = client.post("/network/import", data={"csrf": csrf}, files={"file": ("c.csv", LINKEDIN.encode())})
    assert "The same person on several lines" not in plain.text


def test_vcard_categories_become_tags_of_new_and_known_contacts(
    client: TestClient, ann: User, service: App
) -> None:
    from service.people import contacts

    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@grid.org\r\nCATEGORIES:{}\r\nEND:VCARD\r\n"
    first = card.format("Climate,Mentor ,climate")
    preview = _import(client, ann, first.encode(), dry_run=True)
    assert preview["new"][0]["tags"] == ["climate", "mentor"]  # as the assessment writes tags, once each
    sign_in(client, ann)
    csrf = _csrf(client.get("/network/import").text)
    page = client.post("/network/import", data={"csrf": csrf}, files={"file": ("a.vcf", first.encode())})
    assert "tags: climate, mentor" in page.text
    _import(client, ann, first.encode(), dry_run=False)
    ((found, _),) = contacts.list_contacts(service, ann.user_id)
    assert found.tags == ("climate", "mentor")
    second = card.format("Investor") + card.format("Climate").replace("Ann Lee", "Ann Lee (work)")
    again = _import(client, ann, second.encode(), dry_run=False)
    assert again["merged"] == [{"name": "Ann Lee", "lines": ["card 1 (line 1)", "card 2 (line 7)"]}]
    ((found, _),) = contacts.list_contacts(service, ann.user_id)
    assert found.tags == ("climate", "investor", "mentor")  # the file's new category joins the others


_CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Maya Lin\r\nEMAIL:maya@grid.org\r\nORG:{org}\r\nTITLE:{title}\r\n"
    "REV:{rev}\r\nEND:VCARD\r\n"
)


def _post(client: TestClient, user: User, body: str, query: str):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/contacts/import?{query}", content=body.encode(), headers=user.headers)


def test_rest_on_conflict_keeps_takes_the_files_or_the_newer_value(
    client: TestClient, ann: User, service: App
) -> None:
    from service.people import contacts

    first = _CARD.format(org="Green Grid", title="Head of Product", rev="20200101T000000Z")
    assert _post(client, ann, first, "dry_run=false").status_code == 200  # added now: 2026-11-25
    older = _CARD.format(org="SolarLab", title="CTO", rev="20250101T000000Z")
    newer = _CARD.format(org="WindCo", title="CEO", rev="20261201T000000Z")

    def maya() -> tuple[str | None, str | None]:
        ((found, _),) = contacts.list_contacts(service, ann.user_id)
        return found.organisation, found.role

    preview = _post(client, ann, older, "dry_run=true&on_conflict=file").json()
    assert preview["on_conflict"] == "file" and preview["conflicts"][0]["taken"] == ["organisation", "role"]
    assert preview["conflicts"][0]["file_newer"] is False and maya() == ("Green Grid", "Head of Product")
    head = event_count(service)
    kept = _post(client, ann, older, "dry_run=false").json()  # keep is the default
    assert kept["conflicts"][0]["taken"] == [] and maya() == ("Green Grid", "Head of Product")
    assert kept["appended"] == 0 and event_count(service) == head
    # newer: the card's REV (2025) is before the contact's last change (added 2026-11-25): yours stay
    assert _post(client, ann, older, "dry_run=false&on_conflict=newer").json()["appended"] == 0
    assert maya() == ("Green Grid", "Head of Product")
    # a card revised after it: the file's values stand
    took = _post(client, ann, newer, "dry_run=false&on_conflict=newer").json()
    assert (took["appended"], took["conflicts"][0]["file_newer"]) == (1, True) and maya() == ("WindCo", "CEO")
    # file: the file's values whatever their age; again, nothing more
    _post(client, ann, older, "dry_run=false&on_conflict=file")
    assert maya() == ("SolarLab", "CTO")
    again = _post(client, ann, older, "dry_run=false&on_conflict=file").json()
    assert (again["appended"], again["conflicts"]) == (0, [])
    wrong = _post(client, ann, older, "dry_run=false&on_conflict=theirs")
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["query", "on_conflict"]


def test_rest_import_rest_imports_the_good_rows_and_lists_the_bad_ones(
    client: TestClient, ann: User, bob: User, service: App
) -> None:
    from service.people import contacts

    wrong = LINKEDIN.replace("14 Mar 2019", "Tuesday")
    head = event_count(service)
    preview = _post(client, ann, wrong, "dry_run=true&import_rest=true").json()
    assert preview["counts"]["new"] == 2 and event_count(service) == head
    done = _post(client, ann, wrong, "dry_run=false&import_rest=true").json()
    assert done["bad_rows"] == [
        {
            "where": "line 5",
            "line": 5,
            "card": None,
            "field": "Connected On",
            "problem": "'Tuesday' is not a date (like 12 Nov 2023 or 2023-11-12)",
        }
    ]
    assert done["left_out"] == ["line 5: 'Tuesday' is not a date (like 12 Nov 2023 or 2023-11-12)"]
    assert (done["appended"], event_count(service)) == (2, head + 2)
    # Bob's import of the same people is his: it neither matches nor changes Ann's contacts
    moved = LINKEDIN.replace("SolarLab,", "WindCo,")
    theirs = _post(client, bob, moved, "dry_run=false&on_conflict=file").json()
    assert (theirs["counts"]["new"], theirs["counts"]["known"], theirs["conflicts"]) == (3, 0, [])
    assert {c.organisation for c, _ in contacts.list_contacts(service, ann.user_id)} == {
        "SolarLab",
        "Carbonwise",
    }
    assert _post(client, User("x", "x", "not-a-token"), moved, "dry_run=false").status_code == 401


def test_a_vcard_with_bad_cards_answers_422_per_card_and_appends_nothing(
    client: TestClient, ann: User, service: App
) -> None:
    cards = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Nobody Inc\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Chen\r\nX-CONNECTED-ON:someday\r\nEND:VCARD\r\n"
    )
    head = event_count(service)
    refused = _post(client, ann, cards, "dry_run=false")
    assert refused.status_code == 422
    assert [(d["card"], d["line"], d["field"]) for d in refused.json()["detail"]] == [
        (2, 5, "FN"),
        (3, 9, "X-CONNECTED-ON"),
    ]
    assert event_count(service) == head
    whole = _post(client, ann, "not a contacts file", "dry_run=false")  # the file itself: one entry
    assert whole.status_code == 422 and whole.json()["detail"][0]["loc"] == ["body"]


def test_the_dashboard_preview_shows_conflicts_and_offers_the_choice(
    client: TestClient, ann: User, service: App
) -> None:
    from service.people import contacts

    _post(
        client, ann, _CARD.format(org="Green Grid", title="Head of Product", rev="20200101"), "dry_run=false"
    )
    sign_in(client, ann)
    csrf = _csrf(client.get("/network/import").text)
    moved = _CARD.format(org="WindCo", title="CEO", rev="20261201T000000Z")
    preview = client.post("/network/import", data={"csrf": csrf}, files={"file": ("m.vcf", moved.encode())})
    assert re.findall(r'class="count-(\w+)">(\d+)<', preview.text)[2] == ("conflicting", "1")
    assert "organisation: known &#39;Green Grid&#39;, file &#39;WindCo&#39;" in preview.text
    assert "the file's card changed after your last change" in preview.text
    choices = re.findall(r'name="on_conflict" value="(\w+)"( checked)?', preview.text)
    assert choices == [("keep", " checked"), ("file", ""), ("newer", "")]
    content = re.search(r'name="content" value="([^"]*)"', preview.text)
    assert content is not None
    form = {"csrf": csrf, "confirm": "yes", "content": html.unescape(content.group(1))}
    done = client.post("/network/import", data={**form, "on_conflict": "newer"})
    assert done.status_code == 200 and "1 known contact updated from the file" in done.text
    ((found, _),) = contacts.list_contacts(service, ann.user_id)
    assert (found.organisation, found.role) == ("WindCo", "CEO")
    head = event_count(service)
    odd = client.post("/network/import", data={**form, "on_conflict": "theirs"})
    assert odd.status_code == 422 and "unknown conflict choice" in odd.text and event_count(service) == head


def test_rest_contacts_take_role_and_an_http_linkedin_url_only(
    client: TestClient, ann: User, bob: User
) -> None:
    body = {
        "name": "Maya Lin",
        "role": "Head of Product",
        "linkedin_url": "https://www.linkedin.com/in/MayaLin/",
    }
    made = client.post("/api/v1/contacts", json=body, headers=ann.headers)
    assert made.status_code == 201, made.text
    found = made.json()
    assert (found["role"], found["linkedin_url"], found["known_since"]) == (
        "Head of Product",
        "linkedin.com/in/mayalin",
        None,
    )
    url = f"/api/v1/contacts/{found['contact_id']}"
    for wrong in ("javascript:alert(1)", "ftp://linkedin.com/in/maya", "https://example.org/in/maya"):
        refused = client.patch(url, json={"linkedin_url": wrong}, headers=ann.headers)
        assert refused.status_code == 422 and "is not a LinkedIn profile URL" in refused.text, wrong
    assert client.patch(url, json={"role": "CTO"}, headers=bob.headers).status_code == 404  # not his
    assert client.patch(url, json={"role": "CTO"}, headers=ann.headers).json()["role"] == "CTO"
