import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safety.provenance.certificates import create_development_chain


class Command(BaseCommand):
    help = "Create a development C2PA certificate chain and a watermark key outside the repository."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="defaults to SIGNET_KEYS_DIR")
        parser.add_argument("--force", action="store_true", help="replace an existing chain")
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing when a chain exists"
        )

    def handle(self, *args, **options):
        directory = (options["dir"] or Path(settings.SIGNET_KEYS_DIR)).resolve()
        repository = Path(settings.BASE_DIR).resolve()
        inside_repository = directory == repository or repository in directory.parents
        inside_ignored_var = (repository / "var") in (directory, *directory.parents)
        if inside_repository and not inside_ignored_var:
            raise CommandError(
                "Keep signing keys outside the repository's tracked files (var/ is ignored)."
            )
        if options["if_missing"] and (directory / "chain.pem").exists():
            self.stdout.write(f"signing chain already in {directory}")
            return
        try:
            paths = create_development_chain(directory, force=options["force"])
        except FileExistsError as error:
            raise CommandError(f"{error} (use --force to replace it)") from error
        watermark_key = directory / "watermark.key"
        if options["force"] or not watermark_key.exists():
            watermark_key.write_text(secrets.token_hex(32))
            watermark_key.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                f"development chain written: trust anchor {paths.root}, chain {paths.chain}, key {paths.key} (mode 600)"
            )
        )
