"""Summarises Rasa's NLU test reports and enforces a minimum accuracy.

    python scripts/nlu_report.py results/nlu-test [results/cross-validation ...] [--min-accuracy 0.9]

Reads each folder's intent_report.json (written by `rasa test nlu`), prints accuracy, F1 and the
per-intent precision / recall / F1 with what each intent was confused with, and writes the same
text to summary.txt in that folder. With --min-accuracy, exits 1 if any report is below it.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import List, Tuple

SUMMARY_KEYS = ("accuracy", "macro avg", "weighted avg", "micro avg")


def summarise(folder: Path) -> Tuple[List[str], float]:
    """The summary lines of one report, and its intent accuracy."""
    report = json.loads((folder / "intent_report.json").read_text(encoding="utf-8"))
    intents = {name: row for name, row in report.items() if name not in SUMMARY_KEYS}
    weighted = report["weighted avg"]
    lines = [
        f"== {folder}",
        f"intent accuracy {report['accuracy']:.3f}   weighted F1 {weighted['f1-score']:.3f}   "
        f"macro F1 {report['macro avg']['f1-score']:.3f}   examples {int(weighted['support'])}",
        f"{'intent':<22}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>6}  confused with",
    ]
    for name, row in sorted(intents.items(), key=lambda item: item[1]["f1-score"]):
        confused = ", ".join(f"{other} ({count})" for other, count in row.get("confused_with", {}).items())
        lines.append(
            f"{name:<22}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1-score']:>7.3f}"
            f"{int(row['support']):>6}  {confused}"
        )
    return lines, report["accuracy"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--min-accuracy", type=float)
    args = parser.parse_args()

    failed = False
    for folder in args.folders:
        if not (folder / "intent_report.json").is_file():
            print(f"error: {folder}/intent_report.json is missing: run `rasa test nlu` first", file=sys.stderr)
            return 2
        lines, accuracy = summarise(folder)
        (folder / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print("\n".join(lines), end="\n\n")
        if args.min_accuracy is not None and accuracy < args.min_accuracy:
            print(f"FAIL: {folder}: intent accuracy {accuracy:.3f} is below the minimum {args.min_accuracy:.2f}")
            failed = True
        elif args.min_accuracy is not None:
            print(f"OK: {folder}: intent accuracy {accuracy:.3f} meets the minimum {args.min_accuracy:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
