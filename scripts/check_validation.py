"""Fails on any warning `rasa data validate` printed, except responses sent by custom actions.

Rasa 3.6's `--fail-on-warnings` still exits 0 on several warnings (an intent with no training
examples, inconsistent synonyms), so `make validate` reads its output with this script.
The one warning allowed is "The utterance '...' is not used in any story or rule": our answers
are sent by action_answer_question, not by stories, and tests/test_responses.py checks that
every response is sent by an action or used in a rule or story.

    rasa data validate --fail-on-warnings 2>&1 | tee log; python scripts/check_validation.py log
"""

import re
import sys
from pathlib import Path

ALLOWED = re.compile(r"The utterance '\w+' is not used in any story or rule\.")
WARNING = re.compile(r"UserWarning: (.*)")


def main(log: Path) -> int:
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(encoding="utf-8", errors="replace"))
    problems = [m.group(1) for m in WARNING.finditer(text) if not ALLOWED.search(m.group(1))]
    for problem in problems:
        print(f"validation warning: {problem}")
    if problems:
        print(f"make validate: {len(problems)} warning(s) from rasa data validate (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
