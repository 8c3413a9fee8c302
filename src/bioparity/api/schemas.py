"""Request and response bodies of the HTTP API (they make up its OpenAPI schema)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bioparity.analyses.contract import Analysis
from bioparity.pathways import REGION_CODES
from bioparity.store import models as m
from bioparity.workspace.datasets import ColumnMap
from bioparity.workspace.jobs import JobStatus
from bioparity.workspace.roles import Meaning, Role
from bioparity.workspace.signatures import SignatureStatus
from bioparity.workspace.text import (
    DESCRIPTION_MAX,
    NAME_MAX,
    REASON_MAX,
    REGION_MAX,
    SHORT_NAME_MAX,
    control_character,
)

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def _plain_text(value: str) -> str:
    """Refuse control characters and unpaired surrogates (the same check as the pages' forms, see
    :mod:`bioparity.workspace.text`; databases cannot store NUL and nobody means them)."""
    bad = control_character(value)
    if bad is not None:
        raise ValueError(f"contains the control character {bad!r}")
    return value


_Plain = AfterValidator(_plain_text)
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX), _Plain]
ShortName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SHORT_NAME_MAX), _Plain
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_MAX), _Plain]
Region = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=REGION_MAX), _Plain]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=1024), _Plain]
Id = Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
#: Why a GMP-relevant change is made (EU GMP Annex 11 section 9), kept in its audit row.
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_MAX),
    _Plain,
]
REASON_HELP = f"Why the change is made (1 to {REASON_MAX} characters), kept in the audit trail."
MediaType = Literal["text/csv", "text/tab-separated-values", "text/plain", "application/octet-stream"]
ShareRole = Literal["statistician", "analyst", "reviewer", "viewer"]
StudyKindName = Literal["pk", "caa", "clinical"]
OptionValue = str | int | float | bool | None


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


Model = TypeVar("Model", bound=BaseModel)


def from_record(model: type[Model], record: object, **values: Any) -> Model:
    """A ``model`` body of ``record``: each field not given in ``values`` is the attribute of the same
    name of ``record`` (a stored time is an aware UTC datetime on every database:
    :class:`bioparity.store.types.UTCDateTime`)."""
    for name in model.model_fields:
        if name not in values:
            values[name] = getattr(record, name)
    return model(**values)


class ErrorOut(BaseModel):
    detail: str
    file: str | None = None
    row: int | None = None
    line: int | None = None
    column: str | None = None
    key: str | None = Field(
        None,
        description="The place in a JSON input file that has no rows or lines, e.g. rows[0][8] "
        "(RFC 9535 JSON path notation); set instead of row and line",
    )
    expected: str | None = None
    problems: list[dict[str, Any]] | None = None


class LoginIn(StrictModel):
    username: ShortName
    password: Secret


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    must_change_password: bool = Field(
        False, description="After an administrator's reset: POST /me/password before anything else."
    )

    @classmethod
    def of(cls, user: m.User) -> UserOut:
        return from_record(cls, user, must_change_password=bool(user.must_change_password))


class SessionOut(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>' (also set as a cookie).")
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime | None


class OrgOut(BaseModel):
    id: str
    name: str
    role: Role = Field(description="The caller's role in this organisation.")


class MeOut(BaseModel):
    user: UserOut
    organisations: list[OrgOut]


class ApiTokenIn(StrictModel):
    name: ShortName
    password: Secret = Field(description="Your password, re-entered to create the token.")
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        None, description="Lifetime; default and upper limit: the server's maximum (90 days unless set)."
    )
    bound_to_session: bool = Field(
        False, description="Revoke the token when the login session that creates it logs out."
    )


class ApiTokenOut(BaseModel):
    id: str
    name: str
    created_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    bound_to_session: bool = False

    @classmethod
    def of(cls, token: m.AuthToken) -> ApiTokenOut:
        return from_record(cls, token, bound_to_session=token.session_id is not None)


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="Shown once: store it now. Send as 'Authorization: Bearer <token>'.")


class MemberIn(StrictModel):
    username: ShortName
    role: Role


class MemberPatch(StrictModel):
    role: Role
    reason: Reason = Field(description=REASON_HELP)


class ReasonIn(StrictModel):
    """The body of a removal (of a member, of a share): why, kept in the audit trail."""

    reason: Reason = Field(description=REASON_HELP)


class OptionalReasonIn(StrictModel):
    """The body of an acceptance (of a share offered): why, if the caller says, kept in the audit trail."""

    reason: Reason | None = Field(
        default=None, description=f"Why (optional; 1 to {REASON_MAX} characters), kept in the audit trail."
    )


class MemberOut(BaseModel):
    user_id: str
    username: str
    display_name: str
    role: Role


def _regions_description() -> str:
    """The accepted target regions, each authority with the names that select its rule set."""
    names: dict[str, list[str]] = {}
    for name, authority in REGION_CODES.items():
        names.setdefault(authority, []).append(name)
    groups = "; ".join(f"{', '.join(aliases)} ({authority})" for authority, aliases in names.items())
    return (
        "Where the program is to be filed: its readiness is assessed with each region's rule set. "
        f"Each entry one of {groups}, in any case (surrounding spaces ignored), and stored as the code "
        "in brackets (EU as EMA); 1 to 50 entries, no region twice in any spelling (EU with EMA is "
        "refused). Any other region is refused (422): it would never be assessed."
    )


#: A program's target regions: not an enum, since the names are accepted in any case (" eu", "Canada").
TargetRegions = Annotated[list[Region], Field(min_length=1, max_length=50)]
TARGET_REGIONS_DESCRIPTION = _regions_description()
TARGET_REGIONS_EXAMPLES: list[Any] = [["EMA", "FDA"], ["EMA", "FDA", "MHRA"]]


class ProgramIn(StrictModel):
    org_id: Id
    name: Name
    inn: Name = Field(description="International non-proprietary name, e.g. adalimumab.")
    reference_product: Name
    modality: ShortName = Field(description="e.g. monoclonal antibody, fusion protein, insulin.")
    target_regions: TargetRegions = Field(
        description=TARGET_REGIONS_DESCRIPTION, examples=TARGET_REGIONS_EXAMPLES
    )
    description: Description = ""


class ProgramPatch(StrictModel):
    name: Name | None = None
    inn: Name | None = None
    reference_product: Name | None = None
    modality: ShortName | None = None
    target_regions: TargetRegions | None = Field(
        default=None, description=TARGET_REGIONS_DESCRIPTION, examples=TARGET_REGIONS_EXAMPLES
    )
    description: Description | None = None
    segregation_of_duties: bool | None = Field(
        default=None,
        description=(
            "Independent review and approval (default true): the person who ran an analysis, or signed it "
            "as authored, may not review or approve it, and an approval needs another person's review."
        ),
    )
    reason: Reason | None = Field(
        default=None, description="Why: required with segregation_of_duties; kept in the audit trail."
    )


class ProgramOut(BaseModel):
    id: str
    org_id: str
    name: str
    inn: str
    reference_product: str
    modality: str
    target_regions: list[str]
    description: str
    created_at: datetime | None
    segregation_of_duties: bool = True

    @classmethod
    def of(cls, p: m.Program) -> ProgramOut:
        return from_record(
            cls,
            p,
            target_regions=list(p.target_regions),
            segregation_of_duties=p.segregation_of_duties is not False,
        )


class ShareIn(StrictModel):
    """The partner by id (GET /orgs/{org_id}/partners) or, for a first share, by its exact name."""

    org_id: Id | None = None
    org_name: ShortName | None = None
    role: ShareRole
    scope: list[StudyKindName] | None = Field(
        None,
        min_length=1,
        description="The study kinds in which the partner may create studies, upload, run and sign. A scope "
        "limits writing, not reading: the partner reads the whole program whatever the scope, every study's "
        "datasets (their content too), results, reports and audit trail; null or left out: the whole "
        "program. Applies at once.",
    )
    reason: Reason = Field(description=REASON_HELP)

    @model_validator(mode="after")
    def _one_partner(self) -> ShareIn:
        if (self.org_id is None) == (self.org_name is None):
            raise ValueError("give exactly one of org_id and org_name")
        return self


class ShareOut(BaseModel):
    org_id: str
    org_name: str
    role: str
    created_at: datetime | None
    status: str = Field("accepted", description="pending (until the partner accepts), accepted, declined.")
    pending_role: str | None = Field(None, description="A higher role offered, awaiting the partner.")
    scope: list[str] | None = Field(
        None, description="The study kinds the partner may work in (null: the whole program)."
    )


class StudyIn(StrictModel):
    name: Name
    kind: StudyKindName
    description: Description = ""


class StudyOut(BaseModel):
    id: str
    program_id: str
    name: str
    kind: str
    description: str
    created_at: datetime | None

    @classmethod
    def of(cls, s: m.Study) -> StudyOut:
        return from_record(cls, s)


ColumnName = Annotated[str, StringConstraints(min_length=1, max_length=200), _Plain]
UnitText = Annotated[str, StringConstraints(max_length=40), _Plain]
#: At most this many entries in an upload's column mapping, units or unit columns.
MAPPING_MAX = 100


class DatasetIn(StrictModel):
    name: Name
    filename: Annotated[str, StringConstraints(min_length=1, max_length=255), _Plain]
    content: str | None = Field(None, description="The file as UTF-8 text (CSV).")
    content_base64: str | None = Field(None, description="The file as base64, for binary formats.")
    media_type: MediaType = "text/csv"
    analysis_kind: ShortName | None = Field(
        None, description="Validate the file for this analysis kind (see GET /analysis-kinds)."
    )
    reason: Reason | None = Field(
        None,
        description="Why the dataset is replaced: required when a signed run used an earlier version of "
        "`name`; kept in the audit trail.",
    )
    column_map: Annotated[dict[ColumnName, ColumnName], Field(max_length=MAPPING_MAX)] = Field(
        default_factory=dict,
        description="File column -> the column analysis_kind expects (its `columns` in GET "
        '/analysis-kinds), e.g. {"Subject": "subject", "Time": "time"}, as the upload page\'s '
        "mapping step. CSV files only; the file is stored unchanged and the mapping with it, applied "
        "whenever the dataset is read. Needs analysis_kind.",
    )
    units: Annotated[dict[ShortName, UnitText], Field(max_length=MAPPING_MAX)] = Field(
        default_factory=dict,
        description="Unit option -> unit (the `unit_option` of the kinds' columns, e.g. "
        '{"conc_unit": "ng/mL", "time_unit": "h"}): stored with the dataset, the defaults of '
        "the unit options of runs on it.",
    )
    unit_columns: Annotated[dict[ColumnName, ColumnName], Field(max_length=MAPPING_MAX)] | None = Field(
        None,
        description="Expected column -> the file column giving its unit on each row, e.g. "
        '{"conc": "PCSTRESU"} (only columns with `unit_columns` in GET /analysis-kinds); the values '
        "are converted into the unit option's unit (default: the unit of the first row, then stored in "
        "`units`). null: a column with one of the usual names (`unit_columns`) is used when the CSV "
        "header has one; {}: none.",
    )


class DatasetOut(BaseModel):
    id: str
    study_id: str
    name: str
    version: int
    sha256: str
    filename: str
    media_type: str
    validated_for: str | None
    n_rows: int | None
    created_at: datetime | None
    created_by: str
    derived_from_run: str | None = None
    column_map: dict[str, str] = Field(
        default_factory=dict, description="File column -> expected column, as given at upload."
    )
    units: dict[str, str] = Field(default_factory=dict, description="Unit option -> unit stored.")
    unit_columns: dict[str, str] = Field(
        default_factory=dict, description="Expected column -> the file column giving its unit per row."
    )

    @classmethod
    def of(cls, d: m.Dataset) -> DatasetOut:
        mapping = ColumnMap.parse(d.column_map)
        return from_record(
            cls,
            d,
            column_map=dict(mapping.rename),
            units=dict(mapping.units),
            unit_columns=dict(mapping.unit_columns),
        )


class DeriveIn(StrictModel):
    name: Name | None = Field(None, description="Dataset name (default '<kind>-result').")
    analysis_kind: ShortName | None = Field(
        None, description="Validate the table for this analysis kind (e.g. pk-similarity)."
    )
    reason: Reason | None = Field(
        None, description="Why: required when a signed run used an earlier version of the dataset name."
    )


class RunIn(StrictModel):
    kind: ShortName
    options: dict[Annotated[str, StringConstraints(max_length=100)], OptionValue] = Field(
        default_factory=dict
    )


#: The ``superseded_by`` field of a run and of its signatures.
SUPERSEDED_BY = (
    "The id of the later approved run of the same kind in the same study that the reports use instead of "
    "the run (the run page's 'Superseded'; reviewing or approving the run is refused, 409); null when it is "
    "not superseded. Read when asked, not stored."
)


class RunSummaryOut(BaseModel):
    """A stored run without its result (``GET /studies/{id}/runs?result=false``): what a list of runs
    shows; ``result_sha256`` identifies the result, ``GET /runs/{id}`` answers it."""

    id: str
    study_id: str
    dataset_id: str
    kind: str
    inputs: dict[str, Any]
    options: dict[str, Any]
    software_version: str
    run_key: str
    status: str
    result_sha256: str | None
    error: str | None
    created_at: datetime | None
    created_by: str
    superseded_by: str | None = Field(default=None, description=SUPERSEDED_BY)

    @classmethod
    def of(cls, r: m.AnalysisRun, superseded_by: str | None = None) -> Self:
        return from_record(cls, r, **cls.stored_values(r), superseded_by=superseded_by)

    @classmethod
    def stored_values(cls, r: m.AnalysisRun) -> dict[str, Any]:
        """The fields stored as JSON text, read (the result only by :class:`RunOut`, which has it)."""
        return {"inputs": json.loads(r.inputs_json), "options": json.loads(r.options_json)}


class RunOut(RunSummaryOut):
    """A stored run with its result (the analysis kind's JSON: a table's ``columns`` and ``rows``, its
    scalars and notes; null when the run failed)."""

    result: Any

    @classmethod
    def stored_values(cls, r: m.AnalysisRun) -> dict[str, Any]:
        result = None if r.result_json is None else json.loads(r.result_json)
        return {**super().stored_values(r), "result": result}


class JobOut(BaseModel):
    """Where a requested run stands: ``POST /datasets/{id}/runs`` answers it (202 Accepted), and
    ``GET /runs/{id}/status`` (``status_url``) until ``status`` is ``done`` (the run is at ``run_url``)
    or ``failed`` (``error`` says why and what to do)."""

    run_id: str = Field(description="The run's id, known from the request on.")
    status: Literal["queued", "running", "done", "failed"]
    progress: float = Field(description="How much of the work is done, from 0 to 1.")
    message: str = Field(description="What the analysis does now, e.g. 'computing nca on 540 rows'.")
    error: str | None = Field(description="Why it failed and what to do; no run is stored unless run_stored.")
    run_stored: bool = Field(description="Whether GET run_url answers the run (done, or a failed attempt).")
    kind: str
    dataset_id: str
    study_id: str
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    run_url: str = Field(description="The run: 202 with this status until it is stored, then 200.")
    status_url: str = Field(description="Poll this (a second or two apart) until done or failed.")

    @classmethod
    def of(cls, job: JobStatus) -> JobOut:
        return from_record(cls, job, run_url=f"/runs/{job.run_id}", status_url=f"/runs/{job.run_id}/status")


class SignIn(StrictModel):
    username: ShortName = Field(description="The signer's own user name (21 CFR 11.200(a)(1)(i)).")
    password: Secret = Field(description="The signer's password, re-entered for this signature.")
    meaning: Meaning


class SignatureOut(BaseModel):
    id: str
    run_id: str
    user_id: str
    username: str
    display_name: str
    meaning: str
    signed_at: str
    content_sha256: str
    signature_sha256: str
    rules: str | None = Field(
        default=None,
        description=(
            "The program's signing rules in force when it was signed (canonical JSON, "
            '{"segregation_of_duties": true|false}), sealed with the signature; null before they were '
            "recorded. An approval is judged by the rule it was signed under (21 CFR 11.50, 11.70)."
        ),
    )
    signer_role: str | None = Field(
        default=None,
        description=(
            "The signer's role(s) on the program when they signed (canonical JSON, e.g. "
            '[{"role": "reviewer"}]; a partner organisation\'s member [{"role": "analyst", "share": '
            '"reviewer"}]), sealed with the signature; null for signatures made before it was recorded '
            "(21 CFR 11.10(g), 11.50)."
        ),
    )
    valid: bool
    problem: str
    superseded_by: str | None = Field(
        default=None,
        description=SUPERSEDED_BY
        + " A signature of a superseded run stays valid; the reports do not rest on it.",
    )

    @classmethod
    def of(cls, status: SignatureStatus, superseded_by: str | None = None) -> SignatureOut:
        return from_record(
            cls, status.signature, valid=status.valid, problem=status.problem, superseded_by=superseded_by
        )


class AuditEventOut(BaseModel):
    seq: int
    at: str
    actor: str
    actor_id: str | None
    action: str
    object_type: str
    object_id: str | None
    before: Any
    after: Any
    reason: str | None = Field(description="Why the change was made, as given (none: not asked for).")
    row_hash: str

    @classmethod
    def of(cls, e: m.AuditEvent) -> AuditEventOut:
        return from_record(
            cls,
            e,
            before=None if e.before_json is None else json.loads(e.before_json),
            after=None if e.after_json is None else json.loads(e.after_json),
        )


SchemaValue = bool | int | float | str


class OptionOut(BaseModel):
    """One option of an analysis kind: what a run's ``options`` may set."""

    name: str
    help: str
    type: Literal["text", "number", "integer", "flag", "list", "dataset", "run"] = Field(
        description="number, integer: a JSON number; flag: true or false; text, list (comma-separated): "
        "text; dataset: the id of another dataset of the study ('' for none), e.g. NCA's dose records; "
        "run: the id of a signed, succeeded run of one of `kinds` in the same program ('' for none), whose "
        "result is read, e.g. the cut points of an ada-cutpoint run"
    )
    default: SchemaValue
    choices: list[SchemaValue] | None = Field(description="The only values accepted (null: any of the type).")
    label: str
    kinds: list[str] = Field(default_factory=list, description="run: the kinds whose runs it may name.")


class ColumnOut(BaseModel):
    """A column the kind reads (required ones must be in the file, or mapped at upload)."""

    name: str
    required: bool
    help: str
    unit_option: str | None = Field(description="The option that holds this column's unit.")
    unit_columns: list[str] = Field(
        default_factory=list,
        description="Usual names of a column giving this column's unit per row (found in a CSV header "
        "at upload, or named in unit_columns); empty: one unit for every row.",
    )


class KindOut(BaseModel):
    name: str
    title: str
    description: str
    options: dict[str, str] = Field(description="Option name -> one-line help (see option_schema).")
    option_schema: list[OptionOut]
    columns: list[ColumnOut]
    follows: list[str] = Field(description="Kinds whose result table this kind takes as input.")

    @classmethod
    def of(cls, analysis: Analysis) -> KindOut:
        schema = analysis.schema()
        return from_record(
            cls,
            analysis,
            options=analysis.option_help,
            option_schema=[OptionOut(**o) for o in schema["options"]],
            columns=[ColumnOut(**c) for c in schema["columns"]],
            follows=list(analysis.follows),
        )


class HealthOut(BaseModel):
    status: Literal["ok"]
    schema_revision: str | None
