"""An import's org units, file plan items, Akten and Vorgänge (see ``_imported``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from eakte.exceptions import InvalidReference, RecordsError
from eakte.models import Case, CaseFile, FilePlanItem, OrgUnit
from eakte.records._fileplan import _add_item
from eakte.records._imported_base import (
    CREATED,
    IMPORT_ORGUNIT,
    ORGUNIT_CODE,
    PRESENT,
    Outcome,
    WriterBase,
    check_length,
)
from eakte.records._principal import Permission, require
from eakte.records._references import (
    PLAN_CODE,
    ReferencePattern,
    next_sequence,
    raise_sequence_to,
)


class TreeWriter(WriterBase):
    """Writes the containers documents are filed in."""

    # -- org units and the file plan ------------------------------------------------

    def orgunit(self, code: str, name: str) -> OrgUnit:
        """The org unit with this code; else ``fallback_orgunit``; else a new one under the root."""
        code, name = code.strip(), " ".join(name.split())
        if not ORGUNIT_CODE.fullmatch(code):
            code = ""  # another system's free text: not a code this installation could use
        if code in self._units:
            return self._units[code]
        unit = self.session.scalar(select(OrgUnit).where(OrgUnit.code == code)) if code else None
        if unit is None and self.fallback_orgunit:
            unit = self._existing_unit(self.fallback_orgunit)
        if unit is None:
            unit = self._new_unit(code or IMPORT_ORGUNIT[0], name or IMPORT_ORGUNIT[1])
        if unit.id not in self._writable:
            require(self.session, self.principal, Permission.WRITE, unit.id)
            self._writable.add(unit.id)
        self._units[code] = unit
        return unit

    def _existing_unit(self, code: str) -> OrgUnit:
        unit = self.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if unit is None:
            raise RecordsError(
                f"Unknown org unit {code!r}. `eakte orgunits list` shows the known ones."
            )
        return unit

    def _new_unit(self, code: str, name: str) -> OrgUnit:
        existing = self.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if existing is not None:
            return existing
        require(self.session, self.principal, Permission.ADMINISTER)
        if not self._root_known:  # the top unit before the import (none: new ones are top units)
            self._root_known = True
            self._root = self.session.scalar(
                select(OrgUnit)
                .where(OrgUnit.parent_id.is_(None))
                .order_by(OrgUnit.created_at, OrgUnit.code)
                .limit(1)
            )
        root = self._root
        unit = OrgUnit(code=code, name=name or code, parent_id=root.id if root else None)
        self.session.add(unit)
        self.session.flush()
        self._append(
            "orgunit.created",
            "orgunit",
            unit.id,
            {
                "code": code,
                "name": unit.name,
                "parent": root.code if root else None,
                "imported_from": self.source,
            },
        )
        self.log.add(Outcome("orgunit", unit.id, code, CREATED))
        if root is None:
            self.top_units.append(code)
        return unit

    def plan_item(
        self, code: str, title: str, retention_years: int | None, disposition: str
    ) -> FilePlanItem:
        """The file plan item with this code; created (with missing parents) if unknown.

        An existing item keeps its own title and retention (this file plan rules);
        differences are noted in the report.
        """
        if not PLAN_CODE.match(code):
            raise InvalidReference(f"File plan code {code!r} is not valid here.")
        item = self.session.scalar(select(FilePlanItem).where(FilePlanItem.code == code))
        if item is not None:
            differing = [
                name
                for name, ours, theirs in (
                    ("title", item.title, title),
                    ("retention", item.retention_years, retention_years),
                    ("disposition", item.disposition, disposition),
                )
                if ours != theirs
            ]
            if differing and item.id not in self.log.status:
                note = "kept this installation's " + ", ".join(differing)
                self.log.add(Outcome("plan_item", item.id, code, PRESENT, note))
            return item
        return self._new_plan_item(code, title, retention_years, disposition)

    def _new_plan_item(
        self, code: str, title: str, retention_years: int | None, disposition: str
    ) -> FilePlanItem:
        """A new item; a missing parent gets a placeholder (its code, unlimited, B)."""
        require(self.session, self.principal, Permission.MANAGE_FILEPLAN)
        parent = code.rpartition(".")[0]
        if (
            parent
            and self.session.scalar(select(FilePlanItem.id).where(FilePlanItem.code == parent))
            is None
        ):
            self._new_plan_item(parent, f"Aktenplaneinheit {parent} (Import)", None, "B")
        item = _add_item(
            self.records,
            self.session,
            self.principal,
            code,
            title.strip()[:300] or code,
            retention_years,
            disposition if disposition in ("A", "B", "V") else "B",
        )
        self.log.add(Outcome("plan_item", item.id, code, CREATED))
        return item

    # -- case files and cases ---------------------------------------------------------

    def case_file(
        self,
        *,
        id: str,
        reference: str,
        title: str,
        orgunit: OrgUnit,
        plan_item: FilePlanItem,
        created_at: datetime,
        created_by: str,
        closed_at: datetime | None,
    ) -> CaseFile | None:
        """The imported Akte (None: it conflicts; the conflict is logged)."""
        check_length("Aktenzeichen", reference, 120)
        existing = self.session.get(CaseFile, id)
        by_ref = self.session.scalar(select(CaseFile).where(CaseFile.reference == reference))
        if existing is not None:
            if existing.reference != reference or existing.title != title.strip()[:300]:
                self._conflict(
                    f"Akte {id}: exists here as {existing.reference} {existing.title!r}, "
                    f"the package has {reference} {title!r}."
                )
                return None
            self.log.add(Outcome("casefile", id, reference, PRESENT))
            return existing
        if by_ref is not None:
            self._conflict(
                f"Akte {reference}: the reference belongs here to another Akte ({by_ref.id})."
            )
            return None
        self._raise_case_file_counter(reference, plan_item.code, orgunit.code, created_at.year)
        case_file = CaseFile(
            id=id,
            reference=reference,
            title=title.strip()[:300],
            plan_item_id=plan_item.id,
            orgunit_id=orgunit.id,
            created_at=created_at,
            created_by=created_by,
            closed_at=closed_at,
        )
        self.session.add(case_file)
        self.session.flush()
        self._append(
            "casefile.created",
            "casefile",
            id,
            {
                "reference": reference,
                "title": case_file.title,
                "plan": plan_item.code,
                "orgunit": orgunit.code,
                "created_at": created_at.isoformat(),
                "created_by": created_by,
                "closed_at": closed_at.isoformat() if closed_at else None,
                "imported_from": self.source,
            },
        )
        self.log.add(Outcome("casefile", id, reference, CREATED))
        return case_file

    def existing_case_file(self, id: str) -> CaseFile | None:
        return self.session.get(CaseFile, id)

    def allocate_reference(self, plan_item: FilePlanItem, orgunit: OrgUnit, year: int) -> str:
        """A new Aktenzeichen from this installation's pattern (for Akten without one)."""
        pattern = ReferencePattern(self.records.settings.reference_pattern)
        fields: dict[str, object] = {"plan": plan_item.code, "year": year, "orgunit": orgunit.code}
        return pattern.format(seq=next_sequence(self.session, pattern.scope(**fields)), **fields)

    def _raise_case_file_counter(self, reference: str, plan: str, orgunit: str, year: int) -> None:
        """Keep this installation from allocating an imported reference again."""
        pattern = ReferencePattern(self.records.settings.reference_pattern)
        try:
            parsed = pattern.parse(reference)
        except InvalidReference:
            return  # another system's reference: it can never be allocated here
        fields: dict[str, object] = {"plan": plan, "orgunit": orgunit, "year": year}
        fields.update({k: v for k, v in parsed.items() if k != "seq"})
        if fields["plan"] == plan:
            raise_sequence_to(self.session, pattern.scope(**fields), int(parsed["seq"]))

    def case(
        self,
        *,
        id: str,
        case_file: CaseFile,
        reference: str,
        title: str,
        created_at: datetime,
        created_by: str,
        closed_at: datetime | None,
        retention_until: date | None,
    ) -> Case | None:
        """The imported Vorgang (None: it conflicts; the conflict is logged).

        Without a reference it gets the next one of its Akte.
        """
        existing = self.session.get(Case, id)
        if existing is not None and not reference:
            reference = existing.reference
        check_length("Vorgang reference", reference, 140)
        seq = self._case_seq(case_file, reference)
        if not reference:
            reference = self.records.settings.case_reference_pattern.format(
                akte=case_file.reference, seq=seq
            )
        if existing is not None:
            if (
                existing.reference != reference
                or existing.title != title.strip()[:300]
                or existing.case_file_id != case_file.id
            ):
                self._conflict(
                    f"Vorgang {id}: exists here as {existing.reference} {existing.title!r}, "
                    f"the package has {reference} {title!r}."
                )
                return None
            self.log.add(Outcome("case", id, reference, PRESENT))
            return existing
        other = self.session.scalar(select(Case).where(Case.reference == reference))
        if other is not None:
            self._conflict(
                f"Vorgang {reference}: the reference belongs here to another Vorgang ({other.id})."
            )
            return None
        case = Case(
            id=id,
            case_file_id=case_file.id,
            seq=seq,
            reference=reference,
            title=title.strip()[:300],
            created_at=created_at,
            created_by=created_by,
            closed_at=closed_at,
            retention_until=retention_until,
        )
        self.session.add(case)
        self.session.flush()
        self._append(
            "case.created",
            "case",
            id,
            {
                "reference": reference,
                "title": case.title,
                "case_file": case_file.reference,
                "created_at": created_at.isoformat(),
                "created_by": created_by,
                "closed_at": closed_at.isoformat() if closed_at else None,
                "retention_until": retention_until.isoformat() if retention_until else None,
                "imported_from": self.source,
            },
        )
        self.log.add(Outcome("case", id, reference, CREATED))
        return case

    def _case_seq(self, case_file: CaseFile, reference: str) -> int:
        """The number the reference carries inside its Akte, else the next free one."""
        taken = set(self.session.scalars(select(Case.seq).where(Case.case_file_id == case_file.id)))
        pattern = self.records.settings.case_reference_pattern
        try:
            parsed = ReferencePattern(pattern).parse(reference)
            seq = int(parsed["seq"])
            if parsed.get("akte") == case_file.reference and seq not in taken:
                return seq
        except (InvalidReference, KeyError, ValueError):
            pass
        return max(taken, default=0) + 1
