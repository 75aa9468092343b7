"""`pulih linkage_model [--people N]`: retrain the shipped default linkage model.

Trains Pulih's Splink model on the synthetic population (pulih.linkage.synthetic) and writes
src/pulih/linkage/default_model.json, which small runs use as it is and larger runs start from.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pulih.linkage import pipeline


class Command(BaseCommand):
    help = "Latih ulang model tautan bawaan pada populasi sintetis."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=pipeline.DEFAULT_MODEL_PEOPLE)
        parser.add_argument("--seed", type=int, default=2020)

    def handle(self, *args: Any, **options: Any) -> None:
        trained = pipeline.default_model_train(people=options["people"], seed=options["seed"])
        pipeline.DEFAULT_MODEL_PATH.write_text(
            json.dumps(trained, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        self.stdout.write(
            f"{pipeline.DEFAULT_MODEL_PATH} ({trained['pulih_trained_on_records']:,} records)"
        )
