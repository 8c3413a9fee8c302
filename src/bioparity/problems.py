"""The usual problems of an input file, as the readers word them: note templates, shown in the reader's
language.

A :class:`~bioparity.errors.DataFileError` holds its problem and what was expected as English text (the
message of the exception, the command line's and the logs' text, never changes). The readers build those
texts from the templates here (``NOT_A_NUMBER``, ``MISSING_COLUMNS_FOUND.format(...)``); each is marked
with :func:`~bioparity.i18n.notes.note_template`, so that a page shows the error in its reader's language:
:meth:`DataFileError.message <bioparity.errors.DataFileError.message>` with a ``note`` translator
(:func:`~bioparity.i18n.notes.note_text`) turns the stored text back into its template and values, and
translates the template; file names, column names and cell values are shown as they are. A template's
value may itself be a note (``UNIT_DIFFERS`` names the row by ``ROW_LINE``), translated in turn. The rarer
problems of the readers (units, SDTM PC/EX, crossover and PK tables, CAA lots, potency and stability tables)
are templates too, here or in the reader's own module (``bioparity.nca.review``,
``bioparity.io.power_grid``, ...); an :class:`~bioparity.errors.InputError` made from one (a unit that does
not convert: ``UNKNOWN_UNIT``) is translated as a whole, on a page and on the command line. A problem no
template makes (a parser's own text, a message of a rare file) is shown in English.

References
----------
GNU gettext manual, section 4.7 "Special Cases of Translatable Strings" (texts marked where they are
defined, translated where they are shown).
"""

from __future__ import annotations

from bioparity.i18n.notes import note_template

# --- problems of a cell ---
NOT_A_NUMBER = note_template("not a number")
NOT_FINITE = note_template("not a finite number")
NOT_FINITE_WHOLE = note_template("not a finite whole number")
WHOLE_TOO_LARGE = note_template("whole number too large")
EMPTY_CELL = note_template("empty cell")
BLANK_CELL = note_template("blank cell")
INVALID_VALUE = note_template("invalid value")
NOT_NUMBER_NOR_MISSING = note_template("not a number and not a missing-value marker")
EMPTY_IDENTIFIER = note_template("empty identifier")
NEGATIVE_CONCENTRATION = note_template("negative concentration")
NEGATIVE_VALUE = note_template("negative value")
NOT_POSITIVE = note_template("value <= 0")
DOSE_NOT_POSITIVE = note_template("dose <= 0")
NEGATIVE_DOSE = note_template("negative dose")
PK_NOT_POSITIVE = note_template("PK must be positive and finite (analysed on the log scale)")
UNKNOWN_TREATMENT = note_template("unknown treatment")

# --- problems of rows ---
DUPLICATED_TIME = note_template("duplicated time within a profile")
TIME_BACKWARDS = note_template("time earlier than the previous sample of the same profile")
SAME_SUBJECT_AND_PERIOD = note_template("second row for the same subject and period")
SUBJECT_IN_TWO_SEQUENCES = note_template("subject appears in more than one sequence")
SAMPLE_TWICE = note_template("sample listed twice")

# --- problems of the file ---
FILE_NOT_FOUND = note_template("file not found")
IS_A_FOLDER = note_template("is a folder, not a file")
EMPTY_FILE = note_template("is empty (0 bytes)")
HEADER_ONLY = note_template("has a header but no data rows")
NO_DATA_ROWS = note_template("has no data rows")
NOT_UTF8 = note_template("is not UTF-8 text: byte 0x{byte} at offset {offset:d} (line {line:d})")
#: A spreadsheet workbook given where a CSV (text) file is read: ``{format}`` is XLSX or XLS.
IS_A_WORKBOOK = note_template("is an Excel workbook ({format}), not a CSV text file")
NAMED_TWICE = note_template("column name appears twice in the header")
MORE_FIELDS = note_template("the data rows have more fields than the header")
#: A header read as one column: the file's separator, by its name (``bioparity.delimited``).
OTHER_SEPARATED = {
    "semicolon": note_template("the header is one column {header}: the file looks semicolon-separated"),
    "tab": note_template("the header is one column {header}: the file looks tab-separated"),
}
MISSING_COLUMNS = note_template("missing column(s) {missing}")
# the text of bioparity.errors.require_columns_found (and require_columns, which calls it), written out
# there: bioparity.i18n imports bioparity.errors, so that module cannot import these
MISSING_COLUMNS_FOUND = note_template("missing column(s) {missing}; columns found: {found}")
CANNOT_READ = note_template("cannot be read as {format}: {reason}")
#: pandas' CSV parser refused the file (``bioparity.delimited.parser_error``): its text kept in parentheses.
MORE_FIELDS_ON_LINE = note_template("{saw:d} fields where the header has {header:d} (CSV parser: {detail})")
UNCLOSED_QUOTE = note_template(
    "a quote opens a value here and no quote closes it before the end of the file (CSV parser: {detail})"
)
CANNOT_PARSE = note_template("cannot be read as CSV (CSV parser: {detail})")
#: A cell or column name beyond bioparity.delimited.MAX_CELL_CHARS (the numbers written with thousands
#: separators).
CELL_TOO_LONG = note_template("a cell of {length} characters, more than the limit of {limit}")
NAME_TOO_LONG = note_template("a column name of {length} characters, more than the limit of {limit}")
SEVERAL_SHEETS = note_template("has data on {n:d} sheets ({sheets}), and one sheet is read")
UNKNOWN_FILE_TYPE = note_template("unknown file type {suffix}")

# --- what was expected ---
A_NUMBER = note_template("a number")
A_WHOLE_NUMBER = note_template("a whole number")
A_TEXT_VALUE = note_template("a text value")
A_FINITE_NUMBER = note_template("a finite number")
A_DECIMAL_POINT_NUMBER = note_template("a number with '.' as decimal point")
A_POSITIVE_NUMBER = note_template("a number > 0")
A_NONNEGATIVE_NUMBER = note_template("a number >= 0")
OR_BLQ = note_template("{expected} or a BLQ marker such as BLQ")
A_VALUE_ON_EVERY_ROW = note_template("a value in every row (blank cells are not skipped)")
AN_IDENTIFIER_ON_EVERY_ROW = note_template("a subject or group value on every row")
A_NONNEGATIVE_CONCENTRATION = note_template("a concentration >= 0 (0 or BLQ for below the limit)")
A_POSITIVE_DOSE = note_template("a dose > 0 (blank if unknown)")
ONE_SAMPLE_PER_TIME = note_template(
    "one sample per time in each profile (average or remove replicates first)"
)
TIMES_SORTED = note_template("times sorted increasingly within each profile")
ONE_ROW_PER_SAMPLE = note_template("one row per sample")
ONE_ROW_PER_INCURRED_SAMPLE = note_template("one row per incurred sample")
AT_LEAST_ONE_SCENARIO = note_template("at least one scenario row")
COLUMNS = note_template("columns {columns}")
COLUMNS_MAPPED = note_template("columns {columns} (map names with --subject/--time/--conc/--dose)")
AN_EXISTING_CSV = note_template("an existing CSV file")
AN_EXISTING_TABLE = note_template("an existing CSV, XLSX, Parquet or XPT file")
A_KNOWN_FILE_TYPE = note_template("a .csv, .xlsx, .parquet or .xpt file")
A_UTF8_FILE = note_template("a UTF-8 encoded file (save it as 'UTF-8' / 'CSV UTF-8' in your editor)")
A_CSV_NOT_WORKBOOK = note_template(
    "a CSV file: in Excel, File > Save As > 'CSV UTF-8 (comma delimited)' (one sheet), and give that file"
)
AN_EXISTING_TEXT_FILE = note_template("an existing UTF-8 text file")
A_CSV_WITH_HEADER = note_template("a CSV file with a header line")
EACH_NAME_ONCE = note_template("each column name once (rename or remove the second one)")
#: Two columns equal to a name ignoring letter case, none written as it (:class:`bioparity.columns.Columns`).
COLUMNS_MATCH_ONE_NAME = note_template("columns {columns} all match {name} (letter case ignored)")
ONE_COLUMN_PER_NAME = note_template(
    "one column of that name: rename one, or give the name exactly as the column has it"
)
ONE_NAME_PER_FIELD = note_template(
    "one header name per field (is there a separator at the end of the data lines?)"
)
AS_MANY_FIELDS_AS_NAMES = note_template(
    'as many fields on each line as the header has names (a value holding a comma is quoted: "2,5")'
)
CLOSED_QUOTES = note_template(
    'each opening quote closed after its value (a quote inside a value is doubled: "")'
)
SHORT_CELLS = note_template(
    "at most {limit} characters in a cell (a number, an id, a unit or a short comment)"
)
ONE_SHEET = note_template(
    "a workbook with the table on one sheet: delete the other sheets (or save the sheet to analyse on its "
    "own, as a workbook or as CSV UTF-8)"
)
COMMA_SEPARATED = note_template(
    "a comma-separated file: save it as 'CSV UTF-8 (comma delimited)', with '.' as the decimal mark (in a "
    "decimal-comma locale Excel writes ';' between the columns)"
)

# --- rows named inside a problem (a value of the templates below: "row 3 (line 4)") ---
ROW = note_template("row {row:d}")
ROW_LINE = note_template("row {row:d} (line {line:d})")

# --- columns of the NCA, SDTM and unit readers ---
MISSING_COLUMN = note_template("missing column {column}")
MISSING_COLUMN_FOUND = note_template("missing column {column}; columns found: {found}")
VALUE_DIFFERS_IN_PROFILE = note_template("value differs from earlier rows of the same profile")
ONE_VALUE_PER_PROFILE = note_template("one value per profile")
A_CONCENTRATION_NOT_NEGATIVE = note_template("a concentration >= 0")

# --- units (bioparity.nca.units, a unit column, PCSTRESU / EXDOSU) ---
UNKNOWN_UNIT = note_template("unit {unit}: {token} unknown; expected units such as {units}")
UNITS_NOT_CONVERTIBLE = note_template("cannot convert {source} to {target}: different dimensions")
EMPTY_UNIT_NAMED = note_template("empty unit; expected for example ng/mL, h, mg")
EMPTY_UNIT_IN_COLUMN = note_template("empty unit in the unit column; expected a unit such as {unit}")
EMPTY_UNIT = note_template("empty unit")
RESULT_WITHOUT_UNIT = note_template("a result without its unit")
#: ``row`` is :data:`ROW` or :data:`ROW_LINE` (translated in turn).
UNIT_DIFFERS = note_template("the unit differs from {unit} of {row}")
NOT_THE_FILE_UNIT = note_template("{option} {unit} is not the unit of the file")
A_UNIT_COLUMN = note_template("a column of concentration units")
A_UNIT_ON_THIS_ROW = note_template("the unit of the concentration on this row")
A_CONVERTIBLE_UNIT = note_template("a concentration unit convertible to {unit}")
THE_UNIT_OF_ROW = note_template("{unit}, the unit of {row}")
ONE_UNIT = note_template("one unit on every row")
ONE_UNIT_OR_COLUMN = note_template("one unit on every row (or {option}-column {column} to convert each row)")
THE_FILE_UNIT = note_template("{option} {unit}, or no {option} (the unit is then taken from {column})")
#: A known unit of another dimension than what it states (:func:`bioparity.nca.units.check_unit`): given as
#: an option (``source``: the option) or in a file's column (the problem and what was expected).
CONC_UNIT_REFUSED = note_template(
    "{source} {unit}: not a concentration unit; expected a mass, amount or activity per volume (or per mass "
    "of tissue) such as ng/mL, mg/L, nmol/L, IU/mL or ng/g"
)
TIME_UNIT_REFUSED = note_template("{source} {unit}: not a time unit; expected s, min, h, d or w")
DOSE_UNIT_REFUSED = note_template(
    "{source} {unit}: not a dose unit; expected a mass, amount or activity, alone, per kg of body weight or "
    "per m2 of body surface area, such as mg, nmol, IU, mg/kg or mg/m2"
)
NOT_A_CONC_UNIT = note_template("not a concentration unit")
NOT_A_TIME_UNIT = note_template("not a time unit")
NOT_A_DOSE_UNIT = note_template("not a dose unit")
A_CONC_UNIT = note_template(
    "a mass, amount or activity per volume (or per mass of tissue) such as ng/mL, mg/L, nmol/L, IU/mL or ng/g"
)
A_TIME_UNIT = note_template("s, min, h, d or w")
A_DOSE_UNIT = note_template(
    "a mass, amount or activity, alone, per kg of body weight or per m2 of body surface area, such as mg, "
    "nmol, IU, mg/kg or mg/m2"
)
#: A unit bioparity does not know (a symbol outside its table): carried as written, with this note.
CONC_UNIT_UNKNOWN = note_template(
    "concentration unit {unit} ({source}) is not one bioparity knows (known: {known} per {volumes}): "
    "carried as written, derived units (AUC, CL, V) built from the text, no conversion"
)
TIME_UNIT_UNKNOWN = note_template(
    "time unit {unit} ({source}) is not one bioparity knows (known: {known}): carried as written, derived "
    "units (AUC, lambda_z, CL) built from the text, no conversion"
)
DOSE_UNIT_UNKNOWN = note_template(
    "dose unit {unit} ({source}) is not one bioparity knows (known: {known}, alone, per kg or per m2): "
    "carried as written, derived units (CL, V) built from the text, no conversion"
)
#: The former text of each unit template that changed when doses per m2 and concentrations per mass became
#: known: still registered, so that notes and errors stored with it are shown in the reader's language.
FORMER_UNIT_TEMPLATES = {
    "CONC_UNIT_REFUSED": note_template(
        "{source} {unit}: not a concentration unit; expected a mass, amount or activity per volume such as "
        "ng/mL, mg/L, nmol/L or IU/mL"
    ),
    "DOSE_UNIT_REFUSED": note_template(
        "{source} {unit}: not a dose unit; expected a mass, amount or activity, alone or per kg of body "
        "weight, such as mg, nmol, IU or mg/kg"
    ),
    "A_CONC_UNIT": note_template(
        "a mass, amount or activity per volume such as ng/mL, mg/L, nmol/L or IU/mL"
    ),
    "A_DOSE_UNIT": note_template(
        "a mass, amount or activity, alone or per kg of body weight, such as mg, nmol, IU or mg/kg"
    ),
    "DOSE_UNIT_UNKNOWN": note_template(
        "dose unit {unit} ({source}) is not one bioparity knows (known: {known}, alone or per kg): carried "
        "as written, derived units (CL, V) built from the text, no conversion"
    ),
}

# --- SDTM PC and EX (bioparity.io.sdtm, bioparity.io.nca_input) ---
PC_WITHOUT_TIME = note_template("SDTM PC without a time column")
A_PC_TIME_COLUMN = note_template("PCELTM (ISO 8601 elapsed time) or PCTPTNUM (hours)")
PC_WITHOUT_PCDTC = note_template("SDTM PC without PCDTC: sample and dose times cannot share a clock")
A_PCDTC_COLUMN = note_template(
    "PCDTC (ISO 8601 date-time of each sample) for multiple-dose NCA with an EX domain"
)
A_PCDTC_OR_DOSE_LINK = note_template(
    "PCDTC (ISO 8601 date-time of each sample) for multiple-dose NCA with an EX domain; for a crossover (one "
    "dose per period): PCRFTDTC in PC (the EXSTDTC of each sample's reference dose), or VISITNUM in both PC "
    "and EX"
)
NOT_ISO_DURATION = note_template("not an ISO 8601 duration")
AN_ELAPSED_TIME = note_template("an elapsed time such as PT1H30M")
A_DURATION = note_template("a duration such as PT1H or PT30M")
NOT_ISO_DATETIME = note_template("not an ISO 8601 date-time")
A_DATETIME = note_template("a date-time such as 2021-03-04T08:30")
NO_REFERENCE_DATETIME = note_template("no reference date-time for this subject")
A_SAMPLED_SUBJECT = note_template("a subject with samples (PCDTC) or an EXSTDTC")
INVALID_STUDY_DAY = note_template("missing or invalid study day")
A_STUDY_DAY = note_template("a study day (1 = first day, no day 0) or an EXSTDTC date-time on every row")
EMPTY_DOSE_START = note_template("empty dose start date-time")
A_DOSE_START = note_template("EXSTDTC on every dose record (or EXSTDY)")
NO_DOSE_RECORD = note_template("no dose record for this subject in {file}")
A_DOSE_RECORD_PER_SUBJECT = note_template(
    "one EX record (USUBJID, EXDOSE) for every subject with samples, or no --dosing (then --dose)"
)
NOT_A_POSITIVE_DOSE = note_template("not a dose > 0")
THE_SUBJECTS_DOSE = note_template("the subject's dose")
ROUTE_DIFFERS = note_template("a dose of route {route}, but the analysis is {analysed}")
A_ROUTE_OPTION = note_template("--route {route} for this dose (or EX records of the route analysed)")
INFUSION_WITHOUT_DURATION = note_template("an infusion without a duration while other EX records give one")
A_DURATION_ON_EVERY_INFUSION = note_template(
    "EXDUR (ISO 8601, e.g. PT1H) or EXENDTC on every infusion record"
)

# --- a crossover or replicate study (bioparity.be.data, replicateBE's conventions) ---
EMPTY_TABLE = note_template("no data rows")
NO_HEADER_LINE = note_template("no header line")
COLUMNS_ANY_CASE = note_template("columns {columns} (any case, after '#' description lines)")
#: The same, when the file has no period column: one row per subject is a parallel study, not a crossover.
COLUMNS_ANY_CASE_OR_PARALLEL = note_template(
    "columns {columns} (any case, after '#' description lines); without periods the study is parallel: "
    "compare its arms with bioparity pk-similarity"
)
EMPTY_SUBJECT = note_template("empty subject")
A_SUBJECT_ON_EVERY_ROW = note_template(
    "a subject identifier on every row (a blank one would be analysed as a subject of its own)"
)
T_OR_R = note_template("T (test) or R (reference)")
INVALID_SEQUENCE = note_template("invalid sequence")
A_TR_SEQUENCE = note_template("a string of T and R such as TRTR")
SEQUENCE_LENGTH_DIFFERS = note_template("sequence length differs from the first row's")
LETTERS_PER_PERIOD = note_template("{n:d} letters, one per period")
A_PK_OR_NA = note_template("a positive number, or NA / empty for a missing value")
A_PK_ABOVE_ZERO = note_template("a value > 0, or NA for a missing value")
A_PK_OR_MARKERS = note_template("a positive number, or missing as {markers} (set the markers with --na)")
SAME_SEQUENCE_PER_SUBJECT = note_template("the same sequence on every row of a subject")
ONE_ROW_PER_SUBJECT_AND_PERIOD = note_template("one row per subject and period")
TREATMENT_NOT_IN_SEQUENCE = note_template("treatment does not match the sequence at this period")
THE_SEQUENCE_LETTER = note_template(
    "the letter of the sequence at the period's position (periods in sorted order)"
)
PERIOD_LABELS = note_template("{labels:d} distinct period labels but sequences have {letters:d} letters")
PERIODS_NUMBERED = note_template("periods numbered 1..{n:d} (one per sequence letter)")

# --- PK parameter tables (bioparity.io.pp: pk-similarity) ---
NO_COLUMN = note_template("no column {column}")
ONE_OF = note_template("one of: {choices}")
#: ``no {what} column found``, by what was looked for.
NO_COLUMN_FOUND = {
    "subject": note_template("no subject column found"),
    "arm (treatment group)": note_template("no arm (treatment group) column found"),
    "covariate": note_template("no covariate column found"),
}
A_COLUMN_NAMED = note_template("a column named one of {names} (or give its name); columns found: {found}")
#: The same two problems where an option of the command line names the column (``--arm-column``).
NO_COLUMN_OF_OPTION = note_template("no column {column} (given by {option})")
A_COLUMN_NAMED_OR_OPTION = note_template(
    "a column named one of {names}, or give its name with {option}; columns found: {found}"
)
AN_EXISTING_PK_CSV = note_template("an existing CSV file of PK parameters")
#: A covariate (body weight) asked of a long PP table: ``bioparity nca`` writes no subject covariates.
COVARIATE_OF_PP = note_template(
    "the covariate on every row of the subject: carry it through NCA with bioparity nca --keep COLUMN "
    "(option keep of the NCA run), or give a table with one row per subject, its metrics and the "
    "covariate (columns found: {found})"
)
#: ``{what} on every row``, by what the column holds.
ON_EVERY_ROW = {
    "a subject": note_template("a subject on every row"),
    "an arm": note_template("an arm on every row"),
}
PP_WITHOUT_PPSTRESN = note_template("long PP format without a PPSTRESN column")
PPTESTCD_AND_PPSTRESN = note_template("columns PPTESTCD and PPSTRESN")
SECOND_PARAMETER_VALUE = note_template("second value of the same parameter for a subject")
ONE_VALUE_PER_TESTCD = note_template("one value per subject and PPTESTCD (filter intervals first)")
#: A subject's column (arm, covariate) with another value than on its first row (``row`` is the other row).
SUBJECT_TWO_VALUES = note_template(
    "subject {subject} has {first} on row {first_row:d} and another value here"
)
#: :data:`SUBJECT_TWO_VALUES` when the subject's first value is in another file of the data set (a directory
#: of Parquet files read by ``bioparity nca-batch``).
SUBJECT_TWO_VALUES_IN_FILE = note_template(
    "subject {subject} has {first} on row {first_row:d} of {first_file} and another value here"
)
ONE_VALUE_PER_SUBJECT = note_template("one value per subject")
#: ADPP and ADNCA carry a kept column (``--keep``) under its name in capitals, which must be an ADaM variable
#: name (:func:`bioparity.io.adam.kept_variables`).
KEPT_NOT_AN_ADAM_NAME = note_template(
    "--keep {column}: ADPP and ADNCA carry a kept column under its name in capitals, {name}, which is no "
    "ADaM variable name (at most 8 characters, letters, digits or underscores, the first a letter); rename "
    "the column, e.g. WEIGHTBL for a baseline body weight"
)
#: A kept column whose ADaM name is a variable the data set (ADPP, ADNCA) has already (AVAL, AFRLT, ...).
KEPT_ADAM_NAME_TAKEN = note_template(
    "--keep {column}: {dataset} has a variable {name} of its own; rename the column"
)
#: A column kept through NCA (``--keep``, option ``keep``) that changes within a subject.
KEPT_ONE_VALUE = note_template(
    "one value per subject in a column kept with --keep (option keep), such as the baseline body weight: "
    "it is copied to every profile of the subject"
)
#: In parallel arms a subject belongs to one arm: a second arm is a reused identifier or a mislabelled row.
ONE_ARM_PER_SUBJECT = note_template(
    "one arm per subject (parallel arms: a subject identifier used in two arms?)"
)
SECOND_SUBJECT_ROW = note_template("second row of subject {subject} (its first row is row {first_row:d})")
ONE_ROW_PER_SUBJECT_WIDE = note_template("one row per subject in a wide table")
METRICS_NOT_FOUND = note_template("metric(s) {metrics} not found")
#: The same with what the file has: the PPTESTCD values of a long table, the other columns of a wide one.
METRICS_NOT_FOUND_HAS = note_template("metric(s) {metrics} not found; the file has {available}")
METRICS_AS_NAMED = note_template("PPTESTCD values or wide columns named like the --metrics")
A_NUMBER_OF_SUBJECT = note_template("a number (subject {subject})")
PK_PARAMETERS = note_template("PK parameters")
ARMS_NOT_IN_DATA = note_template("arm(s) {arms} not in the data")
#: An arm of a PK similarity analysis left with fewer than 2 subjects, and why (what each metric lacks).
TOO_FEW_ANALYSED = note_template(
    "{metric}: fewer than {minimum:d} subjects analysed in arm(s) {arms} ({population} population; "
    "analysed: {counts}); subjects left out: {lacking}"
)
#: Welch's interval needs 2 subjects per arm (a variance each); the pooled model 1.
ENOUGH_PER_ARM = note_template(
    "at least {minimum:d} subject(s) per arm with a value above 0 (completers: of every metric)"
)
ADA_STATUS_NOT_BINARY = note_template("ADA status is not 0 or 1")
AN_ADA_STATUS = note_template("1 (ADA-positive) or 0 (ADA-negative) for every analysed subject")
NEGATIVE_PK_VALUE = note_template("negative PK value (subject {subject})")
A_PK_VALUE_NOT_NEGATIVE = note_template("a positive value, or empty when missing")

# --- CAA lots (bioparity.caa.inputs, bioparity.io.caa; potency results as lots: bioparity.caa.potency) ---
NO_MEASUREMENT_ROWS = note_template("no measurement rows")
AT_LEAST_TWO_LOTS = note_template("at least two lots of one attribute")
UNKNOWN_SOURCE_LABEL = note_template("unknown source label")
A_SOURCE = note_template("'test' or a reference source 'ref-<region>' such as ref-eu, ref-us")
A_NUMBER_OR_EMPTY = note_template("a number (leave the cell empty for a missing value)")
A_MEASURED_VALUE = note_template(
    "a number: a result reported as '<LOQ' or '>ULOQ' is not one; enter the value your protocol sets for "
    "it (e.g. the LOQ) or leave the cell empty (a missing value, excluded and listed)"
)
A_TIER = note_template("a tier 1, 2 or 3")
ATTRIBUTE_SEVERAL = note_template("attribute {attribute} has more than one {column}")
ONE_PER_ATTRIBUTE_FIRST = note_template("one {column} per attribute ({first} first)")
ATTRIBUTE_ONE_LOT = note_template("attribute {attribute} has only one lot")
TWO_LOTS_PER_ATTRIBUTE = note_template("at least two lots per attribute (lots of test and reference sources)")
LOT_TEST_AND_REFERENCE = note_template("lot {lot} is listed as {first} (row {row}) and here as {source}")
ONE_SOURCE_PER_LOT = note_template(
    "one source per lot: a lot is either the proposed biosimilar (test) or a reference product lot; "
    "correct the source cell (or the lot ID)"
)
AN_EXISTING_CATALOGUE = note_template("an existing YAML or CSV catalogue")
REPLICATE_TWICE = note_template("the same replicate of this attribute, source and lot appears twice")
ONE_ROW_PER_REPLICATE = note_template("one row per attribute, source, lot and replicate")
MISSING_NAME_COLUMN = note_template("missing column 'name' (or 'attribute')")
UNKNOWN_CATALOGUE_FORMAT = note_template("unknown catalogue format")
A_CATALOGUE_FILE = note_template("a .yaml, .yml or .csv file")
SAMPLE_NOT_A_LOT = note_template("sample is not tied to a lot")
A_LOT_SAMPLE = note_template("a sample named SOURCE:LOT, e.g. test:L001 or ref-eu:E12")
NO_RELATIVE_POTENCY = note_template("no usable relative potency")
A_POSITIVE_POTENCY = note_template("a positive number (see the row's flags)")

# --- potency tables (bioparity.io.potency) ---
UNKNOWN_ROLES = note_template("unknown column role(s) {roles}")
ROLES = note_template("roles {roles}")
ONE_ROW_PER_RESPONSE = note_template("one row per response")
#: What a header-only bioassay file lacks (bioparity.io.bioassay): "rows of" the data it names, both notes.
ROWS_OF = note_template("rows of {what}")
CUT_POINT_DATA = note_template("cut-point validation data")
DILUTION_CURVES = note_template("positive-control dilution curves")
DRUG_TOLERANCE_DATA = note_template("drug-tolerance data")
ISR_DATA = note_template("incurred sample reanalysis")
COLUMNS_RENAMED = note_template("columns {columns} (rename with the column options)")
A_ROLE_LABEL = note_template("a {role} label")
#: What a dose or response cell must hold, by its role.
A_FINITE = {
    "dose": note_template("a finite dose"),
    "response": note_template(
        "a finite response (blank responses are not dropped: remove the row or give the value)"
    ),
}
A_DOSE_NOT_NEGATIVE = note_template("a dose >= 0")
A_DOSE_FOR_LOG_DOSE = note_template(
    "a dose > 0 (the 4pl, 5pl and parallel-line models use log dose; remove blank wells at dose 0)"
)
DUPLICATE_RESPONSE = note_template("duplicate of data row {row:d} (same assay, sample, dose and replicate)")
ONE_RESPONSE_PER_REPLICATE = note_template("one response per assay, sample, dose and replicate")
A_FINITE_MARGIN = note_template("a finite margin")
MEASURE_TWICE = note_template("measure given twice")
A_STANDARD_AND_TEST = note_template(
    "rows of sample 'standard' and of at least one test sample in every assay"
)

# --- stability and profile tables (bioparity.io.cmc, the stability kind) ---
A_LABEL = note_template("a label")
EMPTY_RESULT = note_template("empty cell (missing result)")
NEGATIVE = note_template("negative")
A_FINITE_NONNEGATIVE = note_template("a finite number >= 0")
LOT_IN_TWO_PRODUCTS = note_template("lot {lot} appears under more than one product")
#: a lot of one attribute x condition x product without a regression line (ICH Q1E Appendix B.1: the
#: shelf life comes from each lot's regression on time; the reader names the lot's last row, not the fit)
LOT_WITHOUT_REGRESSION = note_template(
    "lot {lot} of {attribute} ({where}) has {n:d} result(s) at {times:d} time point(s); "
    "remove its rows or add its later results"
)
A_REGRESSION_PER_LOT = note_template(
    "at least 3 results at 2 or more time points per lot (a regression line)"
)
ONE_PRODUCT_PER_LOT = note_template("one product per lot")
NOT_IN_SPECIFICATION = note_template("no entry in the specification {file}")
NOT_IN_SPECIFICATION_NOR = note_template("no entry in the specification {file} (nor for {others})")
AN_ATTRIBUTE_OF = note_template("an attribute of {file}: {attributes}")
A_SPECIFICATION_FILE = note_template("a stability specification YAML file")
COLUMNS_OPTIONAL = note_template("columns {columns} (optional {optional})")
NO_SPECIFICATION_ENTRY = note_template("attribute(s) {attributes} have no entry in the specification")
LONG_TERM_NOT_FOUND = note_template(
    "long-term condition {condition} is not in column 'condition'; values found: {values}"
)
STABILITY_TIME_UNIT_REFUSED = note_template(
    "{source} {unit}: not a time unit of a stability study; expected hours, days, weeks, months or years "
    "(ICH Q1E states a shelf life in months)"
)
INVALID_SPECIFICATION_VALUE = note_template("not a valid specification value")
ATTRIBUTE_SPECIFIED_TWICE = note_template("attribute {attribute} has {column} {value} on row {row:d}")
ONE_PER_ATTRIBUTE = note_template("one {column} per attribute")
SPECIES_TWICE = note_template("species {species} given twice for lot {lot} (first on row {row:d})")
LOT_IN_TWO_SOURCES = note_template("lot {lot} appears under sources {first} and {second}")
MISSING_SPECIES = note_template(
    "lot {lot} has no value for species {species} (a profile needs every species; give 0 for a species "
    "below detection)"
)
A_MODEL_OR_BLANK = note_template("one of {models} or blank")
A_POSITIVE_OR_BLANK = note_template("a number > 0 or blank")
A_FINITE_OR_BLANK = note_template("a finite number or blank")
DM_WITHOUT_COLUMN = note_template("SDTM DM without this column")
A_DM_COLUMNS = note_template("USUBJID and ARM (ACTARM optional) of an SDTM DM domain")
SUBJECT_NOT_IN_DM = note_template(
    "a subject with samples that the DM domain {dm} does not have (subjects missing from it: {subjects})"
)
A_DM_SUBJECT = note_template("one DM record (USUBJID) per sampled subject")
TWO_ARMS_IN_DM = note_template("this USUBJID has two DM records with different arms")
A_ONE_ARM = note_template("one ARM and ACTARM per USUBJID")
