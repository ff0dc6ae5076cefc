"""Program facts: hours text from data, phone from the environment."""

from bot.core.program import configure, hours_text, load_program, phone_text, setting_warnings


def test_hours_text_groups_days_with_the_same_hours():
    assert hours_text(load_program()) == (
        "Monday to Friday, 9:00 AM to 10:00 PM Pacific time; closed Saturday and Sunday"
    )


def test_hours_follow_the_data_file(tmp_path):
    path = tmp_path / "program.yml"
    path.write_text(
        "name: Test\nhours:\n  timezone: America/New_York\n  days:\n"
        "    mon: ['08:30', '17:00']\n    tue: closed\n    wed: ['08:30', '17:00']\n"
        "    thu: ['08:30', '17:00']\n    fri: ['08:30', '12:00']\n"
        "    sat: closed\n    sun: closed\n"
    )
    assert hours_text(load_program(path)) == (
        "Monday, 8:30 AM to 5:00 PM Eastern time; Wednesday to Thursday, 8:30 AM to 5:00 PM "
        "Eastern time; Friday, 8:30 AM to 12:00 PM Eastern time; "
        "closed Tuesday, Saturday and Sunday"
    )


def test_the_phone_is_what_the_process_read_at_start_up():
    configure({"PHARMACY_PHONE": "(555) 010-0199"})
    try:
        assert phone_text(load_program()) == "(555) 010-0199"
    finally:
        configure({})


def test_without_a_phone_the_bot_points_to_the_contact_page():
    assert phone_text(load_program(environ={})) == "the phone number on our Contact Us page"


def test_the_core_reads_no_environment(monkeypatch):
    monkeypatch.setenv("PHARMACY_PHONE", "(555) 010-0199")
    configure({})
    assert load_program().phone is None


def test_the_service_area_is_a_program_setting_the_environment_overrides():
    assert "CA" in load_program(environ={}).service_area
    assert load_program(environ={"SERVICE_AREA_STATES": "me, nh"}).service_area == {"ME", "NH"}


def test_development_defaults_are_listed_as_start_up_warnings():
    warnings = setting_warnings(load_program(environ={}))
    assert len(warnings) == 3
    assert any("PHARMACY_PHONE" in w for w in warnings)
    assert any("SERVICE_AREA_STATES" in w for w in warnings)
    assert any("America/Los_Angeles" in w for w in warnings)


def test_settings_from_the_environment_are_not_warned_about():
    environ = {
        "PHARMACY_PHONE": "(555) 010-0199",
        "SERVICE_AREA_STATES": "CA",
        "PHARMACY_TIMEZONE": "America/Los_Angeles",
    }
    assert setting_warnings(load_program(environ=environ)) == []


def test_confirmed_settings_leave_only_a_missing_phone(tmp_path):
    path = tmp_path / "program.yml"
    path.write_text(
        "name: Test\nconfirmed: true\nservice_area: [CA]\nhours:\n  timezone: America/New_York\n"
        "  days: {mon: closed}\n"
    )
    warnings = setting_warnings(load_program(path, environ={}))
    assert len(warnings) == 1 and "PHARMACY_PHONE" in warnings[0]
