"""Writes the NLU config that `make eval` cross-validates: config.yml without its FallbackClassifier.

    python scripts/eval_config.py config.yml results/config-eval.yml

The intent figures are the same with or without it: when the FallbackClassifier has fired,
`rasa test nlu` undoes its prediction to score the intent underneath
(rasa.nlu.classifiers.fallback_classifier.undo_fallback_prediction). But that undo deep-copies
the whole parse result, spaCy Doc and vocabulary included, which costs about a second a message:
measured on 960 messages, `rasa test nlu` took over 7 minutes with it and under a minute without.
Cross-validation also scores the training folds, so the copy would dominate `make eval`.
"""

import sys
from pathlib import Path

import yaml

DROPPED = "FallbackClassifier"  # Rasa's, or one named ...FallbackClassifier (nlu_components.scope_fallback)


def is_fallback(component: dict) -> bool:
    return str(component.get("name", "")).split(".")[-1].endswith(DROPPED)


def without_fallback(config: dict) -> dict:
    """The config with every fallback classifier left out of the pipeline; no policies."""
    pipeline = [component for component in config.get("pipeline", []) if not is_fallback(component)]
    if len(pipeline) == len(config.get("pipeline", [])):
        raise ValueError(f"the pipeline has no {DROPPED}: use the config as it is")
    return {**config, "pipeline": pipeline, "policies": []}


def main(argv: list) -> int:
    if len(argv) != 2:
        print("usage: eval_config.py CONFIG OUTPUT", file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    config = yaml.safe_load(source.read_text(encoding="utf-8"))
    try:
        evaluated = without_fallback(config)
    except ValueError as error:
        print(f"eval_config.py: {source}: {error}", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(evaluated, sort_keys=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
