"""The sample clinic site, ALLOWED_ORIGINS, the port check and the built widget file."""

import asyncio
import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from actions.profile import load_profile
from channels.origins import OriginsError, allowed_origins
from scripts import check_ports
from website.server import SiteError, SiteSettings, create_app

ROOT = Path(__file__).resolve().parent.parent
ORIGINS = "https://www.clinic.example,http://localhost:8080"


@pytest.mark.parametrize("value, expected", [
    ("https://www.clinic.example", ["https://www.clinic.example"]),
    (" https://a.example/ , http://localhost:8080 ", ["https://a.example", "http://localhost:8080"]),
])
def test_allowed_origins_are_parsed(value, expected):
    assert allowed_origins(value) == expected


@pytest.mark.parametrize("value, says", [
    ("", "ALLOWED_ORIGINS is not set"),
    (None, "ALLOWED_ORIGINS is not set"),
    ("*", "'*' is not an origin"),
    ("https://*.clinic.example", "is not an origin"),
    ("https://clinic.example/chat", "is not an origin"),
    ("clinic.example", "is not an origin"),
    ("ftp://clinic.example", "is not an origin"),
])
def test_wildcards_and_non_origins_are_refused(value, says):
    with pytest.raises(OriginsError, match=says.replace("*", r"\*")):
        allowed_origins(value)


@pytest.mark.parametrize("value", ["", "*", "https://*.clinic.example"])
def test_the_socketio_channel_refuses_to_start_without_proper_origins(monkeypatch, value):
    from channels.socketio import ClinicSocketIOInput

    monkeypatch.setenv("ALLOWED_ORIGINS", value)
    with pytest.raises(OriginsError, match="ALLOWED_ORIGINS"):
        ClinicSocketIOInput.from_credentials({"session_persistence": True})


def test_the_socketio_channel_checks_origins_in_engineio(monkeypatch):
    from channels.socketio import ClinicSocketIOInput

    monkeypatch.setenv("ALLOWED_ORIGINS", ORIGINS)
    channel = ClinicSocketIOInput.from_credentials({"session_persistence": True})

    async def handler(message):
        return None

    channel.blueprint(handler)
    assert channel.sio.eio.cors_allowed_origins == ["https://www.clinic.example", "http://localhost:8080"]


def settings(**overrides):
    environ = {"ALLOWED_ORIGINS": ORIGINS, "RASA_PORT": "5005", **overrides}
    return SiteSettings.from_env(environ)


def test_site_settings_defaults_and_problems():
    defaults = settings()
    assert (defaults.host, defaults.port, defaults.chat_server_url) == ("127.0.0.1", 8080, "http://localhost:5005")
    with pytest.raises(SiteError, match="SITE_PORT must be a port number"):
        settings(SITE_PORT="eighty")
    with pytest.raises(SiteError, match="CHAT_SERVER_URL must be"):
        settings(CHAT_SERVER_URL="localhost:5005")
    with pytest.raises(SiteError, match="is not an origin"):
        settings(ALLOWED_ORIGINS="*")


def fetch(app, path, headers=None):
    """(status, headers, body) of one GET; an aiohttp app serves one event loop, so one request each."""
    async def go():
        async with TestClient(TestServer(app)) as client:
            response = await client.get(path, headers=headers or {})
            return response.status, dict(response.headers), await response.text()
    return asyncio.run(go())


def site():
    return create_app(settings(CHAT_SERVER_URL="https://chat.clinic.example"), load_profile())


@pytest.fixture
def app():
    return site()


def test_home_page_names_the_clinic_and_loads_the_widget_from_this_site(app):
    profile = load_profile()
    status, headers, page = fetch(app, "/")
    assert status == 200
    assert profile.name in page and profile.address.postcode in page
    assert '<script src="/widget/smp-chat.js" defer' in page
    assert 'data-server="https://chat.clinic.example"' in page
    assert f'data-privacy-url="{profile.privacy_notice_url}"' in page
    assert 'data-retention="12 months"' in page  # the widget's privacy notice says how long chats are kept
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self' https://chat.clinic.example wss://chat.clinic.example" in policy
    assert "*" not in policy.replace("'self'", "")


def test_profile_text_is_escaped_in_the_page(tmp_path, monkeypatch):
    profile = load_profile().copy(update={"name": '<script>alert("x")</script> Clinic'})
    _, _, page = fetch(create_app(settings(), profile), "/")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_cors_only_for_allowed_origins_and_never_a_wildcard():
    _, allowed, _ = fetch(site(), "/widget/smp-chat.js", {"Origin": "https://www.clinic.example"})
    assert allowed["Access-Control-Allow-Origin"] == "https://www.clinic.example"
    _, other, _ = fetch(site(), "/widget/smp-chat.js", {"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other
    _, missing, _ = fetch(site(), "/no-such-page", {"Origin": "https://www.clinic.example"})
    assert missing["Access-Control-Allow-Origin"] == "https://www.clinic.example"
    assert all(headers.get("Vary") == "Origin" for headers in (allowed, other, missing))


def test_widget_file_is_served_as_javascript(app):
    status, headers, body = fetch(app, "/widget/smp-chat.js")
    assert status == 200
    assert headers["Content-Type"].startswith("text/javascript")
    assert "socket.io-client" in body.splitlines()[0]


def test_a_port_in_use_is_named_with_its_setting():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        found = check_ports.problems({"SITE_HOST": "127.0.0.1", "SITE_PORT": str(port),
                                      "RASA_PORT": "abc", "ACTION_SERVER_PORT": "0"})
    assert any(f"port {port} (the sample clinic site, SITE_PORT) is already in use" in p for p in found)
    assert "RASA_PORT='abc' is not a port number (the Rasa server)" in found
    assert "ACTION_SERVER_PORT='0' is not a port number (the action server)" in found


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed (make install needs it for the widget)")
def test_the_built_widget_defines_no_globals_and_needs_a_server_url():
    """The bundle keeps socket.io-client to itself (no global `io`, no AMD define) and refuses to
    start without data-server."""
    probe = """
    const vm = require("vm"), fs = require("fs");
    const errors = [];
    const context = { console: { error: (m) => errors.push(m) }, define: Object.assign(() => { throw new Error("AMD used"); }, { amd: {} }) };
    context.window = context; context.self = context; context.globalThis = context;
    context.document = { currentScript: { getAttribute: () => null } };
    const before = new Set(Object.keys(context));
    vm.createContext(context);
    vm.runInContext(fs.readFileSync(process.argv[1], "utf8"), context);
    console.log(JSON.stringify({ added: Object.keys(context).filter((k) => !before.has(k)), errors }));
    """
    result = subprocess.run(["node", "-e", probe, str(ROOT / "widget" / "dist" / "smp-chat.js")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["added"] == []
    assert outcome["errors"] == ["SMP chat widget: data-server must be the http(s) URL of the chat server"]
