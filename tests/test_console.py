"""The staff console: sign-in, access control, CSRF, lockout, masking, audit, and reading
conversations from a real Rasa SQL tracker store."""

import asyncio
import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
import yaml
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from starlette.routing import Route
from starlette.testclient import TestClient

import console.app as console_app
from console import accounts
from console.accounts import AccountError, LoginRefused, authenticate, create_user
from console.app import ConsoleSettings, create_app
from console.masking import mask
from records.db import make_engine, migrate, session_scope
from records.models import AuditEntry, Base, Handoff, StaffUser

PASSWORD = "correct horse battery"
ADMIN_PASSWORD = "admin horse battery staple"


def user(text, intent="ask_pain", confidence=0.97, entities=(), channel="socketio", at=None):
    return UserUttered(text, intent={"name": intent, "confidence": confidence}, entities=list(entities),
                       input_channel=channel, timestamp=at)


def save(store, sender, events):
    tracker = DialogueStateTracker.from_events(sender, events)
    asyncio.run(store.save(tracker))


@pytest.fixture
def databases(tmp_path):
    clinic_url = f"sqlite:///{tmp_path / 'clinic.db'}"
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    migrate(clinic_url)
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    now = time.time()
    save(store, "zoe-conversation", [
        user("hi, I'm Zoë", intent="greet", entities=[{"entity": "PERSON", "value": "Zoë", "start": 8, "end": 11}],
             at=now - 300),
        ActionExecuted("action_answer_question", timestamp=now - 299),
        BotUttered("Hello! What would you like to know?", {"buttons": [{"title": "Does it hurt?", "payload": "/ask_pain"}]},
                   timestamp=now - 299),
        ActionExecuted("action_listen", timestamp=now - 299),
        user("call me on 07911 123456 or zoe@example.com", intent="inform", confidence=0.61, at=now - 200),
        SlotSet("client_name", "Zoë", timestamp=now - 200),
        ActionExecuted("utter_fallback_rephrase", timestamp=now - 199),
        BotUttered("Sorry, I didn't quite follow that.", timestamp=now - 199),
    ])
    save(store, "attacker", [user("<script>alert(1)</script> does it hurt?", channel="rest", at=now - 100)])
    save(store, "waiting-for-a-person", [user("can I talk to a real person?", intent="request_human", at=now - 50)])
    clinic = make_engine(clinic_url)
    with session_scope(clinic) as session:
        session.add(Handoff(conversation_id="waiting-for-a-person", channel="socketio", status="waiting"))
    create_user(clinic, "staff@clinic.example", PASSWORD, "staff")
    create_user(clinic, "admin@clinic.example", ADMIN_PASSWORD, "admin")
    return clinic_url, tracker_url


@pytest.fixture
def client(databases, monkeypatch):
    monkeypatch.setattr(console_app, "FAILED_LOGIN_DELAY_SECONDS", 0)
    clinic_url, tracker_url = databases
    app = create_app(ConsoleSettings("s" * 40, clinic_url, tracker_url))
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def csrf(client, path="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_in(client, email="staff@clinic.example", password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf(client), "next": "/conversations"})


def audit_rows(databases):
    with session_scope(make_engine(databases[0])) as session:
        return [(row.staff_email, row.action, row.target) for row in session.execute(sa.select(AuditEntry)).scalars()]


def test_no_page_or_api_route_answers_without_signing_in(client):
    checked = 0
    for route in client.app.routes:
        if not isinstance(route, Route) or route.path in ("/login", "/health"):
            continue
        path = route.path.replace("{sender_id:path}", "zoe-conversation").replace("{request_id}", "r-1")
        for method in route.methods - {"HEAD"}:
            response = client.request(method, path)
            if path.startswith("/api/"):
                assert response.status_code == 401, path
                assert response.json() == {"error": "sign in first"}
            else:
                assert response.status_code == 303, (method, path)
                assert response.headers["location"].startswith("/login")
            assert "Zo" not in response.text
            checked += 1
    assert checked >= 6
    assert client.get("/health").json() == {"status": "ok"}


def test_sign_in_then_out(client):
    assert sign_in(client).headers["location"] == "/conversations"
    page = client.get("/conversations")
    assert page.status_code == 200
    assert "staff@clinic.example (staff)" in page.text
    cookie = page.request.headers.get("cookie", "")
    assert "smp_staff=" in cookie
    assert client.post("/logout", data={"csrf_token": csrf(client, "/conversations")}).headers["location"] == "/login"
    assert client.get("/conversations").status_code == 303


def test_session_cookie_is_httponly_and_samesite(databases):
    clinic_url, tracker_url = databases
    app = create_app(ConsoleSettings("s" * 40, clinic_url, tracker_url, secure_cookie=True))
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as secure:
        response = sign_in(secure)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie


def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    wrong = client.post("/login", data={"email": "staff@clinic.example", "password": "nope", "csrf_token": csrf(client)})
    unknown = client.post("/login", data={"email": "who@clinic.example", "password": "nope", "csrf_token": csrf(client)})
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong e-mail or password." in wrong.text and "Wrong e-mail or password." in unknown.text


def test_five_failures_lock_the_account_even_against_the_right_password(client, databases):
    for _ in range(accounts.MAX_FAILURES):
        client.post("/login", data={"email": "staff@clinic.example", "password": "guess", "csrf_token": csrf(client)})
    locked = sign_in(client)
    assert locked.status_code == 401
    assert "locked for 15 minutes" in locked.text
    engine = make_engine(databases[0])
    with session_scope(engine) as session:  # the lock runs out
        account = session.execute(sa.select(StaffUser).where(StaffUser.email == "staff@clinic.example")).scalar_one()
        account.locked_until = account.locked_until - timedelta(minutes=accounts.LOCK_MINUTES + 1)
    assert sign_in(client).status_code == 303


def test_failed_sign_ins_are_slowed_down(databases, monkeypatch):
    clinic_url, tracker_url = databases
    with TestClient(create_app(ConsoleSettings("s" * 40, clinic_url, tracker_url)), follow_redirects=False) as slow:
        started = time.monotonic()
        slow.post("/login", data={"email": "staff@clinic.example", "password": "guess", "csrf_token": csrf(slow)})
        assert time.monotonic() - started >= console_app.FAILED_LOGIN_DELAY_SECONDS


def test_every_form_needs_its_csrf_token(client, databases):
    assert client.post("/login", data={"email": "staff@clinic.example", "password": PASSWORD}).status_code == 403
    sign_in(client)
    for route in client.app.routes:
        if isinstance(route, Route) and "POST" in route.methods:
            path = route.path.replace("{sender_id:path}", "zoe-conversation").replace("{request_id}", "r-1").replace("{request_id}", "r-1")
            refused = client.post(path, data={"csrf_token": "forged"})
            assert refused.status_code == 403, path
    assert audit_rows(databases) == []
    assert client.get("/conversations").status_code == 200  # still signed in: logout was refused too


def test_personal_details_are_masked_by_default_and_a_reveal_is_audited(client, databases):
    sign_in(client)
    listing = client.get("/conversations").text
    page = client.get("/conversations/zoe-conversation").text
    for text in (listing, page):
        assert "07911" not in text and "zoe@example.com" not in text and "Zoë" not in text
    assert "[phone hidden]" in page and "[e-mail hidden]" in page and "[name hidden]" in page
    assert "intent <strong>inform</strong> (0.61)" in page
    assert "actions: utter_fallback_rephrase" in page

    revealed = client.post("/conversations/zoe-conversation/reveal", data={"csrf_token": csrf(client, "/conversations")})
    assert revealed.status_code == 200
    assert "07911 123456" in revealed.text and "zoe@example.com" in revealed.text
    assert audit_rows(databases) == [("staff@clinic.example", "reveal", "zoe-conversation")]
    assert "07911" not in client.get("/conversations/zoe-conversation").text  # the reveal was for that view only


def test_a_script_in_a_client_message_is_shown_as_text(client):
    sign_in(client)
    for path in ("/conversations", "/conversations/attacker"):
        text = client.get(path).text
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.parametrize("query", ["' OR 1=1 --", "%", "_", "\\", "\"; DROP TABLE events; --"])
def test_sql_injection_strings_in_search_are_just_text(client, query):
    sign_in(client)
    response = client.get("/api/conversations", params={"q": query})
    assert response.status_code == 200
    assert response.json() == []
    assert len(client.get("/api/conversations").json()) == 3


def test_search_flags_and_channel_filters(client):
    sign_in(client)
    ids = lambda **params: [row["conversation_id"] for row in client.get("/api/conversations", params=params).json()]
    assert ids() == ["waiting-for-a-person", "attacker", "zoe-conversation"]  # newest first
    assert ids(q="real person") == ["waiting-for-a-person"]
    assert ids(q="Zoë") == ["zoe-conversation"]
    assert ids(flag="handoff") == ["waiting-for-a-person"]
    assert ids(flag="fallback") == ["zoe-conversation"]
    assert ids(channel="rest") == ["attacker"]
    rows = client.get("/api/conversations").json()
    zoe = next(row for row in rows if row["conversation_id"] == "zoe-conversation")
    assert zoe["messages"] == 2 and zoe["channel"] == "socketio"
    assert zoe["last_message"] == "call me on [phone hidden] or [e-mail hidden]"


def test_only_an_admin_reads_the_audit_log_and_manages_accounts(client, databases):
    sign_in(client)
    token = csrf(client, "/conversations")
    assert client.get("/audit").status_code == 403
    assert client.get("/staff").status_code == 403
    assert client.post("/staff", data={"csrf_token": token, "email": "x@clinic.example", "password": PASSWORD}).status_code == 403
    assert client.post("/staff/remove", data={"csrf_token": token, "email": "admin@clinic.example"}).status_code == 403
    client.post("/logout", data={"csrf_token": token})

    sign_in(client, "admin@clinic.example", ADMIN_PASSWORD)
    token = csrf(client, "/staff")
    saved = client.post("/staff", data={"csrf_token": token, "email": "New@Clinic.example", "password": PASSWORD, "role": "staff"})
    assert "new@clinic.example can sign in as staff." in client.get(saved.headers["location"]).text
    short = client.post("/staff", data={"csrf_token": token, "email": "y@clinic.example", "password": "short"})
    assert "Not saved: the password must be at least 12 characters" in client.get(short.headers["location"]).text
    own = client.post("/staff/remove", data={"csrf_token": token, "email": "admin@clinic.example"})
    assert "You can&#39;t remove your own account." in client.get(own.headers["location"]).text
    removed = client.post("/staff/remove", data={"csrf_token": token, "email": "staff@clinic.example"})
    assert "staff@clinic.example can no longer sign in." in client.get(removed.headers["location"]).text
    audit_page = client.get("/audit")
    assert audit_page.status_code == 200 and "removed" in audit_page.text
    with pytest.raises(LoginRefused):
        authenticate(make_engine(databases[0]), "staff@clinic.example", PASSWORD)


def test_an_unknown_conversation_is_a_clear_404(client):
    sign_in(client)
    response = client.get("/conversations/nobody")
    assert response.status_code == 404
    assert "no conversation with this id" in response.text


def test_accounts_are_checked_and_passwords_hashed(databases):
    engine = make_engine(databases[0])
    with pytest.raises(AccountError, match="at least 12 characters"):
        create_user(engine, "new@clinic.example", "short", "staff")
    with pytest.raises(AccountError, match="role must be one of staff, admin"):
        create_user(engine, "new@clinic.example", PASSWORD, "owner")
    with pytest.raises(AccountError, match="is not an e-mail address"):
        create_user(engine, "not an address", PASSWORD, "staff")
    with session_scope(engine) as session:
        stored = session.execute(sa.select(StaffUser.password_hash)).scalars().all()
    assert all(value.startswith("$argon2id$") and PASSWORD not in value for value in stored)
    assert authenticate(engine, "  Staff@Clinic.example ", PASSWORD).email == "staff@clinic.example"
    with pytest.raises(LoginRefused):
        authenticate(engine, "staff@clinic.example", PASSWORD.upper())


def test_the_migrations_create_exactly_the_models_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrate(url)
    with make_engine(url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


@pytest.mark.parametrize("text, names, expected", [
    ("ring 07911 123456 please", [], "ring [phone hidden] please"),
    ("+44 7911 123456", [], "[phone hidden]"),
    ("mail zoe.o-brien+smp@example.co.uk", [], "mail [e-mail hidden]"),
    ("I'm Zoë O'Brien-Smith", ["Zoë O'Brien-Smith", "Zoë"], "I'm [name hidden]"),
    ("Zoella is not Zoë", ["Zoë"], "Zoella is not [name hidden]"),
    ("3 sessions of 2 to 4 hours", [], "3 sessions of 2 to 4 hours"),
])
def test_masking(text, names, expected):
    assert mask(text, names) == expected


def add_request(databases, conversation_id="zoe-conversation"):
    from records.requests import submit_request
    from records.settings import Settings
    from tests.test_delivery import details

    result = submit_request(make_engine(databases[0]), details(conversation_id), f"key-{conversation_id}", Settings())
    return result.request_id if hasattr(result, "request_id") else result.request.id


def test_a_requests_consent_links_to_the_wording_the_client_agreed_to(client, databases):
    from records.consent import record_wording

    add_request(databases)  # its consent version is "consent-abc123" (tests/test_delivery.py)
    record_wording(make_engine(databases[0]), "consent-abc123", "Before I take your details: ...\n\n[I agree] [No thanks]")
    sign_in(client)
    page = client.get("/requests").text
    assert 'href="/consent/consent-abc123"' in page
    wording = client.get("/consent/consent-abc123")
    assert wording.status_code == 200 and "Before I take your details" in wording.text and "[I agree]" in wording.text
    assert client.get("/consent/consent-unknown").status_code == 404


def test_requests_list_status_change_and_masked_export(client, databases):
    request_id = add_request(databases)
    sign_in(client)
    page = client.get("/requests").text
    assert "Practitioner to review:</strong> blood_thinners" in page
    assert "pending" in page  # the webhook waits in the outbox
    assert "O&#39;Brien-Smith" not in page and "zoe@example.com" not in page

    token = csrf(client, "/requests")
    changed = client.post(f"/requests/{request_id}/status", data={"status": "contacted", "csrf_token": token})
    assert changed.status_code == 303
    assert "Status changed from new to contacted." in client.get("/requests").text
    assert client.post(f"/requests/{request_id}/status", data={"status": "lost", "csrf_token": token}).status_code == 400

    exported = client.post("/requests/export", data={"csrf_token": token})
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment;" in exported.headers["content-disposition"]
    lines = exported.text.splitlines()
    assert lines[0].startswith("id,created_at,status,name,phone,email")
    assert "Z… [name hidden],[phone hidden],[e-mail hidden]" in lines[1] and ",contacted," in lines[1]
    assert client.post("/requests/export", data={"csrf_token": token, "unmasked": "yes"}).status_code == 403
    assert audit_rows(databases) == [("staff@clinic.example", "export", None)]


def test_an_admin_may_export_unmasked_and_erase(client, databases):
    add_request(databases)
    sign_in(client, "admin@clinic.example", ADMIN_PASSWORD)
    token = csrf(client, "/requests")
    exported = client.post("/requests/export", data={"csrf_token": token, "unmasked": "yes"})
    assert "Zoë O'Brien-Smith,+447911123456,zoe@example.com" in exported.text

    refused = client.post("/conversations/zoe-conversation/erase", data={"csrf_token": token})
    assert "Tick the box" in client.get(refused.headers["location"]).text
    erased = client.post("/conversations/zoe-conversation/erase", data={"csrf_token": token, "confirm": "yes"})
    assert erased.headers["location"] == "/conversations"
    assert client.get("/conversations/zoe-conversation").status_code == 404
    assert "Z… [name hidden]" not in client.get("/requests").text
    assert [row[1] for row in audit_rows(databases)] == ["export", "erase"]


def test_the_transcript_shows_the_collected_details_masked_until_revealed(client, databases):
    add_request(databases)
    sign_in(client)
    page = client.get("/conversations/zoe-conversation").text
    assert "Consultation requests from this conversation" in page
    assert "Z… [name hidden]" in page and "[phone hidden]" in page and "blood_thinners" in page
    assert "warfarin" not in page and "+447911123456" not in page
    revealed = client.post("/conversations/zoe-conversation/reveal", data={"csrf_token": csrf(client, "/conversations")}).text
    assert "Zoë O&#39;Brien-Smith" in revealed and "+447911123456" in revealed and "I take warfarin" in revealed


def test_staff_cannot_erase(client, databases):
    sign_in(client)
    refused = client.post("/conversations/zoe-conversation/erase",
                          data={"csrf_token": csrf(client, "/conversations"), "confirm": "yes"})
    assert refused.status_code == 403
    assert client.get("/conversations/zoe-conversation").status_code == 200


def test_a_misunderstood_message_is_reviewed_and_exported_masked(client, databases, tmp_path):
    from console.reviewed import export

    sign_in(client)
    page = client.get("/conversations/zoe-conversation").text
    event_id = re.findall(r'name="event_id" value="(\d+)"', page)[1]  # "call me on ..."
    token = csrf(client, "/conversations")
    assert client.post("/conversations/zoe-conversation/review",
                       data={"csrf_token": token, "event_id": event_id, "intent": "not_an_intent"}).status_code == 400
    marked = client.post("/conversations/zoe-conversation/review",
                         data={"csrf_token": token, "event_id": event_id, "intent": "book_consultation"})
    assert "should be <strong>book_consultation</strong>" in client.get(marked.headers["location"]).text

    assert export(make_engine(databases[0]), tmp_path) == 1
    nlu = (tmp_path / "nlu.yml").read_text()
    assert "intent: book_consultation" in nlu
    assert "- call me on [phone hidden] or [e-mail hidden]" in nlu
    assert "07911" not in nlu and "zoe@example.com" not in nlu
    assert "intent: book_consultation" in (tmp_path / "test_stories.yml").read_text()


def test_handoff_queue_and_a_clear_message_when_rasa_is_not_answering(databases, monkeypatch):
    from scripts.stack import free_port

    monkeypatch.setattr(console_app, "FAILED_LOGIN_DELAY_SECONDS", 0)
    clinic_url, tracker_url = databases
    for token, says in (("token", "is not answering"), ("", "RASA_API_TOKEN is not set")):
        settings = ConsoleSettings("s" * 40, clinic_url, tracker_url, rasa_url=f"http://127.0.0.1:{free_port()}",
                                   rasa_api_token=token)
        with TestClient(create_app(settings), follow_redirects=False) as client:
            sign_in(client)
            assert "waiting-for-a-person" in client.get("/handoffs").text
            page = client.get("/conversations/waiting-for-a-person").text
            assert "Reply to the client" in page and "Hand back to the assistant" in page
            token_field = csrf(client, "/conversations")
            sent = client.post("/conversations/waiting-for-a-person/reply",
                               data={"csrf_token": token_field, "text": "Hi, Jordan here"})
            assert "Not sent: " in (shown := client.get(sent.headers["location"]).text) and says in shown
            back = client.post("/conversations/waiting-for-a-person/resume", data={"csrf_token": token_field})
            assert "Not handed back: " in client.get(back.headers["location"]).text
            assert "waiting-for-a-person" in client.get("/handoffs").text  # still waiting: nothing was lost


def test_overview_counts_conversations_messages_and_intents(client):
    sign_in(client)
    page = client.get("/overview").text
    assert "3 conversations" in page
    assert "was unsure or declined in 33% of them" in page
    assert "ask_pain: 1" in page and "greet: 1" in page


# --- "Did you mean" and declines, for staff ---------------------------------------------------------
OFFERED = ["ask_longevity", "ask_removal"]


def save_unsure_conversations(databases):
    """A clarified message and its pick, a declined question inside the form, and "something else"."""
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=databases[1].removeprefix("sqlite:///"))
    now = time.time()
    offer = {"text": "does it go away", "offered": OFFERED, "entities": {}}
    save(store, "clarified", [
        user("does it go away", intent="nlu_fallback", confidence=0.55, at=now - 40),
        ActionExecuted("action_handle_fallback", timestamp=now - 39),
        SlotSet("clarification_offer", offer, timestamp=now - 39),
        BotUttered("I want to get this right. Did you mean:", {"buttons": [
            {"title": "How long it lasts", "payload": "/ask_longevity"}, {"title": "Removing or fixing", "payload": "/ask_removal"},
            {"title": "Something else", "payload": "/out_of_scope"}]}, timestamp=now - 39),
        ActionExecuted("action_listen", timestamp=now - 39),
        user("/ask_longevity", intent="ask_longevity", confidence=1.0, at=now - 30),
        ActionExecuted("action_answer_question", timestamp=now - 29),
        SlotSet("clarification_choice", {"text": "does it go away", "offered": OFFERED, "chosen": "ask_longevity"},
                timestamp=now - 29),
        SlotSet("clarification_offer", None, timestamp=now - 29),
        BotUttered("SMP is semi-permanent: it fades gradually over several years.", timestamp=now - 29),
    ])
    save(store, "declined-in-the-form", [
        user("I'd like to book", intent="book_consultation", at=now - 20),
        ActionExecuted("consultation_form", timestamp=now - 19),
        user("is it halal?", intent="out_of_scope", confidence=0.91, at=now - 18),
        ActionExecuted("consultation_form", timestamp=now - 17),
        SlotSet("declined", {"text": "is it halal?"}, timestamp=now - 17),
        BotUttered("Sorry, that's not something I can answer reliably, so I won't guess.", timestamp=now - 17),
    ])
    save(store, "something-else", [
        user("how does it work with grey hair and fading", intent="nlu_fallback", confidence=0.55, at=now - 10),
        ActionExecuted("action_handle_fallback", timestamp=now - 9),
        SlotSet("clarification_offer", {**offer, "text": "how does it work with grey hair and fading"}, timestamp=now - 9),
        user("none of these", intent="inform", confidence=0.98, at=now - 8),
        ActionExecuted("action_handle_fallback", timestamp=now - 7),
        SlotSet("clarification_choice", {"text": "how does it work with grey hair and fading", "offered": OFFERED,
                                         "chosen": "something_else"}, timestamp=now - 7),
        SlotSet("clarification_offer", None, timestamp=now - 7),
    ])
    save(store, "clarified-in-the-form", [
        user("I'd like to book", intent="book_consultation", at=now - 7),
        ActionExecuted("consultation_form", timestamp=now - 7),
        user("does it go away?", intent="nlu_fallback", confidence=0.55, at=now - 6),
        ActionExecuted("consultation_form", timestamp=now - 6),
        SlotSet("clarification_offer", {**offer, "text": "does it go away?"}, timestamp=now - 6),
    ])
    save(store, "understood", [user("how much is it?", intent="ask_cost", at=now - 5),
                               ActionExecuted("action_answer_question", timestamp=now - 4)])


def test_unsure_or_declined_conversations_are_found_with_the_fallback_flag(client, databases):
    save_unsure_conversations(databases)
    sign_in(client)
    ids = lambda **params: [row["conversation_id"] for row in client.get("/api/conversations", params=params).json()]
    assert ids(flag="fallback") == ["clarified-in-the-form", "something-else", "declined-in-the-form", "clarified",
                                    "zoe-conversation"]
    assert "understood" in ids() and "understood" not in ids(flag="fallback")
    listing = client.get("/conversations", params={"flag": "fallback"}).text
    assert '<option value="fallback" selected>unsure or declined</option>' in listing
    assert '<span class="flag flag-fallback">unsure or declined</span>' in listing


def test_the_transcript_shows_the_clients_pick_and_the_review_form_starts_there(client, databases, tmp_path):
    from console.reviewed import export

    save_unsure_conversations(databases)
    sign_in(client)
    page = client.get("/conversations/clarified").text
    assert "The assistant was unsure and offered: ask_longevity, ask_removal" in page
    assert "the client chose <strong>ask_longevity</strong>" in page
    assert "The client's pick from the clarification above: ask_longevity" in page
    forms = re.findall(r'<details class="review"( open)?>.*?name="event_id" value="(\d+)".*?</details>', page, re.S)
    (first_open, first_id), (second_open, _) = forms
    assert first_open == " open" and second_open == ""  # the clarified message's form is open, at the pick
    first_form = page[page.index(f'value="{first_id}"'):]
    first_form = first_form[:first_form.index("</select>")]
    assert re.findall(r"<option selected>(\w+)</option>", first_form) == ["ask_longevity"]

    # One click: the form as it stands is sent, and the message becomes a training example.
    marked = client.post("/conversations/clarified/review",
                         data={"csrf_token": csrf(client, "/conversations"), "event_id": first_id, "intent": "ask_longevity"})
    reviewed = client.get(marked.headers["location"]).text
    assert "should be <strong>ask_longevity</strong>" in reviewed
    assert '<details class="review" open>' not in reviewed  # reviewed: no longer waiting
    assert export(make_engine(databases[0]), tmp_path) == 1
    nlu = yaml.safe_load((tmp_path / "nlu.yml").read_text())
    assert nlu["nlu"] == [{"intent": "ask_longevity", "examples": "- does it go away\n"}]


def test_something_else_and_a_decline_are_shown_without_a_suggested_intent(client, databases):
    save_unsure_conversations(databases)
    sign_in(client)
    page = client.get("/conversations/something-else").text
    assert "the client chose <strong>something else</strong> (none of these)" in page
    assert '<details class="review" open>' not in page and "<option selected>" not in page
    declined = client.get("/conversations/declined-in-the-form").text
    assert "Declined: the assistant said it can't answer this reliably" in declined


@pytest.fixture
def postgres_database(postgres_url):
    """A fresh database on the local PostgreSQL server, dropped afterwards."""
    import uuid

    from sqlalchemy.engine import make_url

    name = f"console_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name)
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.mark.services
def test_conversations_search_and_transcripts_on_postgresql(postgres_database):
    from console.conversations import Filters, list_conversations, transcript

    url = postgres_database
    store = SQLTrackerStore(Domain.empty(), dialect="postgresql", host=url.host, port=url.port, db=url.database,
                            username=url.username)
    now = time.time()
    save(store, "pg-zoe", [user("I'm Zoë, does it hurt?", entities=[{"entity": "PERSON", "value": "Zoë"}], at=now - 60),
                           ActionExecuted("action_answer_question", timestamp=now - 59),
                           BotUttered("Discomfort varies.", timestamp=now - 59)])
    save(store, "pg-rest", [user("100% sure it's_fine?", channel="rest", at=now - 30)])
    save(store, "pg-declined", [user("I'd like to book", intent="book_consultation", at=now - 90),
                                ActionExecuted("consultation_form", timestamp=now - 89),
                                user("is it halal?", intent="out_of_scope", at=now - 80),
                                SlotSet("declined", {"text": "is it halal?"}, timestamp=now - 79)])
    store.engine.dispose()
    migrate(url.render_as_string(hide_password=False))
    clinic = tracker = make_engine(url.render_as_string(hide_password=False))
    try:
        ids = lambda **params: [row.sender_id for row in list_conversations(tracker, clinic, Filters(**params))]  # noqa: E731
        assert ids() == ["pg-rest", "pg-zoe", "pg-declined"]
        assert ids(flag="fallback") == ["pg-declined"]
        assert ids(query="zoë") == ["pg-zoe"]
        assert ids(query="100%") == ["pg-rest"] and ids(query="_") == ["pg-rest"] and ids(query="' OR 1=1 --") == []
        assert ids(channel="rest") == ["pg-rest"]
        found = transcript(tracker, clinic, "pg-zoe")
        assert [m.kind for m in found.messages] == ["user", "bot"]
        assert found.messages[1].actions == ["action_answer_question"]
        assert "Zoë" in found.names and found.channel == "socketio"
        assert [m.declined for m in transcript(tracker, clinic, "pg-declined").messages if m.kind == "user"] == [False, True]
    finally:
        tracker.dispose()
