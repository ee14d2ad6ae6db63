"""kehu demo: fill a fresh database with the deterministic training sandbox; --reset restores it."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.services import sandbox_user_ensure, team_ensure
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.db import db_analyze
from kehu.core.errors import ChangeHeld
from kehu.core.middleware import set_source
from kehu.customers.models import Customer
from kehu.customers.services import customer_assign_pool, customer_share, customer_update
from kehu.interactions.freshness import incomplete_overdue_run
from kehu.sandbox.loader import generate, load
from kehu.sandbox.personas import PERSONAS, TEAMS
from kehu.sandbox.reset import sandbox_wipe
from kehu.value.services.nightly import values_recompute_all
from kehu.value.services.propensity import propensity_train


class Command(BaseCommand):
    help = "Load the training sandbox: users for every role, 2 teams, 2,000 customers with history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Delete all data and load afresh.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the logins) if customers exist.",
        )
        parser.add_argument("--customers", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        set_source("cli")
        has_data = Customer.objects.exists()
        if has_data and options["if_empty"]:
            self.stdout.write("The database already holds customers; sandbox not reloaded.")
            self.print_logins()
            return
        if has_data and not options["reset"]:
            raise CommandError("The database already holds customers; use --reset to replace them.")
        started = time.monotonic()
        with transaction.atomic():
            if options["reset"]:
                self.wipe()
            users = self.create_people()
        with tempfile.TemporaryDirectory(prefix="kehu-sandbox-") as tmp:
            try:
                folder = generate(Path(tmp), customers=options["customers"], seed=options["seed"])
            except FileNotFoundError as exc:
                raise CommandError(str(exc)) from exc
            report = load(folder, created_by=users["admin"])
        # The nightly deadline rule, once: records 待补全 for longer than the window (the
        # loader dated their marks into the past) become 信息待完善, with a task for the owner.
        overdue = incomplete_overdue_run()
        shared, pooled = self.share_and_pool(users)
        held = self.hold_for_review(users)
        db_analyze()  # planner statistics for the loaded data (kehu.core.db)
        # What the worker computes nightly or weekly, now, so that the sandbox opens complete:
        # every customer's value row (RFM, octant, grade, lifecycle) and the propensity models.
        values = values_recompute_all()
        trained = propensity_train(actor=users["admin"])
        audit_record(
            actor=users["admin"],
            action=AuditAction.SANDBOX_LOADED,
            note=_("%(customers)s customers, seed %(seed)s")
            % {"customers": report.customers, "seed": options["seed"]},
            source="cli",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Sandbox loaded in {time.monotonic() - started:.1f}s: {report.customers} customers, "
                f"{report.contacts} contacts, {report.interactions} interactions, "
                f"{report.orders} orders, {report.events} events "
                f"({report.skipped_rows} rows skipped, {sum(report.dropped_values.values())} bad values left out)."
            )
        )
        self.stdout.write(
            f"{overdue} 待补全 customers were past their "
            f"{settings.KEHU_INCOMPLETE_BUSINESS_DAYS} business days: now 信息待完善, "
            "each with a task for its owner."
        )
        self.stdout.write(
            f"Examples: {shared} of zhang's customers shared with li; {pooled} customers in the "
            "华东 team pool (no owner: every 华东 rep sees them); "
            f"{held} of zhang's changes wait for 周经理 in the review queue (/review/)."
        )
        self.stdout.write(
            f"Customer value computed for {values['customers']} customers; propensity models: "
            + ", ".join(f"{run.kind} {run.status}" for run in trained)
            + "."
        )
        self.print_logins()

    def wipe(self) -> None:
        sandbox_wipe(usernames=[p.username for p in PERSONAS], teams=list(TEAMS))

    def create_people(self) -> dict[str, User]:
        teams = {name: team_ensure(name=name, region=region) for name, region in TEAMS.items()}
        return {
            persona.username: sandbox_user_ensure(
                username=persona.username,
                display_name=persona.display_name,
                role=persona.role,
                team=teams[persona.team] if persona.team else None,
                password=settings.KEHU_DEMO_PASSWORD,
            )
            for persona in PERSONAS
        }

    def share_and_pool(self, users: dict[str, User]) -> tuple[int, int]:
        """A few shared and pooled customers, so each view of the access policy has examples."""
        zhang, li = users["zhang"], users["li"]
        to_share = list(Customer.objects.filter(owner=zhang).order_by("id")[:3])
        for customer in to_share:
            customer_share(actor=zhang, customer=customer, user=li)
        pool = list(
            Customer.objects.filter(owner=users["wang"], status=Customer.Status.LEAD).order_by(
                "id"
            )[:5]
        )
        east = users["wang"].team
        assert east is not None  # a persona of the 华东 team (kehu.sandbox.personas)
        for customer in pool:  # the 华东 manager puts them into the team pool
            customer_assign_pool(actor=users["zhou"], customer=customer, team=east)
        return len(to_share), len(pool)

    def hold_for_review(self, users: dict[str, User]) -> int:
        """Two changes of zhang's that wait for his manager (a customer marked 成交, a budget
        raised a hundredfold), so that the review queue has something to show."""
        zhang = users["zhang"]
        mine = Customer.objects.filter(owner=zhang, status=Customer.Status.INTENT).order_by("id")
        won = mine.first()
        others = Customer.objects.filter(owner=zhang, budget_amount__gt=0).order_by("id")
        budgeted = (others.exclude(pk=won.pk) if won is not None else others).first()
        changes = []
        if won is not None:
            changes.append(
                (won, {"status": Customer.Status.WON, "status_reason": "已签订年度合同"})
            )
        if budgeted is not None and budgeted.budget_amount is not None:
            changes.append((budgeted, {"budget_amount": str(budgeted.budget_amount * 100)}))
        held = 0
        for customer, data in changes:
            try:
                customer_update(actor=zhang, customer=customer, data=data)
            except ChangeHeld:
                held += 1
        return held

    def print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {settings.KEHU_DEMO_PASSWORD})")
        for persona in PERSONAS:
            team = persona.team or "-"
            self.stdout.write(
                f"  {persona.username:<8} {persona.display_name:<6} {persona.role:<10} {team}"
            )
        if settings.KEHU_REQUIRE_2FA:
            self.stdout.write(
                "Managers, stewards and the admin (the roles the company settings name) set up "
                "two-factor sign-in (any TOTP app) at first login; KEHU_REQUIRE_2FA=false turns "
                "it off for a local sandbox."
            )
        self.stdout.write("")
