"""python manage.py find_duplicates [--json]"""

import json
import textwrap

from django.core.management.base import BaseCommand

from activities.duplicates.selectors import Finding, finding_list_city


def finding_json(finding: Finding) -> dict:
    """The public shape of one pair (documented in the README)."""
    match = finding.match
    return {
        "a_ref": match.a.ref,
        "b_ref": match.b.ref,
        "a_provider": match.a.provider,
        "b_provider": match.b.provider,
        "score": match.score,
        "kind": match.kind,
        "reasons": list(match.reasons),
    }


class Command(BaseCommand):
    help = (
        "List current activities from different providers that look like the same offer in the "
        "same place (duplicates), and those that also meet at the same time (clashes), with "
        "reasons. Pairs marked 'not a duplicate' stay hidden until one of them changes. The "
        "thresholds are the DUPLICATE_* settings."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            action="store_true",
            help="print a JSON array, one object per pair: a_ref, b_ref, a_provider, "
            "b_provider, score (0 to 1), kind (duplicate or clash), reasons",
        )

    def handle(self, *args, **options):
        findings = finding_list_city()
        if options["json"]:
            self.stdout.write(
                json.dumps([finding_json(f) for f in findings], indent=2, ensure_ascii=False)
            )
            return
        if not findings:
            self.stdout.write("No duplicates or clashes found.")
            return
        for number, finding in enumerate(findings, start=1):
            match = finding.match
            self.stdout.write(
                f"{number:>3}. {match.kind.upper():<9} score {match.score:.2f}"
                + ("  (confirmed)" if finding.confirmed else "")
                + ("  (changed since marked not a duplicate)" if finding.reopened else "")
            )
            for record in (match.a, match.b):
                self.stdout.write(f"     {record.ref:<16} {record.title} ({record.provider})")
            for line in textwrap.wrap("; ".join(match.reasons), 90):
                self.stdout.write(f"     {line}")
            if match.differences:
                for line in textwrap.wrap("differences: " + "; ".join(match.differences), 90):
                    self.stdout.write(f"     {line}")
        clashes = sum(f.match.kind == "clash" for f in findings)
        duplicates = len(findings) - clashes
        self.stdout.write(
            f"\n{len(findings)} pair{'s' * (len(findings) != 1)}: "
            f"{clashes} clash{'es' * (clashes != 1)}, "
            f"{duplicates} duplicate{'s' * (duplicates != 1)}."
        )
