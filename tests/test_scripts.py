"""The helper scripts: settings loader, validation check, NLU report, eval config and Python discovery."""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from scripts import check_validation, eval_config, nlu_report, with_env

ROOT = Path(__file__).resolve().parent.parent


def test_settings_precedence_environment_then_env_then_example(tmp_path, monkeypatch):
    (tmp_path / ".env.example").write_text("A=example\nB=example\nC=example\n")
    (tmp_path / ".env").write_text("B=dotenv\nC=dotenv\n")
    monkeypatch.setattr(with_env, "ROOT", tmp_path)
    for key in "ABC":
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("C", "environment")
    with_env.load_settings()
    assert (os.environ["A"], os.environ["B"], os.environ["C"]) == ("example", "dotenv", "environment")


def test_with_env_reports_a_missing_command():
    result = subprocess.run([sys.executable, "scripts/with_env.py", "no-such-command-xyz"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 127
    assert "command not found: no-such-command-xyz" in result.stderr


def test_telemetry_is_off_by_default():
    example = (ROOT / ".env.example").read_text()
    assert "RASA_TELEMETRY_ENABLED=false" in example.splitlines()


def test_validation_check_allows_only_unused_response_warnings(tmp_path, capsys):
    log = tmp_path / "validate.log"
    log.write_text("\x1b[93m/x/io.py:100: UserWarning: The utterance 'utter_pain' is not used in any story or rule.\x1b[0m\n")
    assert check_validation.main(log) == 0
    log.write_text(log.read_text() + "/x/io.py:100: UserWarning: The intent 'ask_x' is listed in the domain file, but is not found in the NLU training data.\n")
    assert check_validation.main(log) == 1
    assert "ask_x" in capsys.readouterr().out


def write_report(folder: Path, accuracy: float) -> None:
    folder.mkdir()
    row = {"precision": 1.0, "recall": accuracy, "f1-score": accuracy, "support": 10, "confused_with": {"greet": 2}}
    report = {"ask_pain": row, "accuracy": accuracy, "macro avg": row, "weighted avg": row}
    (folder / "intent_report.json").write_text(json.dumps(report))


def test_nlu_report_enforces_the_minimum(tmp_path, monkeypatch, capsys):
    write_report(tmp_path / "good", 0.95)
    write_report(tmp_path / "bad", 0.80)
    monkeypatch.setattr(sys, "argv", ["nlu_report.py", str(tmp_path / "good"), "--min-accuracy", "0.9"])
    assert nlu_report.main() == 0
    monkeypatch.setattr(sys, "argv", ["nlu_report.py", str(tmp_path / "bad"), "--min-accuracy", "0.9"])
    assert nlu_report.main() == 1
    out = capsys.readouterr().out
    assert "ask_pain" in out and "greet (2)" in out and "FAIL" in out
    assert (tmp_path / "bad" / "summary.txt").is_file()


def test_nlu_report_says_when_a_report_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["nlu_report.py", str(tmp_path)])
    assert nlu_report.main() == 2


def test_install_refuses_a_python_that_is_not_3_10(tmp_path):
    """A PYTHON override that is not 3.10 stops the install with a clear message."""
    work = tmp_path / "repo"
    (work / "scripts").mkdir(parents=True)
    (work / "scripts" / "install.sh").write_text((ROOT / "scripts" / "install.sh").read_text())
    env = dict(os.environ, PYTHON="/bin/false")
    result = subprocess.run(["bash", "scripts/install.sh"], cwd=work, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "PYTHON=/bin/false is not a working Python 3.10" in result.stderr
    assert not (work / ".venv").exists()


def test_install_without_any_python_310_says_how_to_get_one(tmp_path):
    work = tmp_path / "repo"
    (work / "scripts").mkdir(parents=True)
    (work / "scripts" / "install.sh").write_text((ROOT / "scripts" / "install.sh").read_text())
    bare_path = "/usr/bin:/bin"  # no pyenv shims, no python3.10
    env = {"PATH": bare_path, "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "no-pyenv")}
    result = subprocess.run(["bash", "scripts/install.sh"], cwd=work, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "no Python 3.10 found" in result.stderr


def test_local_secrets_are_generated_once_and_never_changed(tmp_path, monkeypatch):
    from dotenv import dotenv_values

    from scripts.local_secrets import SECRETS, ensure_secrets

    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("RASA_PORT=5999", encoding="utf-8")  # an operator's own file, no newline at the end
    assert ensure_secrets(env_file) == list(SECRETS)
    first = dotenv_values(env_file)
    assert first["RASA_PORT"] == "5999"
    assert all(len(first[name]) >= 40 for name in SECRETS)
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"

    assert ensure_secrets(env_file) == []
    assert dotenv_values(env_file) == first


def test_a_secret_set_in_the_environment_is_not_written(tmp_path, monkeypatch):
    from scripts.local_secrets import ensure_secrets

    monkeypatch.setenv("RASA_API_TOKEN", "from-the-environment")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    assert ensure_secrets(tmp_path / ".env") == ["WEBHOOK_SECRET"]
    assert "RASA_API_TOKEN" not in (tmp_path / ".env").read_text(encoding="utf-8")


def test_resume_explains_what_is_missing(monkeypatch, capsys):
    from scripts import resume

    assert resume.main([" "]) == 2
    assert "say which conversation" in capsys.readouterr().err
    monkeypatch.setenv("RASA_API_TOKEN", "")
    assert resume.main(["someone"]) == 2
    assert "RASA_API_TOKEN is not set" in capsys.readouterr().err


def test_resume_reports_a_server_that_is_not_running(monkeypatch, capsys):
    from scripts import resume
    from scripts.stack import free_port

    monkeypatch.setenv("RASA_API_TOKEN", "token")
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{free_port()}")
    assert resume.main(["someone"]) == 1
    assert "is not answering" in capsys.readouterr().err


def test_an_api_token_starting_with_a_dash_reaches_rasa_intact():
    """A token is random text; one that begins with "-" must not be read as an option (CI once
    failed because `--auth-token <token>` was parsed that way)."""
    import shlex
    import string

    from rasa.__main__ import create_argument_parser

    token = "-Ab3_" + string.ascii_letters
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    command = shlex.split(procfile["rasa"].replace("$RASA_API_TOKEN", token).replace("$RASA_PORT", "5005"))
    assert command[:2] == ["rasa", "run"]
    arguments = create_argument_parser().parse_args(command[1:])
    assert arguments.auth_token == token
    assert arguments.enable_api is True


def test_eval_config_is_the_project_pipeline_without_its_fallback_classifier(tmp_path):
    target = tmp_path / "config-eval.yml"
    assert eval_config.main([str(ROOT / "config.yml"), str(target)]) == 0
    project = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    evaluated = yaml.safe_load(target.read_text(encoding="utf-8"))
    expected = [c for c in project["pipeline"] if not c["name"].endswith("FallbackClassifier")]
    assert evaluated["pipeline"] == expected
    assert len(expected) == len(project["pipeline"]) - 1
    assert evaluated["language"] == project["language"] and evaluated["policies"] == []


def test_eval_config_refuses_a_pipeline_without_a_fallback_classifier(tmp_path, capsys):
    source = tmp_path / "config.yml"
    source.write_text("language: en\npipeline:\n  - name: WhitespaceTokenizer\n", encoding="utf-8")
    assert eval_config.main([str(source), str(tmp_path / "out.yml")]) == 1
    assert "has no FallbackClassifier" in capsys.readouterr().err


def test_fallback_sweep_counts_each_outcome_per_pair_of_settings():
    from scripts.fallback_threshold import DECLINED, Parsed, sweep

    parsed = [
        Parsed(frozenset({"ask_pain"}), False, (("ask_pain", 0.95), ("ask_risks", 0.03))),  # right always
        Parsed(frozenset({"ask_cost"}), False, (("ask_cost", 0.45), ("ask_pain", 0.3))),  # clarified from 0.5
        Parsed(frozenset({"ask_risks"}), False, (("ask_pain", 0.6), ("ask_risks", 0.3))),  # wrong below 0.65
        # no topic answers it: out_of_scope runner-up with 0.2
        Parsed(DECLINED, True, (("ask_suitability", 0.7), ("out_of_scope", 0.2))),
    ]
    rows = sweep(parsed, [0.4, 0.5, 0.65], [0.2, 1.0])
    assert [(r.out_of_scope_threshold, r.threshold, r.right, r.wrong, r.clarified, r.declined) for r in rows] == [
        (0.2, 0.4, 2, 1, 0, 1),
        (0.2, 0.5, 1, 1, 1, 1),
        (0.2, 0.65, 1, 0, 2, 1),
        (1.0, 0.4, 2, 1, 0, 0),
        (1.0, 0.5, 1, 1, 1, 0),
        (1.0, 0.65, 1, 0, 2, 0),
    ]
    assert all(r.in_scope == 3 and r.unanswerable == 1 for r in rows)


def test_fallback_sweep_best_meets_the_targets_then_handles_the_most_questions():
    from scripts.fallback_threshold import Row, best

    rows = [
        Row(0.4, 1.0, right=95, wrong=5, clarified=0, in_scope=100, declined=7, unanswerable=10),  # too few declined
        Row(0.5, 0.2, right=90, wrong=5, clarified=5, in_scope=100, declined=8, unanswerable=10),  # 93
        Row(0.6, 0.2, right=89, wrong=3, clarified=8, in_scope=100, declined=9, unanswerable=10),  # 95
        Row(0.3, 0.2, right=96, wrong=6, clarified=0, in_scope=100, declined=8, unanswerable=10),  # too many wrong
    ]
    assert best(rows).threshold == 0.6
    # equal scores: the more careful settings (higher threshold, then lower out_of_scope_threshold)
    tied = [Row(0.45, 0.3, 90, 2, 8, 100, 9, 10), Row(0.45, 0.2, 89, 2, 9, 100, 10, 10), Row(0.4, 0.2, 90, 2, 8, 100, 9, 10)]
    assert (best(tied).threshold, best(tied).out_of_scope_threshold) == (0.45, 0.2)
    assert best(rows[:1]) is None


def test_the_pipeline_decision_matches_scope_fallback_classifier():
    """The sweep's decide() and the component in config.yml fall back on the same messages."""
    from rasa.shared.nlu.training_data.message import Message

    from nlu_components.scope_fallback import ScopeFallbackClassifier
    from scripts.fallback_threshold import decide

    component = ScopeFallbackClassifier({"threshold": 0.5, "ambiguity_threshold": 0.0, "out_of_scope_threshold": 0.2})
    cases = [
        (("ask_suitability", 0.7), ("out_of_scope", 0.2)),  # out_of_scope close behind: falls back
        (("ask_suitability", 0.7), ("out_of_scope", 0.19)),
        (("out_of_scope", 0.6), ("ask_what_is_smp", 0.3)),  # out_of_scope on top: the decline stays
        (("ask_pain", 0.45), ("ask_risks", 0.3)),  # below the threshold
    ]
    for ranking in cases:
        message = Message(data={"text": "x", "intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
                                "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]})
        component.process([message])
        assert message.get("intent")["name"] == decide(ranking, 0.5, 0.2), ranking
