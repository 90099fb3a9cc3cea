"""Messages staff marked as misunderstood: stored in the clinic database, and exported by
`make export-reviewed` as NLU training examples and conversation-test candidates.

    python -m console.reviewed [--out results/reviewed]

A message is stored with its personal details already masked (e-mail addresses, phone numbers
and the names the conversation supplied), so none of them reach the training data.
"""

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from records.db import SchemaError, check_schema, make_engine, session_scope
from records.models import Review
from records.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent


def domain_intents(domain_file: Path = ROOT / "domain.yml") -> List[str]:
    intents = yaml.safe_load(domain_file.read_text(encoding="utf-8")).get("intents") or []
    return sorted(next(iter(item)) if isinstance(item, dict) else item for item in intents)


def mark_misunderstood(engine: Engine, conversation_id: str, event_id: int, text: str,
                       predicted: Optional[str], confidence: Optional[float], correct: str, staff_email: str) -> None:
    """Records (or corrects) the right intent for one client message (`text` already masked)."""
    with session_scope(engine) as session:
        review = session.execute(sa.select(Review).where(
            Review.conversation_id == conversation_id, Review.event_id == event_id)).scalar_one_or_none()
        if review is None:
            review = Review(conversation_id=conversation_id, event_id=event_id)
            session.add(review)
        review.text, review.predicted_intent, review.confidence = text, predicted, confidence
        review.correct_intent, review.staff_email = correct, staff_email


def reviewed_by_event(engine: Engine, conversation_id: str) -> Dict[int, str]:
    with session_scope(engine) as session:
        return dict(session.execute(sa.select(Review.event_id, Review.correct_intent)
                                    .where(Review.conversation_id == conversation_id)).all())


def export(engine: Engine, out_dir: Path) -> int:
    """Writes nlu.yml and test_stories.yml under out_dir; returns how many messages."""
    with session_scope(engine) as session:
        reviews = session.execute(sa.select(Review).order_by(Review.correct_intent, Review.id)).scalars().all()
    by_intent: Dict[str, List[str]] = defaultdict(list)
    stories = []
    for review in reviews:
        text = review.text.strip()  # stored masked (mark_misunderstood)
        if text and text not in by_intent[review.correct_intent]:
            by_intent[review.correct_intent].append(text)
        stories.append({
            "story": f"reviewed {review.id}: predicted {review.predicted_intent or 'nothing'}, should be {review.correct_intent}",
            "steps": [{"user": text, "intent": review.correct_intent}],
        })
    out_dir.mkdir(parents=True, exist_ok=True)
    header = "# Exported by `make export-reviewed` from messages staff marked as misunderstood.\n" \
             "# Check each example, then move it into data/nlu/ (and the stories into tests/).\n"
    nlu = {"version": "3.1", "nlu": [{"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
                                     for intent, texts in sorted(by_intent.items())]}
    (out_dir / "nlu.yml").write_text(header + yaml.safe_dump(nlu, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (out_dir / "test_stories.yml").write_text(
        header + yaml.safe_dump({"version": "3.1", "stories": stories}, sort_keys=False, allow_unicode=True),
        encoding="utf-8")
    return len(reviews)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.reviewed", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "results" / "reviewed"))
    args = parser.parse_args(argv)
    try:
        engine = make_engine(Settings.from_env().database_url)
        check_schema(engine)
    except (SettingsError, SchemaError) as error:
        print(f"export-reviewed: {error}", file=sys.stderr)
        return 2
    count = export(engine, Path(args.out))
    print(f"export-reviewed: {count} reviewed message(s) written to {args.out}/nlu.yml and {args.out}/test_stories.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
