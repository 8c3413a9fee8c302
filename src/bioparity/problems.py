"""The usual problems of an input file, as the readers word them: note templates, shown in the reader's
language.

A :class:`~bioparity.errors.DataFileError` holds its problem and what was expected as English text (the
message of the exception, the command line's and the logs' text, never changes). The readers build those
texts from the templates here (``NOT_A_NUMBER``, ``MISSING_COLUMNS_FOUND.format(...)``); each is marked
with :func:`~bioparity.i18n.notes.note_template`, so that a page shows the error in its reader's language:
:meth:`DataFileError.message <bioparity.errors.DataFileError.message>` with a ``note`` translator
(:func:`~bioparity.i18n.notes.note_text`) turns the stored text back into its template and values, and
translates the template; file names, column names and cell values are shown as they are. A problem no
template makes (a reader's rarer message, a parser's own text) is shown in English.

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
NAMED_TWICE = note_template("column name appears twice in the header")
MORE_FIELDS = note_template("the data rows have more fields than the header")
#: A header read as one column: the file's separator, by its name (``bioparity.delimited``).
OTHER_SEPARATED = {
    "semicolon": note_template("the header is one column {header}: the file looks semicolon-separated"),
    "tab": note_template("the header is one column {header}: the file looks tab-separated"),
}
# the texts of bioparity.errors.require_columns and require_columns_found (which write them out:
# bioparity.i18n imports bioparity.errors, so that module cannot import these)
MISSING_COLUMNS = note_template("missing column(s) {missing}")
MISSING_COLUMNS_FOUND = note_template("missing column(s) {missing}; columns found: {found}")
CANNOT_READ = note_template("cannot be read as {format}: {reason}")
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
A_CSV_WITH_HEADER = note_template("a CSV file with a header line")
EACH_NAME_ONCE = note_template("each column name once (rename or remove the second one)")
ONE_NAME_PER_FIELD = note_template(
    "one header name per field (is there a separator at the end of the data lines?)"
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
