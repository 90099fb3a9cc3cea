"""How the FallbackClassifier threshold trades wrong answers against unnecessary fallbacks.

    python -m scripts.fallback_threshold --model models/smp-consult.tar.gz \
        --nlu tests/nlu/test_nlu.yml tests/nlu/fallback.yml

Parses every example of the held-out test files with the trained model and, for each candidate
threshold, counts: in-scope messages answered correctly, answered with the wrong intent, or sent
to the fallback; and nonsense messages (labelled nlu_fallback) caught. The threshold in
config.yml is chosen from this table: the one that maximises overall accuracy, ties to the higher
(of equal scores, the one that answers fewer questions wrongly and catches more nonsense).
"""

import argparse
import asyncio
import logging
from pathlib import Path
from typing import List, Tuple

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

FALLBACK = "nlu_fallback"
THRESHOLDS = [round(0.30 + 0.05 * step, 2) for step in range(12)]


async def top_intents(model: Path, files: List[Path]) -> List[Tuple[str, str, float]]:
    """(gold intent, the classifier's top intent, its confidence) for every test example."""
    agent = Agent.load(str(model))
    results = []
    examples = [example for path in files for example in load_data(str(path)).intent_examples]
    for example in examples:
        parsed = await agent.parse_message(example.get("text"))
        ranking = [r for r in parsed["intent_ranking"] if r["name"] != FALLBACK]
        results.append((example.get("intent"), ranking[0]["name"], ranking[0]["confidence"]))
    return results


def sweep(results: List[Tuple[str, str, float]], thresholds: List[float]) -> List[dict]:
    """One row per threshold: correct, wrong, fallback, nonsense caught, overall accuracy."""
    in_scope = [r for r in results if r[0] != FALLBACK]
    nonsense = [r for r in results if r[0] == FALLBACK]
    rows = []
    for threshold in thresholds:
        correct = sum(1 for gold, top, conf in in_scope if conf >= threshold and top == gold)
        wrong = sum(1 for gold, top, conf in in_scope if conf >= threshold and top != gold)
        caught = sum(1 for _, _, conf in nonsense if conf < threshold)
        rows.append(
            {
                "threshold": threshold,
                "correct": correct,
                "wrong": wrong,
                "fallback": len(in_scope) - correct - wrong,
                "caught": caught,
                "accuracy": (correct + caught) / len(results),
            }
        )
    return rows


def best(rows: List[dict]) -> dict:
    """The row with the highest accuracy; of equal ones, the highest threshold."""
    return max(rows, key=lambda row: (row["correct"] + row["caught"], row["threshold"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--nlu", type=Path, nargs="+", required=True)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    results = asyncio.run(top_intents(args.model, args.nlu))
    rows = sweep(results, THRESHOLDS)
    nonsense = sum(1 for gold, _, _ in results if gold == FALLBACK)
    print(f"FallbackClassifier threshold sweep on {', '.join(map(str, args.nlu))}: {len(results) - nonsense} in-scope, {nonsense} nonsense")
    print(f"{'threshold':>9} {'correct':>8} {'wrong':>6} {'fallback':>9} {'nonsense caught':>16} {'accuracy':>9}")
    for row in rows:
        print(
            f"{row['threshold']:>9.2f} {row['correct']:>8} {row['wrong']:>6} {row['fallback']:>9} "
            f"{row['caught']:>9}/{nonsense:<6} {row['accuracy']:>9.3f}"
        )
    chosen = best(rows)
    print(f"best threshold on this set: {chosen['threshold']:.2f} (accuracy {chosen['accuracy']:.3f})")


if __name__ == "__main__":
    main()
