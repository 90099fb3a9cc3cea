"""How the fallback settings trade right answers against wrong ones and honest declines.

    python -m scripts.fallback_threshold --model models/smp-consult.tar.gz \
        [--real ../shared/nlu-real/real_questions_dev.tsv] [--nlu tests/nlu/test_nlu.yml tests/nlu/fallback.yml]

Parses every message with the trained model once, then, for each pair of settings of
nlu_components.scope_fallback.ScopeFallbackClassifier (`threshold`: the top intent's confidence
below it falls back; `out_of_scope_threshold`: out_of_scope as runner-up with at least this much
falls back), counts: in-scope questions answered right, answered wrong, or clarified (fallen
back), and questions no topic answers that were declined (out_of_scope, fallback or a person).

The settings in config.yml are chosen on real questions (`--real`, the tab-separated set with
`acceptable_intents` that `make eval-real` scores), never on the project's own test set: the
settings that meet the targets (at most 5 % of in-scope questions answered wrongly, at least 8
in 10 of the others declined) and handle the most questions well: right answers plus declines,
minus wrong answers; of equal ones, the more careful (`best()`). The own test set's table (`--nlu`: an NLU YAML file;
examples labelled nlu_fallback count as questions to decline) shows what the same settings cost
on our own voice.
"""

import argparse
import asyncio
import csv
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
DECLINED = frozenset({FALLBACK, OUT_OF_SCOPE, "request_human"})
THRESHOLDS = [round(0.30 + 0.05 * step, 2) for step in range(9)]  # 0.30 .. 0.70
OUT_OF_SCOPE_THRESHOLDS = [0.10, 0.15, 0.20, 0.25, 0.30, 1.0]  # 1.0: the test switched off
MAX_WRONG_SHARE = 0.05
MIN_DECLINED_SHARE = 0.8


@dataclass(frozen=True)
class Parsed:
    """One message: what would be right, whether no topic answers it, and the model's ranking."""

    acceptable: FrozenSet[str]
    unanswerable: bool
    ranking: Tuple[Tuple[str, float], ...]  # the classifier's own, fallback left out


@dataclass(frozen=True)
class Row:
    threshold: float
    out_of_scope_threshold: float
    right: int
    wrong: int
    clarified: int
    in_scope: int
    declined: int
    unanswerable: int

    @property
    def meets_targets(self) -> bool:
        return (
            self.wrong <= MAX_WRONG_SHARE * self.in_scope
            and self.declined >= MIN_DECLINED_SHARE * self.unanswerable
        )


def decide(ranking: Sequence[Tuple[str, float]], threshold: float, out_of_scope_threshold: float) -> str:
    """The intent the pipeline ends with: the top one, or nlu_fallback (as ScopeFallbackClassifier decides)."""
    if not ranking:
        return FALLBACK
    top, confidence = ranking[0]
    if confidence < threshold:
        return FALLBACK
    share = dict(ranking).get(OUT_OF_SCOPE, 0.0)
    if top != OUT_OF_SCOPE and share >= out_of_scope_threshold:
        return FALLBACK
    return top


def sweep(parsed: List[Parsed], thresholds=THRESHOLDS, out_of_scope_thresholds=OUT_OF_SCOPE_THRESHOLDS) -> List[Row]:
    rows = []
    for out_of_scope_threshold in out_of_scope_thresholds:
        for threshold in thresholds:
            right = wrong = clarified = declined = 0
            for item in parsed:
                final = decide(item.ranking, threshold, out_of_scope_threshold)
                if item.unanswerable:
                    declined += final in item.acceptable
                elif final in item.acceptable:
                    right += 1
                elif final == FALLBACK:
                    clarified += 1
                else:
                    wrong += 1
            unanswerable = sum(item.unanswerable for item in parsed)
            rows.append(Row(threshold, out_of_scope_threshold, right, wrong, clarified,
                            len(parsed) - unanswerable, declined, unanswerable))
    return rows


def best(rows: List[Row]) -> Optional[Row]:
    """Of the rows meeting the targets, the one handling the most questions as the issue asks.

    Score: right answers plus unanswerable questions declined, minus wrong answers (a clarified
    question costs nothing, a wrong answer costs one). Ties go to the more careful settings: the
    higher threshold, then the lower out_of_scope_threshold.
    """
    meeting = [row for row in rows if row.meets_targets]
    if not meeting:
        return None
    return max(meeting, key=lambda r: (r.right + r.declined - r.wrong, r.threshold, -r.out_of_scope_threshold))


def real_questions(path: Path) -> List[Tuple[str, FrozenSet[str], bool]]:
    with path.open(encoding="utf-8") as handle:
        return [
            (row["text"], frozenset(row["acceptable_intents"].split("|")), row["topic"] == "other")
            for row in csv.DictReader(handle, delimiter="\t")
        ]


def nlu_examples(path: Path) -> List[Tuple[str, FrozenSet[str], bool]]:
    from rasa.shared.nlu.training_data.loading import load_data

    items = []
    for example in load_data(str(path)).intent_examples:
        intent = example.get("intent")
        items.append((example.get("text"), DECLINED if intent == FALLBACK else frozenset({intent}), intent == FALLBACK))
    return items


async def parse_all(model: Path, items: List[Tuple[str, FrozenSet[str], bool]]) -> List[Parsed]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    parsed = []
    for text, acceptable, unanswerable in items:
        result = await agent.parse_message(text)
        ranking = tuple(
            (entry["name"], float(entry["confidence"]))
            for entry in result.get("intent_ranking") or []
            if entry["name"] != FALLBACK
        )
        parsed.append(Parsed(acceptable, unanswerable, ranking))
    return parsed


def print_table(title: str, rows: List[Row], current: Dict[str, float]) -> None:
    print(title)
    print(f"{'threshold':>9} {'oos':>5} {'right':>12} {'wrong':>10} {'clarified':>9} {'declined':>9}")
    for row in rows:
        mark = " <- config.yml" if (row.threshold, row.out_of_scope_threshold) == (
            current.get("threshold"), current.get("out_of_scope_threshold")) else ""
        target = " meets targets" if row.meets_targets else ""
        print(
            f"{row.threshold:>9.2f} {row.out_of_scope_threshold:>5.2f} "
            f"{row.right:>4} ({row.right / max(row.in_scope, 1):.3f}) {row.wrong:>3} ({row.wrong / max(row.in_scope, 1):.3f}) "
            f"{row.clarified:>9} {row.declined:>5}/{row.unanswerable:<3}{target}{mark}"
        )


def current_settings(config: Path) -> Dict[str, float]:
    import yaml

    for component in yaml.safe_load(config.read_text(encoding="utf-8")).get("pipeline", []):
        if str(component.get("name", "")).endswith("FallbackClassifier"):
            return {"threshold": component.get("threshold"),
                    "out_of_scope_threshold": component.get("out_of_scope_threshold", 1.0)}
    return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--real", type=Path, help="real questions (tab-separated, with acceptable_intents)")
    parser.add_argument("--nlu", type=Path, nargs="*", default=[], help="the project's own NLU test files")
    parser.add_argument("--config", type=Path, default=Path("config.yml"))
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    current = current_settings(args.config)

    if args.real:
        rows = sweep(asyncio.run(parse_all(args.model, real_questions(args.real))))
        print_table(f"Fallback settings on real questions ({args.real}):", rows, current)
        chosen = best(rows)
        if chosen is None:
            print(f"no setting meets the targets (wrong <= {MAX_WRONG_SHARE:.0%} of in-scope, declined >= {MIN_DECLINED_SHARE:.0%})")
        else:
            print(f"best on real questions: threshold {chosen.threshold:.2f}, out_of_scope_threshold "
                  f"{chosen.out_of_scope_threshold:.2f} (right {chosen.right}/{chosen.in_scope}, wrong {chosen.wrong}, "
                  f"declined {chosen.declined}/{chosen.unanswerable})")
    if args.nlu:
        items = [item for path in args.nlu for item in nlu_examples(path)]
        rows = sweep(asyncio.run(parse_all(args.model, items)))
        print_table(f"\nThe same settings on the project's own test files ({', '.join(map(str, args.nlu))}):", rows, current)


if __name__ == "__main__":
    main()
