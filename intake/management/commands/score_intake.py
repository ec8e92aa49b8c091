"""Score an answers file with the intake engine and print the result as JSON."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake.scoring import score


class Command(BaseCommand):
    help = "Score an intake answers JSON file and print the explained result as JSON."
    # Pure computation: no database, so no system checks are needed to run it.
    requires_system_checks = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version names the rule set; "resolve" lets it replace Django's --version flag.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("answers", help="Path to a JSON file holding one answers object.")
        parser.add_argument(
            "--version", help="Rule-set version to score with (default: the latest)."
        )
        parser.add_argument(
            "--policy", help="Path to a JSON file of policy overrides (default: clinic defaults)."
        )

    def handle(self, *args, **options):
        answers = _json_object(options["answers"], "answers")
        policy = _json_object(options["policy"], "policy") if options["policy"] else None
        try:
            result = score(answers, version=options["version"], policy=policy)
        except ValueError as error:
            raise CommandError(str(error)) from error
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)


def _json_object(path: str, what: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read the {what} file {path}: {error}") from error
    except ValueError as error:  # JSONDecodeError, or a number too long to convert
        raise CommandError(f"The {what} file {path} is not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise CommandError(f"The {what} file {path} must hold one JSON object.")
    return data
