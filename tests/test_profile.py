"""The clinic profile loader: the sample loads, and every bad field is named."""

import copy
import os
from datetime import date, datetime
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from actions.profile import DEFAULT_PROFILE_PATH, WEEKDAYS, ClinicProfile, ProfileError, load_profile

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample() -> dict:
    return yaml.safe_load(DEFAULT_PROFILE_PATH.read_text(encoding="utf-8"))


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "profile.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_sample_profile_is_valid_and_marked_as_sample():
    profile = load_profile()
    assert profile.sample is True
    assert profile.town == "Clitheroe"
    assert set(profile.prices) == {"hairline", "full_head", "crown", "scar", "thinning", "touch_up"}
    assert profile.opening_hours.span("sunday") is None
    assert str(profile.opening_hours.span("monday")[0]) == "09:30:00"


def test_profile_path_comes_from_the_environment(tmp_path, sample, monkeypatch):
    changed = dict(sample, name="Another Clinic")
    monkeypatch.setenv("CLINIC_PROFILE", str(write(tmp_path, changed)))
    assert load_profile().name == "Another Clinic"


REQUIRED_FIELDS = sorted(name for name, field in ClinicProfile.__fields__.items() if field.required)


def test_optional_fields_are_few_and_deliberate():
    optional = sorted(set(ClinicProfile.__fields__) - set(REQUIRED_FIELDS))
    assert optional == ["booking_link_template", "closed_dates"]


@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_each_missing_field_is_named(tmp_path, sample, field):
    broken = {key: value for key, value in sample.items() if key != field}
    with pytest.raises(ProfileError, match=rf"field '{field}': field required"):
        load_profile(write(tmp_path, broken))


@pytest.mark.parametrize(
    "change, named",
    [
        (lambda p: p["practitioners"][0].update(experience_years="nine"), "practitioners -> 0 -> experience_years"),
        (lambda p: p["practitioners"][1].pop("council_registration"), "practitioners -> 1 -> council_registration"),
        (lambda p: p["opening_hours"].update(monday="9-5"), "opening_hours -> monday"),
        (lambda p: p["opening_hours"].update(tuesday="18:00-09:00"), "opening_hours -> tuesday"),
        (lambda p: p["opening_hours"].pop("sunday"), "opening_hours -> sunday"),
        (lambda p: p["prices"]["crown"].update({"from": 2000, "to": 100}), "prices -> crown"),
        (lambda p: p["prices"]["crown"].update({"from": "cheap"}), "prices -> crown -> from"),
        (lambda p: p["prices"].pop("touch_up"), "prices"),
        (lambda p: p["prices"].update(eyebrows={"label": "x", "from": 1, "to": 2, "per": "course"}), "prices"),
        (lambda p: p.update(email="not an email"), "email"),
        (lambda p: p.update(phone="123"), "phone"),
        (lambda p: p.update(booking_url="book here"), "booking_url"),
        (lambda p: p.update(practitioners=[]), "practitioners"),
        (lambda p: p.update(towns_served=[]), "towns_served"),
        (lambda p: p.update(name="   "), "name"),
        (lambda p: p["aftercare"].update(sun_protection_spf=5), "aftercare -> sun_protection_spf"),
        (lambda p: p["sessions"].update(typical_count=0), "sessions -> typical_count"),
        (lambda p: p.update(sample="maybe"), "sample"),
        (lambda p: p.update(unexpected_field="x"), "unexpected_field"),
        (lambda p: p.update(timezone="Lancashire/Clitheroe"), "timezone"),
        (lambda p: p.update(retention_days=0), "retention_days"),
        (lambda p: p.update(handoff_reply_minutes="soon"), "handoff_reply_minutes"),
        (lambda p: p["consultation"].pop("response_time"), "consultation -> response_time"),
        (lambda p: p.update(booking_link_template="https://x.example/book?who={client}"), "booking_link_template"),
        (lambda p: p.update(booking_link_template="https://x.example/book?n={name"), "booking_link_template"),
        (lambda p: p.update(booking_link_template="ftp://x.example/{name}"), "booking_link_template"),
        (lambda p: p["widget"].update(colour="teal"), "widget -> colour"),
        (lambda p: p["widget"].update(position="top"), "widget -> position"),
        (lambda p: p["widget"].pop("greeting"), "widget -> greeting"),
        (lambda p: p.update(closed_on_bank_holidays="wales-and-england"), "closed_on_bank_holidays"),
        (lambda p: p.update(closed_on_bank_holidays=True), "closed_on_bank_holidays"),
        (lambda p: p.update(closed_on_bank_holidays=None), "closed_on_bank_holidays"),
        (lambda p: p.update(closed_dates="2026-12-24"), "closed_dates"),
        (lambda p: p.update(closed_dates=["2026-02-30"]), "closed_dates"),
        (lambda p: p.update(closed_dates=["24/12/2026"]), "closed_dates"),
        (lambda p: p.update(closed_dates=["2026-12-31 to 2026-12-24"]), "closed_dates"),
        (lambda p: p.update(closed_dates=[datetime(2026, 12, 24, 9, 0)]), "closed_dates"),
        # hours_note and closed_on_bank_holidays must agree
        (lambda p: p.update(hours_note="Evening appointments are on Wednesdays."), "hours_note"),
        (lambda p: p.update(closed_on_bank_holidays="none"), "hours_note"),
        (lambda p: p["prices"]["touch_up"].pop("per"), "prices -> touch_up -> per"),
        (lambda p: p["prices"]["crown"].update(per="month"), "prices -> crown -> per"),
        (lambda p: p["laser_removal"].update(service="yes"), "laser_removal -> service"),
        (lambda p: p["laser_removal"].pop("service"), "laser_removal -> service"),
        (lambda p: p["laser_removal"].update(note="  "), "laser_removal -> note"),
        (lambda p: p["laser_removal"].update(colour="x"), "laser_removal -> colour"),
        (lambda p: p["aftercare"].pop("healing_time"), "aftercare -> healing_time"),
        (lambda p: p["aftercare"].update(written_guidance=""), "aftercare -> written_guidance"),
        (lambda p: p.update(gallery_note=""), "gallery_note"),
        (lambda p: p.update(pregnancy_policy=""), "pregnancy_policy"),
        (lambda p: p["consultation"].update(price="£30"), "widget -> greeting"),
    ],
)
def test_wrong_values_are_named(tmp_path, sample, change, named):
    broken = copy.deepcopy(sample)
    change(broken)
    with pytest.raises(ProfileError, match=f"field '{named}'"):
        load_profile(write(tmp_path, broken))


@pytest.mark.parametrize(
    "written, region, code",
    [
        ("england-and-wales", "england-and-wales", "ENG"),
        ("Scotland", "scotland", "SCT"),
        ("Northern Ireland", "northern-ireland", "NIR"),
        ("none", "none", None),
        (False, "none", None),  # YAML reads an unquoted `no` as false
    ],
)
def test_bank_holiday_regions(tmp_path, sample, written, region, code):
    note = "Evening appointments are on Wednesdays." if code is None else "We're closed on bank holidays."
    profile = load_profile(write(tmp_path, dict(sample, closed_on_bank_holidays=written, hours_note=note)))
    assert profile.closed_on_bank_holidays == region
    assert profile.bank_holiday_region == code


def test_the_unknown_region_error_lists_the_choices(tmp_path, sample):
    with pytest.raises(ProfileError, match="england-and-wales, scotland, northern-ireland, none"):
        load_profile(write(tmp_path, dict(sample, closed_on_bank_holidays="wales")))


def test_a_clinic_open_on_bank_holidays_may_say_so(tmp_path, sample):
    note = "We're open on bank holidays."
    profile = load_profile(write(tmp_path, dict(sample, closed_on_bank_holidays="none", hours_note=note)))
    assert profile.hours_note == note


def test_closed_dates_are_days_or_runs_of_days(tmp_path, sample):
    changed = dict(sample, closed_dates=[date(2026, 12, 24), "2026-12-29 to 2026-12-31", "2027-01-04"])
    profile = load_profile(write(tmp_path, changed))
    assert profile.closed_dates == (
        (date(2026, 12, 24), date(2026, 12, 24)),
        (date(2026, 12, 29), date(2026, 12, 31)),
        (date(2027, 1, 4), date(2027, 1, 4)),
    )


def test_closed_dates_are_optional(tmp_path, sample):
    without = {key: value for key, value in sample.items() if key != "closed_dates"}
    assert load_profile(write(tmp_path, without)).closed_dates == ()


def test_a_bad_closed_date_is_named_with_its_entry(tmp_path, sample):
    with pytest.raises(ProfileError, match=r"field 'closed_dates': entry 2 \(2026-02-30\): 2026-02-30 is not a real date"):
        load_profile(write(tmp_path, dict(sample, closed_dates=["2026-02-27", "2026-02-30"])))
def test_the_laser_removal_note_is_optional(tmp_path, sample):
    without = copy.deepcopy(sample)
    without["laser_removal"] = {"service": "not_offered"}
    assert load_profile(write(tmp_path, without)).laser_removal.note is None


def test_a_paid_consultation_is_not_called_free_anywhere_in_the_profile(tmp_path, sample):
    paid = copy.deepcopy(sample)
    paid["consultation"]["price"] = "£30, taken off your first session"
    paid["widget"]["greeting"] = "Hi, I'm the clinic's automated assistant. Book a consultation any time."
    paid["hours_note"] = "We're closed on bank holidays. Consultations are free on Saturdays."
    with pytest.raises(ProfileError, match=r"field 'hours_note': calls the consultation free, but 'consultation -> price' is '£30"):
        load_profile(write(tmp_path, paid))
    paid["hours_note"] = "We're closed on bank holidays."
    profile = load_profile(write(tmp_path, paid))  # "free" in other senses is fine: free parking, a free patch test
    assert not profile.consultation.is_free and "free client spaces" in profile.address.parking


@pytest.mark.parametrize("price, free", [("free", True), ("Free of charge", True), ("£30", False), ("£30, free for returning clients", False)])
def test_whether_the_consultation_is_free(tmp_path, sample, price, free):
    changed = copy.deepcopy(sample)
    changed["consultation"]["price"] = price
    changed["widget"]["greeting"] = "Hi, I'm the clinic's automated assistant."
    assert load_profile(write(tmp_path, changed)).consultation.is_free is free


def test_the_booking_link_template_is_optional(tmp_path, sample):
    without = {key: value for key, value in sample.items() if key != "booking_link_template"}
    assert load_profile(write(tmp_path, without)).booking_link_template is None


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ProfileError, match="cannot be read"):
        load_profile(tmp_path / "nowhere.yml")


def test_invalid_yaml_is_reported(tmp_path):
    path = tmp_path / "profile.yml"
    path.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(path)


def test_profile_must_be_a_mapping(tmp_path):
    with pytest.raises(ProfileError, match="mapping"):
        load_profile(write(tmp_path, ["a", "list"]))


def test_every_weekday_is_in_the_sample(sample):
    assert list(sample["opening_hours"]) == list(WEEKDAYS)


def test_action_server_refuses_to_start_with_a_broken_profile(tmp_path, sample):
    broken = copy.deepcopy(sample)
    broken["opening_hours"]["friday"] = "all day"
    env = dict(os.environ, CLINIC_PROFILE=str(write(tmp_path, broken)))
    result = subprocess.run(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "field 'opening_hours -> friday'" in result.stderr
